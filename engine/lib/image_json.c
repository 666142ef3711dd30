/*
 * image_json.c: manifests, indexes and image configs, parsed as hostile
 * input and built deterministically (see image_json.h). Pure code: cJSON
 * over a buffer, no I/O.
 *
 * The first half is a small checked reader over cJSON: each accessor
 * takes the member's path ("config.Env[3]") so that every refusal names
 * what it refuses; the second half maps the three documents onto it.
 */
#include "engine/lib/image_json.h"
#include "common/utf8.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the checked reader ---- */

/* What a path buffer holds; a longer path (a hostile map key) is cut. */
#define PATH_MAX_LEN 160

struct jctx {
	const char *doc; /* "manifest", "index", "config": the message's first word */
	struct isolab_error *err;
};

static __attribute__((format(printf, 4, 5))) int jfail(const struct jctx *j, int code,
						       const char *path, const char *fmt, ...)
{
	char why[ISOLAB_ERROR_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap); // NOLINT(clang-analyzer-valist.Uninitialized)
	va_end(ap);
	if (path == NULL || path[0] == '\0')
		return isolab_error_set(j->err, code, "%s: %s", j->doc, why);
	return isolab_error_set(j->err, code, "%s: %s: %s", j->doc, path, why);
}

static int jnomem(const struct jctx *j)
{
	return isolab_error_set(j->err, -ENOMEM, "%s: out of memory", j->doc);
}

/* Paths are for messages: a long one (a hostile map key) is cut. */
static __attribute__((format(printf, 2, 3))) void path_fmt(char *buf, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, PATH_MAX_LEN, fmt, ap); // NOLINT(clang-analyzer-valist.Uninitialized)
	va_end(ap);
}

static void path_member(char *buf, const char *parent, const char *name)
{
	path_fmt(buf, "%s%s%s", parent, parent[0] ? "." : "", name);
}

static void path_index(char *buf, const char *parent, size_t i)
{
	path_fmt(buf, "%s[%zu]", parent, i);
}

static void path_key(char *buf, const char *parent, const char *key)
{
	path_fmt(buf, "%s[\"%.48s\"]", parent, key);
}


/* True if the text has "\u0000" inside a string: cJSON would end the C
 * string there and silently drop the rest. */
static bool has_escaped_nul(const char *s, size_t len)
{
	bool in_string = false;

	for (size_t i = 0; i < len; i++) {
		if (!in_string) {
			in_string = s[i] == '"';
		} else if (s[i] == '\\') {
			if (len - i > 5 && s[i + 1] == 'u' && memcmp(s + i + 2, "0000", 4) == 0)
				return true;
			i++; /* the escaped character */
		} else if (s[i] == '"') {
			in_string = false;
		}
	}
	return false;
}

/* Parses a whole document into *root, which must be an object. */
static int jparse(const struct jctx *j, const char *json, size_t len, size_t max, cJSON **root)
{
	const char *end = NULL;

	*root = NULL;
	if (json == NULL)
		len = 0, json = "";
	if (len > max)
		return jfail(j, -EFBIG, NULL, "%zu bytes, more than the %zu accepted", len, max);
	if (memchr(json, '\0', len) != NULL)
		return jfail(j, -EINVAL, NULL, "not JSON text (a NUL byte)");
	if (has_escaped_nul(json, len))
		return jfail(j, -EINVAL, NULL, "a string holds an escaped NUL (\\u0000)");
	*root = cJSON_ParseWithLengthOpts(json, len, &end, false);
	if (*root == NULL) {
		size_t at = end && end >= json && end <= json + len ? (size_t)(end - json) : 0;

		return jfail(j, -EINVAL, NULL, "not valid JSON (at byte %zu)", at);
	}
	for (size_t at = (size_t)(end - json); at < len; at++) {
		if (json[at] != ' ' && json[at] != '\t' && json[at] != '\n' && json[at] != '\r') {
			cJSON_Delete(*root);
			*root = NULL;
			return jfail(j, -EINVAL, NULL, "data after the JSON value (at byte %zu)", at);
		}
	}
	if (!cJSON_IsObject(*root)) {
		cJSON_Delete(*root);
		*root = NULL;
		return jfail(j, -EINVAL, NULL, "not a JSON object");
	}
	return 0;
}

/* The member `name` of obj: *out NULL when absent or null. A member given
 * twice is refused (readers would disagree on which one counts). */
static int jmember(const struct jctx *j, const cJSON *obj, const char *path,
		   const char *name, const cJSON **out)
{
	const cJSON *it, *found = NULL;

	*out = NULL;
	cJSON_ArrayForEach(it, obj) {
		if (it->string == NULL || strcmp(it->string, name) != 0)
			continue;
		if (found != NULL)
			return jfail(j, -EINVAL, path, "member given twice");
		found = it;
	}
	if (found != NULL && !cJSON_IsNull(found))
		*out = found;
	return 0;
}

/* A string item: type, length bound, UTF-8. */
static int jstring_check(const struct jctx *j, const cJSON *item, const char *path, size_t max)
{
	size_t len;

	if (!cJSON_IsString(item) || item->valuestring == NULL)
		return jfail(j, -EINVAL, path, "not a string");
	len = strnlen(item->valuestring, max + 1);
	if (len > max)
		return jfail(j, -EINVAL, path, "longer than %zu bytes", max);
	if (!isolab_utf8_valid((const unsigned char *)item->valuestring, len))
		return jfail(j, -EINVAL, path, "not valid UTF-8");
	return 0;
}

