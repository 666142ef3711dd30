/*
 * suite_lifecycle.c: the OCI lifecycle as containerd drives it, timed per
 * phase, for every system that is an OCI runtime (isolab-ctr, runc, crun;
 * bench_system.oci_runtime), on one bundle: the image rootfs, read-only,
 * process.args ["/bin/true"], no terminal.
 *
 * One sequence (README "lifecycle"), each runtime with a state root of its
 * own under the run's temp dir (--root):
 *   create   `RUNTIME --root R create --bundle B --pid-file P ID`, spawn to exit;
 *   start    `RUNTIME --root R start ID`, spawn to exit;
 *   wait     from start's exit until the container's process (the pid in P,
 *            watched through a pidfd taken before start) has exited and
 *            isolab-bench, the subreaper it was reparented to as it is to
 *            containerd's shim, has reaped it with status 0;
 *   delete   `RUNTIME --root R delete ID` (no --force), spawn to exit;
 *   total    from create's spawn to delete's exit.
 * N runs (--runs) per runtime in interleaved rounds (rounds.h: by default
 * N rounds of one sequence each), the runtimes' order shuffled each round.
 * Before them, one untimed trial per runtime, which also checks that
 * `state` says "stopped" after the wait: a runtime whose trial fails is
 * listed unavailable with what it printed; a trial that passes is the
 * runtime's warm-up (counted in "warmup"). At the end every container
 * left is deleted (--force) and the state roots are removed.
 */
#include "bench/launch.h"
#include "bench/lifecycle.h"
#include "bench/results.h"
#include "bench/rounds.h"
#include "bench/spawn.h"
#include "bench/suites.h"
#include "common/cleanup.h"
#include "common/rmtree.h"
#include "common/safe_open.h"
#include "common/timing.h"

#include <dirent.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* Ratios reported when both ran: numerator / denominator (issue 11 item 9). */
static const char *const ratio_pairs[][2] = {
	{ "isolab-ctr", "crun" },
	{ "isolab-ctr", "runc" },
};

/* The process every container runs. */
static const char *const container_argv[] = { "/bin/true", NULL };

/* Where the shared bundle's config.json comes from: the first of these installed. */
static const char *const spec_sources[] = { "runc", "crun", "isolab-ctr" };

struct lc_runtime {
	const struct bench_system *sys;
	cJSON *entry;         /* NULL: not selected or not usable */
	char root[1100];      /* its --root under ctx->tmp */
};

struct lc_suite {
	struct lc_runtime rt[BENCH_MAX_SYSTEMS];
	size_t n;
	struct lc_runtime *use[BENCH_MAX_SYSTEMS]; /* the usable ones, as bench_rounds numbers them */
	char bundle[1100];
};

static uint64_t deadline(const struct bench_ctx *ctx)
{
	return isolab_now_ns() + (uint64_t)ctx->args->timeout_s * 1000000000ull;
}

/* One runtime command run to its exit; *spawned and *exited its times. */
static int step(struct bench_ctx *ctx, const struct lc_runtime *rt, const char *verb,
		const char *const *options, const char *id, uint64_t *spawned, uint64_t *exited,
		struct isolab_error *err)
{
	struct bench_cmd cmd;
	struct bench_child c;
	char tail[300];
	int rc;

	rc = bench_oci_command(ctx, rt->sys, rt->root, verb, options, id, &cmd, err);
	if (rc < 0)
		return rc;
	rc = bench_child_spawn(&c, cmd.argv, false, err);
	if (rc < 0)
		return isolab_error_wrap(err, "%s %s", rt->sys->name, verb);
	rc = bench_child_wait_exit(&c, deadline(ctx));
	bench_child_tail(&c, tail, sizeof(tail));
	if (rc == -EINTR)
		rc = isolab_error_set(err, rc, "interrupted");
	else if (rc == -ETIMEDOUT)
		rc = isolab_error_set(err, rc, "%s %s: did not finish within %u s (killed); output: %s",
				      rt->sys->name, verb, ctx->args->timeout_s, tail);
	else if (rc < 0)
		rc = isolab_error_errno(err, rc, "%s %s: reading output", rt->sys->name, verb);
	else if (bench_child_exit_code(&c) != 0)
		rc = isolab_error_set(err, -EIO, "%s %s: exit status %d: %s", rt->sys->name, verb,
				      bench_child_exit_code(&c), tail[0] ? tail : "(no output)");
	*spawned = c.t_start;
	*exited = c.t_exit;
	bench_child_release(&c);
	return rc;
}

