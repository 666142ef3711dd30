/*
 * image.h: images in the store (store.h). An image is a manifest blob
 * naming a config blob and layer blobs; its image ID is the config's
 * digest (as Docker defines it), so two tags of one image show one ID.
 * Names are index.json entries; layers are unpacked once, by diff ID,
 * and shared by every image that has them.
 */
#ifndef ISOLAB_ENGINE_IMAGE_H
#define ISOLAB_ENGINE_IMAGE_H

#include "engine/lib/image_json.h"
#include "engine/lib/store.h"

/* Bounds on what the store reads back (hostile input came through them). */
#define ENG_MANIFEST_MAX (4u << 20)
#define ENG_CONFIG_MAX (8u << 20)
/* A layer unpacked: at most this many bytes and entries (a gzip bomb's bound). */
#define ENG_LAYER_MAX_BYTES (64ull << 30)
#define ENG_LAYER_MAX_ENTRIES (4u << 20)

struct eng_image {
	struct eng_digest manifest_digest;
	size_t manifest_size;
	struct eng_digest id; /* the config blob's digest */
	struct eng_manifest manifest;
	struct eng_image_config config;
	char *config_json; /* the config blob's bytes, NUL-ended */
	size_t config_len;
};

/* "app" -> "app:latest", "127.0.0.1:5000/app:1" as given: the name index.json
 * keeps. -EINVAL with the reference's reason. */
int eng_image_name(const char *text, char *buf, size_t size, struct isolab_error *err);

/* Finds an image by name, by image ID ("sha256:HEX" or HEX), or by a prefix
 * of the ID of at least 4 hex digits that only one image has. -ENOENT:
 * "image `TEXT`: not in the store". */
int eng_image_find(const struct eng_store *s, const char *text, struct eng_image *out,
		   struct isolab_error *err);
/* Loads the image whose manifest is d. */
int eng_image_load(const struct eng_store *s, const struct eng_digest *d, struct eng_image *out,
		   struct isolab_error *err);
void eng_image_free(struct eng_image *img);

/* (image_write.c) Adds an image: config (JSON bytes) and its layers, whose blobs are in the
 * store, become a config blob and an OCI manifest blob; then name (if not
 * NULL) points at it. *manifest_digest (if not NULL) gets its digest. */
int eng_image_add(const struct eng_store *s, const char *config_json, size_t config_len,
		  const struct eng_descriptor *layers, size_t n_layers, const char *name,
		  struct eng_digest *manifest_digest, struct isolab_error *err);

/* Points name at the manifest d (moving it from another image if it had
 * one); the manifest's descriptor is size bytes of media type mt. */
int eng_image_tag(const struct eng_store *s, const struct eng_descriptor *manifest,
		  const char *name, struct isolab_error *err);

/* Removes name; with no name left for its manifest the image is gone and
 * eng_store_gc takes what nothing else uses. *untagged_last = true then. */
int eng_image_untag(const struct eng_store *s, const char *name, bool *untagged_last,
		    struct isolab_error *err);
/* Removes every name of the image whose manifest is d. */
int eng_image_remove(const struct eng_store *s, const struct eng_digest *d,
		     struct isolab_error *err);

/* The image's unpacked layer directories, lowest first (-ENOENT if one is
 * not unpacked: the commands that add images unpack every layer, with
 * eng_store_layer_ensure). *dirs is malloc'd, each entry too. */
int eng_image_layer_dirs(const struct eng_store *s, const struct eng_image *img, char ***dirs,
			 size_t *n, struct isolab_error *err);
void eng_image_layer_dirs_free(char **dirs, size_t n);

/* A file of an image as its top-most layer that has it shows it (dirs:
 * unpacked layers, lowest first): each layer is opened as a root
 * (openat2 RESOLVE_IN_ROOT), so a link in the image never leads out of it;
 * a whiteout or anything but a regular file hides the lower layers. Read
 * whole (at most max bytes), NUL-ended; NULL if no layer has it. */
char *eng_layers_read_file(char *const *dirs, size_t n, const char *rel, size_t max);

/* Makes the blob `blob` unpacked as layer diff_id (verifying the diff ID);
 * a layer already there is left as it is. (image_write.c) */
int eng_store_layer_ensure(const struct eng_store *s, const struct eng_digest *blob,
			   const struct eng_digest *diff_id, struct isolab_error *err);

struct eng_layer_digests;
/* (image_write.c) Moves dir, a tree unpacked by this process and packed as
 * the layer dg describes, into the store as that layer (or removes it when
 * the store has the layer already). */
int eng_store_layer_adopt(const struct eng_store *s, const char *dir,
			  const struct eng_layer_digests *dg, struct isolab_error *err);

/* Uncompressed size of an unpacked layer (layers/HEX.json), 0 if unknown. */
uint64_t eng_store_layer_size(const struct eng_store *s, const struct eng_digest *diff_id);

/* Removes blobs and unpacked layers that no name's image and no container
 * uses. *freed gets the bytes of blobs removed. */
int eng_store_gc(const struct eng_store *s, uint64_t *freed, struct isolab_error *err);

#endif
