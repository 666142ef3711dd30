/* cmd_kill.c: `isolab-ctr kill [--all] ID [SIGNAL]`: a signal (default
 * TERM; a name with or without SIG, or a number, signals.h) to the
 * container's process, or with --all to every process in its cgroup. */
#include <signal.h>

#include "container/cli.h"
#include "container/lifecycle.h"
#include "container/signals.h"

int ctr_cmd_kill(const struct ctr_cli *cli, const struct ctr_args *args)
{
	struct isolab_error err = { 0 };
	int sig = SIGTERM;

	if ((args->signal != NULL && ctr_signal_parse(args->signal, &sig, &err) < 0) ||
	    ctr_lifecycle_kill(cli->g->root, args->id, sig, args->all, &err) < 0)
		return ctr_cli_fail(cli, &err);
	return 0;
}
