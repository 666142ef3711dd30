/* cmd_pause.c: `isolab-ctr pause ID` and `resume ID`: the container's
 * cgroup frozen and thawed (cgroup.h); state says "paused" meanwhile. */
#include "container/cli.h"
#include "container/lifecycle.h"

int ctr_cmd_pause(const struct ctr_cli *cli, const struct ctr_args *args, bool pause)
{
	struct isolab_error err = { 0 };

	if (ctr_lifecycle_pause(cli->g->root, args->id, pause, &err) < 0)
		return ctr_cli_fail(cli, &err);
	return 0;
}
