/* state.c: a created container's saved record and its status (see state.h). */
#include "container/state.h"
#include "common/cleanup.h"
#include "common/jsonfile.h"
#include "common/procfs.h"
#include "common/safe_open.h"
#include "container/owner.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "container/version.h"

/* ---- pure part ---- */

const char *ctr_status_name(enum ctr_status status)
{
	switch (status) {
	case CTR_STATUS_CREATED:
		return "created";
	case CTR_STATUS_RUNNING:
		return "running";
	case CTR_STATUS_PAUSED:
		return "paused";
	case CTR_STATUS_STOPPED:
		return "stopped";
	}
	return "unknown";
}

enum ctr_status ctr_status_decide(bool alive, bool frozen, bool fifo_exists)
{
	if (!alive)
		return CTR_STATUS_STOPPED;
	if (frozen)
		return CTR_STATUS_PAUSED;
	return fifo_exists ? CTR_STATUS_CREATED : CTR_STATUS_RUNNING;
}

char *ctr_saved_to_json(const struct ctr_saved *s)
{
	cJSON *doc = cJSON_CreateObject();
	char *text = NULL;

	if (doc == NULL)
		return NULL;
	if (cJSON_AddStringToObject(doc, "id", s->id) && cJSON_AddNumberToObject(doc, "pid", s->pid) &&
	    cJSON_AddNumberToObject(doc, "start", (double)s->start) &&
	    cJSON_AddNumberToObject(doc, "pidns", (double)s->pidns) &&
	    cJSON_AddStringToObject(doc, "bundle", s->bundle) &&
	    cJSON_AddStringToObject(doc, "rootfs", s->rootfs) &&
	    cJSON_AddStringToObject(doc, "created", s->created) &&
	    cJSON_AddStringToObject(doc, "cgroupPath", s->cgroup_path) &&
	    cJSON_AddStringToObject(doc, "cgroupMode", ctr_cgroup_mode_name(s->cgmode)) &&
	    (s->annotations == NULL ||
	     cJSON_AddItemToObject(doc, "annotations", cJSON_Duplicate(s->annotations, true))))
		text = cJSON_PrintUnformatted(doc);
	cJSON_Delete(doc);
	return text;
}

static int get_string(const cJSON *doc, const char *name, char *out, size_t len,
		      struct isolab_error *err)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(doc, name);

	if (!cJSON_IsString(v) || strlen(v->valuestring) >= len)
		return isolab_error_set(err, -EINVAL, "state.json: `%s`: missing or not a string",
					name);
	strcpy(out, v->valuestring);
	return 0;
}

static int get_number(const cJSON *doc, const char *name, double max, double *out,
		      struct isolab_error *err)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(doc, name);

	if (!cJSON_IsNumber(v) || v->valuedouble < 0 || v->valuedouble > max)
		return isolab_error_set(err, -EINVAL, "state.json: `%s`: missing or not a number",
					name);
	*out = v->valuedouble;
	return 0;
}

/* cgroupPath, or an earlier version's cgroupParent (the parent of a
 * cgroup named after the id; read after the id). */
static int get_cgroup_path(const cJSON *doc, struct ctr_saved *s, struct isolab_error *err)
{
	char parent[PATH_MAX] = "";
	int n;

	if (cJSON_GetObjectItemCaseSensitive(doc, "cgroupPath") != NULL ||
	    cJSON_GetObjectItemCaseSensitive(doc, "cgroupParent") == NULL)
		return get_string(doc, "cgroupPath", s->cgroup_path, sizeof(s->cgroup_path), err);
	if (get_string(doc, "cgroupParent", parent, sizeof(parent), err) < 0)
		return err->code;
	n = snprintf(s->cgroup_path, sizeof(s->cgroup_path), "%s%s/%s", parent[0] ? "/" : "",
		     parent, s->id);
	if (n < 0 || (size_t)n >= sizeof(s->cgroup_path))
		return isolab_error_set(err, -EINVAL, "state.json: `cgroupParent`: too long");
	return 0;
}

