/* signals.c: signal names and numbers (see signals.h). */
#include "container/signals.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* signal(7), the x86 numbers glibc's <signal.h> gives; IOT, POLL and CLD
 * are other names for ABRT, IO and CHLD. */
static const struct {
	const char *name;
	int sig;
} names[] = {
	{ "HUP", SIGHUP },     { "INT", SIGINT },       { "QUIT", SIGQUIT },   { "ILL", SIGILL },
	{ "TRAP", SIGTRAP },   { "ABRT", SIGABRT },     { "IOT", SIGIOT },     { "BUS", SIGBUS },
	{ "FPE", SIGFPE },     { "KILL", SIGKILL },     { "USR1", SIGUSR1 },   { "SEGV", SIGSEGV },
	{ "USR2", SIGUSR2 },   { "PIPE", SIGPIPE },     { "ALRM", SIGALRM },   { "TERM", SIGTERM },
	{ "STKFLT", SIGSTKFLT }, { "CHLD", SIGCHLD },   { "CLD", SIGCHLD },    { "CONT", SIGCONT },
	{ "STOP", SIGSTOP },   { "TSTP", SIGTSTP },     { "TTIN", SIGTTIN },   { "TTOU", SIGTTOU },
	{ "URG", SIGURG },     { "XCPU", SIGXCPU },     { "XFSZ", SIGXFSZ },   { "VTALRM", SIGVTALRM },
	{ "PROF", SIGPROF },   { "WINCH", SIGWINCH },   { "IO", SIGIO },       { "POLL", SIGPOLL },
	{ "PWR", SIGPWR },     { "SYS", SIGSYS },
};

int ctr_signal_parse(const char *text, int *sig, struct isolab_error *err)
{
	const char *name = text;
	char *end;

	if (text[0] >= '0' && text[0] <= '9') {
		long n;

		errno = 0;
		n = strtol(text, &end, 10);
		if (errno != 0 || *end != '\0' || n < 1 || n > 64)
			return isolab_error_set(err, -EINVAL,
						"signal `%s`: not a signal number (1 to 64)", text);
		*sig = (int)n;
		return 0;
	}
	if (strncasecmp(name, "SIG", 3) == 0)
		name += 3;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (strcasecmp(name, names[i].name) == 0) {
			*sig = names[i].sig;
			return 0;
		}
	}
	return isolab_error_set(err, -EINVAL, "signal `%s`: unknown (e.g. TERM, SIGKILL, 9)", text);
}

const char *ctr_signal_name(int sig)
{
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].sig == sig)
			return names[i].name;
	return NULL;
}
