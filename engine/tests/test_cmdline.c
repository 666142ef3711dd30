/* test_cmdline.c: unit tests for engine/lib/cmdline.c (argv, environment, User, as Docker). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "container/exec_cmd.h"
#include "engine/lib/cmdline.h"

#define NO_COMMAND "no command: the image has no Entrypoint or Cmd and none was given"

/* Entrypoint and Cmd of the interaction table's rows and columns
 * (Dockerfile reference, "Understand how CMD and ENTRYPOINT interact"). */
static char *entry_exec[] = { "exec_entry", "p1_entry", NULL };
static char *entry_shell[] = { "/bin/sh", "-c", "exec_entry p1_entry", NULL };
static char *cmd_exec[] = { "exec_cmd", "p1_cmd", NULL };
static char *cmd_shell[] = { "/bin/sh", "-c", "exec_cmd p1_cmd", NULL };

static size_t count(char **v)
{
	size_t n = 0;

	while (v != NULL && v[n] != NULL)
		n++;
	return n;
}

/* An image config with the given Entrypoint and Cmd (NULL: not set). */
static struct eng_image_config image(char **entrypoint, char **cmd)
{
	struct eng_image_config c = { 0 };

	c.entrypoint = entrypoint;
	c.n_entrypoint = count(entrypoint);
	c.has_entrypoint = entrypoint != NULL;
	c.cmd = cmd;
	c.n_cmd = count(cmd);
	c.has_cmd = cmd != NULL;
	return c;
}

/* Resolves and compares with the space-joined expected argv ("" = refused). */
static void expect_argv(const struct eng_image_config *c, const struct eng_run_override *o,
			const char *expected)
{
	struct isolab_error err = { 0 };
	char joined[512] = "";
	size_t argc = 99;
	char **argv;
	int rc = eng_cmdline_resolve(c, o, &argv, &argc, &err);

	if (expected[0] == '\0') {
		assert_int_equal(rc, -EINVAL);
		assert_string_equal(err.msg, NO_COMMAND);
		assert_null(argv);
		assert_int_equal(argc, 0);
		return;
	}
	if (rc != 0)
		fail_msg("refused: %s (expected %s)", err.msg, expected);
	for (size_t i = 0; i < argc; i++) {
		if (i > 0)
			strcat(joined, "|");
		strcat(joined, argv[i]);
	}
	assert_null(argv[argc]);
	assert_string_equal(joined, expected);
	eng_strv_free(argv);
}

/* Every cell of Docker's table: argv = Entrypoint + Cmd. The table's shell
 * form ENTRYPOINT cells read "/bin/sh -c exec_entry p1_entry": the CMD
 * words are still passed, as the shell's $0 and $1, which it ignores. */
static void cmdline_docker_table(void **state)
{
	struct eng_image_config c;

	c = image(NULL, NULL);
	expect_argv(&c, NULL, ""); /* "error, not allowed" */
	c = image(NULL, cmd_exec);
	expect_argv(&c, NULL, "exec_cmd|p1_cmd");
	c = image(NULL, cmd_shell);
	expect_argv(&c, NULL, "/bin/sh|-c|exec_cmd p1_cmd");

	c = image(entry_shell, NULL);
	expect_argv(&c, NULL, "/bin/sh|-c|exec_entry p1_entry");
	c = image(entry_shell, cmd_exec);
	expect_argv(&c, NULL, "/bin/sh|-c|exec_entry p1_entry|exec_cmd|p1_cmd");
	c = image(entry_shell, cmd_shell);
	expect_argv(&c, NULL, "/bin/sh|-c|exec_entry p1_entry|/bin/sh|-c|exec_cmd p1_cmd");

	c = image(entry_exec, NULL);
	expect_argv(&c, NULL, "exec_entry|p1_entry");
	c = image(entry_exec, cmd_exec);
	expect_argv(&c, NULL, "exec_entry|p1_entry|exec_cmd|p1_cmd");
	c = image(entry_exec, cmd_shell);
	expect_argv(&c, NULL, "exec_entry|p1_entry|/bin/sh|-c|exec_cmd p1_cmd");

	/* [] is as null: nothing */
	{
		char *empty[] = { NULL };

		c = image(empty, empty);
		expect_argv(&c, NULL, "");
		c = image(empty, cmd_exec);
		expect_argv(&c, NULL, "exec_cmd|p1_cmd");
	}
	/* no config at all */
	expect_argv(NULL, NULL, "");
}

