/*
 * eng_tar.c: libFuzzer target for the engine's layer unpacking
 * (engine/lib/layer_unpack.c over libarchive and zlib, with the entry
 * rules of engine/lib/tarpath.c). The input is a layer blob, gzip'd or a
 * plain tar; it is unpacked for real into a private temp dir (as root:
 * owners, device nodes and xattrs too).
 *
 * A refusal must have a message and leave nothing behind. An accepted
 * layer must hold only what the rules allow: no `.wh.` names (whiteouts
 * became char devices 0/0), no symlink that climbs out of the layer, no
 * overlay xattr but an opaque "y" on a directory. The input, read as an
 * entry name, also exercises the pure rules: a normalised name is a fixed
 * point with no "", "." or ".." component.
 */
#include "fuzz/fuzz.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "common/rmtree.h"
#include "engine/lib/layer_unpack.h"
#include "engine/lib/tarpath.h"

static char tmp[64];       /* this process's temp dir, removed at exit */
static char dest[128];     /* tmp/out */

static void remove_tmp(void)
{
	isolab_rm_rf(tmp);
}

/* The pure rules on the input taken as one entry name. */
static void check_name(const uint8_t *data, size_t size)
{
	static char out[PATH_MAX], again[PATH_MAX], target[PATH_MAX];
	struct isolab_error err = { 0 };
	enum eng_tarpath_kind kind;

	if (eng_tarpath_normalize((const char *)data, size, out, sizeof(out), &err) < 0) {
		FUZZ_ASSERT(strncmp(err.msg, "layer entry `", 13) == 0);
		return;
	}
	FUZZ_ASSERT(out[0] != '\0' && out[0] != '/' && strlen(out) < PATH_MAX);
	for (const char *p = strcmp(out, ".") ? out : ""; *p;) {
		size_t n = strcspn(p, "/");

		FUZZ_ASSERT(n > 0 && n <= NAME_MAX);
		FUZZ_ASSERT(!(n == 1 && p[0] == '.'));
		FUZZ_ASSERT(!(n == 2 && p[0] == '.' && p[1] == '.'));
		p += n;
		if (*p == '/')
			p++;
	}
	FUZZ_ASSERT(eng_tarpath_normalize(out, strlen(out), again, sizeof(again), &err) == 0);
	FUZZ_ASSERT(strcmp(out, again) == 0);
	if (eng_tarpath_classify(out, &kind, target, sizeof(target), &err) == 0 &&
	    kind == ENG_TARPATH_WHITEOUT) {
		/* the target is a normalised name in the same directory */
		FUZZ_ASSERT(eng_tarpath_normalize(target, strlen(target), again, sizeof(again), &err) == 0);
		FUZZ_ASSERT(strcmp(target, again) == 0);
	}
	/* as a symlink's target and a hard link's, from a link two levels down */
	(void)eng_tarpath_symlink("a/b", (const char *)data, size, &err);
	(void)eng_tarpath_hardlink("a/b", out, strlen(out), again, sizeof(again), &err);
}

/* What an accepted layer may hold, checked over the whole tree. */
static void check_tree(const char *dir, const char *rel, int depth)
{
	DIR *d = opendir(dir);
	struct dirent *de;

	FUZZ_ASSERT(d != NULL);
	FUZZ_ASSERT(depth <= ENG_TARPATH_MAX_DEPTH + 1);
	while ((de = readdir(d)) != NULL) {
		char path[PATH_MAX * 2], sub[PATH_MAX * 2], target[PATH_MAX], names[4096];
		struct isolab_error err = { 0 };
		struct stat st;
		ssize_t n;

		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		FUZZ_ASSERT(strncmp(de->d_name, ENG_WHITEOUT_PREFIX, 4) != 0);
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		snprintf(sub, sizeof(sub), "%s%s%s", rel, rel[0] ? "/" : "", de->d_name);
		FUZZ_ASSERT(lstat(path, &st) == 0);
		n = llistxattr(path, names, sizeof(names));
		for (ssize_t i = 0; i < n; i += (ssize_t)strlen(names + i) + 1) {
			char v[8];

			if (eng_xattr_classify(names + i) != ENG_XATTR_OVERLAY)
				continue;
			FUZZ_ASSERT(S_ISDIR(st.st_mode));
			FUZZ_ASSERT(strcmp(names + i, ENG_OVERLAY_OPAQUE_XATTR) == 0);
			FUZZ_ASSERT(lgetxattr(path, names + i, v, sizeof(v)) == 1 && v[0] == 'y');
		}
		if (S_ISLNK(st.st_mode)) {
			n = readlink(path, target, sizeof(target) - 1);
			FUZZ_ASSERT(n > 0);
			FUZZ_ASSERT(eng_tarpath_symlink(sub, target, (size_t)n, &err) == 0);
		}
		if (S_ISDIR(st.st_mode))
			check_tree(path, sub, depth + 1);
	}
	closedir(d);
}

/* Only dest, if anything, may be in tmp: no leftover temp dir. */
static void check_nothing_else(void)
{
	DIR *d = opendir(tmp);
	struct dirent *de;

	FUZZ_ASSERT(d != NULL);
	while ((de = readdir(d)) != NULL)
		FUZZ_ASSERT(strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0 ||
			    strcmp(de->d_name, "out") == 0);
	closedir(d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* Small bounds: an input stays fast, and the bounds themselves are hit. */
	const struct eng_unpack_limits lim = { .max_bytes = 4 << 20, .max_entries = 512 };
	struct isolab_error err = { 0 };
	struct eng_layer_digests dg;
	struct stat st;
	int fd, rc;

	check_name(data, size);
	if (tmp[0] == '\0') {
		snprintf(tmp, sizeof(tmp), "/tmp/isolab-fuzz-eng-tar-XXXXXX");
		FUZZ_ASSERT(mkdtemp(tmp) != NULL);
		snprintf(dest, sizeof(dest), "%s/out", tmp);
		atexit(remove_tmp);
	}
	fd = memfd_create("layer", MFD_CLOEXEC);
	FUZZ_ASSERT(fd >= 0);
	FUZZ_ASSERT(write(fd, data, size) == (ssize_t)size);
	FUZZ_ASSERT(lseek(fd, 0, SEEK_SET) == 0);
	rc = eng_layer_unpack(fd, dest, &lim, &dg, &err);
	close(fd);
	if (rc < 0) {
		FUZZ_ASSERT(err.msg[0] != '\0');
		FUZZ_ASSERT(lstat(dest, &st) < 0 && errno == ENOENT);
	} else {
		FUZZ_ASSERT(dg.blob_size == size);
		FUZZ_ASSERT(dg.tar_size <= lim.max_bytes);
		check_tree(dest, "", 0);
		FUZZ_ASSERT(isolab_rm_rf(dest) == 0);
	}
	check_nothing_else();
	return 0;
}
