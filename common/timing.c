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

/*
 * The civil date of a day count since 1970-01-01 (Howard Hinnant's
 * days_from_civil inverse, public domain). gmtime_r() would do, but glibc's
 * reads /etc/localtime first (tzset), which the engine's `run` pays before
 * every container for a timestamp that is UTC anyway.
 */
static void civil_from_days(long long z, long long *y, unsigned *m, unsigned *d)
{
	z += 719468;
	long long era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;

	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (long long)yoe + era * 400 + (*m <= 2);
}

void isolab_rfc3339(const struct timespec *ts, char *buf, size_t size)
{
	long long days = ts->tv_sec / 86400, secs = ts->tv_sec % 86400, y;
	unsigned m, d;

	if (secs < 0) {
		secs += 86400;
		days--;
	}
	civil_from_days(days, &y, &m, &d);
	snprintf(buf, size, "%04lld-%02u-%02uT%02lld:%02lld:%02lld.%09ldZ", y, m, d, secs / 3600,
		 secs / 60 % 60, secs % 60, ts->tv_nsec);
}

void isolab_now_rfc3339(char *buf, size_t size)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	isolab_rfc3339(&ts, buf, size);
}
