/* test_state.c: a created container's record, its status rule, the
 * state JSON as runc prints it, and runc's list table (container/state.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/procfs.h"
#include "common/rmtree.h"
#include "container/owner.h"
#include "container/state.h"

static struct ctr_saved sample(void)
{
	struct ctr_saved s;

	memset(&s, 0, sizeof(s));
	strcpy(s.id, "web");
	s.pid = 4242;
	s.start = 5201377;
	s.pidns = 4026531836ull;
	strcpy(s.bundle, "/b/web");
	strcpy(s.rootfs, "/b/web/rootfs");
	strcpy(s.created, "2026-12-02T04:11:19.196908437Z");
	strcpy(s.cgroup_path, "/libpod_parent/libpod-web");
	s.cgmode = CTR_CGROUP_HYBRID;
	return s;
}

static void test_status_rule(void **state)
{
	(void)state;
	assert_int_equal(ctr_status_decide(false, false, false), CTR_STATUS_STOPPED);
	assert_int_equal(ctr_status_decide(false, true, true), CTR_STATUS_STOPPED);
	assert_int_equal(ctr_status_decide(true, true, false), CTR_STATUS_PAUSED);
	assert_int_equal(ctr_status_decide(true, true, true), CTR_STATUS_PAUSED);
	assert_int_equal(ctr_status_decide(true, false, true), CTR_STATUS_CREATED);
	assert_int_equal(ctr_status_decide(true, false, false), CTR_STATUS_RUNNING);
	assert_string_equal(ctr_status_name(CTR_STATUS_CREATED), "created");
	assert_string_equal(ctr_status_name(CTR_STATUS_RUNNING), "running");
	assert_string_equal(ctr_status_name(CTR_STATUS_PAUSED), "paused");
	assert_string_equal(ctr_status_name(CTR_STATUS_STOPPED), "stopped");
}

static void test_round_trip(void **state)
{
	struct ctr_saved in = sample(), out;
	struct isolab_error err = { 0 };
	char *text;

	(void)state;
	in.annotations = cJSON_Parse("{\"org.example/a\":\"1\",\"b\":\"x\\\"y\"}");
	text = ctr_saved_to_json(&in);
	assert_non_null(text);
	assert_int_equal(ctr_saved_from_json(text, &out, &err), 0);
	assert_string_equal(out.id, "web");
	assert_int_equal(out.pid, 4242);
	assert_true(out.start == 5201377);
	assert_true(out.pidns == 4026531836ull);
	assert_string_equal(out.bundle, "/b/web");
	assert_string_equal(out.rootfs, "/b/web/rootfs");
	assert_string_equal(out.created, "2026-12-02T04:11:19.196908437Z");
	assert_string_equal(out.cgroup_path, "/libpod_parent/libpod-web");
	assert_int_equal(out.cgmode, CTR_CGROUP_HYBRID);
	assert_non_null(out.annotations);
	assert_string_equal(cJSON_GetObjectItem(out.annotations, "b")->valuestring, "x\"y");
	free(text);
	ctr_saved_free(&in);
	ctr_saved_free(&out);
	assert_null(out.annotations);
}

static void test_bad_records(void **state)
{
	struct isolab_error err = { 0 };
	struct ctr_saved out;

	(void)state;
	assert_int_equal(ctr_saved_from_json("{\"id\":\"web\"}", &out, &err), -EINVAL);
	assert_string_equal(err.msg, "state.json: `pid`: missing or not a number");
	assert_int_equal(ctr_saved_from_json("{\"id\":\"web\",\"pid\":-1}", &out, &err), -EINVAL);
	assert_string_equal(err.msg, "state.json: `pid`: missing or not a number");
	assert_int_equal(ctr_saved_from_json("{\"id\":\"web\",\"pid\":1,\"start\":2,\"pidns\":3,"
					     "\"bundle\":\"/b\",\"rootfs\":\"/r\",\"created\":\"t\","
					     "\"cgroupParent\":\"p\",\"cgroupMode\":\"v3\"}",
					     &out, &err),
			 -EINVAL);
	assert_string_equal(err.msg, "state.json: `cgroupMode`: `v3` is not v1, hybrid or v2");
	/* an earlier version's cgroupParent: the parent of a cgroup named after the id */
	assert_int_equal(ctr_saved_from_json("{\"id\":\"web\",\"pid\":1,\"start\":2,\"pidns\":3,"
					     "\"bundle\":\"/b\",\"rootfs\":\"/r\",\"created\":\"t\","
					     "\"cgroupParent\":\"p/q\",\"cgroupMode\":\"v2\"}",
					     &out, &err),
			 0);
	assert_string_equal(out.cgroup_path, "/p/q/web");
	ctr_saved_free(&out);
	assert_int_equal(ctr_saved_from_json("{\"id\":\"web\",\"pid\":1,\"start\":2,\"pidns\":3,"
					     "\"bundle\":\"/b\",\"rootfs\":\"/r\",\"created\":\"t\","
					     "\"cgroupMode\":\"v2\"}",
					     &out, &err),
			 -EINVAL);
	assert_string_equal(err.msg, "state.json: `cgroupPath`: missing or not a string");
	assert_int_equal(ctr_saved_from_json("{\"id\":\"../x\",\"pid\":1,\"start\":2,\"pidns\":3,"
					     "\"bundle\":\"/b\",\"rootfs\":\"/r\",\"created\":\"t\","
					     "\"cgroupParent\":\"p\",\"cgroupMode\":\"v2\"}",
					     &out, &err),
			 -EINVAL);
	assert_string_equal(err.msg, "state.json: `id`: invalid");
	assert_int_equal(ctr_saved_from_json("{", &out, &err), -EINVAL);
}

