/*
 * systems.h: the systems isolab-bench compares, and how each one is told
 * to run the probe. One table entry per system; a suite asks for a
 * system's command line for given probe arguments and launches it.
 *
 * Every container system runs /bin/probe from the shared image's rootfs
 * (build/image/rootfs); every VM system boots build/guest/bzImage with
 * build/image/initramfs.cpio.gz and runs the probe through isolab_run=.
 *
 * The builders of the build suite (bench_builders) are a table of their
 * own: each builds bench/build/ (BENCH_BUILD_CONTEXT) FROM the same base
 * image, the image rootfs as bench:1, in a store of its own under the
 * run's temp dir.
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

#define BENCH_MAX_SYSTEMS 24
#define BENCH_MAX_BUNDLES 8
#define BENCH_MAX_BUILDERS 4

/* The build suite's context, from the repository root, and its base image. */
#define BENCH_BUILD_CONTEXT "bench/build"
#define BENCH_BUILD_BASE    "bench:1"
#define BENCH_BUILD_TAG     "bench-build:1"

/* What a whole run shares: options, paths, a private temp dir. */
struct bench_ctx {
	const struct bench_args *args;
	char repo[PATH_MAX];
	char probe[PATH_MAX];      /* build/probe */
	char vmm[PATH_MAX];        /* build/isolab-vmm */
	char ctr[PATH_MAX];        /* build/isolab-ctr */
	char engine[PATH_MAX];     /* build/isolab */
	char engine_full[PATH_MAX];/* build/isolab-full (import, save, build) */
	char build_context[PATH_MAX]; /* REPO/bench/build */
	bool image_ready;          /* the rootfs imported into TMP/store as bench:1 */
	char kernel[PATH_MAX];     /* build/guest/bzImage */
	char host_kernel[PATH_MAX];/* /boot/vmlinuz-RELEASE: the kernel this machine runs */
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
	/* Per bench_builders[] entry: its base image is in its store. */
	bool builder_ready[BENCH_MAX_BUILDERS];
	/* The network suite's: BENCH_NET_NAME made in TMP/store; the VM's tap. */
	bool net_ready;
	char net_tap[16];          /* "" until made */
};

/* The network suite's isolab network (in the run's own store), the VM's
 * tap subnet and the addresses on it (host side, guest side). */
#define BENCH_NET_NAME     "isolab-bench"
#define BENCH_NET_TAP_HOST "10.79.0.1"
#define BENCH_NET_TAP_VM   "10.79.0.2"
#define BENCH_NET_TAP_BITS "24"

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
	/* The network suite's: where the client connects (bench_net_target). */
	char net_host[64];         /* "" : 127.0.0.1, or the container's address */
	unsigned net_port;         /* 0: the probe's own --port */
	char net_container[64];    /* the engine's container name, for its address */
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
	/* An OCI runtime (the lifecycle suite's: create, start, state, delete):
	 * its binary; NULL for a system that is not one. */
	const char *(*oci_runtime)(const struct bench_ctx *ctx);
	/* The suites (BENCH_SUITE_*) that measure it; 0: every suite that
	 * measures systems. */
	unsigned suites;
};

extern const struct bench_system bench_systems[];
extern const size_t bench_system_count;

const struct bench_system *bench_system_find(const char *name);
/* Whether suite (one BENCH_SUITE_* bit) measures sys. */
bool bench_system_in_suite(const struct bench_system *sys, unsigned suite);
const char *bench_kind_name(enum bench_kind kind);

/*
 * A builder of the build suite. Its own store is a folder under ctx->tmp;
 * its output names each step with step_prefix ("Step 5/10 ...") and a step
 * taken from its cache with cached_marker (build_check.h).
 */
struct bench_builder {
	const char *name;
	const char *step_prefix;
	const char *cached_marker;
	/* 0 if usable here; otherwise a note saying why not. */
	int (*check)(const struct bench_ctx *ctx, char *note, size_t size);
	/* Puts the base image (BENCH_BUILD_BASE) into the builder's store. */
	int (*prepare)(struct bench_ctx *ctx, struct isolab_error *err);
	/* Fills cmd to build BENCH_BUILD_CONTEXT as BENCH_BUILD_TAG, with its cache. */
	int (*command)(struct bench_ctx *ctx, struct bench_cmd *cmd, struct isolab_error *err);
	/* Removes the store and whatever the builder left (containers, mounts). */
	void (*cleanup)(struct bench_ctx *ctx);
};

extern const struct bench_builder bench_builders[];
extern const size_t bench_builder_count;

const struct bench_builder *bench_builder_find(const char *name);

/*
 * The bundle ctx->tmp/bundle-N for argv (NULL-ended: process.args) from
 * `runtime spec` (bench_oci_config_apply): made once per runtime and
 * argv, then reused.
 */
int bench_oci_bundle(struct bench_ctx *ctx, const char *runtime, const char *const *argv,
		     char *bundle, size_t size, struct isolab_error *err);

/* `RUNTIME --root ROOT VERB OPTIONS... ID` for sys's OCI runtime into cmd. */
int bench_oci_command(const struct bench_ctx *ctx, const struct bench_system *sys,
		      const char *root, const char *verb, const char *const *options,
		      const char *id, struct bench_cmd *cmd, struct isolab_error *err);

/*
 * Runs a clean-up command to its end (at most 60 s), its output ignored,
 * even after a stop was asked (what a suite leaves must go anyway).
 */
void bench_run_cleanup(char *const argv[]);

/*
 * Where the client reaches the server `probe net-serve --port probe_port`
 * that cmd started: cmd->net_host (else the address the engine recorded
 * for cmd->net_container, else 127.0.0.1) and cmd->net_port (else
 * probe_port).
 */
int bench_net_target(const struct bench_ctx *ctx, const struct bench_cmd *cmd,
		     unsigned probe_port, char *host, size_t size, unsigned *port,
		     struct isolab_error *err);

/* Removes what the network systems made: BENCH_NET_NAME, the tap. */
void bench_net_teardown(struct bench_ctx *ctx);

/* Fills paths from build_dir, creates ctx->tmp. */
int bench_ctx_init(struct bench_ctx *ctx, const struct bench_args *args,
		   struct isolab_error *err);
void bench_ctx_destroy(struct bench_ctx *ctx);

/* The command line as one shell-like string (for the results file). */
void bench_cmd_string(const struct bench_cmd *cmd, char *buf, size_t size);

/* Reads a --stats file if the run produced one; NULL otherwise. */
cJSON *bench_cmd_read_stats(const struct bench_cmd *cmd);

#endif
