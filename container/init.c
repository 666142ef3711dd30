/*
 * init.c: the --init program, `isolab-init COMMAND-PID`, built static and
 * embedded in isolab-ctr (init_blob.S). The container's PID 1 forks the
 * command, then execs this from a sealed memfd (init_exec.h) with an empty
 * environment, so /proc/1/exe is neither the host's runtime binary nor
 * writable and /proc/1/environ shows nothing of the runtime's. It
 * forwards SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2 to the
 * command, reaps orphans and exits with the command's status (as tini and
 * docker run --init do). The runtime blocked those signals before the
 * exec, so one sent meanwhile waits, pending, for the handlers below.
 */
#include "container/reap.h"

#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <unistd.h>

static volatile pid_t command;

static void forward(int sig)
{
	if (command > 0)
		kill(command, sig);
}

int main(int argc, char **argv)
{
	sigset_t set;
	char *end;
	long pid;

	if (argc != 2 || getpid() != 1)
		return CTR_EXIT_RUNTIME; /* only ever run by isolab-ctr as PID 1 */
	pid = strtol(argv[1], &end, 10);
	if (*end != '\0' || pid <= 1)
		return CTR_EXIT_RUNTIME;
	command = (pid_t)pid;
	prctl(PR_SET_NAME, "isolab-init", 0, 0, 0); /* comm after fexecve is the fd number */
	sigemptyset(&set);
	for (size_t i = 0; i < CTR_N_FORWARDED; i++) {
		struct sigaction sa = { .sa_handler = forward };

		sigemptyset(&sa.sa_mask);
		sigaction(ctr_forwarded_signals[i], &sa, NULL);
		sigaddset(&set, ctr_forwarded_signals[i]);
	}
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	return ctr_reap_until(command);
}
