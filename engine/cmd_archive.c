/*
 * cmd_archive.c: `isolab save IMAGE... -o FILE` and `isolab load -i FILE`
 * (see commands.h): images in an OCI archive, a tar of an OCI image layout
 * (image-spec image-layout.md: oci-layout, index.json, blobs/sha256/HEX),
 * as `podman save --format oci-archive` and skopeo's oci-archive: write.
 *
 * An archive given to load is hostile: only those three kinds of entry
 * are taken (regular files; directories ignored; anything else refused),
 * nothing is written outside the store's tmp/, each blob becomes a blob
 * only when its bytes hash to its name, and sizes are bounded.
 */
#include "engine/commands.h"
#include "common/cleanup.h"
#include "common/safe_open.h"
#include "engine/lib/image.h"
#include "engine/lib/ref.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define LAYOUT_TEXT "{\"imageLayoutVersion\":\"1.0.0\"}"
#define BLOB_PREFIX "blobs/sha256/"
/* An archive's index.json and oci-layout: small. */
#define ARCHIVE_JSON_MAX (4u << 20)

/* ---- save ---- */

static int add_bytes(struct archive *a, const char *name, const void *buf, size_t len,
		     struct isolab_error *err)
{
	struct archive_entry *e = archive_entry_new();
	int rc = 0;

	archive_entry_set_pathname(e, name);
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, 0644);
	archive_entry_set_size(e, (la_int64_t)len);
	if (archive_write_header(a, e) != ARCHIVE_OK ||
	    (len > 0 && archive_write_data(a, buf, len) != (la_ssize_t)len))
		rc = isolab_error_set(err, -EIO, "save: `%s`: %s", name, archive_error_string(a));
	archive_entry_free(e);
	return rc;
}

static int add_blob(struct archive *a, const struct eng_store *s, const struct eng_digest *d,
		    struct isolab_error *err)
{
	char path[PATH_MAX], name[128], buf[65536];
	struct archive_entry *e;
	uint64_t size = 0;
	_cleanup_close_ int fd = -1;
	ssize_t n;
	int rc = 0;

	eng_store_blob_path(s, d, path);
	fd = isolab_open_regular(path, &size, err);
	if (fd < 0)
		return isolab_error_wrap(err, "save: blob %.19s...", d->str);
	snprintf(name, sizeof(name), BLOB_PREFIX "%s", eng_digest_hex(d));
	e = archive_entry_new();
	archive_entry_set_pathname(e, name);
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, 0644);
	archive_entry_set_size(e, (la_int64_t)size);
	if (archive_write_header(a, e) != ARCHIVE_OK)
		rc = isolab_error_set(err, -EIO, "save: `%s`: %s", name, archive_error_string(a));
	while (rc == 0 && (n = read(fd, buf, sizeof(buf))) > 0)
		if (archive_write_data(a, buf, (size_t)n) != n)
			rc = isolab_error_set(err, -EIO, "save: `%s`: %s", name,
					      archive_error_string(a));
	archive_entry_free(e);
	return rc;
}

/* Each blob once: digests already written. */
struct seen {
	struct eng_digest *d;
	size_t n;
};

static bool seen_add(struct seen *s, const struct eng_digest *d)
{
	struct eng_digest *grown;

	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->d[i].str, d->str) == 0)
			return false;
	grown = realloc(s->d, (s->n + 1) * sizeof(*grown));
	if (grown == NULL)
		return false;
	s->d = grown;
	s->d[s->n++] = *d;
	return true;
}

static int save_image(struct archive *a, struct eng_cli *cli, const char *arg,
		      struct eng_index *ix, struct seen *seen)
{
	struct eng_image img;
	struct eng_descriptor *grown, *e;
	char name[ENG_REF_STR_MAX];
	struct isolab_error ne = { 0 };
	int rc = eng_image_find(&cli->store, arg, &img, &cli->err);

	if (rc < 0)
		return rc;
	if (seen_add(seen, &img.manifest_digest))
		rc = add_blob(a, &cli->store, &img.manifest_digest, &cli->err);
	if (rc == 0 && seen_add(seen, &img.id))
		rc = add_blob(a, &cli->store, &img.id, &cli->err);
	for (size_t i = 0; rc == 0 && i < img.manifest.n_layers; i++)
		if (seen_add(seen, &img.manifest.layers[i].digest))
			rc = add_blob(a, &cli->store, &img.manifest.layers[i].digest, &cli->err);
	if (rc < 0) {
		eng_image_free(&img);
		return rc;
	}
	grown = realloc(ix->manifests, (ix->n + 1) * sizeof(*grown));
	if (grown == NULL) {
		rc = isolab_error_set(&cli->err, -ENOMEM, "save: out of memory");
	} else {
		ix->manifests = grown;
		e = &ix->manifests[ix->n++];
		memset(e, 0, sizeof(*e));
		e->digest = img.manifest_digest;
		e->size = img.manifest_size;
		e->media_type = strdup(img.manifest.media_type ? img.manifest.media_type
							       : ENG_MT_OCI_MANIFEST);
		/* named as given, when it is a name (an ID saves it unnamed) */
		if (eng_image_name(arg, name, sizeof(name), &ne) == 0 && !eng_ref_is_id_prefix(arg))
			e->ref_name = strdup(name);
	}
	eng_image_free(&img);
	return rc;
}

