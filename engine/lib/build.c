/* build.c: `isolab build`, step by step: stages, the cache, RUN through isolab-ctr, COPY/ADD (see build.h). */
#include "engine/lib/build.h"
#include "common/cleanup.h"
#include "common/jsonfile.h"
#include "common/mkdir.h"
#include "common/rmtree.h"
#include "common/safe_open.h"
#include "common/timing.h"
#include "container/exec_cmd.h"
#include "engine/lib/build_config.h"
#include "engine/lib/build_copy.h"
#include "engine/lib/cmdline.h"
#include "engine/lib/dockerfile.h"
#include "engine/lib/dockerignore.h"
#include "engine/lib/image.h"
#include "engine/lib/layer_pack.h"
#include "engine/lib/layer_unpack.h"

#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mount.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* A Dockerfile is read whole: at most this much. */
#define DOCKERFILE_MAX (1u << 20)
#define STAGES_MAX 64
#define ADD_URL_MAX (1ull << 30)

struct stage {
	char *name;                  /* AS name, lowercase, or NULL */
	cJSON *config;               /* the image config being built */
	struct eng_descriptor *layers;
	size_t n_layers;
	uint64_t bytes;              /* its layers, uncompressed */
	struct eng_digest key;       /* the cache key of its last step */
	char **vars;                 /* ARG values it sees: "K=V" */
	size_t n_vars;
	char **shell;                /* SHELL, default /bin/sh -c */
	size_t n_shell;
	bool cmd_set;                /* a CMD in this stage (ENTRYPOINT keeps it) */
};

struct build {
	const struct eng_store *s;
	const struct eng_build_opts *o;
	struct eng_build_result *r;
	struct isolab_error *err;
	struct eng_context ctx;
	struct eng_dockerfile df;
	char file[4096];             /* the Dockerfile, for messages */
	struct stage stages[STAGES_MAX];
	size_t n_stages;
	char **globals;              /* ARGs before the first FROM */
	size_t n_globals;
	char tmp[PATH_MAX];          /* ROOT/tmp/build-XXXXXX */
	unsigned serial;             /* temp names */
};

static volatile sig_atomic_t interrupted;
static volatile pid_t running;

static void on_signal(int sig)
{
	interrupted = 1;
	if (running > 0)
		kill(running, sig);
}

/* ---- small helpers ---- */

static int strv_push(char ***v, size_t *n, const char *s)
{
	char **grown;

	if (s == NULL)
		return -EINVAL;
	grown = realloc(*v, (*n + 2) * sizeof(*grown));
	if (grown == NULL)
		return -ENOMEM;
	*v = grown;
	grown[*n] = strdup(s);
	if (grown[*n] == NULL)
		return -ENOMEM;
	grown[++*n] = NULL;
	return 0;
}

static void strv_free(char **v, size_t n)
{
	for (size_t i = 0; v != NULL && i < n; i++)
		free(v[i]);
	free(v);
}

/* "K=V" for key in v (last one wins), or NULL. */
static const char *strv_get(char *const *v, size_t n, const char *key)
{
	size_t klen = strlen(key);

	for (size_t i = n; i-- > 0;)
		if (strncmp(v[i], key, klen) == 0 && v[i][klen] == '=')
			return v[i] + klen + 1;
	return NULL;
}

