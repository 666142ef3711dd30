/* registry_http.c: hosts, URLs, headers and error bodies of the registry API (see registry_http.h). */
#include "engine/lib/registry_http.h"
#include "engine/lib/digest.h"
#include "common/cleanup.h"

#include <arpa/inet.h>
#include <cjson/cJSON.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static bool is_lower_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

static bool is_alnum(char c)
{
	return is_lower_alnum(c) || (c >= 'A' && c <= 'Z');
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

bool eng_registry_parse_u64(const char *s, size_t len, uint64_t *out)
{
	uint64_t v = 0;

	if (len == 0 || len > 20)
		return false;
	for (size_t i = 0; i < len; i++) {
		unsigned d;

		if (!is_digit(s[i]))
			return false;
		d = (unsigned)(s[i] - '0');
		if (v > (UINT64_MAX - d) / 10)
			return false;
		v = v * 10 + d;
	}
	*out = v;
	return true;
}

/* ":port" (1..65535) or nothing. */
static bool port_valid(const char *p)
{
	uint64_t port;

	if (*p == '\0')
		return true;
	if (*p != ':')
		return false;
	p++;
	return strlen(p) <= 5 && eng_registry_parse_u64(p, strlen(p), &port) &&
	       port >= 1 && port <= 65535;
}

/* A DNS name or an IPv4 literal: dot-separated labels of letters, digits
 * and inner hyphens, each 1..63 long. */
static bool name_valid(const char *s, size_t n)
{
	size_t label = 0;

	if (n == 0 || n > 253)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '.') {
			if (label == 0 || s[i - 1] == '-')
				return false;
			label = 0;
		} else if (is_alnum(s[i]) || (s[i] == '-' && label > 0)) {
			if (++label > 63)
				return false;
		} else {
			return false;
		}
	}
	return label > 0 && s[n - 1] != '-';
}

/* Splits host at its port: the name (without brackets) into buf. */
static bool host_name(const char *host, char *buf, size_t size, bool *bracketed, const char **port)
{
	size_t n;

	if (host[0] == '[') {
		const char *close = strchr(host, ']');

		if (close == NULL)
			return false;
		n = (size_t)(close - host - 1);
		if (n >= size)
			return false;
		memcpy(buf, host + 1, n);
		*bracketed = true;
		*port = close + 1;
	} else {
		const char *colon = strchr(host, ':');

		n = colon ? (size_t)(colon - host) : strlen(host);
		if (n >= size)
			return false;
		memcpy(buf, host, n);
		*bracketed = false;
		*port = host + n;
	}
	buf[n] = '\0';
	return true;
}

int eng_registry_host_check(const char *host, struct isolab_error *err)
{
	char name[ENG_REGISTRY_HOST_MAX + 1];
	struct in6_addr a6;
	const char *port;
	bool bracketed;
	bool ok;

	if (host == NULL)
		host = "";
	ok = strlen(host) <= ENG_REGISTRY_HOST_MAX &&
	     host_name(host, name, sizeof(name), &bracketed, &port) && port_valid(port);
	if (ok && bracketed)
		ok = strspn(name, "0123456789abcdefABCDEF:.") == strlen(name) &&
		     inet_pton(AF_INET6, name, &a6) == 1;
	else if (ok)
		ok = name_valid(name, strlen(name));
	if (!ok)
		return isolab_error_set(err, -EINVAL, "registry `%.*s`: not a host[:port]",
					ENG_REGISTRY_HOST_MAX, host);
	return 0;
}

bool eng_registry_host_is_local(const char *host)
{
	char name[ENG_REGISTRY_HOST_MAX + 1];
	struct in6_addr a6;
	struct in_addr a4;
	const char *port;
	bool bracketed;

	if (eng_registry_host_check(host, NULL) < 0 ||
	    !host_name(host, name, sizeof(name), &bracketed, &port))
		return false;
	if (bracketed)
		return inet_pton(AF_INET6, name, &a6) == 1 && IN6_IS_ADDR_LOOPBACK(&a6);
	if (strcasecmp(name, "localhost") == 0)
		return true;
	/* inet_pton takes only the dotted quad (no "127.1", octal or hex). */
	return inet_pton(AF_INET, name, &a4) == 1 && (ntohl(a4.s_addr) >> 24) == 127;
}

