/* ref.c: parsing and formatting image references (see ref.h). Pure code. */
#include "engine/lib/ref.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The registry part of a reference: "host" or "host:port" (as split off). */
#define REF_PORT_MAX 65535

static bool is_lower_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

static bool is_alnum(char c)
{
	return is_lower_alnum(c) || (c >= 'A' && c <= 'Z');
}

static bool is_lower_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

/* [a-z0-9]+ ( ( [._] | "__" | "-"+ ) [a-z0-9]+ )* over s[0..len). */
static bool path_component_valid(const char *s, size_t len)
{
	size_t i = 0;

	for (;;) {
		size_t start = i;

		while (i < len && is_lower_alnum(s[i]))
			i++;
		if (i == start)
			return false; /* empty, or a separator first/twice */
		if (i == len)
			return true;
		if (s[i] == '.') {
			i++;
		} else if (s[i] == '_') {
			i++;
			if (i < len && s[i] == '_')
				i++;
		} else if (s[i] == '-') {
			while (i < len && s[i] == '-')
				i++;
		} else {
			return false;
		}
	}
}

/* [a-zA-Z0-9] | [a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9] */
static bool domain_component_valid(const char *s, size_t len)
{
	if (len == 0 || !is_alnum(s[0]) || !is_alnum(s[len - 1]))
		return false;
	for (size_t i = 1; i + 1 < len; i++)
		if (!is_alnum(s[i]) && s[i] != '-')
			return false;
	return true;
}

static bool tag_valid(const char *s, size_t len)
{
	if (len == 0 || len > ENG_REF_TAG_MAX)
		return false;
	if (!is_alnum(s[0]) && s[0] != '_')
		return false;
	for (size_t i = 1; i < len; i++)
		if (!is_alnum(s[i]) && s[i] != '_' && s[i] != '.' && s[i] != '-')
			return false;
	return true;
}

bool eng_ref_tag_valid(const char *tag)
{
	return tag != NULL && tag_valid(tag, strnlen(tag, ENG_REF_TAG_MAX + 1));
}

/* host [":" port], host a domain name (IPv4 included) or "[" IPv6 "]".
 * Returns NULL when valid, else why not. */
static const char *registry_invalid(const char *s, size_t len)
{
	size_t host_len;

	if (s[0] == '[') {
		const char *close = memchr(s, ']', len);

		/* distribution/reference: \[(?:[a-fA-F0-9:]+)\] */
		if (close == NULL || close == s + 1)
			return "invalid IPv6 registry address";
		for (const char *p = s + 1; p < close; p++)
			if (!is_lower_hex(*p) && !(*p >= 'A' && *p <= 'F') && *p != ':')
				return "invalid IPv6 registry address";
		host_len = (size_t)(close - s) + 1;
	} else {
		const char *colon = memchr(s, ':', len);
		size_t start = 0;

		host_len = colon ? (size_t)(colon - s) : len;
		for (size_t i = 0; i <= host_len; i++) {
			if (i == host_len || s[i] == '.') {
				if (!domain_component_valid(s + start, i - start))
					return "invalid registry host name";
				start = i + 1;
			}
		}
	}
	if (host_len == len)
		return NULL;
	if (s[host_len] != ':')
		return "invalid registry address";
	{
		const char *port = s + host_len + 1;
		size_t port_len = len - host_len - 1;
		unsigned long value = 0;

		if (port_len == 0 || port_len > 5)
			return "registry port is not a number in 1..65535";
		for (size_t i = 0; i < port_len; i++) {
			if (port[i] < '0' || port[i] > '9')
				return "registry port is not a number in 1..65535";
			value = value * 10 + (unsigned long)(port[i] - '0');
		}
		if (value < 1 || value > REF_PORT_MAX)
			return "registry port is not a number in 1..65535";
	}
	return NULL;
}

/* The repository: components separated by '/'. NULL when valid. */
static const char *repository_invalid(const char *s, size_t len, bool has_registry)
{
	size_t start = 0;
	bool all_hex = len == ENG_DIGEST_HEX_LEN;

	for (size_t i = 0; i < len; i++)
		if (s[i] >= 'A' && s[i] <= 'Z')
			return "repository name must be lowercase";
	for (size_t i = 0; i <= len; i++) {
		if (i == len || s[i] == '/') {
			if (!path_component_valid(s + start, i - start))
				return "invalid repository name (components are lowercase letters "
				       "and digits, separated by '.', '_', '__', '-' or '/')";
			start = i + 1;
		}
	}
	for (size_t i = 0; all_hex && i < len; i++)
		all_hex = is_lower_hex(s[i]);
	/* normalize.go: such a name would read as an image ID. */
	if (all_hex && !has_registry)
		return "a repository name cannot be 64 hexadecimal digits (that is an image ID)";
	return NULL;
}

void eng_ref_free(struct eng_ref *r)
{
	if (r == NULL)
		return;
	free(r->registry);
	free(r->repository);
	free(r->tag);
	memset(r, 0, sizeof(*r));
}

/* What the message quotes: long enough to recognise, short enough to fit. */
#define REF_QUOTE "reference `%.300s`: "