/* The container's process: its pid from the --pid-file, a pidfd on it (it waits for start). */
static int watch_init(const char *pidfile, pid_t *pid, int *pidfd, struct isolab_error *err)
{
	_cleanup_free_ char *text = NULL;
	size_t len;
	int rc = isolab_read_regular(pidfile, 64, &text, &len, err);

	if (rc < 0)
		return isolab_error_wrap(err, "the pid file create wrote");
	if (bench_parse_pid(text, pid) < 0)
		return isolab_error_set(err, -EINVAL, "pid file `%s`: `%.20s` is not a pid", pidfile,
					text);
	*pidfd = (int)syscall(SYS_pidfd_open, *pid, 0);
	if (*pidfd < 0)
		return isolab_error_errno(err, -errno, "the container's process %d before start",
					  (int)*pid);
	return 0;
}

/*
 * Until the container's process has exited, then reaps it if it is ours
 * (isolab-bench is a subreaper during this suite) and checks its status.
 */
static int wait_init(struct bench_ctx *ctx, pid_t pid, int pidfd, bool *reaped,
		     struct isolab_error *err)
{
	uint64_t until = deadline(ctx);
	struct pollfd pf = { .fd = pidfd, .events = POLLIN };
	int status, rc;

	for (;;) {
		uint64_t now = isolab_now_ns();

		if (bench_stop_requested)
			return isolab_error_set(err, -EINTR, "interrupted");
		if (now >= until)
			return isolab_error_set(err, -ETIMEDOUT,
						"the container's process %d still runs %u s after start",
						(int)pid, ctx->args->timeout_s);
		rc = poll(&pf, 1, (until - now) / 1000000u > 200 ? 200
								 : (int)((until - now) / 1000000u) + 1);
		if (rc > 0)
			break;
		if (rc < 0 && errno != EINTR)
			return isolab_error_errno(err, -errno, "poll the container's process");
	}
	rc = (int)waitpid(pid, &status, WNOHANG);
	if (rc == pid) {
		*reaped = true;
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
			return isolab_error_set(err, -EIO, "the container's %s ended with %s %d",
						container_argv[0],
						WIFEXITED(status) ? "status" : "signal",
						WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
	}
	return 0; /* not our child (no subreaper here): its exit is all we can see */
}

/* `RUNTIME state ID` says "stopped" (the trial's check, untimed). */
static int expect_stopped(struct bench_ctx *ctx, const struct lc_runtime *rt, const char *id,
			  struct isolab_error *err)
{
	static const char *const none[] = { NULL };
	struct bench_cmd cmd;
	struct bench_child c;
	cJSON *doc = NULL;
	const char *status;
	char tail[300];
	int rc;

