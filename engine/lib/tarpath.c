/* tarpath.c: names, link targets and xattrs of layer tar entries, checked (see tarpath.h). */
#include "engine/lib/tarpath.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define STR_(x) #x
#define STR(x) STR_(x)

/* Room for a shown name: ENG_TARPATH_SHOW_MAX bytes, "..." and NUL. */
#define SHOW_BUF (ENG_TARPATH_SHOW_MAX + 4)

void eng_tarpath_show(const char *name, size_t len, char *buf, size_t size)
{
	size_t o = 0;

	if (size == 0)
		return;
	for (size_t i = 0; i < len && i < ENG_TARPATH_SHOW_MAX && o + 1 < size; i++) {
		unsigned char c = (unsigned char)name[i];

		buf[o++] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
	}
	if (len > ENG_TARPATH_SHOW_MAX)
		for (int i = 0; i < 3 && o + 1 < size; i++)
			buf[o++] = '.';
	buf[o] = '\0';
}

/* Fills err with "layer entry `NAME`: why..." for a raw (name, len). */
static __attribute__((format(printf, 4, 5))) int refuse(struct isolab_error *err, const char *name,
							 size_t len, const char *fmt, ...)
{
	char shown[SHOW_BUF];
	char why[ISOLAB_ERROR_MSG_MAX];
	va_list ap;

	eng_tarpath_show(name, len, shown, sizeof(shown));
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap); // NOLINT(clang-analyzer-valist.Uninitialized)
	va_end(ap);
	return isolab_error_set(err, -EINVAL, "layer entry `%s`: %s", shown, why);
}

/* The normalisation itself: NULL, or why the name is refused. */
static const char *normalize(const char *name, size_t len, char *out, size_t size)
{
	size_t o = 0, depth = 0, i = 0;

	if (size == 0)
		return "no room for the name";
	if (len == 0)
		return "empty name";
	if (memchr(name, '\0', len) != NULL)
		return "NUL byte in the name";
	if (len >= PATH_MAX)
		return "name of " STR(PATH_MAX) " bytes or more";
	if (name[0] == '/')
		return "absolute path";
	while (i < len) {
		size_t start, clen;

		while (i < len && name[i] == '/')
			i++;
		start = i;
		while (i < len && name[i] != '/')
			i++;
		clen = i - start;
		if (clen == 0 || (clen == 1 && name[start] == '.'))
			continue;
		if (clen == 2 && name[start] == '.' && name[start + 1] == '.')
			return "`..` component climbs out of the layer";
		if (clen > NAME_MAX)
			return "component longer than " STR(NAME_MAX) " bytes";
		if (++depth > ENG_TARPATH_MAX_DEPTH)
			return "more than " STR(ENG_TARPATH_MAX_DEPTH) " levels deep";
		if (o + (o ? 1 : 0) + clen + 1 > size)
			return "no room for the name";
		if (o)
			out[o++] = '/';
		memcpy(out + o, name + start, clen);
		o += clen;
	}
	if (o == 0) {
		if (size < 2)
			return "no room for the name";
		out[o++] = '.';
	}
	out[o] = '\0';
	return NULL;
}

int eng_tarpath_normalize(const char *name, size_t len, char *out, size_t size,
			  struct isolab_error *err)
{
	const char *why = normalize(name, len, out, size);

	if (why != NULL)
		return refuse(err, name, len, "%s", why);
	return 0;
}

const char *eng_tarpath_split(const char *path, char *dir, size_t size)
{
	const char *slash = strrchr(path, '/');
	size_t n;

	if (slash == NULL) {
		snprintf(dir, size, ".");
		return path;
	}
	n = (size_t)(slash - path);
	snprintf(dir, size, "%.*s", (int)n, path);
	return slash + 1;
}