static int fail(struct build *b, const struct eng_df_instr *in, int code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int fail(struct build *b, const struct eng_df_instr *in, int code, const char *fmt, ...)
{
	char msg[ISOLAB_ERROR_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap); // NOLINT(clang-analyzer-valist.Uninitialized)
	va_end(ap);
	return isolab_error_set(b->err, code, "%s:%u: %s", b->file, in->line, msg);
}

/* The value of --build-arg K, if given ("K" alone: from our environment). */
static const char *build_arg(const struct build *b, const char *key, bool *given)
{
	size_t klen = strlen(key);

	*given = false;
	for (size_t i = b->o->n_build_args; i-- > 0;) {
		const char *a = b->o->build_args[i];

		if (strncmp(a, key, klen) == 0 && (a[klen] == '=' || a[klen] == '\0')) {
			*given = true;
			return a[klen] == '=' ? a + klen + 1 : getenv(key);
		}
	}
	return NULL;
}

/* The variables substitution sees: the stage's ARGs, then its Env (ENV
 * wins over an ARG of the same name); before the first FROM the global
 * ARGs. A NULL-ended array of pointers into the stage (free the array). */
static char **vars_of(struct build *b, struct stage *st, size_t *n)
{
	size_t n_env = 0;
	_cleanup_free_ const char **env = st ? eng_bcfg_env(st->config, &n_env) : NULL;
	char *const *args = st ? st->vars : b->globals;
	size_t n_args = st ? st->n_vars : b->n_globals;
	char **vars = calloc(n_args + n_env + 1, sizeof(*vars));

	*n = 0;
	if (vars == NULL)
		return NULL;
	for (size_t i = 0; i < n_args; i++)
		vars[(*n)++] = args[i];
	for (size_t i = 0; i < n_env; i++)
		vars[(*n)++] = (char *)env[i];
	return vars;
}

/* in with Docker's substitution done (eng_df_instr_expand). */
static int expand_instr(struct build *b, struct stage *st, const struct eng_df_instr *in,
			struct eng_df_instr *out)
{
	size_t n = 0;
	_cleanup_free_ char **vars = vars_of(b, st, &n);

	if (vars == NULL)
		return isolab_error_set(b->err, -ENOMEM, "out of memory");
	if (eng_df_instr_expand(in, vars, n, b->df.escape, out, b->err) < 0)
		return isolab_error_wrap(b->err, "%s:%u", b->file, in->line);
	return 0;
}

/* ---- the cache ---- */

/* key = sha256(previous key, instruction, extra) */
static void step_key(const struct eng_digest *prev, const char *text, const char *extra,
		     struct eng_digest *out)
{
	struct eng_hasher *h = eng_hasher_new();

	if (h == NULL) {
		memset(out, 0, sizeof(*out));
		return;
	}
	eng_hasher_update(h, prev->str, strlen(prev->str) + 1);
	eng_hasher_update(h, text, strlen(text) + 1);
	eng_hasher_update(h, extra ? extra : "", extra ? strlen(extra) : 0);
	eng_hasher_final(h, out);
}

struct cached {
	bool hit, has_layer;
	char created[64];
	struct eng_descriptor layer;
	struct eng_digest diff_id;
	uint64_t tar_size;
};

static void cache_path(const struct build *b, const struct eng_digest *key, char *buf)
{
	snprintf(buf, PATH_MAX, "%s/cache/build/%s.json", b->s->root, eng_digest_hex(key));
}

/* A cache entry, good only if its layer is still in the store. */
static void cache_get(struct build *b, const struct eng_digest *key, struct cached *c)
{
	char path[PATH_MAX], dir[PATH_MAX];
	cJSON *doc = NULL;
	const cJSON *v, *l;
	struct isolab_error e = { 0 };

	memset(c, 0, sizeof(*c));
	if (b->o->no_cache)
		return;
	cache_path(b, key, path);
	if (isolab_json_read(path, &doc, &e) < 0)
		return;
	v = cJSON_GetObjectItemCaseSensitive(doc, "created");
	l = cJSON_GetObjectItemCaseSensitive(doc, "layer");
	if (cJSON_IsString(v))
		snprintf(c->created, sizeof(c->created), "%s", v->valuestring);
	c->hit = cJSON_IsString(v);
	if (c->hit && cJSON_IsObject(l)) {
		const cJSON *blob = cJSON_GetObjectItemCaseSensitive(l, "blob");
		const cJSON *diff = cJSON_GetObjectItemCaseSensitive(l, "diff_id");
		const cJSON *size = cJSON_GetObjectItemCaseSensitive(l, "size");
		const cJSON *tar = cJSON_GetObjectItemCaseSensitive(l, "tar_size");

		c->hit = cJSON_IsString(blob) && cJSON_IsString(diff) && cJSON_IsNumber(size) &&
			 eng_digest_parse(blob->valuestring, "cache", &c->layer.digest, &e) == 0 &&
			 eng_digest_parse(diff->valuestring, "cache", &c->diff_id, &e) == 0;
		if (c->hit) {
			c->has_layer = true;
			c->layer.size = (uint64_t)size->valuedouble;
			c->tar_size = cJSON_IsNumber(tar) ? (uint64_t)tar->valuedouble : 0;
			c->layer.media_type = ENG_MT_OCI_LAYER_GZIP;
			eng_store_layer_path(b->s, &c->diff_id, dir);
			c->hit = eng_store_blob_has(b->s, &c->layer.digest) && access(dir, F_OK) == 0;
		}
	}
	cJSON_Delete(doc);
}

static void cache_put(struct build *b, const struct eng_digest *key, const char *created,
		      const struct eng_descriptor *layer, const struct eng_digest *diff_id,
		      uint64_t tar_size)
{
	char path[PATH_MAX], dir[PATH_MAX];
	cJSON *doc = cJSON_CreateObject();
	struct isolab_error e = { 0 };

	snprintf(dir, sizeof(dir), "%s/cache/build", b->s->root);
	if (doc == NULL || isolab_mkdir_p(dir, 0700) < 0) {
		cJSON_Delete(doc);
		return;
	}
	cJSON_AddStringToObject(doc, "created", created);
	if (layer != NULL) {
		cJSON *l = cJSON_AddObjectToObject(doc, "layer");

		cJSON_AddStringToObject(l, "blob", layer->digest.str);
		cJSON_AddStringToObject(l, "diff_id", diff_id->str);
		cJSON_AddNumberToObject(l, "size", (double)layer->size);
		cJSON_AddNumberToObject(l, "tar_size", (double)tar_size);
	}
	cache_path(b, key, path);
	isolab_json_write_atomic(path, doc, &e); /* a cache that fails to save only costs time */
	cJSON_Delete(doc);
}

/* ---- steps ---- */

/* The step's result: metadata only (layer NULL) or a new layer. */
static int add_step(struct build *b, struct stage *st, const struct eng_df_instr *in,
		    const struct eng_digest *key, const struct cached *c,
		    const struct eng_descriptor *layer, const struct eng_digest *diff_id,
		    uint64_t tar_size)
{
	char created[64];
	struct eng_descriptor *grown;

	if (c != NULL && c->hit)
		snprintf(created, sizeof(created), "%s", c->created);
	else
		isolab_now_rfc3339(created, sizeof(created));
	if (eng_bcfg_history(st->config, created, in->text, layer == NULL) < 0)
		return isolab_error_set(b->err, -ENOMEM, "out of memory");
	if (layer != NULL) {
		grown = realloc(st->layers, (st->n_layers + 1) * sizeof(*grown));
		if (grown == NULL)
			return isolab_error_set(b->err, -ENOMEM, "out of memory");
		st->layers = grown;
		if (eng_bcfg_add_layer(st->config, diff_id) < 0)
			return isolab_error_set(b->err, -EINVAL, "the image config has no rootfs.diff_ids");
		st->layers[st->n_layers] = *layer;
		st->layers[st->n_layers].media_type = ENG_MT_OCI_LAYER_GZIP;
		st->layers[st->n_layers].ref_name = NULL;
		st->n_layers++;
		st->bytes += tar_size;
	}
	if (c == NULL || !c->hit)
		cache_put(b, key, created, layer, diff_id, tar_size);
	st->key = *key;
	return 0;
}

/* A tree made by this build becomes a layer: packed, stored, unpacked once. */
static int tree_to_layer(struct build *b, const char *dir, enum eng_pack_mode mode,
			 struct eng_descriptor *layer, struct eng_layer_digests *dg)
{
	char tmp[PATH_MAX];
	_cleanup_close_ int fd = eng_store_tmpfile(b->s, tmp, b->err);
	int rc;

	if (fd < 0)
		return fd;
	rc = eng_layer_pack(dir, fd, mode, dg, b->err);
	if (rc < 0) {
		unlink(tmp);
		return rc;
	}
	rc = eng_store_blob_commit(b->s, tmp, &dg->blob, b->err);
	if (rc == 0)
		rc = eng_store_layer_ensure(b->s, &dg->blob, &dg->diff_id, b->err);
	memset(layer, 0, sizeof(*layer));
	layer->digest = dg->blob;
	layer->size = dg->blob_size;
	layer->media_type = ENG_MT_OCI_LAYER_GZIP;
	return rc;
}

static void print_cached_or_layer(struct build *b, const struct cached *c,
				  const struct eng_layer_digests *dg)
{
	char size[32];

	if (c != NULL && c->hit) {
		fprintf(b->o->out, " ---> CACHED\n");
		return;
	}
	if (dg == NULL)
		return;
	snprintf(size, sizeof(size), "%llu", (unsigned long long)dg->tar_size);
	fprintf(b->o->out, " ---> layer %.12s (%s bytes)\n", eng_digest_hex(&dg->diff_id), size);
}

/* ---- FROM ---- */

static bool has_path(cJSON *config)
{
	size_t n = 0;
	_cleanup_free_ const char **env = eng_bcfg_env(config, &n);
	bool found = false;

	for (size_t i = 0; env != NULL && i < n; i++)
		found |= strncmp(env[i], "PATH=", 5) == 0;
	return found;
}

static int do_from(struct build *b, const struct eng_df_instr *in)
{
	const char *name;
	struct stage *st;
	int rc;

	if (in->n_args == 0 || in->args == NULL)
		return fail(b, in, -EINVAL, "FROM needs an image");
	name = in->args[0];
	if (b->n_stages == STAGES_MAX)
		return fail(b, in, -E2BIG, "more than %d stages", STAGES_MAX);
	st = &b->stages[b->n_stages];
	memset(st, 0, sizeof(*st));
	if (in->as != NULL && (st->name = strdup(in->as)) == NULL)
		return isolab_error_set(b->err, -ENOMEM, "out of memory");
	if (strv_push(&st->shell, &st->n_shell, "/bin/sh") < 0 ||
	    strv_push(&st->shell, &st->n_shell, "-c") < 0)
		return isolab_error_set(b->err, -ENOMEM, "out of memory");
	b->n_stages++;
	for (size_t i = 0; i + 1 < b->n_stages; i++) {
		const struct stage *prev = &b->stages[i];

		if (prev->name != NULL && strcasecmp(prev->name, name) == 0) {
			st->config = cJSON_Duplicate(prev->config, true);
			st->layers = calloc(prev->n_layers + 1, sizeof(*st->layers));
			if (st->config == NULL || st->layers == NULL)
				return isolab_error_set(b->err, -ENOMEM, "out of memory");
			memcpy(st->layers, prev->layers, prev->n_layers * sizeof(*st->layers));
			st->n_layers = prev->n_layers;
			st->bytes = prev->bytes;
			st->key = prev->key;
			fprintf(b->o->out, " ---> stage %s\n", prev->name);
			return 0;
		}
	}
	if (strcmp(name, "scratch") == 0) {
		st->config = eng_bcfg_scratch();
		step_key(&(struct eng_digest){ { 0 } }, "FROM scratch", NULL, &st->key);
		return st->config ? 0 : isolab_error_set(b->err, -ENOMEM, "out of memory");
	}
	struct eng_image img;

	rc = eng_image_find(b->s, name, &img, b->err);
	if (rc < 0)
		return fail(b, in, rc, "FROM `%s`: %s (isolab pull, import or build it first)", name,
			    rc == -ENOENT ? "not in the store" : b->err->msg);
	st->config = cJSON_ParseWithLength(img.config_json, img.config_len);
	st->layers = calloc(img.manifest.n_layers + 1, sizeof(*st->layers));
	if (st->config == NULL || st->layers == NULL) {
		eng_image_free(&img);
		return isolab_error_set(b->err, -ENOMEM, "out of memory");
	}
	for (size_t i = 0; i < img.manifest.n_layers; i++) {
		st->layers[i].digest = img.manifest.layers[i].digest;
		st->layers[i].size = img.manifest.layers[i].size;
		st->layers[i].media_type = ENG_MT_OCI_LAYER_GZIP;
		st->bytes += eng_store_layer_size(b->s, &img.config.diff_ids[i]);
	}
	st->n_layers = img.manifest.n_layers;
	/* a base without PATH gets Docker's default, as BuildKit and buildah give it */
	if (!has_path(st->config) && eng_bcfg_set_env(st->config, "PATH", CTR_DEFAULT_PATH) < 0) {
		eng_image_free(&img);
		return isolab_error_set(b->err, -ENOMEM, "out of memory");
	}
	step_key(&(struct eng_digest){ { 0 } }, "FROM", img.id.str, &st->key);
	fprintf(b->o->out, " ---> %.12s\n", eng_digest_hex(&img.id));
	eng_image_free(&img);
	return 0;
}

/* ---- the metadata instructions ---- */

static int do_arg(struct build *b, struct stage *st, const struct eng_df_instr *in)
{
	for (size_t i = 0; i < in->n_kv; i++) {
		const struct eng_df_kv *kv = &in->kv[i];
		_cleanup_free_ char *line = NULL;
		const char *value;
		bool given;

		value = build_arg(b, kv->key, &given);
		if (!given && kv->has_value)
			value = kv->value;
		/* a global ARG redeclared without a value in a stage: its value */
		if (!given && !kv->has_value && st != NULL)
			value = strv_get(b->globals, b->n_globals, kv->key);
		if (asprintf(&line, "%s=%s", kv->key, value ? value : "") < 0 ||
		    strv_push(st ? &st->vars : &b->globals, st ? &st->n_vars : &b->n_globals, line) < 0)
			return isolab_error_set(b->err, -ENOMEM, "out of memory");
	}
	return 0;
}

/* The argv of CMD/ENTRYPOINT/RUN: exec form as written, shell form through SHELL. */
static char **argv_of(const struct stage *st, const struct eng_df_instr *in, size_t *n)
{
	char **v = NULL;

	*n = 0;
	if (in->json) {
		for (size_t i = 0; i < in->n_args; i++)
			if (strv_push(&v, n, in->args[i]) < 0)
				goto nomem;
		if (v == NULL && strv_push(&v, n, "") < 0)
			goto nomem;
		if (in->n_args == 0)
			*n = 0;
		return v;
	}
	for (size_t i = 0; i < st->n_shell; i++)
		if (strv_push(&v, n, st->shell[i]) < 0)
			goto nomem;
	if (strv_push(&v, n, in->n_args ? in->args[0] : "") < 0)
		goto nomem;
	return v;
nomem:
	strv_free(v, *n);
	return NULL;
}

static int do_meta(struct build *b, struct stage *st, const struct eng_df_instr *in)
{
	cJSON *c = st->config;
	char **argv = NULL;
	size_t n = 0;
	int rc = 0;

	switch (in->kind) {
	case ENG_DF_ENV:
		for (size_t i = 0; rc == 0 && i < in->n_kv; i++)
			rc = eng_bcfg_set_env(c, in->kv[i].key, in->kv[i].value);
		break;
	case ENG_DF_LABEL:
		for (size_t i = 0; rc == 0 && i < in->n_kv; i++)
			rc = eng_bcfg_set_label(c, in->kv[i].key, in->kv[i].value);
		break;
	case ENG_DF_EXPOSE:
		for (size_t i = 0; rc == 0 && i < in->n_args; i++)
			if (eng_bcfg_expose(c, in->args[i], b->err) < 0)
				rc = fail(b, in, -EINVAL, "%s", b->err->msg);
		break;
	case ENG_DF_VOLUME:
		for (size_t i = 0; rc == 0 && i < in->n_args; i++)
			rc = eng_bcfg_volume(c, in->args[i]);
		break;
	case ENG_DF_WORKDIR: {
		_cleanup_free_ char *dir = eng_bcfg_workdir(eng_bcfg_string(c, "WorkingDir"),
							    in->args[0]);

		rc = dir ? eng_bcfg_set_string(c, "WorkingDir", dir) : -ENOMEM;
		break;
	}
	case ENG_DF_USER:
	case ENG_DF_STOPSIGNAL:
		rc = eng_bcfg_set_string(c, in->kind == ENG_DF_USER ? "User" : "StopSignal", in->args[0]);
		break;
	case ENG_DF_MAINTAINER:
		cJSON_DeleteItemFromObjectCaseSensitive(c, "author");
		rc = cJSON_AddStringToObject(c, "author", in->n_args ? in->args[0] : "") ? 0 : -ENOMEM;
		break;
	case ENG_DF_SHELL:
		strv_free(st->shell, st->n_shell);
		st->shell = NULL, st->n_shell = 0;
		for (size_t i = 0; rc == 0 && i < in->n_args; i++)
			rc = strv_push(&st->shell, &st->n_shell, in->args[i]);
		if (rc == 0)
			rc = eng_bcfg_set_argv(c, "Shell", in->args, in->n_args, true);
		break;
	case ENG_DF_CMD:
	case ENG_DF_ENTRYPOINT:
		argv = argv_of(st, in, &n);
		if (argv == NULL && (in->n_args > 0 || !in->json))
			return isolab_error_set(b->err, -ENOMEM, "out of memory");
		rc = eng_bcfg_set_argv(c, in->kind == ENG_DF_CMD ? "Cmd" : "Entrypoint", argv, n,
				       st->cmd_set);
		if (in->kind == ENG_DF_CMD)
			st->cmd_set = true;
		strv_free(argv, n);
		break;
	default:
		return fail(b, in, -EINVAL, "internal: not a metadata instruction");
	}
	if (rc < 0)
		return b->err->code < 0 ? rc : isolab_error_set(b->err, rc, "out of memory");
	return 0;
}

/* ---- RUN ---- */

static int layer_dirs(struct build *b, const struct stage *st, char ***dirs)
{
	char path[PATH_MAX];
	const cJSON *ids = cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(st->config, "rootfs"), "diff_ids");
	size_t n = 0;
	const cJSON *it;

	*dirs = NULL;
	cJSON_ArrayForEach(it, ids) {
		struct eng_digest d;

		int rc = 0;

		if (!cJSON_IsString(it) || eng_digest_parse(it->valuestring, "diff_id", &d, b->err) < 0)
			rc = -EINVAL;
		if (rc == 0) {
			eng_store_layer_path(b->s, &d, path);
			if (strv_push(dirs, &n, path) < 0)
				rc = isolab_error_set(b->err, -ENOMEM, "out of memory");
		}
		if (rc < 0) { /* nothing half-made goes back */
			strv_free(*dirs, n);
			*dirs = NULL;
			return rc;
		}
	}
	return (int)n;
}

