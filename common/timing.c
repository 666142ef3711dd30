/* timing.c: CLOCK_MONOTONIC helpers (see timing.h). */
#include "common/timing.h"
#include <stdio.h>

#include <time.h>

static uint64_t process_start_ns;

uint64_t isolab_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

__attribute__((constructor)) static void record_process_start(void)
{
	process_start_ns = isolab_now_ns();
}

uint64_t isolab_process_start_ns(void)
{
	return process_start_ns;
}

uint64_t isolab_since_start_ns(void)
{
	return isolab_now_ns() - process_start_ns;
}

void isolab_now_rfc3339(char *buf, size_t size)
{
	struct timespec ts;
	struct tm tm;
	char base[32];

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(base, sizeof(base), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf, size, "%s.%09ldZ", base, ts.tv_nsec);
}