/* The same, copied into *out. */
static int jstring_item(const struct jctx *j, const cJSON *item, const char *path, size_t max,
			char **out)
{
	int rc = jstring_check(j, item, path, max);

	*out = NULL;
	if (rc < 0)
		return rc;
	*out = strdup(item->valuestring);
	return *out == NULL ? jnomem(j) : 0;
}

/* Member `name` as a string: *out NULL when absent (refused if required). */
static int jstring(const struct jctx *j, const cJSON *obj, const char *parent, const char *name,
		   bool required, size_t max, char **out)
{
	char path[PATH_MAX_LEN];
	const cJSON *item;
	int rc;

	path_member(path, parent, name);
	*out = NULL;
	rc = jmember(j, obj, path, name, &item);
	if (rc < 0)
		return rc;
	if (item == NULL)
		return required ? jfail(j, -EINVAL, path, "missing") : 0;
	return jstring_item(j, item, path, max, out);
}

/* Member `name` as an object: *out NULL when absent (refused if required). */
static int jobject(const struct jctx *j, const cJSON *obj, const char *parent, const char *name,
		   bool required, const cJSON **out, char *path)
{
	int rc;

	path_member(path, parent, name);
	rc = jmember(j, obj, path, name, out);
	if (rc < 0)
		return rc;
	if (*out == NULL)
		return required ? jfail(j, -EINVAL, path, "missing") : 0;
	if (!cJSON_IsObject(*out))
		return jfail(j, -EINVAL, path, "not an object");
	return 0;
}

/* Member `name` as an array of at most max entries (what the message calls
 * them: unit): *out NULL when absent. */
static int jarray(const struct jctx *j, const cJSON *obj, const char *parent, const char *name,
		  bool required, size_t max, const char *unit, const cJSON **out, size_t *n,
		  char *path)
{
	int rc, count;

	path_member(path, parent, name);
	*n = 0;
	rc = jmember(j, obj, path, name, out);
	if (rc < 0)
		return rc;
	if (*out == NULL)
		return required ? jfail(j, -EINVAL, path, "missing") : 0;
	if (!cJSON_IsArray(*out))
		return jfail(j, -EINVAL, path, "not an array");
	count = cJSON_GetArraySize(*out);
	if (count < 0 || (size_t)count > max)
		return jfail(j, -EINVAL, path, "more than %zu %s", max, unit);
	*n = (size_t)count;
	return 0;
}

/* Member `name` as a size: an integer in 0..2^53-1 (descriptor.md). */
static int jsize(const struct jctx *j, const cJSON *obj, const char *parent, const char *name,
		 uint64_t *out)
{
	char path[PATH_MAX_LEN];
	const cJSON *item;
	double d;
	int rc;

	path_member(path, parent, name);
	rc = jmember(j, obj, path, name, &item);
	if (rc < 0)
		return rc;
	if (item == NULL)
		return jfail(j, -EINVAL, path, "missing");
	if (!cJSON_IsNumber(item))
		return jfail(j, -EINVAL, path, "not a number");
	d = item->valuedouble;
	/* (in range first: converting a larger double to uint64_t is undefined) */
	if (!isfinite(d) || d < 0 || d > (double)ENG_JSON_SIZE_MAX || (double)(uint64_t)d != d)
		return jfail(j, -EINVAL, path, "not an integer in 0..2^53-1");
	*out = (uint64_t)d;
	return 0;
}

/* A digest string at path (item may be NULL: missing). */
static int jdigest_item(const struct jctx *j, const cJSON *item, const char *path,
			struct eng_digest *out)
{
	char what[PATH_MAX_LEN];
	int rc;

	if (item == NULL)
		return jfail(j, -EINVAL, path, "missing");
	rc = jstring_check(j, item, path, ENG_JSON_MEDIA_TYPE_MAX);
	if (rc < 0)
		return rc;
	path_fmt(what, "%s: %s", j->doc, path);
	return eng_digest_parse(item->valuestring, what, out, j->err);
}

/* Member `name` as a list of strings, NULL-terminated; *present tells an
 * absent or null member from []. Entries bounded in count and total bytes;
 * with env, each must be NAME=value (config.md: "VARNAME=VARVALUE"). */
static int jstrv(const struct jctx *j, const cJSON *obj, const char *parent, const char *name,
		 bool env, char ***out, size_t *n_out, bool *present)
{
	char path[PATH_MAX_LEN], item_path[PATH_MAX_LEN];
	const cJSON *arr, *it;
	size_t n, i = 0, total = 0;
	int rc;

	*out = NULL;
	*n_out = 0;
	if (present != NULL)
		*present = false;
	rc = jarray(j, obj, parent, name, false, ENG_JSON_LIST_MAX, "entries", &arr, &n, path);
	if (rc < 0 || arr == NULL)
		return rc;
	if (present != NULL)
		*present = true;
	*out = calloc(n + 1, sizeof(char *));
	if (*out == NULL)
		return jnomem(j);
	*n_out = n;
	cJSON_ArrayForEach(it, arr) {
		path_index(item_path, path, i);
		rc = jstring_item(j, it, item_path, ENG_JSON_STRING_MAX, &(*out)[i]);
		if (rc < 0)
			return rc;
		if (env && ((*out)[i][0] == '=' || strchr((*out)[i], '=') == NULL))
			return jfail(j, -EINVAL, item_path, "not NAME=value");
		total += strlen((*out)[i]) + 1;
		if (total > ENG_JSON_LIST_BYTES_MAX)
			return jfail(j, -EINVAL, path, "more than %u bytes in all",
				     ENG_JSON_LIST_BYTES_MAX);
		i++;
	}
	return 0;
}