/* The image's /etc/passwd and /etc/group, or NULL (never through a link out). */
static void read_accounts(char *const *dirs, size_t n, char **passwd, char **group)
{
	*passwd = eng_layers_read_file(dirs, n, "etc/passwd", 1u << 20);
	*group = eng_layers_read_file(dirs, n, "etc/group", 1u << 20);
}

/* The uid:gid of the stage's User, names from its /etc/passwd and /etc/group. */
static int user_of(struct build *b, const struct stage *st, char **dirs, size_t n, char *buf,
		   size_t size)
{
	const char *user = eng_bcfg_string(st->config, "User");
	_cleanup_free_ char *passwd = NULL, *group = NULL;
	unsigned uid = 0, gid = 0;

	if (user == NULL) {
		snprintf(buf, size, "0:0");
		return 0;
	}
	read_accounts(dirs, n, &passwd, &group);
	if (eng_user_resolve(user, passwd, group, &uid, &gid, b->err) < 0)
		return -EINVAL;
	snprintf(buf, size, "%u:%u", uid, gid);
	return 0;
}

/* Runs argv in a container of the stage; its writable layer into upper. */
static int run_container(struct build *b, const struct stage *st, const struct eng_df_instr *in,
			 char **argv, size_t argc, const char *upper)
{
	char **dirs = NULL, **cmd = NULL, user[32], name[64];
	const char *wd = eng_bcfg_string(st->config, "WorkingDir");
	size_t n_cmd = 0, n_env = 0;
	_cleanup_free_ const char **env = eng_bcfg_env(st->config, &n_env);
	unsigned char r[4] = { 0 };
	int n_dirs, rc = 0, status;
	pid_t pid;

	n_dirs = layer_dirs(b, st, &dirs);
	if (n_dirs < 0)
		return n_dirs;
	if (n_dirs == 0) {
		strv_free(dirs, 0);
		return fail(b, in, -ENOENT, "RUN: the image has no layers (FROM scratch): nothing to run");
	}
	if (user_of(b, st, dirs, (size_t)n_dirs, user, sizeof(user)) < 0) {
		strv_free(dirs, (size_t)n_dirs);
		return fail(b, in, -EINVAL, "%s", b->err->msg);
	}
	if (getrandom(r, sizeof(r), 0) != sizeof(r))
		r[0] = (unsigned char)getpid();
	snprintf(name, sizeof(name), "isolab-build-%02x%02x%02x%02x", r[0], r[1], r[2], r[3]);
	/* --init: a signal that interrupts the build (SIGINT, SIGTERM) reaches
	 * the step's command through a PID 1 that passes it on; a command that
	 * is PID 1 itself would ignore it and the build would wait for it. */
	rc |= strv_push(&cmd, &n_cmd, b->o->ctr) | strv_push(&cmd, &n_cmd, "run") |
	      strv_push(&cmd, &n_cmd, "--init") |
	      strv_push(&cmd, &n_cmd, "--name") | strv_push(&cmd, &n_cmd, name) |
	      strv_push(&cmd, &n_cmd, "-u") | strv_push(&cmd, &n_cmd, user) |
	      strv_push(&cmd, &n_cmd, "--net") |
	      strv_push(&cmd, &n_cmd, b->o->network ? b->o->network : "none") |
	      strv_push(&cmd, &n_cmd, "--keep-layer") | strv_push(&cmd, &n_cmd, upper);
	for (int i = 0; i < n_dirs; i++)
		rc |= strv_push(&cmd, &n_cmd, "--layer") | strv_push(&cmd, &n_cmd, dirs[i]);
	/* the build args are in RUN's environment, not in the image (ENV wins) */
	for (size_t i = 0; i < st->n_vars; i++) {
		const char *eq = strchr(st->vars[i], '=');
		char key[256];

		snprintf(key, sizeof(key), "%.*s", eq ? (int)(eq - st->vars[i]) : 0, st->vars[i]);
		bool in_env = false;

		for (size_t k = 0; k < n_env; k++)
			in_env |= strncmp(env[k], key, strlen(key)) == 0 && env[k][strlen(key)] == '=';
		if (!in_env)
			rc |= strv_push(&cmd, &n_cmd, "-e") | strv_push(&cmd, &n_cmd, st->vars[i]);
	}
	for (size_t i = 0; i < n_env; i++)
		rc |= strv_push(&cmd, &n_cmd, "-e") | strv_push(&cmd, &n_cmd, env[i]);
	/* WORKDIR is made when missing, in this step's layer (as Docker does) */
	rc |= strv_push(&cmd, &n_cmd, "--") | strv_push(&cmd, &n_cmd, "/bin/sh") |
	      strv_push(&cmd, &n_cmd, "-c") |
	      strv_push(&cmd, &n_cmd, "mkdir -p -- \"$0\" && cd -- \"$0\" && exec \"$@\"") |
	      strv_push(&cmd, &n_cmd, wd ? wd : "/");
	for (size_t i = 0; i < argc; i++)
		rc |= strv_push(&cmd, &n_cmd, argv[i]);
	strv_free(dirs, (size_t)n_dirs);
	if (rc != 0) {
		strv_free(cmd, n_cmd);
		return isolab_error_set(b->err, -ENOMEM, "out of memory");
	}
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		execv(cmd[0], cmd);
		_exit(127);
	}
	strv_free(cmd, n_cmd);
	if (pid < 0)
		return isolab_error_errno(b->err, -errno, "RUN: fork");
	running = pid;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR) {
			running = 0;
			return isolab_error_errno(b->err, -errno, "RUN: wait");
		}
	running = 0;
	status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	if (interrupted)
		return isolab_error_set(b->err, -EINTR, "interrupted");
	if (status != 0) {
		b->r->run_status = status;
		return fail(b, in, -ECHILD, "%s: exit status %d", in->text, status);
	}
	return 0;
}

