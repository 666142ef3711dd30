/* cmd_start.c: `isolab-ctr start ID`: a created container runs its
 * program (lifecycle.h). */
#include "container/cli.h"
#include "container/lifecycle.h"

int ctr_cmd_start(const struct ctr_cli *cli, const struct ctr_args *args)
{
	struct isolab_error err = { 0 }, warning = { 0 };

	if (ctr_lifecycle_start(cli->g->root, args->id, &warning, &err) < 0)
		return ctr_cli_fail(cli, &err);
	if (warning.code != 0)
		ctr_cli_warn(cli, warning.msg);
	return 0;
}
