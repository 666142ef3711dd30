/*
 * suite_network.c: one TCP workload in every environment (issue 12 item
 * 5): request-response latency (1-byte ping-pong, as netperf TCP_RR) and
 * bulk throughput (a stream, as iperf3), each as a ratio to native.
 *
 * The server is the probe (`probe net-serve`, probe/netserve.h) started
 * by each system (native on the host's loopback, a container on the
 * bench's own isolab network reached at its address or through a port
 * published on 127.0.0.1, a VM on a tap); the client is isolab-bench
 * itself (netclient.h), the same code for every system. In R interleaved
 * rounds (rounds.h; --rounds, else 5, quick 3) each system serves one
 * run: warm-up round trips (a tenth, untimed), then its share of the
 * round trips (10 000 in all, quick 2 000), then a stream for its share
 * of 5 s (quick 1 s). "rr" pools every timed round trip (ns; p99 added),
 * "stream" holds one figure per run (bytes/s, what the server counted).
 *
 * What the suite makes goes at its end, a stop included: the network
 * (bench_net_teardown), the tap, and the shared chains the CNI plugins
 * add when they were not there before (as engine/tests/network-lib.sh).
 */
#include "bench/launch.h"
#include "bench/netclient.h"
#include "bench/netstats.h"
#include "bench/probe/probe.h"
#include "bench/results.h"
#include "bench/rounds.h"
#include "bench/stats.h"
#include "bench/suites.h"
#include "common/cleanup.h"
#include "common/timing.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define NET_ROUNDS            5u
#define NET_QUICK_ROUNDS      3u
#define NET_RR_TOTAL          10000u
#define NET_QUICK_RR_TOTAL    2000u
#define NET_STREAM_MS         5000u
#define NET_QUICK_STREAM_MS   1000u

static const char *const network_systems[] = { "native", "isolab-image-bridge",
					       "isolab-image-port", "isolab-vmm-net",
					       "isolab-vmm-vhost" };

/* The chains the CNI plugins add and share between networks (network-lib.sh). */
static const char *const cni_shared_chains[] = { "CNI-HOSTPORT-DNAT", "CNI-HOSTPORT-SETMARK",
						 "CNI-HOSTPORT-MASQ", "CNI-FORWARD", "CNI-ADMIN" };
#define CNI_CHAINS (sizeof(cni_shared_chains) / sizeof(cni_shared_chains[0]))

struct net_plan {
	unsigned rr_per_run;
	uint64_t stream_ns;
	double *rtt;           /* rr_per_run round-trip times, reused by every run */
};

/*
 * argv's output (at most BENCH_OUTPUT_MAX), or NULL if it did not run to
 * exit 0; run to its end even after a stop was asked (as bench_run_cleanup:
 * the clean-up reads the rules to remove).
 */
static char *capture(char *const argv[])
{
	sig_atomic_t stop = bench_stop_requested;
	struct bench_child c;
	char *out = NULL;

	bench_stop_requested = 0;
	if (bench_child_spawn(&c, argv, false, NULL) == 0) {
		if (bench_child_finish(&c, isolab_now_ns() + 30000000000ull) == 0 &&
		    bench_child_exit_code(&c) == 0)
			out = strdup(c.out ? c.out : "");
		bench_child_release(&c);
	}
	if (stop != 0)
		bench_stop_requested = stop;
	return out;
}

/* Whether `iptables -t TABLE -S` text declares chain ("-N CHAIN" line). */
static bool declares(const char *rules, const char *chain)
{
	char line[128];
	const char *p;
	size_t n;

	n = (size_t)snprintf(line, sizeof(line), "-N %s", chain);
	for (p = rules; p && (p = strstr(p, line)) != NULL; p += n)
		if ((p == rules || p[-1] == '\n') && (p[n] == '\n' || p[n] == '\0'))
			return true;
	return false;
}