/* One path component: [a-z0-9]+((\.|_|__|-+)[a-z0-9]+)* */
static bool repo_component_valid(const char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		size_t start = i;

		while (i < n && is_lower_alnum(s[i]))
			i++;
		if (i == start)
			return false;
		if (i == n)
			return true;
		if (s[i] == '.') {
			i++;
		} else if (s[i] == '_') {
			i++;
			if (i < n && s[i] == '_')
				i++;
		} else if (s[i] == '-') {
			while (i < n && s[i] == '-')
				i++;
		} else {
			return false;
		}
	}
	return false; /* empty, or ends with a separator */
}

bool eng_registry_repo_valid(const char *repo)
{
	size_t len;

	if (repo == NULL)
		return false;
	len = strlen(repo);
	if (len == 0 || len > ENG_REGISTRY_REPO_MAX)
		return false;
	for (const char *p = repo;;) {
		const char *slash = strchr(p, '/');
		size_t n = slash ? (size_t)(slash - p) : strlen(p);

		if (!repo_component_valid(p, n))
			return false;
		if (slash == NULL)
			return true;
		p = slash + 1;
	}
}

bool eng_registry_tag_valid(const char *tag)
{
	size_t len;

	if (tag == NULL)
		return false;
	len = strlen(tag);
	if (len == 0 || len > ENG_REGISTRY_TAG_MAX || !(is_alnum(tag[0]) || tag[0] == '_'))
		return false;
	for (size_t i = 1; i < len; i++)
		if (!(is_alnum(tag[i]) || tag[i] == '_' || tag[i] == '.' || tag[i] == '-'))
			return false;
	return true;
}

bool eng_registry_reference_valid(const char *reference)
{
	return eng_registry_tag_valid(reference) || eng_digest_valid(reference);
}

/* asprintf with the URL bound and errors in err. */
static __attribute__((format(printf, 3, 4))) int url_printf(char **out, struct isolab_error *err,
							     const char *fmt, ...)
{
	va_list ap;
	int n;

	*out = NULL;
	va_start(ap, fmt);
	n = vasprintf(out, fmt, ap);
	va_end(ap);
	if (n < 0) {
		*out = NULL;
		return isolab_error_set(err, -ENOMEM, "URL: out of memory");
	}
	if ((size_t)n > ENG_REGISTRY_URL_MAX) {
		free(*out);
		*out = NULL;
		return isolab_error_set(err, -ENAMETOOLONG, "URL: longer than %d bytes",
					ENG_REGISTRY_URL_MAX);
	}
	return 0;
}

int eng_registry_url(const char *origin, const char *repo, const char *kind,
		     const char *reference, char **out, struct isolab_error *err)
{
	*out = NULL;
	if (!eng_registry_repo_valid(repo))
		return isolab_error_set(err, -EINVAL, "repository `%.*s`: not a repository name "
					"(lowercase letters, digits, separators . _ __ - and /)",
					ENG_REGISTRY_REPO_MAX, repo ? repo : "");
	if (reference == NULL)
		return url_printf(out, err, "%s/v2/%s/%s/", origin, repo, kind);
	if (!eng_registry_reference_valid(reference))
		return isolab_error_set(err, -EINVAL, "reference `%.*s`: neither a tag nor a "
					"sha256 digest", ENG_REGISTRY_TAG_MAX, reference);
	return url_printf(out, err, "%s/v2/%s/%s/%s", origin, repo, kind, reference);
}

/* Length of "scheme://authority" at the start of url, or 0. */
static size_t origin_len(const char *url)
{
	const char *sep = strstr(url, "://");

	if (sep == NULL)
		return 0;
	return (size_t)(sep + 3 - url) + strcspn(sep + 3, "/?#");
}

/* "scheme:" before any '/', '?' or '#': an absolute URI. */
static bool has_scheme(const char *s)
{
	size_t n = strcspn(s, ":/?#");

	return n > 0 && s[n] == ':';
}

int eng_registry_location_resolve(const char *origin, const char *request_url,
				  const char *location, char **out,
				  struct isolab_error *err)
{
	size_t len = strlen(location);
	size_t keep;

