/*
 * cmd_create.c: `isolab-ctr create [--bundle DIR] [--pid-file F]
 * [--console-socket S] ID`: the bundle's container set up and left
 * waiting for `start` (lifecycle.h); this process then exits.
 */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "container/cli.h"
#include "container/lifecycle.h"
#include "container/rootfs.h"
#include "container/seccomp.h"

int ctr_cmd_create(const struct ctr_cli *cli, const struct ctr_args *args, struct ctr_config *cfg)
{
	struct isolab_error err = { 0 };
	_cleanup_free_ char *bundle = NULL;
	cJSON *annotations = NULL;
	int rc = 0;

	if (geteuid() != 0)
		rc = isolab_error_set(&err, -EPERM, "must run as root (namespaces, mounts and cgroups)");
	if (rc == 0) {
		bundle = realpath(cfg->bundle, NULL);
		if (bundle == NULL)
			rc = isolab_error_errno(&err, -errno, "bundle `%s`", cfg->bundle);
	}
	if (rc == 0)
		rc = ctr_cmd_load_config(cfg, NULL, &annotations, &err);
	if (rc == 0) {
		struct ctr_create_opts o = { .pid_file = args->pid_file,
					     .console_socket = args->console_socket,
					     .annotations = annotations,
					     .bundle = bundle };

		ctr_cli_sweep_stale(cli, false); /* as run does: a dead runtime's id is free again */
		rc = ctr_rootfs_resolve_layers(cfg, &err);
		if (rc == 0)
			rc = ctr_seccomp_prepare(cfg, &err);
		if (rc == 0)
			rc = ctr_lifecycle_create(cfg, cli->g->root, &o, &err);
	}
	cJSON_Delete(annotations);
	if (rc < 0)
		return ctr_cli_fail(cli, &err);
	ctr_cli_debug(cli, "container `%s`: created", cfg->id);
	return 0;
}
