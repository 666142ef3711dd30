/* image.c: images in the store: find, load, add, tag, unpack, collect garbage (see image.h). */
#include "engine/lib/image.h"
#include "common/cleanup.h"
#include "common/jsonfile.h"
#include "common/rmtree.h"
#include "common/safe_open.h"
#include "engine/lib/container.h"
#include "engine/lib/ref.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

int eng_image_name(const char *text, char *buf, size_t size, struct isolab_error *err)
{
	struct eng_ref ref = { 0 };
	int rc = eng_ref_parse(text, &ref, err);

	if (rc < 0)
		return rc;
	if (ref.has_digest && ref.tag == NULL) {
		eng_ref_free(&ref);
		return isolab_error_set(err, -EINVAL, "name `%s`: a digest cannot be a name "
					"(give REPOSITORY[:TAG])", text);
	}
	ref.has_digest = false;
	rc = eng_ref_format(&ref, buf, size);
	eng_ref_free(&ref);
	if (rc < 0)
		return isolab_error_set(err, -ENAMETOOLONG, "name `%s`: too long", text);
	return 0;
}

void eng_image_free(struct eng_image *img)
{
	eng_manifest_free(&img->manifest);
	eng_config_free(&img->config);
	free(img->config_json);
	memset(img, 0, sizeof(*img));
}

int eng_image_load(const struct eng_store *s, const struct eng_digest *d, struct eng_image *out,
		   struct isolab_error *err)
{
	_cleanup_free_ char *mtext = NULL;
	size_t mlen = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	out->manifest_digest = *d;
	rc = eng_store_blob_read(s, d, ENG_MANIFEST_MAX, &mtext, &mlen, err);
	out->manifest_size = mlen;
	if (rc == 0)
		rc = eng_manifest_parse(mtext, mlen, &out->manifest, err);
	if (rc == 0) {
		out->id = out->manifest.config.digest;
		rc = eng_store_blob_read(s, &out->id, ENG_CONFIG_MAX, &out->config_json,
					 &out->config_len, err);
	}
	if (rc == 0)
		rc = eng_config_parse(out->config_json, out->config_len, &out->config, err);
	if (rc == 0)
		rc = eng_image_check(&out->manifest, &out->config, err);
	if (rc < 0) {
		eng_image_free(out);
		return isolab_error_wrap(err, "image %.19s", d->str);
	}
	return 0;
}

/* The index entry named name, or -1. */
static ssize_t find_name(const struct eng_index *ix, const char *name)
{
	for (size_t i = 0; i < ix->n; i++)
		if (ix->manifests[i].ref_name != NULL && strcmp(ix->manifests[i].ref_name, name) == 0)
			return (ssize_t)i;
	return -1;
}

/* By image ID or a unique prefix of at least 4 hex digits. */
static int find_by_id(const struct eng_store *s, const struct eng_index *ix, const char *text,
		      struct eng_image *out, struct isolab_error *err)
{
	const char *hex = strncmp(text, "sha256:", 7) == 0 ? text + 7 : text;
	size_t len = strlen(hex);
	struct eng_digest found = { { 0 } }, found_id = { { 0 } };
	int matches = 0; /* distinct image IDs with the prefix */

	for (size_t i = 0; i < ix->n; i++) {
		struct eng_image img;
		struct isolab_error e = { 0 };

		if (eng_image_load(s, &ix->manifests[i].digest, &img, &e) < 0)
			continue; /* a broken entry is not this one */
		if (strncmp(eng_digest_hex(&img.id), hex, len) == 0 &&
		    (matches == 0 || strcmp(found_id.str, img.id.str) != 0)) {
			matches++;
			found_id = img.id;
			found = ix->manifests[i].digest;
		}
		eng_image_free(&img);
	}
	if (matches == 0)
		return isolab_error_set(err, -ENOENT, "image `%s`: not in the store", text);
	if (matches > 1)
		return isolab_error_set(err, -EINVAL, "image `%s`: ambiguous, more than one image ID "
					"starts with it", text);
	return eng_image_load(s, &found, out, err);
}

