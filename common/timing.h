/*
 * timing.h: the one clock every isolab program measures with.
 *
 * All times are CLOCK_MONOTONIC nanoseconds. isolab_process_start_ns() is
 * taken by a constructor before main() runs, so "ns since the process
 * started" means since the program's own code first ran (the dynamic
 * loader's work before that is not included; see README, Method).
 */
#ifndef ISOLAB_COMMON_TIMING_H
#define ISOLAB_COMMON_TIMING_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

uint64_t isolab_now_ns(void);
uint64_t isolab_process_start_ns(void);
/* isolab_now_ns() - isolab_process_start_ns() */
uint64_t isolab_since_start_ns(void);

/* Now as RFC 3339 in UTC with nanoseconds ("2026-12-02T01:45:03.123456789Z"),
 * as image configs and records write times. */
void isolab_now_rfc3339(char *buf, size_t size);
/* ts the same way (without reading the time zone, as gmtime_r would). */
void isolab_rfc3339(const struct timespec *ts, char *buf, size_t size);

#endif
