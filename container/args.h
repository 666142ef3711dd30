/*
 * args.h: the `isolab-ctr` command line (getopt_long; pure: no file is
 * opened, nothing is created):
 *
 *   isolab-ctr [GLOBAL OPTIONS] COMMAND [OPTIONS] [ARGS]
 *
 * The global options are runc's, so a client that calls runc can call
 * isolab-ctr: --root DIR, --log FILE, --log-format text|json, --debug,
 * --systemd-cgroup (refused: cgroupfs only), -v/--version, -h/--help.
 * Commands: run, spec, features, sweep (and help, version), and runc's
 * lifecycle: create, start, state, kill, delete, list, ps, pause, resume,
 * exec (lifecycle.h).
 */
#ifndef ISOLAB_CONTAINER_ARGS_H
#define ISOLAB_CONTAINER_ARGS_H

#include <stdbool.h>

#include "common/error.h"
#include "container/config.h"
#include "container/log.h"
#include "container/exec_flags.h"

enum ctr_command {
	CTR_CMD_RUN,
	CTR_CMD_SWEEP,    /* remove what runtimes killed with SIGKILL left */
	CTR_CMD_SPEC,     /* write a default config.json */
	CTR_CMD_FEATURES, /* print the runtime-spec features document */
	CTR_CMD_HELP,
	CTR_CMD_VERSION,
	CTR_CMD_CREATE,
	CTR_CMD_START,
	CTR_CMD_STATE,
	CTR_CMD_KILL,
	CTR_CMD_DELETE,
	CTR_CMD_LIST,
	CTR_CMD_PS,
	CTR_CMD_PAUSE,
	CTR_CMD_RESUME,
	CTR_CMD_EXEC,
};

/* runc's global options. Strings point into argv. */
struct ctr_globals {
	const char *root;                /* --root: state root (default CTR_STATE_ROOT) */
	const char *log;                 /* --log FILE, or NULL */
	enum ctr_log_format log_format;  /* --log-format (default text) */
	bool debug;                      /* --debug */
};

struct ctr_args {
	enum ctr_command cmd;
	struct ctr_globals g;
	/* spec */
	const char *bundle;              /* --bundle DIR (default ".") */
	bool rootless;                   /* --rootless */
	/* the lifecycle commands (runc's options) */
	const char *id;                  /* the container */
	const char *pid_file;            /* create, exec: --pid-file */
	const char *console_socket;      /* create, exec: --console-socket */
	const char *process;             /* exec: --process FILE (a process object) */
	const char *signal;              /* kill: default "TERM" */
	bool json;                       /* list, ps: --format json */
	bool quiet;                      /* list: -q */
	bool force;                      /* delete: --force */
	bool all;                        /* kill: --all */
	bool detach;                     /* exec: -d */
	bool no_pivot;                   /* create: --no-pivot (accepted; see README) */
	struct ctr_exec_flags exec;      /* exec: runc's process flags (exec_flags.h) */
};

/*
 * Parses argv (argv[0] is the program) into args and, for `run`, `create`
 * (cfg->bundle, cfg->id) and `exec` (cfg->argv: the command, if given), cfg
 * (already ctr_config_init'ed). For `run --bundle DIR [ID]`, cfg->bundle
 * is set and only the options that make sense with a bundle (--name,
 * --stats, --keep-layer, --keep-devices, --cgroup-parent,
 * --device-cgroup-rule) are used; oci.c fills the rest.
 */
int ctr_parse_command_line(int argc, char *const *argv, struct ctr_args *args,
			   struct ctr_config *cfg, struct isolab_error *err);

/* The same, keeping only the command (fuzz/ctr_args.c calls this). */
int ctr_parse_args(int argc, char *const *argv, struct ctr_config *cfg, enum ctr_command *cmd,
		   struct isolab_error *err);

/* "0.5" -> quota 50000 for a 100000 us period; at most 5 decimals. */
int ctr_parse_cpus(const char *text, uint64_t period, int64_t *quota,
		   struct isolab_error *err);

/* "HOSTDIR:CTRDIR[:ro|:rw]" -> a bind mount in cfg. */
int ctr_parse_volume(const char *text, struct ctr_config *cfg, struct isolab_error *err);

/* "--userns" value: NULL or "" (defaults), "OUTSIDE" or "OUTSIDE:COUNT". */
int ctr_parse_userns(const char *text, struct ctr_config *cfg, struct isolab_error *err);

/* "--security-opt" value: "seccomp=unconfined" or "seccomp=FILE.json"
 * (the file is read later, by cmd_run.c). */
int ctr_parse_security_opt(const char *text, struct ctr_config *cfg, struct isolab_error *err);

extern const char ctr_usage[];

#endif
