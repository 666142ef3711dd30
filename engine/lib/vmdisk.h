/*
 * vmdisk.h: an image's root file system as a disk for `isolab run --vm`:
 * its layers flattened (an overlay mount of them, lowest first, in a
 * private mount namespace: whiteouts and opaque directories applied by
 * the kernel, as a container sees them) into an ext4 image made by
 * e2fsprogs' `mkfs.ext4 -d`. Cached in the store by image ID,
 *   ROOT/vmdisks/HEX.ext4    (HEX: the image ID's digest)
 * written to ROOT/tmp first and renamed into place when complete, so a
 * second run of the image builds nothing; booted read-only, so the cache
 * is never modified.
 */
#ifndef ISOLAB_ENGINE_VMDISK_H
#define ISOLAB_ENGINE_VMDISK_H

#include <stdbool.h>
#include <stdint.h>

#include "common/error.h"
#include "engine/lib/image.h"

/* The disk's size for a tree of `bytes` bytes in `inodes` entries: the
 * content rounded to 4 KiB blocks, a quarter more, and 16 MiB for ext4's
 * own metadata; its inode count a quarter more than the tree's and at
 * least 1024. Pure. */
void eng_vmdisk_size(uint64_t bytes, uint64_t inodes, uint64_t *disk_bytes,
		     uint64_t *disk_inodes);

/* The cache file of img (buf of PATH_MAX). */
void eng_vmdisk_path(const struct eng_store *s, const struct eng_image *img, char *buf);

/* The disk of img: the cached one, else built (needs root: a mount
 * namespace and an overlay mount; mkfs.ext4 on PATH or in /sbin).
 * *built says which. The store should be locked exclusively. */
int eng_vmdisk_get(const struct eng_store *s, const struct eng_image *img, char *path,
		   bool *built, struct isolab_error *err);

#endif
