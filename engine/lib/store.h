/*
 * store.h: the engine's image store, an OCI image layout (image-spec
 * image-layout.md) under one root directory:
 *
 *   ROOT/oci-layout            {"imageLayoutVersion": "1.0.0"}
 *   ROOT/index.json            one entry per name: the manifest's descriptor
 *                              with annotation org.opencontainers.image.ref.name
 *                              = "[REGISTRY/]REPOSITORY:TAG" (untagged images
 *                              keep an entry without it)
 *   ROOT/blobs/sha256/HEX      manifests, configs, layers (tar+gzip), each
 *                              named by the sha256 of its bytes
 *   ROOT/layers/HEX/           each layer unpacked once, by diff ID: the
 *                              overlay lower dir every image with it shares
 *   ROOT/layers/HEX.json       {"blob": DIGEST, "size": BYTES}: its blob and
 *                              its uncompressed size
 *   ROOT/containers/NAME/      containers run from the store (containers.h)
 *   ROOT/tmp/                  files being written; renamed into place only
 *                              when complete and verified
 *   ROOT/lock                  flock(2): exclusive for writers, shared for
 *                              readers, so two isolab processes never
 *                              corrupt the store
 *
 * This file is the layout itself: open, lock, blobs, the index. Images on
 * top of it are image.h.
 */
#ifndef ISOLAB_ENGINE_STORE_H
#define ISOLAB_ENGINE_STORE_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "engine/lib/digest.h"
#include "engine/lib/image_json.h"

#define ENG_STORE_DEFAULT_ROOT "/var/lib/isolab"
#define ENG_STORE_ROOT_ENV "ISOLAB_ROOT"

struct eng_store {
	char root[PATH_MAX - 128]; /* room for the longest path below it */
	int lock_fd;
	int locked;                /* 0, LOCK_SH or LOCK_EX */
};

/* Opens (creating the layout if missing) the store at root, or at
 * $ISOLAB_ROOT, or ENG_STORE_DEFAULT_ROOT when root is NULL. */
int eng_store_open(struct eng_store *s, const char *root, struct isolab_error *err);
void eng_store_close(struct eng_store *s);

/* flock the store: exclusive (writers) or shared (readers); waits. */
int eng_store_lock(struct eng_store *s, bool exclusive, struct isolab_error *err);

/* Paths inside the store (buf of PATH_MAX). */
void eng_store_blob_path(const struct eng_store *s, const struct eng_digest *d, char *buf);
void eng_store_layer_path(const struct eng_store *s, const struct eng_digest *diff_id, char *buf);
void eng_store_path(const struct eng_store *s, const char *rel, char *buf);

bool eng_store_blob_has(const struct eng_store *s, const struct eng_digest *d);

/* A new empty file in ROOT/tmp, opened read-write; its path in path (PATH_MAX). */
int eng_store_tmpfile(const struct eng_store *s, char *path, struct isolab_error *err);

/* Makes the temp file at tmp the blob d: its bytes are hashed first, and a
 * mismatch is an error ("digest mismatch") that removes tmp. */
int eng_store_blob_commit(const struct eng_store *s, const char *tmp, const struct eng_digest *d,
			  struct isolab_error *err);

/* Writes bytes as a blob (atomically); its digest in out. */
int eng_store_blob_put(const struct eng_store *s, const void *buf, size_t len,
		       struct eng_digest *out, struct isolab_error *err);

/* Reads a blob whole (at most max bytes); *buf malloc'd and NUL-ended. */
int eng_store_blob_read(const struct eng_store *s, const struct eng_digest *d, size_t max,
			char **buf, size_t *len, struct isolab_error *err);

/* index.json: every entry of the store (manifests[] of an OCI index). */
int eng_store_index_load(const struct eng_store *s, struct eng_index *ix, struct isolab_error *err);
int eng_store_index_save(const struct eng_store *s, const struct eng_index *ix,
			 struct isolab_error *err);

#endif