	rc = bench_oci_command(ctx, rt->sys, rt->root, "state", none, id, &cmd, err);
	if (rc == 0)
		rc = bench_child_spawn(&c, cmd.argv, false, err);
	if (rc < 0)
		return rc;
	rc = bench_child_finish(&c, deadline(ctx));
	bench_child_tail(&c, tail, sizeof(tail));
	if (rc == 0 && bench_child_exit_code(&c) == 0 && c.out != NULL)
		doc = cJSON_Parse(c.out);
	status = bench_json_string(doc, "status", NULL);
	if (rc == -EINTR)
		rc = isolab_error_set(err, rc, "interrupted");
	else if (status == NULL || strcmp(status, "stopped") != 0)
		rc = isolab_error_set(err, -EPROTO,
				      "%s state after the container's process exited: %s, not "
				      "\"stopped\": %s", rt->sys->name, status ? status : "no status",
				      tail);
	cJSON_Delete(doc);
	bench_child_release(&c);
	return rc;
}

/* `RUNTIME delete --force ID`, whatever state the container is in (or none). */
static void force_delete(const struct bench_ctx *ctx, const struct lc_runtime *rt, const char *id)
{
	static const char *const force[] = { "--force", NULL };
	struct bench_cmd cmd;

	if (bench_oci_command(ctx, rt->sys, rt->root, "delete", force, id, &cmd, NULL) == 0)
		bench_run_cleanup(cmd.argv);
}

/* A container process we did not reap (a failed sequence): gone within 10 s, then reaped. */
static void reap_init(pid_t pid, int pidfd)
{
	struct pollfd pf = { .fd = pidfd, .events = POLLIN };

	if (poll(&pf, 1, 10000) > 0)
		waitpid(pid, NULL, WNOHANG);
}

/*
 * One create, start, wait, delete of a new container; its times in *t.
 * With check_state (the trial), `state` must say "stopped" before delete.
 * A sequence that fails leaves nothing: delete --force, its process reaped.
 */
static int sequence(struct bench_ctx *ctx, const struct lc_suite *s, const struct lc_runtime *rt,
		    bool check_state, struct bench_lc_times *t, struct isolab_error *err)
{
	static const char *const none[] = { NULL };
	char id[64], pidfile[1200];
	const char *create[] = { "--bundle", s->bundle, "--pid-file", pidfile, NULL };
	bool reaped = false;
	pid_t pid = -1;
	int pidfd = -1, rc;

	memset(t, 0, sizeof(*t));
	snprintf(id, sizeof(id), "isolab-bench-lc-%d-%u", (int)getpid(), ++ctx->sequence);
	snprintf(pidfile, sizeof(pidfile), "%s/%s.pid", ctx->tmp, id);
	rc = step(ctx, rt, "create", create, id, &t->create_spawn, &t->create_exit, err);
	if (rc == 0)
		rc = watch_init(pidfile, &pid, &pidfd, err);
	if (rc == 0)
		rc = step(ctx, rt, "start", none, id, &t->start_spawn, &t->start_exit, err);
	if (rc == 0) {
		rc = wait_init(ctx, pid, pidfd, &reaped, err);
		t->stopped = isolab_now_ns();
	}
	if (rc == 0 && check_state)
		rc = expect_stopped(ctx, rt, id, err);
	if (rc == 0)
		rc = step(ctx, rt, "delete", none, id, &t->delete_spawn, &t->delete_exit, err);
	if (rc < 0) {
		force_delete(ctx, rt, id);
		if (pidfd >= 0 && !reaped)
			reap_init(pid, pidfd);
	}
	if (pidfd >= 0)
		close(pidfd);
	unlink(pidfile);
	return rc;
}

/* The entry's "command": the sequence's command lines, with placeholders. */
static void describe(struct bench_ctx *ctx, const struct lc_suite *s, const struct lc_runtime *rt,
		     cJSON *entry)
{
	static const char *const none[] = { NULL };
	const char *create[] = { "--bundle", s->bundle, "--pid-file", "PIDFILE", NULL };
	struct bench_cmd cmd;
	char text[4096], one[1600];
	size_t len = 0;
	int k;

	for (k = 0; k < 3; k++) {
		static const char *const verbs[] = { "create", "start", "delete" };

		if (bench_oci_command(ctx, rt->sys, rt->root, verbs[k], k ? none : create, "ID", &cmd,
				      NULL) < 0)
			return;
		bench_cmd_string(&cmd, one, sizeof(one));
		len += (size_t)snprintf(text + len, sizeof(text) - len, "%s%s", k ? "; " : "", one);
		if (k == 1 && len < sizeof(text))
			len += (size_t)snprintf(text + len, sizeof(text) - len,
						"; (wait: PIDFILE's process exits, reaped)");
		if (len >= sizeof(text))
			return;
	}
	bench_set_string(entry, "command", text);
}

/*
 * rt's entry in suite (a resumed run's, else new), its availability from a
 * trial sequence; NULL if a stop was asked during the trial.
 */
static cJSON *runtime_entry(struct bench_ctx *ctx, cJSON *suite, const struct lc_suite *s,
			    const struct lc_runtime *rt)
{
	cJSON *e;
	char note[ISOLAB_ERROR_MSG_MAX + 64] = "";
	struct isolab_error err = { 0 };
	struct bench_lc_times t;
	bool ok = rt->sys->check(ctx, note, sizeof(note)) == 0;
	size_t k;

	if (ok && s->bundle[0] == '\0') {
		ok = false;
		snprintf(note, sizeof(note), "no bundle: none of runc, crun, isolab-ctr could write a "
					     "config.json (`spec`)");
	}
	if (ok && sequence(ctx, s, rt, true, &t, &err) < 0) {
		if (bench_stop_requested)
			return NULL; /* cut short, not failed: nothing recorded */
		ok = false;
		snprintf(note, sizeof(note), "trial run failed: %s", err.msg);
	}
	e = bench_suite_entry_named(suite, rt->sys->name, bench_kind_name(rt->sys->kind), ok, note);
	describe(ctx, s, rt, e);
	if (cJSON_GetObjectItemCaseSensitive(e, "failures") == NULL)
		cJSON_AddNumberToObject(e, "failures", 0);
	if (cJSON_GetObjectItemCaseSensitive(e, "warmup") == NULL)
		cJSON_AddNumberToObject(e, "warmup", 0);
	if (ok)
		bench_count_warmup(e); /* the trial: a whole sequence, untimed */
	for (k = 0; k < BENCH_LC_PHASES; k++)
		if (cJSON_GetObjectItemCaseSensitive(e, bench_lc_phase_names[k]) == NULL)
			cJSON_AddItemToObject(e, bench_lc_phase_names[k],
					      bench_summary_json(NULL, 0, "ns"));
	return e;
}

/* bench_rounds' run: one timed sequence of the i-th runtime (unit lifecycle/ROUND/RUNTIME). */
static int run_unit(struct bench_ctx *ctx, const struct bench_rounds *plan, size_t i,
		    unsigned round, struct isolab_error *err)
{
	const struct lc_suite *s = plan->arg;
	struct bench_lc_times t;
	double ns[BENCH_LC_PHASES];
	size_t k;
	int rc;

	rc = sequence(ctx, s, s->use[i], false, &t, err);
	if (bench_stop_requested)
		return isolab_error_set(err, -EINTR, "interrupted"); /* cut short: no sample */
	if (rc == 0 && bench_lc_phases(&t, ns) < 0)
		rc = isolab_error_set(err, -EINVAL, "the clock went backwards during the sequence");
	if (rc == 0)
		for (k = 0; k < BENCH_LC_PHASES; k++)
			bench_summary_append(plan->entry[i], bench_lc_phase_names[k], ns[k], "ns");
	return rc;
}

/* The shared bundle, from the first installed runtime's `spec`; "" if none could. */
static void make_bundle(struct bench_ctx *ctx, cJSON *suite, struct lc_suite *s)
{
	size_t k;

	for (k = 0; k < sizeof(spec_sources) / sizeof(spec_sources[0]); k++) {
		const struct bench_system *sys = bench_system_find(spec_sources[k]);
		char note[256];
		struct isolab_error err = { 0 };

		if (sys == NULL || sys->oci_runtime == NULL || sys->check(ctx, note, sizeof(note)) != 0)
			continue;
		if (bench_oci_bundle(ctx, sys->oci_runtime(ctx), container_argv, s->bundle,
				     sizeof(s->bundle), &err) == 0) {
			char spec[64];

			snprintf(spec, sizeof(spec), "%s spec", sys->name);
			bench_set_string(suite, "bundle_spec", spec);
			return;
		}
	}
	s->bundle[0] = '\0';
}

/* Every container left in rt's state root deleted (--force), then the root removed. */
static void clean_root(const struct bench_ctx *ctx, const struct lc_runtime *rt)
{
	DIR *d = opendir(rt->root);
	const struct dirent *de;

	if (d != NULL) {
		while ((de = readdir(d)) != NULL)
			if (strncmp(de->d_name, "isolab-bench-lc-", 16) == 0)
				force_delete(ctx, rt, de->d_name);
		closedir(d);
	}
	isolab_rm_rf(rt->root);
}

static void ratios_of(cJSON *suite)
{
	const cJSON *systems = cJSON_GetObjectItemCaseSensitive(suite, "systems");
	const char *keys[BENCH_LC_PHASES];
	size_t k;

	/* the total first: a pair is reported when both have one */
	keys[0] = bench_lc_phase_names[BENCH_LC_TOTAL];
	for (k = 0; k < BENCH_LC_TOTAL; k++)
		keys[k + 1] = bench_lc_phase_names[k];
	cJSON_DeleteItemFromObjectCaseSensitive(suite, "ratios");
	cJSON_AddItemToObject(suite, "ratios",
			      bench_ratios_json(systems, ratio_pairs,
						sizeof(ratio_pairs) / sizeof(ratio_pairs[0]), keys,
						BENCH_LC_PHASES));
}

/* The usable runtimes in interleaved rounds (rounds.h), their order shuffled each round. */
static int rounds(struct bench_ctx *ctx, cJSON *suite, struct lc_suite *s,
		  struct isolab_error *err)
{
	struct bench_rounds plan = { .suite_name = "lifecycle", .run = run_unit, .arg = s };
	size_t k;

