/*
 * mkdir.h: mkdir -p, the one implementation every side uses (results
 * folders, container state and mount points).
 */
#ifndef ISOLAB_COMMON_MKDIR_H
#define ISOLAB_COMMON_MKDIR_H

#include <sys/types.h>

/* Creates the missing levels of path with mode; 0 or -errno. */
int isolab_mkdir_p(const char *path, mode_t mode);

#endif
