/*
 * registry.c: the OCI distribution API v2 over libcurl (see registry.h).
 * One easy handle per registry, reset before each request so that only its
 * connection (keep-alive) carries over; URLs, headers and error bodies are
 * worked out by the pure registry_http.c.
 */
#include "engine/lib/registry.h"
#include "engine/lib/registry_http.h"
#include "common/cleanup.h"
#include "common/safe_open.h"

#include <curl/curl.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Media types a manifest GET accepts (image-spec manifest.md and
 * image-index.md; Docker's image manifest v2 schema 2 and manifest list). */
#define ACCEPT_MANIFESTS                                              \
	"Accept: application/vnd.oci.image.manifest.v1+json, "        \
	"application/vnd.oci.image.index.v1+json, "                   \
	"application/vnd.docker.distribution.manifest.v2+json, "      \
	"application/vnd.docker.distribution.manifest.list.v2+json"
/* The most of a 2xx body the client reads and throws away (POST, PUT...). */
#define DISCARD_MAX (1u << 20)
#define WHAT_MAX (ENG_REGISTRY_REPO_MAX + ENG_DIGEST_STR_MAX + 32)

struct eng_registry {
	CURL *curl;
	char host[ENG_REGISTRY_HOST_MAX + 1];       /* "127.0.0.1:5000" */
	char origin[ENG_REGISTRY_HOST_MAX + 16];    /* "http://127.0.0.1:5000" */
	bool tls;
	struct eng_registry_opts opts;
	char errbuf[CURL_ERROR_SIZE];
};

enum sink_kind { SINK_DISCARD, SINK_MEM, SINK_FD };

/* One request: what it sends, where its answer goes; libcurl's callbacks
 * see it. A callback that fails fills err and sets failed. */
struct xfer {
	struct eng_registry *r;
	struct isolab_error *err;
	int failed;
	const char *body_what;            /* "blob sha256:...", for body errors */
	struct eng_registry_headers hdr;

	bool send;                        /* a request body: send_buf or send_fd */
	const char *send_buf;
	int send_fd;
	const char *send_path;
	uint64_t send_off, send_len, sent;
	struct eng_hasher *send_hash;     /* hashes what was sent, if set */
	uint64_t progress_base, progress_total;

	enum sink_kind sink;              /* where a 2xx body goes */
	uint64_t expected;                /* 0: not known */
	uint64_t max;                     /* 0: no limit */
	char *mem;
	size_t mem_len, mem_cap;
	int fd;
	struct eng_hasher *recv_hash;
	uint64_t received;

	char *errbody;                    /* a non-2xx body, for the message */
	size_t errbody_len;
	bool errbody_full;
};

static void xfer_release(struct xfer *x)
{
	free(x->mem);
	free(x->errbody);
	eng_hasher_free(x->send_hash);
	eng_hasher_free(x->recv_hash);
}

#define _cleanup_xfer_ __attribute__((cleanup(xfer_release)))

static void xfer_init(struct xfer *x, struct eng_registry *r, struct isolab_error *err)
{
	memset(x, 0, sizeof(*x));
	x->r = r;
	x->err = err;
	x->send_fd = -1;
	x->fd = -1;
}

static bool is_2xx(long status)
{
	return status >= 200 && status <= 299;
}

/* Refuses len more bytes of body beyond the expected size or the limit. */
static int check_limits(struct xfer *x, uint64_t total)
{
	struct eng_registry *r = x->r;

	if (x->expected > 0 && total > x->expected)
		return isolab_error_set(x->err, -EBADMSG, "registry %s: %s: more than the expected "
					"%" PRIu64 " bytes", r->host, x->body_what, x->expected);
	if (x->max > 0 && total > x->max)
		return isolab_error_set(x->err, -EFBIG, "registry %s: %s: larger than %" PRIu64
					" bytes", r->host, x->body_what, x->max);
	return 0;
}

static size_t on_header(char *buf, size_t size, size_t nitems, void *arg)
{
	struct xfer *x = arg;
	size_t len = size * nitems;
	bool was_complete = x->hdr.complete;

	if (len >= 5 && memcmp(buf, "HTTP/", 5) == 0) {
		x->errbody_len = 0;     /* a new response (after a redirect) */
		x->errbody_full = false;
	}
	eng_registry_headers_feed(&x->hdr, buf, len);
	/* A body announced too big is refused before it comes. */
	if (!was_complete && x->hdr.complete && is_2xx(x->hdr.status) &&
	    x->sink != SINK_DISCARD && x->hdr.has_content_length) {
		int rc = check_limits(x, x->hdr.content_length);

		if (rc < 0) {
			x->failed = rc;
			return 0;
		}
	}
	return len;
}