int eng_image_find(const struct eng_store *s, const char *text, struct eng_image *out,
		   struct isolab_error *err)
{
	struct eng_index ix = { 0 };
	char name[512];
	struct isolab_error name_err = { 0 };
	ssize_t k = -1;
	int rc;

	rc = eng_store_index_load(s, &ix, err);
	if (rc < 0)
		return rc;
	if (eng_image_name(text, name, sizeof(name), &name_err) == 0)
		k = find_name(&ix, name);
	if (k >= 0)
		rc = eng_image_load(s, &ix.manifests[k].digest, out, err);
	else if (eng_ref_is_id_prefix(text))
		rc = find_by_id(s, &ix, text, out, err);
	else if (name_err.code < 0)
		rc = isolab_error_set(err, name_err.code, "%s", name_err.msg);
	else
		rc = isolab_error_set(err, -ENOENT, "image `%s`: not in the store", text);
	eng_index_free(&ix);
	return rc;
}

/* Removes entry k from the index (its strings freed). */
static void index_remove(struct eng_index *ix, size_t k)
{
	struct eng_descriptor *d = &ix->manifests[k];

	eng_descriptor_free(d);
	memmove(d, d + 1, (ix->n - k - 1) * sizeof(*d));
	ix->n--;
}

static bool index_has_digest(const struct eng_index *ix, const struct eng_digest *d)
{
	for (size_t i = 0; i < ix->n; i++)
		if (strcmp(ix->manifests[i].digest.str, d->str) == 0)
			return true;
	return false;
}

int eng_image_tag(const struct eng_store *s, const struct eng_descriptor *manifest,
		  const char *name, struct isolab_error *err)
{
	struct eng_index ix = { 0 };
	struct eng_descriptor *grown, *e;
	ssize_t k;
	int rc;

	rc = eng_store_index_load(s, &ix, err);
	if (rc < 0)
		return rc;
	if (name != NULL && (k = find_name(&ix, name)) >= 0)
		index_remove(&ix, (size_t)k);
	/* An untagged entry of the same image is replaced by the named one. */
	for (size_t i = ix.n; i-- > 0;)
		if (ix.manifests[i].ref_name == NULL &&
		    strcmp(ix.manifests[i].digest.str, manifest->digest.str) == 0)
			index_remove(&ix, i);
	if (name == NULL && index_has_digest(&ix, &manifest->digest))
		goto save; /* already named: nothing to add */
	grown = realloc(ix.manifests, (ix.n + 1) * sizeof(*grown));
	if (grown == NULL) {
		eng_index_free(&ix);
		return isolab_error_set(err, -ENOMEM, "index: out of memory");
	}
	ix.manifests = grown;
	e = &ix.manifests[ix.n];
	memset(e, 0, sizeof(*e));
	e->digest = manifest->digest;
	e->size = manifest->size;
	e->media_type = strdup(manifest->media_type ? manifest->media_type : ENG_MT_OCI_MANIFEST);
	e->ref_name = name ? strdup(name) : NULL;
	ix.n++;
	if (e->media_type == NULL || (name != NULL && e->ref_name == NULL)) {
		eng_index_free(&ix);
		return isolab_error_set(err, -ENOMEM, "index: out of memory");
	}
save:
	rc = eng_store_index_save(s, &ix, err);
	eng_index_free(&ix);
	return rc;
}

int eng_image_untag(const struct eng_store *s, const char *name, bool *untagged_last,
		    struct isolab_error *err)
{
	struct eng_index ix = { 0 };
	struct eng_digest d;
	ssize_t k;
	int rc;

	rc = eng_store_index_load(s, &ix, err);
	if (rc < 0)
		return rc;
	k = find_name(&ix, name);
	if (k < 0) {
		eng_index_free(&ix);
		return isolab_error_set(err, -ENOENT, "image `%s`: not in the store", name);
	}
	d = ix.manifests[k].digest;
	index_remove(&ix, (size_t)k);
	*untagged_last = !index_has_digest(&ix, &d);
	rc = eng_store_index_save(s, &ix, err);
	eng_index_free(&ix);
	return rc;
}

