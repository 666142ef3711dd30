/*
 * oci_config.h: the one change isolab-bench makes to a runtime's default
 * OCI config.json (the output of `RUNTIME spec`) to get a bundle of its
 * own (pure: a cJSON document in, the same document changed; unit-tested).
 */
#ifndef ISOLAB_BENCH_OCI_CONFIG_H
#define ISOLAB_BENCH_OCI_CONFIG_H

#include <cjson/cJSON.h>
#include "common/error.h"

/*
 * In config (runtime-spec config.json): process.args = argv (NULL-ended,
 * at least one), process.terminal = false (no console socket to hand a
 * terminal to), root.path = rootfs, root.readonly = true. -EINVAL if the
 * document has no "process" or "root" object, or argv is empty.
 */
int bench_oci_config_apply(cJSON *config, const char *rootfs, const char *const *argv,
			   struct isolab_error *err);

#endif
