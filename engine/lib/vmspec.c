/*
 * vmspec.c: the run spec of `isolab run --vm` (written by the engine,
 * parsed by the guest's init) and the newc cpio writer that packs it into
 * the run's initramfs. vmspec.h has the format.
 */
#include "engine/lib/vmspec.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char *const stdin_names[] = {
	[ENG_VMSPEC_STDIN_NULL] = "null",
	[ENG_VMSPEC_STDIN_FILE] = "file",
	[ENG_VMSPEC_STDIN_CONSOLE] = "console",
};

static int put(FILE *f, const char *key, const char *value, struct isolab_error *err)
{
	size_t len = strlen(value);

	if (fprintf(f, "%s %zu\n", key, len) < 0 || fwrite(value, 1, len, f) != len ||
	    fputc('\n', f) == EOF)
		return isolab_error_errno(err, -EIO, "spec: write %s", key);
	return 0;
}

static int put_uint(FILE *f, const char *key, unsigned v, struct isolab_error *err)
{
	char buf[16];

	snprintf(buf, sizeof(buf), "%u", v);
	return put(f, key, buf, err);
}

int eng_vmspec_write(FILE *f, const struct eng_vmspec *s, struct isolab_error *err)
{
	int rc = 0;

	if (s->argc == 0 || s->argv == NULL || s->argv[0] == NULL)
		return isolab_error_set(err, -EINVAL, "spec: no command");
	if (s->argc > ENG_VMSPEC_MAX_ARGS || s->n_env > ENG_VMSPEC_MAX_ENV)
		return isolab_error_set(err, -E2BIG, "spec: over %d arguments or variables",
					ENG_VMSPEC_MAX_ARGS);
	if (s->uid > ENG_VMSPEC_ID_MAX || s->gid > ENG_VMSPEC_ID_MAX)
		return isolab_error_set(err, -EINVAL, "spec: uid/gid out of range");
	for (size_t i = 0; i < s->n_env; i++)
		if (strchr(s->env[i], '=') == NULL || s->env[i][0] == '=')
			return isolab_error_set(err, -EINVAL, "spec: environment `%s`: not K=V",
						s->env[i]);
	if (fputs(ENG_VMSPEC_MAGIC, f) == EOF)
		return isolab_error_errno(err, -EIO, "spec: write");
	for (size_t i = 0; rc == 0 && i < s->argc; i++)
		rc = put(f, "arg", s->argv[i], err);
	for (size_t i = 0; rc == 0 && i < s->n_env; i++)
		rc = put(f, "env", s->env[i], err);
	if (rc == 0 && s->cwd != NULL)
		rc = put(f, "cwd", s->cwd, err);
	if (rc == 0)
		rc = put_uint(f, "uid", s->uid, err);
	if (rc == 0)
		rc = put_uint(f, "gid", s->gid, err);
	if (rc == 0 && s->hostname != NULL)
		rc = put(f, "hostname", s->hostname, err);
	if (rc == 0)
		rc = put(f, "stdin", stdin_names[s->stdin_mode], err);
	if (rc == 0)
		rc = put(f, "tty", s->tty ? "1" : "0", err);
	if (rc == 0 && ftell(f) > (long)ENG_VMSPEC_MAX_BYTES)
		return isolab_error_set(err, -E2BIG, "spec: over %u bytes", ENG_VMSPEC_MAX_BYTES);
	return rc;
}

/* A decimal number 0..max, the whole of text. */
static int parse_uint(const char *text, unsigned long max, unsigned *out)
{
	unsigned long v = 0;

	if (*text == '\0' || (text[0] == '0' && text[1] != '\0'))
		return -EINVAL;
	for (; *text; text++) {
		if (*text < '0' || *text > '9')
			return -EINVAL;
		v = v * 10 + (unsigned long)(*text - '0');
		if (v > max)
			return -EINVAL;
	}
	*out = (unsigned)v;
	return 0;
}

/* Reads "KEY LEN\n" at *pos; the value's start in *value, NUL-ended in place. */
static int next_record(char *buf, size_t len, size_t *pos, char **key, char **value,
		       struct isolab_error *err)
{
	char *p = buf + *pos, *sp, *nl;
	size_t avail = len - *pos, n = 0, klen;

