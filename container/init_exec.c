/* init_exec.c: the runtime's helper into a sealed memfd, and its execs (see init_exec.h). */
#include "container/init_exec.h"
#include "common/cleanup.h"
#include "container/exec_shim.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U /* include/uapi/linux/memfd.h, Linux 6.3 */
#endif

/* init_blob.S: the static init program's bytes. */
extern const unsigned char ctr_init_blob[], ctr_init_blob_end[];

int ctr_helper_memfd(struct isolab_error *err)
{
	_cleanup_close_ int fd = -1;
	const unsigned char *p = ctr_init_blob;

	/* MFD_EXEC: executable even where vm.memfd_noexec=1 makes it the
	 * exception; older kernels refuse the flag (EINVAL). */
	fd = memfd_create("isolab-init", MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_EXEC);
	if (fd < 0 && errno == EINVAL)
		fd = memfd_create("isolab-init", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (fd < 0)
		return isolab_error_errno(err, -errno, "runtime helper: memfd_create");
	while (p < ctr_init_blob_end) {
		ssize_t n = write(fd, p, (size_t)(ctr_init_blob_end - p));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return isolab_error_errno(err, n < 0 ? -errno : -EIO, "runtime helper: write the memfd");
		p += n;
	}
	if (fcntl(fd, F_ADD_SEALS, F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE) < 0)
		return isolab_error_errno(err, -errno, "runtime helper: seal the memfd");
	return isolab_take_fd(&fd);
}

int ctr_init_exec(int memfd, pid_t command)
{
	char pid[16];
	char *const argv[] = { "isolab-init", pid, NULL };
	char *const envp[] = { NULL };

	snprintf(pid, sizeof(pid), "%d", (int)command);
	fexecve(memfd, argv, envp);
	return -errno;
}

int ctr_exec_via_helper(int memfd, int sock, char *const argv[], char *const envp[])
{
	char **hargv, sockstr[16];
	size_t n = 0;
	int rc;

	while (argv[n] != NULL)
		n++;
	hargv = calloc(n + 3, sizeof(*hargv));
	if (hargv == NULL)
		return -ENOMEM;
	snprintf(sockstr, sizeof(sockstr), "%d", sock);
	hargv[0] = CTR_EXEC_SHIM_NAME;
	hargv[1] = sockstr;
	memcpy(hargv + 2, argv, (n + 1) * sizeof(*argv));
	/* The helper sets it close-on-exec again before the program's exec. */
	if (fcntl(sock, F_SETFD, 0) < 0) {
		rc = -errno;
		free(hargv);
		return rc;
	}
	fexecve(memfd, hargv, envp);
	rc = -errno;
	free(hargv);
	fcntl(sock, F_SETFD, FD_CLOEXEC);
	return rc;
}
