/*
 * eng_manifest.c: libFuzzer target for the engine's image JSON
 * (engine/lib/image_json.c): the input is one document, as a registry or
 * an image archive would hand it over, and goes through all three
 * parsers -- manifest, index, config. What one accepts must build into
 * JSON that parses again and builds to the same bytes (a fixed point);
 * an accepted config also goes through the command-line and environment
 * rules of engine/lib/cmdline.c. A refusal must leave a message and an
 * empty struct; ASan finds leaks on every error path.
 */
#include "fuzz/fuzz.h"

#include <string.h>
#include "engine/lib/cmdline.h"
#include "engine/lib/image_json.h"

static void check_manifest(const char *json, size_t len)
{
	struct isolab_error err = { 0 };
	struct eng_manifest m, back;
	enum eng_layer_compression comp;
	char *text, *again;
	int rc = eng_manifest_parse(json, len, &m, &err);

	if (rc != 0) {
		FUZZ_ASSERT(err.msg[0] != '\0' && m.layers == NULL && m.media_type == NULL);
		return;
	}
	FUZZ_ASSERT(m.n_layers <= ENG_LAYERS_MAX && m.config.size <= ENG_JSON_SIZE_MAX);
	for (size_t i = 0; i < m.n_layers; i++)
		FUZZ_ASSERT(eng_layer_media_type(m.layers[i].media_type, "l", &comp, &err) == 0 &&
			    eng_digest_valid(m.layers[i].digest.str));
	text = eng_manifest_build(&m);
	FUZZ_ASSERT(text != NULL);
	FUZZ_ASSERT(eng_manifest_parse(text, strlen(text), &back, &err) == 0);
	FUZZ_ASSERT(back.n_layers == m.n_layers);
	again = eng_manifest_build(&back);
	FUZZ_ASSERT(again != NULL && strcmp(again, text) == 0);
	free(again);
	free(text);
	eng_manifest_free(&back);
	eng_manifest_free(&m);
}

static void check_index(const char *json, size_t len)
{
	struct isolab_error err = { 0 };
	struct eng_index ix, back;
	char *text, *again;

	if (eng_index_parse(json, len, &ix, &err) != 0) {
		FUZZ_ASSERT(err.msg[0] != '\0' && ix.manifests == NULL && ix.n == 0);
		return;
	}
	(void)eng_index_pick_platform(&ix, "linux", "amd64");
	text = eng_index_build(&ix);
	FUZZ_ASSERT(text != NULL);
	FUZZ_ASSERT(eng_index_parse(text, strlen(text), &back, &err) == 0 && back.n == ix.n);
	again = eng_index_build(&back);
	FUZZ_ASSERT(again != NULL && strcmp(again, text) == 0);
	free(again);
	free(text);
	eng_index_free(&back);
	eng_index_free(&ix);
}

static void check_run(const struct eng_image_config *c)
{
	static char *const args[] = { "sh" };
	static char *const opts[] = { "A=1", "PATH", "HOME" };
	static char *const caller[] = { "HOME=/root", NULL };
	struct eng_run_override o = { .args = args, .n_args = 1 };
	struct eng_env_request rq = { .opts = opts, .n_opts = 3, .caller_env = caller };
	struct isolab_error err = { 0 };
	char **argv, **env;
	size_t argc, n;
	unsigned uid, gid;

	if (eng_cmdline_resolve(c, NULL, &argv, &argc, &err) == 0) {
		FUZZ_ASSERT(argc == c->n_entrypoint + c->n_cmd && argc > 0 && argv[argc] == NULL);
		eng_strv_free(argv);
	} else {
		FUZZ_ASSERT(c->n_entrypoint + c->n_cmd == 0 && argv == NULL);
	}
	FUZZ_ASSERT(eng_cmdline_resolve(c, &o, &argv, &argc, &err) == 0);
	FUZZ_ASSERT(argc == c->n_entrypoint + 1 && argv[argc] == NULL);
	eng_strv_free(argv);
	FUZZ_ASSERT(eng_env_resolve(c, &rq, &env, &n, &err) == 0);
	FUZZ_ASSERT(n >= 2 && env[n] == NULL && strcmp(env[0], "A=1") == 0);
	eng_strv_free(env);
	/* the image's User against a small passwd, and without one */
	if (eng_user_resolve(c->user, "root:x:0:0::/:/bin/sh\napp:x:1:2::/:\n", "g:x:3:\n",
			     &uid, &gid, &err) != 0)
		FUZZ_ASSERT(err.msg[0] != '\0');
	(void)eng_user_resolve(c->user, NULL, NULL, &uid, &gid, &err);
}

static void check_config(const char *json, size_t len)
{
	struct isolab_error err = { 0 };
	struct eng_image_config c, back;
	char *text, *again;

	if (eng_config_parse(json, len, &c, &err) != 0) {
		FUZZ_ASSERT(err.msg[0] != '\0' && c.architecture == NULL && c.env == NULL);
		return;
	}
	FUZZ_ASSERT(c.architecture != NULL && c.os != NULL && c.n_diff_ids <= ENG_LAYERS_MAX);
	FUZZ_ASSERT(c.env == NULL || c.env[c.n_env] == NULL);
	FUZZ_ASSERT(c.cmd == NULL || c.cmd[c.n_cmd] == NULL);
	for (size_t i = 0; c.env != NULL && i < c.n_env; i++)
		FUZZ_ASSERT(strchr(c.env[i], '=') != NULL && c.env[i][0] != '=');
	check_run(&c);
	text = eng_config_build(&c);
	FUZZ_ASSERT(text != NULL);
	FUZZ_ASSERT(eng_config_parse(text, strlen(text), &back, &err) == 0);
	FUZZ_ASSERT(back.n_env == c.n_env && back.n_labels == c.n_labels &&
		    back.has_entrypoint == c.has_entrypoint && back.has_cmd == c.has_cmd);
	again = eng_config_build(&back);
	FUZZ_ASSERT(again != NULL && strcmp(again, text) == 0);
	free(again);
	free(text);
	eng_config_free(&back);
	eng_config_free(&c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *json = (const char *)data;

	check_manifest(json, size);
	check_index(json, size);
	check_config(json, size);
	return 0;
}
