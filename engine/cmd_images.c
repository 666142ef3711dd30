/* cmd_images.c: `isolab images`, `inspect`, `history`, `tag`, `rmi` (see commands.h). */
#include "engine/commands.h"
#include "engine/lib/container.h"
#include "engine/lib/image.h"
#include "engine/lib/ref.h"
#include "common/size.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* getopt_long over a command with no options but --help (and what opts adds). */
static int parse_help_only(struct eng_cli *cli, int argc, char **argv, const char *help)
{
	static const struct option opts[] = { { "help", no_argument, NULL, 'h' }, { 0 } };
	int c;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (c == 'h') {
			fputs(help, stdout);
			return ENG_CLI_HELP;
		}
		return eng_cli_bad_option(cli, argv[0], argv, "h", opts);
	}
	return 0;
}

/* Uncompressed size of an image: its layers' tar sizes. */
static uint64_t image_size(const struct eng_store *s, const struct eng_image *img)
{
	uint64_t total = 0;

	for (size_t i = 0; i < img->config.n_diff_ids; i++)
		total += eng_store_layer_size(s, &img->config.diff_ids[i]);
	return total;
}

/* "repo" and "tag" of an index ref name ("host:5000/a/b:1" -> "host:5000/a/b", "1"). */
static void split_name(const char *name, char *repo, size_t rsize, char *tag, size_t tsize)
{
	const char *colon = strrchr(name, ':'), *slash = strrchr(name, '/');

	if (colon == NULL || (slash != NULL && colon < slash)) {
		snprintf(repo, rsize, "%s", name);
		snprintf(tag, tsize, "<none>");
		return;
	}
	snprintf(repo, rsize, "%.*s", (int)(colon - name), name);
	snprintf(tag, tsize, "%s", colon + 1);
}

int cmd_images(struct eng_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "quiet", no_argument, NULL, 'q' }, { "no-trunc", no_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' }, { 0 },
	};
	bool quiet = false, no_trunc = false;
	struct eng_index ix = { 0 };
	int c;

	while ((c = getopt_long(argc, argv, "qh", opts, NULL)) != -1) {
		if (c == 'q')
			quiet = true;
		else if (c == 'n')
			no_trunc = true;
		else if (c == 'h')
			return puts("usage: isolab images [-q|--quiet] [--no-trunc]\n"
				    "REPOSITORY, TAG, IMAGE ID (12 hex digits), CREATED, SIZE "
				    "(uncompressed layers) of each name; -q: IDs only"), 0;
		else
			return eng_cli_bad_option(cli, "images", argv, "qh", opts);
	}
	if (optind < argc)
		return eng_cli_usage(cli, "images", "no arguments expected");
	if (eng_cli_store(cli, false) < 0 || eng_store_index_load(&cli->store, &ix, &cli->err) < 0)
		return ENG_EXIT_ERROR;
	if (!quiet)
		printf("%-40s %-16s %-14s %-24s %s\n", "REPOSITORY", "TAG", "IMAGE ID", "CREATED",
		       "SIZE");
	for (size_t i = ix.n; i-- > 0;) { /* newest entry first */
		const struct eng_descriptor *d = &ix.manifests[i];
		struct eng_image img;
		struct isolab_error e = { 0 };
		char repo[300], tag[160], id[80], ago[64], size[32];

		if (eng_image_load(&cli->store, &d->digest, &img, &e) < 0) {
			fprintf(stderr, "isolab: images: %s\n", e.msg);
			continue;
		}
		snprintf(id, sizeof(id), "%s", no_trunc ? img.id.str : eng_digest_hex(&img.id));
		if (!no_trunc)
			id[12] = '\0';
		if (quiet) {
			puts(id);
		} else {
			split_name(d->ref_name ? d->ref_name : "<none>", repo, sizeof(repo), tag,
				   sizeof(tag));
			eng_human_ago(img.config.created, ago, sizeof(ago));
			isolab_format_size(image_size(&cli->store, &img), size, sizeof(size));
			printf("%-40s %-16s %-14s %-24s %s\n", repo, tag, id, ago, size);
		}
		eng_image_free(&img);
	}
	eng_index_free(&ix);
	return 0;
}

/* The names (index entries) of the image whose manifest is d, as a JSON array. */
static cJSON *repo_tags(const struct eng_index *ix, const struct eng_digest *d)
{
	cJSON *arr = cJSON_CreateArray();

	for (size_t i = 0; arr != NULL && i < ix->n; i++)
		if (ix->manifests[i].ref_name != NULL &&
		    strcmp(ix->manifests[i].digest.str, d->str) == 0)
			cJSON_AddItemToArray(arr, cJSON_CreateString(ix->manifests[i].ref_name));
	return arr;
}

