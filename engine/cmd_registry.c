/*
 * cmd_registry.c: `isolab push` and `isolab pull` (see commands.h) over the
 * OCI distribution API (registry.h). Only new layers are copied: push asks
 * the registry for each blob first (HEAD) and uploads only the missing
 * ones; pull downloads only the layers the store lacks. Both print, per
 * blob, `exists` or the bytes moved, then a summary, so the claim shows
 * with numbers. Downloads go to temp files in the store and become blobs
 * only once their digest checks out; a failure leaves nothing behind.
 */
#include "engine/commands.h"
#include "common/cleanup.h"
#include "common/size.h"
#include "engine/lib/image.h"
#include "engine/lib/ref.h"
#include "engine/lib/registry.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct tally {
	unsigned moved, present;
	uint64_t bytes;
};

static void summary(const struct tally *t, const char *verb)
{
	char size[32];

	isolab_format_size(t->bytes, size, sizeof(size));
	printf("%u layer%s %s, %u already there, %s\n", t->moved, t->moved == 1 ? "" : "s", verb,
	       t->present, size);
}

/* push/pull's command line: [--insecure] REF; ref parsed, with a registry. */
static int parse(struct eng_cli *cli, int argc, char **argv, const char *help, bool *insecure,
		 struct eng_ref *ref)
{
	static const struct option opts[] = {
		{ "insecure", no_argument, NULL, 'k' }, { "help", no_argument, NULL, 'h' }, { 0 },
	};
	int c;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (c == 'k')
			*insecure = true;
		else if (c == 'h')
			return fputs(help, stdout), ENG_CLI_HELP;
		else
			return eng_cli_bad_option(cli, argv[0], argv, "h", opts);
	}
	if (argc - optind != 1)
		return eng_cli_usage(cli, argv[0], "one image expected");
	if (eng_ref_parse(argv[optind], ref, &cli->err) < 0)
		return ENG_EXIT_ERROR;
	if (ref->registry == NULL) {
		eng_ref_free(ref);
		isolab_error_set(&cli->err, -EINVAL, "%s `%s`: no registry in the name (e.g. "
				 "127.0.0.1:5000/%s)", argv[0], argv[optind], argv[optind]);
		return ENG_EXIT_ERROR;
	}
	return 0;
}

/*
 * A registry keeps blobs per repository, so a base layer pushed as
 * HOST/base is unknown to HOST/app until it is mounted there (distribution
 * spec, "Mounting a blob from another repository"). The other repositories
 * of this registry the store has names for are asked, as Docker asks the
 * ones it pushed to or pulled from: a mount moves no bytes.
 */
static bool mount_from_siblings(struct eng_cli *cli, struct eng_registry *r,
				const struct eng_ref *target, const struct eng_digest *d,
				char *from, size_t size)
{
	struct eng_index ix = { 0 };
	struct isolab_error e = { 0 };
	bool mounted = false;

	if (eng_store_index_load(&cli->store, &ix, &e) < 0)
		return false;
	for (size_t i = 0; i < ix.n && !mounted; i++) {
		struct eng_ref other;

		if (ix.manifests[i].ref_name == NULL ||
		    eng_ref_parse(ix.manifests[i].ref_name, &other, &e) < 0)
			continue;
		if (other.registry != NULL && strcmp(other.registry, target->registry) == 0 &&
		    strcmp(other.repository, target->repository) != 0 &&
		    eng_registry_blob_mount(r, target->repository, d, other.repository, &mounted,
					    &e) == 0 && mounted)
			snprintf(from, size, "%s", other.repository);
		eng_ref_free(&other);
	}
	eng_index_free(&ix);
	return mounted;
}

/* One blob up: `exists`, mounted from a sibling repository, or sent. */
static int push_blob(struct eng_cli *cli, struct eng_registry *r, const struct eng_ref *ref,
		     const struct eng_digest *d, const char *what, struct tally *t)
{
	const char *repo = ref->repository;
	char path[PATH_MAX], size[32], from[256];
	bool exists = false, layer = strcmp(what, "layer") == 0;
	uint64_t bytes = 0;
	struct stat st;
	int rc;

	rc = eng_registry_blob_exists(r, repo, d, &exists, NULL, &cli->err);
	if (rc < 0)
		return rc;
	if (exists) {
		printf("%s %.12s: exists\n", what, eng_digest_hex(d));
		t->present += layer;
		return 0;
	}
	if (mount_from_siblings(cli, r, ref, d, from, sizeof(from))) {
		printf("%s %.12s: exists (mounted from %s)\n", what, eng_digest_hex(d), from);
		t->present += layer;
		return 0;
	}
	eng_store_blob_path(&cli->store, d, path);
	if (stat(path, &st) < 0)
		return isolab_error_errno(&cli->err, -errno, "blob `%s`", path);
	bytes = (uint64_t)st.st_size;
	rc = eng_registry_blob_push(r, repo, d, path, bytes, &cli->err);
	if (rc < 0)
		return rc;
	isolab_format_size(bytes, size, sizeof(size));
	printf("%s %.12s: sent %s\n", what, eng_digest_hex(d), size);
	if (layer) /* the summary counts layers */
		t->moved++, t->bytes += bytes;
	return 0;
}

