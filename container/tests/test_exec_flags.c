/* test_exec_flags.c: runc exec's process flags (container/exec_flags.c):
 * each value checked with its message, then applied to a process. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "container/caps.h"
#include "container/exec_flags.h"

static void test_values_refused_with_their_message(void **state)
{
	struct ctr_exec_flags f;
	struct isolab_error err = { 0 };

	(void)state;
	memset(&f, 0, sizeof(f));
	assert_int_equal(ctr_exec_flag_env(&f, "NOEQUALS", &err), -EINVAL);
	assert_string_equal(err.msg, "--env `NOEQUALS`: not KEY=VALUE");
	assert_int_equal(ctr_exec_flag_env(&f, "=v", &err), -EINVAL);
	assert_int_equal(ctr_exec_flag_cwd(&f, "tmp", &err), -EINVAL);
	assert_string_equal(err.msg, "--cwd `tmp`: not an absolute path");
	for (size_t i = 0; i < 6; i++) {
		static const char *const bad[] = { "root", "", ":1", "1:", "1:x", "4294967295" };

		assert_int_equal(ctr_exec_flag_user(&f, bad[i], &err), -EINVAL);
	}
	assert_string_equal(err.msg, "--user `4294967295`: not UID[:GID] (numbers below 4294967295)");
	assert_int_equal(ctr_exec_flag_cap(&f, "CAP_NOPE", &err), -EINVAL);
	assert_string_equal(err.msg, "--cap `CAP_NOPE`: unknown capability");
	assert_int_equal(ctr_exec_flag_preserve_fds(&f, "-1", &err), -EINVAL);
	assert_string_equal(err.msg, "--preserve-fds `-1`: not a number from 0 to 1024");
	assert_int_equal(ctr_exec_flag_preserve_fds(&f, "1025", &err), -EINVAL);
	assert_int_equal(ctr_exec_flag_preserve_fds(&f, "", &err), -EINVAL);
	/* nothing was taken */
	assert_int_equal(f.n_env, 0);
	assert_null(f.cwd);
	assert_false(f.has_user);
	assert_true(f.caps == 0);
	assert_int_equal(f.preserve_fds, 0);
}

static void test_applied_as_runc_does(void **state)
{
	struct ctr_exec_flags f;
	struct isolab_error err = { 0 };
	struct ctr_config cfg;

	(void)state;
	memset(&f, 0, sizeof(f));
	ctr_config_init(&cfg);
	assert_int_equal(ctr_strv_push(&cfg.env, &cfg.n_env, "PATH=/bin"), 0);
	assert_int_equal(ctr_strv_push(&cfg.env, &cfg.n_env, "FOO=config"), 0);
	cfg.uid = 5, cfg.gid = 6;
	cfg.tty = true;
	cfg.caps.bounding = cfg.caps.effective = cfg.caps.permitted = 1ull << CAP_KILL;
	cfg.caps.inheritable = cfg.caps.ambient = 0;
	cfg.no_new_privs = false;
	assert_int_equal(ctr_exec_flag_env(&f, "FOO=one", &err), 0);
	assert_int_equal(ctr_exec_flag_env(&f, "BAR=x=y", &err), 0);
	assert_int_equal(ctr_exec_flag_env(&f, "FOO=two", &err), 0);
	assert_int_equal(ctr_exec_flag_env(&f, "FO=short", &err), 0);
	assert_int_equal(ctr_exec_flag_cwd(&f, "/tmp", &err), 0);
	assert_int_equal(ctr_exec_flag_user(&f, "1000", &err), 0);
	assert_int_equal(ctr_exec_flag_cap(&f, "CAP_NET_RAW", &err), 0);
	assert_int_equal(ctr_exec_flag_cap(&f, "sys_chroot", &err), 0);
	assert_int_equal(ctr_exec_flag_preserve_fds(&f, "2", &err), 0);
	assert_int_equal(ctr_exec_flags_apply(&f, &cfg, &err), 0);
	/* a key it has is replaced in place, the last value wins; others appended */
	assert_int_equal(cfg.n_env, 4);
	assert_string_equal(cfg.env[0], "PATH=/bin");
	assert_string_equal(cfg.env[1], "FOO=two");
	assert_string_equal(cfg.env[2], "BAR=x=y");
	assert_string_equal(cfg.env[3], "FO=short");
	assert_null(cfg.env[4]);
	assert_string_equal(cfg.cwd, "/tmp");
	assert_int_equal(cfg.uid, 1000);
	assert_int_equal(cfg.gid, 6); /* no :GID: the process's */
	assert_true(cfg.caps.bounding == ((1ull << CAP_KILL) | (1ull << CAP_NET_RAW) | (1ull << CAP_SYS_CHROOT)));
	assert_true(cfg.caps.effective == cfg.caps.bounding && cfg.caps.permitted == cfg.caps.bounding);
	assert_true(cfg.caps.inheritable == 0 && cfg.caps.ambient == 0);
	assert_false(cfg.no_new_privs);
	assert_false(cfg.tty); /* runc: no -t, no terminal */
	assert_int_equal(f.preserve_fds, 2);
	ctr_config_free(&cfg);
	/* -u UID:GID, --no-new-privs, -t */
	memset(&f, 0, sizeof(f));
	ctr_config_init(&cfg);
	cfg.no_new_privs = false;
	assert_int_equal(ctr_exec_flag_user(&f, "0:4294967294", &err), 0);
	f.no_new_privs = f.tty = true;
	assert_int_equal(ctr_exec_flags_apply(&f, &cfg, &err), 0);
	assert_int_equal(cfg.uid, 0);
	assert_true(cfg.gid == 4294967294u);
	assert_true(cfg.no_new_privs && cfg.tty);
	ctr_config_free(&cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_values_refused_with_their_message),
		cmocka_unit_test(test_applied_as_runc_does),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
