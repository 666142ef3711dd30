/* netserve.c: `probe net-serve`, the network suite's server (see netserve.h). */
#include "bench/probe/netserve.h"
#include "common/io.h"
#include "bench/probe/probe.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int accept_one(int lfd)
{
	int fd, one = 1;

	do
		fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	while (fd < 0 && errno == EINTR);
	if (fd < 0)
		return -errno;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return fd;
}

/* Connection 1: each byte read written back, until EOF. */
static int serve_echo(int fd)
{
	char buf[256];

	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));
		int rc;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return 0;
		rc = isolab_write_all(fd, buf, (size_t)n);
		if (rc < 0)
			return rc;
	}
}

/* Connection 2: read and count until EOF, then "BYTES\n" back. */
static int serve_sink(int fd)
{
	static char buf[1 << 17];
	uint64_t total = 0;
	char line[32];

	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			break;
		total += (uint64_t)n;
	}
	snprintf(line, sizeof(line), "%llu\n", (unsigned long long)total);
	return isolab_write_all(fd, line, strlen(line));
}

int probe_net_serve(unsigned port)
{
	struct sockaddr_in addr = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port),
				    .sin_addr.s_addr = htonl(INADDR_ANY) };
	int lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), fd, rc, one = 1;
	static const char ready[] = PROBE_NET_READY_LINE "\n";

	if (lfd < 0)
		return -errno;
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(lfd, (struct sockaddr *)&addr, sizeof(addr)) < 0 || listen(lfd, 4) < 0) {
		rc = -errno;
		close(lfd);
		return rc;
	}
	rc = isolab_write_all(STDOUT_FILENO, ready, sizeof(ready) - 1);
	fd = rc < 0 ? rc : accept_one(lfd);
	if (fd >= 0) {
		rc = serve_echo(fd);
		close(fd);
		fd = rc < 0 ? rc : accept_one(lfd);
	}
	if (fd >= 0) {
		rc = serve_sink(fd);
		close(fd);
	} else {
		rc = fd;
	}
	close(lfd);
	return rc;
}
