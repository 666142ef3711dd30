/* test_tarpath.c: unit tests for engine/lib/tarpath.c, the rules a layer's tar entries must follow. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "engine/lib/tarpath.h"

/* Normalises a C string; returns the result or NULL (err filled). */
static const char *norm(const char *name, struct isolab_error *err)
{
	static char out[PATH_MAX];

	memset(err, 0, sizeof(*err));
	if (eng_tarpath_normalize(name, strlen(name), out, sizeof(out), err) < 0)
		return NULL;
	return out;
}

static void normalize_accepts_and_cleans(void **state)
{
	struct isolab_error err;

	assert_string_equal(norm("a", &err), "a");
	assert_string_equal(norm("./a//b/", &err), "a/b");
	assert_string_equal(norm("a/./b/.", &err), "a/b");
	assert_string_equal(norm("./usr/bin/", &err), "usr/bin");
	assert_string_equal(norm(".", &err), ".");
	assert_string_equal(norm("./", &err), ".");
	assert_string_equal(norm(".//./", &err), ".");
	/* dots that are not "." or ".." are names */
	assert_string_equal(norm("...", &err), "...");
	assert_string_equal(norm("a/..b/c..", &err), "a/..b/c..");
	assert_string_equal(norm(".wh.x", &err), ".wh.x");
}

static void normalize_refuses(void **state)
{
	static const struct {
		const char *name, *msg;
	} bad[] = {
		{ "", "layer entry ``: empty name" },
		{ "/etc/passwd", "layer entry `/etc/passwd`: absolute path" },
		{ "//x", "layer entry `//x`: absolute path" },
		{ "..", "layer entry `..`: `..` component climbs out of the layer" },
		{ "../evil", "layer entry `../evil`: `..` component climbs out of the layer" },
		{ "a/../b", "layer entry `a/../b`: `..` component climbs out of the layer" },
		{ "a/b/..", "layer entry `a/b/..`: `..` component climbs out of the layer" },
		{ "./../x", "layer entry `./../x`: `..` component climbs out of the layer" },
		{ "a\nb/../c", "layer entry `a?b/../c`: `..` component climbs out of the layer" },
	};
	struct isolab_error err;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_null(norm(bad[i].name, &err));
		assert_int_equal(err.code, -EINVAL);
		assert_string_equal(err.msg, bad[i].msg);
	}
}

static void normalize_bounds(void **state)
{
	static char name[PATH_MAX + 16], out[PATH_MAX], expect[512];
	struct isolab_error err = { 0 };
	size_t n = 0;

	/* a NUL inside the name (a length-counted name from the fuzzer) */
	assert_int_equal(eng_tarpath_normalize("a\0b", 3, out, sizeof(out), &err), -EINVAL);
	assert_string_equal(err.msg, "layer entry `a?b`: NUL byte in the name");
	/* 128 levels are fine, 129 are not */
	for (int i = 0; i < ENG_TARPATH_MAX_DEPTH; i++)
		n += (size_t)sprintf(name + n, "%sd", i ? "/" : "");
	assert_int_equal(eng_tarpath_normalize(name, n, out, sizeof(out), &err), 0);
	assert_string_equal(out, name);
	n += (size_t)sprintf(name + n, "/d");
	assert_int_equal(eng_tarpath_normalize(name, n, out, sizeof(out), &err), -EINVAL);
	assert_non_null(strstr(err.msg, ": more than 128 levels deep"));
	/* a component of 256 bytes */
	memset(name, 'c', 256);
	name[256] = '\0';
	assert_int_equal(eng_tarpath_normalize(name, 256, out, sizeof(out), &err), -EINVAL);
	snprintf(expect, sizeof(expect), "layer entry `%.160s...`: component longer than 255 bytes",
		 name);
	assert_string_equal(err.msg, expect);
	/* PATH_MAX bytes: refused whatever they are; PATH_MAX - 1 of short names pass */
	for (n = 0; n < PATH_MAX; n++)
		name[n] = n % 2 ? '/' : 'x';
	name[n] = '\0';
	assert_int_equal(eng_tarpath_normalize(name, n, out, sizeof(out), &err), -EINVAL);
	assert_non_null(strstr(err.msg, "`: name of 4096 bytes or more"));
	/* the output buffer is never overrun */
	assert_int_equal(eng_tarpath_normalize("abcdef", 6, out, 4, &err), -EINVAL);
	assert_string_equal(err.msg, "layer entry `abcdef`: no room for the name");
}

