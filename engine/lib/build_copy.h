/*
 * build_copy.h: what COPY and ADD do to files, for `isolab build`: the
 * build context (a directory, less what .dockerignore excludes), a source
 * pattern resolved inside it (or inside an earlier stage's root), and the
 * files copied into a new layer's tree at their destination, as Docker's
 * COPY does: a directory's contents, modes and times kept, owner root or
 * --chown's, parents made. Every file copied also goes into a hash (path,
 * mode, owner, content), the part of the build cache's key that says
 * "the same files".
 *
 * Nothing is ever followed out of its root: sources are opened under the
 * context (or stage root) with openat2(RESOLVE_IN_ROOT), and the layer
 * tree is written under its own root with RESOLVE_BENEATH.
 */
#ifndef ISOLAB_ENGINE_BUILD_COPY_H
#define ISOLAB_ENGINE_BUILD_COPY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "engine/lib/digest.h"

struct eng_ignore;

struct eng_context {
	char dir[4096];            /* the context directory, absolute */
	struct eng_ignore *ignore; /* its .dockerignore, or NULL */
	uint64_t bytes;            /* regular files not excluded */
	size_t files;
};

/* Opens a context: reads DIR/.dockerignore (if any) and measures what is
 * left (bytes, files). */
int eng_context_open(struct eng_context *c, const char *dir, struct isolab_error *err);
void eng_context_close(struct eng_context *c);

/* The relative paths a COPY source names in root (a context, whose ignore
 * rules apply, or a stage's root with ig NULL): the path itself, or what a
 * pattern with * ? [ matches in its last component, sorted. A source that
 * leaves the root (`../x`) is refused; none found is -ENOENT
 * "COPY `SRC`: not found in the build context". */
int eng_copy_sources(const char *root, const struct eng_ignore *ig, const char *src,
		     const char *what, char ***paths, size_t *n, struct isolab_error *err);
void eng_copy_sources_free(char **paths, size_t n);

struct eng_copy_opts {
	int uid, gid;              /* -1: root (0) as Docker's COPY */
	const struct eng_ignore *ig; /* excluded files are skipped (context only) */
	struct eng_hasher *hash;   /* if not NULL: every file copied goes in */
	char *const *lower;        /* the image's layer dirs, lowest first: a parent */
	size_t n_lower;            /* dir it has keeps its owner and mode */
	int mode;                  /* --chmod: every file and dir copied gets it; -1 none */
};

/* Copies root/rel to dest under layer (dest absolute in the image; when
 * into_dir, rel goes inside dest, else rel becomes dest), as COPY does. */
int eng_copy_into(const char *root, const char *rel, const char *layer, const char *dest,
		  bool into_dir, const struct eng_copy_opts *o, struct isolab_error *err);

/* Whether path is a tar archive (plain or gzip'd), which ADD unpacks. */
bool eng_copy_is_archive(const char *path);

#endif
