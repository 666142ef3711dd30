/*
 * cli.h: the isolab-ctr commands, one file each (cmd_*.c) under main.c,
 * which parses the command line (args.h) and opens the log (log.h).
 * Each command returns the process's exit status (README.md: 125 for a
 * runtime error) and says what went wrong through the one channel below:
 * one line `isolab-ctr: <message>` on stderr, and the same message as one
 * line in the --log file.
 */
#ifndef ISOLAB_CONTAINER_CLI_H
#define ISOLAB_CONTAINER_CLI_H

#include <cjson/cJSON.h>
#include <stdbool.h>

#include "container/args.h"
#include "container/config.h"
#include "container/log.h"

struct ctr_cli {
	const struct ctr_globals *g;
	struct ctr_log log;
};

/* `isolab-ctr: MSG` on stderr; MSG at level in the log. */
void ctr_cli_say(const struct ctr_cli *cli, enum ctr_log_level level, const char *msg);
/* The same for an error. */
void ctr_cli_error(const struct ctr_cli *cli, const char *msg);
/* `isolab-ctr: warning: MSG` on stderr; MSG as a warning in the log. */
void ctr_cli_warn(const struct ctr_cli *cli, const char *msg);
/* With --debug only: a debug line into the log, else onto stderr. */
void ctr_cli_debug(const struct ctr_cli *cli, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Removes what runtimes killed with SIGKILL left under the state root
 * (stopped_too: and containers of `create` whose process is gone,
 * owner.h), each one it must keep named by a warning; returns how many
 * it kept. */
int ctr_cli_sweep_stale(const struct ctr_cli *cli, bool stopped_too);
/* The same for one id, processes in its cgroups killed (owner.h
 * ctr_owner_sweep_one): `delete --force` of a `create` killed midway. */
int ctr_cli_sweep_one(const struct ctr_cli *cli, const char *id);

/* One line for err; returns 125 (README.md "Exit status"). */
int ctr_cli_fail(const struct ctr_cli *cli, const struct isolab_error *err);

/* The container's config, as `run` loads it (cmd_run.c): the command
 * line's, or cfg->bundle's config.json (its process object from
 * process_file when that is not NULL; its annotations into *annotations
 * when that is not NULL), completed (id, hostname, HOSTNAME=) and
 * validated. */
int ctr_cmd_load_config(struct ctr_config *cfg, const char *process_file, cJSON **annotations,
			struct isolab_error *err);

/* The commands: cmd_run.c, cmd_sweep.c, cmd_spec.c, cmd_features.c, and
 * the lifecycle's (lifecycle.h): cmd_create.c, cmd_start.c, cmd_state.c
 * (state), cmd_kill.c, cmd_delete.c, cmd_list.c (list), cmd_ps.c,
 * cmd_pause.c (pause, resume), cmd_exec.c. */
int ctr_cmd_create(const struct ctr_cli *cli, const struct ctr_args *args, struct ctr_config *cfg);
int ctr_cmd_start(const struct ctr_cli *cli, const struct ctr_args *args);
int ctr_cmd_state(const struct ctr_cli *cli, const struct ctr_args *args);
int ctr_cmd_kill(const struct ctr_cli *cli, const struct ctr_args *args);
int ctr_cmd_delete(const struct ctr_cli *cli, const struct ctr_args *args);
int ctr_cmd_list(const struct ctr_cli *cli, const struct ctr_args *args);
int ctr_cmd_ps(const struct ctr_cli *cli, const struct ctr_args *args);
int ctr_cmd_pause(const struct ctr_cli *cli, const struct ctr_args *args, bool pause);
int ctr_cmd_exec(const struct ctr_cli *cli, const struct ctr_args *args, struct ctr_config *cfg);
int ctr_cmd_run(const struct ctr_cli *cli, struct ctr_config *cfg);
int ctr_cmd_sweep(const struct ctr_cli *cli);
int ctr_cmd_spec(const struct ctr_cli *cli, const char *bundle, bool rootless);
int ctr_cmd_features(const struct ctr_cli *cli);

#endif