	nl = memchr(p, '\n', avail < 32 ? avail : 32);
	if (nl == NULL)
		return isolab_error_set(err, -EINVAL, "spec: record at byte %zu: no `KEY LEN` line",
					*pos);
	sp = memchr(p, ' ', (size_t)(nl - p));
	if (sp == NULL || sp == p || sp + 1 == nl)
		return isolab_error_set(err, -EINVAL, "spec: record at byte %zu: not `KEY LEN`",
					*pos);
	klen = (size_t)(sp - p);
	for (char *d = sp + 1; d < nl; d++) {
		if (*d < '0' || *d > '9' || (d == sp + 1 && *d == '0' && d + 1 < nl))
			return isolab_error_set(err, -EINVAL, "spec: record at byte %zu: bad length",
						*pos);
		n = n * 10 + (size_t)(*d - '0');
		if (n > ENG_VMSPEC_MAX_BYTES)
			return isolab_error_set(err, -EINVAL, "spec: record at byte %zu: too long",
						*pos);
	}
	*key = p;
	p[klen] = '\0';
	p = nl + 1;
	if ((size_t)(buf + len - p) < n + 1 || p[n] != '\n')
		return isolab_error_set(err, -EINVAL, "spec: `%s`: value runs past the end", *key);
	if (memchr(p, '\0', n) != NULL)
		return isolab_error_set(err, -EINVAL, "spec: `%s`: a NUL in the value", *key);
	p[n] = '\0';
	*value = p;
	*pos = (size_t)(p + n + 1 - buf);
	return 0;
}

int eng_vmspec_parse(char *buf, size_t len, struct eng_vmspec *out, char **argv_store,
		     char **env_store, struct isolab_error *err)
{
	size_t pos = strlen(ENG_VMSPEC_MAGIC);
	bool seen_uid = false, seen_gid = false, seen_stdin = false, seen_tty = false;

	memset(out, 0, sizeof(*out));
	out->argv = argv_store;
	out->env = env_store;
	if (len > ENG_VMSPEC_MAX_BYTES)
		return isolab_error_set(err, -EINVAL, "spec: over %u bytes", ENG_VMSPEC_MAX_BYTES);
	if (len < pos || memcmp(buf, ENG_VMSPEC_MAGIC, pos) != 0)
		return isolab_error_set(err, -EINVAL, "spec: not an isolab-vmspec 1");
	while (pos < len) {
		char none[1] = "", *key = none, *value = none;
		int rc = next_record(buf, len, &pos, &key, &value, err);

		if (rc < 0)
			return rc;
		if (strcmp(key, "arg") == 0) {
			if (out->argc == ENG_VMSPEC_MAX_ARGS)
				return isolab_error_set(err, -EINVAL, "spec: over %d args",
							ENG_VMSPEC_MAX_ARGS);
			argv_store[out->argc++] = value;
		} else if (strcmp(key, "env") == 0) {
			if (out->n_env == ENG_VMSPEC_MAX_ENV)
				return isolab_error_set(err, -EINVAL, "spec: over %d env",
							ENG_VMSPEC_MAX_ENV);
			if (value[0] == '=' || strchr(value, '=') == NULL)
				return isolab_error_set(err, -EINVAL, "spec: env `%s`: not K=V", value);
			env_store[out->n_env++] = value;
		} else if (strcmp(key, "cwd") == 0 || strcmp(key, "hostname") == 0) {
			const char **slot = key[0] == 'c' ? &out->cwd : &out->hostname;

			if (*slot != NULL)
				return isolab_error_set(err, -EINVAL, "spec: `%s` twice", key);
			*slot = value;
		} else if (strcmp(key, "uid") == 0 || strcmp(key, "gid") == 0) {
			bool *seen = key[0] == 'u' ? &seen_uid : &seen_gid;

			if (*seen)
				return isolab_error_set(err, -EINVAL, "spec: `%s` twice", key);
			*seen = true;
			if (parse_uint(value, ENG_VMSPEC_ID_MAX, key[0] == 'u' ? &out->uid : &out->gid) < 0)
				return isolab_error_set(err, -EINVAL, "spec: %s `%s`: not 0..%u", key,
							value, ENG_VMSPEC_ID_MAX);
		} else if (strcmp(key, "stdin") == 0) {
			size_t i;

			if (seen_stdin)
				return isolab_error_set(err, -EINVAL, "spec: `stdin` twice");
			seen_stdin = true;
			for (i = 0; i < sizeof(stdin_names) / sizeof(stdin_names[0]); i++)
				if (strcmp(value, stdin_names[i]) == 0)
					break;
			if (i == sizeof(stdin_names) / sizeof(stdin_names[0]))
				return isolab_error_set(err, -EINVAL, "spec: stdin `%s`: unknown", value);
			out->stdin_mode = (enum eng_vmspec_stdin)i;
		} else if (strcmp(key, "tty") == 0) {
			if (seen_tty || (strcmp(value, "0") != 0 && strcmp(value, "1") != 0))
				return isolab_error_set(err, -EINVAL, "spec: tty `%s`: not 0 or 1 once",
							value);
			seen_tty = true;
			out->tty = value[0] == '1';
		} else {
			return isolab_error_set(err, -EINVAL, "spec: unknown key `%.32s`", key);
		}
	}
	if (out->argc == 0)
		return isolab_error_set(err, -EINVAL, "spec: no arg");
	argv_store[out->argc] = NULL;
	env_store[out->n_env] = NULL;
	return 0;
}

