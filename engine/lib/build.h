/*
 * build.h: `isolab build`: an image from a Dockerfile and a context, into
 * the store, as `docker build` makes it.
 *
 * One stage after another (FROM scratch, a stored image, or an earlier
 * stage by its AS name): RUN runs in a container of the image so far,
 * through isolab-ctr, and what it wrote (its writable layer, whiteouts
 * included) becomes a layer; COPY and ADD write a layer from the context
 * (or from another stage with --from); the other instructions change the
 * config and add a history step with empty_layer. Every step has a cache
 * key (the previous step's key, the instruction as expanded, and for
 * COPY/ADD a hash of the files it copies, for RUN the build args it sees);
 * a step whose key is in ROOT/cache/build/ reuses the layer and the time
 * it was made, and prints CACHED, so an unchanged rebuild makes no new
 * blob and the same image ID.
 */
#ifndef ISOLAB_ENGINE_BUILD_H
#define ISOLAB_ENGINE_BUILD_H

#include <stdbool.h>
#include <stdio.h>

#include "engine/lib/store.h"

struct eng_build_opts {
	const char *context;      /* the build context: a directory */
	const char *dockerfile;   /* NULL: CONTEXT/Dockerfile */
	char *const *tags;        /* names for the result ("app:1"), n_tags of them */
	size_t n_tags;
	char *const *build_args;  /* --build-arg: "K=V", or "K" (from the caller's environment) */
	size_t n_build_args;
	const char *target;       /* --target STAGE, or NULL for the last */
	bool no_cache;
	bool allow_url;           /* ADD of an http(s) URL */
	const char *network;      /* RUN's network: "none" (default) or "host" */
	const char *ctr;          /* the runtime: build/isolab-ctr */
	FILE *out;                /* the steps as they go */
};

/* The status a failed RUN left, when the build stopped on it (else 0). */
struct eng_build_result {
	struct eng_digest id;     /* the image built */
	int run_status;
	bool interrupted;
};

/* Builds; the store must be locked exclusively. -EINVAL for a Dockerfile
 * it cannot parse (nothing added), -ECHILD for a RUN that failed
 * (r->run_status), -EINTR when interrupted. */
int eng_build(const struct eng_store *s, const struct eng_build_opts *o,
	      struct eng_build_result *r, struct isolab_error *err);

#endif
