/*
 * jsonfile.h: cJSON documents (and other text) to and from files.
 *
 * isolab_json_write_atomic() writes to "PATH.tmp.PID", fsyncs, then renames
 * over PATH, so a reader (or an interrupted run) never sees half a file.
 */
#ifndef ISOLAB_COMMON_JSONFILE_H
#define ISOLAB_COMMON_JSONFILE_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include "common/error.h"

int isolab_json_write_atomic(const char *path, const cJSON *doc,
			     struct isolab_error *err);

/* The same for any text (a report, a gnuplot script): PATH appears whole or not at all. */
int isolab_text_write_atomic(const char *path, const char *text,
			     struct isolab_error *err);

/* The same, fsync'd only if sync: for records a crash may lose (they
 * describe processes a crash ends anyway) but must never leave half-written. */
int isolab_text_replace(const char *path, const char *text, bool sync,
			struct isolab_error *err);

/* Reads and parses PATH; *out must be freed with cJSON_Delete. */
int isolab_json_read(const char *path, cJSON **out, struct isolab_error *err);

/* Parses a whole in-memory text; a syntax error names `what` and the offset. */
int isolab_json_parse(const char *text, const char *what, cJSON **out,
		      struct isolab_error *err);

#endif