	*out = NULL;
	if (len == 0)
		return isolab_error_set(err, -EPROTO, "upload location: empty");
	if (len > ENG_REGISTRY_URL_MAX)
		return isolab_error_set(err, -EPROTO, "upload location: longer than %d bytes",
					ENG_REGISTRY_URL_MAX);
	for (size_t i = 0; i < len; i++) {
		if ((unsigned char)location[i] <= 0x20 || (unsigned char)location[i] >= 0x7f ||
		    location[i] == '\\') {
			char shown[201];
			size_t n = len < sizeof(shown) - 1 ? len : sizeof(shown) - 1;

			for (size_t j = 0; j < n; j++)
				shown[j] = (unsigned char)location[j] < 0x20 ||
					   (unsigned char)location[j] >= 0x7f ? '?' : location[j];
			shown[n] = '\0';
			return isolab_error_set(err, -EPROTO, "upload location `%s`: not a URL", shown);
		}
	}
	len = strcspn(location, "#");
	if (strncmp(location, "//", 2) == 0 || has_scheme(location)) {
		/* A network-path reference ("//host/path") takes the origin's scheme. */
		int scheme_len = (int)(strstr(origin, "://") - origin);
		size_t o;
		int rc;

		if (location[0] == '/')
			rc = url_printf(out, err, "%.*s:%.*s", scheme_len, origin, (int)len, location);
		else
			rc = url_printf(out, err, "%.*s", (int)len, location);
		if (rc < 0)
			return rc;
		o = origin_len(*out);
		if (o == 0 || o != strlen(origin) || strncasecmp(*out, origin, o) != 0) {
			free(*out);
			*out = NULL;
			return isolab_error_set(err, -EPROTO, "upload location `%.200s`: not on %s",
						location, origin);
		}
		return 0;
	}
	if (location[0] == '/')
		return url_printf(out, err, "%s%.*s", origin, (int)len, location);
	/* A relative path: replaces the last segment of the request's path. */
	keep = strcspn(request_url, "?#");
	while (keep > origin_len(request_url) && request_url[keep - 1] != '/')
		keep--;
	if (keep == origin_len(request_url))
		return url_printf(out, err, "%.*s/%.*s", (int)keep, request_url, (int)len, location);
	return url_printf(out, err, "%.*s%.*s", (int)keep, request_url, (int)len, location);
}

int eng_registry_url_add_query(const char *url, const char *key, const char *value,
			       char **out, struct isolab_error *err)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t vlen = strlen(value);
	size_t base = strcspn(url, "#");
	_cleanup_free_ char *enc = malloc(vlen * 3 + 1);
	char *p = enc;

	*out = NULL;
	if (enc == NULL)
		return isolab_error_set(err, -ENOMEM, "URL: out of memory");
	for (size_t i = 0; i < vlen; i++) {
		unsigned char c = (unsigned char)value[i];

		if (is_alnum((char)c) || c == '-' || c == '.' || c == '_' || c == '~') {
			*p++ = (char)c;
		} else {
			*p++ = '%';
			*p++ = hex[c >> 4];
			*p++ = hex[c & 15];
		}
	}
	*p = '\0';
	return url_printf(out, err, "%.*s%c%s=%s", (int)base, url,
			  memchr(url, '?', base) ? '&' : '?', key, enc);
}

void eng_registry_headers_reset(struct eng_registry_headers *h)
{
	memset(h, 0, sizeof(*h));
}

/* Copies value into buf if it fits and is printable ASCII (tabs become spaces). */
static bool copy_printable(char *buf, size_t size, const char *value, size_t len)
{
	if (len >= size)
		return false;
	for (size_t i = 0; i < len; i++)
		if (((unsigned char)value[i] < 0x20 && value[i] != '\t') ||
		    (unsigned char)value[i] >= 0x7f)
			return false;
	memcpy(buf, value, len);
	buf[len] = '\0';
	for (size_t i = 0; i < len; i++)
		if (buf[i] == '\t')
			buf[i] = ' ';
	return true;
}

/* "HTTP/1.1 404 Not Found", "HTTP/2 200". */
static void feed_status(struct eng_registry_headers *h, const char *line, size_t len)
{
	size_t i = 5;

	eng_registry_headers_reset(h);
	while (i < len && line[i] != ' ')
		i++;
	if (i + 4 > len || !is_digit(line[i + 1]) || !is_digit(line[i + 2]) ||
	    !is_digit(line[i + 3]) || (i + 4 < len && line[i + 4] != ' '))
		return;
	h->status = (line[i + 1] - '0') * 100 + (line[i + 2] - '0') * 10 + (line[i + 3] - '0');
	if (i + 5 < len && !copy_printable(h->reason, sizeof(h->reason), line + i + 5, len - i - 5))
		snprintf(h->reason, sizeof(h->reason), "%s", "");
}