/* Byte for byte what `runc state` prints (Go's MarshalIndent, no final
 * newline), and `runc list --format json`'s one-line form. */
static void test_oci_state_as_runc_prints_it(void **state)
{
	struct ctr_saved s = sample();
	char *text;

	(void)state;
	text = ctr_saved_oci_state(&s, CTR_STATUS_RUNNING, "", true);
	assert_string_equal(text, "{\n"
				  "  \"ociVersion\": \"1.1.0\",\n"
				  "  \"id\": \"web\",\n"
				  "  \"pid\": 4242,\n"
				  "  \"status\": \"running\",\n"
				  "  \"bundle\": \"/b/web\",\n"
				  "  \"rootfs\": \"/b/web/rootfs\",\n"
				  "  \"created\": \"2026-12-02T04:11:19.196908437Z\",\n"
				  "  \"owner\": \"\"\n"
				  "}");
	free(text);
	/* stopped: pid 0; annotations last, escaped */
	s.annotations = cJSON_Parse("{\"a\":\"1\",\"q\\\"\":\"\\n\"}");
	text = ctr_saved_oci_state(&s, CTR_STATUS_STOPPED, "root", false);
	assert_string_equal(text, "{\"ociVersion\":\"1.1.0\",\"id\":\"web\",\"pid\":0,\"status\":\"stopped\","
				  "\"bundle\":\"/b/web\",\"rootfs\":\"/b/web/rootfs\","
				  "\"created\":\"2026-12-02T04:11:19.196908437Z\",\"owner\":\"root\","
				  "\"annotations\":{\"a\":\"1\",\"q\\\"\":\"\\n\"}}");
	free(text);
	text = ctr_saved_oci_state(&s, CTR_STATUS_CREATED, "", true);
	assert_non_null(strstr(text, "  \"owner\": \"\",\n  \"annotations\": {\n    \"a\": \"1\",\n"
				     "    \"q\\\"\": \"\\n\"\n  }\n}"));
	cJSON *doc = cJSON_Parse(text);
	assert_non_null(doc);
	assert_string_equal(cJSON_GetObjectItem(doc, "status")->valuestring, "created");
	cJSON_Delete(doc);
	free(text);
	ctr_saved_free(&s);
}

/* runc list's table (text/tabwriter, minwidth 12, padding 3). */
static void test_table(void **state)
{
	const char *cells[] = { "ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER",
				"h1x", "9159", "created", "/tmp/h1b", "2026-12-02T04:11:19.196908437Z",
				"root" };
	char *text;

	(void)state;
	text = ctr_table_format(cells, 6, 2);
	assert_string_equal(text,
			    "ID          PID         STATUS      BUNDLE      CREATED                          OWNER\n"
			    "h1x         9159        created     /tmp/h1b    2026-12-02T04:11:19.196908437Z   root\n");
	free(text);
	text = ctr_table_format(cells, 6, 1);
	assert_string_equal(text, "ID          PID         STATUS      BUNDLE      CREATED     OWNER\n");
	free(text);
	assert_null(ctr_table_format(cells, 0, 1));
}

/* The file's side, in a temporary directory: written atomically, read
 * back, a missing one in runc's words. */
static void test_write_and_read(void **state)
{
	char root[] = "/tmp/test_state.XXXXXX", dir[64], moved[64];
	struct isolab_error err = { 0 };
	struct ctr_saved s = sample(), back;

	(void)state;
	assert_non_null(mkdtemp(root));
	assert_int_equal(ctr_saved_read(root, "web", &back, &err), -ENOENT);
	assert_string_equal(err.msg, "container `web` does not exist");
	assert_int_equal(ctr_saved_read(root, ".x", &back, &err), -EINVAL);
	snprintf(dir, sizeof(dir), "%s/web", root);
	assert_int_equal(mkdir(dir, 0700), 0);
	assert_int_equal(ctr_saved_write(root, &s, &err), 0);
	assert_int_equal(ctr_saved_read(root, "web", &back, &err), 0);
	assert_int_equal(back.pid, 4242);
	ctr_saved_free(&back);
	/* a record that names another container is refused */
	snprintf(dir, sizeof(dir), "%s/other", root);
	assert_int_equal(mkdir(dir, 0700), 0);
	strcpy(s.id, "other");
	assert_int_equal(ctr_saved_write(root, &s, &err), 0);
	snprintf(moved, sizeof(moved), "%s/web2", root);
	assert_int_equal(rename(dir, moved), 0);
	assert_int_equal(ctr_saved_read(root, "web2", &back, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "holds the state of `other`"));
	assert_int_equal(isolab_rm_rf(root), 0);
}

/* Alive: this very process, with its real start time; stopped once the
 * start time differs (the pid was reused) or the pid is gone. */
static void test_alive(void **state)
{
	struct ctr_saved s = sample();
	char text[1024], st;
	struct stat ns;

	(void)state;
	assert_int_equal(isolab_read_text("/proc/self/stat", text, sizeof(text)), 0);
	assert_int_equal(ctr_proc_stat_parse(text, &st, &s.start), 0);
	assert_int_equal(stat("/proc/self/ns/pid", &ns), 0);
	s.pidns = ns.st_ino;
	s.pid = (int)getpid();
	assert_true(ctr_saved_alive(&s));
	s.start++;
	assert_false(ctr_saved_alive(&s));
	s.start--;
	s.pid = 4194303; /* above any pid_max in use here */
	assert_false(ctr_saved_alive(&s));
	s.pidns++; /* another pid namespace's number: not judged */
	assert_true(ctr_saved_alive(&s));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_status_rule),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_bad_records),
		cmocka_unit_test(test_oci_state_as_runc_prints_it),
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_write_and_read),
		cmocka_unit_test(test_alive),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