/* Held bytes to stderr, unless they are only blank (a console's stray
 * line ends: they are no message). */
static void emit_held(const char *buf, size_t len, eng_vm_emit_fn *emit, void *ctx)
{
	for (size_t i = 0; i < len; i++)
		if (buf[i] != '\n' && buf[i] != '\r' && buf[i] != ' ' && buf[i] != '\t') {
			emit(2, buf, len, ctx);
			return;
		}
}

void eng_vm_output_feed(struct eng_vm_output *o, const char *buf, size_t n,
			eng_vm_emit_fn *emit, void *ctx)
{
	const size_t mark_len = sizeof(ENG_VMSPEC_OUTPUT_MARK) - 1;
	size_t i = 0;

	for (; i < n && !o->started; i++) {
		o->pre[o->pre_len++] = buf[i];
		if (o->pre_len >= mark_len &&
		    memcmp(o->pre + o->pre_len - mark_len, ENG_VMSPEC_OUTPUT_MARK, mark_len) == 0) {
			emit_held(o->pre, o->pre_len - mark_len, emit, ctx);
			o->pre_len = 0;
			o->started = true;
		} else if (o->pre_len == sizeof(o->pre)) {
			/* full: all but what could begin the mark goes */
			size_t keep = mark_len - 1;

			emit_held(o->pre, o->pre_len - keep, emit, ctx);
			memmove(o->pre, o->pre + o->pre_len - keep, keep);
			o->pre_len = keep;
		}
	}
	if (i < n)
		emit(1, buf + i, n - i, ctx);
}

void eng_vm_output_end(struct eng_vm_output *o, eng_vm_emit_fn *emit, void *ctx)
{
	emit_held(o->pre, o->pre_len, emit, ctx);
	o->pre_len = 0;
}

/* FNV-1a of the name: a distinct inode number per entry (the kernel only
 * links entries whose nlink is 2 or more; ours are 1). */
static unsigned name_ino(const char *name)
{
	uint32_t h = 2166136261u;

	for (; *name; name++)
		h = (h ^ (unsigned char)*name) * 16777619u;
	return h & 0x7fffffffu;
}

static int pad4(FILE *f, size_t n)
{
	static const char zeros[4];

	return fwrite(zeros, 1, (4 - n % 4) % 4, f) == (4 - n % 4) % 4 ? 0 : -EIO;
}

int eng_cpio_add(FILE *f, const char *name, unsigned mode, unsigned rdev_major,
		 unsigned rdev_minor, const void *data, size_t len, struct isolab_error *err)
{
	size_t namesize = strlen(name) + 1;

	if (len > 0xffffffffu || namesize > 4096)
		return isolab_error_set(err, -E2BIG, "cpio: `%s`: too big", name);
	/* c_magic, then 13 fields of 8 hex digits: ino, mode, uid, gid, nlink,
	 * mtime, filesize, devmajor, devminor, rdevmajor, rdevminor, namesize,
	 * check (0: newc has no checksum). */
	if (fprintf(f, "070701%08X%08X%08X%08X%08X%08X%08zX%08X%08X%08X%08X%08zX%08X",
		    strcmp(name, "TRAILER!!!") == 0 ? 0 : name_ino(name), mode, 0u, 0u,
		    S_ISDIR(mode) ? 2u : 1u, 0u, len, 0u, 0u, rdev_major, rdev_minor,
		    namesize, 0u) != 110 ||
	    fwrite(name, 1, namesize, f) != namesize || pad4(f, 110 + namesize) < 0 ||
	    (len > 0 && fwrite(data, 1, len, f) != len) || pad4(f, len) < 0)
		return isolab_error_errno(err, -EIO, "cpio: write `%s`", name);
	return 0;
}

int eng_cpio_end(FILE *f, struct isolab_error *err)
{
	return eng_cpio_add(f, "TRAILER!!!", 0, 0, 0, NULL, 0, err);
}