static void classify_whiteouts(void **state)
{
	enum eng_tarpath_kind kind;
	struct isolab_error err = { 0 };
	char target[PATH_MAX];

	assert_int_equal(eng_tarpath_classify("a/b", &kind, target, sizeof(target), &err), 0);
	assert_int_equal(kind, ENG_TARPATH_PLAIN);
	assert_int_equal(eng_tarpath_classify("a.wh.b", &kind, target, sizeof(target), &err), 0);
	assert_int_equal(kind, ENG_TARPATH_PLAIN);
	assert_int_equal(eng_tarpath_classify(".", &kind, target, sizeof(target), &err), 0);
	assert_int_equal(kind, ENG_TARPATH_PLAIN);
	assert_int_equal(eng_tarpath_classify(".wh.gone", &kind, target, sizeof(target), &err), 0);
	assert_int_equal(kind, ENG_TARPATH_WHITEOUT);
	assert_string_equal(target, "gone");
	assert_int_equal(eng_tarpath_classify("a/b/.wh..hidden", &kind, target, sizeof(target), &err), 0);
	assert_int_equal(kind, ENG_TARPATH_WHITEOUT);
	assert_string_equal(target, "a/b/.hidden");
	assert_int_equal(eng_tarpath_classify("d/.wh..wh..opq", &kind, target, sizeof(target), &err), 0);
	assert_int_equal(kind, ENG_TARPATH_OPAQUE);
	assert_string_equal(target, "d");
	assert_int_equal(eng_tarpath_classify(".wh..wh..opq", &kind, target, sizeof(target), &err), 0);
	assert_int_equal(kind, ENG_TARPATH_OPAQUE);
	assert_string_equal(target, ".");
}

static void classify_refuses(void **state)
{
	static const struct {
		const char *name, *msg;
	} bad[] = {
		{ "d/.wh..wh.plnk", "layer entry `d/.wh..wh.plnk`: unknown whiteout meta-entry "
				    "(only `.wh..wh..opq` is defined)" },
		{ ".wh..wh.", "layer entry `.wh..wh.`: unknown whiteout meta-entry "
			      "(only `.wh..wh..opq` is defined)" },
		{ "a/.wh.", "layer entry `a/.wh.`: whiteout of ``" },
		{ "a/.wh..", "layer entry `a/.wh..`: whiteout of `.`" },
		{ ".wh...", "layer entry `.wh...`: whiteout of `..`" },
		{ ".wh.x/y", "layer entry `.wh.x/y`: whiteout `.wh.x` used as a directory" },
		{ "a/.wh..wh..opq/b", "layer entry `a/.wh..wh..opq/b`: whiteout `.wh..wh..opq` used "
				      "as a directory" },
	};
	enum eng_tarpath_kind kind;
	struct isolab_error err;
	char target[PATH_MAX];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&err, 0, sizeof(err));
		assert_int_equal(eng_tarpath_classify(bad[i].name, &kind, target, sizeof(target), &err),
				 -EINVAL);
		assert_string_equal(err.msg, bad[i].msg);
	}
}

static void hardlink_targets(void **state)
{
	struct isolab_error err = { 0 };
	char out[PATH_MAX];

#define HL(path, target) eng_tarpath_hardlink(path, target, strlen(target), out, sizeof(out), &err)
	assert_int_equal(HL("b", "./a"), 0);
	assert_string_equal(out, "a");
	assert_int_equal(HL("x/y", "usr//bin/sh"), 0);
	assert_string_equal(out, "usr/bin/sh");
	assert_int_equal(HL("x", "../../etc/shadow"), -EINVAL);
	assert_string_equal(err.msg, "layer entry `x`: hard link to `../../etc/shadow`: "
				     "`..` component climbs out of the layer");
	assert_int_equal(HL("x", "/etc/shadow"), -EINVAL);
	assert_string_equal(err.msg, "layer entry `x`: hard link to `/etc/shadow`: absolute path");
	assert_int_equal(HL("x", ""), -EINVAL);
	assert_string_equal(err.msg, "layer entry `x`: hard link to ``: empty name");
	assert_int_equal(HL("x", "./x/"), -EINVAL);
	assert_string_equal(err.msg, "layer entry `x`: hard link to itself");
	assert_int_equal(HL("x", "./"), -EINVAL);
	assert_string_equal(err.msg, "layer entry `x`: hard link to the layer root");
#undef HL
}

static void symlink_targets(void **state)
{
	struct isolab_error err = { 0 };

#define SL(path, target) eng_tarpath_symlink(path, target, strlen(target), &err)
	/* absolute: resolved inside the container's root, fine */
	assert_int_equal(SL("etc/mtab", "/proc/self/mounts"), 0);
	assert_int_equal(SL("x", "/"), 0);
	assert_int_equal(SL("a/b", "../c"), 0);
	assert_int_equal(SL("a/b/c", "../../d"), 0);
	assert_int_equal(SL("a/b", "c/../../d"), 0);
	assert_int_equal(SL("a/b", "./../x/./y"), 0);
	assert_int_equal(SL("usr/lib/os-release", "../../etc/os-release"), 0);
	assert_int_equal(SL("a/b", "../../../etc"), -EINVAL);
	assert_string_equal(err.msg, "layer entry `a/b`: symlink to `../../../etc` points out of the layer");
	assert_int_equal(SL("a/b", "../.."), -EINVAL);
	assert_string_equal(err.msg, "layer entry `a/b`: symlink to `../..` points out of the layer");
	assert_int_equal(SL("x", ".."), -EINVAL);
	assert_int_equal(SL("x", "a/../../b"), -EINVAL);
	assert_string_equal(err.msg, "layer entry `x`: symlink to `a/../../b` points out of the layer");
	assert_int_equal(SL("x", ""), -EINVAL);
	assert_string_equal(err.msg, "layer entry `x`: empty symlink target");
	assert_int_equal(eng_tarpath_symlink("x", "a\0b", 3, &err), -EINVAL);
	assert_string_equal(err.msg, "layer entry `x`: symlink to `a?b`: NUL byte in the target");
#undef SL
}

