/*
 * error.h: the one error type carried up the stack (after crun's
 * libcrun_error_t).
 *
 * A failing function returns a negative errno-style code and fills a
 * struct isolab_error whose message names the object and the operation,
 * e.g. "mount `/proc`: Operation not permitted". Callers may prefix more
 * context with isolab_error_wrap(). Only main() prints the message and
 * chooses the exit status; library code never calls exit().
 */
#ifndef ISOLAB_COMMON_ERROR_H
#define ISOLAB_COMMON_ERROR_H

#include <stddef.h>

#define ISOLAB_ERROR_MSG_MAX 512

struct isolab_error {
	int code;                          /* negative errno, or 0 if unset */
	char msg[ISOLAB_ERROR_MSG_MAX];
};

/* Sets err (if not NULL) and returns code (negative); fmt is printf-like. */
int isolab_error_set(struct isolab_error *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Like isolab_error_set, with ": strerror(-code)" appended. */
int isolab_error_errno(struct isolab_error *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Prefixes "context: " to the existing message; returns err->code. */
int isolab_error_wrap(struct isolab_error *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
