/* test_common.c: unit tests for common/ (size parsing, errors, JSON files, safe opening). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/accounts.h"
#include "common/error.h"
#include "common/jsonfile.h"
#include "common/procfs.h"
#include "common/safe_open.h"
#include "common/rmtree.h"
#include "common/mkdir.h"
#include "common/size.h"
#include "common/suggest.h"
#include "common/timing.h"

static void size_accepts_suffixes(void **state)
{
	struct isolab_error err = {0};
	uint64_t v;

	assert_int_equal(isolab_parse_size("0", "mem", &v, &err), 0);
	assert_int_equal(v, 0);
	assert_int_equal(isolab_parse_size("4096", "mem", &v, &err), 0);
	assert_int_equal(v, 4096);
	assert_int_equal(isolab_parse_size("512k", "mem", &v, &err), 0);
	assert_int_equal(v, 512 * 1024);
	assert_int_equal(isolab_parse_size("128M", "mem", &v, &err), 0);
	assert_int_equal(v, 128ull << 20);
	assert_int_equal(isolab_parse_size("2GiB", "mem", &v, &err), 0);
	assert_int_equal(v, 2ull << 30);
	assert_int_equal(isolab_parse_size("1t", "mem", &v, &err), 0);
	assert_int_equal(v, 1ull << 40);
	assert_int_equal(isolab_parse_size("64b", "mem", &v, &err), 0);
	assert_int_equal(v, 64);
	/* the largest accepted, in bytes and with a suffix */
	assert_int_equal(isolab_parse_size("1125899906842624", "mem", &v, &err), 0);
	assert_int_equal(v, ISOLAB_SIZE_MAX);
	assert_int_equal(isolab_parse_size("1024T", "mem", &v, &err), 0);
	assert_int_equal(v, ISOLAB_SIZE_MAX);
}

static void format_size_in_binary_units(void **state)
{
	static const struct { uint64_t bytes; const char *want; } cases[] = {
		{ 0, "0 B" }, { 912, "912 B" }, { 1023, "1023 B" }, { 1024, "1.0 KiB" },
		{ 1536, "1.5 KiB" }, { 33554432, "32 MiB" }, { 3407872, "3.2 MiB" },
		{ 171098112, "163 MiB" }, { 2147483648ull, "2.0 GiB" },
	};
	char buf[32];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		isolab_format_size(cases[i].bytes, buf, sizeof(buf));
		assert_string_equal(buf, cases[i].want);
	}
}

static void size_rejects_garbage(void **state)
{
	static const char *bad[] = { "", "M", "-1", "1.5G", "12Q", "12MM", "12 M",
				     "99999999999999999999", "17179869184G", " 1",
				     "18446744073709551615", "9223372036854775808",
				     "1125899906842625", "1025T", "1048577G", "16777216T" };
	struct isolab_error err = {0};
	uint64_t v = 7;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(isolab_parse_size(bad[i], "--mem", &v, &err), -EINVAL);
		assert_non_null(strstr(err.msg, "--mem"));
	}
	assert_int_equal(v, 7);
	assert_int_equal(isolab_parse_size(NULL, "--mem", &v, &err), -EINVAL);
}

static void uint_bounds(void **state)
{
	struct isolab_error err = {0};
	uint64_t v;

	assert_int_equal(isolab_parse_uint("8", "--cpus", 64, &v, &err), 0);
	assert_int_equal(v, 8);
	assert_int_equal(isolab_parse_uint("65", "--cpus", 64, &v, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "larger than 64"));
	assert_int_equal(isolab_parse_uint("x", "--cpus", 64, &v, &err), -EINVAL);
	assert_int_equal(isolab_parse_uint("", "--cpus", 64, &v, &err), -EINVAL);
}

static void error_messages_carry_context(void **state)
{
	struct isolab_error err = {0};

	assert_int_equal(isolab_error_errno(&err, -EPERM, "mount `%s`", "/proc"), -EPERM);
	assert_string_equal(err.msg, "mount `/proc`: Operation not permitted");
	assert_int_equal(isolab_error_wrap(&err, "container %s", "c1"), -EPERM);
	assert_string_equal(err.msg, "container c1: mount `/proc`: Operation not permitted");
	assert_int_equal(isolab_error_set(NULL, -ENOENT, "ignored"), -ENOENT);
}

