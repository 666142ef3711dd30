/* test_log.c: runc-style log lines, text and JSON (container/log.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "container/log.h"

#define WHEN "2024-05-01T12:34:56.123456789Z"

static void test_text_line(void **state)
{
	char buf[512];
	size_t n;

	(void)state;
	n = ctr_log_format_line(buf, sizeof(buf), CTR_LOG_TEXT, CTR_LOG_ERROR,
				"exec `x`: No such file or directory", WHEN);
	assert_string_equal(buf, "time=\"2024-05-01T12:34:56.123456789Z\" level=error "
				 "msg=\"exec `x`: No such file or directory\"\n");
	assert_int_equal(n, strlen(buf));
	/* quotes, backslashes and control characters escaped as Go's %q does */
	ctr_log_format_line(buf, sizeof(buf), CTR_LOG_TEXT, CTR_LOG_WARNING, "a \"b\"\\c\nd\te\x01",
			    "1970-01-01T00:00:00Z");
	assert_string_equal(buf, "time=\"1970-01-01T00:00:00Z\" level=warning "
				 "msg=\"a \\\"b\\\"\\\\c\\nd\\te\\x01\"\n");
	ctr_log_format_line(buf, sizeof(buf), CTR_LOG_TEXT, CTR_LOG_DEBUG, "", WHEN);
	assert_string_equal(buf, "time=\"2024-05-01T12:34:56.123456789Z\" level=debug msg=\"\"\n");
}

static void test_json_line(void **state)
{
	char buf[512];
	cJSON *doc;

	(void)state;
	ctr_log_format_line(buf, sizeof(buf), CTR_LOG_JSON, CTR_LOG_ERROR,
			    "exec `x`: No such file or directory", WHEN);
	assert_string_equal(buf, "{\"level\":\"error\",\"msg\":\"exec `x`: No such file or directory\","
				 "\"time\":\"2024-05-01T12:34:56.123456789Z\"}\n");
	/* a message that needs escaping is still one line of valid JSON */
	ctr_log_format_line(buf, sizeof(buf), CTR_LOG_JSON, CTR_LOG_WARNING, "a\n\"b\"\x01", WHEN);
	assert_ptr_equal(strchr(buf, '\n'), buf + strlen(buf) - 1);
	doc = cJSON_Parse(buf);
	assert_non_null(doc);
	assert_string_equal(cJSON_GetObjectItem(doc, "msg")->valuestring, "a\n\"b\"\x01");
	assert_string_equal(cJSON_GetObjectItem(doc, "level")->valuestring, "warning");
	cJSON_Delete(doc);
}

/* A line never overruns its buffer and stays one whole line. */
static void test_small_buffers(void **state)
{
	char big[600], buf[200];
	cJSON *doc;
	size_t n;

	(void)state;
	memset(big, '"', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	n = ctr_log_format_line(buf, sizeof(buf), CTR_LOG_TEXT, CTR_LOG_ERROR, big, WHEN);
	assert_true(n < sizeof(buf));
	assert_int_equal(n, strlen(buf));
	assert_int_equal(buf[n - 1], '\n');
	assert_int_equal(buf[n - 2], '"');
	n = ctr_log_format_line(buf, sizeof(buf), CTR_LOG_JSON, CTR_LOG_ERROR, big, WHEN);
	assert_true(n < sizeof(buf));
	assert_int_equal(buf[n - 1], '\n');
	buf[n - 1] = '\0';
	doc = cJSON_Parse(buf);
	assert_non_null(doc);
	cJSON_Delete(doc);
	assert_int_equal(ctr_log_format_line(buf, 100, CTR_LOG_TEXT, CTR_LOG_ERROR, "x", WHEN), 0);
}

static void test_format_names(void **state)
{
	enum ctr_log_format f = CTR_LOG_TEXT;

	(void)state;
	assert_int_equal(ctr_log_format_from_name("json", &f), 0);
	assert_int_equal(f, CTR_LOG_JSON);
	assert_int_equal(ctr_log_format_from_name("text", &f), 0);
	assert_int_equal(f, CTR_LOG_TEXT);
	assert_int_equal(ctr_log_format_from_name("JSON", &f), -EINVAL);
	assert_int_equal(ctr_log_format_from_name("", &f), -EINVAL);
}

/* The file: appended to, debug lines only with debug. */
static void test_log_file(void **state)
{
	char path[] = "/tmp/isolab-test-log.XXXXXX", text[1024] = "";
	struct isolab_error err = { 0 };
	struct ctr_log log;
	FILE *f;
	int fd;

	(void)state;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "old\n", 4), 4);
	close(fd);
	assert_int_equal(ctr_log_open(&log, path, CTR_LOG_JSON, false, &err), 0);
	ctr_log_write(&log, CTR_LOG_DEBUG, "not written");
	ctr_log_write(&log, CTR_LOG_ERROR, "one");
	ctr_log_close(&log);
	assert_int_equal(ctr_log_open(&log, path, CTR_LOG_TEXT, true, &err), 0);
	ctr_log_write(&log, CTR_LOG_DEBUG, "two");
	ctr_log_close(&log);
	f = fopen(path, "r");
	assert_non_null(f);
	assert_true(fread(text, 1, sizeof(text) - 1, f) > 0);
	fclose(f);
	unlink(path);
	assert_non_null(strstr(text, "old\n{\"level\":\"error\",\"msg\":\"one\",\"time\":\"2"));
	assert_null(strstr(text, "not written"));
	assert_non_null(strstr(text, "level=debug msg=\"two\"\n"));
	/* no file: nothing opened, writes go nowhere */
	assert_int_equal(ctr_log_open(&log, NULL, CTR_LOG_TEXT, true, &err), 0);
	assert_int_equal(log.fd, -1);
	ctr_log_write(&log, CTR_LOG_ERROR, "x");
	assert_int_equal(ctr_log_open(&log, "/nonexistent-isolab/log", CTR_LOG_TEXT, false, &err),
			 -ENOENT);
	assert_string_equal(err.msg, "--log `/nonexistent-isolab/log`: No such file or directory");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text_line),    cmocka_unit_test(test_json_line),
		cmocka_unit_test(test_small_buffers), cmocka_unit_test(test_format_names),
		cmocka_unit_test(test_log_file),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
