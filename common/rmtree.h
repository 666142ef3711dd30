/*
 * rmtree.h: remove a directory tree (rm -rf) without following symbolic
 * links or crossing into other mounts: what is removed is only what lies
 * under path on its own file system.
 */
#ifndef ISOLAB_COMMON_RMTREE_H
#define ISOLAB_COMMON_RMTREE_H

/* Removes path and everything below it; a missing path is 0. 0, or the
 * -errno of the first entry that could not be removed (the rest is still
 * tried). */
int isolab_rm_rf(const char *path);

#endif
