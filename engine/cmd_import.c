/*
 * cmd_import.c: the two ways a layer is made from files (see commands.h):
 *   isolab import TARBALL REF       a root file system tarball (tar, or
 *                                   tar.gz) as a one-layer image
 *   isolab commit CONTAINER REF     what a container wrote (its writable
 *                                   layer, kept by isolab-ctr --keep-layer)
 *                                   as a new layer on top of its image: the
 *                                   notes' "a change is a new layer on top"
 * A tarball is never trusted: it is unpacked with the layer rules
 * (layer_unpack.h: no `..`, no absolute paths, no link out, bounded), and
 * the layer blob is packed again from what was unpacked.
 */
#include "engine/commands.h"
#include "common/size.h"
#include "common/timing.h"
#include "common/cleanup.h"
#include "common/rmtree.h"
#include "common/safe_open.h"
#include "engine/lib/container.h"
#include "engine/lib/image.h"
#include "engine/lib/layer_pack.h"
#include "engine/lib/layer_unpack.h"
#include "engine/lib/ref.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Packs dir into a new layer blob in the store; its digests in dg. */
static int pack_blob(struct eng_cli *cli, const char *dir, enum eng_pack_mode mode,
		     struct eng_layer_digests *dg)
{
	char tmp[PATH_MAX];
	_cleanup_close_ int fd = eng_store_tmpfile(&cli->store, tmp, &cli->err);
	int rc;

	if (fd < 0)
		return fd;
	rc = eng_layer_pack(dir, fd, mode, dg, &cli->err);
	if (rc == 0 && fsync(fd) < 0)
		rc = isolab_error_errno(&cli->err, -errno, "fsync `%s`", tmp);
	if (rc < 0) {
		unlink(tmp);
		return rc;
	}
	return eng_store_blob_commit(&cli->store, tmp, &dg->blob, &cli->err);
}

/* "Created a layer of N (on top of ...)" and the new image's ID. */
static void report(const struct eng_layer_digests *dg, const struct eng_digest *manifest,
		   struct eng_cli *cli)
{
	struct eng_image img;
	char tar[32], gz[32];

	isolab_format_size(dg->tar_size, tar, sizeof(tar));
	isolab_format_size(dg->blob_size, gz, sizeof(gz));
	printf("layer %.19s: %s (%s compressed)\n", dg->diff_id.str, tar, gz);
	if (eng_image_load(&cli->store, manifest, &img, &cli->err) == 0) {
		puts(img.id.str);
		eng_image_free(&img);
	}
}

