/* error.c: formatting for the shared error type (see error.h). */
#include "common/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static __attribute__((format(printf, 2, 0))) void set_message(struct isolab_error *err,
								const char *fmt, va_list ap)
{
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap); // NOLINT(clang-analyzer-valist.Uninitialized)
}

int isolab_error_set(struct isolab_error *err, int code, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return code;
	va_start(ap, fmt);
	set_message(err, fmt, ap);
	va_end(ap);
	err->code = code;
	return code;
}

int isolab_error_errno(struct isolab_error *err, int code, const char *fmt, ...)
{
	va_list ap;
	size_t len;

	if (err == NULL)
		return code;
	va_start(ap, fmt);
	set_message(err, fmt, ap);
	va_end(ap);
	len = strlen(err->msg);
	snprintf(err->msg + len, sizeof(err->msg) - len, ": %s", strerror(-code));
	err->code = code;
	return code;
}

int isolab_error_wrap(struct isolab_error *err, const char *fmt, ...)
{
	char prefix[ISOLAB_ERROR_MSG_MAX];
	char old[ISOLAB_ERROR_MSG_MAX];
	va_list ap;

	if (err == NULL)
		return -1;
	va_start(ap, fmt);
	vsnprintf(prefix, sizeof(prefix), fmt, ap); // NOLINT(clang-analyzer-valist.Uninitialized)
	va_end(ap);
	memcpy(old, err->msg, sizeof(old));
	/* A message longer than the buffer is cut; that is acceptable. */
	if (snprintf(err->msg, sizeof(err->msg), "%s: %s", prefix, old) >= (int)sizeof(err->msg))
		err->msg[sizeof(err->msg) - 1] = '\0';
	return err->code;
}