static int do_run(struct build *b, struct stage *st, const struct eng_df_instr *in,
		  const struct eng_digest *key_in)
{
	struct cached c;
	struct eng_descriptor layer;
	struct eng_layer_digests dg = { 0 };
	struct eng_digest key = *key_in;
	char upper[PATH_MAX + 32];
	char **argv;
	size_t argc;
	int rc;

	cache_get(b, &key, &c);
	if (c.hit) {
		print_cached_or_layer(b, &c, NULL);
		return add_step(b, st, in, &key, &c, c.has_layer ? &c.layer : NULL, &c.diff_id,
				c.tar_size);
	}
	argv = argv_of(st, in, &argc);
	if (argv == NULL)
		return isolab_error_set(b->err, -ENOMEM, "out of memory");
	snprintf(upper, sizeof(upper), "%s/run-%u", b->tmp, ++b->serial);
	rc = run_container(b, st, in, argv, argc, upper);
	strv_free(argv, argc);
	if (rc == 0)
		rc = tree_to_layer(b, upper, ENG_PACK_OVERLAY_UPPER, &layer, &dg);
	isolab_rm_rf(upper);
	if (rc < 0)
		return rc;
	print_cached_or_layer(b, NULL, &dg);
	return add_step(b, st, in, &key, &c, &layer, &dg.diff_id, dg.tar_size);
}

