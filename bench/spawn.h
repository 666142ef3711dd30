/*
 * spawn.h: launch a child, timestamp the moment a given line appears on
 * its output and the moment it exits (the system layer under every suite).
 *
 * Times are CLOCK_MONOTONIC ns (common/timing.h):
 *   t_start  just before posix_spawn() is called;
 *   t_line   just after the read() that delivered the last byte of the
 *            awaited line returned in isolab-bench;
 *   t_exit   just after the child's pidfd became readable (it exited).
 * The child runs in its own process group with stdout and stderr on one
 * pipe, so a stop request (SIGINT/SIGTERM to isolab-bench) can end it
 * and everything it started.
 */
#ifndef ISOLAB_BENCH_SPAWN_H
#define ISOLAB_BENCH_SPAWN_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include "common/error.h"

#define BENCH_OUTPUT_MAX (256u * 1024u)

struct bench_child {
	pid_t pid;
	int out_fd;      /* read end of the child's stdout+stderr */
	int in_fd;       /* write end of its stdin, or -1 */
	int pid_fd;      /* pidfd, readable once the child exited */
	uint64_t t_start, t_line, t_exit;
	int status;      /* waitpid() status, valid when exited */
	bool exited;
	bool abandoned;  /* still there 10 s after SIGKILL: not waited for again */
	bool eof;
	char *out;       /* captured output, NUL-terminated, at most BENCH_OUTPUT_MAX */
	size_t len, cap, scanned;
};

/* Set by the SIGINT/SIGTERM/SIGHUP handler; every wait below gives up on it. */
extern volatile sig_atomic_t bench_stop_requested;
void bench_install_stop_handler(void);

int bench_child_spawn(struct bench_child *c, char *const argv[], bool stdin_pipe,
		      struct isolab_error *err);

/*
 * Reads output until a line containing `needle` has been read whole.
 * 0: seen (t_line set); -ETIMEDOUT: deadline passed; -EPIPE: output ended
 * or the child exited without it; -EINTR: stop requested.
 */
int bench_child_wait_line(struct bench_child *c, const char *needle, uint64_t deadline_ns);

/* Reads output and reaps the child; -ETIMEDOUT kills its group first. */
int bench_child_finish(struct bench_child *c, uint64_t deadline_ns);

/*
 * Reaps the child (what it wrote until then is read) without waiting for
 * the end of its output, which a process it left behind may hold (the
 * container that `RUNTIME create` leaves keeps create's stdout). Returns
 * as bench_child_finish does, except that a stop request does not kill
 * the child: a runtime killed midway leaves what it made so far where
 * `delete --force` may not find it, so the command runs to its end (or
 * the deadline) and -EINTR comes after.
 */
int bench_child_wait_exit(struct bench_child *c, uint64_t deadline_ns);

/* Sends sig to the child's process group. */
void bench_child_kill(struct bench_child *c, int sig);

/* Exit status as a shell shows it: code, or 128 + signal. */
int bench_child_exit_code(const struct bench_child *c);

/* The last `max` bytes of output, on one line (newlines shown as " | "). */
void bench_child_tail(const struct bench_child *c, char *buf, size_t size);

/* Kills (if running) and reaps, closes and frees everything. */
void bench_child_release(struct bench_child *c);

#endif
