/*
 * probe.h: the lines and keys the probe prints, shared with isolab-bench
 * so both sides agree on them.
 */
#ifndef ISOLAB_BENCH_PROBE_PROBE_H
#define ISOLAB_BENCH_PROBE_PROBE_H

/* `probe start` prints this line as its first action. */
#define PROBE_START_LINE "isolab-probe start"
/* `probe hold` prints this line once it is up. */
#define PROBE_READY_LINE "isolab-probe ready"
/* `probe net-serve` prints this line once it listens (netserve.h). */
#define PROBE_NET_READY_LINE "isolab-probe listening"
/* `probe ops` prints one line: {"isolab_probe":VERSION, ...}. */
#define PROBE_JSON_KEY "isolab_probe"
#define PROBE_FORMAT_VERSION 1
/* The boot marker `probe start --vm` writes (guest_ports.h). */
#define PROBE_MARKER "probe"

#endif