static bool has_prefix(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

int eng_tarpath_classify(const char *path, enum eng_tarpath_kind *kind, char *target,
			 size_t size, struct isolab_error *err)
{
	size_t plen = strlen(path);
	const char *base = path, *rest;
	char dir[PATH_MAX];

	/* No component but the last may be a whiteout: `.wh.x/y` is nonsense. */
	for (const char *p = path; *p; p++) {
		if (p != path && p[-1] != '/')
			continue;
		base = p;
		if (has_prefix(p, ENG_WHITEOUT_PREFIX) && strchr(p, '/') != NULL)
			return refuse(err, path, plen, "whiteout `%.*s` used as a directory",
				      (int)(strchr(p, '/') - p), p);
	}
	*kind = ENG_TARPATH_PLAIN;
	if (!has_prefix(base, ENG_WHITEOUT_PREFIX))
		return 0;
	eng_tarpath_split(path, dir, sizeof(dir));
	if (has_prefix(base, ENG_WHITEOUT_META_PREFIX)) {
		if (strcmp(base, ENG_WHITEOUT_OPAQUE) != 0)
			return refuse(err, path, plen,
				      "unknown whiteout meta-entry (only `" ENG_WHITEOUT_OPAQUE
				      "` is defined)");
		if (snprintf(target, size, "%s", dir) >= (int)size)
			return refuse(err, path, plen, "no room for the name");
		*kind = ENG_TARPATH_OPAQUE;
		return 0;
	}
	rest = base + strlen(ENG_WHITEOUT_PREFIX);
	if (rest[0] == '\0' || strcmp(rest, ".") == 0 || strcmp(rest, "..") == 0)
		return refuse(err, path, plen, "whiteout of `%s`", rest);
	if (snprintf(target, size, "%s%s%s", strcmp(dir, ".") ? dir : "", strcmp(dir, ".") ? "/" : "",
		     rest) >= (int)size)
		return refuse(err, path, plen, "no room for the name");
	*kind = ENG_TARPATH_WHITEOUT;
	return 0;
}

int eng_tarpath_hardlink(const char *path, const char *target, size_t len, char *out,
			 size_t size, struct isolab_error *err)
{
	char shown[SHOW_BUF];
	const char *why = normalize(target, len, out, size);

	eng_tarpath_show(target, len, shown, sizeof(shown));
	if (why != NULL)
		return refuse(err, path, strlen(path), "hard link to `%s`: %s", shown, why);
	if (strcmp(out, ".") == 0)
		return refuse(err, path, strlen(path), "hard link to the layer root");
	if (strcmp(out, path) == 0)
		return refuse(err, path, strlen(path), "hard link to itself");
	return 0;
}

int eng_tarpath_symlink(const char *path, const char *target, size_t len,
			struct isolab_error *err)
{
	char shown[SHOW_BUF];
	long depth = 0;
	size_t i = 0;

	eng_tarpath_show(target, len, shown, sizeof(shown));
	if (len == 0)
		return refuse(err, path, strlen(path), "empty symlink target");
	if (memchr(target, '\0', len) != NULL)
		return refuse(err, path, strlen(path), "symlink to `%s`: NUL byte in the target", shown);
	if (len >= PATH_MAX)
		return refuse(err, path, strlen(path),
			      "symlink target of " STR(PATH_MAX) " bytes or more");
	if (target[0] == '/')
		return 0;
	/* The link's directory is as deep as the link's name has slashes. */
	if (strcmp(path, ".") != 0)
		for (const char *p = path; *p; p++)
			depth += *p == '/';
	while (i < len) {
		size_t start, clen;

		while (i < len && target[i] == '/')
			i++;
		start = i;
		while (i < len && target[i] != '/')
			i++;
		clen = i - start;
		if (clen == 0 || (clen == 1 && target[start] == '.'))
			continue;
		if (clen == 2 && target[start] == '.' && target[start + 1] == '.') {
			if (--depth < 0)
				return refuse(err, path, strlen(path),
					      "symlink to `%s` points out of the layer", shown);
		} else {
			depth++;
		}
	}
	return 0;
}

enum eng_xattr_class eng_xattr_classify(const char *name)
{
	if (has_prefix(name, "trusted.overlay.") || has_prefix(name, "user.overlay."))
		return ENG_XATTR_OVERLAY;
	if (has_prefix(name, "user.") || has_prefix(name, "trusted.") ||
	    strcmp(name, "security.capability") == 0)
		return ENG_XATTR_KEEP;
	return ENG_XATTR_DROP;
}

int eng_tarpath_xattr(const char *path, const char *name, size_t value_size,
		      struct isolab_error *err)
{
	char shown[SHOW_BUF];
	size_t nlen = strlen(name);

	eng_tarpath_show(name, nlen, shown, sizeof(shown));
	if (nlen == 0 || nlen > ENG_XATTR_NAME_MAX)
		return refuse(err, path, strlen(path), "xattr `%s`: name empty or longer than "
			      STR(ENG_XATTR_NAME_MAX) " bytes", shown);
	if (value_size > ENG_XATTR_VALUE_MAX)
		return refuse(err, path, strlen(path), "xattr `%s`: value larger than "
			      STR(ENG_XATTR_VALUE_MAX) " bytes", shown);
	switch (eng_xattr_classify(name)) {
	case ENG_XATTR_OVERLAY:
		return refuse(err, path, strlen(path),
			      "xattr `%s` is overlayfs metadata, which a layer may not carry", shown);
	case ENG_XATTR_KEEP:
		return 1;
	case ENG_XATTR_DROP:
		break;
	}
	return 0;
}

int eng_tarpath_owner(const char *path, int64_t uid, int64_t gid, struct isolab_error *err)
{
	const int64_t max = (int64_t)UINT32_MAX - 1;

	if (uid < 0 || uid > max || gid < 0 || gid > max)
		return refuse(err, path, strlen(path), "owner %lld:%lld out of range",
			      (long long)uid, (long long)gid);
	return 0;
}
