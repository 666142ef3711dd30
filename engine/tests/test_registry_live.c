/*
 * test_registry_live.c: the registry client (engine/lib/registry.c) over
 * real HTTP on 127.0.0.1. Against Debian's docker-registry, started through
 * engine/tests/registry-lib.sh (those tests skip when it is not installed):
 * blobs pushed whole and in chunks, pulled back byte-exact, mounted,
 * manifests put and got by tag and digest, the registry's own errors.
 * Against a scripted fake server in a thread: what a real registry does not
 * do on demand (auth, cut connections, lying digests, huge bodies, foreign
 * upload locations) and the exact requests of a chunked upload.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "engine/lib/digest.h"
#include "engine/lib/registry.h"
#include "engine/lib/registry_http.h"

/* As registry-lib.sh: $REGISTRY_BIN, or Debian's. */
#define REGISTRY_BIN_DEFAULT "/usr/bin/docker-registry"
#define OCI_MANIFEST "application/vnd.oci.image.manifest.v1+json"

/* ---- the shared state: a temp dir, maybe a live registry ---- */

static struct {
	char dir[64];           /* temp dir for blob files */
	char lib[PATH_MAX];     /* engine/tests/registry-lib.sh */
	bool installed;         /* docker-registry is there */
	bool up;                /* and running */
	char host[64];          /* 127.0.0.1:PORT */
	char regdir[256];       /* its REGISTRY_DIR */
	/* blobs pushed by the tests, for the manifest */
	struct eng_digest small, big, config;
	uint64_t small_size, big_size, config_size;
} t;

static void find_lib(void)
{
	char exe[PATH_MAX];
	ssize_t n;

	snprintf(t.lib, sizeof(t.lib), "%s", "engine/tests/registry-lib.sh");
	if (access(t.lib, R_OK) == 0)
		return;
	/* ROOT/build/tests/unit/engine_registry_live */
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return;
	exe[n] = '\0';
	for (int i = 0; i < 4; i++) {
		char *slash = strrchr(exe, '/');

		if (slash == NULL)
			return;
		*slash = '\0';
	}
	snprintf(t.lib, sizeof(t.lib), "%.*s/engine/tests/registry-lib.sh", PATH_MAX - 40, exe);
}

