/*
 * main.c: the isolab-ctr command line. Parses (args.h), opens the --log
 * file (log.h), runs one command (cli.h: one file each), exits with its
 * status or 125 for a bad command line (see README.md). Prints at most
 * one line per error (`isolab-ctr: <message>`), into the log as well.
 */
#include <stdio.h>
#include <unistd.h>

#include "container/args.h"
#include "container/cli.h"
#include "container/reap.h"
#include "container/seccomp.h"
#include "container/version.h"

static void print_version(void)
{
	char libseccomp[40];

	ctr_seccomp_libseccomp_version(libseccomp, sizeof(libseccomp));
	/* runc's lines: "runc version X", "spec: Y", "libseccomp: Z". */
	printf("isolab-ctr version %s\nspec: %s\nlibseccomp: %s\n", CTR_VERSION, CTR_OCI_VERSION,
	       libseccomp);
}

/* --debug: the command line, as one line. */
static void debug_command_line(const struct ctr_cli *cli, int argc, char **argv)
{
	char line[ISOLAB_ERROR_MSG_MAX];
	size_t n = 0;

	if (!cli->log.debug)
		return;
	line[0] = '\0';
	for (int i = 0; i < argc && n < sizeof(line); i++)
		n += (size_t)snprintf(line + n, sizeof(line) - n, "%s%s", i ? " " : "", argv[i]);
	ctr_cli_debug(cli, "isolab-ctr %s, pid %d: %s", CTR_VERSION, (int)getpid(), line);
}

static int dispatch(const struct ctr_cli *cli, const struct ctr_args *args, struct ctr_config *cfg)
{
	switch (args->cmd) {
	case CTR_CMD_RUN:
		return ctr_cmd_run(cli, cfg);
	case CTR_CMD_SWEEP:
		return ctr_cmd_sweep(cli);
	case CTR_CMD_SPEC:
		return ctr_cmd_spec(cli, args->bundle, args->rootless);
	case CTR_CMD_FEATURES:
		return ctr_cmd_features(cli);
	case CTR_CMD_HELP:
		fputs(ctr_usage, stdout);
		return 0;
	case CTR_CMD_VERSION:
		print_version();
		return 0;
	case CTR_CMD_CREATE:
		return ctr_cmd_create(cli, args, cfg);
	case CTR_CMD_START:
		return ctr_cmd_start(cli, args);
	case CTR_CMD_STATE:
		return ctr_cmd_state(cli, args);
	case CTR_CMD_KILL:
		return ctr_cmd_kill(cli, args);
	case CTR_CMD_DELETE:
		return ctr_cmd_delete(cli, args);
	case CTR_CMD_LIST:
		return ctr_cmd_list(cli, args);
	case CTR_CMD_PS:
		return ctr_cmd_ps(cli, args);
	case CTR_CMD_PAUSE:
	case CTR_CMD_RESUME:
		return ctr_cmd_pause(cli, args, args->cmd == CTR_CMD_PAUSE);
	case CTR_CMD_EXEC:
		return ctr_cmd_exec(cli, args, cfg);
	}
	return CTR_EXIT_RUNTIME;
}

int main(int argc, char **argv)
{
	struct isolab_error err = { 0 }, log_err = { 0 };
	struct ctr_args args;
	struct ctr_config cfg;
	struct ctr_cli cli = { .g = &args.g };
	int rc, status;

	ctr_config_init(&cfg);
	rc = ctr_parse_command_line(argc, argv, &args, &cfg, &err);
	/* The log even for a bad command line, when --log was read. */
	if (ctr_log_open(&cli.log, args.g.log, args.g.log_format, args.g.debug, &log_err) < 0) {
		ctr_cli_error(&cli, log_err.msg);
		status = CTR_EXIT_RUNTIME;
	} else if (rc < 0) {
		ctr_cli_error(&cli, err.msg);
		status = CTR_EXIT_RUNTIME;
	} else {
		debug_command_line(&cli, argc, argv);
		status = dispatch(&cli, &args, &cfg);
	}
	ctr_log_close(&cli.log);
	ctr_config_free(&cfg);
	return status;
}
