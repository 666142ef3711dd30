/* netns.c: loopback up in a fresh network namespace (see netns.h). */
#include "container/netns.h"
#include "common/cleanup.h"

#include <errno.h>
#include <net/if.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

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