int ctr_saved_from_json(const char *text, struct ctr_saved *s, struct isolab_error *err)
{
	cJSON *doc = NULL;
	const cJSON *ann;
	char mode[16];
	double pid = 0, start = 0, pidns = 0;
	int rc;

	memset(s, 0, sizeof(*s));
	rc = isolab_json_parse(text, "state.json", &doc, err);
	if (rc < 0)
		return rc;
	if (get_string(doc, "id", s->id, sizeof(s->id), err) < 0 ||
	    get_number(doc, "pid", 4194304, &pid, err) < 0 ||
	    get_number(doc, "start", 9007199254740992.0, &start, err) < 0 ||
	    get_number(doc, "pidns", 9007199254740992.0, &pidns, err) < 0 ||
	    get_string(doc, "bundle", s->bundle, sizeof(s->bundle), err) < 0 ||
	    get_string(doc, "rootfs", s->rootfs, sizeof(s->rootfs), err) < 0 ||
	    get_string(doc, "created", s->created, sizeof(s->created), err) < 0 ||
	    get_cgroup_path(doc, s, err) < 0 ||
	    get_string(doc, "cgroupMode", mode, sizeof(mode), err) < 0) {
		cJSON_Delete(doc);
		return err->code;
	}
	s->pid = (int)pid;
	s->start = (unsigned long long)start;
	s->pidns = (unsigned long long)pidns;
	if (strcmp(mode, "v2") == 0)
		s->cgmode = CTR_CGROUP_V2;
	else if (strcmp(mode, "hybrid") == 0)
		s->cgmode = CTR_CGROUP_HYBRID;
	else if (strcmp(mode, "v1") == 0)
		s->cgmode = CTR_CGROUP_V1;
	else
		rc = isolab_error_set(err, -EINVAL, "state.json: `cgroupMode`: `%s` is not v1, hybrid or v2",
				      mode);
	ann = cJSON_GetObjectItemCaseSensitive(doc, "annotations");
	if (rc == 0 && cJSON_IsObject(ann))
		s->annotations = cJSON_Duplicate(ann, true);
	if (rc == 0 && !ctr_name_valid(s->id))
		rc = isolab_error_set(err, -EINVAL, "state.json: `id`: invalid");
	cJSON_Delete(doc);
	return rc;
}

void ctr_saved_free(struct ctr_saved *s)
{
	cJSON_Delete(s->annotations);
	s->annotations = NULL;
}

/* A growing text buffer; out of memory leaves ok false. */
struct text {
	char *buf;
	size_t len, cap;
	bool ok;
};

static void put(struct text *t, const char *s)
{
	size_t n = strlen(s);

	if (!t->ok)
		return;
	if (t->len + n + 1 > t->cap) {
		size_t cap = (t->len + n + 1) * 2;
		char *grown = realloc(t->buf, cap);

		if (grown == NULL) {
			t->ok = false;
			return;
		}
		t->buf = grown, t->cap = cap;
	}
	memcpy(t->buf + t->len, s, n + 1);
	t->len += n;
}

/* One member: `"name": value` with value a JSON text, after a comma when
 * not the first; indented as Go's json.MarshalIndent(v, "", "  "). */
static void member(struct text *t, const char *indent, bool *first, const char *name,
		   const char *value)
{
	put(t, *first ? "" : ",");
	put(t, indent ? "\n" : "");
	put(t, indent ? indent : "");
	put(t, "\"");
	put(t, name); /* our own names: nothing to escape */
	put(t, indent ? "\": " : "\":");
	put(t, value);
	*first = false;
}

static void string_member(struct text *t, const char *indent, bool *first, const char *name,
			  const char *value)
{
	cJSON *s = cJSON_CreateString(value);
	char *quoted = s ? cJSON_PrintUnformatted(s) : NULL;

	if (quoted == NULL)
		t->ok = false;
	else
		member(t, indent, first, name, quoted);
	free(quoted);
	cJSON_Delete(s);
}

char *ctr_saved_oci_state(const struct ctr_saved *s, enum ctr_status status, const char *owner,
			  bool indent)
{
	const char *in = indent ? "  " : NULL;
	struct text t = { .ok = true };
	bool first = true;
	char pid[24];

	snprintf(pid, sizeof(pid), "%d", status == CTR_STATUS_STOPPED ? 0 : s->pid);
	put(&t, "{");
	string_member(&t, in, &first, "ociVersion", CTR_OCI_VERSION);
	string_member(&t, in, &first, "id", s->id);
	member(&t, in, &first, "pid", pid);
	string_member(&t, in, &first, "status", ctr_status_name(status));
	string_member(&t, in, &first, "bundle", s->bundle);
	string_member(&t, in, &first, "rootfs", s->rootfs);
	string_member(&t, in, &first, "created", s->created);
	string_member(&t, in, &first, "owner", owner);
	if (s->annotations != NULL && s->annotations->child != NULL) {
		bool afirst = true;

		member(&t, in, &first, "annotations", "{");
		for (const cJSON *a = s->annotations->child; a != NULL; a = a->next) {
			cJSON *k = cJSON_CreateString(a->string);
			char *key = k ? cJSON_PrintUnformatted(k) : NULL;
			char *value = cJSON_PrintUnformatted(a);

			if (key == NULL || value == NULL) {
				t.ok = false;
			} else {
				put(&t, afirst ? "" : ",");
				put(&t, indent ? "\n    " : "");
				put(&t, key);
				put(&t, indent ? ": " : ":");
				put(&t, value);
			}
			afirst = false;
			free(key);
			free(value);
			cJSON_Delete(k);
		}
		put(&t, indent ? "\n  }" : "}");
	}
	put(&t, indent ? "\n}" : "}");
	if (!t.ok) {
		free(t.buf);
		return NULL;
	}
	return t.buf;
}

