/*
 * ref.h: image references as Docker reads them ("app", "app:1",
 * "localhost:5000/team/app:1.2", "app@sha256:...") -- the grammar of
 * distribution/reference (reference.go, normalize.go):
 *
 *   reference := name [ ":" tag ] [ "@" digest ]
 *   name      := [ registry "/" ] path-component [ "/" path-component ]*
 *   registry  := host [ ":" port ]     host: domain name, IPv4, or [IPv6]
 *   path-component := [a-z0-9]+ ( ( [._] | "__" | "-"+ ) [a-z0-9]+ )*
 *   tag       := [A-Za-z0-9_] [A-Za-z0-9_.-]{0,127}
 *
 * The first path component is a registry iff it contains '.' or ':' or is
 * exactly "localhost" (Docker's rule, splitDockerDomain). There is no
 * default public registry here: "app:1" is a local-only name (registry
 * NULL), not "docker.io/library/app:1".
 */
#ifndef ISOLAB_ENGINE_REF_H
#define ISOLAB_ENGINE_REF_H

#include <stdbool.h>
#include <stddef.h>

#include "common/error.h"
#include "engine/lib/digest.h"

/* distribution/reference NameTotalLengthMax: registry + "/" + repository. */
#define ENG_REF_NAME_MAX 255
/* The tag grammar's bound: one leading character and up to 127 more. */
#define ENG_REF_TAG_MAX 128
/* A buffer that holds any formatted reference: name ":" tag "@" digest NUL. */
#define ENG_REF_STR_MAX (ENG_REF_NAME_MAX + 1 + ENG_REF_TAG_MAX + 1 + ENG_DIGEST_STR_MAX)
/* What a reference without a tag means to `pull`, `run`, `tag`. */
#define ENG_REF_DEFAULT_TAG "latest"

struct eng_ref {
	char *registry;   /* "host[:port]" or NULL for a local-only name */
	char *repository; /* path without registry, e.g. "library/app", "app" */
	char *tag;        /* NULL when none given (callers default to "latest") */
	bool has_digest;
	struct eng_digest digest; /* "@sha256:..." */
};

/* Parses text into *out (zeroed first; freed with eng_ref_free). Every
 * refusal is -EINVAL "reference `TEXT`: why"; -ENOMEM when out of memory. */
int eng_ref_parse(const char *text, struct eng_ref *out, struct isolab_error *err);
void eng_ref_free(struct eng_ref *r);

/* "registry/repository:tag" (tag defaulting to latest); with a digest:
 * "registry/repository@digest" when no tag was given, else
 * "registry/repository:tag@digest". The registry part is left out when NULL.
 * Returns 0, or -ENAMETOOLONG when it does not fit size (buf then holds "").
 * ENG_REF_STR_MAX is always enough for a parsed reference. */
int eng_ref_format(const struct eng_ref *r, char *buf, size_t size);

/* The same without the registry: "repository:tag" / "repository@digest". */
int eng_ref_format_local(const struct eng_ref *r, char *buf, size_t size);

/* The name alone, "registry/repository" (or "repository"): what a
 * registry's /v2/<name>/ path and `images` grouping use. */
int eng_ref_format_name(const struct eng_ref *r, char *buf, size_t size);

/* r->tag, or "latest" when none was given. */
const char *eng_ref_tag_or_default(const struct eng_ref *r);

/* True if tag matches the tag grammar (for `tag`, and OCI layout ref names). */
bool eng_ref_tag_valid(const char *tag);

/* True if text can name an image by ID, as `docker rmi 3f2a` takes it:
 * 4..64 lowercase hex digits, or "sha256:" followed by 4..64 of them. A
 * short one may also be a valid repository name; the caller decides the
 * order (Docker tries the name first). */
bool eng_ref_is_id_prefix(const char *text);

#endif