int eng_image_remove(const struct eng_store *s, const struct eng_digest *d,
		     struct isolab_error *err)
{
	struct eng_index ix = { 0 };
	int rc = eng_store_index_load(s, &ix, err);

	if (rc < 0)
		return rc;
	for (size_t i = ix.n; i-- > 0;)
		if (strcmp(ix.manifests[i].digest.str, d->str) == 0)
			index_remove(&ix, i);
	rc = eng_store_index_save(s, &ix, err);
	eng_index_free(&ix);
	return rc;
}

uint64_t eng_store_layer_size(const struct eng_store *s, const struct eng_digest *diff_id)
{
	char path[PATH_MAX];
	cJSON *doc = NULL;
	struct isolab_error e = { 0 };
	uint64_t size = 0;

	snprintf(path, sizeof(path), "%s/layers/%s.json", s->root, eng_digest_hex(diff_id));
	if (isolab_json_read(path, &doc, &e) < 0)
		return 0;
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(doc, "size");

	if (cJSON_IsNumber(v) && v->valuedouble >= 0)
		size = (uint64_t)v->valuedouble;
	cJSON_Delete(doc);
	return size;
}

void eng_image_layer_dirs_free(char **dirs, size_t n)
{
	for (size_t i = 0; dirs != NULL && i < n; i++)
		free(dirs[i]);
	free(dirs);
}

int eng_image_layer_dirs(const struct eng_store *s, const struct eng_image *img, char ***dirs,
			 size_t *n, struct isolab_error *err)
{
	size_t count = img->manifest.n_layers;
	char **out = calloc(count + 1, sizeof(*out));
	char path[PATH_MAX];

	if (out == NULL)
		return isolab_error_set(err, -ENOMEM, "out of memory");
	for (size_t i = 0; i < count; i++) {
		struct stat st;

		eng_store_layer_path(s, &img->config.diff_ids[i], path);
		if (lstat(path, &st) < 0 || !S_ISDIR(st.st_mode)) {
			eng_image_layer_dirs_free(out, i);
			return isolab_error_set(err, -ENOENT, "layer %.19s... is not unpacked in the "
						"store (pull or load the image again)",
						img->config.diff_ids[i].str);
		}
		out[i] = strdup(path);
		if (out[i] == NULL) {
			eng_image_layer_dirs_free(out, i);
			return isolab_error_set(err, -ENOMEM, "out of memory");
		}
	}
	*dirs = out;
	*n = count;
	return 0;
}

/* ---- garbage collection ---- */

struct keep {
	char (*hex)[ENG_DIGEST_HEX_LEN + 1];
	size_t n, cap;
};

static int keep_add(struct keep *k, const struct eng_digest *d)
{
	if (k->n == k->cap) {
		size_t cap = k->cap ? k->cap * 2 : 64;
		void *grown = realloc(k->hex, cap * sizeof(*k->hex));

		if (grown == NULL)
			return -ENOMEM;
		k->hex = grown;
		k->cap = cap;
	}
	snprintf(k->hex[k->n++], sizeof(k->hex[0]), "%s", eng_digest_hex(d));
	return 0;
}

static bool keep_has(const struct keep *k, const char *hex)
{
	for (size_t i = 0; i < k->n; i++)
		if (strcmp(k->hex[i], hex) == 0)
			return true;
	return false;
}

/* Everything image d uses: blobs into blobs, diff IDs into layers. */
static int keep_image(const struct eng_store *s, const struct eng_digest *d, struct keep *blobs,
		      struct keep *layers)
{
	struct eng_image img;
	struct isolab_error e = { 0 };
	int rc = keep_add(blobs, d);

	if (rc < 0 || eng_image_load(s, d, &img, &e) < 0)
		return rc; /* a manifest that does not load keeps only itself */
	rc = keep_add(blobs, &img.id);
	for (size_t i = 0; rc == 0 && i < img.manifest.n_layers; i++)
		rc = keep_add(blobs, &img.manifest.layers[i].digest);
	for (size_t i = 0; rc == 0 && i < img.config.n_diff_ids; i++)
		rc = keep_add(layers, &img.config.diff_ids[i]);
	eng_image_free(&img);
	return rc;
}