int cmd_push(struct eng_cli *cli, int argc, char **argv)
{
	struct eng_registry_opts ro = { .timeout_s = 0 };
	struct eng_registry *r = NULL;
	struct eng_ref ref = { 0 };
	struct eng_image img;
	struct eng_digest pushed;
	struct tally t = { 0 };
	_cleanup_free_ char *body = NULL;
	size_t len = 0;
	int rc = parse(cli, argc, argv, "usage: isolab push [--insecure] HOST[:PORT]/REPOSITORY[:TAG]\n"
		       "sends the image's missing blobs, then its manifest under TAG; plain HTTP "
		       "only to localhost unless --insecure\n", &ro.insecure, &ref);

	if (rc != 0)
		return rc == ENG_CLI_HELP ? 0 : rc;
	if (eng_cli_store(cli, false) < 0 ||
	    eng_image_find(&cli->store, argv[optind], &img, &cli->err) < 0) {
		eng_ref_free(&ref);
		return ENG_EXIT_ERROR;
	}
	rc = eng_registry_open(ref.registry, &ro, &r, &cli->err);
	for (size_t i = 0; rc == 0 && i < img.manifest.n_layers; i++)
		rc = push_blob(cli, r, &ref, &img.manifest.layers[i].digest, "layer", &t);
	if (rc == 0)
		rc = push_blob(cli, r, &ref, &img.id, "config", &t);
	if (rc == 0)
		rc = eng_store_blob_read(&cli->store, &img.manifest_digest, ENG_MANIFEST_MAX, &body,
					 &len, &cli->err);
	if (rc == 0)
		rc = eng_registry_manifest_put(r, ref.repository, eng_ref_tag_or_default(&ref),
					       img.manifest.media_type ? img.manifest.media_type
								       : ENG_MT_OCI_MANIFEST,
					       body, len, &pushed, &cli->err);
	if (rc == 0) {
		summary(&t, "sent");
		printf("%s: digest: %s size: %zu\n", eng_ref_tag_or_default(&ref), pushed.str, len);
	}
	eng_registry_close(r);
	eng_image_free(&img);
	eng_ref_free(&ref);
	return rc < 0 ? ENG_EXIT_ERROR : 0;
}

/* GETs blob d (at most max bytes) into the store; *got its size. */
static int pull_blob(struct eng_cli *cli, struct eng_registry *r, const char *repo,
		     const struct eng_descriptor *d, uint64_t *got)
{
	char tmp[PATH_MAX];
	_cleanup_close_ int fd = eng_store_tmpfile(&cli->store, tmp, &cli->err);
	int rc;

	if (fd < 0)
		return fd;
	rc = eng_registry_blob_pull(r, repo, &d->digest, d->size, d->size, fd, got, &cli->err);
	if (rc == 0 && fsync(fd) < 0)
		rc = isolab_error_errno(&cli->err, -errno, "fsync `%s`", tmp);
	if (rc < 0) {
		unlink(tmp);
		return rc;
	}
	return eng_store_blob_commit(&cli->store, tmp, &d->digest, &cli->err);
}

/* The manifest for this platform: an index or list is followed once. */
static int get_manifest(struct eng_cli *cli, struct eng_registry *r, const struct eng_ref *ref,
			char **body, size_t *len, char **mt, struct eng_digest *digest,
			struct eng_manifest *m)
{
	const char *reference = ref->has_digest ? ref->digest.str : eng_ref_tag_or_default(ref);
	int rc = eng_registry_manifest_get(r, ref->repository, reference, body, len, mt, digest,
					   &cli->err);

	if (rc == 0)
		rc = eng_manifest_parse(*body, *len, m, &cli->err);
	if (rc == ENG_E_IS_INDEX) {
		struct eng_index ix = { 0 };
		const struct eng_descriptor *pick;
		char want[ENG_DIGEST_STR_MAX];

		rc = eng_index_parse(*body, *len, &ix, &cli->err);
		pick = rc == 0 ? eng_index_pick_platform(&ix, "linux", "amd64") : NULL;
		if (rc == 0 && pick == NULL)
			rc = isolab_error_set(&cli->err, -ENOENT, "pull: no linux/amd64 image in the "
					      "index of `%s`", reference);
		if (pick != NULL)
			snprintf(want, sizeof(want), "%s", pick->digest.str);
		eng_index_free(&ix);
		if (rc < 0)
			return rc;
		free(*body), *body = NULL;
		free(*mt), *mt = NULL;
		rc = eng_registry_manifest_get(r, ref->repository, want, body, len, mt, digest,
					       &cli->err);
		if (rc == 0)
			rc = eng_manifest_parse(*body, *len, m, &cli->err);
	}
	return rc;
}