static int body_to_fd(struct xfer *x, const char *p, size_t len)
{
	while (len > 0) {
		ssize_t w = write(x->fd, p, len);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return isolab_error_errno(x->err, -errno, "registry %s: %s: write",
						  x->r->host, x->body_what);
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

static int body_to_mem(struct xfer *x, const char *p, size_t len)
{
	if (x->mem == NULL || x->mem_len + len + 1 > x->mem_cap) {
		size_t cap = x->mem_cap ? x->mem_cap : 16384;
		char *grown;

		while (cap < x->mem_len + len + 1)
			cap *= 2;
		grown = realloc(x->mem, cap);
		if (grown == NULL)
			return isolab_error_set(x->err, -ENOMEM, "registry %s: %s: out of memory",
						x->r->host, x->body_what);
		x->mem = grown;
		x->mem_cap = cap;
	}
	memcpy(x->mem + x->mem_len, p, len);
	x->mem_len += len;
	x->mem[x->mem_len] = '\0';
	return 0;
}

static size_t on_body(char *buf, size_t size, size_t nitems, void *arg)
{
	struct xfer *x = arg;
	size_t len = size * nitems;
	int rc = 0;

	if (!is_2xx(x->hdr.status)) {
		/* An error body: the first ENG_REGISTRY_ERRBODY_MAX bytes, then stop. */
		size_t room = ENG_REGISTRY_ERRBODY_MAX - x->errbody_len;

		if (x->errbody == NULL && (x->errbody = malloc(ENG_REGISTRY_ERRBODY_MAX)) == NULL)
			return 0;
		memcpy(x->errbody + x->errbody_len, buf, len < room ? len : room);
		x->errbody_len += len < room ? len : room;
		if (len > room) {
			x->errbody_full = true;
			return 0;
		}
		return len;
	}
	if (x->sink == SINK_DISCARD) {
		x->received += len;
		if (x->received > DISCARD_MAX) {
			x->failed = isolab_error_set(x->err, -EPROTO, "registry %s: response body "
						     "larger than %u bytes", x->r->host, DISCARD_MAX);
			return 0;
		}
		return len;
	}
	rc = check_limits(x, x->received + len);
	if (rc == 0)
		rc = x->sink == SINK_FD ? body_to_fd(x, buf, len) : body_to_mem(x, buf, len);
	if (rc < 0) {
		x->failed = rc;
		return 0;
	}
	if (x->recv_hash)
		eng_hasher_update(x->recv_hash, buf, len);
	x->received += len;
	if (x->sink == SINK_FD && x->r->opts.progress)
		x->r->opts.progress(x->r->opts.progress_arg, x->received, x->expected);
	return len;
}

static size_t on_read(char *buf, size_t size, size_t nitems, void *arg)
{
	struct xfer *x = arg;
	uint64_t left = x->send_len - x->sent;
	size_t want = size * nitems < left ? size * nitems : (size_t)left;
	ssize_t got;

	if (want == 0)
		return 0;
	if (x->send_buf) {
		memcpy(buf, x->send_buf + x->sent, want);
		got = (ssize_t)want;
	} else {
		do
			got = pread(x->send_fd, buf, want, (off_t)(x->send_off + x->sent));
		while (got < 0 && errno == EINTR);
		if (got <= 0) {
			x->failed = got < 0
				? isolab_error_errno(x->err, -errno, "registry %s: %s: read %s",
						     x->r->host, x->body_what, x->send_path)
				: isolab_error_set(x->err, -EIO, "registry %s: %s: %s shrank while "
						   "being sent", x->r->host, x->body_what, x->send_path);
			return CURL_READFUNC_ABORT;
		}
	}
	if (x->send_hash)
		eng_hasher_update(x->send_hash, buf, (size_t)got);
	x->sent += (uint64_t)got;
	if (x->send_fd >= 0 && x->r->opts.progress)
		x->r->opts.progress(x->r->opts.progress_arg, x->progress_base + x->sent,
				    x->progress_total);
	return (size_t)got;
}

/* libcurl's error text, printable and one line. */
static const char *curl_detail(struct eng_registry *r, CURLcode rc)
{
	if (r->errbuf[0] == '\0')
		return curl_easy_strerror(rc);
	for (char *p = r->errbuf; *p; p++)
		if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f)
			*p = (p[1] == '\0' && *p == '\n') ? '\0' : '?';
	return r->errbuf;
}

static int transport_error(struct xfer *x, const char *method, const char *what, CURLcode rc)
{
	struct eng_registry *r = x->r;
	const char *detail = curl_detail(r, rc);
	long os_errno = 0;

	curl_easy_getinfo(r->curl, CURLINFO_OS_ERRNO, &os_errno);
	switch (rc) {
	case CURLE_COULDNT_CONNECT:
		if (os_errno > 0)
			return isolab_error_set(x->err, (int)-os_errno, "registry %s: connect: %s",
						r->host, strerror((int)os_errno));
		return isolab_error_set(x->err, -ECONNREFUSED, "registry %s: connect: %s",
					r->host, detail);
	case CURLE_COULDNT_RESOLVE_HOST:
		return isolab_error_set(x->err, -EHOSTUNREACH, "registry %s: resolve: %s",
					r->host, detail);
	case CURLE_OPERATION_TIMEDOUT:
		return isolab_error_set(x->err, -ETIMEDOUT, "registry %s: %s %s: timed out (%s)",
					r->host, method, what, detail);
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CIPHER:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_SSL_INVALIDCERTSTATUS:
		return isolab_error_set(x->err, -EPROTO, "registry %s: TLS: %s", r->host, detail);
	case CURLE_PARTIAL_FILE:
	case CURLE_RECV_ERROR:
	case CURLE_SEND_ERROR:
	case CURLE_GOT_NOTHING:
		return isolab_error_set(x->err, -ECONNRESET, "registry %s: %s %s: connection "
					"closed (%s)", r->host, method, what, detail);
	case CURLE_TOO_MANY_REDIRECTS:
		return isolab_error_set(x->err, -ELOOP, "registry %s: %s %s: more than %d "
					"redirects", r->host, method, what, ENG_REGISTRY_MAX_REDIRECTS);
	case CURLE_OUT_OF_MEMORY:
		return isolab_error_set(x->err, -ENOMEM, "registry %s: %s %s: out of memory",
					r->host, method, what);
	default:
		return isolab_error_set(x->err, -EIO, "registry %s: %s %s: %s", r->host, method,
					what, detail);
	}
}

static int status_errno(long status)
{
	if (status == 404)
		return -ENOENT;
	if (status == 401 || status == 403)
		return -EACCES;
	if (status == 416)
		return -ERANGE;
	if (status >= 400 && status <= 499)
		return -EINVAL;
	if (status >= 500 && status <= 599)
		return -EIO;
	return -EPROTO;
}

/* "registry HOST: PUT manifest app:1: 400 MANIFEST_INVALID: manifest invalid" */
static int http_error(struct xfer *x, const char *method, const char *what)
{
	char summary[300];

	eng_registry_error_summary(x->errbody, x->errbody_len, summary, sizeof(summary));
	if (summary[0] == '\0')
		snprintf(summary, sizeof(summary), "%s", x->hdr.reason);
	return isolab_error_set(x->err, status_errno(x->hdr.status), "registry %s: %s %s: %ld%s%s",
				x->r->host, method, what, x->hdr.status, summary[0] ? " " : "",
				summary);
}

#define SETOPT(c, opt, val) ok = ok && curl_easy_setopt((c), (opt), (val)) == CURLE_OK

/* Runs one request; 0 when a response came (x->hdr.status), whatever its
 * status. headers: NULL-terminated "Name: value" lines to add. */
static int perform(struct xfer *x, const char *method, const char *url, const char *what,
		   const char *const *headers, bool follow)
{
	struct eng_registry *r = x->r;
	CURL *c = r->curl;
	struct curl_slist *list = NULL;
	long timeout = r->opts.timeout_s > 0 ? r->opts.timeout_s : ENG_REGISTRY_TIMEOUT_DEFAULT;
	bool ok = true;
	CURLcode rc;

	curl_easy_reset(c);
	r->errbuf[0] = '\0';
	eng_registry_headers_reset(&x->hdr);
	SETOPT(c, CURLOPT_URL, url);
	SETOPT(c, CURLOPT_PROTOCOLS_STR, r->tls ? "https" : "http");
	SETOPT(c, CURLOPT_NOSIGNAL, 1L);
	SETOPT(c, CURLOPT_PROXY, "");  /* no proxy from the environment */
	SETOPT(c, CURLOPT_ERRORBUFFER, r->errbuf);
	SETOPT(c, CURLOPT_USERAGENT, "isolab");
	SETOPT(c, CURLOPT_CONNECTTIMEOUT, timeout);
	SETOPT(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
	SETOPT(c, CURLOPT_LOW_SPEED_TIME, timeout);
	SETOPT(c, CURLOPT_SSL_VERIFYPEER, 1L);
	SETOPT(c, CURLOPT_SSL_VERIFYHOST, 2L);
	SETOPT(c, CURLOPT_HEADERFUNCTION, on_header);
	SETOPT(c, CURLOPT_HEADERDATA, x);
	SETOPT(c, CURLOPT_WRITEFUNCTION, on_body);
	SETOPT(c, CURLOPT_WRITEDATA, x);
	if (follow) {
		SETOPT(c, CURLOPT_FOLLOWLOCATION, 1L);
		SETOPT(c, CURLOPT_MAXREDIRS, (long)ENG_REGISTRY_MAX_REDIRECTS);
		SETOPT(c, CURLOPT_REDIR_PROTOCOLS_STR, r->tls ? "https" : "http,https");
	}
	if (strcmp(method, "HEAD") == 0) {
		SETOPT(c, CURLOPT_NOBODY, 1L);
	} else if (strcmp(method, "GET") == 0) {
		SETOPT(c, CURLOPT_HTTPGET, 1L);
	} else if (x->send) {
		SETOPT(c, CURLOPT_UPLOAD, 1L);
		SETOPT(c, CURLOPT_INFILESIZE_LARGE, (curl_off_t)x->send_len);
		SETOPT(c, CURLOPT_READFUNCTION, on_read);
		SETOPT(c, CURLOPT_READDATA, x);
		SETOPT(c, CURLOPT_CUSTOMREQUEST, method);
		list = curl_slist_append(list, "Expect:");  /* no 100-continue round trip */
		ok = ok && list != NULL;
	} else {
		SETOPT(c, CURLOPT_CUSTOMREQUEST, method);
	}
	for (size_t i = 0; ok && headers && headers[i]; i++) {
		struct curl_slist *more = curl_slist_append(list, headers[i]);

		ok = more != NULL;
		list = more ? more : list;
	}
	SETOPT(c, CURLOPT_HTTPHEADER, list);
	if (!ok) {
		curl_slist_free_all(list);
		return isolab_error_set(x->err, -ENOMEM, "registry %s: %s %s: setting up the request "
					"failed", r->host, method, what);
	}
	rc = curl_easy_perform(c);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, NULL);
	curl_slist_free_all(list);
	if (x->failed)
		return x->failed;
	if (rc == CURLE_WRITE_ERROR && x->errbody_full)
		rc = CURLE_OK;  /* an error body cut short: the status says enough */
	if (rc != CURLE_OK)
		return transport_error(x, method, what, rc);
	if (x->hdr.status == 0)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &x->hdr.status);
	return 0;
}