int cmd_save(struct eng_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' }, { "help", no_argument, NULL, 'h' }, { 0 },
	};
	const char *out = NULL;
	struct eng_index ix = { 0 };
	struct seen seen = { 0 };
	struct archive *a;
	char tmp[PATH_MAX + 16];
	_cleanup_free_ char *index = NULL;
	int c, rc = 0;

	while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
		if (c == 'o')
			out = optarg;
		else if (c == 'h')
			return puts("usage: isolab save -o FILE IMAGE...\n"
				    "the images as an OCI archive (a tar of an OCI image layout)"), 0;
		else
			return eng_cli_bad_option(cli, "save", argv, "o:h", opts);
	}
	if (out == NULL || optind >= argc)
		return eng_cli_usage(cli, "save", "-o FILE and at least one image expected");
	if (eng_cli_store(cli, false) < 0)
		return ENG_EXIT_ERROR;
	/* written beside FILE, renamed when complete */
	snprintf(tmp, sizeof(tmp), "%s.tmp%d", out, (int)getpid());
	a = archive_write_new();
	archive_write_set_format_pax_restricted(a);
	if (archive_write_open_filename(a, tmp) != ARCHIVE_OK)
		rc = isolab_error_set(&cli->err, -EIO, "save: `%s`: %s", tmp, archive_error_string(a));
	if (rc == 0)
		rc = add_bytes(a, "oci-layout", LAYOUT_TEXT, strlen(LAYOUT_TEXT), &cli->err);
	for (int i = optind; rc == 0 && i < argc; i++)
		rc = save_image(a, cli, argv[i], &ix, &seen);
	if (rc == 0) {
		index = eng_index_build(&ix);
		if (index == NULL)
			rc = isolab_error_set(&cli->err, -ENOMEM, "save: out of memory");
		else
			rc = add_bytes(a, "index.json", index, strlen(index), &cli->err);
	}
	if (archive_write_close(a) != ARCHIVE_OK && rc == 0)
		rc = isolab_error_set(&cli->err, -EIO, "save: `%s`: %s", tmp, archive_error_string(a));
	archive_write_free(a);
	if (rc == 0 && rename(tmp, out) < 0)
		rc = isolab_error_errno(&cli->err, -errno, "save: rename `%s`", out);
	if (rc < 0)
		unlink(tmp);
	free(seen.d);
	eng_index_free(&ix);
	return rc < 0 ? ENG_EXIT_ERROR : 0;
}

/* ---- load ---- */

/* The current entry's data into fd (at most max bytes). */
static int copy_entry(struct archive *a, int fd, uint64_t max, const char *name,
		      struct isolab_error *err)
{
	char buf[65536];
	uint64_t total = 0;
	la_ssize_t n;

	while ((n = archive_read_data(a, buf, sizeof(buf))) > 0) {
		total += (uint64_t)n;
		if (total > max)
			return isolab_error_set(err, -EFBIG, "load: `%s`: larger than %llu bytes", name,
						(unsigned long long)max);
		for (la_ssize_t off = 0; off < n;) {
			ssize_t w = write(fd, buf + off, (size_t)(n - off));

			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0)
				return isolab_error_errno(err, w < 0 ? -errno : -EIO, "load: write");
			off += w;
		}
	}
	if (n < 0)
		return isolab_error_set(err, -EINVAL, "load: `%s`: %s", name, archive_error_string(a));
	return 0;
}

/* A blobs/sha256/HEX entry: into the store if its bytes are HEX. */
static int load_blob(struct archive *a, struct eng_cli *cli, const char *name)
{
	struct eng_digest d;
	char text[ENG_DIGEST_STR_MAX + 8], tmp[PATH_MAX];
	_cleanup_close_ int fd = -1;
	int rc;

	snprintf(text, sizeof(text), "sha256:%.70s", name + strlen(BLOB_PREFIX));
	if (eng_digest_parse(text, "load: blob name", &d, &cli->err) < 0)
		return -EINVAL;
	if (eng_store_blob_has(&cli->store, &d))
		return 0; /* archive_read_next_header skips its data */
	fd = eng_store_tmpfile(&cli->store, tmp, &cli->err);
	if (fd < 0)
		return fd;
	rc = copy_entry(a, fd, ENG_LAYER_MAX_BYTES, name, &cli->err);
	if (rc < 0) {
		unlink(tmp);
		return rc;
	}
	return eng_store_blob_commit(&cli->store, tmp, &d, &cli->err);
}

