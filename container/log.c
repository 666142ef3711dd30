/* log.c: runc-style log lines, text or JSON (see log.h). */
#include "container/log.h"
#include "common/timing.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const char *const level_names[] = {
	[CTR_LOG_DEBUG] = "debug", [CTR_LOG_WARNING] = "warning", [CTR_LOG_ERROR] = "error",
};

int ctr_log_format_from_name(const char *name, enum ctr_log_format *format)
{
	if (strcmp(name, "text") == 0)
		*format = CTR_LOG_TEXT;
	else if (strcmp(name, "json") == 0)
		*format = CTR_LOG_JSON;
	else
		return -EINVAL;
	return 0;
}

/* msg quoted as Go's %q does for what logrus' text format writes. */
static size_t quote(char *buf, size_t len, const char *msg)
{
	size_t n = 0;

	if (len < 3)
		return 0;
	buf[n++] = '"';
	for (const unsigned char *p = (const unsigned char *)msg; *p; p++) {
		char esc[8];
		size_t elen;

		if (*p == '"' || *p == '\\')
			elen = (size_t)snprintf(esc, sizeof(esc), "\\%c", *p);
		else if (*p == '\n')
			elen = (size_t)snprintf(esc, sizeof(esc), "\\n");
		else if (*p == '\t')
			elen = (size_t)snprintf(esc, sizeof(esc), "\\t");
		else if (*p < 0x20 || *p == 0x7f)
			elen = (size_t)snprintf(esc, sizeof(esc), "\\x%02x", *p);
		else
			elen = (size_t)snprintf(esc, sizeof(esc), "%c", *p);
		if (n + elen + 2 > len)
			break; /* room for the closing quote and the NUL */
		memcpy(buf + n, esc, elen);
		n += elen;
	}
	buf[n++] = '"';
	buf[n] = '\0';
	return n;
}

static size_t json_line(char *buf, size_t len, const char *level, const char *msg,
			const char *time_text)
{
	cJSON *o = cJSON_CreateObject();
	char cut[ISOLAB_ERROR_MSG_MAX];
	size_t n = 0;

	/* logrus' JSONFormatter: the keys in this (sorted) order. */
	snprintf(cut, sizeof(cut), "%s", msg);
	if (o != NULL && cJSON_AddStringToObject(o, "level", level) != NULL &&
	    cJSON_AddStringToObject(o, "msg", cut) != NULL &&
	    cJSON_AddStringToObject(o, "time", time_text) != NULL &&
	    cJSON_PrintPreallocated(o, buf, (int)(len - 1), false))
		n = strlen(buf);
	cJSON_Delete(o);
	if (n == 0) /* out of memory, or buf too small: still one valid line */
		n = (size_t)snprintf(buf, len - 1, "{\"level\":\"%s\",\"msg\":\"\",\"time\":\"%s\"}",
				     level, time_text);
	return n;
}

size_t ctr_log_format_line(char *buf, size_t len, enum ctr_log_format format,
			   enum ctr_log_level level, const char *msg, const char *time_text)
{
	const char *name = level_names[level];
	size_t n;

	if (len < 128 || strlen(time_text) > 40)
		return 0;
	if (format == CTR_LOG_JSON) {
		n = json_line(buf, len, name, msg, time_text);
	} else {
		n = (size_t)snprintf(buf, len, "time=\"%s\" level=%s msg=", time_text, name);
		n += quote(buf + n, len - n - 1, msg);
	}
	buf[n++] = '\n';
	buf[n] = '\0';
	return n;
}

int ctr_log_open(struct ctr_log *log, const char *path, enum ctr_log_format format, bool debug,
		 struct isolab_error *err)
{
	log->fd = -1;
	log->format = format;
	log->debug = debug;
	if (path == NULL)
		return 0;
	log->fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0644);
	if (log->fd < 0)
		return isolab_error_errno(err, -errno, "--log `%s`", path);
	return 0;
}

void ctr_log_write(const struct ctr_log *log, enum ctr_log_level level, const char *msg)
{
	char line[8 * ISOLAB_ERROR_MSG_MAX]; /* room for every byte escaped */
	char now[48];
	size_t n;

	if (log->fd < 0 || (level == CTR_LOG_DEBUG && !log->debug))
		return;
	isolab_now_rfc3339(now, sizeof(now));
	n = ctr_log_format_line(line, sizeof(line), log->format, level, msg, now);
	/* One write with O_APPEND: lines of concurrent runtimes never mix. */
	if (write(log->fd, line, n) < 0)
		return; /* nowhere left to say it */
}

void ctr_log_close(struct ctr_log *log)
{
	if (log->fd >= 0)
		close(log->fd);
	log->fd = -1;
}