static void json_round_trip_is_atomic(void **state)
{
	char dir[] = "/tmp/isolab-test-XXXXXX";
	char path[256], tmp[300];
	struct isolab_error err = {0};
	cJSON *doc, *back = NULL;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/out.json", dir);
	doc = cJSON_CreateObject();
	cJSON_AddNumberToObject(doc, "median_ns", 1234);
	cJSON_AddStringToObject(doc, "env", "lab");
	assert_int_equal(isolab_json_write_atomic(path, doc, &err), 0);
	snprintf(tmp, sizeof(tmp), "%s.tmp.%d", path, (int)getpid());
	assert_int_equal(access(tmp, F_OK), -1); /* no temp file left */
	assert_int_equal(isolab_json_read(path, &back, &err), 0);
	assert_int_equal(cJSON_GetObjectItem(back, "median_ns")->valuedouble, 1234);
	assert_string_equal(cJSON_GetObjectItem(back, "env")->valuestring, "lab");
	/* Writing into a missing directory fails and leaves nothing. */
	snprintf(path, sizeof(path), "%s/missing/out.json", dir);
	assert_true(isolab_json_write_atomic(path, doc, &err) < 0);
	assert_non_null(strstr(err.msg, "missing/out.json"));
	cJSON_Delete(doc);
	cJSON_Delete(back);
	snprintf(path, sizeof(path), "%s/out.json", dir);
	unlink(path);
	rmdir(dir);
}

static void json_parse_reports_offset(void **state)
{
	struct isolab_error err = {0};
	cJSON *doc = NULL;

	assert_int_equal(isolab_json_parse("{\"a\": [1, 2,", "config.json", &doc, &err), -EINVAL);
	assert_null(doc);
	assert_non_null(strstr(err.msg, "config.json: malformed JSON"));
	assert_int_equal(isolab_json_parse("{} trailing", "x", &doc, &err), -EINVAL);
}

/* Against gmtime_r over days that catch the calendar's edges: the epoch,
 * leap days (2000 is one, 2100 is not), the last second of a year, and a
 * time before 1970. */
static void rfc3339_matches_gmtime(void **state)
{
	static const time_t when[] = { 0, 951782400, 951868799, 4107542400, 4107628799,
				       1798761599, 1798761600, -86401, 1764643503 };
	for (size_t i = 0; i < sizeof(when) / sizeof(when[0]); i++) {
		struct timespec ts = { .tv_sec = when[i], .tv_nsec = 123456789 };
		char got[64], want[64], base[32];
		struct tm tm;

		gmtime_r(&when[i], &tm);
		strftime(base, sizeof(base), "%Y-%m-%dT%H:%M:%S", &tm);
		snprintf(want, sizeof(want), "%s.123456789Z", base);
		isolab_rfc3339(&ts, got, sizeof(got));
		assert_string_equal(got, want);
	}
}

static void timing_is_monotonic(void **state)
{
	uint64_t a = isolab_since_start_ns();
	uint64_t b = isolab_since_start_ns();

	assert_true(isolab_process_start_ns() > 0);
	assert_true(b >= a);
}