/* ---- COPY and ADD ---- */

struct copy_job {
	const char *root;             /* where the sources are */
	const struct eng_ignore *ig;
	char **srcs;
	size_t n_srcs;
	const char *dest;             /* absolute in the image */
	bool into_dir;
	int uid, gid;
	int mode;                     /* --chmod, or -1 */
	bool unpack;                  /* ADD: archives are unpacked */
	const char *tmp;              /* for ADD's unpacking */
	unsigned *serial;
	char **lower;                 /* the destination stage's layer dirs */
	size_t n_lower;
};

/* All of a job into layer; the files' hash in out. */
static int copy_all(const struct copy_job *j, const char *layer, struct eng_digest *out,
		    struct isolab_error *err)
{
	struct eng_hasher *h = eng_hasher_new();
	struct eng_copy_opts co = { j->uid, j->gid, j->ig, h, j->lower, j->n_lower, j->mode };
	int rc = h ? 0 : isolab_error_set(err, -ENOMEM, "out of memory");

	for (size_t i = 0; rc == 0 && i < j->n_srcs; i++) {
		char path[PATH_MAX + 4200];

		snprintf(path, sizeof(path), "%s/%s", j->root, j->srcs[i]);
		if (j->unpack && eng_copy_is_archive(path)) {
			const struct eng_unpack_limits lim = { ENG_LAYER_MAX_BYTES, ENG_LAYER_MAX_ENTRIES };
			char dir[PATH_MAX + 32];
			struct eng_layer_digests dg;
			_cleanup_close_ int fd = isolab_open_regular(path, NULL, err);

			if (fd < 0)
				return isolab_error_wrap(err, "ADD `%s`", j->srcs[i]);
			snprintf(dir, sizeof(dir), "%s/add-%u", j->tmp, ++*j->serial);
			rc = eng_layer_unpack(fd, dir, &lim, &dg, err);
			eng_hasher_update(h, dg.blob.str, rc == 0 ? strlen(dg.blob.str) : 0);
			if (rc == 0) {
				co.hash = NULL; /* the archive's digest stands for its files */
				rc = eng_copy_into(dir, "", layer, j->dest, true, &co, err);
				co.hash = h;
			}
			isolab_rm_rf(dir);
		} else {
			rc = eng_copy_into(j->root, j->srcs[i], layer, j->dest, j->into_dir, &co, err);
		}
	}
	if (h != NULL) {
		if (rc == 0)
			eng_hasher_final(h, out);
		else
			eng_hasher_free(h);
	}
	return rc;
}

/* COPY --from: the stage's layers merged (overlay, read-only) in a mount
 * namespace of a child's own, which takes the mount with it when it ends. */