static void xattr_rules(void **state)
{
	struct isolab_error err = { 0 };
	char longname[300];

	assert_int_equal(eng_xattr_classify("user.x"), ENG_XATTR_KEEP);
	assert_int_equal(eng_xattr_classify("trusted.foo"), ENG_XATTR_KEEP);
	assert_int_equal(eng_xattr_classify("security.capability"), ENG_XATTR_KEEP);
	assert_int_equal(eng_xattr_classify("security.selinux"), ENG_XATTR_DROP);
	assert_int_equal(eng_xattr_classify("security.ima"), ENG_XATTR_DROP);
	assert_int_equal(eng_xattr_classify("system.posix_acl_access"), ENG_XATTR_DROP);
	assert_int_equal(eng_xattr_classify("trusted.overlay.opaque"), ENG_XATTR_OVERLAY);
	assert_int_equal(eng_xattr_classify("user.overlay.whiteout"), ENG_XATTR_OVERLAY);
	/* "trusted.overlayx" is not overlay's namespace */
	assert_int_equal(eng_xattr_classify("trusted.overlayx"), ENG_XATTR_KEEP);

	assert_int_equal(eng_tarpath_xattr("f", "user.x", 3, &err), 1);
	assert_int_equal(eng_tarpath_xattr("f", "security.capability", 20, &err), 1);
	assert_int_equal(eng_tarpath_xattr("f", "security.selinux", 30, &err), 0);
	assert_int_equal(eng_tarpath_xattr("d", "trusted.overlay.opaque", 1, &err), -EINVAL);
	assert_string_equal(err.msg, "layer entry `d`: xattr `trusted.overlay.opaque` is overlayfs "
				     "metadata, which a layer may not carry");
	assert_int_equal(eng_tarpath_xattr("f", "user.overlay.redirect", 1, &err), -EINVAL);
	assert_string_equal(err.msg, "layer entry `f`: xattr `user.overlay.redirect` is overlayfs "
				     "metadata, which a layer may not carry");
	assert_int_equal(eng_tarpath_xattr("f", "user.big", 65537, &err), -EINVAL);
	assert_string_equal(err.msg, "layer entry `f`: xattr `user.big`: value larger than 65536 bytes");
	assert_int_equal(eng_tarpath_xattr("f", "", 1, &err), -EINVAL);
	assert_string_equal(err.msg, "layer entry `f`: xattr ``: name empty or longer than 255 bytes");
	memset(longname, 'u', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	memcpy(longname, "user.", 5);
	assert_int_equal(eng_tarpath_xattr("f", longname, 1, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "name empty or longer than 255 bytes"));
}

static void owners(void **state)
{
	struct isolab_error err = { 0 };

	assert_int_equal(eng_tarpath_owner("f", 0, 0, &err), 0);
	assert_int_equal(eng_tarpath_owner("f", 4294967294LL, 65534, &err), 0);
	assert_int_equal(eng_tarpath_owner("f", 4294967295LL, 0, &err), -EINVAL);
	assert_string_equal(err.msg, "layer entry `f`: owner 4294967295:0 out of range");
	assert_int_equal(eng_tarpath_owner("f", 0, -1, &err), -EINVAL);
	assert_string_equal(err.msg, "layer entry `f`: owner 0:-1 out of range");
}

static void show_and_split(void **state)
{
	char buf[ENG_TARPATH_SHOW_MAX + 4], dir[PATH_MAX], name[400];

	eng_tarpath_show("a\x1b[2Jb\xff", 7, buf, sizeof(buf));
	assert_string_equal(buf, "a?[2Jb?");
	memset(name, 'n', sizeof(name));
	eng_tarpath_show(name, sizeof(name), buf, sizeof(buf));
	assert_int_equal(strlen(buf), ENG_TARPATH_SHOW_MAX + 3);
	assert_string_equal(buf + ENG_TARPATH_SHOW_MAX, "...");
	eng_tarpath_show("abc", 3, buf, 3);
	assert_string_equal(buf, "ab");

	assert_string_equal(eng_tarpath_split("a/b/c", dir, sizeof(dir)), "c");
	assert_string_equal(dir, "a/b");
	assert_string_equal(eng_tarpath_split("top", dir, sizeof(dir)), "top");
	assert_string_equal(dir, ".");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(normalize_accepts_and_cleans),
		cmocka_unit_test(normalize_refuses),
		cmocka_unit_test(normalize_bounds),
		cmocka_unit_test(classify_whiteouts),
		cmocka_unit_test(classify_refuses),
		cmocka_unit_test(hardlink_targets),
		cmocka_unit_test(symlink_targets),
		cmocka_unit_test(xattr_rules),
		cmocka_unit_test(owners),
		cmocka_unit_test(show_and_split),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
