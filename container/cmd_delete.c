/* cmd_delete.c: `isolab-ctr delete [--force] ID`: everything the
 * container had (lifecycle.h); with --force a running one is killed
 * first, and one that does not exist is no error (runc's rule), though
 * what a `create` killed before it saved its state left is removed. */
#include <errno.h>

#include "container/cli.h"
#include "container/lifecycle.h"
#include "container/reap.h"

int ctr_cmd_delete(const struct ctr_cli *cli, const struct ctr_args *args)
{
	struct isolab_error err = { 0 }, warning = { 0 };
	int rc = ctr_lifecycle_delete(cli->g->root, args->id, args->force, &warning, &err);

	if (warning.code != 0)
		ctr_cli_warn(cli, warning.msg);
	if (rc == -ENOENT && args->force)
		return ctr_cli_sweep_one(cli, args->id) > 0 ? CTR_EXIT_RUNTIME : 0;
	if (rc < 0)
		return ctr_cli_fail(cli, &err);
	return 0;
}