static void strv_free(char **v, size_t n)
{
	if (v == NULL)
		return;
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* ExposedPorts key: "N" or "N/tcp|udp|sctp", N in 1..65535; written
 * normalised ("80" is "80/tcp", as Docker reads it). NULL when invalid. */
static char *port_normalise(const char *key)
{
	const char *slash = strchr(key, '/');
	size_t digits = slash ? (size_t)(slash - key) : strlen(key);
	unsigned long port = 0;
	char buf[32];

	if (digits == 0 || digits > 5)
		return NULL;
	for (size_t i = 0; i < digits; i++) {
		if (key[i] < '0' || key[i] > '9')
			return NULL;
		port = port * 10 + (unsigned long)(key[i] - '0');
	}
	if (port < 1 || port > 65535)
		return NULL;
	if (slash != NULL && strcmp(slash, "/tcp") != 0 && strcmp(slash, "/udp") != 0 &&
	    strcmp(slash, "/sctp") != 0)
		return NULL;
	snprintf(buf, sizeof(buf), "%lu%s", port, slash ? slash : "/tcp");
	return strdup(buf);
}

/* Member `name` as a set (an object whose values are {} -- Go's
 * map[string]struct{}): the keys, sorted, unique, NULL-terminated. */
static int jkeyset(const struct jctx *j, const cJSON *obj, const char *parent, const char *name,
		   bool ports, char ***out, size_t *n_out)
{
	char path[PATH_MAX_LEN], item_path[PATH_MAX_LEN];
	const cJSON *set, *it;
	size_t n, i = 0;
	int rc;

	*out = NULL;
	*n_out = 0;
	rc = jobject(j, obj, parent, name, false, &set, path);
	if (rc < 0 || set == NULL)
		return rc;
	n = (size_t)cJSON_GetArraySize(set);
	if (n > ENG_JSON_LIST_MAX)
		return jfail(j, -EINVAL, path, "more than %d entries", ENG_JSON_LIST_MAX);
	*out = calloc(n + 1, sizeof(char *));
	if (*out == NULL)
		return jnomem(j);
	*n_out = n;
	cJSON_ArrayForEach(it, set) {
		const char *key = it->string ? it->string : "";
		size_t len = strnlen(key, ENG_JSON_STRING_MAX + 1);

		path_key(item_path, path, key);
		if (len == 0 || len > ENG_JSON_STRING_MAX ||
		    !isolab_utf8_valid((const unsigned char *)key, len))
			return jfail(j, -EINVAL, item_path, "not a valid key");
		if (!cJSON_IsObject(it) && !cJSON_IsNull(it))
			return jfail(j, -EINVAL, item_path, "not an object");
		if (ports) {
			(*out)[i] = port_normalise(key);
			if ((*out)[i] == NULL)
				return jfail(j, -EINVAL, item_path, "not a port "
					     "(1..65535, optionally /tcp, /udp or /sctp)");
		} else if (((*out)[i] = strdup(key)) == NULL) {
			return jnomem(j);
		}
		i++;
	}
	qsort(*out, n, sizeof(char *), cmp_str);
	for (i = 1; i < n; i++)
		if (strcmp((*out)[i - 1], (*out)[i]) == 0) {
			path_key(item_path, path, (*out)[i]);
			return jfail(j, -EINVAL, item_path, "given twice");
		}
	return 0;
}

static int cmp_label(const void *a, const void *b)
{
	return strcmp(((const struct eng_label *)a)->key, ((const struct eng_label *)b)->key);
}

/* config.Labels: an object of strings, kept as sorted key/value pairs. */
static int jlabels(const struct jctx *j, const cJSON *obj, const char *parent,
		   struct eng_label **out, size_t *n_out)
{
	char path[PATH_MAX_LEN], item_path[PATH_MAX_LEN];
	const cJSON *set, *it;
	size_t n, i = 0, total = 0;
	int rc;

	*out = NULL;
	*n_out = 0;
	rc = jobject(j, obj, parent, "Labels", false, &set, path);
	if (rc < 0 || set == NULL)
		return rc;
	n = (size_t)cJSON_GetArraySize(set);
	if (n > ENG_JSON_LIST_MAX)
		return jfail(j, -EINVAL, path, "more than %d entries", ENG_JSON_LIST_MAX);
	if (n == 0)
		return 0;
	*out = calloc(n, sizeof(**out));
	if (*out == NULL)
		return jnomem(j);
	*n_out = n;
	cJSON_ArrayForEach(it, set) {
		const char *key = it->string ? it->string : "";
		size_t len = strnlen(key, ENG_JSON_STRING_MAX + 1);

		path_key(item_path, path, key);
		if (len == 0 || len > ENG_JSON_STRING_MAX ||
		    !isolab_utf8_valid((const unsigned char *)key, len))
			return jfail(j, -EINVAL, item_path, "not a valid key");
		rc = jstring_item(j, it, item_path, ENG_JSON_STRING_MAX, &(*out)[i].value);
		if (rc < 0)
			return rc;
		if (((*out)[i].key = strdup(key)) == NULL)
			return jnomem(j);
		total += len + strlen((*out)[i].value) + 2;
		if (total > ENG_JSON_LIST_BYTES_MAX)
			return jfail(j, -EINVAL, path, "more than %u bytes in all",
				     ENG_JSON_LIST_BYTES_MAX);
		i++;
	}
	qsort(*out, n, sizeof(**out), cmp_label);
	for (i = 1; i < n; i++)
		if (strcmp((*out)[i - 1].key, (*out)[i].key) == 0) {
			path_key(item_path, path, (*out)[i].key);
			return jfail(j, -EINVAL, item_path, "given twice");
		}
	return 0;
}

/* ---- descriptors ---- */

static bool starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

int eng_layer_media_type(const char *media_type, const char *what,
			 enum eng_layer_compression *out, struct isolab_error *err)
{
	if (strcmp(media_type, ENG_MT_OCI_LAYER_TAR) == 0) {
		*out = ENG_LAYER_TAR;
		return 0;
	}
	if (strcmp(media_type, ENG_MT_OCI_LAYER_GZIP) == 0 ||
	    strcmp(media_type, ENG_MT_DOCKER_LAYER) == 0) {
		*out = ENG_LAYER_GZIP;
		return 0;
	}
	if (strcmp(media_type, ENG_MT_OCI_LAYER_ZSTD) == 0)
		return isolab_error_set(err, -ENOTSUP, "%s: zstd layers are not supported", what);
	if (starts_with(media_type, ENG_MT_OCI_LAYER_NONDIST_PREFIX) ||
	    strcmp(media_type, ENG_MT_DOCKER_FOREIGN) == 0)
		return isolab_error_set(err, -ENOTSUP, "%s: non-distributable (foreign) layers "
					"are not supported", what);
	return isolab_error_set(err, -EINVAL, "%s: `%.100s` is not a layer media type", what,
				media_type);
}

void eng_descriptor_free(struct eng_descriptor *d)
{
	free(d->media_type);
	free(d->ref_name);
	free(d->platform_os);
	free(d->platform_arch);
	free(d->platform_variant);
	memset(d, 0, sizeof(*d));
}

/* An index entry's annotations (only the ref name is kept) and platform. */
static int jdescriptor_index_extras(const struct jctx *j, const cJSON *obj, const char *path,
				    struct eng_descriptor *d)
{
	char sub[PATH_MAX_LEN];
	const cJSON *annotations, *platform;
	int rc;

	rc = jobject(j, obj, path, "annotations", false, &annotations, sub);
	if (rc < 0)
		return rc;
	if (annotations != NULL) {
		rc = jstring(j, annotations, sub, ENG_ANNOTATION_REF_NAME, false,
			     ENG_JSON_STRING_MAX, &d->ref_name);
		if (rc < 0)
			return rc;
	}
	rc = jobject(j, obj, path, "platform", false, &platform, sub);
	if (rc < 0 || platform == NULL)
		return rc;
	/* image-index.md: architecture and os are REQUIRED in a platform. */
	rc = jstring(j, platform, sub, "architecture", true, ENG_JSON_MEDIA_TYPE_MAX,
		     &d->platform_arch);
	if (rc == 0)
		rc = jstring(j, platform, sub, "os", true, ENG_JSON_MEDIA_TYPE_MAX, &d->platform_os);
	if (rc == 0)
		rc = jstring(j, platform, sub, "variant", false, ENG_JSON_MEDIA_TYPE_MAX,
			     &d->platform_variant);
	return rc;
}

/* A descriptor object at path: mediaType, digest and size are required. */
static int jdescriptor(const struct jctx *j, const cJSON *obj, const char *path,
		       bool index_entry, struct eng_descriptor *d)
{
	char sub[PATH_MAX_LEN];
	const cJSON *item;
	int rc;

	if (!cJSON_IsObject(obj))
		return jfail(j, -EINVAL, path, "not an object");
	rc = jstring(j, obj, path, "mediaType", true, ENG_JSON_MEDIA_TYPE_MAX, &d->media_type);
	if (rc < 0)
		return rc;
	path_member(sub, path, "digest");
	rc = jmember(j, obj, sub, "digest", &item);
	if (rc == 0)
		rc = jdigest_item(j, item, sub, &d->digest);
	if (rc == 0)
		rc = jsize(j, obj, path, "size", &d->size);
	if (rc == 0 && index_entry)
		rc = jdescriptor_index_extras(j, obj, path, d);
	return rc;
}

/* schemaVersion must be 2 (manifest.md, image-index.md). */
static int jschema_version(const struct jctx *j, const cJSON *root)
{
	const cJSON *item;
	int rc = jmember(j, root, "schemaVersion", "schemaVersion", &item);

	if (rc < 0)
		return rc;
	if (item == NULL)
		return jfail(j, -EINVAL, "schemaVersion", "missing");
	if (!cJSON_IsNumber(item) || item->valuedouble != 2)
		return jfail(j, -EINVAL, "schemaVersion", "must be 2");
	return 0;
}

static bool is_index_type(const char *mt)
{
	return strcmp(mt, ENG_MT_OCI_INDEX) == 0 || strcmp(mt, ENG_MT_DOCKER_LIST) == 0;
}

static bool is_manifest_type(const char *mt)
{
	return strcmp(mt, ENG_MT_OCI_MANIFEST) == 0 || strcmp(mt, ENG_MT_DOCKER_MANIFEST) == 0;
}

static bool is_config_type(const char *mt)
{
	return strcmp(mt, ENG_MT_OCI_CONFIG) == 0 || strcmp(mt, ENG_MT_DOCKER_CONFIG) == 0;
}

/* ---- manifest ---- */

void eng_manifest_free(struct eng_manifest *m)
{
	if (m == NULL)
		return;
	free(m->media_type);
	eng_descriptor_free(&m->config);
	for (size_t i = 0; i < m->n_layers; i++)
		eng_descriptor_free(&m->layers[i]);
	free(m->layers);
	memset(m, 0, sizeof(*m));
}

static int manifest_from_json(const struct jctx *j, const cJSON *root, struct eng_manifest *m)
{
	char path[PATH_MAX_LEN], item_path[PATH_MAX_LEN];
	const cJSON *config, *layers, *manifests, *it;
	size_t n, i = 0;
	int rc;

	rc = jstring(j, root, "", "mediaType", false, ENG_JSON_MEDIA_TYPE_MAX, &m->media_type);
	if (rc < 0)
		return rc;
	if (m->media_type == NULL) {
		/* manifest.md: mediaType SHOULD be set; without it, an index is
		 * told by its "manifests" member (image-index.md). */
		rc = jmember(j, root, "manifests", "manifests", &manifests);
		if (rc < 0)
			return rc;
		if (manifests != NULL)
			return jfail(j, ENG_E_IS_INDEX, NULL, "an image index, not a manifest");
		if ((m->media_type = strdup(ENG_MT_OCI_MANIFEST)) == NULL)
			return jnomem(j);
	} else if (is_index_type(m->media_type)) {
		return jfail(j, ENG_E_IS_INDEX, NULL, "an image index (%s), not a manifest",
			     m->media_type);
	} else if (starts_with(m->media_type, ENG_MT_DOCKER_SCHEMA1_PREFIX)) {
		return jfail(j, -ENOTSUP, "mediaType", "Docker schema 1 manifests are not supported");
	} else if (!is_manifest_type(m->media_type)) {
		return jfail(j, -EINVAL, "mediaType", "`%.100s` is not an image manifest",
			     m->media_type);
	}
	rc = jschema_version(j, root);
	if (rc < 0)
		return rc;

	rc = jobject(j, root, "", "config", true, &config, path);
	if (rc == 0)
		rc = jdescriptor(j, config, path, false, &m->config);
	if (rc < 0)
		return rc;
	if (!is_config_type(m->config.media_type))
		return jfail(j, -ENOTSUP, "config.mediaType", "`%.100s` is not an image config "
			     "(an artifact, not a container image)", m->config.media_type);

	rc = jarray(j, root, "", "layers", true, ENG_LAYERS_MAX, "layers (Docker's limit)",
		    &layers, &n, path);
	if (rc < 0)
		return rc;
	if (n == 0)
		return 0;
	m->layers = calloc(n, sizeof(*m->layers));
	if (m->layers == NULL)
		return jnomem(j);
	m->n_layers = n;
	cJSON_ArrayForEach(it, layers) {
		enum eng_layer_compression compression;
		char what[PATH_MAX_LEN];

		path_index(item_path, path, i);
		rc = jdescriptor(j, it, item_path, false, &m->layers[i]);
		if (rc < 0)
			return rc;
		path_fmt(what, "%s: %s.mediaType", j->doc, item_path);
		rc = eng_layer_media_type(m->layers[i].media_type, what, &compression, j->err);
		if (rc < 0)
			return rc;
		i++;
	}
	return 0;
}

int eng_manifest_parse(const char *json, size_t len, struct eng_manifest *out,
		       struct isolab_error *err)
{
	const struct jctx j = { "manifest", err };
	cJSON *root;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = jparse(&j, json, len, ENG_JSON_MANIFEST_MAX, &root);
	if (rc < 0)
		return rc;
	rc = manifest_from_json(&j, root, out);
	cJSON_Delete(root);
	if (rc < 0)
		eng_manifest_free(out);
	return rc;
}

/* ---- index ---- */

void eng_index_free(struct eng_index *ix)
{
	if (ix == NULL)
		return;
	for (size_t i = 0; i < ix->n; i++)
		eng_descriptor_free(&ix->manifests[i]);
	free(ix->manifests);
	memset(ix, 0, sizeof(*ix));
}

static int index_from_json(const struct jctx *j, const cJSON *root, struct eng_index *ix)
{
	char path[PATH_MAX_LEN], item_path[PATH_MAX_LEN];
	const cJSON *manifests, *it;
	char *media_type = NULL;
	size_t n, i = 0;
	int rc;

	rc = jstring(j, root, "", "mediaType", false, ENG_JSON_MEDIA_TYPE_MAX, &media_type);
	if (rc < 0)
		return rc;
	if (media_type != NULL && !is_index_type(media_type)) {
		rc = jfail(j, -EINVAL, "mediaType", "`%.100s` is not an image index%s", media_type,
			   is_manifest_type(media_type) ? " (a manifest)" : "");
		free(media_type);
		return rc;
	}
	free(media_type);
	rc = jschema_version(j, root);
	if (rc < 0)
		return rc;
	rc = jarray(j, root, "", "manifests", true, ENG_JSON_INDEX_ENTRIES_MAX, "entries",
		    &manifests, &n, path);
	if (rc < 0 || n == 0)
		return rc;
	ix->manifests = calloc(n, sizeof(*ix->manifests));
	if (ix->manifests == NULL)
		return jnomem(j);
	ix->n = n;
	cJSON_ArrayForEach(it, manifests) {
		path_index(item_path, path, i);
		rc = jdescriptor(j, it, item_path, true, &ix->manifests[i]);
		if (rc < 0)
			return rc;
		i++;
	}
	return 0;
}

int eng_index_parse(const char *json, size_t len, struct eng_index *out,
		    struct isolab_error *err)
{
	const struct jctx j = { "index", err };
	cJSON *root;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = jparse(&j, json, len, ENG_JSON_INDEX_MAX, &root);
	if (rc < 0)
		return rc;
	rc = index_from_json(&j, root, out);
	cJSON_Delete(root);
	if (rc < 0)
		eng_index_free(out);
	return rc;
}

const struct eng_descriptor *eng_index_pick_platform(const struct eng_index *ix,
						     const char *os, const char *arch)
{
	for (size_t i = 0; i < ix->n; i++) {
		const struct eng_descriptor *d = &ix->manifests[i];

		if (is_manifest_type(d->media_type) && d->platform_os != NULL &&
		    d->platform_arch != NULL && strcmp(d->platform_os, os) == 0 &&
		    strcmp(d->platform_arch, arch) == 0)
			return d;
	}
	return NULL;
}

const struct eng_descriptor *eng_index_find_ref(const struct eng_index *ix, const char *ref_name)
{
	for (size_t i = 0; i < ix->n; i++)
		if (ix->manifests[i].ref_name != NULL &&
		    strcmp(ix->manifests[i].ref_name, ref_name) == 0)
			return &ix->manifests[i];
	return NULL;
}

/* ---- config ---- */

void eng_config_free(struct eng_image_config *c)
{
	if (c == NULL)
		return;
	free(c->architecture);
	free(c->os);
	free(c->variant);
	free(c->created);
	free(c->author);
	strv_free(c->entrypoint, c->n_entrypoint);
	strv_free(c->cmd, c->n_cmd);
	strv_free(c->env, c->n_env);
	free(c->working_dir);
	free(c->user);
	free(c->stop_signal);
	for (size_t i = 0; i < c->n_labels; i++) {
		free(c->labels[i].key);
		free(c->labels[i].value);
	}
	free(c->labels);
	strv_free(c->exposed_ports, c->n_exposed);
	strv_free(c->volumes, c->n_volumes);
	free(c->diff_ids);
	for (size_t i = 0; i < c->n_history; i++) {
		free(c->history[i].created);
		free(c->history[i].author);
		free(c->history[i].created_by);
		free(c->history[i].comment);
	}
	free(c->history);
	memset(c, 0, sizeof(*c));
}

/* The "config" member: what a container of the image runs with. */
static int config_exec_from_json(const struct jctx *j, const cJSON *root,
				 struct eng_image_config *c)
{
	char path[PATH_MAX_LEN];
	const cJSON *cfg;
	int rc;

	rc = jobject(j, root, "", "config", false, &cfg, path);
	if (rc < 0 || cfg == NULL)
		return rc;
	if ((rc = jstring(j, cfg, path, "User", false, ENG_JSON_STRING_MAX, &c->user)) < 0 ||
	    (rc = jkeyset(j, cfg, path, "ExposedPorts", true, &c->exposed_ports,
			  &c->n_exposed)) < 0 ||
	    (rc = jstrv(j, cfg, path, "Env", true, &c->env, &c->n_env, NULL)) < 0 ||
	    (rc = jstrv(j, cfg, path, "Entrypoint", false, &c->entrypoint, &c->n_entrypoint,
			&c->has_entrypoint)) < 0 ||
	    (rc = jstrv(j, cfg, path, "Cmd", false, &c->cmd, &c->n_cmd, &c->has_cmd)) < 0 ||
	    (rc = jkeyset(j, cfg, path, "Volumes", false, &c->volumes, &c->n_volumes)) < 0 ||
	    (rc = jstring(j, cfg, path, "WorkingDir", false, ENG_JSON_STRING_MAX,
			  &c->working_dir)) < 0 ||
	    (rc = jlabels(j, cfg, path, &c->labels, &c->n_labels)) < 0 ||
	    (rc = jstring(j, cfg, path, "StopSignal", false, ENG_JSON_MEDIA_TYPE_MAX,
			  &c->stop_signal)) < 0)
		return rc;
	return 0;
}

static int config_rootfs_from_json(const struct jctx *j, const cJSON *root,
				   struct eng_image_config *c)
{
	char path[PATH_MAX_LEN], ids_path[PATH_MAX_LEN], item_path[PATH_MAX_LEN];
	const cJSON *rootfs, *ids, *it;
	char *type = NULL;
	size_t n, i = 0;
	int rc;

	rc = jobject(j, root, "", "rootfs", true, &rootfs, path);
	if (rc < 0)
		return rc;
	rc = jstring(j, rootfs, path, "type", true, ENG_JSON_MEDIA_TYPE_MAX, &type);
	if (rc < 0)
		return rc;
	rc = type != NULL && strcmp(type, "layers") == 0;
	free(type);
	if (!rc)
		return jfail(j, -EINVAL, "rootfs.type", "must be \"layers\"");
	rc = jarray(j, rootfs, path, "diff_ids", true, ENG_LAYERS_MAX, "layers (Docker's limit)",
		    &ids, &n, ids_path);
	if (rc < 0 || n == 0)
		return rc;
	c->diff_ids = calloc(n, sizeof(*c->diff_ids));
	if (c->diff_ids == NULL)
		return jnomem(j);
	c->n_diff_ids = n;
	cJSON_ArrayForEach(it, ids) {
		path_index(item_path, ids_path, i);
		rc = jdigest_item(j, it, item_path, &c->diff_ids[i]);
		if (rc < 0)
			return rc;
		i++;
	}
	return 0;
}

static int config_history_from_json(const struct jctx *j, const cJSON *root,
				    struct eng_image_config *c)
{
	char path[PATH_MAX_LEN], item_path[PATH_MAX_LEN], sub[PATH_MAX_LEN];
	const cJSON *history, *it, *empty;
	size_t n, i = 0;
	int rc;

	rc = jarray(j, root, "", "history", false, ENG_JSON_LIST_MAX, "entries", &history, &n,
		    path);
	if (rc < 0 || n == 0)
		return rc;
	c->history = calloc(n, sizeof(*c->history));
	if (c->history == NULL)
		return jnomem(j);
	c->n_history = n;
	cJSON_ArrayForEach(it, history) {
		struct eng_history *h = &c->history[i];

		path_index(item_path, path, i);
		if (!cJSON_IsObject(it))
			return jfail(j, -EINVAL, item_path, "not an object");
		if ((rc = jstring(j, it, item_path, "created", false, ENG_JSON_MEDIA_TYPE_MAX,
				  &h->created)) < 0 ||
		    (rc = jstring(j, it, item_path, "author", false, ENG_JSON_STRING_MAX,
				  &h->author)) < 0 ||
		    (rc = jstring(j, it, item_path, "created_by", false, ENG_JSON_STRING_MAX,
				  &h->created_by)) < 0 ||
		    (rc = jstring(j, it, item_path, "comment", false, ENG_JSON_STRING_MAX,
				  &h->comment)) < 0)
			return rc;
		path_member(sub, item_path, "empty_layer");
		rc = jmember(j, it, sub, "empty_layer", &empty);
		if (rc < 0)
			return rc;
		if (empty != NULL && !cJSON_IsBool(empty))
			return jfail(j, -EINVAL, sub, "not a boolean");
		h->empty_layer = cJSON_IsTrue(empty);
		i++;
	}
	return 0;
}

static int config_from_json(const struct jctx *j, const cJSON *root, struct eng_image_config *c)
{
	int rc;

	/* config.md: architecture and os are REQUIRED. */
	if ((rc = jstring(j, root, "", "architecture", true, ENG_JSON_MEDIA_TYPE_MAX,
			  &c->architecture)) < 0 ||
	    (rc = jstring(j, root, "", "os", true, ENG_JSON_MEDIA_TYPE_MAX, &c->os)) < 0 ||
	    (rc = jstring(j, root, "", "variant", false, ENG_JSON_MEDIA_TYPE_MAX,
			  &c->variant)) < 0 ||
	    (rc = jstring(j, root, "", "created", false, ENG_JSON_MEDIA_TYPE_MAX,
			  &c->created)) < 0 ||
	    (rc = jstring(j, root, "", "author", false, ENG_JSON_STRING_MAX, &c->author)) < 0)
		return rc;
	if ((rc = config_exec_from_json(j, root, c)) < 0 ||
	    (rc = config_rootfs_from_json(j, root, c)) < 0)
		return rc;
	return config_history_from_json(j, root, c);
}

int eng_config_parse(const char *json, size_t len, struct eng_image_config *out,
		     struct isolab_error *err)
{
	const struct jctx j = { "config", err };
	cJSON *root;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = jparse(&j, json, len, ENG_JSON_CONFIG_MAX, &root);
	if (rc < 0)
		return rc;
	rc = config_from_json(&j, root, out);
	cJSON_Delete(root);
	if (rc < 0)
		eng_config_free(out);
	return rc;
}

int eng_image_check(const struct eng_manifest *m, const struct eng_image_config *c,
		    struct isolab_error *err)
{
	if (m->n_layers != c->n_diff_ids)
		return isolab_error_set(err, -EINVAL, "image: manifest has %zu layers, "
					"config has %zu diff_ids", m->n_layers, c->n_diff_ids);
	return 0;
}

/* ---- building ---- */

/* The builders add members one by one and fail as a whole: each helper
 * returns false when out of memory (cJSON frees what it could not add). */

static bool add_string(cJSON *obj, const char *name, const char *value)
{
	return value == NULL || cJSON_AddStringToObject(obj, name, value) != NULL;
}

/* A size as an exact integer: cJSON prints doubles with "%1.15g", which
 * writes 10^15 as "1e+15" (a Go int64 refuses it). */
static bool add_u64(cJSON *obj, const char *name, uint64_t value)
{
	char text[24];

	snprintf(text, sizeof(text), "%" PRIu64, value);
	return cJSON_AddRawToObject(obj, name, text) != NULL;
}

static bool add_strv(cJSON *obj, const char *name, char *const *v, size_t n)
{
	cJSON *arr = cJSON_AddArrayToObject(obj, name);

	if (arr == NULL)
		return false;
	for (size_t i = 0; i < n; i++) {
		cJSON *s = cJSON_CreateString(v[i]);

		if (s == NULL || !cJSON_AddItemToArray(arr, s)) {
			cJSON_Delete(s);
			return false;
		}
	}
	return true;
}

/* A set as Go writes map[string]struct{}: {"key": {}, ...} in v's order. */
static bool add_keyset(cJSON *obj, const char *name, char *const *v, size_t n)
{
	cJSON *set;

	if (n == 0)
		return true;
	set = cJSON_AddObjectToObject(obj, name);
	if (set == NULL)
		return false;
	for (size_t i = 0; i < n; i++)
		if (cJSON_AddObjectToObject(set, v[i]) == NULL)
			return false;
	return true;
}

static bool add_descriptor(cJSON *obj, const char *name, const struct eng_descriptor *d,
			   bool index_entry)
{
	cJSON *o = name ? cJSON_AddObjectToObject(obj, name) : cJSON_CreateObject();

	if (o == NULL)
		return false;
	if (name == NULL && !cJSON_AddItemToArray(obj, o)) {
		cJSON_Delete(o);
		return false;
	}
	if (!add_string(o, "mediaType", d->media_type ? d->media_type : "") ||
	    !add_string(o, "digest", d->digest.str) || !add_u64(o, "size", d->size))
		return false;
	if (index_entry && d->ref_name != NULL) {
		cJSON *a = cJSON_AddObjectToObject(o, "annotations");

		if (a == NULL || !add_string(a, ENG_ANNOTATION_REF_NAME, d->ref_name))
			return false;
	}
	if (index_entry && d->platform_os != NULL && d->platform_arch != NULL) {
		cJSON *p = cJSON_AddObjectToObject(o, "platform");

		if (p == NULL || !add_string(p, "architecture", d->platform_arch) ||
		    !add_string(p, "os", d->platform_os) ||
		    !add_string(p, "variant", d->platform_variant))
			return false;
	}
	return true;
}

/* Prints and frees doc (NULL stays NULL). */
static char *print_and_free(cJSON *doc, bool ok)
{
	char *text = ok ? cJSON_PrintUnformatted(doc) : NULL;

	cJSON_Delete(doc);
	return text;
}

char *eng_manifest_build(const struct eng_manifest *m)
{
	cJSON *doc = cJSON_CreateObject();
	cJSON *layers = NULL;
	bool ok;

	if (doc == NULL)
		return NULL;
	ok = add_u64(doc, "schemaVersion", 2) && add_string(doc, "mediaType", ENG_MT_OCI_MANIFEST) &&
	     add_descriptor(doc, "config", &m->config, false) &&
	     (layers = cJSON_AddArrayToObject(doc, "layers")) != NULL;
	for (size_t i = 0; ok && i < m->n_layers; i++)
		ok = add_descriptor(layers, NULL, &m->layers[i], false);
	return print_and_free(doc, ok);
}

char *eng_index_build(const struct eng_index *ix)
{
	cJSON *doc = cJSON_CreateObject();
	cJSON *manifests = NULL;
	bool ok;

	if (doc == NULL)
		return NULL;
	ok = add_u64(doc, "schemaVersion", 2) && add_string(doc, "mediaType", ENG_MT_OCI_INDEX) &&
	     (manifests = cJSON_AddArrayToObject(doc, "manifests")) != NULL;
	for (size_t i = 0; ok && i < ix->n; i++)
		ok = add_descriptor(manifests, NULL, &ix->manifests[i], true);
	return print_and_free(doc, ok);
}

static bool add_config_exec(cJSON *doc, const struct eng_image_config *c)
{
	cJSON *cfg;

	if (c->user == NULL && c->n_exposed == 0 && c->n_env == 0 && !c->has_entrypoint &&
	    !c->has_cmd && c->n_volumes == 0 && c->working_dir == NULL && c->n_labels == 0 &&
	    c->stop_signal == NULL)
		return true;
	cfg = cJSON_AddObjectToObject(doc, "config");
	if (cfg == NULL || !add_string(cfg, "User", c->user) ||
	    !add_keyset(cfg, "ExposedPorts", c->exposed_ports, c->n_exposed) ||
	    (c->n_env > 0 && !add_strv(cfg, "Env", c->env, c->n_env)) ||
	    (c->has_entrypoint && !add_strv(cfg, "Entrypoint", c->entrypoint, c->n_entrypoint)) ||
	    (c->has_cmd && !add_strv(cfg, "Cmd", c->cmd, c->n_cmd)) ||
	    !add_keyset(cfg, "Volumes", c->volumes, c->n_volumes) ||
	    !add_string(cfg, "WorkingDir", c->working_dir))
		return false;
	if (c->n_labels > 0) {
		cJSON *labels = cJSON_AddObjectToObject(cfg, "Labels");

		if (labels == NULL)
			return false;
		for (size_t i = 0; i < c->n_labels; i++)
			if (!add_string(labels, c->labels[i].key, c->labels[i].value))
				return false;
	}
	return add_string(cfg, "StopSignal", c->stop_signal);
}

char *eng_config_build(const struct eng_image_config *c)
{
	cJSON *doc = cJSON_CreateObject();
	cJSON *rootfs, *ids = NULL, *history = NULL;
	bool ok;

	if (doc == NULL)
		return NULL;
	/* config.md's order: created, author, architecture, os, variant, config,
	 * rootfs, history. */
	ok = add_string(doc, "created", c->created) && add_string(doc, "author", c->author) &&
	     add_string(doc, "architecture", c->architecture) && add_string(doc, "os", c->os) &&
	     add_string(doc, "variant", c->variant) && add_config_exec(doc, c) &&
	     (rootfs = cJSON_AddObjectToObject(doc, "rootfs")) != NULL &&
	     add_string(rootfs, "type", "layers") &&
	     (ids = cJSON_AddArrayToObject(rootfs, "diff_ids")) != NULL;
	for (size_t i = 0; ok && i < c->n_diff_ids; i++) {
		cJSON *s = cJSON_CreateString(c->diff_ids[i].str);

		ok = s != NULL && cJSON_AddItemToArray(ids, s);
		if (!ok)
			cJSON_Delete(s);
	}
	if (ok && c->n_history > 0)
		ok = (history = cJSON_AddArrayToObject(doc, "history")) != NULL;
	for (size_t i = 0; ok && i < c->n_history; i++) {
		const struct eng_history *h = &c->history[i];
		cJSON *o = cJSON_CreateObject();

		ok = o != NULL && cJSON_AddItemToArray(history, o);
		if (!ok) {
			cJSON_Delete(o);
			break;
		}
		ok = add_string(o, "created", h->created) && add_string(o, "author", h->author) &&
		     add_string(o, "created_by", h->created_by) &&
		     add_string(o, "comment", h->comment) &&
		     (!h->empty_layer || cJSON_AddTrueToObject(o, "empty_layer") != NULL);
	}
	return print_and_free(doc, ok);
}