static int copy_from_stage(struct build *b, const struct stage *from, const struct copy_job *j0,
			   const char *layer, struct eng_digest *out)
{
	char **dirs = NULL, mnt[PATH_MAX + 32], opts[65536];
	int n = layer_dirs(b, from, &dirs), pipefd[2], status;
	struct { int code; char msg[ISOLAB_ERROR_MSG_MAX]; struct eng_digest d; } res = { 0 };
	size_t len = 0;
	pid_t pid;

	if (n < 0)
		return n;
	snprintf(mnt, sizeof(mnt), "%s/from-%u", b->tmp, ++b->serial);
	if (mkdir(mnt, 0700) < 0 || pipe2(pipefd, O_CLOEXEC) < 0) {
		strv_free(dirs, (size_t)n);
		return isolab_error_errno(b->err, -errno, "COPY --from: `%s`", mnt);
	}
	len = (size_t)snprintf(opts, sizeof(opts), "lowerdir=");
	for (int i = n; i-- > 0;)
		len += (size_t)snprintf(opts + len, sizeof(opts) - len, "%s%s", dirs[i], i ? ":" : "");
	pid = fork();
	if (pid == 0) {
		struct copy_job j = *j0;
		struct isolab_error e = { 0 };

		close(pipefd[0]);
		j.root = n == 0 ? mnt : n == 1 ? dirs[0] : mnt;
		if (n > 1 && (unshare(CLONE_NEWNS) < 0 ||
			      mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
			      mount("overlay", mnt, "overlay", MS_RDONLY, opts) < 0))
			isolab_error_errno(&e, -errno, "COPY --from: mount the stage");
		else
			copy_all(&j, layer, &res.d, &e);
		res.code = e.code;
		snprintf(res.msg, sizeof(res.msg), "%s", e.msg);
		if (write(pipefd[1], &res, sizeof(res)) != (ssize_t)sizeof(res))
			_exit(1);
		_exit(0);
	}
	close(pipefd[1]);
	strv_free(dirs, (size_t)n);
	if (pid < 0) {
		close(pipefd[0]);
		return isolab_error_errno(b->err, -errno, "COPY --from: fork");
	}
	if (read(pipefd[0], &res, sizeof(res)) != (ssize_t)sizeof(res))
		res.code = -EIO, snprintf(res.msg, sizeof(res.msg), "COPY --from: the copy died");
	close(pipefd[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	rmdir(mnt);
	if (res.code < 0)
		return isolab_error_set(b->err, res.code, "%s", res.msg);
	*out = res.d;
	return 0;
}

/* ADD URL: fetched into dir/NAME (only with --allow-url). */
static size_t to_file(char *p, size_t size, size_t n, void *arg)
{
	return fwrite(p, size, n, arg);
}

static int fetch_url(struct build *b, const struct eng_df_instr *in, const char *url,
		     const char *dir, char *name, size_t size)
{
	const char *slash = strrchr(url, '/');
	char path[PATH_MAX + 300];
	CURL *curl;
	FILE *f;
	CURLcode cc;
	long code = 0;

	if (!b->o->allow_url)
		return fail(b, in, -EPERM, "ADD `%s`: a remote source needs --allow-url", url);
	snprintf(name, size, "%s", slash && slash[1] ? slash + 1 : "download");
	name[strcspn(name, "?#")] = '\0';
	if (name[0] == '\0' || strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		snprintf(name, size, "download");
	if (isolab_mkdir_p(dir, 0700) < 0)
		return isolab_error_errno(b->err, -errno, "ADD: `%s`", dir);
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "we");
	curl = curl_easy_init();
	if (f == NULL || curl == NULL) {
		if (f)
			fclose(f);
		curl_easy_cleanup(curl);
		return isolab_error_set(b->err, -ENOMEM, "ADD `%s`: cannot start", url);
	}
	curl_easy_setopt(curl, CURLOPT_URL, url);
	curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, to_file);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, f);
	curl_easy_setopt(curl, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)ADD_URL_MAX);
	curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, 30L);
	curl_easy_setopt(curl, CURLOPT_NOPROXY, "*");
	cc = curl_easy_perform(curl);
	curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &code);
	curl_easy_cleanup(curl);
	fclose(f);
	if (cc != CURLE_OK || code != 200)
		return fail(b, in, -EIO, "ADD `%s`: %s", url,
			    cc != CURLE_OK ? curl_easy_strerror(cc) : "not 200 OK");
	chmod(path, 0600); /* Docker's mode for a downloaded file */
	return 0;
}

