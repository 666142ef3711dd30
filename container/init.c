/*
 * init.c: the runtime's static helper, built static and embedded in
 * isolab-ctr (init_blob.S). Called `isolab-exec`, it is the exec helper
 * every container's program is started through (exec_shim.c). Called
 * `isolab-init COMMAND-PID`, it is the --init program. The container's PID 1 forks the
 * command, then execs this from a sealed memfd (init_exec.h) with an empty
 * environment, so /proc/1/exe is neither the host's runtime binary nor
 * writable and /proc/1/environ shows nothing of the runtime's. It
 * forwards SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2 to the
 * command, reaps orphans and exits with the command's status (as tini and
 * docker run --init do). The runtime blocked those signals before the
 * exec, so one sent meanwhile waits, pending, for the handlers below.
 */
#include "container/exec_shim.h"
#include "container/reap.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

static volatile pid_t command;

/* Run any other way (an image's `#!/proc/self/exe` script reaches this
 * memfd, not the host's runtime): say so in one line and refuse. */
static int refuse(void)
{
	static const char msg[] = "isolab-init: the runtime's sealed helper: not a program to run\n";

	if (write(2, msg, sizeof(msg) - 1) < 0)
		return CTR_EXIT_NOEXEC;
	return CTR_EXIT_NOEXEC;
}

static void forward(int sig)
{
	if (command > 0)
		kill(command, sig);
}

int main(int argc, char **argv, char **envp)
{
	sigset_t set;
	char *end;
	long pid;

	if (argc > 0 && strcmp(argv[0], CTR_EXEC_SHIM_NAME) == 0)
		return ctr_exec_shim_main(argc, argv, envp);
	if (argc != 2 || strcmp(argv[0], "isolab-init") != 0 || getpid() != 1)
		return refuse(); /* only ever run by isolab-ctr as PID 1 */
	pid = strtol(argv[1], &end, 10);
	if (*end != '\0' || pid <= 1)
		return refuse();
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
