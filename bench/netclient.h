/*
 * netclient.h: the network suite's client (the system layer), the near
 * end of `probe net-serve` (probe/netserve.h), in isolab-bench on the
 * host. Over TCP with TCP_NODELAY:
 *
 *   bench_net_rr: one connection, `warmup` untimed then `count` timed
 *   1-byte round trips (write one byte, read it back), as netperf TCP_RR;
 *   rtt_ns[i] is the i-th round trip's CLOCK_MONOTONIC time.
 *
 *   bench_net_stream: a second connection, 128 KiB writes for duration_ns,
 *   then shutdown(SHUT_WR) and the server's count of bytes read back;
 *   *bytes_per_s = that count over the time from the first write to the
 *   count's arrival (what the server received, as iperf3's receiver side).
 *
 * Each returns 0 or a negative errno with err naming HOST:PORT and the step.
 */
#ifndef ISOLAB_BENCH_NETCLIENT_H
#define ISOLAB_BENCH_NETCLIENT_H

#include <stddef.h>
#include <stdint.h>
#include "common/error.h"

/* Every connect, read and write gives up after this long (seconds). */
#define BENCH_NET_IO_TIMEOUT_S 20

int bench_net_rr(const char *host, unsigned port, size_t warmup, size_t count, double *rtt_ns,
		 struct isolab_error *err);
int bench_net_stream(const char *host, unsigned port, uint64_t duration_ns, double *bytes_per_s,
		     struct isolab_error *err);

/* A TCP port of 127.0.0.1 no one holds now (bound to port 0, then closed). */
int bench_net_free_port(unsigned *port, struct isolab_error *err);

#endif
