/* netstats.c: the network suite's figures (see netstats.h). */
#include "bench/netstats.h"
#include "bench/checkpoint.h"
#include "bench/results.h"
#include "bench/stats.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * Felter, Ferreira, Rajamony, Rubio, "An Updated Performance Comparison of
 * Virtual Machines and Linux Containers", IBM Research Report RC25482
 * (2014) and ISPASS 2015: netperf TCP_RR between two machines, 10 Gb/s.
 * Only the figures issue 12 quotes are here (native 37.6 us, KVM 67.9
 * us); the paper's Docker figures were not available to check.
 */
const struct bench_net_published bench_net_published[] = {
	{ "isolab-vmm-net", "KVM (Felter et al.)", "netperf TCP_RR, KVM guest (virtio-net, vhost-net)", 37.6, 67.9,
	  "Felter et al., IBM RC25482 / ISPASS 2015, as quoted in issue 12" },
};
const size_t bench_net_published_count = sizeof(bench_net_published) / sizeof(bench_net_published[0]);

cJSON *bench_net_rr_json(const double *rtt_ns, size_t n)
{
	cJSON *obj = bench_summary_json(rtt_ns, n, "ns");
	double *sorted;

	if (obj == NULL || n == 0)
		return obj;
	sorted = malloc(n * sizeof(*sorted));
	if (sorted == NULL)
		return obj;
	memcpy(sorted, rtt_ns, n * sizeof(*sorted));
	bench_sort(sorted, n);
	cJSON_AddNumberToObject(obj, "p99", bench_percentile_sorted(sorted, n, 0.99));
	free(sorted);
	return obj;
}

cJSON *bench_net_ratios(const cJSON *systems)
{
	static const char *const keys[] = { "rr", "stream" };
	const cJSON *native = bench_entry_by_name(systems, "native"), *e;
	const char *pairs[16][2];
	size_t n = 0;
	cJSON *out, *r;

	cJSON_ArrayForEach(e, systems) {
		const char *name = bench_json_string(e, "name", "");

		if (native == NULL || e == native || n >= 16 ||
		    cJSON_GetObjectItemCaseSensitive(e, "rr") == NULL)
			continue;
		pairs[n][0] = name;
		pairs[n][1] = "native";
		n++;
	}
	out = bench_ratios_json(systems, (const char *const (*)[2])pairs, n, keys, 2);
	cJSON_ArrayForEach(r, out) {
		char sys[128];
		const char *slash;
		const char *name = bench_json_string(r, "name", "");
		double p, b;

		slash = strchr(name, '/');
		snprintf(sys, sizeof(sys), "%.*s", slash ? (int)(slash - name) : (int)strlen(name), name);
		e = bench_entry_by_name(systems, sys);
		p = bench_json_number(cJSON_GetObjectItemCaseSensitive(e, "rr"), "p99", -1);
		b = bench_json_number(cJSON_GetObjectItemCaseSensitive(native, "rr"), "p99", -1);
		if (p > 0 && b > 0)
			cJSON_AddNumberToObject(r, "rr_p99", p / b);
	}
	return out;
}