static void cmdline_overrides(void **state)
{
	char *args[] = { "ls", "-l" };
	struct eng_run_override o = { .args = args, .n_args = 2 };
	struct eng_image_config c;

	/* arguments replace Cmd, keep Entrypoint */
	c = image(entry_exec, cmd_exec);
	expect_argv(&c, &o, "exec_entry|p1_entry|ls|-l");
	c = image(NULL, cmd_exec);
	expect_argv(&c, &o, "ls|-l");
	expect_argv(NULL, &o, "ls|-l");

	/* --entrypoint X: [X] and the command line's arguments; the image's Cmd is dropped */
	o = (struct eng_run_override){ .set_entrypoint = true, .entrypoint = "/bin/bash" };
	c = image(entry_exec, cmd_exec);
	expect_argv(&c, &o, "/bin/bash");
	c = image(NULL, cmd_exec);
	expect_argv(&c, &o, "/bin/bash");
	o.args = args;
	o.n_args = 2;
	expect_argv(&c, &o, "/bin/bash|ls|-l");

	/* --entrypoint "": no Entrypoint, and the image's Cmd is dropped too
	 * (moby merge(): a user Entrypoint [""] keeps the image's Cmd out) */
	o = (struct eng_run_override){ .set_entrypoint = true, .entrypoint = "" };
	c = image(entry_exec, cmd_exec);
	expect_argv(&c, &o, "");
	c = image(NULL, cmd_exec);
	expect_argv(&c, &o, "");
	o.args = args;
	o.n_args = 2;
	c = image(entry_exec, cmd_exec);
	expect_argv(&c, &o, "ls|-l");
	/* a NULL entrypoint with set_entrypoint is the same as "" */
	o.entrypoint = NULL;
	expect_argv(&c, &o, "ls|-l");
}

/* Resolves the environment and compares with the '|'-joined expected list. */
static void expect_env(const struct eng_image_config *c, const struct eng_env_request *rq,
		       const char *expected)
{
	struct isolab_error err = { 0 };
	char joined[1024] = "";
	size_t n = 99;
	char **env;

	if (eng_env_resolve(c, rq, &env, &n, &err) != 0)
		fail_msg("refused: %s", err.msg);
	for (size_t i = 0; i < n; i++) {
		if (i > 0)
			strcat(joined, "|");
		strcat(joined, env[i]);
	}
	assert_null(env[n]);
	assert_string_equal(joined, expected);
	eng_strv_free(env);
}

