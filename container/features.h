/*
 * features.h: `isolab-ctr features`, what this runtime implements, as the
 * runtime-spec's features.md describes it (runc features): the OCI
 * versions it reads, the hooks it runs (none yet), the mount options it
 * knows, and under "linux" the namespaces, capabilities, cgroup versions,
 * seccomp actions, operators, architectures and flags, and AppArmor,
 * SELinux and Intel RDT (not supported here). Each list comes from the
 * table the runtime itself parses with (config.c, oci.c, caps.c,
 * seccomp.c), so it cannot drift from what a config.json may say.
 */
#ifndef ISOLAB_CONTAINER_FEATURES_H
#define ISOLAB_CONTAINER_FEATURES_H

#include <cjson/cJSON.h>

/* The document; libseccomp_version ("2.5.4") goes into its annotations.
 * NULL when out of memory. Pure. */
cJSON *ctr_features_json(const char *libseccomp_version);

#endif
