/* image_write.c: what adds to the store: a new image from its config and
 * layer blobs, and a layer blob unpacked once into layers/HEX (see
 * image.h). It hashes and unpacks (libcrypto, libarchive), so only
 * build/isolab-full links it; `isolab run` finds layers unpacked already. */
#include "engine/lib/image.h"
#include "common/cleanup.h"
#include "common/jsonfile.h"
#include "common/rmtree.h"
#include "common/safe_open.h"
#include "engine/lib/layer_unpack.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int eng_image_add(const struct eng_store *s, const char *config_json, size_t config_len,
		  const struct eng_descriptor *layers, size_t n_layers, const char *name,
		  struct eng_digest *manifest_digest, struct isolab_error *err)
{
	struct eng_manifest m = { 0 };
	struct eng_descriptor md = { 0 };
	_cleanup_free_ char *text = NULL;
	int rc;

	for (size_t i = 0; i < n_layers; i++)
		if (!eng_store_blob_has(s, &layers[i].digest))
			return isolab_error_set(err, -ENOENT, "layer %.19s...: not in the store",
						layers[i].digest.str);
	rc = eng_store_blob_put(s, config_json, config_len, &m.config.digest, err);
	if (rc < 0)
		return rc;
	m.media_type = ENG_MT_OCI_MANIFEST;
	m.config.media_type = ENG_MT_OCI_CONFIG;
	m.config.size = config_len;
	m.layers = (struct eng_descriptor *)layers;
	m.n_layers = n_layers;
	text = eng_manifest_build(&m);
	if (text == NULL)
		return isolab_error_set(err, -ENOMEM, "manifest: out of memory");
	rc = eng_store_blob_put(s, text, strlen(text), &md.digest, err);
	if (rc < 0)
		return rc;
	md.media_type = ENG_MT_OCI_MANIFEST;
	md.size = strlen(text);
	if (manifest_digest != NULL)
		*manifest_digest = md.digest;
	return eng_image_tag(s, &md, name, err);
}

static int write_layer_meta(const struct eng_store *s, const struct eng_digest *diff_id,
			    const struct eng_layer_digests *dg, struct isolab_error *err)
{
	char path[PATH_MAX], text[256];

	snprintf(path, sizeof(path), "%s/layers/%s.json", s->root, eng_digest_hex(diff_id));
	snprintf(text, sizeof(text), "{\"blob\":\"%s\",\"size\":%llu}\n", dg->blob.str,
		 (unsigned long long)dg->tar_size);
	return isolab_text_write_atomic(path, text, err);
}

int eng_store_layer_ensure(const struct eng_store *s, const struct eng_digest *blob,
			   const struct eng_digest *diff_id, struct isolab_error *err)
{
	const struct eng_unpack_limits lim = { ENG_LAYER_MAX_BYTES, ENG_LAYER_MAX_ENTRIES };
	char final[PATH_MAX], tmp[PATH_MAX], dest[PATH_MAX + 8], path[PATH_MAX];
	struct eng_layer_digests dg;
	_cleanup_close_ int fd = -1;
	struct stat st;
	int rc;

	eng_store_layer_path(s, diff_id, final);
	if (lstat(final, &st) == 0 && S_ISDIR(st.st_mode))
		return 0;
	eng_store_blob_path(s, blob, path);
	fd = isolab_open_regular(path, NULL, err);
	if (fd < 0)
		return isolab_error_wrap(err, "layer %.19s...: blob %.19s...", diff_id->str, blob->str);
	snprintf(tmp, sizeof(tmp), "%s/tmp/unpack-XXXXXX", s->root);
	if (mkdtemp(tmp) == NULL)
		return isolab_error_errno(err, -errno, "store: temp dir in `%s/tmp`", s->root);
	snprintf(dest, sizeof(dest), "%s/layer", tmp);
	rc = eng_layer_unpack(fd, dest, &lim, &dg, err);
	if (rc == 0 && strcmp(dg.diff_id.str, diff_id->str) != 0)
		rc = isolab_error_set(err, -EBADMSG, "layer %.19s...: its tar has diff ID %.19s..., "
				      "not the one the image config names", blob->str, dg.diff_id.str);
	if (rc == 0 && strcmp(dg.blob.str, blob->str) != 0)
		rc = isolab_error_set(err, -EBADMSG, "blob %.19s...: digest mismatch (got %.19s...)",
				      blob->str, dg.blob.str);
	if (rc == 0 && rename(dest, final) < 0)
		rc = isolab_error_errno(err, -errno, "store: rename into `%s`", final);
	if (rc == 0)
		rc = write_layer_meta(s, diff_id, &dg, err);
	isolab_rm_rf(tmp);
	return rc;
}


int eng_store_layer_adopt(const struct eng_store *s, const char *dir,
			  const struct eng_layer_digests *dg, struct isolab_error *err)
{
	char final[PATH_MAX];
	struct stat st;

	eng_store_layer_path(s, &dg->diff_id, final);
	if (lstat(final, &st) == 0 && S_ISDIR(st.st_mode))
		return isolab_rm_rf(dir) < 0 ? isolab_error_errno(err, -EIO, "remove `%s`", dir) : 0;
	if (rename(dir, final) < 0)
		return isolab_error_errno(err, -errno, "store: rename into `%s`", final);
	return write_layer_meta(s, &dg->diff_id, dg, err);
}