static void env_merges_like_docker(void **state)
{
	char *image_env[] = { "A=1", "B=2", "HOME=/root", NULL };
	char *image_path[] = { "X=1", "PATH=/opt/bin", NULL };
	char *caller[] = { "SHELL=/bin/sh", "K=from caller", "KEY=no", NULL };
	struct eng_image_config c = { .env = image_env, .n_env = 3 };
	struct eng_env_request rq = { 0 };

	expect_env(NULL, NULL, "PATH=" CTR_DEFAULT_PATH);
	expect_env(&c, NULL, "PATH=" CTR_DEFAULT_PATH "|A=1|B=2|HOME=/root");
	/* the image's PATH takes the default's place */
	c = (struct eng_image_config){ .env = image_path, .n_env = 2 };
	expect_env(&c, NULL, "PATH=/opt/bin|X=1");

	/* HOSTNAME, TERM, then -e, then the image's other variables */
	c = (struct eng_image_config){ .env = image_env, .n_env = 3 };
	{
		char *opts[] = { "B=3", "NEW=x=y" };

		rq = (struct eng_env_request){ .opts = opts, .n_opts = 2, .hostname = "c0ffee",
					       .tty = true };
		expect_env(&c, &rq, "PATH=" CTR_DEFAULT_PATH "|HOSTNAME=c0ffee|TERM=xterm|B=3|"
			   "NEW=x=y|A=1|HOME=/root");
	}
	/* -e K takes the caller's K (not KEY's); a K the caller lacks goes, the image's too */
	{
		char *opts[] = { "K", "A", "PATH" };

		rq = (struct eng_env_request){ .opts = opts, .n_opts = 3, .caller_env = caller };
		expect_env(&c, &rq, "K=from caller|B=2|HOME=/root");
	}
	/* the last of twice wins, in the first's place */
	{
		char *opts[] = { "A=first", "Z=z", "A=last", "PATH=/x" };

		rq = (struct eng_env_request){ .opts = opts, .n_opts = 4 };
		expect_env(&c, &rq, "PATH=/x|A=last|Z=z|B=2|HOME=/root");
	}
	/* an empty value is a value */
	{
		char *opts[] = { "A=" };

		rq = (struct eng_env_request){ .opts = opts, .n_opts = 1 };
		expect_env(&c, &rq, "PATH=" CTR_DEFAULT_PATH "|A=|B=2|HOME=/root");
	}
}

static void env_refuses_bad_input(void **state)
{
	static const char *bad[] = { "=x", "", "=" };
	struct isolab_error err = { 0 };
	char expect[64];
	size_t n = 7;
	char **env;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char *opts[] = { "A=1", (char *)bad[i] };
		struct eng_env_request rq = { .opts = opts, .n_opts = 2 };

		assert_int_equal(eng_env_resolve(NULL, &rq, &env, &n, &err), -EINVAL);
		snprintf(expect, sizeof(expect), "environment `%s`: empty variable name", bad[i]);
		assert_string_equal(err.msg, expect);
		assert_null(env);
		assert_int_equal(n, 0);
	}
	{
		char name[300];
		struct eng_env_request rq = { .hostname = name };

		memset(name, 'h', 256);
		name[256] = '\0';
		assert_int_equal(eng_env_resolve(NULL, &rq, &env, &n, &err), -EINVAL);
		assert_string_equal(err.msg, "hostname `hhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhh"
				    "hhhhhhhhhhhhhhhh...`: longer than 255 characters");
		name[255] = '\0';
		assert_int_equal(eng_env_resolve(NULL, &rq, &env, &n, &err), 0);
		assert_int_equal(n, 2);
		assert_int_equal(strlen(env[1]), strlen("HOSTNAME=") + 255);
		eng_strv_free(env);
	}
}

static const char passwd[] =
	"root:x:0:0:root:/root:/bin/sh\n"
	"daemon:x:1:1::/:/usr/sbin/nologin\n"
	"broken:x:abc:5::/:/bin/sh\n"
	"app:x:1000:1001:App:/home/app:/bin/sh\n"
	"app:x:2000:2000:second app, ignored:/:/bin/sh\n"
	"  spaced:x:1200:1201::/:/bin/sh  \r\n"
	"\n"
	"short:x:1300\n"
	"last:x:1400:1401::/:/bin/sh"; /* no final newline */

static const char group[] =
	"root:x:0:\n"
	"staff:x:50:app\n"
	"app:x:1001:\n"
	"bad:x:-1:\n"
	"last:x:60:";

static void expect_user(const char *spec, const char *pw, const char *gr, unsigned uid,
			unsigned gid)
{
	struct isolab_error err = { 0 };
	unsigned u = 12345, g = 12345;

	if (eng_user_resolve(spec, pw, gr, &u, &g, &err) != 0)
		fail_msg("user `%s` refused: %s", spec ? spec : "(null)", err.msg);
	assert_int_equal(u, uid);
	assert_int_equal(g, gid);
}

