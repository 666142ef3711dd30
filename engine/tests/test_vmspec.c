/* test_vmspec.c: unit tests for engine/lib/vmspec.c (the spec `isolab run
 * --vm` hands the guest's init, and the newc cpio writer) and the pure
 * size rule of engine/lib/vmdisk.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "engine/lib/vmdisk.h"
#include "engine/lib/vmspec.h"

static char *argv_store[ENG_VMSPEC_MAX_ARGS + 1];
static char *env_store[ENG_VMSPEC_MAX_ENV + 1];

/* Writes s to a malloc'd buffer. */
static char *write_spec(const struct eng_vmspec *s, size_t *len, struct isolab_error *err)
{
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);
	int rc;

	assert_non_null(f);
	rc = eng_vmspec_write(f, s, err);
	fclose(f);
	if (rc < 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

/* Parses text (copied); returns the status, err filled. */
static int parse_text(const char *text, struct eng_vmspec *out, struct isolab_error *err)
{
	static char buf[4096];
	size_t len = strlen(text);

	memcpy(buf, text, len);
	memset(err, 0, sizeof(*err));
	return eng_vmspec_parse(buf, len, out, argv_store, env_store, err);
}

static void write_exact_bytes(void **state)
{
	char *argv[] = { "sh", "-c", "echo a\nb", NULL };
	char *env[] = { "PATH=/bin", "X=", NULL };
	struct eng_vmspec s = { .argv = argv, .argc = 3, .env = env, .n_env = 2, .cwd = "/w d",
				.uid = 1000, .gid = 0, .hostname = "h",
				.stdin_mode = ENG_VMSPEC_STDIN_FILE };
	struct isolab_error err = { 0 };
	size_t len;
	char *buf = write_spec(&s, &len, &err);

	assert_non_null(buf);
	assert_string_equal(buf, "isolab-vmspec 1\n"
				 "arg 2\nsh\narg 2\n-c\narg 8\necho a\nb\n"
				 "env 9\nPATH=/bin\nenv 2\nX=\n"
				 "cwd 4\n/w d\nuid 4\n1000\ngid 1\n0\nhostname 1\nh\n"
				 "stdin 4\nfile\ntty 1\n0\n");
	assert_int_equal(len, strlen(buf));
	free(buf);
}

static void round_trip(void **state)
{
	char *argv[] = { "a b", "", "\n\n", NULL };
	char *env[] = { "K=v=w", NULL };
	struct eng_vmspec s = { .argv = argv, .argc = 3, .env = env, .n_env = 1, .uid = 2147483647u,
				.gid = 7, .stdin_mode = ENG_VMSPEC_STDIN_CONSOLE, .tty = true },
			  out;
	struct isolab_error err = { 0 };
	size_t len;
	char *buf = write_spec(&s, &len, &err);

	assert_non_null(buf);
	assert_int_equal(eng_vmspec_parse(buf, len, &out, argv_store, env_store, &err), 0);
	assert_int_equal(out.argc, 3);
	assert_string_equal(out.argv[0], "a b");
	assert_string_equal(out.argv[1], "");
	assert_string_equal(out.argv[2], "\n\n");
	assert_null(out.argv[3]);
	assert_int_equal(out.n_env, 1);
	assert_string_equal(out.env[0], "K=v=w");
	assert_null(out.env[1]);
	assert_null(out.cwd);
	assert_null(out.hostname);
	assert_int_equal(out.uid, 2147483647u);
	assert_int_equal(out.gid, 7);
	assert_int_equal(out.stdin_mode, ENG_VMSPEC_STDIN_CONSOLE);
	assert_true(out.tty);
	free(buf);
}

static void write_refuses(void **state)
{
	char *argv[] = { "x", NULL };
	char *bad_env[] = { "NOEQUALS", NULL };
	struct eng_vmspec none = { .argv = argv, .argc = 0 };
	struct eng_vmspec env = { .argv = argv, .argc = 1, .env = bad_env, .n_env = 1 };
	struct eng_vmspec uid = { .argv = argv, .argc = 1, .uid = 2147483648u };
	struct isolab_error err = { 0 };
	size_t len;

	assert_null(write_spec(&none, &len, &err));
	assert_string_equal(err.msg, "spec: no command");
	assert_null(write_spec(&env, &len, &err));
	assert_string_equal(err.msg, "spec: environment `NOEQUALS`: not K=V");
	assert_null(write_spec(&uid, &len, &err));
	assert_string_equal(err.msg, "spec: uid/gid out of range");
}

static void parse_refuses(void **state)
{
	static const struct {
		const char *text, *msg;
	} cases[] = {
		{ "", "spec: not an isolab-vmspec 1" },
		{ "isolab-vmspec 2\narg 1\nx\n", "spec: not an isolab-vmspec 1" },
		{ "isolab-vmspec 1\n", "spec: no arg" },
		{ "isolab-vmspec 1\nuid 1\n0\n", "spec: no arg" },
		{ "isolab-vmspec 1\narg 5\nx\n", "spec: `arg`: value runs past the end" },
		{ "isolab-vmspec 1\narg 1\nxy", "spec: `arg`: value runs past the end" },
		{ "isolab-vmspec 1\narg 1\nx", "spec: `arg`: value runs past the end" },
		{ "isolab-vmspec 1\narg x\nx\n", "spec: record at byte 16: bad length" },
		{ "isolab-vmspec 1\narg 01\nx\n", "spec: record at byte 16: bad length" },
		{ "isolab-vmspec 1\narg 99999999\nx\n", "spec: record at byte 16: too long" },
		{ "isolab-vmspec 1\narg\nx\n", "spec: record at byte 16: not `KEY LEN`" },
		{ "isolab-vmspec 1\narg 1", "spec: record at byte 16: no `KEY LEN` line" },
		{ "isolab-vmspec 1\nfoo 1\nx\n", "spec: unknown key `foo`" },
		{ "isolab-vmspec 1\narg 1\nx\nenv 1\nx\n", "spec: env `x`: not K=V" },
		{ "isolab-vmspec 1\narg 1\nx\nenv 2\n=x\n", "spec: env `=x`: not K=V" },
		{ "isolab-vmspec 1\narg 1\nx\nuid 2\n-1\n", "spec: uid `-1`: not 0..2147483647" },
		{ "isolab-vmspec 1\narg 1\nx\nuid 10\n2147483648\n",
		  "spec: uid `2147483648`: not 0..2147483647" },
		{ "isolab-vmspec 1\narg 1\nx\ngid 2\n01\n", "spec: gid `01`: not 0..2147483647" },
		{ "isolab-vmspec 1\narg 1\nx\nuid 1\n0\nuid 1\n0\n", "spec: `uid` twice" },
		{ "isolab-vmspec 1\narg 1\nx\ncwd 1\n/\ncwd 1\n/\n", "spec: `cwd` twice" },
		{ "isolab-vmspec 1\narg 1\nx\nstdin 3\ntty\n", "spec: stdin `tty`: unknown" },
		{ "isolab-vmspec 1\narg 1\nx\ntty 1\n2\n", "spec: tty `2`: not 0 or 1 once" },
	};
	struct eng_vmspec out;
	struct isolab_error err;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (parse_text(cases[i].text, &out, &err) != -EINVAL)
			fail_msg("case %zu accepted: %s", i, cases[i].text);
		assert_string_equal(err.msg, cases[i].msg);
	}
	/* a NUL inside a value */
	{
		char buf[] = "isolab-vmspec 1\narg 3\na\0b\n";

		memset(&err, 0, sizeof(err));
		assert_int_equal(eng_vmspec_parse(buf, sizeof(buf) - 1, &out, argv_store, env_store,
						  &err), -EINVAL);
		assert_string_equal(err.msg, "spec: `arg`: a NUL in the value");
	}
}

