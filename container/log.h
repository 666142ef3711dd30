/*
 * log.h: runc's --log and --log-format, so a client that reads runc's log
 * (containerd reads it as JSON lines on a failure) reads isolab-ctr's.
 * Every error the command line prints (`isolab-ctr: <message>` on stderr)
 * and every warning also goes to the log file as one line, and with
 * --debug so do a few debug lines (to stderr when there is no log file):
 *
 *   text: time="2024-05-01T12:00:00.123456789Z" level=error msg="exec `x`: ..."
 *   json: {"level":"error","msg":"exec `x`: ...","time":"2024-05-01T12:00:00.123456789Z"}
 *
 * as runc's logrus writes them (level names "debug", "warning", "error";
 * time in RFC 3339, UTC, with nanoseconds: common/timing.h).
 */
#ifndef ISOLAB_CONTAINER_LOG_H
#define ISOLAB_CONTAINER_LOG_H

#include <stdbool.h>
#include <stddef.h>

#include "common/error.h"

enum ctr_log_format { CTR_LOG_TEXT, CTR_LOG_JSON };
enum ctr_log_level { CTR_LOG_DEBUG, CTR_LOG_WARNING, CTR_LOG_ERROR };

/* "text" or "json"; -EINVAL for anything else. Pure. */
int ctr_log_format_from_name(const char *name, enum ctr_log_format *format);

/* One log line for msg at time_text (RFC 3339), ending in '\n'; a
 * message too long for buf is cut short, the line stays whole. Returns
 * its length (0 when buf is under 128 bytes). Pure. */
size_t ctr_log_format_line(char *buf, size_t len, enum ctr_log_format format,
			   enum ctr_log_level level, const char *msg, const char *time_text);

struct ctr_log {
	int fd;            /* the --log file, or -1 */
	enum ctr_log_format format;
	bool debug;        /* --debug: debug lines too */
};

/* Opens path for appending (created 0644, close-on-exec); path NULL: no
 * log file. */
int ctr_log_open(struct ctr_log *log, const char *path, enum ctr_log_format format, bool debug,
		 struct isolab_error *err);

/* Appends one line at level (debug lines only with debug). */
void ctr_log_write(const struct ctr_log *log, enum ctr_log_level level, const char *msg);

void ctr_log_close(struct ctr_log *log);

#endif