/* True when the registry's Docker-Content-Digest is a sha256 one other than d. */
static bool content_digest_differs(const struct eng_registry_headers *h, const struct eng_digest *d)
{
	return h->has_content_digest && strncmp(h->content_digest, ENG_DIGEST_ALGO ":",
						sizeof(ENG_DIGEST_ALGO)) == 0 &&
	       strcmp(h->content_digest, d->str) != 0;
}

static void name_manifest(char *what, const char *repo, const char *reference)
{
	snprintf(what, WHAT_MAX, "manifest %.*s%c%.*s", ENG_REGISTRY_REPO_MAX, repo ? repo : "",
		 eng_digest_valid(reference) ? '@' : ':', ENG_REGISTRY_TAG_MAX,
		 reference ? reference : "");
}

static void name_blob(char *what, const char *repo, const struct eng_digest *d)
{
	snprintf(what, WHAT_MAX, "blob %.*s@%s", ENG_REGISTRY_REPO_MAX, repo ? repo : "", d->str);
}

const char *eng_registry_host(const struct eng_registry *r)
{
	return r->host;
}

void eng_registry_close(struct eng_registry *r)
{
	if (r == NULL)
		return;
	if (r->curl)
		curl_easy_cleanup(r->curl);
	free(r);
}

/* Chooses the scheme for name and checks GET /v2/ over a new handle. */
static int registry_connect(struct eng_registry *r, const char *name, bool want_http,
			    bool want_https, struct isolab_error *err)
{
	_cleanup_xfer_ struct xfer x;
	_cleanup_free_ char *url = NULL;
	bool local = eng_registry_host_is_local(name);
	int rc;

	xfer_init(&x, r, err);
	if (want_http && !local && !r->opts.insecure)
		return isolab_error_set(err, -EPERM, "registry %s: plain HTTP refused (not a local "
					"host, and insecure is not set)", name);
	r->tls = want_https || (!want_http && !local && !r->opts.insecure);
	snprintf(r->host, sizeof(r->host), "%s", name);
	snprintf(r->origin, sizeof(r->origin), "%s://%s", r->tls ? "https" : "http", name);
	r->curl = curl_easy_init();
	if (r->curl == NULL)
		return isolab_error_set(err, -ENOMEM, "registry %s: cannot start libcurl", name);
	if (asprintf(&url, "%s/v2/", r->origin) < 0) {
		url = NULL;
		return isolab_error_set(err, -ENOMEM, "registry %s: out of memory", name);
	}
	rc = perform(&x, "GET", url, "/v2/", NULL, false);
	if (rc < 0)
		return rc;
	if (x.hdr.status == 401)
		return isolab_error_set(err, -EACCES, "registry %s: needs authentication (not "
					"supported)", name);
	if (x.hdr.status != 200)
		return http_error(&x, "GET", "/v2/");
	return 0;
}

