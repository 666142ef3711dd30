/*
 * cleanup.h: scope-bound release of fds and heap memory through
 * __attribute__((cleanup)), as crun does, so an early return cannot leak.
 *
 *     _cleanup_close_ int fd = open(...);
 *     _cleanup_free_ char *buf = malloc(...);
 *
 * To hand a resource on, set the variable to -1 / NULL first, or for an
 * fd: return isolab_take_fd(&fd);
 */
#ifndef ISOLAB_COMMON_CLEANUP_H
#define ISOLAB_COMMON_CLEANUP_H

#include <stdlib.h>
#include <unistd.h>

static inline void isolab_cleanup_close(int *fd)
{
	if (*fd >= 0)
		close(*fd);
}

static inline void isolab_cleanup_free(void *p)
{
	free(*(void **)p);
}

/* Returns *fd and leaves -1 in its place, so the cleanup does not close it. */
static inline int isolab_take_fd(int *fd)
{
	int taken = *fd;

	*fd = -1;
	return taken;
}

#define _cleanup_close_ __attribute__((cleanup(isolab_cleanup_close)))
#define _cleanup_free_  __attribute__((cleanup(isolab_cleanup_free)))

#endif
