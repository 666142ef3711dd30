/*
 * layer_pack.h: a directory packed into a layer blob (a gzip'd PAX tar,
 * image-spec layer.md), deterministically, with both digests.
 *
 * The same tree always gives the same bytes: entries in depth-first order
 * with each directory's names sorted bytewise, numeric owners only, no
 * atime/ctime, gzip without a name or a time (zlib's defaults). Hard links
 * stay links; xattrs follow tarpath.h's rules (user.*, trusted.*,
 * security.capability). Symlinks are never followed; sockets are skipped.
 *
 * For `isolab import` of a rootfs tarball, the intended path is
 * eng_layer_unpack() of the tarball (every entry checked), then
 * eng_layer_pack() of the result: the unpacked dir is also what the store
 * keeps for that layer.
 */
#ifndef ISOLAB_ENGINE_LAYER_PACK_H
#define ISOLAB_ENGINE_LAYER_PACK_H

#include "common/error.h"
#include "engine/lib/layer_unpack.h" /* struct eng_layer_digests */

enum eng_pack_mode {
	/* A plain tree: what is there goes in (a char device 0/0 too). */
	ENG_PACK_ROOTFS,
	/* An overlayfs upper dir (what `isolab-ctr --keep-layer` keeps):
	 * char 0/0 nodes become `.wh.NAME` entries, a directory with
	 * trusted.overlay.opaque=y gets a `.wh..wh..opq` entry, other
	 * overlay xattrs are dropped; a redirect or metacopy (which need the
	 * lower layers to mean anything) is refused. */
	ENG_PACK_OVERLAY_UPPER,
};

/* Packs directory src (its content; the root's own metadata is not an
 * entry) into a gzip'd tar written to fd; out (may be NULL) gets both
 * digests and sizes. A name starting with `.wh.` in src is refused in
 * either mode: the tar would mean a whiteout. */
int eng_layer_pack(const char *src, int fd, enum eng_pack_mode mode,
		   struct eng_layer_digests *out, struct isolab_error *err);

#endif
