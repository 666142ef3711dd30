/*
 * tarpath.h: the rules a layer's tar entries must follow before anything
 * touches the disk (pure: no system calls, unit-tested and fuzzed).
 *
 * A layer (image-spec layer.md) comes from a registry or a user's tarball
 * and is hostile until checked: its entry names, link targets and xattrs
 * are normalised or refused here; layer_unpack.c then only applies what
 * passed. Every refusal reads "layer entry `NAME`: why", NAME shown with
 * unprintable bytes as '?' and cut after ENG_TARPATH_SHOW_MAX bytes.
 */
#ifndef ISOLAB_ENGINE_TARPATH_H
#define ISOLAB_ENGINE_TARPATH_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"

/* A normalised name has fewer than PATH_MAX bytes, components of at most
 * NAME_MAX bytes, and at most ENG_TARPATH_MAX_DEPTH components. */
#define ENG_TARPATH_MAX_DEPTH 128
/* How much of a hostile name a message shows. */
#define ENG_TARPATH_SHOW_MAX 160

/* image-spec layer.md, "Whiteouts": a deleted NAME is an entry `.wh.NAME`
 * in the same directory; `.wh..wh..opq` makes its directory opaque; other
 * `.wh..wh.` names are reserved. */
#define ENG_WHITEOUT_PREFIX ".wh."
#define ENG_WHITEOUT_META_PREFIX ".wh..wh."
#define ENG_WHITEOUT_OPAQUE ".wh..wh..opq"

/* Documentation/filesystems/overlayfs.rst: an opaque directory carries
 * this xattr with the value "y"; a whiteout is a char device 0/0. */
#define ENG_OVERLAY_OPAQUE_XATTR "trusted.overlay.opaque"

/* Linux XATTR_NAME_MAX and XATTR_SIZE_MAX (include/uapi/linux/limits.h). */
#define ENG_XATTR_NAME_MAX 255
#define ENG_XATTR_VALUE_MAX 65536

/*
 * Normalises the tar entry name (name, len): leading "./" stripped, "//"
 * and "." components collapsed, trailing "/" dropped. The layer root
 * itself ("." or "./") becomes ".". Refused (-EINVAL): empty, absolute,
 * a ".." component, a NUL byte, PATH_MAX bytes or more, a component over
 * NAME_MAX, more than ENG_TARPATH_MAX_DEPTH components. out has size bytes
 * (PATH_MAX is always enough).
 */
int eng_tarpath_normalize(const char *name, size_t len, char *out, size_t size,
			  struct isolab_error *err);

/* What a normalised entry name means for overlayfs. */
enum eng_tarpath_kind {
	ENG_TARPATH_PLAIN,    /* an ordinary file, directory, link... */
	ENG_TARPATH_WHITEOUT, /* `dir/.wh.NAME`: NAME is deleted (target = "dir/NAME") */
	ENG_TARPATH_OPAQUE,   /* `dir/.wh..wh..opq`: dir is opaque (target = "dir", or ".") */
};

/*
 * Classifies a normalised name. For a whiteout or an opaque marker, target
 * (size bytes) gets the path it applies to. Refused: a `.wh..wh.` name
 * other than the opaque marker, a whiteout of "", "." or "..", and a
 * whiteout name used as a directory (`.wh.x/y`).
 */
int eng_tarpath_classify(const char *path, enum eng_tarpath_kind *kind, char *target,
			 size_t size, struct isolab_error *err);

/*
 * A hard link entry `path` (normalised) pointing at the raw target (as the
 * tar says): the target is normalised like a name into out, must stay
 * inside the layer and must not be the entry itself.
 */
int eng_tarpath_hardlink(const char *path, const char *target, size_t len, char *out,
			 size_t size, struct isolab_error *err);

/*
 * A symbolic link entry `path` (normalised) with the raw target: an
 * absolute target is fine (the container resolves it inside its root); a
 * relative one must not climb, lexically, above the layer root from the
 * link's directory ("a/b -> ../../etc" is refused: "points out of the
 * layer"). Refused as well: empty, NUL, PATH_MAX bytes or more.
 */
int eng_tarpath_symlink(const char *path, const char *target, size_t len,
			struct isolab_error *err);

/* What to do with an xattr found in a tar or on disk. */
enum eng_xattr_class {
	ENG_XATTR_KEEP,    /* user.*, security.capability, trusted.* */
	ENG_XATTR_DROP,    /* security.selinux and any other namespace */
	ENG_XATTR_OVERLAY, /* trusted.overlay.* / user.overlay.*: overlay's own metadata */
};
enum eng_xattr_class eng_xattr_classify(const char *name);

/*
 * The unpacking rule for one xattr of entry `path`: 1 to set it, 0 to drop
 * it; refused: overlay metadata (a layer could forge whiteouts, opaque
 * dirs or redirects with it), an empty name or one over
 * ENG_XATTR_NAME_MAX, a value over ENG_XATTR_VALUE_MAX.
 */
int eng_tarpath_xattr(const char *path, const char *name, size_t value_size,
		      struct isolab_error *err);

/* An owner from a tar header as a uid_t/gid_t: 0 .. 2^32-2 (-1 is "no
 * owner" to the kernel). Refused: anything else. */
int eng_tarpath_owner(const char *path, int64_t uid, int64_t gid, struct isolab_error *err);

/* Writes a printable copy of (name, len) into buf: unprintable bytes
 * become '?', and past ENG_TARPATH_SHOW_MAX bytes "..." ends it. */
void eng_tarpath_show(const char *name, size_t len, char *buf, size_t size);

/* The directory part of a normalised path ("." for a top-level name) and
 * its last component; dir has size bytes. Returns the last component. */
const char *eng_tarpath_split(const char *path, char *dir, size_t size);

#endif