/* Runs `bash -c script LIB` with extra environment; its stdout into out. */
static int run_lib(const char *script, const char *env_name, const char *env_value,
		   char *out, size_t size)
{
	int fds[2];
	size_t len = 0;
	int status = 0;
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC) < 0)
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		dup2(fds[1], 1);
		if (env_name)
			setenv(env_name, env_value, 1);
		execl("/bin/bash", "bash", "-c", script, t.lib, (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	for (;;) {
		ssize_t r = read(fds[0], out + len, size - 1 - len);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		len += (size_t)r;
		if (len == size - 1)
			break;
	}
	out[len] = '\0';
	close(fds[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void registry_up(void)
{
	char out[PATH_MAX + 128];
	char owner[32];
	const char *bin = getenv("REGISTRY_BIN");
	int pid;

	t.installed = access(bin ? bin : REGISTRY_BIN_DEFAULT, X_OK) == 0;
	if (!t.installed)
		return;
	snprintf(owner, sizeof(owner), "%d", (int)getpid());
	if (run_lib("source \"$0\" && registry_start >&2 && "
		    "echo \"$REGISTRY $REGISTRY_PID $REGISTRY_DIR\"",
		    "REGISTRY_OWNER", owner, out, sizeof(out)) != 0)
		return;
	if (sscanf(out, "%63s %d %255s", t.host, &pid, t.regdir) == 3)
		t.up = true;
}

static void registry_down(void)
{
	char out[256];

	if (t.regdir[0] != '\0')
		run_lib("source \"$0\" && registry_stop", "REGISTRY_DIR", t.regdir, out, sizeof(out));
	t.up = false;
}

static void remove_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char path[PATH_MAX];

	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		unlink(path);
	}
	closedir(d);
	rmdir(dir);
}

static int group_setup(void **state)
{
	snprintf(t.dir, sizeof(t.dir), "%s", "/tmp/isolab-regtest.XXXXXX");
	if (mkdtemp(t.dir) == NULL)
		return -1;
	find_lib();
	registry_up();
	return 0;
}

static int group_teardown(void **state)
{
	registry_down();
	remove_dir(t.dir);
	return 0;
}

/* Skips when docker-registry is not installed; fails when it is but did not start. */
#define NEED_REGISTRY()                                                                  \
	do {                                                                             \
		if (!t.installed) {                                                      \
			print_message("docker-registry is not installed\n");             \
			skip();                                                          \
		}                                                                        \
		if (!t.up)                                                               \
			fail_msg("docker-registry is installed but did not start (above)"); \
	} while (0)

/* ---- helpers ---- */

/* Writes size bytes of a fixed pseudo-random pattern (seeded) to DIR/name. */
static void make_file(const char *name, uint64_t size, uint32_t seed, char *path,
		      struct eng_digest *d)
{
	static unsigned char buf[65536];
	struct isolab_error err = {0};
	uint32_t x = seed | 1;
	size_t got_size = 0;
	int fd;

	snprintf(path, PATH_MAX, "%s/%s", t.dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	for (uint64_t done = 0; done < size;) {
		size_t n = size - done < sizeof(buf) ? (size_t)(size - done) : sizeof(buf);

		for (size_t i = 0; i < n; i++) {
			x ^= x << 13;
			x ^= x >> 17;
			x ^= x << 5;
			buf[i] = (unsigned char)x;
		}
		assert_int_equal(write(fd, buf, n), (ssize_t)n);
		done += n;
	}
	close(fd);
	assert_int_equal(eng_digest_file(path, d, &got_size, &err), 0);
	assert_int_equal(got_size, size);
}

static int temp_fd(const char *name)
{
	char path[PATH_MAX];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", t.dir, name);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	return fd;
}

static bool same_file(const char *a, int fd_b)
{
	char buf_a[65536], buf_b[65536];
	int fd_a = open(a, O_RDONLY | O_CLOEXEC);
	bool same = fd_a >= 0 && lseek(fd_b, 0, SEEK_SET) == 0;

	while (same) {
		ssize_t na = read(fd_a, buf_a, sizeof(buf_a));
		ssize_t nb = read(fd_b, buf_b, sizeof(buf_b));

		same = na == nb && na >= 0 && memcmp(buf_a, buf_b, (size_t)na) == 0;
		if (na <= 0)
			break;
	}
	if (fd_a >= 0)
		close(fd_a);
	return same;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static struct eng_registry *open_live(void)
{
	struct isolab_error err = {0};
	struct eng_registry *r = NULL;
	struct eng_registry_opts o = { .timeout_s = 10 };

	if (eng_registry_open(t.host, &o, &r, &err) != 0)
		fail_msg("open %s: %s", t.host, err.msg);
	return r;
}

struct progress {
	unsigned calls;
	uint64_t last, total;
};

static void on_progress(void *arg, uint64_t done, uint64_t total)
{
	struct progress *p = arg;

	assert_true(done >= p->last);
	p->calls++;
	p->last = done;
	p->total = total;
}

/* ---- against docker-registry ---- */

static void push_and_pull_back(const char *name, uint64_t size, uint32_t seed,
			       struct eng_digest *d)
{
	struct isolab_error err = {0};
	struct progress up = {0}, down = {0};
	struct eng_registry_opts o = { .timeout_s = 10, .progress = on_progress };
	struct eng_registry *r = NULL;
	char path[PATH_MAX];
	bool exists = true;
	uint64_t reg_size = 0, got = 0;
	int fd;

	make_file(name, size, seed, path, d);
	o.progress_arg = &up;
	assert_int_equal(eng_registry_open(t.host, &o, &r, &err), 0);
	assert_int_equal(eng_registry_blob_exists(r, "app", d, &exists, &reg_size, &err), 0);
	assert_false(exists);
	assert_int_equal(eng_registry_blob_push(r, "app", d, path, size, &err), 0);
	assert_true(up.calls > 0);
	assert_int_equal(up.last, size);
	assert_int_equal(up.total, size);
	assert_int_equal(eng_registry_blob_exists(r, "app", d, &exists, &reg_size, &err), 0);
	assert_true(exists);
	assert_int_equal(reg_size, size);
	/* another repository does not have it */
	assert_int_equal(eng_registry_blob_exists(r, "other", d, &exists, NULL, &err), 0);
	assert_false(exists);
	eng_registry_close(r);

	o.progress_arg = &down;
	assert_int_equal(eng_registry_open(t.host, &o, &r, &err), 0);
	fd = temp_fd("pulled");
	assert_int_equal(eng_registry_blob_pull(r, "app", d, size, size, fd, &got, &err), 0);
	assert_int_equal(got, size);
	assert_true(same_file(path, fd));
	assert_int_equal(down.last, size);
	assert_int_equal(down.total, size);
	close(fd);
	/* without an expected size or a limit */
	memset(&down, 0, sizeof(down));
	fd = temp_fd("pulled");
	assert_int_equal(eng_registry_blob_pull(r, "app", d, 0, 0, fd, &got, &err), 0);
	assert_int_equal(got, size);
	assert_true(same_file(path, fd));
	assert_int_equal(down.last, size);
	assert_int_equal(down.total, 0);
	close(fd);
	eng_registry_close(r);
}

static void live_blob_small(void **state)
{
	NEED_REGISTRY();
	t.small_size = 1000;
	push_and_pull_back("small", t.small_size, 1, &t.small);
}

static void live_blob_chunked(void **state)
{
	NEED_REGISTRY();
	/* two PATCHes: a whole chunk and a short one */
	t.big_size = ENG_REGISTRY_CHUNK_THRESHOLD + (1u << 20) + 123;
	push_and_pull_back("big", t.big_size, 2, &t.big);
}

static void live_blob_pushed_twice_and_mounted(void **state)
{
	struct isolab_error err = {0};
	struct eng_registry *r;
	struct eng_digest d;
	char path[PATH_MAX];
	bool mounted = false, exists = false;

	NEED_REGISTRY();
	r = open_live();
	make_file("mountme", 4096, 3, path, &d);
	assert_int_equal(eng_registry_blob_push(r, "app", &d, path, 4096, &err), 0);
	assert_int_equal(eng_registry_blob_push(r, "app", &d, path, 4096, &err), 0);
	assert_int_equal(eng_registry_blob_mount(r, "team/copy", &d, "app", &mounted, &err), 0);
	assert_true(mounted);
	assert_int_equal(eng_registry_blob_exists(r, "team/copy", &d, &exists, NULL, &err), 0);
	assert_true(exists);
	/* a blob the source does not have: declined, nothing mounted */
	make_file("nowhere", 10, 4, path, &d);
	assert_int_equal(eng_registry_blob_mount(r, "team/copy", &d, "app", &mounted, &err), 0);
	assert_false(mounted);
	assert_int_equal(eng_registry_blob_exists(r, "team/copy", &d, &exists, NULL, &err), 0);
	assert_false(exists);
	eng_registry_close(r);
}

static void live_blob_pull_errors(void **state)
{
	struct isolab_error err = {0};
	struct eng_registry *r;
	struct eng_digest d, unknown;
	char path[PATH_MAX], data[512], want[ISOLAB_ERROR_MSG_MAX];
	uint64_t got = 7;
	int fd, dfd;

	NEED_REGISTRY();
	r = open_live();
	make_file("corrupt", 64, 5, path, &d);
	assert_int_equal(eng_registry_blob_push(r, "app", &d, path, 64, &err), 0);

	/* a digest the registry does not have */
	make_file("unknown", 64, 6, path, &unknown);
	fd = temp_fd("pulled");
	assert_int_equal(eng_registry_blob_pull(r, "app", &unknown, 64, 0, fd, &got, &err), -ENOENT);
	snprintf(want, sizeof(want), "registry %s: GET blob app@%s: 404 BLOB_UNKNOWN: blob unknown "
		 "to registry", t.host, unknown.str);
	assert_string_equal(err.msg, want);
	assert_int_equal(got, 0);

	/* the registry sends more than expected, or more than the limit */
	assert_int_equal(eng_registry_blob_pull(r, "app", &d, 63, 0, fd, &got, &err), -EBADMSG);
	snprintf(want, sizeof(want), "registry %s: blob %s: more than the expected 63 bytes",
		 t.host, d.str);
	assert_string_equal(err.msg, want);
	assert_int_equal(eng_registry_blob_pull(r, "app", &d, 0, 32, fd, &got, &err), -EFBIG);
	snprintf(want, sizeof(want), "registry %s: blob %s: larger than 32 bytes", t.host, d.str);
	assert_string_equal(err.msg, want);
	assert_int_equal(got, 0);
	close(fd);

	/* the registry's copy goes bad on its disk: same size, one byte flipped */
	snprintf(data, sizeof(data), "%s/storage/docker/registry/v2/blobs/sha256/%.2s/%s/data",
		 t.regdir, eng_digest_hex(&d), eng_digest_hex(&d));
	dfd = open(data, O_RDWR | O_CLOEXEC);
	assert_true(dfd >= 0);
	{
		unsigned char c;

		assert_int_equal(pread(dfd, &c, 1, 10), 1);
		c ^= 0xff;
		assert_int_equal(pwrite(dfd, &c, 1, 10), 1);
	}
	close(dfd);
	fd = temp_fd("pulled");
	assert_int_equal(eng_registry_blob_pull(r, "app", &d, 64, 0, fd, &got, &err), -EBADMSG);
	{
		struct eng_digest bad;

		assert_int_equal(eng_digest_file(data, &bad, NULL, &err), 0);
		snprintf(want, sizeof(want), "registry %s: blob %s: digest mismatch (got %s)",
			 t.host, d.str, bad.str);
	}
	assert_string_equal(err.msg, want);
	assert_int_equal(got, 64);
	close(fd);
	eng_registry_close(r);
}

static void live_blob_push_refuses_a_wrong_size(void **state)
{
	struct isolab_error err = {0};
	struct eng_registry *r;
	struct eng_digest d;
	char path[PATH_MAX], want[ISOLAB_ERROR_MSG_MAX + PATH_MAX];

	NEED_REGISTRY();
	r = open_live();
	make_file("sized", 100, 7, path, &d);
	assert_int_equal(eng_registry_blob_push(r, "app", &d, path, 99, &err), -EINVAL);
	snprintf(want, sizeof(want), "registry %s: blob %s: %s is 100 bytes, expected 99", t.host,
		 d.str, path);
	assert_string_equal(err.msg, want);
	assert_int_equal(eng_registry_blob_push(r, "app", &d, t.dir, 99, &err), -EINVAL);
	snprintf(want, sizeof(want), "registry %s: blob %s: %s: not a regular file (a directory)",
		 t.host, d.str, t.dir);
	assert_string_equal(err.msg, want);
	eng_registry_close(r);
}

static char *manifest_json(void)
{
	char *m = NULL;

	assert_true(asprintf(&m,
		"{\"schemaVersion\":2,\"mediaType\":\"" OCI_MANIFEST "\","
		"\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\","
		"\"digest\":\"%s\",\"size\":%" PRIu64 "},"
		"\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar\","
		"\"digest\":\"%s\",\"size\":%" PRIu64 "},"
		"{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar\","
		"\"digest\":\"%s\",\"size\":%" PRIu64 "}]}",
		t.config.str, t.config_size, t.small.str, t.small_size, t.big.str,
		t.big_size) > 0);
	return m;
}

static void live_manifest_put_and_get(void **state)
{
	static const char config[] = "{\"architecture\":\"amd64\",\"os\":\"linux\","
				     "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}";
	struct isolab_error err = {0};
	struct eng_registry *r;
	struct eng_digest put_digest, get_digest, want_digest;
	char path[PATH_MAX];
	char *m, *body = NULL, *type = NULL;
	size_t len = 0;
	FILE *f;

	NEED_REGISTRY();
	if (t.small_size == 0 || t.big_size == 0)
		fail_msg("the blob tests did not run first");
	r = open_live();
	snprintf(path, sizeof(path), "%s/config", t.dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(config, f);
	fclose(f);
	t.config_size = sizeof(config) - 1;
	eng_digest_buf(config, t.config_size, &t.config);
	assert_int_equal(eng_registry_blob_push(r, "app", &t.config, path, t.config_size, &err), 0);

	m = manifest_json();
	eng_digest_buf(m, strlen(m), &want_digest);
	assert_int_equal(eng_registry_manifest_put(r, "app", "1.0", OCI_MANIFEST, m, strlen(m),
						   &put_digest, &err), 0);
	assert_string_equal(put_digest.str, want_digest.str);

	/* by tag */
	assert_int_equal(eng_registry_manifest_get(r, "app", "1.0", &body, &len, &type,
						   &get_digest, &err), 0);
	assert_int_equal(len, strlen(m));
	assert_memory_equal(body, m, len);
	assert_int_equal(body[len], '\0');
	assert_string_equal(type, OCI_MANIFEST);
	assert_string_equal(get_digest.str, want_digest.str);
	free(body);
	free(type);

	/* by digest, and put by digest */
	assert_int_equal(eng_registry_manifest_get(r, "app", want_digest.str, &body, &len, &type,
						   &get_digest, &err), 0);
	assert_memory_equal(body, m, len);
	assert_string_equal(get_digest.str, want_digest.str);
	free(body);
	free(type);
	assert_int_equal(eng_registry_manifest_put(r, "app", want_digest.str, OCI_MANIFEST, m,
						   strlen(m), NULL, &err), 0);
	free(m);
	eng_registry_close(r);
}

static void live_manifest_errors(void **state)
{
	struct isolab_error err = {0};
	struct eng_registry *r;
	struct eng_digest d, other;
	char want[ISOLAB_ERROR_MSG_MAX];
	char *body = (char *)1, *type = (char *)1;
	size_t len = 9;
	static const char bad[] = "{\"schemaVersion\":2,\"mediaType\":\"" OCI_MANIFEST "\","
		"\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\","
		"\"digest\":\"sha256:a3ed95caeb02ffe68cdd9fd84406680ae93d633cb16422d00e8a7c22955b46d4\","
		"\"size\":2},\"layers\":[]}";

	NEED_REGISTRY();
	r = open_live();
	assert_int_equal(eng_registry_manifest_get(r, "app", "nope", &body, &len, &type, &d, &err),
			 -ENOENT);
	snprintf(want, sizeof(want), "registry %s: GET manifest app:nope: 404 MANIFEST_UNKNOWN: "
		 "manifest unknown", t.host);
	assert_string_equal(err.msg, want);
	assert_null(body);
	assert_null(type);
	assert_int_equal(len, 0);

	assert_int_equal(eng_registry_manifest_put(r, "app", "bad", OCI_MANIFEST, bad,
						   sizeof(bad) - 1, &d, &err), -EINVAL);
	snprintf(want, sizeof(want), "registry %s: PUT manifest app:bad: 400 MANIFEST_BLOB_UNKNOWN: "
		 "blob unknown to registry", t.host);
	assert_string_equal(err.msg, want);

	/* refused before sending: a digest reference that is not the body's */
	eng_digest_buf(bad, sizeof(bad) - 1, &d);
	eng_digest_buf("x", 1, &other);
	assert_int_equal(eng_registry_manifest_put(r, "app", other.str, OCI_MANIFEST, bad,
						   sizeof(bad) - 1, NULL, &err), -EINVAL);
	snprintf(want, sizeof(want), "registry %s: PUT manifest app@%s: the body's digest is %s",
		 t.host, other.str, d.str);
	assert_string_equal(err.msg, want);
	assert_int_equal(eng_registry_manifest_put(r, "app", "1", "text/plain\r\nX-Evil: 1", bad,
						   sizeof(bad) - 1, NULL, &err), -EINVAL);
	snprintf(want, sizeof(want), "registry %s: PUT manifest app:1: media type `text/plain??"
		 "X-Evil: 1`: not a media type", t.host);
	assert_string_equal(err.msg, want);
	assert_int_equal(eng_registry_manifest_get(r, "App", "1", &body, &len, &type, &d, &err),
			 -EINVAL);
	assert_string_equal(err.msg, "repository `App`: not a repository name (lowercase letters, "
			    "digits, separators . _ __ - and /)");
	eng_registry_close(r);
}

static void live_https_to_a_plain_registry_fails_in_tls(void **state)
{
	struct isolab_error err = {0};
	struct eng_registry *r = NULL;
	struct eng_registry_opts o = { .timeout_s = 5 };
	char host[80], want[128];

	NEED_REGISTRY();
	snprintf(host, sizeof(host), "https://%s", t.host);
	assert_int_equal(eng_registry_open(host, &o, &r, &err), -EPROTO);
	assert_null(r);
	snprintf(want, sizeof(want), "registry %s: TLS: ", t.host);
	assert_int_equal(strncmp(err.msg, want, strlen(want)), 0);
}

/* ---- without a registry ---- */

/* A port on 127.0.0.1 nobody listens on (bound, then closed). */
static int closed_port(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t alen = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &alen), 0);
	close(fd);
	return ntohs(a.sin_port);
}

static void connection_refused(void **state)
{
	struct isolab_error err = {0};
	struct eng_registry *r = (struct eng_registry *)1;
	char host[32], want[96];

	snprintf(host, sizeof(host), "127.0.0.1:%d", closed_port());
	assert_int_equal(eng_registry_open(host, NULL, &r, &err), -ECONNREFUSED);
	assert_null(r);
	snprintf(want, sizeof(want), "registry %s: connect: Connection refused", host);
	assert_string_equal(err.msg, want);
}

static void plain_http_to_a_remote_host_is_refused_at_once(void **state)
{
	struct isolab_error err = {0};
	struct eng_registry *r = (struct eng_registry *)1;
	struct eng_registry_opts o = { .timeout_s = 30 };
	double start = now_s();

	/* 192.0.2.1 (TEST-NET-1, RFC 5737) answers nobody: connecting would
	 * take the whole timeout, so returning at once shows none was tried. */
	assert_int_equal(eng_registry_open("http://192.0.2.1:5000", &o, &r, &err), -EPERM);
	assert_true(now_s() - start < 0.5);
	assert_null(r);
	assert_string_equal(err.msg, "registry 192.0.2.1:5000: plain HTTP refused (not a local "
			    "host, and insecure is not set)");
	assert_int_equal(eng_registry_open("http://user@127.0.0.1:5000", &o, &r, &err), -EINVAL);
	assert_string_equal(err.msg, "registry `user@127.0.0.1:5000`: not a host[:port]");
	assert_int_equal(eng_registry_open("127.0.0.1:5000/v2", &o, &r, &err), -EINVAL);
	assert_string_equal(err.msg, "registry `127.0.0.1:5000/v2`: not a host[:port]");
	assert_true(now_s() - start < 0.5);
}

/* ---- a scripted fake server ---- */

#define FAKE_STEPS 8

/* Answers the i-th connection's one request with resp[i], then closes it;
 * records each request's head and how many body bytes came. */
struct fake {
	int lfd;
	int port;
	size_t steps;
	const char *resp[FAKE_STEPS];
	size_t resp_len[FAKE_STEPS];
	char *head[FAKE_STEPS];
	uint64_t body[FAKE_STEPS];
	size_t served;
	pthread_t thread;
	char host[32];
};

static uint64_t head_content_length(const char *head)
{
	const char *p = strcasestr(head, "\r\ncontent-length:");

	return p ? strtoull(p + 17, NULL, 10) : 0;
}

static void *fake_serve(void *arg)
{
	struct fake *f = arg;

	for (f->served = 0; f->served < f->steps; f->served++) {
		struct pollfd p = { .fd = f->lfd, .events = POLLIN };
		char buf[65536];
		size_t have = 0;
		char *end = NULL;
		uint64_t body, want;
		int c;

		if (poll(&p, 1, 5000) != 1)
			break;
		c = accept4(f->lfd, NULL, NULL, SOCK_CLOEXEC);
		if (c < 0)
			break;
		while (end == NULL && have < sizeof(buf) - 1) {
			ssize_t n = recv(c, buf + have, sizeof(buf) - 1 - have, 0);

			if (n <= 0)
				break;
			have += (size_t)n;
			buf[have] = '\0';
			end = strstr(buf, "\r\n\r\n");
		}
		if (end == NULL) {
			close(c);
			break;
		}
		end[2] = '\0';
		f->head[f->served] = strdup(buf);
		body = have - (size_t)(end + 4 - buf);
		want = head_content_length(f->head[f->served]);
		while (body < want) {
			ssize_t n = recv(c, buf, sizeof(buf), 0);

			if (n <= 0)
				break;
			body += (uint64_t)n;
		}
		f->body[f->served] = body;
		for (size_t off = 0; off < f->resp_len[f->served];) {
			ssize_t n = send(c, f->resp[f->served] + off, f->resp_len[f->served] - off,
					 MSG_NOSIGNAL);

			if (n <= 0)
				break;
			off += (size_t)n;
		}
		shutdown(c, SHUT_WR);
		close(c);
	}
	return NULL;
}

#define V2_OK "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}"

/* Listens on 127.0.0.1, a port of the kernel's choosing. */
static void fake_listen(struct fake *f)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t alen = sizeof(a);

	memset(f, 0, sizeof(*f));
	f->lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(f->lfd >= 0);
	assert_int_equal(bind(f->lfd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(f->lfd, 8), 0);
	assert_int_equal(getsockname(f->lfd, (struct sockaddr *)&a, &alen), 0);
	f->port = ntohs(a.sin_port);
	snprintf(f->host, sizeof(f->host), "127.0.0.1:%d", f->port);
}

/* Serves the given responses (NULL-ended), one per connection, in a thread. */
static void fake_serve_v(struct fake *f, va_list ap)
{
	const char *resp;

	while ((resp = va_arg(ap, const char *)) != NULL && f->steps < FAKE_STEPS) {
		f->resp[f->steps] = resp;
		f->resp_len[f->steps] = strlen(resp);
		f->steps++;
	}
	assert_int_equal(pthread_create(&f->thread, NULL, fake_serve, f), 0);
}

static void fake_script(struct fake *f, ...)
{
	va_list ap;

	va_start(ap, f);
	fake_serve_v(f, ap);
	va_end(ap);
}

static void fake_start(struct fake *f, ...)
{
	va_list ap;

	fake_listen(f);
	va_start(ap, f);
	fake_serve_v(f, ap);
	va_end(ap);
}

/* Joins the server; how many requests it answered. */
static size_t fake_stop(struct fake *f)
{
	pthread_join(f->thread, NULL);
	close(f->lfd);
	return f->served;
}

static void fake_free(struct fake *f)
{
	for (size_t i = 0; i < FAKE_STEPS; i++)
		free(f->head[i]);
}

/* The request line of the i-th request. */
static void assert_request(struct fake *f, size_t i, const char *line)
{
	assert_non_null(f->head[i]);
	assert_int_equal(strncmp(f->head[i], line, strlen(line)), 0);
	assert_true(f->head[i][strlen(line)] == '\r');
}

static struct eng_registry *open_fake(struct fake *f)
{
	struct isolab_error err = {0};
	struct eng_registry *r = NULL;
	struct eng_registry_opts o = { .timeout_s = 5 };

	if (eng_registry_open(f->host, &o, &r, &err) != 0)
		fail_msg("open %s: %s", f->host, err.msg);
	return r;
}

static void fake_needs_authentication(void **state)
{
	struct isolab_error err = {0};
	struct eng_registry *r = (struct eng_registry *)1;
	struct fake f;
	char want[96];

	fake_start(&f, "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Bearer realm=\"x\"\r\n"
		       "Content-Length: 0\r\nConnection: close\r\n\r\n", NULL);
	assert_int_equal(eng_registry_open(f.host, NULL, &r, &err), -EACCES);
	assert_null(r);
	snprintf(want, sizeof(want), "registry %s: needs authentication (not supported)", f.host);
	assert_string_equal(err.msg, want);
	assert_int_equal(fake_stop(&f), 1);
	assert_request(&f, 0, "GET /v2/ HTTP/1.1");
	fake_free(&f);
}

static void fake_not_a_registry(void **state)
{
	struct isolab_error err = {0};
	struct eng_registry *r = (struct eng_registry *)1;
	struct fake f;
	char want[96];

	fake_start(&f, "HTTP/1.1 404 Not Found\r\nContent-Length: 19\r\nConnection: close\r\n\r\n"
		       "404 page not found\n", NULL);
	assert_int_equal(eng_registry_open(f.host, NULL, &r, &err), -ENOENT);
	snprintf(want, sizeof(want), "registry %s: GET /v2/: 404 Not Found", f.host);
	assert_string_equal(err.msg, want);
	fake_stop(&f);
	fake_free(&f);
}

static void fake_connection_cut_mid_blob(void **state)
{
	struct isolab_error err = {0};
	struct eng_registry *r;
	struct eng_digest d;
	struct fake f;
	char want[256];
	uint64_t got = 0;
	int fd;

	eng_digest_buf("whatever", 8, &d);
	fake_start(&f, V2_OK,
		   "HTTP/1.1 200 OK\r\nContent-Length: 100\r\nConnection: close\r\n\r\n0123456789",
		   "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n0123456789", NULL);
	r = open_fake(&f);
	fd = temp_fd("cut");
	assert_int_equal(eng_registry_blob_pull(r, "app", &d, 0, 0, fd, &got, &err), -ECONNRESET);
	snprintf(want, sizeof(want), "registry %s: blob %s: connection closed after 10 of 100 bytes",
		 f.host, d.str);
	assert_string_equal(err.msg, want);
	assert_int_equal(got, 10);
	/* no Content-Length, the connection closes early: the expected size tells */
	assert_int_equal(eng_registry_blob_pull(r, "app", &d, 100, 0, fd, &got, &err), -ECONNRESET);
	assert_string_equal(err.msg, want);
	close(fd);
	eng_registry_close(r);
	assert_int_equal(fake_stop(&f), 3);
	snprintf(want, sizeof(want), "GET /v2/app/blobs/%s HTTP/1.1", d.str);
	assert_request(&f, 1, want);
	fake_free(&f);
}

static void fake_blob_redirect_followed(void **state)
{
	struct isolab_error err = {0};
	struct eng_registry *r;
	struct eng_digest d;
	struct fake f;
	char *redirect = NULL;
	char line[160];
	uint64_t got = 0;
	bool exists = false;
	uint64_t size = 0;
	int fd;

	eng_digest_buf("hello", 5, &d);
	fake_listen(&f);  /* the redirect names the server's own port */
	assert_true(asprintf(&redirect, "HTTP/1.1 307 Temporary Redirect\r\nLocation: "
			     "http://localhost:%d/cdn/blob\r\nContent-Length: 0\r\n"
			     "Connection: close\r\n\r\n", f.port) > 0);
	fake_script(&f, V2_OK, redirect,
		    "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello",
		    redirect, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: close\r\n\r\n",
		    NULL);
	r = open_fake(&f);
	fd = temp_fd("redirected");
	assert_int_equal(eng_registry_blob_pull(r, "app", &d, 5, 0, fd, &got, &err), 0);
	assert_int_equal(got, 5);
	assert_int_equal(eng_registry_blob_exists(r, "app", &d, &exists, &size, &err), 0);
	assert_true(exists);
	assert_int_equal(size, 5);
	close(fd);
	eng_registry_close(r);
	assert_int_equal(fake_stop(&f), 5);
	assert_request(&f, 2, "GET /cdn/blob HTTP/1.1");
	snprintf(line, sizeof(line), "HEAD /v2/app/blobs/%s HTTP/1.1", d.str);
	assert_request(&f, 3, line);
	assert_request(&f, 4, "HEAD /cdn/blob HTTP/1.1");
	free(redirect);
	fake_free(&f);
}

static void fake_manifest_lies(void **state)
{
	static const char body[] = "{\"schemaVersion\":2}";
	struct isolab_error err = {0};
	struct eng_registry *r;
	struct eng_digest d, real;
	struct fake f;
	char want[400], big_head[160];
	char *b = (char *)1, *type = (char *)1, *huge_error, *huge_body;
	size_t len = 0;
	size_t errlen = ENG_REGISTRY_ERRBODY_MAX + 100;
	size_t hugelen = ENG_REGISTRY_MANIFEST_MAX + 1;

	eng_digest_buf(body, strlen(body), &real);
	/* a 404 whose (well-formed) body is bigger than the client reads */
	huge_error = malloc(errlen + 200);
	assert_non_null(huge_error);
	len = (size_t)sprintf(huge_error, "HTTP/1.1 404 Not Found\r\nContent-Length: %zu\r\n"
			      "Connection: close\r\n\r\n", errlen);
	{
		static const char head[] = "{\"errors\":[{\"code\":\"X\",\"message\":\"";
		static const char tail[] = "\"}]}";
		char *p = huge_error + len;

		memcpy(p, head, sizeof(head) - 1);
		memset(p + sizeof(head) - 1, 'y', errlen - (sizeof(head) - 1) - (sizeof(tail) - 1));
		memcpy(p + errlen - (sizeof(tail) - 1), tail, sizeof(tail));
	}
	/* a manifest without Content-Length, bigger than the limit */
	huge_body = malloc(hugelen + 100);
	assert_non_null(huge_body);
	len = (size_t)sprintf(huge_body, "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n");
	memset(huge_body + len, ' ', hugelen);
	huge_body[len + hugelen] = '\0';
	snprintf(big_head, sizeof(big_head), "HTTP/1.1 200 OK\r\nContent-Length: %u\r\n"
		 "Connection: close\r\n\r\n", ENG_REGISTRY_MANIFEST_MAX + 1);

	fake_start(&f, V2_OK,
		   "HTTP/1.1 200 OK\r\nContent-Type: " OCI_MANIFEST "\r\nDocker-Content-Digest: "
		   "sha256:0000000000000000000000000000000000000000000000000000000000000000\r\n"
		   "Content-Length: 19\r\nConnection: close\r\n\r\n{\"schemaVersion\":2}",
		   "HTTP/1.1 200 OK\r\nContent-Length: 19\r\nConnection: close\r\n\r\n"
		   "{\"schemaVersion\":3}",
		   big_head, huge_body, huge_error,
		   "HTTP/1.1 200 OK\r\nContent-Type: " OCI_MANIFEST "; charset=utf-8\r\n"
		   "Content-Length: 19\r\nConnection: close\r\n\r\n{\"schemaVersion\":2}",
		   NULL);
	r = open_fake(&f);

	assert_int_equal(eng_registry_manifest_get(r, "app", "1", &b, &len, &type, &d, &err),
			 -EBADMSG);
	snprintf(want, sizeof(want), "registry %s: manifest app:1: Docker-Content-Digest "
		 "sha256:0000000000000000000000000000000000000000000000000000000000000000 "
		 "differs from the body's %s", f.host, real.str);
	assert_string_equal(err.msg, want);
	assert_null(b);
	assert_null(type);

	/* asked by digest, another body came */
	assert_int_equal(eng_registry_manifest_get(r, "app", real.str, &b, &len, &type, &d, &err),
			 -EBADMSG);
	eng_digest_buf("{\"schemaVersion\":3}", 19, &d);
	snprintf(want, sizeof(want), "registry %s: manifest app@%s: digest mismatch (got %s)",
		 f.host, real.str, d.str);
	assert_string_equal(err.msg, want);

	/* too big: announced, then streamed without a length */
	snprintf(want, sizeof(want), "registry %s: manifest app:1: larger than %u bytes", f.host,
		 ENG_REGISTRY_MANIFEST_MAX);
	assert_int_equal(eng_registry_manifest_get(r, "app", "1", &b, &len, &type, &d, &err),
			 -EFBIG);
	assert_string_equal(err.msg, want);
	assert_int_equal(eng_registry_manifest_get(r, "app", "1", &b, &len, &type, &d, &err),
			 -EFBIG);
	assert_string_equal(err.msg, want);

	/* an error body too big to parse: the status line speaks */
	assert_int_equal(eng_registry_manifest_get(r, "app", "1", &b, &len, &type, &d, &err),
			 -ENOENT);
	snprintf(want, sizeof(want), "registry %s: GET manifest app:1: 404 Not Found", f.host);
	assert_string_equal(err.msg, want);

	/* and a good one, with parameters on its Content-Type */
	assert_int_equal(eng_registry_manifest_get(r, "app", real.str, &b, &len, &type, &d, &err), 0);
	assert_string_equal(b, body);
	assert_string_equal(type, OCI_MANIFEST);
	assert_string_equal(d.str, real.str);
	free(b);
	free(type);
	eng_registry_close(r);
	assert_int_equal(fake_stop(&f), 7);
	assert_non_null(strstr(f.head[1], "\r\nAccept: application/vnd.oci.image.manifest.v1+json, "
			       "application/vnd.oci.image.index.v1+json, "
			       "application/vnd.docker.distribution.manifest.v2+json, "
			       "application/vnd.docker.distribution.manifest.list.v2+json\r\n"));
	fake_free(&f);
	free(huge_error);
	free(huge_body);
}

static void fake_upload_location_elsewhere(void **state)
{
	struct isolab_error err = {0};
	struct eng_registry *r;
	struct eng_digest d;
	struct fake f;
	char path[PATH_MAX], want[400];

	make_file("elsewhere", 10, 8, path, &d);
	fake_start(&f, V2_OK,
		   "HTTP/1.1 202 Accepted\r\nLocation: http://192.0.2.1/v2/app/blobs/uploads/u\r\n"
		   "Content-Length: 0\r\nConnection: close\r\n\r\n", NULL);
	r = open_fake(&f);
	assert_int_equal(eng_registry_blob_push(r, "app", &d, path, 10, &err), -EPROTO);
	snprintf(want, sizeof(want), "registry %s: POST blob app@%s: upload location "
		 "`http://192.0.2.1/v2/app/blobs/uploads/u`: not on http://%s", f.host, d.str, f.host);
	assert_string_equal(err.msg, want);
	eng_registry_close(r);
	assert_int_equal(fake_stop(&f), 2);
	assert_request(&f, 1, "POST /v2/app/blobs/uploads/ HTTP/1.1");
	fake_free(&f);
}

static void fake_chunked_upload_requests(void **state)
{
	struct isolab_error err = {0};
	struct eng_registry *r;
	struct eng_digest d;
	struct fake f;
	char path[PATH_MAX], put[256], line[128];
	uint64_t size = 2 * (uint64_t)ENG_REGISTRY_CHUNK_SIZE + 1000;
	char *done = NULL;

	make_file("chunked", size, 9, path, &d);
	assert_true(asprintf(&done, "HTTP/1.1 201 Created\r\nDocker-Content-Digest: %s\r\n"
			     "Content-Length: 0\r\nConnection: close\r\n\r\n", d.str) > 0);
	fake_start(&f, V2_OK,
		   "HTTP/1.1 202 Accepted\r\nLocation: /v2/app/blobs/uploads/u1\r\n"
		   "Content-Length: 0\r\nConnection: close\r\n\r\n",
		   "HTTP/1.1 202 Accepted\r\nLocation: u2?_state=a\r\nRange: 0-8388607\r\n"
		   "Content-Length: 0\r\nConnection: close\r\n\r\n",
		   "HTTP/1.1 202 Accepted\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
		   "HTTP/1.1 202 Accepted\r\nLocation: /v2/app/blobs/uploads/u3?_state=b\r\n"
		   "Content-Length: 0\r\nConnection: close\r\n\r\n",
		   done, NULL);
	r = open_fake(&f);
	assert_int_equal(eng_registry_blob_push(r, "app", &d, path, size, &err), 0);
	eng_registry_close(r);
	assert_int_equal(fake_stop(&f), 6);
	assert_request(&f, 1, "POST /v2/app/blobs/uploads/ HTTP/1.1");
	assert_int_equal(f.body[1], 0);
	assert_request(&f, 2, "PATCH /v2/app/blobs/uploads/u1 HTTP/1.1");
	assert_non_null(strstr(f.head[2], "\r\nContent-Range: 0-8388607\r\n"));
	assert_non_null(strstr(f.head[2], "\r\nContent-Type: application/octet-stream\r\n"));
	assert_int_equal(f.body[2], ENG_REGISTRY_CHUNK_SIZE);
	/* a relative Location replaces the last path segment; none keeps the URL */
	assert_request(&f, 3, "PATCH /v2/app/blobs/uploads/u2?_state=a HTTP/1.1");
	assert_non_null(strstr(f.head[3], "\r\nContent-Range: 8388608-16777215\r\n"));
	assert_int_equal(f.body[3], ENG_REGISTRY_CHUNK_SIZE);
	assert_request(&f, 4, "PATCH /v2/app/blobs/uploads/u2?_state=a HTTP/1.1");
	snprintf(line, sizeof(line), "\r\nContent-Range: 16777216-%" PRIu64 "\r\n", size - 1);
	assert_non_null(strstr(f.head[4], line));
	assert_int_equal(f.body[4], 1000);
	snprintf(put, sizeof(put), "PUT /v2/app/blobs/uploads/u3?_state=b&digest=sha256%%3A%s "
		 "HTTP/1.1", eng_digest_hex(&d));
	assert_request(&f, 5, put);
	assert_non_null(strstr(f.head[5], "\r\nContent-Length: 0\r\n"));
	free(done);
	fake_free(&f);
}

static void fake_chunk_min_length_honoured(void **state)
{
	struct isolab_error err = {0};
	struct eng_registry *r;
	struct eng_digest d;
	struct fake f;
	char path[PATH_MAX], put[256];
	uint64_t size = 12u << 20;

	make_file("chunkmin", size, 12, path, &d);
	fake_start(&f, V2_OK,
		   "HTTP/1.1 202 Accepted\r\nLocation: /v2/app/blobs/uploads/u1\r\n"
		   "OCI-Chunk-Min-Length: 10485760\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
		   "HTTP/1.1 202 Accepted\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
		   "HTTP/1.1 202 Accepted\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
		   "HTTP/1.1 201 Created\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", NULL);
	r = open_fake(&f);
	assert_int_equal(eng_registry_blob_push(r, "app", &d, path, size, &err), 0);
	eng_registry_close(r);
	assert_int_equal(fake_stop(&f), 5);
	assert_non_null(strstr(f.head[2], "\r\nContent-Range: 0-10485759\r\n"));
	assert_int_equal(f.body[2], 10485760);
	assert_non_null(strstr(f.head[3], "\r\nContent-Range: 10485760-12582911\r\n"));
	assert_int_equal(f.body[3], size - 10485760);
	snprintf(put, sizeof(put), "PUT /v2/app/blobs/uploads/u1?digest=sha256%%3A%s HTTP/1.1",
		 eng_digest_hex(&d));
	assert_request(&f, 4, put);
	fake_free(&f);
}

static void fake_registry_stores_another_digest(void **state)
{
	struct isolab_error err = {0};
	struct eng_registry *r;
	struct eng_digest d;
	struct fake f;
	char path[PATH_MAX], want[400];

	make_file("other", 10, 10, path, &d);
	fake_start(&f, V2_OK,
		   "HTTP/1.1 202 Accepted\r\nLocation: /v2/app/blobs/uploads/u1\r\n"
		   "Content-Length: 0\r\nConnection: close\r\n\r\n",
		   "HTTP/1.1 201 Created\r\nDocker-Content-Digest: sha256:"
		   "1111111111111111111111111111111111111111111111111111111111111111\r\n"
		   "Content-Length: 0\r\nConnection: close\r\n\r\n",
		   "HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n", NULL);
	r = open_fake(&f);
	assert_int_equal(eng_registry_blob_push(r, "app", &d, path, 10, &err), -EPROTO);
	snprintf(want, sizeof(want), "registry %s: PUT blob app@%s: the registry stored sha256:"
		 "1111111111111111111111111111111111111111111111111111111111111111", f.host, d.str);
	assert_string_equal(err.msg, want);
	eng_registry_close(r);
	assert_int_equal(fake_stop(&f), 4);
	assert_int_equal(f.body[2], 10);
	assert_request(&f, 3, "DELETE /v2/app/blobs/uploads/u1 HTTP/1.1");  /* cancelled */
	fake_free(&f);
}

static void fake_registry_error_on_put(void **state)
{
	struct isolab_error err = {0};
	struct eng_registry *r;
	struct eng_digest d;
	struct fake f;
	char path[PATH_MAX], want[400];

	make_file("rejected", 10, 11, path, &d);
	fake_start(&f, V2_OK,
		   "HTTP/1.1 202 Accepted\r\nLocation: /v2/app/blobs/uploads/u1?_state=z\r\n"
		   "Content-Length: 0\r\nConnection: close\r\n\r\n",
		   "HTTP/1.1 400 Bad Request\r\nContent-Length: 80\r\nConnection: close\r\n\r\n"
		   "{\"errors\":[{\"code\":\"DIGEST_INVALID\",\"message\":\"provided digest did not match\"}]}",
		   "HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n", NULL);
	r = open_fake(&f);
	assert_int_equal(eng_registry_blob_push(r, "app", &d, path, 10, &err), -EINVAL);
	snprintf(want, sizeof(want), "registry %s: PUT blob app@%s: 400 DIGEST_INVALID: provided "
		 "digest did not match", f.host, d.str);
	assert_string_equal(err.msg, want);
	eng_registry_close(r);
	assert_int_equal(fake_stop(&f), 4);
	assert_request(&f, 3, "DELETE /v2/app/blobs/uploads/u1?_state=z HTTP/1.1");
	fake_free(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		/* docker-registry (the manifest test uses the blobs of the first two) */
		cmocka_unit_test(live_blob_small),
		cmocka_unit_test(live_blob_chunked),
		cmocka_unit_test(live_blob_pushed_twice_and_mounted),
		cmocka_unit_test(live_blob_pull_errors),
		cmocka_unit_test(live_blob_push_refuses_a_wrong_size),
		cmocka_unit_test(live_manifest_put_and_get),
		cmocka_unit_test(live_manifest_errors),
		cmocka_unit_test(live_https_to_a_plain_registry_fails_in_tls),
		/* no registry needed */
		cmocka_unit_test(connection_refused),
		cmocka_unit_test(plain_http_to_a_remote_host_is_refused_at_once),
		cmocka_unit_test(fake_needs_authentication),
		cmocka_unit_test(fake_not_a_registry),
		cmocka_unit_test(fake_connection_cut_mid_blob),
		cmocka_unit_test(fake_blob_redirect_followed),
		cmocka_unit_test(fake_manifest_lies),
		cmocka_unit_test(fake_upload_location_elsewhere),
		cmocka_unit_test(fake_chunked_upload_requests),
		cmocka_unit_test(fake_chunk_min_length_honoured),
		cmocka_unit_test(fake_registry_stores_another_digest),
		cmocka_unit_test(fake_registry_error_on_put),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