int eng_registry_open(const char *host, const struct eng_registry_opts *opts,
		      struct eng_registry **out, struct isolab_error *err)
{
	static const struct eng_registry_opts defaults = { 0 };
	struct eng_registry *r;
	const char *name = host ? host : "";
	bool want_http = false, want_https = false;
	int rc;

	*out = NULL;
	if (strncmp(name, "https://", 8) == 0) {
		name += 8;
		want_https = true;
	} else if (strncmp(name, "http://", 7) == 0) {
		name += 7;
		want_http = true;
	}
	rc = eng_registry_host_check(name, err);
	if (rc < 0)
		return rc;
	r = calloc(1, sizeof(*r));
	if (r == NULL)
		return isolab_error_set(err, -ENOMEM, "registry %s: out of memory", name);
	r->opts = opts ? *opts : defaults;
	rc = registry_connect(r, name, want_http, want_https, err);
	if (rc < 0) {
		eng_registry_close(r);
		return rc;
	}
	*out = r;
	return 0;
}

int eng_registry_blob_exists(struct eng_registry *r, const char *repo,
			     const struct eng_digest *d, bool *exists, uint64_t *size,
			     struct isolab_error *err)
{
	_cleanup_xfer_ struct xfer x;
	_cleanup_free_ char *url = NULL;
	char what[WHAT_MAX];
	int rc;