int eng_ref_parse(const char *text, struct eng_ref *out, struct isolab_error *err)
{
	const char *at, *colon, *slash, *why;
	size_t len, name_len, repo_off = 0;
	struct eng_ref r = { 0 };

	memset(out, 0, sizeof(*out));
	if (text == NULL || text[0] == '\0')
		return isolab_error_set(err, -EINVAL, "reference ``: empty");
	len = strnlen(text, ENG_REF_STR_MAX + 1);
	if (len > ENG_REF_STR_MAX - 1)
		return isolab_error_set(err, -EINVAL, "reference `%.64s...`: longer than %zu characters",
					text, ENG_REF_STR_MAX - 1);

	/* "@digest" */
	at = memchr(text, '@', len);
	if (at != NULL) {
		if (!eng_digest_valid(at + 1)) {
			if (strchr(at + 1, ':') != NULL && strncmp(at + 1, ENG_DIGEST_ALGO ":",
								   sizeof(ENG_DIGEST_ALGO)) != 0)
				return isolab_error_set(err, -EINVAL, REF_QUOTE "only sha256 digests "
							"are supported", text);
			return isolab_error_set(err, -EINVAL, REF_QUOTE "invalid digest (sha256: "
						"and 64 lowercase hex digits)", text);
		}
		r.has_digest = true;
		snprintf(r.digest.str, sizeof(r.digest.str), "%s", at + 1);
		len = (size_t)(at - text);
	}

	/* ":tag": the last ':' after the last '/' (a registry port comes before one) */
	slash = memrchr(text, '/', len);
	colon = memrchr(slash ? slash : text, ':', len - (size_t)(slash ? slash - text : 0));
	name_len = colon ? (size_t)(colon - text) : len;
	if (colon != NULL) {
		const char *tag = colon + 1;
		size_t tag_len = len - name_len - 1;

		if (tag_len == 0)
			return isolab_error_set(err, -EINVAL, REF_QUOTE "empty tag", text);
		if (!tag_valid(tag, tag_len))
			return isolab_error_set(err, -EINVAL, REF_QUOTE "invalid tag (letters, digits, "
						"'_', '.', '-'; at most %d, not starting with '.' or '-')",
						text, ENG_REF_TAG_MAX);
	}
	if (name_len == 0)
		return isolab_error_set(err, -EINVAL, REF_QUOTE "empty name", text);
	if (name_len > ENG_REF_NAME_MAX)
		return isolab_error_set(err, -EINVAL, REF_QUOTE "name longer than %d characters",
					text, ENG_REF_NAME_MAX);

	/* registry: the first component, when it has '.' or ':' or is localhost */
	slash = memchr(text, '/', name_len);
	if (slash != NULL) {
		size_t first = (size_t)(slash - text);

		if (memchr(text, '.', first) != NULL || memchr(text, ':', first) != NULL ||
		    (first == strlen("localhost") && memcmp(text, "localhost", first) == 0)) {
			why = registry_invalid(text, first);
			if (why != NULL)
				return isolab_error_set(err, -EINVAL, REF_QUOTE "%s", text, why);
			repo_off = first + 1;
		}
	}
	why = repository_invalid(text + repo_off, name_len - repo_off, repo_off > 0);
	if (why != NULL)
		return isolab_error_set(err, -EINVAL, REF_QUOTE "%s", text, why);

	if (repo_off > 0 && (r.registry = strndup(text, repo_off - 1)) == NULL)
		goto nomem;
	if ((r.repository = strndup(text + repo_off, name_len - repo_off)) == NULL)
		goto nomem;
	if (colon != NULL && (r.tag = strndup(colon + 1, len - name_len - 1)) == NULL)
		goto nomem;
	*out = r;
	return 0;
nomem:
	eng_ref_free(&r);
	return isolab_error_set(err, -ENOMEM, REF_QUOTE "out of memory", text);
}

static int format_ref(const struct eng_ref *r, bool with_registry, bool with_tag,
		      char *buf, size_t size)
{
	const char *registry = with_registry ? r->registry : NULL;
	int n;

	if (!with_tag)
		n = snprintf(buf, size, "%s%s%s", registry ? registry : "", registry ? "/" : "",
			     r->repository);
	else if (r->has_digest && r->tag == NULL)
		n = snprintf(buf, size, "%s%s%s@%s", registry ? registry : "",
			     registry ? "/" : "", r->repository, r->digest.str);
	else
		n = snprintf(buf, size, "%s%s%s:%s%s%s", registry ? registry : "",
			     registry ? "/" : "", r->repository, eng_ref_tag_or_default(r),
			     r->has_digest ? "@" : "", r->has_digest ? r->digest.str : "");
	if (n < 0 || (size_t)n >= size) {
		if (size > 0)
			buf[0] = '\0';
		return -ENAMETOOLONG;
	}
	return 0;
}

int eng_ref_format(const struct eng_ref *r, char *buf, size_t size)
{
	return format_ref(r, true, true, buf, size);
}

int eng_ref_format_local(const struct eng_ref *r, char *buf, size_t size)
{
	return format_ref(r, false, true, buf, size);
}

int eng_ref_format_name(const struct eng_ref *r, char *buf, size_t size)
{
	return format_ref(r, true, false, buf, size);
}

const char *eng_ref_tag_or_default(const struct eng_ref *r)
{
	return r->tag ? r->tag : ENG_REF_DEFAULT_TAG;
}

bool eng_ref_is_id_prefix(const char *text)
{
	size_t n;

	if (text == NULL)
		return false;
	if (strncmp(text, ENG_DIGEST_ALGO ":", sizeof(ENG_DIGEST_ALGO)) == 0)
		text += sizeof(ENG_DIGEST_ALGO);
	n = strnlen(text, ENG_DIGEST_HEX_LEN + 1);
	if (n < 4 || n > ENG_DIGEST_HEX_LEN)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!is_lower_hex(text[i]))
			return false;
	return true;
}
