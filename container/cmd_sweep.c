/* cmd_sweep.c: `isolab-ctr sweep`: remove what runtimes killed with
 * SIGKILL left, and containers of `create` whose process is gone
 * (owner.h); `run` and `create` do the former first. */
#include <stdio.h>
#include <unistd.h>

#include "container/cli.h"
#include "container/owner.h"
#include "container/reap.h"

/* owner.h's warning callback has no context: the one cli of this process. */
static const struct ctr_cli *sweep_cli;

static void warn_line(const char *message)
{
	ctr_cli_warn(sweep_cli, message);
}

int ctr_cli_sweep_stale(const struct ctr_cli *cli, bool stopped_too)
{
	sweep_cli = cli;
	return ctr_owner_sweep(cli->g->root, warn_line, stopped_too);
}

int ctr_cli_sweep_one(const struct ctr_cli *cli, const char *id)
{
	sweep_cli = cli;
	return ctr_owner_sweep_one(cli->g->root, id, warn_line);
}

/* 0, or 125 when something stale had to stay (each one named by a warning). */
int ctr_cmd_sweep(const struct ctr_cli *cli)
{
	if (geteuid() != 0) {
		ctr_cli_error(cli, "must run as root (mounts and cgroups)");
		return CTR_EXIT_RUNTIME;
	}
	return ctr_cli_sweep_stale(cli, true) > 0 ? CTR_EXIT_RUNTIME : 0;
}