static int do_copy(struct build *b, struct stage *st, const struct eng_df_instr *in)
{
	bool add = in->kind == ENG_DF_ADD;
	const char *from = eng_df_flag(in, "from"), *chown = eng_df_flag(in, "chown");
	const char *chmod_flag = eng_df_flag(in, "chmod");
	const struct stage *src_stage = NULL;
	struct copy_job j = { .root = b->ctx.dir, .ig = b->ctx.ignore, .uid = -1, .gid = -1,
			      .mode = -1, .unpack = add, .tmp = b->tmp, .serial = &b->serial };
	char dest[PATH_MAX], url_name[256];
	const char *last = in->args[in->n_args - 1];
	char layer[PATH_MAX + 32], url_dir[PATH_MAX + 32], **srcs = NULL;
	struct eng_digest files, key;
	struct eng_layer_digests dg = { 0 };
	struct eng_descriptor desc;
	struct cached c;
	size_t n_srcs = 0;
	int rc = 0;

	if (in->n_args < 2)
		return fail(b, in, -EINVAL, "%s needs a source and a destination", add ? "ADD" : "COPY");
	if (from != NULL) {
		for (size_t i = 0; i + 1 < b->n_stages && src_stage == NULL; i++)
			if ((b->stages[i].name && strcasecmp(b->stages[i].name, from) == 0) ||
			    (from[0] >= '0' && from[0] <= '9' && strtoul(from, NULL, 10) == i))
				src_stage = &b->stages[i];
		if (src_stage == NULL)
			return fail(b, in, -ENOENT, "COPY --from=%s: no earlier stage of that name", from);
		j.ig = NULL;
	}
	if (chmod_flag != NULL) {
		char *end;
		long m = strtol(chmod_flag, &end, 8);

		if (*chmod_flag == '\0' || *end != '\0' || m < 0 || m > 07777)
			return fail(b, in, -EINVAL, "--chmod=%s: not an octal mode", chmod_flag);
		j.mode = (int)m;
	}
	/* the stage's layers: where --chown's names are, and what parent
	 * directories the copy must keep as they are (read once) */
	rc = layer_dirs(b, st, &j.lower);
	if (rc < 0)
		return rc;
	j.n_lower = (size_t)rc;
	rc = 0;
	if (chown != NULL) {
		unsigned uid, gid;
		_cleanup_free_ char *passwd = NULL, *group = NULL;

		read_accounts(j.lower, j.n_lower, &passwd, &group);
		if (eng_user_resolve(chown, passwd, group, &uid, &gid, b->err) < 0) {
			strv_free(j.lower, j.n_lower);
			return fail(b, in, -EINVAL, "--chown: %s", b->err->msg);
		}
		j.uid = (int)uid, j.gid = (int)gid;
	}
	/* destination: relative to WORKDIR; a trailing / (or several sources) means a dir */
	{
		char *d = last[0] == '/' ? strdup(last)
					 : eng_bcfg_workdir(eng_bcfg_string(st->config, "WorkingDir"),
							    last);

		if (d == NULL) {
			strv_free(j.lower, j.n_lower);
			return isolab_error_set(b->err, -ENOMEM, "out of memory");
		}
		snprintf(dest, sizeof(dest), "%s", d);
		free(d);
	}
	j.dest = dest;
	j.into_dir = last[strlen(last) - 1] == '/' || in->n_args > 2;
	snprintf(layer, sizeof(layer), "%s/copy-%u", b->tmp, ++b->serial);
	snprintf(url_dir, sizeof(url_dir), "%s/url-%u", b->tmp, b->serial);
	if (mkdir(layer, 0755) < 0) {
		strv_free(j.lower, j.n_lower);
		return isolab_error_errno(b->err, -errno, "COPY: `%s`", layer);
	}
	for (size_t i = 0; rc == 0 && i + 1 < in->n_args; i++) {
		const char *src = in->args[i];
		char **found = NULL;
		size_t n = 0;

		if (add && (strncmp(src, "http://", 7) == 0 || strncmp(src, "https://", 8) == 0)) {
			rc = fetch_url(b, in, src, url_dir, url_name, sizeof(url_name));
			if (rc == 0)
				rc = strv_push(&srcs, &n_srcs, url_name);
			j.root = url_dir;
			j.unpack = false; /* a remote archive is not unpacked */
			continue;
		}
		if (rc == 0 && from == NULL)
			rc = eng_copy_sources(b->ctx.dir, b->ctx.ignore, src, add ? "ADD" : "COPY",
					      &found, &n, b->err);
		else if (rc == 0)
			rc = strv_push(&found, &n, src[0] == '/' ? src + 1 : src);
		if (rc < 0)
			rc = fail(b, in, rc, "%s", b->err->msg);
		for (size_t k = 0; rc == 0 && k < n; k++)
			rc = strv_push(&srcs, &n_srcs, found[k]);
		if (n > 1)
			j.into_dir = true;
		eng_copy_sources_free(found, n);
	}
	j.srcs = srcs, j.n_srcs = n_srcs;
	if (rc == 0)
		rc = src_stage ? copy_from_stage(b, src_stage, &j, layer, &files)
			       : copy_all(&j, layer, &files, b->err);
	if (rc < 0 && b->err->msg[0] != '\0' && strncmp(b->err->msg, b->file, strlen(b->file)) != 0)
		rc = fail(b, in, rc, "%s", b->err->msg);
	strv_free(srcs, n_srcs);
	strv_free(j.lower, j.n_lower);
	if (rc < 0) {
		isolab_rm_rf(layer);
		isolab_rm_rf(url_dir);
		return rc;
	}
	/* the key: the instruction, what was copied, and from where */
	{
		char extra[4500];

		snprintf(extra, sizeof(extra), "%s %s %d:%d %o %s", files.str,
			 src_stage ? src_stage->key.str : "context", j.uid, j.gid,
			 (unsigned)(j.mode < 0 ? 0 : j.mode), j.dest);
		step_key(&st->key, in->text, extra, &key);
	}
	cache_get(b, &key, &c);
	if (c.hit) {
		isolab_rm_rf(layer);
		isolab_rm_rf(url_dir);
		print_cached_or_layer(b, &c, NULL);
		return add_step(b, st, in, &key, &c, &c.layer, &c.diff_id, c.tar_size);
	}
	rc = tree_to_layer(b, layer, ENG_PACK_ROOTFS, &desc, &dg);
	isolab_rm_rf(layer);
	isolab_rm_rf(url_dir);
	if (rc < 0)
		return rc;
	print_cached_or_layer(b, NULL, &dg);
	return add_step(b, st, in, &key, &c, &desc, &dg.diff_id, dg.tar_size);
}

/* ---- the whole build ---- */

/* What a step's cache key says of the instruction: its kind and words as
 * expanded (RUN: with the build args it sees and its network). */
static int key_of(struct build *b, struct stage *st, const struct eng_df_instr *in,
		  struct eng_digest *key)
{
	char *extra = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&extra, &len);

	if (f == NULL)
		return isolab_error_set(b->err, -ENOMEM, "out of memory");
	/* RUN: with its network too, as BuildKit's exec op (docker/buildx#1989):
	 * an apt-get that worked under --network host is no answer under none */
	if (in->kind == ENG_DF_RUN) {
		fprintf(f, "n%s%c", b->o->network ? b->o->network : "none", 0);
		for (size_t i = 0; i < st->n_vars; i++)
			fprintf(f, "%s%c", st->vars[i], 0);
	}
	/* the words as expanded: ENV A=$ARG changes with the ARG */
	for (size_t i = 0; i < in->n_args; i++)
		fprintf(f, "a%s%c", in->args[i], 0);
	for (size_t i = 0; i < in->n_kv; i++)
		fprintf(f, "k%s=%s%c", in->kv[i].key, in->kv[i].value ? in->kv[i].value : "", 0);
	fclose(f);
	step_key(&st->key, in->text, extra, key);
	free(extra);
	return 0;
}

static int step_expanded(struct build *b, struct stage *st, const struct eng_df_instr *in)
{
	struct eng_digest key;
	struct cached c;
	int rc;

	if (in->kind == ENG_DF_FROM)
		return do_from(b, in);
	if (in->kind == ENG_DF_ARG) {
		rc = do_arg(b, st, in);
		if (rc < 0 || st == NULL)
			return rc;
	}
	if (st == NULL)
		return fail(b, in, -EINVAL, "%s before the first FROM", in->text);
	if (in->kind == ENG_DF_COPY || in->kind == ENG_DF_ADD)
		return do_copy(b, st, in);
	rc = key_of(b, st, in, &key);
	if (rc < 0)
		return rc;
	if (in->kind == ENG_DF_RUN)
		return do_run(b, st, in, &key);
	if (in->kind != ENG_DF_ARG) {
		rc = do_meta(b, st, in);
		if (rc < 0)
			return rc;
	}
	cache_get(b, &key, &c);
	print_cached_or_layer(b, &c, NULL);
	return add_step(b, st, in, &key, &c, NULL, NULL, 0);
}

