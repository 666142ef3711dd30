/*
 * cli.h: what the engine's commands share: the command table entry, the
 * store they open, and how numbers and times are printed. Every command
 * is `int cmd_NAME(struct eng_cli *cli, int argc, char **argv)` (argv[0] is
 * the command's name, options parsed with getopt_long) and returns the
 * exit status; an error is printed once, by main, as `isolab: MESSAGE`.
 */
#ifndef ISOLAB_ENGINE_CLI_H
#define ISOLAB_ENGINE_CLI_H

#include <getopt.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "engine/lib/store.h"

/* Exit statuses (engine/README.md): docker's. */
#define ENG_EXIT_OK 0
#define ENG_EXIT_ERROR 1   /* any failed command but run */
#define ENG_EXIT_USAGE 2   /* a bad command line */
#define ENG_EXIT_RUN 125   /* run: the engine failed before the container ran */
/* What an option parser returns after printing --help (the command exits 0). */
#define ENG_CLI_HELP (-1)

struct eng_cli {
	const char *root;     /* --root, or NULL: $ISOLAB_ROOT, /var/lib/isolab */
	struct eng_store store;
	bool store_open;
	struct isolab_error err;
	int error_status;     /* the status for err (ENG_EXIT_ERROR unless set) */
};

/* Opens the store (once) and takes its lock. */
int eng_cli_store(struct eng_cli *cli, bool exclusive);

/* Sets cli->err and returns the status to exit with (for `return`). */
int eng_cli_fail(struct eng_cli *cli, int status);
/* A usage error: "COMMAND: MESSAGE (see isolab COMMAND --help)", status 2. */
int eng_cli_usage(struct eng_cli *cli, const char *command, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* An option getopt_long refused (it returned '?'; main sets opterr = 0):
 * "COMMAND: unknown option `--rmm` (did you mean `--rm`?)", else the
 * refusal with "(see isolab COMMAND --help)" (common/suggest.h); status 2.
 * shortopts and opts: what getopt_long was given. */
int eng_cli_bad_option(struct eng_cli *cli, const char *command, char **argv,
		       const char *shortopts, const struct option *opts);

/* A command (or, under command, a subcommand) that is not one of names:
 * "[COMMAND: ]unknown command `WORD` (did you mean `NAME`?)", else with
 * "(see isolab [COMMAND ]--help)"; status 2. */
int eng_cli_bad_command(struct eng_cli *cli, const char *command, const char *word,
			const char *const *names, size_t count);

/* What rm and rmi share: `COMMAND [-f] ARG...` under the store's exclusive
 * lock (records that killed engines left attached to a network detached
 * first: network.h), one(cli, arg, force) for each argument (a failure is printed at
 * once, the others still go), then garbage collection. Returns the exit
 * status; the last failure stays in cli->err for main to print. */
typedef int eng_remove_one_fn(struct eng_cli *cli, const char *arg, bool force);
int eng_cli_remove_each(struct eng_cli *cli, int argc, char **argv, const char *help,
			const char *what, eng_remove_one_fn *one);

/* The path of a program of the lab: $ENV if set, else NAME in the folder
 * this program runs from (build/isolab-ctr beside build/isolab). */
int eng_cli_beside(char *buf, size_t size, const char *name, const char *env,
		   struct isolab_error *err);

/* "5 seconds ago", "3 days ago" from an RFC 3339 time; "" if unparsable. */
void eng_human_ago(const char *rfc3339, char *buf, size_t size);

#endif