/* Options shared by import and commit: -m/--message, --help. */
static int parse_message(struct eng_cli *cli, int argc, char **argv, const char *help,
			 const char **message)
{
	static const struct option opts[] = {
		{ "message", required_argument, NULL, 'm' }, { "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	int c;

	while ((c = getopt_long(argc, argv, "m:h", opts, NULL)) != -1) {
		if (c == 'm')
			*message = optarg;
		else if (c == 'h')
			return fputs(help, stdout), ENG_CLI_HELP;
		else
			return eng_cli_bad_option(cli, argv[0], argv, "m:h", opts);
	}
	if (argc - optind != 2)
		return eng_cli_usage(cli, argv[0], "two arguments expected");
	return 0;
}

/* The config of a one-layer image made from a tarball (docker import's:
 * no Cmd, no Env; history says where it came from). */
static char *import_config(const struct eng_digest *diff_id, const char *source,
			   const char *message)
{
	struct eng_history h = { 0 };
	struct eng_image_config c = { 0 };
	struct eng_digest ids[1] = { *diff_id };
	char created[64], by[PATH_MAX + 32];

	isolab_now_rfc3339(created, sizeof(created));
	snprintf(by, sizeof(by), "isolab import %s", source);
	h.created = created;
	h.created_by = by;
	h.comment = (char *)message;
	c.architecture = "amd64";
	c.os = "linux";
	c.created = created;
	c.diff_ids = ids;
	c.n_diff_ids = 1;
	c.history = &h;
	c.n_history = 1;
	return eng_config_build(&c);
}

int cmd_import(struct eng_cli *cli, int argc, char **argv)
{
	const struct eng_unpack_limits lim = { ENG_LAYER_MAX_BYTES, ENG_LAYER_MAX_ENTRIES };
	const char *message = NULL;
	struct eng_layer_digests in = { 0 }, dg = { 0 };
	struct eng_descriptor layer = { 0 };
	struct eng_digest manifest = { { 0 } };
	_cleanup_free_ char *config = NULL;
	_cleanup_close_ int fd = -1;
	char name[ENG_REF_STR_MAX], tmp[PATH_MAX], rootfs[PATH_MAX + 8];
	int rc = parse_message(cli, argc, argv,
			       "usage: isolab import [-m MESSAGE] TARBALL REPOSITORY[:TAG]\n"
			       "a root file system (tar or tar.gz) as a one-layer image\n",
			       &message);

	if (rc != 0)
		return rc == ENG_CLI_HELP ? 0 : rc;
	if (eng_image_name(argv[optind + 1], name, sizeof(name), &cli->err) < 0)
		return ENG_EXIT_ERROR;
	fd = isolab_open_regular(argv[optind], NULL, &cli->err);
	if (fd < 0) {
		isolab_error_wrap(&cli->err, "import `%s`", argv[optind]);
		return ENG_EXIT_ERROR;
	}
	if (eng_cli_store(cli, true) < 0)
		return ENG_EXIT_ERROR;
	snprintf(tmp, sizeof(tmp), "%s/tmp/import-XXXXXX", cli->store.root);
	if (mkdtemp(tmp) == NULL) {
		isolab_error_errno(&cli->err, -errno, "import: temp dir in `%s/tmp`", cli->store.root);
		return ENG_EXIT_ERROR;
	}
	snprintf(rootfs, sizeof(rootfs), "%s/rootfs", tmp);
	rc = eng_layer_unpack(fd, rootfs, &lim, &in, &cli->err);
	if (rc < 0)
		isolab_error_wrap(&cli->err, "import `%s`", argv[optind]);
	if (rc == 0)
		rc = pack_blob(cli, rootfs, ENG_PACK_ROOTFS, &dg);
	if (rc == 0)
		rc = eng_store_layer_adopt(&cli->store, rootfs, &dg, &cli->err);
	if (rc == 0) {
		config = import_config(&dg.diff_id, argv[optind], message);
		layer.media_type = ENG_MT_OCI_LAYER_GZIP;
		layer.digest = dg.blob;
		layer.size = dg.blob_size;
		if (config == NULL)
			rc = isolab_error_set(&cli->err, -ENOMEM, "import: out of memory");
		else
			rc = eng_image_add(&cli->store, config, strlen(config), &layer, 1, name,
					   &manifest, &cli->err);
	}
	isolab_rm_rf(tmp);
	if (rc < 0) {
		eng_store_gc(&cli->store, NULL, NULL); /* the blob, if it got in */
		return ENG_EXIT_ERROR;
	}
	report(&dg, &manifest, cli);
	return 0;
}

/* The parent's config with one more layer and one more step. */
static char *commit_config(const struct eng_image *parent, const struct eng_digest *diff_id,
			   const char *container, const char *message, struct isolab_error *err)
{
	cJSON *doc = cJSON_ParseWithLength(parent->config_json, parent->config_len);
	cJSON *rootfs, *ids, *history, *step;
	char created[64], by[128];
	char *text;

	if (doc == NULL) {
		isolab_error_set(err, -EINVAL, "commit: the image's config does not parse");
		return NULL;
	}
	isolab_now_rfc3339(created, sizeof(created));
	snprintf(by, sizeof(by), "isolab commit %s", container);
	cJSON_DeleteItemFromObjectCaseSensitive(doc, "created");
	cJSON_AddStringToObject(doc, "created", created);
	rootfs = cJSON_GetObjectItemCaseSensitive(doc, "rootfs");
	ids = cJSON_GetObjectItemCaseSensitive(rootfs, "diff_ids");
	if (!cJSON_IsArray(ids)) {
		cJSON_Delete(doc);
		isolab_error_set(err, -EINVAL, "commit: the image's config has no rootfs.diff_ids");
		return NULL;
	}
	cJSON_AddItemToArray(ids, cJSON_CreateString(diff_id->str));
	history = cJSON_GetObjectItemCaseSensitive(doc, "history");
	if (!cJSON_IsArray(history)) {
		cJSON_DeleteItemFromObjectCaseSensitive(doc, "history");
		history = cJSON_AddArrayToObject(doc, "history");
	}
	step = cJSON_CreateObject();
	cJSON_AddStringToObject(step, "created", created);
	cJSON_AddStringToObject(step, "created_by", by);
	if (message != NULL)
		cJSON_AddStringToObject(step, "comment", message);
	cJSON_AddItemToArray(history, step);
	text = cJSON_PrintUnformatted(doc);
	cJSON_Delete(doc);
	if (text == NULL)
		isolab_error_set(err, -ENOMEM, "commit: out of memory");
	return text;
}

int cmd_commit(struct eng_cli *cli, int argc, char **argv)
{
	const char *message = NULL;
	struct eng_container k;
	struct eng_image parent;
	struct eng_layer_digests dg = { 0 };
	struct eng_descriptor *layers = NULL;
	struct eng_digest manifest = { { 0 } };
	_cleanup_free_ char *config = NULL;
	char name[ENG_REF_STR_MAX], upper[PATH_MAX];
	size_t n;
	int rc = parse_message(cli, argc, argv,
			       "usage: isolab commit [-m MESSAGE] CONTAINER REPOSITORY[:TAG]\n"
			       "what CONTAINER wrote, as a new layer on top of its image\n",
			       &message);

	if (rc != 0)
		return rc == ENG_CLI_HELP ? 0 : rc;
	if (eng_image_name(argv[optind + 1], name, sizeof(name), &cli->err) < 0 ||
	    eng_cli_store(cli, true) < 0 ||
	    eng_container_load(&cli->store, argv[optind], &k, &cli->err) < 0)
		return ENG_EXIT_ERROR;
	eng_container_upper_path(&cli->store, k.name, upper);
	if (eng_container_running(&k))
		isolab_error_set(&cli->err, -EBUSY, "commit `%s`: the container is still running",
				 k.name);
	else if (access(upper, F_OK) < 0)
		isolab_error_set(&cli->err, -ENOENT, "commit `%s`: no writable layer kept (it ran "
				 "with --rm, or did not start)", k.name);
	if (cli->err.code < 0 || eng_image_load(&cli->store, &k.manifest, &parent, &cli->err) < 0) {
		eng_container_free(&k);
		return ENG_EXIT_ERROR;
	}
	rc = pack_blob(cli, upper, ENG_PACK_OVERLAY_UPPER, &dg);
	if (rc == 0)
		rc = eng_store_layer_ensure(&cli->store, &dg.blob, &dg.diff_id, &cli->err);
	if (rc == 0)
		config = commit_config(&parent, &dg.diff_id, k.name, message, &cli->err);
	n = parent.manifest.n_layers;
	if (rc == 0 && config != NULL && (layers = calloc(n + 1, sizeof(*layers))) != NULL) {
		memcpy(layers, parent.manifest.layers, n * sizeof(*layers));
		layers[n].media_type = ENG_MT_OCI_LAYER_GZIP;
		layers[n].digest = dg.blob;
		layers[n].size = dg.blob_size;
		rc = eng_image_add(&cli->store, config, strlen(config), layers, n + 1, name,
				   &manifest, &cli->err);
	} else if (rc == 0) {
		rc = config == NULL ? -EINVAL : isolab_error_set(&cli->err, -ENOMEM, "out of memory");
	}
	free(layers);
	eng_image_free(&parent);
	eng_container_free(&k);
	if (rc < 0) {
		eng_store_gc(&cli->store, NULL, NULL);
		return ENG_EXIT_ERROR;
	}
	report(&dg, &manifest, cli);
	return 0;
}
