/* tap.c: a tap interface for virtio-net (see tap.h). Thin system layer. */
#include "vmm/tap.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>
#include "common/cleanup.h"

#define TUN_PATH       "/dev/net/tun"
#define VHOST_NET_PATH "/dev/vhost-net"

int tap_check_name(const char *name, struct isolab_error *err)
{
	size_t len = strlen(name);

	if (len == 0)
		return isolab_error_set(err, -EINVAL, "tap ``: the name is empty");
	if (len >= IFNAMSIZ)
		return isolab_error_set(err, -EINVAL, "tap `%s`: the name is longer than %d bytes",
					name, IFNAMSIZ - 1);
	if (!strcmp(name, ".") || !strcmp(name, ".."))
		return isolab_error_set(err, -EINVAL, "tap `%s`: not a name for an interface", name);
	for (const char *p = name; *p; p++)
		if (*p == '/' || *p == ':' || isspace((unsigned char)*p))
			return isolab_error_set(err, -EINVAL,
						"tap `%s`: an interface name has no '/', ':' or white space", name);
	return 0;
}

int tap_open(struct tap *tap, const char *name, struct isolab_error *err)
{
	_cleanup_close_ int fd = -1;
	struct ifreq ifr;
	bool existed;
	int r;

	tap->fd = -1;
	tap->name[0] = '\0';
	tap->created = false;
	if ((r = tap_check_name(name, err)) < 0)
		return r;
	fd = open(TUN_PATH, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return isolab_error_errno(err, -errno, "tap `%s`: open %s", name, TUN_PATH);
	/* A template (tap%d) always makes a new interface. */
	existed = !strchr(name, '%') && if_nametoindex(name) != 0;
	memset(&ifr, 0, sizeof(ifr));
	memcpy(ifr.ifr_name, name, strlen(name));
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		r = -errno;
		if (r == -EINVAL && existed)
			return isolab_error_set(err, r, "tap `%s`: TUNSETIFF: an interface of that name exists and is not a tap",
						name);
		if (r == -EPERM)
			return isolab_error_errno(err, r, existed ?
						  "tap `%s`: TUNSETIFF: attaching needs CAP_NET_ADMIN or a tap owned by this user" :
						  "tap `%s`: TUNSETIFF: creating a tap needs CAP_NET_ADMIN", name);
		if (r == -EBUSY)
			return isolab_error_errno(err, r, "tap `%s`: TUNSETIFF: another process has it open", name);
		return isolab_error_errno(err, r, "tap `%s`: TUNSETIFF", name);
	}
	memcpy(tap->name, ifr.ifr_name, IFNAMSIZ);
	tap->name[IFNAMSIZ - 1] = '\0';
	tap->created = !existed;
	tap->vhost_net = access(VHOST_NET_PATH, F_OK) == 0;
	tap->fd = isolab_take_fd(&fd);
	return 0;
}

void tap_close(struct tap *tap)
{
	if (tap->fd >= 0)
		close(tap->fd);
	tap->fd = -1;
}

ssize_t tap_read_frame(struct tap *tap, void *buf, size_t len)
{
	ssize_t n;

	do
		n = read(tap->fd, buf, len);
	while (n < 0 && errno == EINTR);
	return n < 0 ? -errno : n;
}

int tap_write_frame(void *handle, const struct iovec *iov, int iovcnt, size_t len)
{
	const struct tap *tap = handle;
	ssize_t n;

	do
		n = writev(tap->fd, iov, iovcnt);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	/* One write is one frame: tun takes it whole or not at all. */
	return (size_t)n == len ? 0 : -EIO;
}

int tap_mtu(const struct tap *tap, unsigned *mtu, struct isolab_error *err)
{
	_cleanup_close_ int sock = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct ifreq ifr;

	if (sock < 0)
		return isolab_error_errno(err, -errno, "tap `%s`: socket for SIOCGIFMTU", tap->name);
	memset(&ifr, 0, sizeof(ifr));
	memcpy(ifr.ifr_name, tap->name, IFNAMSIZ);
	if (ioctl(sock, SIOCGIFMTU, &ifr) < 0)
		return isolab_error_errno(err, -errno, "tap `%s`: SIOCGIFMTU", tap->name);
	*mtu = (unsigned)ifr.ifr_mtu;
	return 0;
}

const char *tap_datapath(const struct tap *tap)
{
	return tap->vhost_net ? "tap, frames copied by the VMM (/dev/vhost-net exists, not used yet)"
			      : "tap, frames copied by the VMM (no /dev/vhost-net)";
}