	xfer_init(&x, r, err);
	*exists = false;
	if (size)
		*size = 0;
	name_blob(what, repo, d);
	rc = eng_registry_url(r->origin, repo, "blobs", d->str, &url, err);
	if (rc < 0)
		return rc;
	rc = perform(&x, "HEAD", url, what, NULL, true);
	if (rc < 0)
		return rc;
	if (x.hdr.status == 404)
		return 0;
	if (x.hdr.status != 200)
		return http_error(&x, "HEAD", what);
	*exists = true;
	if (size && x.hdr.has_content_length)
		*size = x.hdr.content_length;
	return 0;
}

/* POSTs to the repository's uploads (with query, for a mount); the
 * response is in x. */
static int upload_start(struct xfer *x, const char *repo, const char *what,
			const char *mount, const char *from)
{
	_cleanup_free_ char *url = NULL;
	_cleanup_free_ char *with_mount = NULL;
	_cleanup_free_ char *with_from = NULL;
	int rc;

	rc = eng_registry_url(x->r->origin, repo, "blobs/uploads", NULL, &url, x->err);
	if (rc == 0 && mount && from) {
		rc = eng_registry_url_add_query(url, "mount", mount, &with_mount, x->err);
		if (rc == 0)
			rc = eng_registry_url_add_query(with_mount, "from", from, &with_from, x->err);
	}
	if (rc < 0)
		return rc;
	x->send = true;  /* an empty body */
	return perform(x, "POST", with_from ? with_from : url, what, NULL, false);
}

/* The upload URL from a 202's Location, resolved against request_url. */
static int upload_location(struct xfer *x, const char *method, const char *what,
			   const char *request_url, char **out)
{
	int rc;

	*out = NULL;
	if (!x->hdr.has_location)
		return isolab_error_set(x->err, -EPROTO, "registry %s: %s %s: %ld without a Location",
					x->r->host, method, what, x->hdr.status);
	if (x->hdr.location_bad)
		return isolab_error_set(x->err, -EPROTO, "registry %s: %s %s: Location header not "
					"a URL", x->r->host, method, what);
	rc = eng_registry_location_resolve(x->r->origin, request_url, x->hdr.location, out, x->err);
	if (rc < 0)
		return isolab_error_wrap(x->err, "registry %s: %s %s", x->r->host, method, what);
	return 0;
}

/* DELETEs an upload that will not be finished; its outcome does not matter. */
static void upload_cancel(struct eng_registry *r, const char *url)
{
	_cleanup_xfer_ struct xfer x;

	xfer_init(&x, r, NULL);
	if (url)
		perform(&x, "DELETE", url, "upload", NULL, false);
}

/* Sends [off, off + len) of fd as the body of method url. */
static int send_range(struct xfer *x, const char *method, const char *url, const char *what,
		      const char *const *headers, uint64_t off, uint64_t len)
{
	x->failed = 0;
	x->send = true;
	x->send_off = off;
	x->send_len = len;
	x->sent = 0;
	x->received = 0;
	x->errbody_len = 0;
	x->errbody_full = false;
	x->progress_base = off;
	return perform(x, method, url, what, headers, false);
}

