/*
 * ops.h: the operations the probe times, one table entry each.
 *
 * Every operation is a function that performs it `iterations` times; the
 * probe times whole batches and divides, so the clock's own cost (about
 * 20-50 ns per read) disappears from per-operation figures.
 */
#ifndef ISOLAB_BENCH_PROBE_OPS_H
#define ISOLAB_BENCH_PROBE_OPS_H

#include <stdbool.h>
#include <stddef.h>

struct probe_ctx {
	int zero_fd;         /* /dev/zero */
	int pipe_fds[2];     /* a pipe to itself */
	const char *file;    /* the file opened and closed */
	bool vm;             /* running as a guest of isolab-vmm / QEMU */
	bool ports;          /* ioperm() for the ping port succeeded */
	unsigned char ping_reply; /* what the first IN from it returned */
};

struct probe_op {
	const char *name;
	const char *what;          /* one line for README and JSON */
	unsigned batch;            /* iterations per timed sample */
	bool vm_only;
	/* Returns 0, or a negative errno when the operation failed. */
	int (*run)(struct probe_ctx *ctx, unsigned iterations);
};

extern const struct probe_op probe_ops[];
extern const size_t probe_op_count;

/* Opens what the operations need; returns 0 or a negative errno. */
int probe_ctx_open(struct probe_ctx *ctx, bool vm);
void probe_ctx_close(struct probe_ctx *ctx);

#endif
