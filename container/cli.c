/* cli.c: what the commands say, on stderr and in the log (see cli.h). */
#include "container/cli.h"

#include "container/reap.h"

#include <stdarg.h>
#include <stdio.h>

void ctr_cli_say(const struct ctr_cli *cli, enum ctr_log_level level, const char *msg)
{
	fprintf(stderr, "isolab-ctr: %s\n", msg);
	ctr_log_write(&cli->log, level, msg);
}

void ctr_cli_error(const struct ctr_cli *cli, const char *msg)
{
	ctr_cli_say(cli, CTR_LOG_ERROR, msg);
}

int ctr_cli_fail(const struct ctr_cli *cli, const struct isolab_error *err)
{
	ctr_cli_error(cli, err->msg);
	return CTR_EXIT_RUNTIME;
}

void ctr_cli_warn(const struct ctr_cli *cli, const char *msg)
{
	fprintf(stderr, "isolab-ctr: warning: %s\n", msg);
	ctr_log_write(&cli->log, CTR_LOG_WARNING, msg);
}

void ctr_cli_debug(const struct ctr_cli *cli, const char *fmt, ...)
{
	char msg[ISOLAB_ERROR_MSG_MAX];
	va_list ap;

	if (!cli->log.debug)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap); // NOLINT(clang-analyzer-valist.Uninitialized)
	va_end(ap);
	if (cli->log.fd >= 0)
		ctr_log_write(&cli->log, CTR_LOG_DEBUG, msg);
	else
		fprintf(stderr, "isolab-ctr: debug: %s\n", msg);
}