/* PATCHes the blob in chunks, leaving *upload_url at the last Location. */
static int push_chunks(struct xfer *x, const char *what, uint64_t size, char **upload_url)
{
	static const char *const octets = "Content-Type: application/octet-stream";
	uint64_t chunk = ENG_REGISTRY_CHUNK_SIZE;
	int rc;

	if (x->hdr.has_chunk_min && x->hdr.chunk_min > chunk)
		chunk = x->hdr.chunk_min < ENG_REGISTRY_CHUNK_MAX ? x->hdr.chunk_min
								  : ENG_REGISTRY_CHUNK_MAX;
	for (uint64_t off = 0; off < size; off += chunk) {
		uint64_t n = size - off < chunk ? size - off : chunk;
		char range[64];
		const char *headers[] = { octets, range, NULL };
		char *next = NULL;

		snprintf(range, sizeof(range), "Content-Range: %" PRIu64 "-%" PRIu64, off,
			 off + n - 1);
		rc = send_range(x, "PATCH", *upload_url, what, headers, off, n);
		if (rc < 0)
			return rc;
		if (x->hdr.status != 202)
			return http_error(x, "PATCH", what);
		if (x->hdr.has_location) {
			rc = upload_location(x, "PATCH", what, *upload_url, &next);
			if (rc < 0)
				return rc;
			free(*upload_url);
			*upload_url = next;
		}
	}
	return 0;
}

/* Checks that what was sent hashed to d. */
static int check_sent(struct xfer *x, const struct eng_digest *d)
{
	struct eng_digest sent;

	eng_hasher_final(x->send_hash, &sent);
	x->send_hash = NULL;
	if (strcmp(sent.str, d->str) != 0)
		return x->failed = isolab_error_set(x->err, -EBADMSG, "registry %s: %s: %s "
						    "changed: its bytes are %s", x->r->host,
						    x->body_what, x->send_path, sent.str);
	return 0;
}

/* The upload after its POST: the data, then the closing PUT ?digest=. */
static int push_data(struct xfer *x, const char *what, const struct eng_digest *d,
		     uint64_t size, char **upload_url)
{
	static const char *const octets[] = { "Content-Type: application/octet-stream", NULL };
	struct eng_registry *r = x->r;
	_cleanup_free_ char *put_url = NULL;
	bool chunked = size > ENG_REGISTRY_CHUNK_THRESHOLD;
	int rc;

	x->send_hash = eng_hasher_new();
	if (x->send_hash == NULL)
		return isolab_error_set(x->err, -ENOMEM, "registry %s: %s: out of memory",
					r->host, what);
	if (chunked) {
		rc = push_chunks(x, what, size, upload_url);
		if (rc == 0)
			rc = check_sent(x, d);
		if (rc < 0)
			return rc;
	}
	rc = eng_registry_url_add_query(*upload_url, "digest", d->str, &put_url, x->err);
	if (rc < 0)
		return isolab_error_wrap(x->err, "registry %s: PUT %s", r->host, what);
	if (chunked) {
		rc = send_range(x, "PUT", put_url, what, NULL, 0, 0);
	} else {
		rc = send_range(x, "PUT", put_url, what, octets, 0, size);
		/* Bytes other than d went up (the file changed): that is the news,
		 * whatever the registry said about them. */
		if (x->sent == size && check_sent(x, d) < 0)
			return x->failed;
	}
	if (rc < 0)
		return rc;
	if (!is_2xx(x->hdr.status) || x->hdr.status == 202)
		return http_error(x, "PUT", what);
	if (content_digest_differs(&x->hdr, d))
		return isolab_error_set(x->err, -EPROTO, "registry %s: PUT %s: the registry stored "
					"%s", r->host, what, x->hdr.content_digest);
	return 0;
}

int eng_registry_blob_push(struct eng_registry *r, const char *repo,
			   const struct eng_digest *d, const char *path, uint64_t size,
			   struct isolab_error *err)
{
	_cleanup_xfer_ struct xfer x;
	_cleanup_close_ int fd = -1;
	_cleanup_free_ char *upload_url = NULL;
	_cleanup_free_ char *post_url = NULL;
	char what[WHAT_MAX];
	char body_what[ENG_DIGEST_STR_MAX + 8];
	uint64_t file_size = 0;
	int rc;

	xfer_init(&x, r, err);
	name_blob(what, repo, d);
	snprintf(body_what, sizeof(body_what), "blob %s", d->str);
	x.body_what = body_what;
	fd = isolab_open_regular(path, &file_size, err);
	if (fd < 0)
		return isolab_error_wrap(err, "registry %s: %s: %s", r->host, body_what, path);
	if (file_size != size)
		return isolab_error_set(err, -EINVAL, "registry %s: %s: %s is %" PRIu64 " bytes, "
					"expected %" PRIu64, r->host, body_what, path, file_size, size);
	x.send_fd = fd;
	x.send_path = path;
	x.progress_total = size;