static void parse_defaults(void **state)
{
	struct eng_vmspec out;
	struct isolab_error err;

	assert_int_equal(parse_text("isolab-vmspec 1\narg 4\ntrue\n", &out, &err), 0);
	assert_int_equal(out.argc, 1);
	assert_int_equal(out.n_env, 0);
	assert_null(out.env[0]);
	assert_int_equal(out.uid, 0);
	assert_int_equal(out.stdin_mode, ENG_VMSPEC_STDIN_NULL);
	assert_false(out.tty);
}

static void parse_bounds(void **state)
{
	/* ENG_VMSPEC_MAX_ARGS args pass, one more does not */
	size_t cap = 16 + (ENG_VMSPEC_MAX_ARGS + 1) * 8 + 1;
	char *buf = malloc(cap), *copy = malloc(cap);
	size_t len = (size_t)snprintf(buf, cap, "%s", ENG_VMSPEC_MAGIC);
	struct eng_vmspec out;
	struct isolab_error err = { 0 };

	for (int i = 0; i < ENG_VMSPEC_MAX_ARGS; i++)
		len += (size_t)snprintf(buf + len, cap - len, "arg 1\nx\n");
	memcpy(copy, buf, len);
	assert_int_equal(eng_vmspec_parse(copy, len, &out, argv_store, env_store, &err), 0);
	assert_int_equal(out.argc, ENG_VMSPEC_MAX_ARGS);
	len += (size_t)snprintf(buf + len, cap - len, "arg 1\nx\n");
	assert_int_equal(eng_vmspec_parse(buf, len, &out, argv_store, env_store, &err), -EINVAL);
	assert_string_equal(err.msg, "spec: over 4096 args");
	free(buf);
	free(copy);
}

