/* cgroupfs.c: the plan for a container's v1 /sys/fs/cgroup (see cgroupfs.h). */
#include "container/cgroupfs.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* Whether every comma-separated item of want is an item of have. */
static bool items_in(const char *want, const char *have)
{
	const char *w = want;

	while (*w) {
		size_t wl = strcspn(w, ",");
		const char *h = have;
		bool found = false;

		while (*h && !found) {
			size_t hl = strcspn(h, ",");

			found = hl == wl && strncmp(h, w, wl) == 0;
			h += hl + (h[hl] == ',');
		}
		if (!found)
			return false;
		w += wl + (w[wl] == ',');
	}
	return want[0] != '\0';
}

/* "HIER:CONTROLLERS:PATH" lines: the path of the hierarchy whose
 * controllers all are in superopts; NULL if none. */
static const char *self_path(const char *self_cgroup, const char *superopts, char *ctrl,
			     size_t ctrl_len, char *path, size_t path_len)
{
	const char *line = self_cgroup;

	while (line && *line) {
		const char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);
		const char *c1 = memchr(line, ':', len), *c2;

		if (c1 != NULL && (c2 = memchr(c1 + 1, ':', len - (size_t)(c1 + 1 - line))) != NULL &&
		    c2 > c1 + 1 && (size_t)(c2 - c1 - 1) < ctrl_len) {
			snprintf(ctrl, ctrl_len, "%.*s", (int)(c2 - c1 - 1), c1 + 1);
			if (items_in(ctrl, superopts)) {
				snprintf(path, path_len, "%.*s", (int)(line + len - c2 - 1), c2 + 1);
				return path;
			}
		}
		line = nl ? nl + 1 : NULL;
	}
	return NULL;
}

int ctr_cgroupfs_plan(const char *mountinfo, const char *self_cgroup,
		      struct ctr_cgroupfs_entry *out, size_t max, struct isolab_error *err)
{
	const char *line = mountinfo;
	size_t n = 0;
	int lineno = 0;

	while (line && *line) {
		const char *nl = strchr(line, '\n');
		char buf[1024], root[PATH_MAX], point[PATH_MAX], type[32], superopts[256];
		char ctrl[64], path[PATH_MAX];
		const char *sep, *base;
		size_t len = nl ? (size_t)(nl - line) : strlen(line);

		const char *start = line;

		lineno++;
		line = nl ? nl + 1 : NULL;
		if (len >= sizeof(buf))
			continue; /* no cgroup mount line is that long */
		memcpy(buf, start, len);
		buf[len] = '\0';
		/* ID PARENT MAJ:MIN ROOT POINT OPTS [OPTIONAL...] - TYPE SOURCE SUPEROPTS */
		sep = strstr(buf, " - ");
		if (sep == NULL || sscanf(buf, "%*s %*s %*s %4095s %4095s", root, point) != 2 ||
		    sscanf(sep + 3, "%31s %*s %255s", type, superopts) != 2)
			return isolab_error_set(err, -EINVAL, "mountinfo line %d: not `... - TYPE SOURCE OPTIONS`",
						lineno);
		if (strcmp(type, "cgroup") != 0 ||
		    self_path(self_cgroup, superopts, ctrl, sizeof(ctrl), path, sizeof(path)) == NULL)
			continue;
		if (n == max)
			return isolab_error_set(err, -E2BIG, "more than %zu cgroup v1 hierarchies", max);
		base = strrchr(point, '/');
		base = base ? base + 1 : point;
		/* The process's path is relative to the namespace root; the
		 * mount's root (not "/" in a nested container) is a prefix of it. */
		if (strcmp(root, "/") != 0 && strncmp(path, root, strlen(root)) == 0 &&
		    (path[strlen(root)] == '/' || path[strlen(root)] == '\0'))
			memmove(path, path + strlen(root), strlen(path + strlen(root)) + 1);
		if (strcmp(path, "/") == 0)
			path[0] = '\0';
		if (strlen(base) >= sizeof(out[n].name) ||
		    strlen(point) + strlen(path) >= sizeof(out[n].source))
			return isolab_error_set(err, -ENAMETOOLONG, "mountinfo line %d: path too long",
						lineno);
		memcpy(out[n].name, base, strlen(base) + 1);
		memcpy(out[n].controllers, ctrl, sizeof(ctrl));
		memcpy(out[n].source, point, strlen(point));
		memcpy(out[n].source + strlen(point), path, strlen(path) + 1);
		n++;
	}
	return (int)n;
}
