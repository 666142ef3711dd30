/* test_signals.c: signal names and numbers as `kill` takes them (container/signals.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <signal.h>
#include <string.h>

#include "container/signals.h"

static int parsed(const char *text)
{
	struct isolab_error err = { 0 };
	int sig = -1;

	assert_int_equal(ctr_signal_parse(text, &sig, &err), 0);
	return sig;
}

static void test_names_with_and_without_sig(void **state)
{
	(void)state;
	assert_int_equal(parsed("TERM"), SIGTERM);
	assert_int_equal(parsed("SIGTERM"), SIGTERM);
	assert_int_equal(parsed("sigterm"), SIGTERM);
	assert_int_equal(parsed("KILL"), SIGKILL);
	assert_int_equal(parsed("SIGUSR1"), SIGUSR1);
	assert_int_equal(parsed("HUP"), SIGHUP);
	assert_int_equal(parsed("SIGWINCH"), SIGWINCH);
	assert_int_equal(parsed("CLD"), SIGCHLD);
	assert_int_equal(parsed("IOT"), SIGABRT);
}

static void test_numbers(void **state)
{
	(void)state;
	assert_int_equal(parsed("9"), 9);
	assert_int_equal(parsed("15"), 15);
	assert_int_equal(parsed("64"), 64);
}

static void test_refused(void **state)
{
	struct isolab_error err = { 0 };
	int sig = -1;

	(void)state;
	assert_int_equal(ctr_signal_parse("SIGFOO", &sig, &err), -EINVAL);
	assert_string_equal(err.msg, "signal `SIGFOO`: unknown (e.g. TERM, SIGKILL, 9)");
	assert_int_equal(ctr_signal_parse("SIG", &sig, &err), -EINVAL);
	assert_int_equal(ctr_signal_parse("0", &sig, &err), -EINVAL);
	assert_string_equal(err.msg, "signal `0`: not a signal number (1 to 64)");
	assert_int_equal(ctr_signal_parse("65", &sig, &err), -EINVAL);
	assert_int_equal(ctr_signal_parse("9x", &sig, &err), -EINVAL);
	assert_int_equal(ctr_signal_parse("99999999999999999999", &sig, &err), -EINVAL);
	assert_int_equal(sig, -1);
}

static void test_names_back(void **state)
{
	(void)state;
	assert_string_equal(ctr_signal_name(SIGTERM), "TERM");
	assert_string_equal(ctr_signal_name(SIGKILL), "KILL");
	assert_null(ctr_signal_name(40));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names_with_and_without_sig),
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_names_back),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
