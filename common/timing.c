/* timing.c: CLOCK_MONOTONIC helpers (see timing.h). */
#include "common/timing.h"

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
