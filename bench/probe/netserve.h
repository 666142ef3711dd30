/*
 * netserve.h: the probe's network server (`probe net-serve`), the far end
 * of the network suite's client (bench/netclient.h).
 *
 * On 0.0.0.0:PORT (TCP) it serves two connections, one after the other:
 *   1. request-response: every byte read is written back at once (the
 *      client's 1-byte ping-pong, as netperf's TCP_RR), until EOF;
 *   2. stream: everything read is discarded and counted until EOF (the
 *      client shut its side down), then the count is written back as one
 *      line of decimal digits, "BYTES\n", and the connection closed.
 * PROBE_NET_READY_LINE is printed once it listens. Returns 0, or a
 * negative errno when a socket call failed.
 */
#ifndef ISOLAB_BENCH_PROBE_NETSERVE_H
#define ISOLAB_BENCH_PROBE_NETSERVE_H

int probe_net_serve(unsigned port);

#endif