/* docker inspect's shape, from the config as stored (nothing re-derived). */
static cJSON *inspect_one(const struct eng_store *s, const struct eng_index *ix,
			  const struct eng_image *img)
{
	cJSON *raw = cJSON_ParseWithLength(img->config_json, img->config_len);
	cJSON *o = cJSON_CreateObject(), *rootfs, *layers;
	static const char *const copied[][2] = {
		{ "created", "Created" }, { "author", "Author" }, { "architecture", "Architecture" },
		{ "os", "Os" }, { "config", "Config" }, { "history", "History" },
	};

	cJSON_AddStringToObject(o, "Id", img->id.str);
	cJSON_AddItemToObject(o, "RepoTags", repo_tags(ix, &img->manifest_digest));
	cJSON_AddStringToObject(o, "Manifest", img->manifest_digest.str);
	for (size_t i = 0; i < sizeof(copied) / sizeof(copied[0]); i++) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(raw, copied[i][0]);

		if (v != NULL)
			cJSON_AddItemToObject(o, copied[i][1], cJSON_Duplicate(v, true));
	}
	rootfs = cJSON_AddObjectToObject(o, "RootFS");
	cJSON_AddStringToObject(rootfs, "Type", "layers");
	layers = cJSON_AddArrayToObject(rootfs, "Layers");
	for (size_t i = 0; i < img->config.n_diff_ids; i++)
		cJSON_AddItemToArray(layers, cJSON_CreateString(img->config.diff_ids[i].str));
	cJSON_AddNumberToObject(o, "Size", (double)image_size(s, img));
	cJSON_Delete(raw);
	return o;
}

int cmd_inspect(struct eng_cli *cli, int argc, char **argv)
{
	struct eng_index ix = { 0 };
	cJSON *out;
	char *text;
	int rc = parse_help_only(cli, argc, argv, "usage: isolab inspect IMAGE...\n"
				 "Id, RepoTags, Created, Architecture, Os, Config (Entrypoint, Cmd, "
				 "Env, WorkingDir, User, ...), RootFS.Layers, History, Size as JSON\n");

	if (rc != 0)
		return rc == ENG_CLI_HELP ? 0 : rc;
	if (optind >= argc)
		return eng_cli_usage(cli, "inspect", "no image given");
	if (eng_cli_store(cli, false) < 0 || eng_store_index_load(&cli->store, &ix, &cli->err) < 0)
		return ENG_EXIT_ERROR;
	out = cJSON_CreateArray();
	for (int i = optind; i < argc; i++) {
		struct eng_image img;

		if (eng_image_find(&cli->store, argv[i], &img, &cli->err) < 0) {
			cJSON_Delete(out);
			eng_index_free(&ix);
			return ENG_EXIT_ERROR;
		}
		cJSON_AddItemToArray(out, inspect_one(&cli->store, &ix, &img));
		eng_image_free(&img);
	}
	text = cJSON_Print(out);
	if (text != NULL)
		puts(text);
	free(text);
	cJSON_Delete(out);
	eng_index_free(&ix);
	return 0;
}

int cmd_history(struct eng_cli *cli, int argc, char **argv)
{
	struct eng_image img;
	size_t layer;
	int rc = parse_help_only(cli, argc, argv, "usage: isolab history IMAGE\n"
				 "each step, newest first: IMAGE (the ID, on the newest), CREATED, "
				 "CREATED BY, SIZE (of the layer it made; 0 B for metadata only), "
				 "COMMENT\n");

	if (rc != 0)
		return rc == ENG_CLI_HELP ? 0 : rc;
	if (argc - optind != 1)
		return eng_cli_usage(cli, "history", "one image expected");
	if (eng_cli_store(cli, false) < 0 ||
	    eng_image_find(&cli->store, argv[optind], &img, &cli->err) < 0)
		return ENG_EXIT_ERROR;
	printf("%-14s %-24s %-48s %-10s %s\n", "IMAGE", "CREATED", "CREATED BY", "SIZE", "COMMENT");
	/* Non-empty steps match the layers in order; count them first. */
	layer = 0;
	for (size_t i = 0; i < img.config.n_history; i++)
		layer += !img.config.history[i].empty_layer;
	for (size_t i = img.config.n_history; i-- > 0;) {
		const struct eng_history *h = &img.config.history[i];
		char id[16] = "<missing>", ago[64], size[32] = "0 B", by[49];
		uint64_t bytes = 0;

		if (!h->empty_layer && layer > 0) {
			layer--;
			if (layer < img.config.n_diff_ids)
				bytes = eng_store_layer_size(&cli->store, &img.config.diff_ids[layer]);
			isolab_format_size(bytes, size, sizeof(size));
		}
		if (i + 1 == img.config.n_history)
			snprintf(id, sizeof(id), "%.12s", eng_digest_hex(&img.id));
		eng_human_ago(h->created, ago, sizeof(ago));
		snprintf(by, sizeof(by), "%s", h->created_by ? h->created_by : "");
		printf("%-14s %-24s %-48s %-10s %s\n", id, ago, by, size, h->comment ? h->comment : "");
	}
	eng_image_free(&img);
	return 0;
}