char *ctr_table_format(const char *const *cells, size_t ncols, size_t nrows)
{
	struct text t = { .ok = true };
	size_t width[16] = { 0 };

	if (ncols == 0 || ncols > 16)
		return NULL;
	for (size_t r = 0; r < nrows; r++)
		for (size_t c = 0; c < ncols; c++) {
			size_t w = strlen(cells[r * ncols + c]) + 3;

			if (w > width[c])
				width[c] = w;
		}
	for (size_t c = 0; c < ncols; c++)
		if (width[c] < 12)
			width[c] = 12;
	put(&t, "");
	for (size_t r = 0; r < nrows; r++) {
		for (size_t c = 0; c < ncols; c++) {
			const char *cell = cells[r * ncols + c];

			put(&t, cell);
			if (c + 1 < ncols)
				for (size_t pad = strlen(cell); pad < width[c]; pad++)
					put(&t, " ");
		}
		put(&t, "\n");
	}
	if (!t.ok) {
		free(t.buf);
		return NULL;
	}
	return t.buf;
}

/* ---- system part ---- */

int ctr_saved_path(char *buf, size_t len, const char *root, const char *id, const char *file)
{
	int n = snprintf(buf, len, "%s/%s/%s", root, id, file);

	return (n < 0 || (size_t)n >= len) ? -ENAMETOOLONG : 0;
}

int ctr_saved_write(const char *root, const struct ctr_saved *s, struct isolab_error *err)
{
	_cleanup_free_ char *text = ctr_saved_to_json(s);
	char path[PATH_MAX];

	if (text == NULL)
		return isolab_error_set(err, -ENOMEM, "state of `%s`: out of memory", s->id);
	if (ctr_saved_path(path, sizeof(path), root, s->id, CTR_STATE_FILE) < 0)
		return isolab_error_set(err, -ENAMETOOLONG, "state of `%s`: path too long", s->id);
	return isolab_text_replace(path, text, false, err);
}

int ctr_saved_read(const char *root, const char *id, struct ctr_saved *s,
		   struct isolab_error *err)
{
	_cleanup_free_ char *text = NULL;
	char path[PATH_MAX];
	size_t len;
	int rc;

	memset(s, 0, sizeof(*s));
	if (!ctr_name_valid(id))
		return isolab_error_set(err, -EINVAL,
					"container name `%s`: invalid (1 to 64 of A-Z a-z 0-9 _ + - ., not starting with a dot)",
					id);
	if (ctr_saved_path(path, sizeof(path), root, id, CTR_STATE_FILE) < 0)
		return isolab_error_set(err, -ENAMETOOLONG, "state of `%s`: path too long", id);
	rc = isolab_read_regular(path, 1 << 20, &text, &len, err);
	if (rc == -ENOENT)
		return isolab_error_set(err, -ENOENT, "container `%s` does not exist", id);
	if (rc < 0)
		return rc;
	rc = ctr_saved_from_json(text, s, err);
	if (rc == 0 && strcmp(s->id, id) != 0)
		rc = isolab_error_set(err, -EINVAL, "`%s`: holds the state of `%s`", path, s->id);
	if (rc < 0)
		ctr_saved_free(s);
	return rc;
}

bool ctr_saved_alive(const struct ctr_saved *s)
{
	struct ctr_owner owner = { .pid = s->pid, .start = s->start, .pidns = s->pidns };
	struct stat st;
	char path[64], stat_text[1024];
	int rc;

	/* owner.h's rule, from the side of the one who asks: another pid
	 * namespace's number says nothing here (treated as alive). */
	if (stat("/proc/self/ns/pid", &st) < 0)
		return true;
	snprintf(path, sizeof(path), "/proc/%d/stat", s->pid);
	rc = isolab_read_text(path, stat_text, sizeof(stat_text));
	if (rc < 0 && rc != -ENOENT && rc != -ESRCH)
		return true;
	return !ctr_owner_is_stale(&owner, (unsigned long long)st.st_ino, rc < 0 ? NULL : stat_text);
}

enum ctr_status ctr_saved_status(const char *root, const struct ctr_saved *s)
{
	struct ctr_cgroup cg;
	char fifo[PATH_MAX];
	bool alive = ctr_saved_alive(s), frozen = false;

	if (alive && ctr_cgroup_reopen(&cg, s->cgmode, s->cgroup_path, s->id, NULL) == 0)
		frozen = ctr_cgroup_frozen(&cg);
	return ctr_status_decide(alive, frozen,
				 ctr_saved_path(fifo, sizeof(fifo), root, s->id, CTR_EXEC_FIFO) == 0 &&
					 access(fifo, F_OK) == 0);
}
