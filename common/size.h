/*
 * size.h: parsing of human size strings shared by every command line
 * ("--mem 128M", "--memory 64m", "--bound 2G").
 *
 * Accepted: a decimal integer with an optional suffix k, m, g, t (either
 * case, optionally followed by "i" and/or "b", e.g. "64MiB"), binary
 * multiples (1k = 1024). No sign, no fraction, no overflow, nothing after
 * the suffix, nothing above ISOLAB_SIZE_MAX (1 PiB = 1024T): larger values
 * mean nothing for a VM or a cgroup, and 2^63 and up would turn negative
 * in the kernel's signed cgroup v1 counters or mean "max" in v2's.
 */
#ifndef ISOLAB_COMMON_SIZE_H
#define ISOLAB_COMMON_SIZE_H

#include <stddef.h>
#include <stdint.h>
#include "common/error.h"

#define ISOLAB_SIZE_MAX (1ull << 50)

/* Returns 0 and sets *bytes, or -EINVAL naming `what` in err. */
int isolab_parse_size(const char *text, const char *what, uint64_t *bytes,
		      struct isolab_error *err);

/* bytes for people: "912 B", "1.5 KiB", "3.2 MiB", "163 MiB" (binary
 * units; one decimal under 10). The one formatter every program uses. */
void isolab_format_size(uint64_t bytes, char *buf, size_t size);

/* Parses a non-negative decimal integer no larger than max. */
int isolab_parse_uint(const char *text, const char *what, uint64_t max,
		      uint64_t *value, struct isolab_error *err);

#endif
