/*
 * systems.h: the systems isolab-bench compares, and how each one is told
 * to run the probe. One table entry per system; a suite asks for a
 * system's command line for given probe arguments and launches it.
 *
 * Every container system runs /bin/probe from the shared image's rootfs
 * (build/image/rootfs); every VM system boots build/guest/bzImage with
 * build/image/initramfs.cpio.gz and runs the probe through isolab_run=.
 */
#ifndef ISOLAB_BENCH_SYSTEMS_H
#define ISOLAB_BENCH_SYSTEMS_H

#include <cjson/cJSON.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include "bench/args.h"
#include "bench/checkpoint.h"
#include "common/error.h"

#define BENCH_MAX_SYSTEMS 16
#define BENCH_MAX_BUNDLES 8

/* What a whole run shares: options, paths, a private temp dir. */
struct bench_ctx {
	const struct bench_args *args;
	char repo[PATH_MAX];
	char probe[PATH_MAX];      /* build/probe */
	char vmm[PATH_MAX];        /* build/isolab-vmm */
	char ctr[PATH_MAX];        /* build/isolab-ctr */
	char engine[PATH_MAX];     /* build/isolab */
	bool image_ready;          /* the rootfs imported into TMP/store as bench:1 */
	char kernel[PATH_MAX];     /* build/guest/bzImage */
	char initrd[PATH_MAX];     /* build/image/initramfs.cpio.gz */
	char rootfs[PATH_MAX];     /* build/image/rootfs */
	char tmp[1024];            /* removed at the end */
	bool kvm;                  /* /dev/kvm usable */
	bool tty;                  /* stderr is a terminal: progress in place */
	uint64_t started_ns;
	struct bench_checkpoint *checkpoint; /* the results file, written unit by unit */
	unsigned sequence;         /* unique ids for container names and files */
	/* Per bench_systems[] entry: 0 not tried, 1 usable, -1 not (note says why). */
	int state[BENCH_MAX_SYSTEMS];
	char note[BENCH_MAX_SYSTEMS][ISOLAB_ERROR_MSG_MAX + 64];
	/* OCI bundles made so far, by "runtime args...", reused between runs. */
	char bundle_key[BENCH_MAX_BUNDLES][256];
	char bundle_dir[BENCH_MAX_BUNDLES][1100];
	int bundles;
};

#define BENCH_CMD_MAX_ARGS 64

/* One launch's command line and the files that belong to it. */
struct bench_cmd {
	char *argv[BENCH_CMD_MAX_ARGS];
	int argc;
	char store[16384];
	size_t used;
	char stats_path[PATH_MAX]; /* --stats file, "" if the system has none */
	char id[64];               /* container id (runc, crun) */
	char runtime_root[PATH_MAX];
};

enum bench_kind { BENCH_KIND_PROCESS, BENCH_KIND_CONTAINER, BENCH_KIND_VM };

struct bench_system {
	const char *name;
	enum bench_kind kind;
	unsigned exit_ok;  /* bit N set: exit status N means a good run */
	/* 0 if usable here; otherwise a note saying why not. */
	int (*check)(const struct bench_ctx *ctx, char *note, size_t size);
	/* Fills cmd to run `probe ARGS...` (probe_args NULL-terminated). */
	int (*command)(struct bench_ctx *ctx, const char *const *probe_args,
		       struct bench_cmd *cmd, struct isolab_error *err);
	/* Undoes what command() left behind (a container's state). */
	void (*cleanup)(struct bench_ctx *ctx, struct bench_cmd *cmd);
	/* A configuration of another system with one feature off, measured in
	 * the start-up suite only, for the ratio "with / without": NULL for a
	 * system of its own. */
	const char *variant_of;
};

extern const struct bench_system bench_systems[];
extern const size_t bench_system_count;

const struct bench_system *bench_system_find(const char *name);
const char *bench_kind_name(enum bench_kind kind);

/* Fills paths from build_dir, creates ctx->tmp. */
int bench_ctx_init(struct bench_ctx *ctx, const struct bench_args *args,
		   struct isolab_error *err);
void bench_ctx_destroy(struct bench_ctx *ctx);

/* The command line as one shell-like string (for the results file). */
void bench_cmd_string(const struct bench_cmd *cmd, char *buf, size_t size);

/* Reads a --stats file if the run produced one; NULL otherwise. */
cJSON *bench_cmd_read_stats(const struct bench_cmd *cmd);

#endif