	plan.runs = ctx->args->runs;
	plan.rounds = bench_rounds_for(ctx->args->rounds, plan.runs, plan.runs);
	plan.seed = bench_suite_seed(suite, ctx->args);
	for (k = 0; k < s->n; k++)
		if (s->rt[k].entry != NULL) {
			s->use[plan.n] = &s->rt[k];
			plan.sys[plan.n] = s->rt[k].sys;
			plan.entry[plan.n++] = s->rt[k].entry;
		}
	return bench_suite_rounds(ctx, suite, &plan, err);
}

int bench_suite_lifecycle(struct bench_ctx *ctx, cJSON *suite, struct isolab_error *err)
{
	struct lc_suite s;
	bool subreaper;
	size_t k;
	int rc;

	memset(&s, 0, sizeof(s));
	bench_set_number(suite, "runs", ctx->args->runs);
	bench_set_string(suite, "process", container_argv[0]);
	bench_set_string(suite, "create", "ns from just before posix_spawn() of `RUNTIME create` "
					  "to its exit");
	bench_set_string(suite, "start", "the same for `RUNTIME start`");
	bench_set_string(suite, "wait", "ns from start's exit until the container's process has "
					"exited and been reaped (as containerd's shim waits)");
	bench_set_string(suite, "delete", "the same as create for `RUNTIME delete`");
	bench_set_string(suite, "total", "ns from create's spawn to delete's exit");
	/* as containerd's shim: the container's process, orphaned by create, is ours to reap */
	subreaper = prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0;
	bench_set_bool(suite, "subreaper", subreaper);
	make_bundle(ctx, suite, &s);
	for (k = 0; k < bench_system_count && !bench_stop_requested; k++) {
		struct lc_runtime *rt = &s.rt[s.n];

		if (bench_systems[k].oci_runtime == NULL ||
		    !bench_system_selected(ctx, &bench_systems[k]))
			continue;
		rt->sys = &bench_systems[k];
		snprintf(rt->root, sizeof(rt->root), "%s/lifecycle-%s", ctx->tmp, rt->sys->name);
		s.n++;
		bench_progress(ctx, "lifecycle", rt->sys->name, 0, ctx->args->runs);
		rt->entry = runtime_entry(ctx, suite, &s, rt);
		if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(rt->entry, "available")))
			rt->entry = NULL;
	}
	rc = rounds(ctx, suite, &s, err);
	for (k = 0; k < s.n; k++)
		clean_root(ctx, &s.rt[k]);
	if (subreaper) {
		prctl(PR_SET_CHILD_SUBREAPER, 0, 0, 0, 0);
		while (waitpid(-1, NULL, WNOHANG) > 0)
			; /* what was reparented to us and has ended */
	}
	rc = bench_suite_end(ctx, rc, err);
	ratios_of(suite);
	return rc;
}
