/*
 * registry_http.h: the pure half of the registry client (registry.h):
 * which hosts may be spoken to in plain HTTP, the URLs of the OCI
 * distribution API (distribution-spec spec.md, "Endpoints"), where an
 * upload's Location header points, the response headers the client reads,
 * and the one-line summary of an error body. Nothing here does I/O, so all
 * of it is unit-tested without a network (engine/tests/test_registry.c)
 * and every input is treated as hostile: a registry chooses its headers
 * and bodies.
 */
#ifndef ISOLAB_ENGINE_REGISTRY_HTTP_H
#define ISOLAB_ENGINE_REGISTRY_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"

/* "host[:port]" as a reference names it: a DNS name (253) plus ":65535". */
#define ENG_REGISTRY_HOST_MAX 259
/* distribution-spec spec.md, "Pulling manifests": many clients limit a
 * repository name (with its registry) to 255 characters; so do we. */
#define ENG_REGISTRY_REPO_MAX 255
/* distribution-spec spec.md: a tag is [a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}. */
#define ENG_REGISTRY_TAG_MAX 128
/* The longest URL (and Location header) the client builds or follows. */
#define ENG_REGISTRY_URL_MAX 4096
/* The most of an error body the client keeps and parses. */
#define ENG_REGISTRY_ERRBODY_MAX (64 * 1024)

/* Checks "name[:port]" or "[ipv6][:port]" (no scheme, user, path or
 * query): -EINVAL "registry `HOST`: not a host[:port]" otherwise. */
int eng_registry_host_check(const char *host, struct isolab_error *err);

/* True for localhost, 127.0.0.0/8 and [::1] (the port does not matter);
 * "localhost.example.com" or "127.0.0.1.nip.io" are not local. */
bool eng_registry_host_is_local(const char *host);

/* Repository names (distribution-spec: lowercase path components joined
 * by "/", separators ".", "_", "__", "-"), tags, references (a tag or a
 * sha256 digest). */
bool eng_registry_repo_valid(const char *repo);
bool eng_registry_tag_valid(const char *tag);
bool eng_registry_reference_valid(const char *reference);

/* ORIGIN/v2/REPO/KIND/REFERENCE, e.g. origin "http://[::1]:5000", kind
 * "manifests", reference "1.0" or "sha256:..."; reference NULL gives
 * ORIGIN/v2/REPO/KIND/ (kind "blobs/uploads"). Repo and reference are
 * checked (they are spliced into the path): -EINVAL naming them. *out is
 * malloc'd. */
int eng_registry_url(const char *origin, const char *repo, const char *kind,
		     const char *reference, char **out, struct isolab_error *err);

/* Resolves an upload's Location header against the URL of the request
 * that returned it (RFC 3986 section 5.2, for the forms registries send:
 * absolute, "/path?query", "path"). An absolute one must stay on origin
 * (same scheme, host and port): the client only talks to the registry it
 * was given. -EPROTO "upload location `...`: ..." otherwise. */
int eng_registry_location_resolve(const char *origin, const char *request_url,
				  const char *location, char **out,
				  struct isolab_error *err);

/* url + "?key=value" or "&key=value" when url has a query already (a
 * fragment is dropped); value is percent-encoded (RFC 3986 unreserved
 * characters stay). */
int eng_registry_url_add_query(const char *url, const char *key, const char *value,
			       char **out, struct isolab_error *err);

/* The response headers the client reads, filled one header line at a time
 * (libcurl's header callback); a status line starts a new response (a
 * redirect's headers do not leak into the final one). Values that do not
 * fit or hold control characters are dropped (location_bad for Location). */
struct eng_registry_headers {
	long status;                          /* 0 until a status line came */
	char reason[64];                      /* "Not Found", printable ASCII */
	bool complete;                        /* the blank line after the headers */
	bool has_location, location_bad;
	char location[ENG_REGISTRY_URL_MAX];
	bool has_content_digest;              /* Docker-Content-Digest, as sent */
	char content_digest[80];
	char content_type[128];               /* without parameters; "" if none */
	bool has_content_length;
	uint64_t content_length;
	bool has_chunk_min;                   /* OCI-Chunk-Min-Length */
	uint64_t chunk_min;
	char range[48];                       /* Range: "0-1023" after a PATCH */
};

void eng_registry_headers_reset(struct eng_registry_headers *h);
void eng_registry_headers_feed(struct eng_registry_headers *h, const char *line, size_t len);

/* Parses a decimal uint64 ("0".."18446744073709551615", digits only). */
bool eng_registry_parse_u64(const char *s, size_t len, uint64_t *out);

/* The first error of an error body (distribution-spec spec.md, "Error
 * Codes": {"errors":[{"code":"...","message":"...","detail":...}]}) as
 * "CODE: message" (or either alone), cut and made printable ASCII; "" when
 * the body is empty, longer than ENG_REGISTRY_ERRBODY_MAX, not JSON or not
 * that shape. */
void eng_registry_error_summary(const char *body, size_t len, char *out, size_t size);

#endif
