/* sha256.c: sha256 through OpenSSL's libcrypto (EVP), incremental, of a
 * buffer or of a file (see digest.h). Only the commands that write the
 * store link it (build/isolab-full): libcrypto costs milliseconds of
 * dynamic linking at every start, which `isolab run` does not pay. */
#include "engine/lib/digest.h"
#include "common/cleanup.h"
#include "common/safe_open.h"

#include <errno.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct eng_hasher {
	EVP_MD_CTX *ctx;
};

struct eng_hasher *eng_hasher_new(void)
{
	struct eng_hasher *h = calloc(1, sizeof(*h));

	if (h == NULL)
		return NULL;
	h->ctx = EVP_MD_CTX_new();
	if (h->ctx == NULL || EVP_DigestInit_ex(h->ctx, EVP_sha256(), NULL) != 1) {
		eng_hasher_free(h);
		return NULL;
	}
	return h;
}

void eng_hasher_update(struct eng_hasher *h, const void *buf, size_t len)
{
	EVP_DigestUpdate(h->ctx, buf, len);
}

void eng_hasher_final(struct eng_hasher *h, struct eng_digest *out)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char md[EVP_MAX_MD_SIZE];
	char text[ENG_DIGEST_STR_MAX] = ENG_DIGEST_ALGO ":";
	char *p = text + sizeof(ENG_DIGEST_ALGO);
	unsigned int n = 0;

	EVP_DigestFinal_ex(h->ctx, md, &n);
	for (unsigned i = 0; i < n && i < ENG_DIGEST_HEX_LEN / 2; i++) {
		*p++ = hex[md[i] >> 4];
		*p++ = hex[md[i] & 15];
	}
	*p = '\0';
	memcpy(out->str, text, sizeof(text));
	eng_hasher_free(h);
}

void eng_hasher_free(struct eng_hasher *h)
{
	if (h == NULL)
		return;
	EVP_MD_CTX_free(h->ctx);
	free(h);
}

void eng_digest_buf(const void *buf, size_t len, struct eng_digest *out)
{
	struct eng_hasher *h = eng_hasher_new();

	if (h == NULL) {
		out->str[0] = '\0';
		return;
	}
	eng_hasher_update(h, buf, len);
	eng_hasher_final(h, out);
}

int eng_digest_file(const char *path, struct eng_digest *out, size_t *size,
		    struct isolab_error *err)
{
	_cleanup_close_ int fd = -1;
	struct eng_hasher *h;
	char buf[65536];
	size_t total = 0;
	ssize_t n;

	fd = isolab_open_regular(path, NULL, err);
	if (fd < 0)
		return fd;
	h = eng_hasher_new();
	if (h == NULL)
		return isolab_error_set(err, -ENOMEM, "sha256: out of memory");
	while ((n = read(fd, buf, sizeof(buf))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int rc = -errno;

			eng_hasher_free(h);
			return isolab_error_errno(err, rc, "read `%s`", path);
		}
		eng_hasher_update(h, buf, (size_t)n);
		total += (size_t)n;
	}
	eng_hasher_final(h, out);
	if (size != NULL)
		*size = total;
	return 0;
}
