/*
 * layer_unpack.h: a layer blob (a tar, usually gzip'd: image-spec
 * layer.md) unpacked into the directory the store mounts as an overlayfs
 * lower dir, with both of its digests computed on the way.
 *
 * The layer is hostile: every entry passes tarpath.h's rules first;
 * everything is created relative to directory fds with no symlink ever
 * followed (openat2 RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS, O_NOFOLLOW);
 * the uncompressed size and the entry count are bounded. Whiteouts become
 * overlayfs's form: `.wh.NAME` a char device 0/0 named NAME,
 * `.wh..wh..opq` the xattr trusted.overlay.opaque=y on its directory.
 * libarchive only reads entries here; it never writes to the disk.
 */
#ifndef ISOLAB_ENGINE_LAYER_UNPACK_H
#define ISOLAB_ENGINE_LAYER_UNPACK_H

#include <stdint.h>

#include "common/error.h"
#include "engine/lib/digest.h"

/* Defaults for a limit left 0 (or for lim == NULL). */
#define ENG_UNPACK_DEFAULT_MAX_BYTES (16ull << 30)  /* 16 GiB */
#define ENG_UNPACK_DEFAULT_MAX_ENTRIES (1u << 20)   /* 1 Mi entries */

struct eng_unpack_limits {
	/* Bound on the uncompressed tar (a gzip bomb) and, separately, on the
	 * holes of sparse files in all (a tiny tar with a 16 TiB file). */
	uint64_t max_bytes;
	uint64_t max_entries; /* tar entries, whiteouts and directories included */
};

/* A layer's two names (image-spec config.md "rootfs.diff_ids"): the blob
 * digest covers the bytes as stored (gzip'd), the diff ID the tar. */
struct eng_layer_digests {
	struct eng_digest blob;
	struct eng_digest diff_id;
	uint64_t blob_size, tar_size;
};

/*
 * Reads a layer (gzip'd or plain tar, told apart by the gzip magic bytes)
 * from fd up to its end and unpacks it into dest, which must not exist:
 * everything goes into a fresh sibling temp dir (".DEST.tmp-XXXXXX"),
 * renamed to dest only when the whole layer was good; on any error
 * nothing is left. out (may be NULL) gets both digests and sizes. Needs
 * root (owners, device nodes, trusted.* xattrs).
 */
int eng_layer_unpack(int fd, const char *dest, const struct eng_unpack_limits *lim,
		     struct eng_layer_digests *out, struct isolab_error *err);

#endif
