/* reap.c: exit statuses and the reaping loop of a container's PID 1 (see reap.h). */
#include "container/reap.h"

#include <errno.h>
#include <signal.h>
#include <sys/wait.h>

const int ctr_forwarded_signals[CTR_N_FORWARDED] = { SIGINT,  SIGTERM, SIGHUP,
						     SIGQUIT, SIGUSR1, SIGUSR2 };

int ctr_exit_status(int wstatus)
{
	if (WIFEXITED(wstatus))
		return WEXITSTATUS(wstatus);
	if (WIFSIGNALED(wstatus))
		return 128 + WTERMSIG(wstatus);
	return CTR_EXIT_RUNTIME;
}

int ctr_reap_until(pid_t command)
{
	for (;;) {
		int ws;
		pid_t p = wait(&ws);

		if (p == command)
			return ctr_exit_status(ws);
		if (p < 0 && errno == ECHILD)
			return CTR_EXIT_RUNTIME;
	}
}
