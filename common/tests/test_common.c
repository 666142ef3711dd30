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
	};
	return cmocka_run_group_tests_name("common", tests, NULL, NULL);
}
