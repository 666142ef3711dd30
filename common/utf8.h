/*
 * utf8.h: UTF-8 as RFC 3629 defines it (no overlong forms, no surrogates,
 * nothing above U+10FFFF), for the parsers of hostile text: image JSON,
 * Dockerfiles, .dockerignore patterns.
 */
#ifndef ISOLAB_COMMON_UTF8_H
#define ISOLAB_COMMON_UTF8_H

#include <stdbool.h>
#include <stddef.h>

/* The length (1..4) of the valid UTF-8 sequence that starts s (n bytes
 * available), or 0 if it is not one. */
size_t isolab_utf8_len(const unsigned char *s, size_t n);

/* Whether all len bytes of s are valid UTF-8. */
bool isolab_utf8_valid(const unsigned char *s, size_t len);

#endif
