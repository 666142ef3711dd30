/* netns.c: loopback up in a fresh network namespace; joining one by path
 * (see netns.h). */
#include "container/netns.h"
#include "common/cleanup.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <net/if.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>

int ctr_netns_loopback_up(struct isolab_error *err)
{
	_cleanup_close_ int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct ifreq ifr;

	if (fd < 0)
		return isolab_error_errno(err, -errno, "loopback: socket");
	memset(&ifr, 0, sizeof(ifr));
	strcpy(ifr.ifr_name, "lo");
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0)
		return isolab_error_errno(err, -errno, "loopback: get flags of `lo`");
	ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
	if (ioctl(fd, SIOCSIFFLAGS, &ifr) < 0)
		return isolab_error_errno(err, -errno, "loopback: bring `lo` up");
	return 0;
}

int ctr_netns_join(const char *path, bool not_own, struct isolab_error *err)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st, own;

	if (fd < 0)
		return isolab_error_errno(err, -errno, "network namespace `%s`", path);
	/* runc's rule: net.* sysctls only in a namespace that is not the
	 * runtime's own (the host's, as a rule), or they would change it */
	if (not_own && fstat(fd, &st) == 0 && stat("/proc/self/ns/net", &own) == 0 &&
	    st.st_dev == own.st_dev && st.st_ino == own.st_ino)
		return isolab_error_set(err, -EPERM, "network namespace `%s`: the runtime's own "
					"(the host's): linux.sysctl net.* would change it", path);
	if (setns(fd, CLONE_NEWNET) < 0)
		return errno == EINVAL
			       ? isolab_error_errno(err, -EINVAL, "network namespace `%s`: not a "
						    "network namespace", path)
			       : isolab_error_errno(err, -errno, "network namespace `%s`: setns", path);
	return 0;
}
