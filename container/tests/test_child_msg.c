/* test_child_msg.c: the child's error report to the runtime carries its
 * errno (container/child_msg.c), and the exec helper's failures
 * (container/exec_cmd.c) give the errno and exit status that cross it. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "container/child_msg.h"
#include "container/exec_cmd.h"
#include "container/reap.h"

static void test_report_round_trip(void **state)
{
	struct isolab_error sent = { 0 }, got = { 0 };
	struct ctr_child_msg m;

	(void)state;
	isolab_error_errno(&sent, -ENOENT, "exec `x`");
	ctr_child_msg_from_error(&m, CTR_EXIT_NOTFOUND, &sent);
	assert_int_equal(m.type, MSG_ERROR);
	assert_int_equal(m.status, CTR_EXIT_NOTFOUND);
	assert_int_equal(m.code, -ENOENT);
	assert_int_equal(ctr_child_msg_to_error(&m, &got), -ENOENT);
	assert_int_equal(got.code, -ENOENT);
	assert_string_equal(got.msg, "exec `x`: No such file or directory");

	/* a report without an errno (or a wrong one) still reads as an error */
	m.code = 0;
	assert_int_equal(ctr_child_msg_to_error(&m, &got), -EIO);
	m.code = 12345;
	assert_int_equal(ctr_child_msg_to_error(&m, &got), -EIO);
	m.code = -5000;
	assert_int_equal(ctr_child_msg_to_error(&m, &got), -EIO);
	/* an unterminated text is cut at its end, not read past it */
	memset(m.text, 'a', sizeof(m.text));
	m.code = -EPERM;
	assert_int_equal(ctr_child_msg_to_error(&m, &got), -EPERM);
	assert_int_equal(strlen(got.msg), sizeof(got.msg) - 1);
}

/* Over a real SOCK_SEQPACKET pair, as run.c reads it: one datagram, whole. */
static void test_report_over_the_socket(void **state)
{
	struct isolab_error sent = { 0 }, got = { 0 };
	struct ctr_child_msg m, r;
	int sv[2];

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
	isolab_error_errno(&sent, -EACCES, "exec `/etc/passwd`");
	ctr_child_msg_from_error(&m, CTR_EXIT_NOEXEC, &sent);
	ctr_child_send(sv[1], &m);
	close(sv[1]);
	assert_int_equal(recv(sv[0], &r, sizeof(r), 0), (ssize_t)sizeof(r));
	assert_int_equal(ctr_child_msg_to_error(&r, &got), -EACCES);
	assert_int_equal(r.status, CTR_EXIT_NOEXEC);
	assert_string_equal(got.msg, "exec `/etc/passwd`: Permission denied");
	assert_int_equal(recv(sv[0], &r, sizeof(r), 0), 0); /* EOF */
	close(sv[0]);
}

/* What the exec helper reports for a program that cannot run. */
static void test_exec_failures_errno_and_status(void **state)
{
	char *const envp[] = { "PATH=/nonexistent-isolab:/also-not-there", NULL };
	char *missing[] = { "no-such-program-isolab", NULL };
	char *abs_missing[] = { "/nonexistent-isolab/prog", NULL };
	char *dir[] = { "/", NULL };
	struct isolab_error err = { 0 };

	(void)state;
	assert_int_equal(ctr_exec_command(missing, envp, &err), CTR_EXIT_NOTFOUND);
	assert_int_equal(err.code, -ENOENT);
	assert_string_equal(err.msg, "exec `no-such-program-isolab`: command not found in PATH");
	assert_int_equal(ctr_exec_command(abs_missing, envp, &err), CTR_EXIT_NOTFOUND);
	assert_int_equal(err.code, -ENOENT);
	assert_string_equal(err.msg, "exec `/nonexistent-isolab/prog`: No such file or directory");
	assert_int_equal(ctr_exec_command(dir, envp, &err), CTR_EXIT_NOEXEC);
	assert_int_equal(err.code, -EACCES);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_report_round_trip),
		cmocka_unit_test(test_report_over_the_socket),
		cmocka_unit_test(test_exec_failures_errno_and_status),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
