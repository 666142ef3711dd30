/*
 * digest.h: content digests as the OCI image spec writes them
 * (image-spec descriptor.md, "Digests"): "sha256:" and 64 lowercase hex
 * digits. Everything in the store is named by one: blobs by the digest of
 * their bytes, layers also by their diff ID (the digest of the
 * uncompressed tar), images by their image ID (the config blob's digest).
 * sha256 comes from OpenSSL's libcrypto (EVP), not a hand-written one.
 */
#ifndef ISOLAB_ENGINE_DIGEST_H
#define ISOLAB_ENGINE_DIGEST_H

#include <stdbool.h>
#include <stddef.h>

#include "common/error.h"

#define ENG_DIGEST_ALGO "sha256"
#define ENG_DIGEST_HEX_LEN 64
/* "sha256:" + 64 hex + NUL */
#define ENG_DIGEST_STR_MAX (sizeof(ENG_DIGEST_ALGO ":") + ENG_DIGEST_HEX_LEN)

struct eng_digest {
	char str[ENG_DIGEST_STR_MAX]; /* "sha256:<64 lowercase hex>" */
};

/* The 64 hex digits after "sha256:". */
static inline const char *eng_digest_hex(const struct eng_digest *d)
{
	return d->str + sizeof(ENG_DIGEST_ALGO);
}

/* Parses "sha256:<64 lowercase hex>"; anything else (another algorithm,
 * upper case, wrong length) is -EINVAL with err naming `what`. */
int eng_digest_parse(const char *text, const char *what, struct eng_digest *out,
		     struct isolab_error *err);

/* True if text is a well-formed digest (as eng_digest_parse accepts). */
bool eng_digest_valid(const char *text);

/* Incremental sha256 (opaque; libcrypto's EVP_MD_CTX inside). */
struct eng_hasher;
struct eng_hasher *eng_hasher_new(void);
void eng_hasher_update(struct eng_hasher *h, const void *buf, size_t len);
/* Finishes into out and frees h. */
void eng_hasher_final(struct eng_hasher *h, struct eng_digest *out);
void eng_hasher_free(struct eng_hasher *h); /* without finishing; NULL ok */

/* The digest of a buffer / of a whole file (read with isolab_open_regular). */
void eng_digest_buf(const void *buf, size_t len, struct eng_digest *out);
int eng_digest_file(const char *path, struct eng_digest *out, size_t *size,
		    struct isolab_error *err);

#endif
