/* test_owner.c: owner records, /proc/PID/stat parsing and the staleness
 * rule (the pure half of container/owner.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/rmtree.h"
#include "container/owner.h"

#define NS 4026531836ull

/* A /proc/PID/stat line (proc(5)) with the given command name, state and
 * start time (field 22). */
static void stat_line(char *buf, size_t len, const char *comm, char state,
		      unsigned long long start)
{
	snprintf(buf, len,
		 "4242 (%s) %c 1 4242 4242 0 -1 4194560 120 0 0 0 1 2 0 0 20 0 1 0 %llu "
		 "2326528 203 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n",
		 comm, state, start);
}

static struct ctr_owner owner(int pid, unsigned long long start, const char *path)
{
	struct ctr_owner o = { .pid = pid, .start = start, .pidns = NS };

	snprintf(o.cgroup_path, sizeof(o.cgroup_path), "%s", path);
	return o;
}

static void test_record_round_trip(void **state)
{
	struct ctr_owner in = owner(4242, 5201377, "/isolab-ctr/web"), out;
	char buf[PATH_MAX];

	(void)state;
	/* the leaf is the id: the parent only, as earlier versions wrote */
	assert_int_equal(ctr_owner_format(&in, "web", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "4242 5201377 4026531836 isolab-ctr");
	assert_int_equal(ctr_owner_parse(buf, "web", &out), 0);
	assert_int_equal(out.pid, 4242);
	assert_true(out.start == 5201377);
	assert_true(out.pidns == NS);
	assert_string_equal(out.cgroup_path, "/isolab-ctr/web");
	/* under 60 bytes with the largest pid and a start 30 years after boot
	 * (100 Hz): ext4 keeps it in the inode */
	in.pid = 4194304;
	in.start = 100ull * 3600 * 24 * 365 * 30;
	assert_int_equal(ctr_owner_format(&in, "web", buf, sizeof(buf)), 0);
	assert_true(strlen(buf) < 60);
	/* a parent with slashes and spaces, and an empty one */
	in = owner(7, 0, "/a b/c d/web");
	assert_int_equal(ctr_owner_format(&in, "web", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "7 0 4026531836 a b/c d");
	assert_int_equal(ctr_owner_parse(buf, "web", &out), 0);
	assert_string_equal(out.cgroup_path, "/a b/c d/web");
	in = owner(7, 0, "/web");
	assert_int_equal(ctr_owner_format(&in, "web", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "7 0 4026531836 ");
	assert_int_equal(ctr_owner_parse(buf, "web", &out), 0);
	assert_string_equal(out.cgroup_path, "/web");
	/* a leaf that is not the id (linux.cgroupsPath): the whole path */
	in = owner(7, 0, "/libpod_parent/libpod-web");
	assert_int_equal(ctr_owner_format(&in, "web", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "7 0 4026531836 /libpod_parent/libpod-web");
	assert_int_equal(ctr_owner_parse(buf, "web", &out), 0);
	assert_string_equal(out.cgroup_path, "/libpod_parent/libpod-web");
	in = owner(7, 0, "/a/xweb");
	assert_int_equal(ctr_owner_format(&in, "web", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "7 0 4026531836 /a/xweb");
	assert_int_equal(ctr_owner_parse(buf, "web", &out), 0);
	assert_string_equal(out.cgroup_path, "/a/xweb");
	/* an earlier version's record reads the same */
	assert_int_equal(ctr_owner_parse("7 0 4026531836 isolab-ctr", "web", &out), 0);
	assert_string_equal(out.cgroup_path, "/isolab-ctr/web");
	/* too small a buffer */
	in = owner(4242, 5201377, "/isolab-ctr/web");
	assert_int_equal(ctr_owner_format(&in, "web", buf, 20), -ENAMETOOLONG);
}

static void test_record_rejects_other_text(void **state)
{
	static const char *const bad[] = {
		"",
		"1 2 3",                          /* no space before the parent */
		"0 2 3 p",                        /* pid 0 */
		"-1 2 3 p",
		"99999999999 2 3 p",              /* beyond any pid */
		"1 x 3 p",
		"1  2 3 p",                       /* two spaces */
		"1 2 p",                          /* a field missing */
		"1 99999999999999999999999 3 p",  /* overflow */
		"/run/isolab-ctr/x",              /* some other link */
		"pid=1 start=2 pidns=3 p",
	};
	struct ctr_owner o;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(ctr_owner_parse(bad[i], "web", &o), -EINVAL);
}

static void test_proc_stat_fields(void **state)
{
	char line[512], st = 0;
	unsigned long long start = 0;

	(void)state;
	stat_line(line, sizeof(line), "isolab-ctr", 'S', 5201377);
	assert_int_equal(ctr_proc_stat_parse(line, &st, &start), 0);
	assert_int_equal(st, 'S');
	assert_true(start == 5201377);
	/* the command name may hold spaces and parentheses */
	stat_line(line, sizeof(line), "a) R (b c", 'Z', 42);
	assert_int_equal(ctr_proc_stat_parse(line, &st, &start), 0);
	assert_int_equal(st, 'Z');
	assert_true(start == 42);
	/* truncated, or not a stat line at all */
	assert_int_equal(ctr_proc_stat_parse("4242 (sh) S 1 2 3", &st, &start), -EINVAL);
	assert_int_equal(ctr_proc_stat_parse("no parenthesis", &st, &start), -EINVAL);
	assert_int_equal(ctr_proc_stat_parse("", &st, &start), -EINVAL);
	line[strlen(line) - 1] = '\0'; /* without its newline it still parses */
	assert_int_equal(ctr_proc_stat_parse(line, &st, &start), 0);
}

static void test_staleness(void **state)
{
	struct ctr_owner o = owner(4242, 5201377, "isolab-ctr");
	char line[512];

	(void)state;
	/* no such process: gone */
	assert_true(ctr_owner_is_stale(&o, NS, NULL));
	/* the same process, running or sleeping or stopped: alive */
	stat_line(line, sizeof(line), "isolab-ctr", 'S', 5201377);
	assert_false(ctr_owner_is_stale(&o, NS, line));
	stat_line(line, sizeof(line), "isolab-ctr", 'R', 5201377);
	assert_false(ctr_owner_is_stale(&o, NS, line));
	stat_line(line, sizeof(line), "isolab-ctr", 'T', 5201377);
	assert_false(ctr_owner_is_stale(&o, NS, line));
	/* exited, its parent has not reaped it yet: gone */
	stat_line(line, sizeof(line), "isolab-ctr", 'Z', 5201377);
	assert_true(ctr_owner_is_stale(&o, NS, line));
	stat_line(line, sizeof(line), "isolab-ctr", 'X', 5201377);
	assert_true(ctr_owner_is_stale(&o, NS, line));
	/* the pid now belongs to a process that started later (or earlier) */
	stat_line(line, sizeof(line), "isolab-ctr", 'S', 5201378);
	assert_true(ctr_owner_is_stale(&o, NS, line));
	stat_line(line, sizeof(line), "bash", 'S', 17);
	assert_true(ctr_owner_is_stale(&o, NS, line));
	/* what cannot be read is not judged stale */
	assert_false(ctr_owner_is_stale(&o, NS, "garbage"));
	assert_false(ctr_owner_is_stale(&o, NS, ""));
	/* a record from another pid namespace: its pid is not ours to look up */
	assert_false(ctr_owner_is_stale(&o, NS + 1, NULL));
	stat_line(line, sizeof(line), "bash", 'S', 17);
	assert_false(ctr_owner_is_stale(&o, NS + 1, line));
}

/* `create`: the record passes from the runtime to the container's
 * process (here this test's parent, a process that outlives it), in one
 * rename: the id is never free, no temporary name is left. */
static void test_transfer(void **state)
{
	char root[] = "/tmp/test_owner.XXXXXX", path[128], target[256];
	struct isolab_error err = { 0 };
	struct ctr_owner o, back;
	ssize_t n;

	(void)state;
	assert_non_null(mkdtemp(root));
	assert_int_equal(ctr_owner_claim(root, "web", "/isolab-ctr/web", &err), 0);
	assert_int_equal(ctr_owner_claim(root, "web", "/isolab-ctr/web", &err), -EEXIST);
	assert_int_equal(ctr_owner_transfer(root, "web", (int)getppid(), "/isolab-ctr/web", &o, &err), 0);
	snprintf(path, sizeof(path), "%s/.owners/web", root);
	n = readlink(path, target, sizeof(target) - 1);
	assert_true(n > 0);
	target[n] = '\0';
	assert_int_equal(ctr_owner_parse(target, "web", &back), 0);
	assert_int_equal(back.pid, (int)getppid());
	assert_true(back.start == o.start && back.start > 0);
	assert_string_equal(back.cgroup_path, "/isolab-ctr/web");
	/* still reserved; a gone pid is refused, the record kept */
	assert_int_equal(ctr_owner_claim(root, "web", "/isolab-ctr/web", &err), -EEXIST);
	assert_int_equal(ctr_owner_transfer(root, "web", 4194303, "/isolab-ctr/web", &o, &err), -ENOENT);
	assert_int_equal(ctr_owner_release(root, "web", &err), 0);
	snprintf(path, sizeof(path), "%s/.owners", root);
	assert_int_equal(rmdir(path), 0); /* empty: no temporary link left */
	assert_int_equal(isolab_rm_rf(root), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_record_round_trip),
		cmocka_unit_test(test_record_rejects_other_text),
		cmocka_unit_test(test_proc_stat_fields),
		cmocka_unit_test(test_staleness),
		cmocka_unit_test(test_transfer),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
