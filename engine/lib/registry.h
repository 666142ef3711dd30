/*
 * registry.h: a client of the OCI distribution API v2 (distribution-spec
 * spec.md): check, push, pull and cross-mount blobs, put and get
 * manifests, over one libcurl handle kept alive between requests.
 *
 * Which scheme: "HOST" (as a reference names it, "127.0.0.1:5000") is
 * plain HTTP when HOST is local (localhost, 127.0.0.0/8, [::1]) or
 * opts.insecure is set, HTTPS with certificate checks otherwise; a
 * "https://" prefix asks for HTTPS always, "http://" for plain HTTP, which
 * a non-local host gets only with insecure (refused before connecting).
 * The client talks to that host only: no proxy from the environment, and
 * an upload's Location must stay on it. The one exception is a blob GET or
 * HEAD, which follows redirects (registries send blobs from a CDN), at most
 * ENG_REGISTRY_MAX_REDIRECTS, never from HTTPS down to HTTP; what comes is
 * checked against its digest anyway.
 *
 * No authentication: a registry asking for it (401) is an error.
 * Every failure is one line naming the registry, the request and the
 * object, e.g. "registry 127.0.0.1:5000: PUT manifest app:1: 400
 * MANIFEST_INVALID: manifest invalid", with a negative errno: -ENOENT for
 * 404, -EACCES for 401/403, -EINVAL for other 4xx, -EIO for 5xx,
 * -ECONNREFUSED and friends for the connection, -EPROTO for a registry
 * breaking the protocol, -EBADMSG for content that does not match its digest.
 */
#ifndef ISOLAB_ENGINE_REGISTRY_H
#define ISOLAB_ENGINE_REGISTRY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "engine/lib/digest.h"

/* Blobs up to this size go in one PUT; bigger ones in PATCH chunks. */
#define ENG_REGISTRY_CHUNK_THRESHOLD (8u << 20)
/* A chunk's size, unless the registry asks for more (OCI-Chunk-Min-Length,
 * honoured up to ENG_REGISTRY_CHUNK_MAX). */
#define ENG_REGISTRY_CHUNK_SIZE (8u << 20)
#define ENG_REGISTRY_CHUNK_MAX (256u << 20)
/* The largest manifest or index the client reads or writes. */
#define ENG_REGISTRY_MANIFEST_MAX (4u << 20)
#define ENG_REGISTRY_MAX_REDIRECTS 5
/* opts.timeout_s when 0. */
#define ENG_REGISTRY_TIMEOUT_DEFAULT 30

/* Called as bytes go up or come down: done so far of total (0: unknown). */
typedef void (*eng_registry_progress_fn)(void *arg, uint64_t done, uint64_t total);

struct eng_registry_opts {
	bool insecure;       /* plain HTTP to a non-local host allowed */
	long timeout_s;      /* connect timeout, and the longest a transfer may stall */
	eng_registry_progress_fn progress;   /* optional */
	void *progress_arg;
};

struct eng_registry;

/* Validates host, chooses the scheme (above) and checks GET /v2/: 200, or
 * 401 "registry HOST: needs authentication (not supported)". opts may be
 * NULL (defaults). */
int eng_registry_open(const char *host, const struct eng_registry_opts *opts,
		      struct eng_registry **out, struct isolab_error *err);
void eng_registry_close(struct eng_registry *r);   /* NULL is fine */

/* The host as given, without a scheme ("127.0.0.1:5000"). */
const char *eng_registry_host(const struct eng_registry *r);

/* HEAD the blob: *exists, and *size (if not NULL) from its Content-Length
 * (0 when the registry sent none). */
int eng_registry_blob_exists(struct eng_registry *r, const char *repo,
			     const struct eng_digest *d, bool *exists, uint64_t *size,
			     struct isolab_error *err);

/* Uploads path (size bytes, digest d, both known beforehand): POST, then
 * one PUT ?digest= up to ENG_REGISTRY_CHUNK_THRESHOLD, or PATCH chunks and
 * a closing PUT beyond. Checks the file is size bytes, that what was sent
 * hashes to d, and that the registry's Docker-Content-Digest (if any) is d.
 * An upload that fails after the POST is cancelled (DELETE). */
int eng_registry_blob_push(struct eng_registry *r, const char *repo,
			   const struct eng_digest *d, const char *path, uint64_t size,
			   struct isolab_error *err);

/* Cross-repository mount (POST ?mount=D&from=FROM): *mounted is false when
 * the registry declined (the upload it opened instead is cancelled); the
 * caller then pushes the blob. */
int eng_registry_blob_mount(struct eng_registry *r, const char *repo,
			    const struct eng_digest *d, const char *from_repo,
			    bool *mounted, struct isolab_error *err);

/* GETs the blob into fd (written at its offset; a temp file the caller
 * owns), refusing more than max_size bytes (0: no limit) and more than
 * expected_size (0: not known), then checks the size and the sha256:
 * "registry HOST: blob sha256:...: digest mismatch (got sha256:...)",
 * "...: connection closed after N of M bytes". *got (if not NULL) is the
 * number of bytes written. */
int eng_registry_blob_pull(struct eng_registry *r, const char *repo,
			   const struct eng_digest *d, uint64_t expected_size,
			   uint64_t max_size, int fd, uint64_t *got,
			   struct isolab_error *err);

/* PUTs a manifest (or index) of media_type under reference (a tag, or the
 * body's digest). *out (if not NULL) is the body's digest; a registry
 * answering with another Docker-Content-Digest is an error. */
int eng_registry_manifest_put(struct eng_registry *r, const char *repo,
			      const char *reference, const char *media_type,
			      const char *body, size_t len, struct eng_digest *out,
			      struct isolab_error *err);

/* GETs a manifest accepting OCI manifest and index, Docker schema2
 * manifest and list, at most ENG_REGISTRY_MANIFEST_MAX bytes. *body is
 * malloc'd and NUL-terminated (len without the NUL), *media_type the
 * Content-Type without parameters ("" if none came), *out the body's
 * digest, which must equal reference when that is a digest and the
 * Docker-Content-Digest header when one came. */
int eng_registry_manifest_get(struct eng_registry *r, const char *repo,
			      const char *reference, char **body, size_t *len,
			      char **media_type, struct eng_digest *out,
			      struct isolab_error *err);

#endif