static int step(struct build *b, size_t i)
{
	const struct eng_df_instr *in = &b->df.instrs[i];
	/* FROM sees the global ARGs only */
	struct stage *st = b->n_stages && in->kind != ENG_DF_FROM ? &b->stages[b->n_stages - 1]
								 : NULL;
	struct eng_df_instr ex = { 0 };
	int rc;

	fprintf(b->o->out, "Step %zu/%zu : %s\n", i + 1, b->df.n, in->text);
	rc = expand_instr(b, st, in, &ex);
	if (rc < 0)
		return rc;
	if (in->kind != ENG_DF_FROM)
		st = b->n_stages ? &b->stages[b->n_stages - 1] : NULL;
	rc = step_expanded(b, st, &ex);
	eng_df_instr_free(&ex);
	return rc;
}

static const struct stage *target_stage(struct build *b, struct isolab_error *err)
{
	if (b->o->target == NULL)
		return &b->stages[b->n_stages - 1];
	for (size_t i = 0; i < b->n_stages; i++)
		if (b->stages[i].name && strcasecmp(b->stages[i].name, b->o->target) == 0)
			return &b->stages[i];
	isolab_error_set(err, -ENOENT, "--target `%s`: no stage of that name", b->o->target);
	return NULL;
}

/* The last instruction of --target's stage (the build stops there). */
static size_t last_instr(const struct build *b)
{
	size_t end = b->df.n;

	if (b->o->target == NULL)
		return end;
	for (size_t i = 0; i < b->df.n; i++) {
		if (b->df.instrs[i].kind != ENG_DF_FROM)
			continue;
		if (b->df.instrs[i].as && strcasecmp(b->df.instrs[i].as, b->o->target) == 0) {
			size_t k = i + 1;

			while (k < b->df.n && b->df.instrs[k].kind != ENG_DF_FROM)
				k++;
			return k;
		}
	}
	return end;
}

static int finish_image(struct build *b, struct eng_digest *id)
{
	const struct stage *st = target_stage(b, b->err);
	_cleanup_free_ char *config = NULL;
	struct eng_digest manifest;
	struct eng_image img;
	int rc;

	if (st == NULL)
		return -ENOENT;
	config = cJSON_PrintUnformatted(st->config);
	if (config == NULL)
		return isolab_error_set(b->err, -ENOMEM, "out of memory");
	rc = eng_image_add(b->s, config, strlen(config), st->layers, st->n_layers,
			   b->o->n_tags ? b->o->tags[0] : NULL, &manifest, b->err);
	for (size_t i = 1; rc == 0 && i < b->o->n_tags; i++) {
		struct eng_descriptor md = { .media_type = ENG_MT_OCI_MANIFEST, .digest = manifest };

		rc = eng_image_load(b->s, &manifest, &img, b->err);
		if (rc == 0) {
			md.size = img.manifest_size;
			eng_image_free(&img);
			rc = eng_image_tag(b->s, &md, b->o->tags[i], b->err);
		}
	}
	if (rc < 0)
		return rc;
	eng_digest_buf(config, strlen(config), id);
	for (size_t i = 0; i + 1 < b->n_stages && b->n_stages > 1; i++)
		fprintf(b->o->out, "stage %zu%s%s: %llu bytes in %zu layer%s\n", i,
			b->stages[i].name ? " " : "", b->stages[i].name ? b->stages[i].name : "",
			(unsigned long long)b->stages[i].bytes, b->stages[i].n_layers,
			b->stages[i].n_layers == 1 ? "" : "s");
	fprintf(b->o->out, "image: %llu bytes in %zu layer%s\n", (unsigned long long)st->bytes,
		st->n_layers, st->n_layers == 1 ? "" : "s");
	fprintf(b->o->out, "Successfully built %.12s\n", eng_digest_hex(id));
	for (size_t i = 0; i < b->o->n_tags; i++)
		fprintf(b->o->out, "Successfully tagged %s\n", b->o->tags[i]);
	return 0;
}

static void build_free(struct build *b)
{
	for (size_t i = 0; i < b->n_stages; i++) {
		struct stage *st = &b->stages[i];

		free(st->name);
		cJSON_Delete(st->config);
		free(st->layers);
		strv_free(st->vars, st->n_vars);
		strv_free(st->shell, st->n_shell);
	}
	strv_free(b->globals, b->n_globals);
	eng_dockerfile_free(&b->df);
	eng_context_close(&b->ctx);
	if (b->tmp[0] != '\0')
		isolab_rm_rf(b->tmp);
}

int eng_build(const struct eng_store *s, const struct eng_build_opts *o,
	      struct eng_build_result *r, struct isolab_error *err)
{
	struct build *b = calloc(1, sizeof(*b));
	struct sigaction sa = { .sa_handler = on_signal }, old_int, old_term;
	_cleanup_free_ char *text = NULL;
	char size[64];
	size_t len = 0, end;
	int rc;

	memset(r, 0, sizeof(*r));
	if (b == NULL)
		return isolab_error_set(err, -ENOMEM, "out of memory");
	b->s = s, b->o = o, b->r = r, b->err = err;
	if (o->dockerfile)
		snprintf(b->file, sizeof(b->file), "%s", o->dockerfile);
	else
		snprintf(b->file, sizeof(b->file), "%s/Dockerfile", o->context);
	rc = isolab_read_regular(b->file, DOCKERFILE_MAX, &text, &len, err);
	if (rc == 0)
		rc = eng_dockerfile_parse(text, len, b->file, &b->df, err);
	if (rc == 0)
		rc = eng_context_open(&b->ctx, o->context, err);
	if (rc < 0) {
		build_free(b);
		free(b);
		return rc;
	}
	snprintf(size, sizeof(size), "%llu", (unsigned long long)b->ctx.bytes);
	fprintf(o->out, "Sending build context: %s bytes in %zu files\n", size, b->ctx.files);
	snprintf(b->tmp, sizeof(b->tmp), "%s/tmp/build-XXXXXX", s->root);
	if (mkdtemp(b->tmp) == NULL) {
		rc = isolab_error_errno(err, -errno, "build: temp dir in `%s/tmp`", s->root);
		b->tmp[0] = '\0';
		build_free(b);
		free(b);
		return rc;
	}
	interrupted = 0;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	end = last_instr(b);
	for (size_t i = 0; rc == 0 && i < end; i++) {
		rc = step(b, i);
		if (rc == 0 && interrupted)
			rc = isolab_error_set(err, -EINTR, "interrupted");
	}
	if (rc == 0)
		rc = finish_image(b, &r->id);
	r->interrupted = interrupted != 0;
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	build_free(b);
	free(b);
	return rc;
}