	rc = upload_start(&x, repo, what, NULL, NULL);
	if (rc < 0)
		return rc;
	if (x.hdr.status != 202)
		return http_error(&x, "POST", what);
	rc = eng_registry_url(r->origin, repo, "blobs/uploads", NULL, &post_url, err);
	if (rc == 0)
		rc = upload_location(&x, "POST", what, post_url, &upload_url);
	if (rc < 0)
		return rc;
	rc = push_data(&x, what, d, size, &upload_url);
	if (rc < 0)
		upload_cancel(r, upload_url);
	return rc;
}

int eng_registry_blob_mount(struct eng_registry *r, const char *repo,
			    const struct eng_digest *d, const char *from_repo,
			    bool *mounted, struct isolab_error *err)
{
	_cleanup_xfer_ struct xfer x;
	_cleanup_free_ char *post_url = NULL;
	_cleanup_free_ char *upload_url = NULL;
	char what[WHAT_MAX];
	int rc;

	xfer_init(&x, r, err);
	*mounted = false;
	name_blob(what, repo, d);
	if (!eng_registry_repo_valid(from_repo))
		return isolab_error_set(err, -EINVAL, "repository `%.*s`: not a repository name "
					"(lowercase letters, digits, separators . _ __ - and /)",
					ENG_REGISTRY_REPO_MAX, from_repo ? from_repo : "");
	rc = upload_start(&x, repo, what, d->str, from_repo);
	if (rc < 0)
		return rc;
	if (x.hdr.status == 201) {
		*mounted = true;
		return 0;
	}
	if (x.hdr.status != 202)
		return http_error(&x, "POST", what);
	/* Declined: the registry opened an ordinary upload instead. */
	rc = eng_registry_url(r->origin, repo, "blobs/uploads", NULL, &post_url, err);
	if (rc == 0 && x.hdr.has_location &&
	    upload_location(&x, "POST", what, post_url, &upload_url) == 0)
		upload_cancel(r, upload_url);
	return rc;
}

int eng_registry_blob_pull(struct eng_registry *r, const char *repo,
			   const struct eng_digest *d, uint64_t expected_size,
			   uint64_t max_size, int fd, uint64_t *got,
			   struct isolab_error *err)
{
	_cleanup_xfer_ struct xfer x;
	_cleanup_free_ char *url = NULL;
	char what[WHAT_MAX];
	char body_what[ENG_DIGEST_STR_MAX + 8];
	struct eng_digest came;
	uint64_t want;
	int rc;

	xfer_init(&x, r, err);
	if (got)
		*got = 0;
	name_blob(what, repo, d);
	snprintf(body_what, sizeof(body_what), "blob %s", d->str);
	x.body_what = body_what;
	x.sink = SINK_FD;
	x.fd = fd;
	x.expected = expected_size;
	x.max = max_size;
	x.recv_hash = eng_hasher_new();
	if (x.recv_hash == NULL)
		return isolab_error_set(err, -ENOMEM, "registry %s: %s: out of memory", r->host, what);
	rc = eng_registry_url(r->origin, repo, "blobs", d->str, &url, err);
	if (rc < 0)
		return rc;
	rc = perform(&x, "GET", url, what, NULL, true);
	if (got)
		*got = x.received;
	want = expected_size ? expected_size
			     : (x.hdr.has_content_length ? x.hdr.content_length : 0);
	if ((rc == -ECONNRESET && is_2xx(x.hdr.status)) ||
	    (rc == 0 && x.hdr.status == 200 && expected_size && x.received < expected_size)) {
		if (want)
			return isolab_error_set(err, -ECONNRESET, "registry %s: %s: connection closed "
						"after %" PRIu64 " of %" PRIu64 " bytes", r->host,
						body_what, x.received, want);
		return isolab_error_set(err, -ECONNRESET, "registry %s: %s: connection closed after "
					"%" PRIu64 " bytes", r->host, body_what, x.received);
	}
	if (rc < 0)
		return rc;
	if (x.hdr.status != 200)
		return http_error(&x, "GET", what);
	eng_hasher_final(x.recv_hash, &came);
	x.recv_hash = NULL;
	if (strcmp(came.str, d->str) != 0)
		return isolab_error_set(err, -EBADMSG, "registry %s: %s: digest mismatch (got %s)",
					r->host, body_what, came.str);
	return 0;
}

