/*
 * netstats.h: the network suite's figures (pure, unit-tested): a
 * round-trip summary with its 99th percentile, the ratios to native, and
 * the published figures the report sets beside them.
 *
 * Ratios are each system's median over native's: for "rr" (round-trip
 * time) above 1 is slower than native; for "stream" (bytes/s) below 1 is
 * slower. Their intervals come from bench_ratios_json (each side's samples
 * resampled on its own).
 */
#ifndef ISOLAB_BENCH_NETSTATS_H
#define ISOLAB_BENCH_NETSTATS_H

#include <cjson/cJSON.h>
#include <stddef.h>

/* bench_summary_json(rtt_ns, n, "ns") with "p99" added (stats.h percentiles). */
cJSON *bench_net_rr_json(const double *rtt_ns, size_t n);

/*
 * For each entry of systems other than "native" with an "rr" summary, and
 * when native has one: {"name": "SYS/native", "rr": r, "rr_p99": r,
 * "stream": r, "ci95": {"rr": [lo, hi], "stream": [lo, hi]}} (keys as
 * bench_ratios_json writes them; "rr_p99" the ratio of the p99s, no
 * interval). A new array, empty when native has no figures.
 */
cJSON *bench_net_ratios(const cJSON *systems);

/* A figure of a publication, for the report's comparison. */
struct bench_net_published {
	const char *system;   /* the isolab system it is set beside */
	const char *label;    /* a short name for a picture */
	const char *what;     /* what the publication measured */
	double native_us;     /* the publication's native TCP_RR round trip, us */
	double value_us;      /* its figure for the environment, us */
	const char *source;
};

extern const struct bench_net_published bench_net_published[];
extern const size_t bench_net_published_count;

#endif
