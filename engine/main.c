/*
 * main.c: `isolab [--root DIR] COMMAND [OPTIONS] [ARGS]`, the engine's
 * command line: global options, the command table, one line on error.
 *
 * Two programs are linked from these files. build/isolab holds the
 * commands that only read the store and run containers (images, inspect,
 * run, ...): it links libc and cJSON alone, so `isolab run` starts as fast
 * as a small C program (the bench compares it with isolab-ctr). The
 * commands that hash, pack and talk HTTP (import, commit, save, load,
 * push, pull) need libcrypto, libarchive and libcurl, whose dynamic
 * linking costs milliseconds at every start; they are in
 * build/isolab-full, which also has all the others. Their functions are
 * weak here: in build/isolab they are absent, and the command is handed
 * to isolab-full (exec, same arguments).
 */
#include "engine/cli.h"
#include "engine/commands.h"
#include "common/suggest.h"
#include "common/version.h"

#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define ISOLAB_FULL_ENV "ISOLAB_FULL"

static const struct eng_command commands[] = {
	{ "images", cmd_images, "list the images in the store" },
	{ "inspect", cmd_inspect, "an image's configuration, layers and history as JSON" },
	{ "history", cmd_history, "the steps that made an image, newest first" },
	{ "tag", cmd_tag, "give an image another name: SOURCE TARGET" },
	{ "rmi", cmd_rmi, "remove names (and images nothing else uses)" },
	{ "run", cmd_run, "run a command in a new container of an image" },
	{ "ps", cmd_ps, "list containers" },
	{ "rm", cmd_rm, "remove containers and their kept layers" },
	{ "network", cmd_network, "CNI networks: create, ls, inspect, rm, prune" },
	{ "port", cmd_port, "the ports a container published" },
	{ "import", cmd_import, "a root file system tarball as a one-layer image" },
	{ "commit", cmd_commit, "a container's changes as a new layer on top of its image" },
	{ "save", cmd_save, "images to an OCI archive (tar)" },
	{ "load", cmd_load, "images from an OCI archive" },
	{ "push", cmd_push, "an image to a registry: only the layers it lacks" },
	{ "pull", cmd_pull, "an image from a registry: only the layers the store lacks" },
	{ "build", cmd_build, "an image from a Dockerfile: a layer a step, cached" },
};

static void usage(FILE *f)
{
	fprintf(f, "usage: isolab [--root DIR] COMMAND [OPTIONS] [ARGS]\n"
		   "The store is DIR, else $" ENG_STORE_ROOT_ENV ", else " ENG_STORE_DEFAULT_ROOT
		   ".\ncommands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-8s %s\n", commands[i].name, commands[i].summary);
	fprintf(f, "  %-8s %s\n", "version", "the version of isolab (also --version)");
	fprintf(f, "`isolab COMMAND --help` for a command's options; engine/README.md for all.\n");
}

/* build/isolab without a command's code: run isolab-full beside it. */
static int exec_full(struct eng_cli *cli, char **argv)
{
	char path[PATH_MAX];

	if (eng_cli_beside(path, sizeof(path), "isolab-full", ISOLAB_FULL_ENV, &cli->err) < 0)
		return cli->err.code;
	execv(path, argv);
	return isolab_error_errno(&cli->err, -errno, "exec `%s`", path);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "root", required_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	static const char shortopts[] = "+h";
	const size_t n_commands = sizeof(commands) / sizeof(commands[0]);
	const char *names[sizeof(commands) / sizeof(commands[0]) + 1];
	struct eng_cli cli = { .error_status = ENG_EXIT_ERROR };
	int c, status;

	/* getopt prints nothing: each refusal is one line, with a hint (suggest.h) */
	opterr = 0;
	while ((c = getopt_long(argc, argv, shortopts, opts, NULL)) != -1) {
		switch (c) {
		case 'r':
			cli.root = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("isolab version %s\n", ISOLAB_VERSION);
			return 0;
		default:
			isolab_getopt_error(&cli.err, argv, optind, optopt, shortopts, opts);
			if (strstr(cli.err.msg, "(did you mean ") != NULL)
				fprintf(stderr, "isolab: %s\n", cli.err.msg);
			else
				fprintf(stderr, "isolab: %s (see isolab --help)\n", cli.err.msg);
			return ENG_EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return ENG_EXIT_USAGE;
	}
	if (strcmp(argv[optind], "version") == 0) {
		printf("isolab version %s\n", ISOLAB_VERSION);
		return 0;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(commands[i].name, argv[optind]) != 0)
			continue;
		if (commands[i].fn == NULL) {
			exec_full(&cli, argv);
			fprintf(stderr, "isolab: %s\n", cli.err.msg);
			return ENG_EXIT_ERROR;
		}
		/* The command parses its own argv (argv[0] its name) from scratch. */
		argc -= optind;
		argv += optind;
		optind = 0;
		status = commands[i].fn(&cli, argc, argv);
		if (cli.err.msg[0] != '\0' && status != 0)
			fprintf(stderr, "isolab: %s\n", cli.err.msg);
		if (cli.store_open)
			eng_store_close(&cli.store);
		return status;
	}
	for (size_t i = 0; i < n_commands; i++)
		names[i] = commands[i].name;
	names[n_commands] = "version";
	status = eng_cli_bad_command(&cli, NULL, argv[optind], names, n_commands + 1);
	fprintf(stderr, "isolab: %s\n", cli.err.msg);
	return status;
}
