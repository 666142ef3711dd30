/* cmd_start.c: `isolab-ctr start ID`: a created container runs its
 * program (lifecycle.h). */
#include "container/cli.h"
#include "container/lifecycle.h"

int ctr_cmd_start(const struct ctr_cli *cli, const struct ctr_args *args)
{
	struct isolab_error err = { 0 };

	if (ctr_lifecycle_start(cli->g->root, args->id, &err) < 0)
		return ctr_cli_fail(cli, &err);
	return 0;
}