/* Which shared chains exist now, in either table: bit i for cni_shared_chains[i]. */
static unsigned chains_now(void)
{
	static const char *const tables[] = { "nat", "filter" };
	unsigned bits = 0;
	size_t t, i;

	for (t = 0; t < 2; t++) {
		char *const argv[] = { "iptables", "-t", (char *)tables[t], "-S", NULL };
		_cleanup_free_ char *rules = capture(argv);

		for (i = 0; rules != NULL && i < CNI_CHAINS; i++)
			if (declares(rules, cni_shared_chains[i]))
				bits |= 1u << i;
	}
	return bits;
}

/* chain gone from nat and filter, the rules that jump to it first (remove_chain). */
static void remove_chain(const char *chain)
{
	static const char *const tables[] = { "nat", "filter" };
	size_t t;

	for (t = 0; t < 2; t++) {
		char *const list[] = { "iptables", "-t", (char *)tables[t], "-S", NULL };
		char *const flush[] = { "iptables", "-t", (char *)tables[t], "-F", (char *)chain, NULL };
		char *const del[] = { "iptables", "-t", (char *)tables[t], "-X", (char *)chain, NULL };
		_cleanup_free_ char *rules = capture(list);
		char jump[96], *line, *save = NULL;

		if (rules == NULL || !declares(rules, chain))
			continue;
		snprintf(jump, sizeof(jump), "-j %s", chain);
		for (line = strtok_r(rules, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
			const char *j = strstr(line, jump);
			char script[1200];

			if (strncmp(line, "-A ", 3) != 0 || j == NULL ||
			    (j[strlen(jump)] != ' ' && j[strlen(jump)] != '\0'))
				continue;
			/* iptables -S quotes its words for a shell, as the script's eval reads them */
			snprintf(script, sizeof(script), "iptables -t %s -D %s", tables[t], line + 3);
			{
				char *const sh[] = { "/bin/sh", "-c", script, NULL };

				bench_run_cleanup(sh);
			}
		}
		bench_run_cleanup(flush);
		bench_run_cleanup(del);
	}
}

/* The shared chains not there before (bit clear in before) removed. */
static void chains_restore(unsigned before)
{
	size_t i;

	for (i = 0; i < CNI_CHAINS; i++)
		if (!(before & (1u << i)))
			remove_chain(cni_shared_chains[i]);
}

/* entry["rr"] = the summary of its old samples and n more. */
static void add_round_trips(cJSON *entry, const double *rtt, size_t n)
{
	double *all = NULL;
	int old = bench_samples_from_json(cJSON_GetObjectItemCaseSensitive(entry, "rr"), &all);
	double *grown;

	if (old < 0)
		old = 0;
	grown = realloc(all, ((size_t)old + n) * sizeof(*grown));
	if (grown == NULL) {
		free(all);
		return;
	}
	memcpy(grown + old, rtt, n * sizeof(*rtt));
	cJSON_DeleteItemFromObjectCaseSensitive(entry, "rr");
	cJSON_AddItemToObject(entry, "rr", bench_net_rr_json(grown, (size_t)old + n));
	free(grown);
}

/* One run: the server started, the round trips and the stream, the server's exit. */
static int run_unit(struct bench_ctx *ctx, const struct bench_rounds *plan, size_t i,
		    unsigned run, struct isolab_error *err)
{
	const struct net_plan *np = plan->arg;
	const struct bench_system *sys = plan->sys[i];
	size_t warmup = np->rr_per_run / 10 < 100 ? 100 : np->rr_per_run / 10;
	double *rtt = np->rtt;
	char port_text[16], host[64];
	const char *args[] = { "net-serve", "--port", port_text, NULL };
	struct bench_launch l;
	unsigned probe_port, port;
	double bps = 0;
	int rc;

	(void)run;
	rc = bench_net_free_port(&probe_port, err);
	if (rc < 0)
		return rc;
	snprintf(port_text, sizeof(port_text), "%u", probe_port);
	rc = bench_launch_start(ctx, sys, args, false, &l, err);
	if (rc == 0)
		rc = bench_launch_wait(ctx, &l, PROBE_NET_READY_LINE, err);
	if (rc == 0)
		rc = bench_net_target(ctx, &l.cmd, probe_port, host, sizeof(host), &port, err);
	if (rc == 0)
		rc = bench_net_rr(host, port, warmup, np->rr_per_run, rtt, err);
	if (rc == 0)
		rc = bench_net_stream(host, port, np->stream_ns, &bps, err);
	if (rc < 0)
		rc = isolab_error_wrap(err, "%s", sys->name);
	if (rc == 0)
		rc = bench_launch_end(ctx, &l, err);
	bench_launch_release(ctx, &l);
	if (rc == 0 && bench_stop_requested)
		rc = isolab_error_set(err, -EINTR, "interrupted");
	if (rc < 0)
		return rc;
	bench_set_string(plan->entry[i], "address", host);
	add_round_trips(plan->entry[i], rtt, np->rr_per_run);
	bench_summary_append(plan->entry[i], "stream", bps, "bytes/s");
	return 0;
}

int bench_suite_network(struct bench_ctx *ctx, cJSON *suite, struct isolab_error *err)
{
	const bool quick = ctx->args->quick;
	unsigned rr_total = quick ? NET_QUICK_RR_TOTAL : NET_RR_TOTAL;
	unsigned stream_ms = quick ? NET_QUICK_STREAM_MS : NET_STREAM_MS;
	struct net_plan np = { 0 };
	struct bench_rounds plan = { .suite_name = "network", .run = run_unit, .arg = &np };
	unsigned chains_before = 0;
	bool cni = false;
	size_t k;
	int rc;

	plan.rounds = bench_rounds_for(ctx->args->rounds, quick ? NET_QUICK_ROUNDS : NET_ROUNDS,
				       BENCH_MAX_RUNS);
	plan.runs = plan.rounds;
	plan.seed = bench_suite_seed(suite, ctx->args);
	np.rr_per_run = (rr_total + plan.rounds - 1) / plan.rounds;
	np.stream_ns = (uint64_t)stream_ms * 1000000ull / plan.rounds;
	np.rtt = calloc(np.rr_per_run, sizeof(*np.rtt));
	if (np.rtt == NULL)
		return isolab_error_set(err, -ENOMEM, "network: out of memory");
	bench_set_number(suite, "runs", plan.runs);
	bench_set_number(suite, "round_trips_per_run", np.rr_per_run);
	bench_set_number(suite, "stream_ms_per_run", (double)np.stream_ns / 1e6);
	bench_set_string(suite, "rr", "1-byte request, 1-byte response on one TCP connection "
				      "(TCP_NODELAY), round-trip time in ns (netperf TCP_RR)");
	bench_set_string(suite, "stream", "128 KiB writes on one TCP connection, bytes the server "
					  "read per second until its count came back (iperf3)");
	for (k = 0; k < sizeof(network_systems) / sizeof(network_systems[0]) &&
		    !bench_stop_requested; k++) {
		const struct bench_system *sys = bench_system_find(network_systems[k]);
		char note[ISOLAB_ERROR_MSG_MAX];
		cJSON *entry;

		if (sys == NULL || !bench_system_selected(ctx, sys))
			continue;
		/* before a container system's trial run makes the first chain */
		if (sys->kind == BENCH_KIND_CONTAINER && !cni && sys->check(ctx, note, sizeof(note)) == 0) {
			chains_before = chains_now();
			cni = true;
		}
		bench_progress(ctx, "network", sys->name, 0, plan.runs);
		entry = bench_suite_round_entry(ctx, suite, sys);
		if (entry == NULL)
			continue;
		/* no run is discarded: each one's warm-up is its untimed round trips */
		cJSON_DeleteItemFromObjectCaseSensitive(entry, "warmup");
		plan.sys[plan.n] = sys;
		plan.entry[plan.n++] = entry;
	}
	rc = bench_suite_rounds(ctx, suite, &plan, err);
	free(np.rtt);
	bench_net_teardown(ctx);
	if (cni)
		chains_restore(chains_before);
	rc = bench_suite_end(ctx, rc, err);
	if (rc == 0) {
		cJSON_DeleteItemFromObjectCaseSensitive(suite, "ratios");
		cJSON_AddItemToObject(suite, "ratios",
				      bench_net_ratios(cJSON_GetObjectItemCaseSensitive(suite, "systems")));
	}
	return rc;
}