/* Reads the archive: blobs into the store, index.json into *index. */
static int read_archive(struct eng_cli *cli, const char *path, char **index, size_t *len)
{
	struct archive *a = archive_read_new();
	struct archive_entry *e;
	bool layout = false;
	int rc = 0, r;

	archive_read_support_format_tar(a);
	archive_read_support_filter_gzip(a);
	if (archive_read_open_filename(a, path, 65536) != ARCHIVE_OK)
		rc = isolab_error_set(&cli->err, -EINVAL, "load `%s`: %s", path,
				      archive_error_string(a));
	while (rc == 0 && (r = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
		const char *name = archive_entry_pathname(e);
		mode_t type = archive_entry_filetype(e);

		if (name == NULL)
			continue;
		name += strncmp(name, "./", 2) == 0 ? 2 : 0;
		if (type == AE_IFDIR)
			continue;
		if (type != AE_IFREG) {
			rc = isolab_error_set(&cli->err, -EINVAL, "load `%s`: entry `%.100s`: not a "
					      "regular file", path, name);
		} else if (strncmp(name, BLOB_PREFIX, strlen(BLOB_PREFIX)) == 0) {
			rc = load_blob(a, cli, name);
		} else if (strcmp(name, "index.json") == 0 && *index == NULL) {
			char tmp[PATH_MAX];
			_cleanup_close_ int fd = eng_store_tmpfile(&cli->store, tmp, &cli->err);

			rc = fd < 0 ? fd : copy_entry(a, fd, ARCHIVE_JSON_MAX, name, &cli->err);
			if (rc == 0)
				rc = isolab_read_regular(tmp, ARCHIVE_JSON_MAX, index, len, &cli->err);
			if (fd >= 0)
				unlink(tmp);
		} else if (strcmp(name, "oci-layout") == 0) {
			layout = true;
		} /* anything else (docker-archive's manifest.json, ...) is ignored */
	}
	if (rc == 0 && r != ARCHIVE_EOF)
		rc = isolab_error_set(&cli->err, -EINVAL, "load `%s`: %s", path,
				      archive_error_string(a));
	if (rc == 0 && (!layout || *index == NULL))
		rc = isolab_error_set(&cli->err, -EINVAL, "load `%s`: not an OCI archive (no %s)",
				      path, layout ? "index.json" : "oci-layout");
	archive_read_free(a);
	return rc;
}

/* One index entry of the archive: checked whole, unpacked, named. */
static int load_entry(struct eng_cli *cli, const struct eng_descriptor *d)
{
	struct eng_image img;
	char name[ENG_REF_STR_MAX];
	struct isolab_error ne = { 0 };
	const char *named = NULL;
	int rc = eng_image_load(&cli->store, &d->digest, &img, &cli->err);

	if (rc < 0)
		return rc;
	for (size_t i = 0; rc == 0 && i < img.manifest.n_layers; i++)
		rc = eng_store_layer_ensure(&cli->store, &img.manifest.layers[i].digest,
					    &img.config.diff_ids[i], &cli->err);
	if (rc == 0 && d->ref_name != NULL && eng_image_name(d->ref_name, name, sizeof(name), &ne) == 0)
		named = name;
	if (rc == 0)
		rc = eng_image_tag(&cli->store, d, named, &cli->err);
	if (rc == 0)
		printf("Loaded image: %s (%.12s)\n", named ? named : "<none>", eng_digest_hex(&img.id));
	eng_image_free(&img);
	return rc;
}

int cmd_load(struct eng_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "input", required_argument, NULL, 'i' }, { "help", no_argument, NULL, 'h' }, { 0 },
	};
	const char *in = NULL;
	struct eng_index ix = { 0 };
	_cleanup_free_ char *index = NULL;
	size_t len = 0;
	uint64_t size = 0;
	int c, rc;

	while ((c = getopt_long(argc, argv, "i:h", opts, NULL)) != -1) {
		if (c == 'i')
			in = optarg;
		else if (c == 'h')
			return puts("usage: isolab load -i FILE\n"
				    "the images of an OCI archive (tar, or tar.gz) into the store"), 0;
		else
			return eng_cli_bad_option(cli, "load", argv, "i:h", opts);
	}
	if (in == NULL || optind != argc)
		return eng_cli_usage(cli, "load", "-i FILE expected");
	/* a FIFO or a directory is refused before libarchive sees it */
	rc = isolab_open_regular(in, &size, &cli->err);
	if (rc < 0) {
		isolab_error_wrap(&cli->err, "load `%s`", in);
		return ENG_EXIT_ERROR;
	}
	close(rc);
	if (eng_cli_store(cli, true) < 0)
		return ENG_EXIT_ERROR;
	rc = read_archive(cli, in, &index, &len);
	if (rc == 0)
		rc = eng_index_parse(index, len, &ix, &cli->err);
	for (size_t i = 0; rc == 0 && i < ix.n; i++)
		rc = load_entry(cli, &ix.manifests[i]);
	eng_index_free(&ix);
	if (rc < 0) {
		eng_store_gc(&cli->store, NULL, NULL); /* blobs of images that did not load */
		return ENG_EXIT_ERROR;
	}
	return 0;
}
