/* launch.c: one timed launch of the probe (see launch.h). */
#include "bench/launch.h"
#include "bench/probe/probe.h"
#include "common/timing.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static uint64_t deadline(const struct bench_ctx *ctx)
{
	return isolab_now_ns() + (uint64_t)ctx->args->timeout_s * 1000000000ull;
}

int bench_launch_start(struct bench_ctx *ctx, const struct bench_system *sys,
		       const char *const *probe_args, bool stdin_pipe,
		       struct bench_launch *l, struct isolab_error *err)
{
	int rc;

	memset(l, 0, sizeof(*l));
	l->sys = sys;
	l->child.pid = -1;
	l->child.out_fd = l->child.in_fd = l->child.pid_fd = -1;
	rc = sys->command(ctx, probe_args, &l->cmd, err);
	if (rc < 0)
		return isolab_error_wrap(err, "%s", sys->name);
	rc = bench_child_spawn(&l->child, l->cmd.argv, stdin_pipe, err);
	if (rc < 0)
		return isolab_error_wrap(err, "%s", sys->name);
	l->started = true;
	return 0;
}

static int fail_with_tail(struct bench_launch *l, int rc, const char *what,
			  struct isolab_error *err)
{
	char tail[300];

	bench_child_tail(&l->child, tail, sizeof(tail));
	return isolab_error_set(err, rc, "%s: %s; output: %s", l->sys->name, what,
				tail[0] ? tail : "(none)");
}

int bench_launch_wait(struct bench_ctx *ctx, struct bench_launch *l, const char *needle,
		      struct isolab_error *err)
{
	int rc = bench_child_wait_line(&l->child, needle, deadline(ctx));
	char what[160];

	if (rc == 0)
		return 0;
	if (rc == -EINTR)
		return isolab_error_set(err, rc, "interrupted");
	/* Output ended: reap it first, so that the message can say how it ended. */
	if (rc == -EPIPE)
		bench_child_finish(&l->child, deadline(ctx));
	if (rc == -ETIMEDOUT)
		snprintf(what, sizeof(what), "no `%s` line within %u s", needle, ctx->args->timeout_s);
	else
		snprintf(what, sizeof(what), "ended (status %d) without a `%s` line",
			 bench_child_exit_code(&l->child), needle);
	return fail_with_tail(l, rc, what, err);
}

int bench_launch_end(struct bench_ctx *ctx, struct bench_launch *l, struct isolab_error *err)
{
	int rc = bench_child_finish(&l->child, deadline(ctx));
	int code;
	char what[96];

	if (rc == -EINTR)
		return isolab_error_set(err, rc, "interrupted");
	if (rc == -ETIMEDOUT)
		return fail_with_tail(l, rc, "did not exit in time (killed)", err);
	if (rc < 0)
		return isolab_error_errno(err, rc, "%s: reading output", l->sys->name);
	code = bench_child_exit_code(&l->child);
	if (code < 0 || code > 31 || !(l->sys->exit_ok & (1u << code))) {
		snprintf(what, sizeof(what), "exit status %d, expected %s", code,
			 l->sys->exit_ok == 1u ? "0" : "0 or 1");
		return fail_with_tail(l, -EIO, what, err);
	}
	l->stats = bench_cmd_read_stats(&l->cmd);
	return 0;
}

void bench_launch_release(struct bench_ctx *ctx, struct bench_launch *l)
{
	if (!l->started)
		return;
	bench_child_release(&l->child);
	if (l->sys->cleanup != NULL)
		l->sys->cleanup(ctx, &l->cmd);
	if (l->cmd.stats_path[0] != '\0')
		unlink(l->cmd.stats_path);
	cJSON_Delete(l->stats);
	l->stats = NULL;
	l->started = false;
}

static size_t index_of(const struct bench_system *sys)
{
	return (size_t)(sys - bench_systems);
}

bool bench_system_selected(const struct bench_ctx *ctx, const struct bench_system *sys)
{
	return bench_list_has(ctx->args->systems, sys->name);
}

bool bench_system_usable(struct bench_ctx *ctx, const struct bench_system *sys)
{
	static const char *const args[] = { "start", NULL };
	size_t i = index_of(sys);
	struct isolab_error err = { 0 };
	struct bench_launch l;
	int rc;

	if (ctx->state[i] != 0)
		return ctx->state[i] > 0;
	if (sys->check(ctx, ctx->note[i], sizeof(ctx->note[i])) != 0) {
		ctx->state[i] = -1;
		return false;
	}
	rc = bench_launch_start(ctx, sys, args, false, &l, &err);
	if (rc == 0)
		rc = bench_launch_wait(ctx, &l, PROBE_START_LINE, &err);
	if (rc == 0)
		rc = bench_launch_end(ctx, &l, &err);
	bench_launch_release(ctx, &l);
	if (rc == -EINTR)
		return false; /* not cached: the run is ending anyway */
	if (rc < 0) {
		snprintf(ctx->note[i], sizeof(ctx->note[i]), "trial run failed: %s", err.msg);
		ctx->state[i] = -1;
		return false;
	}
	ctx->state[i] = 1;
	return true;
}

const char *bench_system_note(const struct bench_ctx *ctx, const struct bench_system *sys)
{
	return ctx->note[index_of(sys)];
}

void bench_progress(const struct bench_ctx *ctx, const char *suite, const char *system,
		    unsigned i, unsigned n)
{
	double elapsed = (double)(isolab_now_ns() - ctx->started_ns) / 1e9;

	if (ctx->tty)
		fprintf(stderr, "\r\033[K[%s] %s %u/%u  (%.1f s elapsed)", suite, system, i, n, elapsed);
	else if (i == 1 || i == n || i % 10 == 0)
		fprintf(stderr, "[%s] %s %u/%u  (%.1f s elapsed)\n", suite, system, i, n, elapsed);
}

void bench_progress_done(const struct bench_ctx *ctx)
{
	if (ctx->tty)
		fputc('\n', stderr);
}