static void user_forms(void **state)
{
	expect_user(NULL, passwd, group, 0, 0);
	expect_user("", passwd, group, 0, 0);
	expect_user("", NULL, NULL, 0, 0);
	expect_user("root", passwd, group, 0, 0);
	expect_user("app", passwd, group, 1000, 1001);   /* first entry wins */
	expect_user("1000", passwd, group, 1000, 1001);  /* a number with an entry: its gid */
	expect_user("2000", passwd, group, 2000, 2000);
	expect_user("4242", passwd, group, 4242, 0);     /* a number without: gid 0 */
	expect_user("4242", NULL, NULL, 4242, 0);
	expect_user("app:staff", passwd, group, 1000, 50);
	expect_user("app:77", passwd, NULL, 1000, 77);
	expect_user("1000:staff", passwd, group, 1000, 50);
	expect_user("4242:4343", NULL, NULL, 4242, 4343);
	expect_user("4242:last", NULL, group, 4242, 60); /* last line, no newline */
	expect_user(":staff", passwd, group, 0, 50);
	expect_user("app:", passwd, group, 1000, 1001);
	expect_user("spaced", passwd, group, 1200, 1201); /* lines are trimmed */
	expect_user("last", passwd, group, 1400, 1401);
	expect_user("2147483647:2147483647", NULL, NULL, 2147483647u, 2147483647u);
}

static void expect_user_refused(const char *spec, const char *pw, const char *gr,
				const char *msg)
{
	struct isolab_error err = { 0 };
	unsigned u = 7, g = 7;

	assert_int_equal(eng_user_resolve(spec, pw, gr, &u, &g, &err), -EINVAL);
	assert_string_equal(err.msg, msg);
	assert_int_equal(u, 7);
	assert_int_equal(g, 7);
}

static void user_refusals(void **state)
{
	expect_user_refused("app", NULL, group, "user `app`: no /etc/passwd in the image");
	expect_user_refused("app:staff", NULL, NULL,
			    "user `app:staff`: no /etc/passwd in the image");
	expect_user_refused("nobody", passwd, group,
			    "user `nobody`: no user `nobody` in the image's /etc/passwd");
	expect_user_refused("ap", passwd, group,
			    "user `ap`: no user `ap` in the image's /etc/passwd");
	/* a line whose uid is not a number is skipped (runc would read uid 0) */
	expect_user_refused("broken", passwd, group,
			    "user `broken`: no user `broken` in the image's /etc/passwd");
	expect_user_refused("short", passwd, group,
			    "user `short`: no user `short` in the image's /etc/passwd");
	expect_user_refused("app:staff", passwd, NULL,
			    "user `app:staff`: no /etc/group in the image");
	expect_user_refused("app:wheel", passwd, group,
			    "user `app:wheel`: no group `wheel` in the image's /etc/group");
	expect_user_refused("app:bad", passwd, group,
			    "user `app:bad`: no group `bad` in the image's /etc/group");
	expect_user_refused("2147483648", passwd, group,
			    "user `2147483648`: uid out of range (0..2147483647)");
	expect_user_refused("99999999999999999999", NULL, NULL,
			    "user `99999999999999999999`: uid out of range (0..2147483647)");
	expect_user_refused("0:2147483648", NULL, NULL,
			    "user `0:2147483648`: gid out of range (0..2147483647)");
	expect_user_refused("1:2:3", NULL, NULL, "user `1:2:3`: not user[:group]");
	/* runc reads "-1" as a number out of range; here it is a name: refused either way */
	expect_user_refused("-1", passwd, group, "user `-1`: no user `-1` in the image's /etc/passwd");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(cmdline_docker_table),
		cmocka_unit_test(cmdline_overrides),
		cmocka_unit_test(env_merges_like_docker),
		cmocka_unit_test(env_refuses_bad_input),
		cmocka_unit_test(user_forms),
		cmocka_unit_test(user_refusals),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