static void read_text_reads_whole_or_truncates(void **state)
{
	char dir[] = "/tmp/isolab-test-XXXXXX", path[64], buf[8];
	FILE *f;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/t", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("12 kB\nmore", f);
	fclose(f);
	assert_int_equal(isolab_read_text(path, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "12 kB\nm"); /* len - 1 bytes, NUL-terminated */
	assert_int_equal(isolab_read_text(path, buf, 0), -EINVAL);
	unlink(path);
	assert_int_equal(isolab_read_text(path, buf, sizeof(buf)), -ENOENT);
	rmdir(dir);
}

/*
 * A FIFO with no writer, a directory and a device are refused at once,
 * not waited on, with one message naming the kind; a regular file opens,
 * blocking again, close-on-exec, with its size.
 */
static void open_regular_refuses_the_rest(void **state)
{
	char dir[] = "/tmp/isolab-test-XXXXXX", path[64];
	struct isolab_error err = {0};
	uint64_t size = 7;
	cJSON *doc = NULL;
	FILE *f;
	int fd;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/config.json", dir);
	assert_int_equal(mkfifo(path, 0600), 0);
	assert_int_equal(isolab_open_regular(path, &size, &err), -EINVAL);
	assert_string_equal(err.msg, "not a regular file (a FIFO)");
	assert_int_equal(isolab_json_read(path, &doc, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "config.json`: not a regular file (a FIFO)"));
	unlink(path);
	assert_int_equal(isolab_open_regular(dir, &size, &err), -EINVAL);
	assert_string_equal(err.msg, "not a regular file (a directory)");
	assert_int_equal(isolab_open_regular("/dev/null", &size, &err), -EINVAL);
	assert_string_equal(err.msg, "not a regular file (a character device)");
	assert_int_equal(size, 7);
	assert_int_equal(isolab_open_regular(path, &size, &err), -ENOENT);
	assert_string_equal(err.msg, "No such file or directory");

	f = fopen(path, "w");
	assert_non_null(f);
	fputs("12345", f);
	fclose(f);
	fd = isolab_open_regular(path, &size, &err);
	assert_true(fd >= 0);
	assert_int_equal(size, 5);
	assert_true(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	{ /* O_NONBLOCK stays (safe_open.h): a regular file reads whole anyway */
		char buf[8];

		assert_int_equal(read(fd, buf, sizeof(buf)), 5);
	}
	close(fd);
	fd = isolab_open_regular(path, NULL, &err); /* size is optional */
	assert_true(fd >= 0);
	close(fd);
	unlink(path);
	rmdir(dir);
	assert_string_equal(isolab_file_kind(S_IFBLK), "a block device");
}

static void read_regular_bounded(void **state)
{
	char dir[] = "/tmp/isolab-test-XXXXXX", path[64];
	struct isolab_error err = {0};
	char *buf = NULL;
	size_t len = 9;
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/f", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("12345", f);
	fclose(f);
	assert_int_equal(isolab_read_regular(path, 5, &buf, &len, &err), 0);
	assert_int_equal(len, 5);
	assert_string_equal(buf, "12345");
	free(buf);
	assert_int_equal(isolab_read_regular(path, 4, &buf, &len, &err), -EFBIG);
	assert_non_null(strstr(err.msg, "/f`: 5 bytes, more than 4"));
	unlink(path);
	assert_int_equal(isolab_read_regular(path, 4, &buf, &len, &err), -ENOENT);
	assert_non_null(strstr(err.msg, "/f`: No such file or directory"));
	assert_int_equal(isolab_read_regular(dir, 4, &buf, &len, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "`: not a regular file (a directory)"));
	rmdir(dir);
}

static void rm_rf_stays_inside(void **state)
{
	char dir[] = "/tmp/isolab-test-XXXXXX", outside[] = "/tmp/isolab-test-XXXXXX";
	char path[128];
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	assert_non_null(mkdtemp(outside));
	snprintf(path, sizeof(path), "%s/kept", outside);
	f = fopen(path, "w");
	assert_non_null(f);
	fclose(f);
	snprintf(path, sizeof(path), "%s/a/b/c", dir);
	assert_int_equal(isolab_mkdir_p(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/a/link", dir);
	assert_int_equal(symlink(outside, path), 0);
	snprintf(path, sizeof(path), "%s/a/b/c/f", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fclose(f);
	assert_int_equal(isolab_rm_rf(dir), 0);
	assert_int_equal(access(dir, F_OK), -1);
	snprintf(path, sizeof(path), "%s/kept", outside);
	assert_int_equal(access(path, F_OK), 0); /* the link was removed, not followed */
	assert_int_equal(isolab_rm_rf(dir), 0);  /* gone already: fine */
	assert_int_equal(isolab_rm_rf(outside), 0);
}

/* /etc/passwd lines as runc reads them: trimmed, bad numbers skipped. */
static void accounts_find_and_name(void **state)
{
	const char *pw = "root:x:0:0:root:/root:/bin/sh\n"
			 "bad:x:notanumber:5::/:/bin/sh\n"
			 "  alice:x:1000:1001::/home/alice:/bin/sh  \n"
			 "big:x:2147483648:1::/:/bin/sh\n"
			 "short:x\n"
			 "bob:x:1002:1003";
	long a = -1, b = -1;
	char name[16];

	(void)state;
	assert_true(isolab_accounts_find(pw, "alice", 5, -1, 2, &a, &b));
	assert_int_equal(a, 1000);
	assert_int_equal(b, 1001);
	assert_true(isolab_accounts_find(pw, NULL, 0, 1002, 2, &a, &b)); /* no final newline */
	assert_int_equal(b, 1003);
	assert_false(isolab_accounts_find(pw, "bad", 3, -1, 2, &a, NULL));
	assert_false(isolab_accounts_find(pw, "big", 3, -1, 2, &a, NULL)); /* past 2^31-1 */
	assert_false(isolab_accounts_find(pw, "short", 5, -1, 2, &a, NULL));
	assert_false(isolab_accounts_find(pw, "alic", 4, -1, 2, &a, NULL));
	assert_true(isolab_accounts_name(pw, 1000, name, sizeof(name)));
	assert_string_equal(name, "alice");
	assert_true(isolab_accounts_name(pw, 0, name, sizeof(name)));
	assert_string_equal(name, "root");
	assert_false(isolab_accounts_name(pw, 4242, name, sizeof(name)));
	assert_false(isolab_accounts_name(pw, 1000, name, 5)); /* "alice" and its NUL do not fit */
	assert_int_equal(isolab_account_id("2147483647", 10), 2147483647L);
	assert_int_equal(isolab_account_id("", 0), -1);
	assert_int_equal(isolab_account_id("-1", 2), -1);
}

/* ---- suggest: the "did you mean" hint ---- */

static void suggest_edit_distance(void **state)
{
	(void)state;
	assert_int_equal(isolab_edit_distance("runs", 4, "runs", 4), 0);
	assert_int_equal(isolab_edit_distance("rnus", 4, "runs", 4), 1); /* a swap is one edit */
	assert_int_equal(isolab_edit_distance("run", 3, "runs", 4), 1);
	assert_int_equal(isolab_edit_distance("rusn", 4, "runs", 4), 1);
	assert_int_equal(isolab_edit_distance("RUNS", 4, "runs", 4), 0); /* case ignored */
	assert_int_equal(isolab_edit_distance("", 0, "abc", 3), 3);
	assert_int_equal(isolab_edit_distance("kitten", 6, "sitting", 7), 3);
	/* optimal string alignment: "ca" -> "abc" is 3, not 2 as in unrestricted DL */
	assert_int_equal(isolab_edit_distance("ca", 2, "abc", 3), 3);
	assert_int_equal(isolab_edit_distance("x", 1, "y", 1), 1);
	{
		char big[ISOLAB_SUGGEST_WORD_MAX + 2];

		memset(big, 'a', sizeof(big));
		assert_int_equal(isolab_edit_distance(big, sizeof(big), "a", 1), SIZE_MAX);
		assert_int_equal(isolab_edit_distance(big, ISOLAB_SUGGEST_WORD_MAX, big,
						      ISOLAB_SUGGEST_WORD_MAX), 0);
	}
}

static void suggest_closest_word(void **state)
{
	static const char *const cmds[] = { "run", "report", "help", "version" };
	static const char *const engine[] = { "images", "inspect", "history", "tag", "rmi",
					      "run", "ps", "rm", "network", "port", "pull", "push" };
	size_t n = sizeof(cmds) / sizeof(cmds[0]), m = sizeof(engine) / sizeof(engine[0]);

	(void)state;
	assert_string_equal(isolab_suggest("rnu", cmds, n), "run");
	assert_string_equal(isolab_suggest("reprot", cmds, n), "report");
	assert_string_equal(isolab_suggest("hlep", cmds, n), "help");
	assert_string_equal(isolab_suggest("verison", cmds, n), "version");
	assert_string_equal(isolab_suggest("Help", cmds, n), "help");
	/* a unique prefix, however far */
	assert_string_equal(isolab_suggest("rep", cmds, n), "report");
	assert_string_equal(isolab_suggest("v", cmds, n), "version");
	/* a prefix of two: the closest by distance, if close enough */
	assert_null(isolab_suggest("r", cmds, n));
	assert_string_equal(isolab_suggest("pul", engine, m), "pull");
	assert_string_equal(isolab_suggest("re", engine, m), "rm");
	/* too far: nothing */
	assert_null(isolab_suggest("fly", cmds, n));
	assert_null(isolab_suggest("benchmark", cmds, n));
	assert_null(isolab_suggest("", cmds, n));
	assert_null(isolab_suggest("run", cmds, 0));
	/* short words: one edit at most */
	assert_string_equal(isolab_suggest("imgaes", engine, m), "images");
	assert_string_equal(isolab_suggest("netwrok", engine, m), "network");
	assert_null(isolab_suggest("xyz", engine, m));
	/* a tie (run and rm, one edit each): the first in the list */
	assert_string_equal(isolab_suggest("rn", engine, m), "run");
	/* long words: a third of the length */
	{
		static const char *const longs[] = { "resume-reason", "results-file" };

		assert_string_equal(isolab_suggest("resum-reasn", longs, 2), "resume-reason");
		assert_string_equal(isolab_suggest("reslts-fiel", longs, 2), "results-file");
		assert_null(isolab_suggest("rxsxmx-rxaxon", longs, 2));
	}
}

static void suggest_options(void **state)
{
	static const struct option opts[] = {
		{ "runs", required_argument, NULL, 'r' },
		{ "results", required_argument, NULL, 'R' },
		{ "results-file", required_argument, NULL, 'F' },
		{ "resume", required_argument, NULL, 'S' },
		{ "memory", required_argument, NULL, 'm' },
		{ "mem", required_argument, NULL, 'm' },
		{ "quick", no_argument, NULL, 'q' },
		{ NULL, 0, NULL, 0 },
	};
	struct isolab_error err = { 0 };

	(void)state;
	assert_string_equal(isolab_suggest_option("--rnus", opts), "runs");
	assert_string_equal(isolab_suggest_option("--rnus=3", opts), "runs");
	assert_string_equal(isolab_suggest_option("-rnus", opts), "runs");
	assert_string_equal(isolab_suggest_option("--qiuck", opts), "quick");
	assert_string_equal(isolab_suggest_option("--memroy", opts), "memory");
	assert_null(isolab_suggest_option("-x", opts));
	assert_null(isolab_suggest_option("--", opts));
	assert_null(isolab_suggest_option("--=3", opts));
	assert_null(isolab_suggest_option("--frobnicate", opts));
	assert_null(isolab_suggest_option("runs", opts));

	assert_int_equal(isolab_error_unknown_option(&err, "--rnus", opts), -EINVAL);
	assert_string_equal(err.msg, "unknown option `--rnus` (did you mean `--runs`?)");
	assert_int_equal(isolab_error_unknown_option(&err, "--rnus=3", opts), -EINVAL);
	assert_string_equal(err.msg, "unknown option `--rnus=3` (did you mean `--runs`?)");
	assert_int_equal(isolab_error_unknown_option(&err, "--frobnicate", opts), -EINVAL);
	assert_string_equal(err.msg, "unknown option `--frobnicate`");
	assert_int_equal(isolab_error_unknown_option(&err, "-Z", opts), -EINVAL);
	assert_string_equal(err.msg, "unknown option `-Z`");
	assert_int_equal(isolab_error_unknown_option(&err, "--res", opts), -EINVAL);
	assert_string_equal(err.msg, "option `--res` is ambiguous (--results, --results-file, --resume)");
	assert_int_equal(err.code, -EINVAL);
}

/* Runs getopt_long over argv (NULL-ended) as a program would; the message
 * of its first refusal, or "" when it refused nothing. */
static const char *getopt_refusal(char **argv, struct isolab_error *err)
{
	static const struct option opts[] = {
		{ "quick", no_argument, NULL, 'q' },
		{ "name", required_argument, NULL, 'n' },
		{ "results", required_argument, NULL, 300 },
		{ "results-file", required_argument, NULL, 301 },
		{ NULL, 0, NULL, 0 },
	};
	int argc = 0, c;

	while (argv[argc] != NULL)
		argc++;
	optind = 0;
	opterr = 0;
	err->msg[0] = '\0';
	while ((c = getopt_long(argc, argv, "qn:e:", opts, NULL)) != -1)
		if (c == '?') {
			assert_int_equal(isolab_getopt_error(err, argv, optind, optopt, "qn:e:", opts),
					 -EINVAL);
			break;
		}
	return err->msg;
}

static void suggest_getopt_refusals(void **state)
{
	struct isolab_error err = { 0 };
#define REFUSAL(...) getopt_refusal((char *[]){ "prog", __VA_ARGS__, NULL }, &err)

	(void)state;
	assert_string_equal(REFUSAL("--qiuck"), "unknown option `--qiuck` (did you mean `--quick`?)");
	assert_string_equal(REFUSAL("-q", "--bogus", "x"), "unknown option `--bogus`");
	assert_string_equal(REFUSAL("--resu", "x"),
			    "option `--resu` is ambiguous (--results, --results-file)");
	assert_string_equal(REFUSAL("--quick=1"), "option `--quick` takes no value");
	assert_string_equal(REFUSAL("--name"), "option `--name` needs a value");
	assert_string_equal(REFUSAL("--na"), "option `--name` needs a value");
	assert_string_equal(REFUSAL("-q", "-x"), "unknown option `-x`");
	assert_string_equal(REFUSAL("-xq"), "unknown option `-x`");
	assert_string_equal(REFUSAL("-qx", "-q"), "unknown option `-x`");
	assert_string_equal(REFUSAL("-e"), "option `-e` needs a value");
	assert_string_equal(REFUSAL("-qe"), "option `-e` needs a value");
	assert_string_equal(REFUSAL("-n"), "option `-n` needs a value");
	assert_string_equal(REFUSAL("-q", "--name", "x", "-e", "y"), "");
#undef REFUSAL
}

/* /proc/PID/stat fields after the command name, which may hold ") (". */
static void proc_stat_fields_after_the_command(void **state)
{
	const char *line = "4242 (a) (b c) S 1 4242 4242 0 -1 4194560 1 2 3 4 5 6 7 8 20 0 1 0 777 1 2\n";

	(void)state;
	assert_int_equal(*isolab_proc_stat_field(line, 3), 'S');
	assert_int_equal(strtol(isolab_proc_stat_field(line, 4), NULL, 10), 1);
	assert_int_equal(strtol(isolab_proc_stat_field(line, 22), NULL, 10), 777);
	assert_null(isolab_proc_stat_field(line, 40));     /* past the end */
	assert_null(isolab_proc_stat_field(line, 2));      /* the command is not a field here */
	assert_null(isolab_proc_stat_field("no parenthesis", 3));
	assert_null(isolab_proc_stat_field("1 (x)", 3));
	assert_null(isolab_proc_stat_field("1 (x)S 1", 3)); /* no space after ')' */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(size_accepts_suffixes),
		cmocka_unit_test(size_rejects_garbage),
		cmocka_unit_test(format_size_in_binary_units),
		cmocka_unit_test(uint_bounds),
		cmocka_unit_test(error_messages_carry_context),
		cmocka_unit_test(json_round_trip_is_atomic),
		cmocka_unit_test(json_parse_reports_offset),
		cmocka_unit_test(timing_is_monotonic),
		cmocka_unit_test(rfc3339_matches_gmtime),
		cmocka_unit_test(read_text_reads_whole_or_truncates),
		cmocka_unit_test(open_regular_refuses_the_rest),
		cmocka_unit_test(read_regular_bounded),
		cmocka_unit_test(rm_rf_stays_inside),
		cmocka_unit_test(accounts_find_and_name),
		cmocka_unit_test(proc_stat_fields_after_the_command),
		cmocka_unit_test(suggest_edit_distance),
		cmocka_unit_test(suggest_closest_word),
		cmocka_unit_test(suggest_options),
		cmocka_unit_test(suggest_getopt_refusals),
	};
	return cmocka_run_group_tests_name("common", tests, NULL, NULL);
}
