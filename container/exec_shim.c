/*
 * exec_shim.c: `isolab-exec SOCK CMD [ARG...]`, the last step before the
 * container's program: run from the runtime's sealed memfd (init_exec.h),
 * it execs CMD with the container's PATH and environment. So the process
 * that execs the program is no longer the runtime binary: an image script
 * `#!/proc/self/exe` gets this sealed memfd as its interpreter, never the
 * host's isolab-ctr (CVE-2019-5736). SOCK is the runtime's socket; it is
 * made close-on-exec here, so the program never holds it, and a failed
 * exec is reported on it as the runtime's child would (child_msg.h).
 */
#include "container/child_msg.h"
#include "container/exec_cmd.h"
#include "container/exec_shim.h"
#include "container/reap.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>

int ctr_exec_shim_main(int argc, char **argv, char **envp)
{
	struct isolab_error err = { 0 };
	char *end;
	long sock;

	if (argc < 3)
		return CTR_EXIT_NOEXEC; /* only ever run by isolab-ctr */
	sock = strtol(argv[1], &end, 10);
	if (*end != '\0' || sock < 3 || sock > 1 << 20)
		return CTR_EXIT_NOEXEC;
	if (fcntl((int)sock, F_SETFD, FD_CLOEXEC) < 0) {
		isolab_error_errno(&err, -errno, "exec helper: close-on-exec");
		ctr_child_fail((int)sock, CTR_EXIT_RUNTIME, &err);
	}
	ctr_child_fail((int)sock, ctr_exec_command(argv + 2, envp, &err), &err);
}