/* A media type as a Content-Type header may carry it (and nothing else). */
static bool media_type_valid(const char *s)
{
	size_t n = s ? strlen(s) : 0;

	return n > 0 && n < 128 && strchr(s, '/') != NULL &&
	       strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
		      "!#$&^_.+-/") == n;
}

int eng_registry_manifest_put(struct eng_registry *r, const char *repo,
			      const char *reference, const char *media_type,
			      const char *body, size_t len, struct eng_digest *out,
			      struct isolab_error *err)
{
	_cleanup_xfer_ struct xfer x;
	_cleanup_free_ char *url = NULL;
	char what[WHAT_MAX];
	char content_type[160];
	const char *headers[] = { content_type, NULL };
	struct eng_digest digest;
	int rc;

	xfer_init(&x, r, err);
	name_manifest(what, repo, reference);
	if (!media_type_valid(media_type)) {
		char shown[129];
		size_t n = media_type ? strnlen(media_type, sizeof(shown) - 1) : 0;

		for (size_t i = 0; i < n; i++)
			shown[i] = (unsigned char)media_type[i] < 0x20 ||
				   (unsigned char)media_type[i] >= 0x7f ? '?' : media_type[i];
		shown[n] = '\0';
		return isolab_error_set(err, -EINVAL, "registry %s: PUT %s: media type `%s`: "
					"not a media type", r->host, what, shown);
	}
	if (len > ENG_REGISTRY_MANIFEST_MAX)
		return isolab_error_set(err, -EFBIG, "registry %s: PUT %s: %zu bytes, more than %u",
					r->host, what, len, ENG_REGISTRY_MANIFEST_MAX);
	eng_digest_buf(body, len, &digest);
	if (eng_digest_valid(reference) && strcmp(reference, digest.str) != 0)
		return isolab_error_set(err, -EINVAL, "registry %s: PUT %s: the body's digest is %s",
					r->host, what, digest.str);
	rc = eng_registry_url(r->origin, repo, "manifests", reference, &url, err);
	if (rc < 0)
		return rc;
	snprintf(content_type, sizeof(content_type), "Content-Type: %s", media_type);
	x.send = true;
	x.send_buf = body;
	x.send_len = len;
	rc = perform(&x, "PUT", url, what, headers, false);
	if (rc < 0)
		return rc;
	if (!is_2xx(x.hdr.status) || x.hdr.status == 202)
		return http_error(&x, "PUT", what);
	if (content_digest_differs(&x.hdr, &digest))
		return isolab_error_set(err, -EPROTO, "registry %s: PUT %s: Docker-Content-Digest "
					"%s differs from the body's %s", r->host, what,
					x.hdr.content_digest, digest.str);
	if (out)
		*out = digest;
	return 0;
}

int eng_registry_manifest_get(struct eng_registry *r, const char *repo,
			      const char *reference, char **body, size_t *len,
			      char **media_type, struct eng_digest *out,
			      struct isolab_error *err)
{
	static const char *const headers[] = { ACCEPT_MANIFESTS, NULL };
	_cleanup_xfer_ struct xfer x;
	_cleanup_free_ char *url = NULL;
	char what[WHAT_MAX];
	struct eng_digest digest;
	char *type;
	int rc;

	*body = NULL;
	*len = 0;
	*media_type = NULL;
	xfer_init(&x, r, err);
	name_manifest(what, repo, reference);
	x.body_what = what;
	x.sink = SINK_MEM;
	x.max = ENG_REGISTRY_MANIFEST_MAX;
	rc = eng_registry_url(r->origin, repo, "manifests", reference, &url, err);
	if (rc < 0)
		return rc;
	rc = perform(&x, "GET", url, what, headers, false);
	if (rc < 0)
		return rc;
	if (x.hdr.status != 200)
		return http_error(&x, "GET", what);
	eng_digest_buf(x.mem ? x.mem : "", x.mem_len, &digest);
	if (eng_digest_valid(reference) && strcmp(reference, digest.str) != 0)
		return isolab_error_set(err, -EBADMSG, "registry %s: %s: digest mismatch (got %s)",
					r->host, what, digest.str);
	if (content_digest_differs(&x.hdr, &digest))
		return isolab_error_set(err, -EBADMSG, "registry %s: %s: Docker-Content-Digest %s "
					"differs from the body's %s", r->host, what,
					x.hdr.content_digest, digest.str);
	if (x.mem == NULL && body_to_mem(&x, "", 0) < 0)
		return x.err ? x.err->code : -ENOMEM;
	type = strdup(x.hdr.content_type);
	if (type == NULL)
		return isolab_error_set(err, -ENOMEM, "registry %s: %s: out of memory", r->host, what);
	*media_type = type;
	*body = x.mem;
	*len = x.mem_len;
	x.mem = NULL;
	if (out)
		*out = digest;
	return 0;
}