static void cpio_exact_bytes(void **state)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct isolab_error err = { 0 };

	assert_int_equal(eng_cpio_add(f, "dev/console", S_IFCHR | 0600, 5, 1, NULL, 0, &err), 0);
	assert_int_equal(eng_cpio_add(f, "a", S_IFREG | 0644, 0, 0, "hello", 5, &err), 0);
	assert_int_equal(eng_cpio_end(f, &err), 0);
	fclose(f);
	/* header 110 bytes + "dev/console\0" (12) = 122, padded to 124 */
	assert_memory_equal(buf, "070701", 6);
	assert_memory_equal(buf + 14, "00002180", 8);  /* mode: S_IFCHR | 0600 */
	assert_memory_equal(buf + 38, "00000001", 8);  /* nlink */
	assert_memory_equal(buf + 54, "00000000", 8);  /* filesize */
	assert_memory_equal(buf + 78, "0000000500000001", 16); /* rdev 5,1 */
	assert_memory_equal(buf + 94, "0000000C", 8);  /* namesize, with the NUL */
	assert_memory_equal(buf + 110, "dev/console\0\0\0", 14);
	/* the second entry: 110 + "a\0" = 112, data "hello" padded to 8 */
	assert_memory_equal(buf + 124 + 14, "000081A4", 8);
	assert_memory_equal(buf + 124 + 54, "00000005", 8);
	assert_memory_equal(buf + 124 + 94, "00000002", 8);
	assert_memory_equal(buf + 124 + 110, "a\0hello\0\0\0", 10);
	/* the trailer: ino 0, "TRAILER!!!\0" (11) -> 121, padded to 124 */
	assert_memory_equal(buf + 244, "07070100000000", 14);
	assert_memory_equal(buf + 244 + 110, "TRAILER!!!\0\0\0", 13);
	assert_int_equal(len, 244 + 124);
	assert_int_equal(len % 4, 0);
	free(buf);
}

static void disk_size(void **state)
{
	uint64_t bytes, inodes;

	eng_vmdisk_size(0, 1, &bytes, &inodes);
	assert_int_equal(bytes, 16u << 20);
	assert_int_equal(inodes, 1024);
	/* 4 MiB of content: 1024 blocks + 256, plus 16 MiB */
	eng_vmdisk_size(4u << 20, 10000, &bytes, &inodes);
	assert_int_equal(bytes, 1280u * 4096 + (16u << 20));
	assert_int_equal(inodes, 12500);
	/* a partial block counts whole */
	eng_vmdisk_size(1, 1, &bytes, &inodes);
	assert_int_equal(bytes, 4096 + (16u << 20));
}

