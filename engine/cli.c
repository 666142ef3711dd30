/* cli.c: the commands' shared store handle, errors and printing (see cli.h). */
#include "engine/cli.h"
#include "engine/lib/image.h"
#include "engine/lib/network.h"
#include "common/suggest.h"

#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

int eng_cli_store(struct eng_cli *cli, bool exclusive)
{
	int rc;

	if (!cli->store_open) {
		rc = eng_store_open(&cli->store, cli->root, &cli->err);
		if (rc < 0) {
			eng_store_close(&cli->store);
			return rc;
		}
		cli->store_open = true;
	}
	return eng_store_lock(&cli->store, exclusive, &cli->err);
}

int eng_cli_fail(struct eng_cli *cli, int status)
{
	cli->error_status = status;
	return status;
}

int eng_cli_usage(struct eng_cli *cli, const char *command, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap); // NOLINT(clang-analyzer-valist.Uninitialized)
	va_end(ap);
	isolab_error_set(&cli->err, -EINVAL, "%s: %s (see isolab %s --help)", command, msg, command);
	return eng_cli_fail(cli, ENG_EXIT_USAGE);
}

int eng_cli_bad_option(struct eng_cli *cli, const char *command, char **argv,
		       const char *shortopts, const struct option *opts)
{
	struct isolab_error why = { 0 };

	isolab_getopt_error(&why, argv, optind, optopt, shortopts, opts);
	if (strstr(why.msg, "(did you mean ") == NULL)
		return eng_cli_usage(cli, command, "%s", why.msg);
	isolab_error_set(&cli->err, -EINVAL, "%s: %s", command, why.msg);
	return eng_cli_fail(cli, ENG_EXIT_USAGE);
}

int eng_cli_bad_command(struct eng_cli *cli, const char *command, const char *word,
			const char *const *names, size_t count)
{
	const char *hint = isolab_suggest(word, names, count);
	const char *sep = command != NULL ? ": " : "", *space = command != NULL ? " " : "";

	if (command == NULL)
		command = "";
	if (hint != NULL)
		isolab_error_set(&cli->err, -EINVAL, "%s%sunknown command `%s` (did you mean `%s`?)",
				 command, sep, word, hint);
	else
		isolab_error_set(&cli->err, -EINVAL, "%s%sunknown command `%s` (see isolab %s%s--help)",
				 command, sep, word, command, space);
	return eng_cli_fail(cli, ENG_EXIT_USAGE);
}

void eng_human_ago(const char *rfc3339, char *buf, size_t size)
{
	static const struct { long secs; const char *unit; } steps[] = {
		{ 365L * 86400, "year" }, { 30L * 86400, "month" }, { 7L * 86400, "week" },
		{ 86400, "day" }, { 3600, "hour" }, { 60, "minute" }, { 1, "second" },
	};
	struct tm tm = { 0 };
	long age;

	buf[0] = '\0';
	if (rfc3339 == NULL || strptime(rfc3339, "%Y-%m-%dT%H:%M:%S", &tm) == NULL)
		return;
	age = (long)(time(NULL) - timegm(&tm));
	if (age < 1) {
		snprintf(buf, size, "Less than a second ago");
		return;
	}
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		long n = age / steps[i].secs;

		if (n >= 1) {
			snprintf(buf, size, "%ld %s%s ago", n, steps[i].unit, n == 1 ? "" : "s");
			return;
		}
	}
}

int eng_cli_beside(char *buf, size_t size, const char *name, const char *env,
		   struct isolab_error *err)
{
	const char *v = getenv(env);
	char self[PATH_MAX];
	ssize_t n;

	if (v != NULL && v[0] != '\0') {
		snprintf(buf, size, "%s", v);
		return 0;
	}
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n < 0)
		return isolab_error_errno(err, -errno, "readlink /proc/self/exe");
	self[n] = '\0';
	snprintf(buf, size, "%s/%s", dirname(self), name);
	return 0;
}

int eng_cli_remove_each(struct eng_cli *cli, int argc, char **argv, const char *help,
			const char *what, eng_remove_one_fn *one)
{
	static const struct option opts[] = {
		{ "force", no_argument, NULL, 'f' }, { "help", no_argument, NULL, 'h' }, { 0 },
	};
	bool force = false;
	int c, status = 0;

	while ((c = getopt_long(argc, argv, "fh", opts, NULL)) != -1) {
		if (c == 'f')
			force = true;
		else if (c == 'h')
			return fputs(help, stdout), 0;
		else
			return eng_cli_bad_option(cli, argv[0], argv, "fh", opts);
	}
	if (optind >= argc)
		return eng_cli_usage(cli, argv[0], "no %s given", what);
	if (eng_cli_store(cli, true) < 0)
		return ENG_EXIT_ERROR;
	/* records that killed engines left attached: detached before they go */
	eng_network_cleanup(&cli->store);
	for (int i = optind; i < argc; i++) {
		if (one(cli, argv[i], force) < 0) {
			if (i + 1 < argc) /* report now, go on with the others */
				fprintf(stderr, "isolab: %s\n", cli->err.msg);
			status = ENG_EXIT_ERROR;
		}
	}
	/* what no name or record uses any more */
	if (eng_store_gc(&cli->store, NULL, status ? NULL : &cli->err) < 0)
		return ENG_EXIT_ERROR;
	return status;
}