/* The images containers were made from (their records' Manifest). */
static int keep_containers(const struct eng_store *s, struct keep *blobs, struct keep *layers)
{
	struct eng_container *list = NULL;
	struct isolab_error e = { 0 };
	size_t n = 0;
	int rc = 0;

	if (eng_container_list(s, &list, &n, &e) < 0)
		return 0;
	for (size_t i = 0; rc == 0 && i < n; i++)
		rc = keep_image(s, &list[i].manifest, blobs, layers);
	eng_container_list_free(list, n);
	return rc;
}

/* Removes the entries of ROOT/rel not kept; a name is kept when its first
 * 64 characters are (layers/HEX and layers/HEX.json). */
static void sweep(const struct eng_store *s, const char *rel, const struct keep *k,
		  uint64_t *freed)
{
	char path[PATH_MAX];
	DIR *dir;
	struct dirent *de;

	eng_store_path(s, rel, path);
	dir = opendir(path);
	if (dir == NULL)
		return;
	while ((de = readdir(dir)) != NULL) {
		char hex[ENG_DIGEST_HEX_LEN + 1], victim[PATH_MAX + 300];
		struct stat st;

		if (de->d_name[0] == '.')
			continue;
		snprintf(hex, sizeof(hex), "%.64s", de->d_name);
		if (k != NULL && keep_has(k, hex))
			continue;
		snprintf(victim, sizeof(victim), "%s/%s", path, de->d_name);
		if (freed != NULL && lstat(victim, &st) == 0 && S_ISREG(st.st_mode))
			*freed += (uint64_t)st.st_size;
		isolab_rm_rf(victim);
	}
	closedir(dir);
}

int eng_store_gc(const struct eng_store *s, uint64_t *freed, struct isolab_error *err)
{
	struct eng_index ix = { 0 };
	struct keep blobs = { 0 }, layers = { 0 };
	int rc;

	if (freed != NULL)
		*freed = 0;
	eng_container_prune_rm(s); /* a gone --rm container keeps nothing */
	rc = eng_store_index_load(s, &ix, err);
	if (rc < 0)
		return rc;
	for (size_t i = 0; rc == 0 && i < ix.n; i++)
		rc = keep_image(s, &ix.manifests[i].digest, &blobs, &layers);
	if (rc == 0)
		rc = keep_containers(s, &blobs, &layers);
	eng_index_free(&ix);
	if (rc < 0) {
		free(blobs.hex);
		free(layers.hex);
		return isolab_error_set(err, rc, "store: garbage collection: out of memory");
	}
	sweep(s, "blobs/sha256", &blobs, freed);
	sweep(s, "layers", &layers, NULL);
	/* `run --vm`'s disks, named by image ID (a config blob): an image's
	 * disk goes with it */
	sweep(s, "vmdisks", &blobs, freed);
	sweep(s, "tmp", NULL, NULL); /* under the exclusive lock: all stale */
	free(blobs.hex);
	free(layers.hex);
	return 0;
}

char *eng_layers_read_file(char *const *dirs, size_t n, const char *rel, size_t max)
{
	for (size_t i = n; i-- > 0;) {
		struct open_how how = { .flags = O_RDONLY | O_CLOEXEC | O_NONBLOCK,
					.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS };
		_cleanup_close_ int root = open(dirs[i], O_PATH | O_DIRECTORY | O_CLOEXEC);
		_cleanup_close_ int fd = -1;
		char proc[64], *buf = NULL;
		size_t len = 0;
		struct isolab_error e = { 0 };

		if (root < 0)
			continue;
		fd = (int)syscall(SYS_openat2, root, rel, &how, sizeof(how));
		if (fd < 0)
			continue;
		snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
		if (isolab_read_regular(proc, max, &buf, &len, &e) == 0)
			return buf;
		return NULL;
	}
	return NULL;
}