int cmd_tag(struct eng_cli *cli, int argc, char **argv)
{
	struct eng_descriptor md = { 0 };
	struct eng_image img;
	char name[ENG_REF_STR_MAX];
	int rc = parse_help_only(cli, argc, argv, "usage: isolab tag SOURCE TARGET\n"
				 "TARGET ([REGISTRY/]REPOSITORY[:TAG]) names the image SOURCE names: "
				 "one image, one ID, two names\n");

	if (rc != 0)
		return rc == ENG_CLI_HELP ? 0 : rc;
	if (argc - optind != 2)
		return eng_cli_usage(cli, "tag", "SOURCE and TARGET expected");
	if (eng_image_name(argv[optind + 1], name, sizeof(name), &cli->err) < 0)
		return ENG_EXIT_ERROR;
	if (eng_cli_store(cli, true) < 0 ||
	    eng_image_find(&cli->store, argv[optind], &img, &cli->err) < 0)
		return ENG_EXIT_ERROR;
	md.digest = img.manifest_digest;
	md.media_type = img.manifest.media_type;
	md.size = img.manifest_size;
	rc = eng_image_tag(&cli->store, &md, name, &cli->err);
	eng_image_free(&img);
	return rc < 0 ? ENG_EXIT_ERROR : 0;
}

/* A container made from image id: its name, else NULL (into buf). */
static const char *used_by(const struct eng_store *s, const struct eng_digest *id, char *buf,
			   size_t size)
{
	struct eng_container *list = NULL;
	struct isolab_error e = { 0 };
	size_t n = 0;
	const char *found = NULL;

	eng_container_prune_rm(s);
	if (eng_container_list(s, &list, &n, &e) < 0)
		return NULL;
	for (size_t i = 0; i < n && found == NULL; i++)
		if (strcmp(list[i].image_id.str, id->str) == 0) {
			snprintf(buf, size, "%s", list[i].name);
			found = buf;
		}
	eng_container_list_free(list, n);
	return found;
}

/* rmi of one argument: a name is untagged (the image goes with its last
 * name); an ID removes every name, and needs -f when there are several. */
static int rmi_one(struct eng_cli *cli, const char *arg, bool force)
{
	struct eng_index ix = { 0 };
	struct eng_image img;
	char name[ENG_REF_STR_MAX], user[ENG_CONTAINER_NAME_MAX + 1];
	struct isolab_error e = { 0 };
	bool by_name, last = false;
	size_t names = 0;
	int rc;

	if (eng_image_find(&cli->store, arg, &img, &cli->err) < 0)
		return -ENOENT;
	by_name = eng_image_name(arg, name, sizeof(name), &e) == 0 &&
		  eng_store_index_load(&cli->store, &ix, &e) == 0 &&
		  eng_index_find_ref(&ix, name) != NULL;
	for (size_t i = 0; i < ix.n; i++)
		names += strcmp(ix.manifests[i].digest.str, img.manifest_digest.str) == 0;
	eng_index_free(&ix);
	if (!by_name && names > 1 && !force) {
		rc = isolab_error_set(&cli->err, -EBUSY, "rmi `%s`: image %.12s has %zu names "
				      "(remove them one by one, or use -f)", arg,
				      eng_digest_hex(&img.id), names);
		goto out;
	}
	if ((!by_name || names == 1) && !force &&
	    used_by(&cli->store, &img.id, user, sizeof(user)) != NULL) {
		rc = isolab_error_set(&cli->err, -EBUSY, "rmi `%s`: image %.12s is used by container "
				      "`%s` (isolab rm it first, or use -f)", arg,
				      eng_digest_hex(&img.id), user);
		goto out;
	}
	if (by_name) {
		rc = eng_image_untag(&cli->store, name, &last, &cli->err);
		if (rc == 0)
			printf("Untagged: %s\n", name);
	} else {
		rc = eng_image_remove(&cli->store, &img.manifest_digest, &cli->err);
		last = true;
	}
	if (rc == 0 && last)
		printf("Deleted: %s\n", img.id.str);
out:
	eng_image_free(&img);
	return rc;
}

int cmd_rmi(struct eng_cli *cli, int argc, char **argv)
{
	return eng_cli_remove_each(cli, argc, argv,
				   "usage: isolab rmi [-f] IMAGE...\n"
				   "removes each name; an image goes with its last name, and its "
				   "blobs and layers with it unless another image or a container "
				   "uses them\n", "image", rmi_one);
}
