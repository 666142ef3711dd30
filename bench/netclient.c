/* netclient.c: the network suite's TCP client (see netclient.h). */
#include "bench/netclient.h"
#include "common/io.h"
#include "common/cleanup.h"
#include "common/timing.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

/* A connected socket to host:port (IPv4 dotted quad), or -errno. */
static int connect_to(const char *host, unsigned port, struct isolab_error *err)
{
	struct sockaddr_in addr = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	struct timeval tv = { .tv_sec = BENCH_NET_IO_TIMEOUT_S };
	int fd, one = 1, rc, tries;

	if (inet_pton(AF_INET, host, &addr.sin_addr) != 1)
		return isolab_error_set(err, -EINVAL, "`%s`: not an IPv4 address", host);
	/* a published port's DNAT rule may trail the server's ready line a little */
	for (tries = 0;; tries++) {
		fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd < 0)
			return isolab_error_errno(err, -errno, "socket for %s:%u", host, port);
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
		if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) == 0)
			return fd;
		rc = -errno;
		close(fd);
		if (rc != -ECONNREFUSED || tries >= 50)
			return isolab_error_errno(err, rc, "connect to %s:%u", host, port);
		usleep(20000);
	}
}

/* One round trip: a byte out, the same byte back. */
static int round_trip(int fd, char byte)
{
	char back;
	ssize_t n;
	int rc = isolab_write_all(fd, &byte, 1);

	if (rc < 0)
		return rc;
	do
		n = read(fd, &back, 1);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	if (n == 0)
		return -ECONNRESET;
	return back == byte ? 0 : -EPROTO;
}

int bench_net_rr(const char *host, unsigned port, size_t warmup, size_t count, double *rtt_ns,
		 struct isolab_error *err)
{
	_cleanup_close_ int fd = connect_to(host, port, err);
	size_t i;
	int rc = 0;

	if (fd < 0)
		return fd;
	for (i = 0; i < warmup + count && rc == 0; i++) {
		uint64_t t0 = isolab_now_ns();

		rc = round_trip(fd, (char)('a' + i % 26));
		if (i >= warmup)
			rtt_ns[i - warmup] = (double)(isolab_now_ns() - t0);
	}
	if (rc < 0)
		return isolab_error_errno(err, rc, "%s:%u: round trip %zu", host, port, i);
	return 0;
}

int bench_net_stream(const char *host, unsigned port, uint64_t duration_ns, double *bytes_per_s,
		     struct isolab_error *err)
{
	static char buf[128 * 1024];
	_cleanup_close_ int fd = connect_to(host, port, err);
	char line[32];
	size_t got = 0;
	uint64_t t0, end, received;
	int rc = 0;

	if (fd < 0)
		return fd;
	memset(buf, 'x', sizeof(buf));
	t0 = isolab_now_ns();
	end = t0 + duration_ns;
	while (rc == 0 && isolab_now_ns() < end)
		rc = isolab_write_all(fd, buf, sizeof(buf));
	if (rc == 0 && shutdown(fd, SHUT_WR) < 0)
		rc = -errno;
	while (rc == 0 && got < sizeof(line) - 1) {
		ssize_t n = read(fd, line + got, sizeof(line) - 1 - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			rc = -errno;
		if (n <= 0)
			break;
		got += (size_t)n;
		if (memchr(line, '\n', got) != NULL)
			break;
	}
	if (rc < 0)
		return isolab_error_errno(err, rc, "%s:%u: stream", host, port);
	line[got] = '\0';
	received = strtoull(line, NULL, 10);
	if (got == 0 || line[got - 1] != '\n' || received == 0)
		return isolab_error_set(err, -EPROTO, "%s:%u: stream: no byte count back (`%s`)", host,
					port, line);
	*bytes_per_s = (double)received / ((double)(isolab_now_ns() - t0) / 1e9);
	return 0;
}

int bench_net_free_port(unsigned *port, struct isolab_error *err)
{
	struct sockaddr_in addr = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(addr);
	_cleanup_close_ int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return isolab_error_errno(err, -errno, "socket");
	if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 ||
	    getsockname(fd, (struct sockaddr *)&addr, &len) < 0)
		return isolab_error_errno(err, -errno, "a free port of 127.0.0.1");
	*port = ntohs(addr.sin_port);
	return 0;
}