static int pull_layers(struct eng_cli *cli, struct eng_registry *r, const char *repo,
		       const struct eng_manifest *m, const struct eng_image_config *c,
		       struct tally *t)
{
	for (size_t i = 0; i < m->n_layers; i++) {
		const struct eng_descriptor *d = &m->layers[i];
		enum eng_layer_compression comp;
		char dir[PATH_MAX], size[32];
		uint64_t got = 0;
		int rc;

		if (eng_layer_media_type(d->media_type, "layer", &comp, &cli->err) < 0)
			return -EINVAL;
		eng_store_layer_path(&cli->store, &c->diff_ids[i], dir);
		if (eng_store_blob_has(&cli->store, &d->digest) && access(dir, F_OK) == 0) {
			printf("layer %.12s: exists\n", eng_digest_hex(&d->digest));
			t->present++;
			continue;
		}
		if (!eng_store_blob_has(&cli->store, &d->digest)) {
			rc = pull_blob(cli, r, repo, d, &got);
			if (rc < 0)
				return rc;
		}
		rc = eng_store_layer_ensure(&cli->store, &d->digest, &c->diff_ids[i], &cli->err);
		if (rc < 0)
			return rc;
		isolab_format_size(got, size, sizeof(size));
		printf("layer %.12s: received %s\n", eng_digest_hex(&d->digest), size);
		t->moved++;
		t->bytes += got;
	}
	return 0;
}

int cmd_pull(struct eng_cli *cli, int argc, char **argv)
{
	struct eng_registry_opts ro = { .timeout_s = 0 };
	struct eng_registry *r = NULL;
	struct eng_ref ref = { 0 };
	struct eng_manifest m = { 0 };
	struct eng_image_config c = { 0 };
	struct eng_descriptor md = { 0 };
	struct eng_digest digest, stored;
	struct tally t = { 0 };
	_cleanup_free_ char *body = NULL, *mt = NULL, *config = NULL;
	char name[ENG_REF_STR_MAX];
	size_t len = 0, clen = 0;
	uint64_t got = 0;
	int rc = parse(cli, argc, argv, "usage: isolab pull [--insecure] HOST[:PORT]/REPOSITORY[:TAG|@DIGEST]\n"
		       "fetches the manifest, then only the layers the store lacks; plain HTTP "
		       "only to localhost unless --insecure\n", &ro.insecure, &ref);

	if (rc != 0)
		return rc == ENG_CLI_HELP ? 0 : rc;
	if (eng_ref_format(&(struct eng_ref){ ref.registry, ref.repository, ref.tag, false,
					       { { 0 } } }, name, sizeof(name)) < 0 ||
	    eng_cli_store(cli, true) < 0) {
		eng_ref_free(&ref);
		return ENG_EXIT_ERROR;
	}
	rc = eng_registry_open(ref.registry, &ro, &r, &cli->err);
	if (rc == 0)
		rc = get_manifest(cli, r, &ref, &body, &len, &mt, &digest, &m);
	if (rc == 0 && !eng_store_blob_has(&cli->store, &m.config.digest))
		rc = pull_blob(cli, r, ref.repository, &m.config, &got);
	if (rc == 0)
		rc = eng_store_blob_read(&cli->store, &m.config.digest, ENG_CONFIG_MAX, &config, &clen,
					 &cli->err);
	if (rc == 0)
		rc = eng_config_parse(config, clen, &c, &cli->err);
	if (rc == 0)
		rc = eng_image_check(&m, &c, &cli->err);
	if (rc == 0)
		rc = pull_layers(cli, r, ref.repository, &m, &c, &t);
	if (rc == 0)
		rc = eng_store_blob_put(&cli->store, body, len, &stored, &cli->err);
	if (rc == 0) {
		md.digest = stored;
		md.size = len;
		md.media_type = m.media_type;
		/* pulled by digest only: the image stays unnamed, as docker keeps it */
		rc = eng_image_tag(&cli->store, &md, ref.has_digest && !ref.tag ? NULL : name,
				   &cli->err);
	}
	if (rc == 0) {
		summary(&t, "received");
		printf("Digest: %s\n%s\n", digest.str, name);
	} else {
		eng_store_gc(&cli->store, NULL, NULL); /* blobs of an image that did not come */
	}
	eng_config_free(&c);
	eng_manifest_free(&m);
	eng_registry_close(r);
	eng_ref_free(&ref);
	return rc < 0 ? ENG_EXIT_ERROR : 0;
}