static bool name_is(const char *name, size_t n, const char *want)
{
	return n == strlen(want) && strncasecmp(name, want, n) == 0;
}

void eng_registry_headers_feed(struct eng_registry_headers *h, const char *line, size_t len)
{
	const char *colon;
	const char *value;
	size_t name_len;
	size_t vlen;

	while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
		len--;
	if (len == 0) {
		if (h->status != 0)
			h->complete = true;
		return;
	}
	if (len >= 5 && memcmp(line, "HTTP/", 5) == 0) {
		feed_status(h, line, len);
		return;
	}
	if (line[0] == ' ' || line[0] == '\t')
		return; /* obsolete line folding: not for the headers we read */
	colon = memchr(line, ':', len);
	if (colon == NULL)
		return;
	name_len = (size_t)(colon - line);
	value = colon + 1;
	vlen = len - name_len - 1;
	while (vlen > 0 && (*value == ' ' || *value == '\t')) {
		value++;
		vlen--;
	}
	while (vlen > 0 && (value[vlen - 1] == ' ' || value[vlen - 1] == '\t'))
		vlen--;

	if (name_is(line, name_len, "Location")) {
		h->has_location = true;
		h->location_bad = !copy_printable(h->location, sizeof(h->location), value, vlen);
		if (h->location_bad)
			h->location[0] = '\0';
	} else if (name_is(line, name_len, "Docker-Content-Digest")) {
		h->has_content_digest = true;
		if (!copy_printable(h->content_digest, sizeof(h->content_digest), value, vlen))
			snprintf(h->content_digest, sizeof(h->content_digest), "%s", "(bad)");
	} else if (name_is(line, name_len, "Content-Type")) {
		size_t n = strcspn(value, ";");

		if (n > vlen)
			n = vlen;
		while (n > 0 && (value[n - 1] == ' ' || value[n - 1] == '\t'))
			n--;
		if (n < sizeof(h->content_type) &&
		    strspn(value, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			   "0123456789!#$&^_.+-/") >= n) {
			memcpy(h->content_type, value, n);
			h->content_type[n] = '\0';
		} else {
			h->content_type[0] = '\0';
		}
	} else if (name_is(line, name_len, "Content-Length")) {
		h->has_content_length = eng_registry_parse_u64(value, vlen, &h->content_length);
	} else if (name_is(line, name_len, "OCI-Chunk-Min-Length")) {
		h->has_chunk_min = eng_registry_parse_u64(value, vlen, &h->chunk_min);
	} else if (name_is(line, name_len, "Range")) {
		if (!copy_printable(h->range, sizeof(h->range), value, vlen))
			h->range[0] = '\0';
	}
}

/* Appends s (at most max bytes of it) to out, non-printable bytes as '?'. */
static void append_printable(char *out, size_t size, const char *s, size_t max)
{
	size_t at = strlen(out);

	for (size_t i = 0; i < max && at + 1 < size && s[i] != '\0'; i++, at++)
		out[at] = ((unsigned char)s[i] >= 0x20 && (unsigned char)s[i] < 0x7f) ? s[i] : '?';
	out[at] = '\0';
}

void eng_registry_error_summary(const char *body, size_t len, char *out, size_t size)
{
	const cJSON *errors, *first, *code, *message;
	cJSON *doc;

	if (size == 0)
		return;
	out[0] = '\0';
	if (body == NULL || len == 0 || len > ENG_REGISTRY_ERRBODY_MAX)
		return;
	doc = cJSON_ParseWithLength(body, len);
	if (doc == NULL)
		return;
	errors = cJSON_GetObjectItemCaseSensitive(doc, "errors");
	first = cJSON_IsArray(errors) ? errors->child : NULL;
	if (cJSON_IsObject(first)) {
		code = cJSON_GetObjectItemCaseSensitive(first, "code");
		message = cJSON_GetObjectItemCaseSensitive(first, "message");
		if (cJSON_IsString(code) && code->valuestring[0] != '\0')
			append_printable(out, size, code->valuestring, 64);
		if (cJSON_IsString(message) && message->valuestring[0] != '\0') {
			if (out[0] != '\0')
				append_printable(out, size, ": ", 2);
			append_printable(out, size, message->valuestring, 200);
		}
	}
	cJSON_Delete(doc);
}
