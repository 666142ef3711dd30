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

/* Removes what runtimes killed with SIGKILL left under the state root,
 * each one it must keep named by a warning; returns how many it kept. */
int ctr_cli_sweep_stale(const struct ctr_cli *cli);

/* The commands (cmd_run.c, cmd_sweep.c, cmd_spec.c, cmd_features.c). */
int ctr_cmd_run(const struct ctr_cli *cli, struct ctr_config *cfg);
int ctr_cmd_sweep(const struct ctr_cli *cli);
int ctr_cmd_spec(const struct ctr_cli *cli, const char *bundle, bool rootless);
int ctr_cmd_features(const struct ctr_cli *cli);

#endif