/* What eng_vm_output_feed emitted, per fd. */
struct sink {
	char out[8192], err[8192];
	size_t n_out, n_err;
};

static void sink_emit(int fd, const char *buf, size_t len, void *ctx)
{
	struct sink *k = ctx;
	char *dst = fd == 1 ? k->out : k->err;
	size_t *n = fd == 1 ? &k->n_out : &k->n_err;

	assert_in_range(fd, 1, 2);
	assert_true(*n + len < sizeof(k->out));
	memcpy(dst + *n, buf, len);
	*n += len;
	dst[*n] = '\0';
}

/* Feeds text in pieces of `step` bytes, then ends. */
static void feed(struct sink *k, const char *text, size_t len, size_t step)
{
	static struct eng_vm_output o;

	memset(&o, 0, sizeof(o));
	memset(k, 0, sizeof(*k));
	for (size_t i = 0; i < len; i += step)
		eng_vm_output_feed(&o, text + i, len - i < step ? len - i : step, sink_emit, k);
	eng_vm_output_end(&o, sink_emit, k);
}

static void output_split_at_the_mark(void **state)
{
	static const char text[] = "\n\r\n" ENG_VMSPEC_OUTPUT_MARK "hello\nworld";
	static const char noisy[] = "EXT4-fs: error\r\n" ENG_VMSPEC_OUTPUT_MARK "x\n";
	static const char failed[] = "\nisolab-vminit: mount ext4: EINVAL\n";
	struct sink k;

	/* every way of cutting it: blank before the mark dropped, the rest stdout */
	for (size_t step = 1; step <= sizeof(text); step++) {
		feed(&k, text, sizeof(text) - 1, step);
		assert_string_equal(k.out, "hello\nworld");
		assert_int_equal(k.n_err, 0);
	}
	feed(&k, noisy, sizeof(noisy) - 1, 3);
	assert_string_equal(k.out, "x\n");
	assert_string_equal(k.err, "EXT4-fs: error\r\n");
	/* no mark: the init failed before the program; all of it to stderr */
	feed(&k, failed, sizeof(failed) - 1, 5);
	assert_int_equal(k.n_out, 0);
	assert_string_equal(k.err, failed);
	/* a mark in the program's own output is output */
	feed(&k, ENG_VMSPEC_OUTPUT_MARK "a" ENG_VMSPEC_OUTPUT_MARK,
	     2 * strlen(ENG_VMSPEC_OUTPUT_MARK) + 1, 4);
	assert_string_equal(k.out, "a" ENG_VMSPEC_OUTPUT_MARK);
}

static void output_long_boot_noise(void **state)
{
	/* more than ENG_VM_OUTPUT_PRE_MAX before the mark: passed on in
	 * pieces, none lost, a mark across the cut still found */
	static char text[3 * ENG_VM_OUTPUT_PRE_MAX];
	size_t noise = 2 * ENG_VM_OUTPUT_PRE_MAX - 5, len;
	struct sink *k = malloc(sizeof(*k));

	memset(text, 'k', noise);
	len = noise + (size_t)sprintf(text + noise, "%sout", ENG_VMSPEC_OUTPUT_MARK);
	feed(k, text, len, 1000);
	assert_string_equal(k->out, "out");
	assert_int_equal(k->n_err, noise);
	free(k);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(write_exact_bytes), cmocka_unit_test(round_trip),
		cmocka_unit_test(write_refuses),     cmocka_unit_test(parse_refuses),
		cmocka_unit_test(parse_defaults),    cmocka_unit_test(parse_bounds),
		cmocka_unit_test(cpio_exact_bytes),  cmocka_unit_test(disk_size),
		cmocka_unit_test(output_split_at_the_mark),
		cmocka_unit_test(output_long_boot_noise),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
