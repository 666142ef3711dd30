/* test_image_json.c: unit tests for engine/lib/image_json.c (manifests, indexes, configs). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/lib/image_json.h"

#define D1 "sha256:1111111111111111111111111111111111111111111111111111111111111111"
#define D2 "sha256:2222222222222222222222222222222222222222222222222222222222222222"
#define D3 "sha256:3333333333333333333333333333333333333333333333333333333333333333"

/* A manifest as registries serve them (pretty-printed, members in any order). */
static const char oci_manifest[] =
	"{\n  \"schemaVersion\": 2,\n"
	"  \"mediaType\": \"application/vnd.oci.image.manifest.v1+json\",\n"
	"  \"config\": {\"mediaType\": \"application/vnd.oci.image.config.v1+json\",\n"
	"             \"size\": 1469, \"digest\": \"" D1 "\"},\n"
	"  \"layers\": [\n"
	"    {\"mediaType\": \"application/vnd.oci.image.layer.v1.tar+gzip\", \"digest\": \"" D2
	"\", \"size\": 3623807},\n"
	"    {\"mediaType\": \"application/vnd.oci.image.layer.v1.tar\", \"digest\": \"" D3
	"\", \"size\": 0, \"annotations\": {\"x\": \"y\"}}\n"
	"  ],\n"
	"  \"annotations\": {\"org.opencontainers.image.created\": \"2024-01-01T00:00:00Z\"},\n"
	"  \"unknownMember\": [1, {\"deep\": null}]\n}\n";

static void manifest_parses_oci(void **state)
{
	struct isolab_error err = { 0 };
	struct eng_manifest m;

	assert_int_equal(eng_manifest_parse(oci_manifest, strlen(oci_manifest), &m, &err), 0);
	assert_string_equal(m.media_type, ENG_MT_OCI_MANIFEST);
	assert_string_equal(m.config.media_type, ENG_MT_OCI_CONFIG);
	assert_string_equal(m.config.digest.str, D1);
	assert_int_equal(m.config.size, 1469);
	assert_int_equal(m.n_layers, 2);
	assert_string_equal(m.layers[0].media_type, ENG_MT_OCI_LAYER_GZIP);
	assert_string_equal(m.layers[0].digest.str, D2);
	assert_int_equal(m.layers[0].size, 3623807);
	assert_string_equal(m.layers[1].digest.str, D3);
	assert_int_equal(m.layers[1].size, 0);
	assert_null(m.layers[1].ref_name);
	eng_manifest_free(&m);
	assert_null(m.layers);
	eng_manifest_free(NULL);
}

static void manifest_parses_docker_schema2(void **state)
{
	static const char text[] =
		"{\"schemaVersion\":2,\"mediaType\":\"" ENG_MT_DOCKER_MANIFEST "\","
		"\"config\":{\"mediaType\":\"" ENG_MT_DOCKER_CONFIG "\",\"size\":7023,"
		"\"digest\":\"" D1 "\"},\"layers\":[{\"mediaType\":\"" ENG_MT_DOCKER_LAYER "\","
		"\"size\":32654,\"digest\":\"" D2 "\"}]}";
	struct isolab_error err = { 0 };
	struct eng_manifest m;
	enum eng_layer_compression comp;

	assert_int_equal(eng_manifest_parse(text, strlen(text), &m, &err), 0);
	assert_string_equal(m.media_type, ENG_MT_DOCKER_MANIFEST);
	assert_string_equal(m.config.media_type, ENG_MT_DOCKER_CONFIG);
	assert_int_equal(m.n_layers, 1);
	assert_int_equal(eng_layer_media_type(m.layers[0].media_type, "x", &comp, &err), 0);
	assert_int_equal(comp, ENG_LAYER_GZIP);
	eng_manifest_free(&m);

	/* without mediaType: an OCI manifest (manifest.md: SHOULD, not MUST) */
	{
		static const char bare[] =
			"{\"schemaVersion\":2,\"config\":{\"mediaType\":\"" ENG_MT_OCI_CONFIG "\","
			"\"size\":2,\"digest\":\"" D1 "\"},\"layers\":[]}";

		assert_int_equal(eng_manifest_parse(bare, strlen(bare), &m, &err), 0);
		assert_string_equal(m.media_type, ENG_MT_OCI_MANIFEST);
		assert_int_equal(m.n_layers, 0);
		assert_null(m.layers);
		eng_manifest_free(&m);
	}
}

static void manifest_sends_indexes_away(void **state)
{
	static const char list[] =
		"{\"schemaVersion\":2,\"mediaType\":\"" ENG_MT_DOCKER_LIST "\",\"manifests\":[]}";
	static const char bare_index[] = "{\"schemaVersion\":2,\"manifests\":[]}";
	struct isolab_error err = { 0 };
	struct eng_manifest m;

	assert_int_equal(eng_manifest_parse(list, strlen(list), &m, &err), ENG_E_IS_INDEX);
	assert_string_equal(err.msg, "manifest: an image index (" ENG_MT_DOCKER_LIST
			    "), not a manifest");
	assert_null(m.media_type);
	assert_int_equal(eng_manifest_parse(bare_index, strlen(bare_index), &m, &err),
			 ENG_E_IS_INDEX);
	assert_string_equal(err.msg, "manifest: an image index, not a manifest");
}

/* A manifest with `head` (members) first and `layers` as its layers,
 * parsed; returns the code and leaves the message in err. */
static int parse_manifest_with(const char *head, const char *layers, struct isolab_error *err)
{
	size_t size = strlen(head) + strlen(layers) + 256;
	char *text = malloc(size);
	struct eng_manifest m;
	int rc;

	assert_non_null(text);
	snprintf(text, size,
		 "{%s\"schemaVersion\":2,\"config\":{\"mediaType\":\"" ENG_MT_OCI_CONFIG "\","
		 "\"size\":2,\"digest\":\"" D1 "\"},\"layers\":%s}", head, layers);
	rc = eng_manifest_parse(text, strlen(text), &m, err);
	free(text);
	if (rc == 0)
		eng_manifest_free(&m);
	else
		assert_null(m.layers);
	return rc;
}

#define LAYER(mt, digest, size) \
	"{\"mediaType\":\"" mt "\",\"digest\":\"" digest "\",\"size\":" size "}"

static void expect_manifest(const char *head, const char *layers, int code, const char *msg)
{
	struct isolab_error err = { 0 };
	int rc = parse_manifest_with(head, layers, &err);

	if (rc != code)
		fail_msg("layers %s: %d (%s), not %d", layers, rc, err.msg, code);
	if (msg != NULL)
		assert_string_equal(err.msg, msg);
}

static void manifest_refuses_hostile(void **state)
{
	expect_manifest("", "[" LAYER(ENG_MT_OCI_LAYER_GZIP, D2, "1") "," LAYER(ENG_MT_OCI_LAYER_GZIP,
		"sha256:zz", "1") "]", -EINVAL, "manifest: layers[1].digest `sha256:zz`: not a "
		"sha256 digest (sha256: and 64 lowercase hex digits)");
	expect_manifest("", "[" LAYER(ENG_MT_OCI_LAYER_ZSTD, D2, "1") "]", -ENOTSUP,
			"manifest: layers[0].mediaType: zstd layers are not supported");
	expect_manifest("", "[" LAYER(ENG_MT_DOCKER_FOREIGN, D2, "1") "]", -ENOTSUP,
			"manifest: layers[0].mediaType: non-distributable (foreign) layers are "
			"not supported");
	expect_manifest("", "[" LAYER("application/vnd.oci.image.layer.nondistributable.v1.tar",
		D2, "1") "]", -ENOTSUP, "manifest: layers[0].mediaType: non-distributable "
		"(foreign) layers are not supported");
	expect_manifest("", "[" LAYER("text/plain", D2, "1") "]", -EINVAL,
			"manifest: layers[0].mediaType: `text/plain` is not a layer media type");
	expect_manifest("", "[" LAYER(ENG_MT_OCI_LAYER_TAR, D2, "-1") "]", -EINVAL,
			"manifest: layers[0].size: not an integer in 0..2^53-1");
	expect_manifest("", "[" LAYER(ENG_MT_OCI_LAYER_TAR, D2, "1.5") "]", -EINVAL,
			"manifest: layers[0].size: not an integer in 0..2^53-1");
	/* 2^53 + 1 reads as 2^53 in a double: 2^53 is refused so that it is caught */
	expect_manifest("", "[" LAYER(ENG_MT_OCI_LAYER_TAR, D2, "9007199254740993") "]", -EINVAL,
			"manifest: layers[0].size: not an integer in 0..2^53-1");
	expect_manifest("", "[" LAYER(ENG_MT_OCI_LAYER_TAR, D2, "1e400") "]", -EINVAL,
			"manifest: layers[0].size: not an integer in 0..2^53-1");
	expect_manifest("", "[" LAYER(ENG_MT_OCI_LAYER_TAR, D2, "\"1\"") "]", -EINVAL,
			"manifest: layers[0].size: not a number");
	expect_manifest("", "[" LAYER(ENG_MT_OCI_LAYER_TAR, D2, "9007199254740992") "]", -EINVAL,
			"manifest: layers[0].size: not an integer in 0..2^53-1");
	expect_manifest("", "[" LAYER(ENG_MT_OCI_LAYER_TAR, D2, "9007199254740991") "]", 0, NULL);
	expect_manifest("", "[{\"mediaType\":\"" ENG_MT_OCI_LAYER_TAR "\",\"size\":1}]", -EINVAL,
			"manifest: layers[0].digest: missing");
	expect_manifest("", "[{\"mediaType\":7,\"digest\":\"" D2 "\",\"size\":1}]", -EINVAL,
			"manifest: layers[0].mediaType: not a string");
	expect_manifest("", "[7]", -EINVAL, "manifest: layers[0]: not an object");
	expect_manifest("", "{}", -EINVAL, "manifest: layers: not an array");
	expect_manifest("", "null", -EINVAL, "manifest: layers: missing");
	expect_manifest("\"schemaVersion\":2,", "[]", -EINVAL,
			"manifest: schemaVersion: member given twice");
	expect_manifest("\"mediaType\":\"application/vnd.docker.distribution.manifest.v1+prettyjws"
			"\",", "[]", -ENOTSUP,
			"manifest: mediaType: Docker schema 1 manifests are not supported");
	expect_manifest("\"mediaType\":\"text/html\",", "[]", -EINVAL,
			"manifest: mediaType: `text/html` is not an image manifest");
	expect_manifest("\"mediaType\":[],", "[]", -EINVAL, "manifest: mediaType: not a string");

	/* 127 layers are the most */
	{
		static const char one[] = LAYER(ENG_MT_OCI_LAYER_GZIP, D2, "1");
		char layers[128 * sizeof(one) + 2] = "[";

		for (int i = 0; i < 127; i++) {
			strcat(layers, i ? "," : "");
			strcat(layers, one);
		}
		strcat(layers, "]");
		expect_manifest("", layers, 0, NULL);
		strcpy(layers + strlen(layers) - 1, ",");
		strcat(layers, one);
		strcat(layers, "]");
		expect_manifest("", layers, -EINVAL,
				"manifest: layers: more than 127 layers (Docker's limit)");
	}
}

static void expect_doc(const char *text, size_t len, int code, const char *msg)
{
	struct isolab_error err = { 0 };
	struct eng_manifest m;

	assert_int_equal(eng_manifest_parse(text, len, &m, &err), code);
	assert_string_equal(err.msg, msg);
}

static void manifest_refuses_bad_documents(void **state)
{
	static const char config_artifact[] =
		"{\"schemaVersion\":2,\"config\":{\"mediaType\":\"application/vnd.cncf.helm."
		"config.v1+json\",\"size\":2,\"digest\":\"" D1 "\"},\"layers\":[]}";
	static const char v1[] = "{\"schemaVersion\":1,\"config\":{},\"layers\":[]}";
	char *big;

	expect_doc("", 0, -EINVAL, "manifest: not valid JSON (at byte 0)");
	expect_doc("{\"a\":", 5, -EINVAL, "manifest: not valid JSON (at byte 4)");
	expect_doc("[]", 2, -EINVAL, "manifest: not a JSON object");
	expect_doc("{} {}", 5, -EINVAL, "manifest: data after the JSON value (at byte 3)");
	expect_doc("{}\0", 3, -EINVAL, "manifest: not JSON text (a NUL byte)");
	expect_doc("{\"mediaType\":\"a\\u0000b\"}", 24, -EINVAL,
		   "manifest: a string holds an escaped NUL (\\u0000)");
	expect_doc("{\"mediaType\":\"\xc0\xaf\"}", 18, -EINVAL,
		   "manifest: mediaType: not valid UTF-8");
	expect_doc("{\"mediaType\":\"\xed\xa0\x80\"}", 19, -EINVAL,
		   "manifest: mediaType: not valid UTF-8");
	expect_doc(v1, strlen(v1), -EINVAL, "manifest: schemaVersion: must be 2");
	expect_doc(config_artifact, strlen(config_artifact), -ENOTSUP,
		   "manifest: config.mediaType: `application/vnd.cncf.helm.config.v1+json` is not "
		   "an image config (an artifact, not a container image)");
	/* an escaped backslash before u0000 is no NUL: the JSON is fine, the manifest not */
	expect_doc("{\"x\":\"\\\\u0000\",\"schemaVersion\":2}", 33, -EINVAL,
		   "manifest: config: missing");
	/* over the size bound: refused before parsing */
	big = malloc(ENG_JSON_MANIFEST_MAX + 1);
	assert_non_null(big);
	memset(big, ' ', ENG_JSON_MANIFEST_MAX + 1);
	expect_doc(big, ENG_JSON_MANIFEST_MAX + 1, -EFBIG,
		   "manifest: 4194305 bytes, more than the 4194304 accepted");
	free(big);
}

static void manifest_builds_deterministic_oci(void **state)
{
	struct eng_descriptor layers[2] = {
		{ .media_type = ENG_MT_OCI_LAYER_GZIP, .digest = { D2 }, .size = 1000000000000000 },
		{ .media_type = ENG_MT_OCI_LAYER_TAR, .digest = { D3 }, .size = (UINT64_C(1) << 53) - 1 },
	};
	struct eng_manifest m = {
		.media_type = ENG_MT_DOCKER_MANIFEST,
		.config = { .media_type = ENG_MT_OCI_CONFIG, .digest = { D1 }, .size = 1469 },
		.layers = layers, .n_layers = 2,
	};
	struct isolab_error err = { 0 };
	struct eng_manifest back;
	char *text = eng_manifest_build(&m), *again;

	assert_non_null(text);
	assert_string_equal(text,
		"{\"schemaVersion\":2,\"mediaType\":\"" ENG_MT_OCI_MANIFEST "\","
		"\"config\":{\"mediaType\":\"" ENG_MT_OCI_CONFIG "\",\"digest\":\"" D1 "\","
		"\"size\":1469},\"layers\":[{\"mediaType\":\"" ENG_MT_OCI_LAYER_GZIP "\","
		"\"digest\":\"" D2 "\",\"size\":1000000000000000},{\"mediaType\":\""
		ENG_MT_OCI_LAYER_TAR "\",\"digest\":\"" D3 "\",\"size\":9007199254740991}]}");
	assert_int_equal(eng_manifest_parse(text, strlen(text), &back, &err), 0);
	assert_int_equal(back.layers[0].size, 1000000000000000);
	assert_int_equal(back.layers[1].size, (UINT64_C(1) << 53) - 1);
	again = eng_manifest_build(&back);
	assert_string_equal(again, text);
	free(again);
	free(text);
	eng_manifest_free(&back);
}

static const char docker_list[] =
	"{\"schemaVersion\":2,\"mediaType\":\"" ENG_MT_DOCKER_LIST "\",\"manifests\":["
	"{\"mediaType\":\"" ENG_MT_OCI_MANIFEST "\",\"digest\":\"" D1 "\",\"size\":1,"
	"\"platform\":{\"architecture\":\"arm64\",\"os\":\"linux\",\"variant\":\"v8\"}},"
	"{\"mediaType\":\"" ENG_MT_OCI_INDEX "\",\"digest\":\"" D1 "\",\"size\":1,"
	"\"platform\":{\"architecture\":\"amd64\",\"os\":\"linux\"}},"
	"{\"mediaType\":\"" ENG_MT_DOCKER_MANIFEST "\",\"digest\":\"" D2 "\",\"size\":528,"
	"\"platform\":{\"architecture\":\"amd64\",\"os\":\"linux\"}},"
	"{\"mediaType\":\"" ENG_MT_OCI_MANIFEST "\",\"digest\":\"" D3 "\",\"size\":566,"
	"\"annotations\":{\"vnd.docker.reference.type\":\"attestation-manifest\"},"
	"\"platform\":{\"architecture\":\"unknown\",\"os\":\"unknown\"}}]}";

static void index_parses_and_picks_platform(void **state)
{
	struct isolab_error err = { 0 };
	const struct eng_descriptor *d;
	struct eng_index ix;

	assert_int_equal(eng_index_parse(docker_list, strlen(docker_list), &ix, &err), 0);
	assert_int_equal(ix.n, 4);
	assert_string_equal(ix.manifests[0].platform_variant, "v8");
	assert_null(ix.manifests[2].platform_variant);
	d = eng_index_pick_platform(&ix, "linux", "amd64");
	/* the nested index (entry 1) is not a manifest: entry 2 */
	assert_ptr_equal(d, &ix.manifests[2]);
	assert_string_equal(d->digest.str, D2);
	assert_int_equal(d->size, 528);
	assert_ptr_equal(eng_index_pick_platform(&ix, "linux", "arm64"), &ix.manifests[0]);
	assert_null(eng_index_pick_platform(&ix, "linux", "s390x"));
	assert_null(eng_index_pick_platform(&ix, "windows", "amd64"));
	assert_null(eng_index_find_ref(&ix, "latest"));
	eng_index_free(&ix);
	assert_null(ix.manifests);
	eng_index_free(NULL);
}

static void index_refuses_hostile(void **state)
{
	static const struct {
		const char *text;
		const char *msg;
	} cases[] = {
		{ "{\"schemaVersion\":2,\"mediaType\":\"" ENG_MT_OCI_MANIFEST "\",\"manifests\":[]}",
		  "index: mediaType: `" ENG_MT_OCI_MANIFEST "` is not an image index (a manifest)" },
		{ "{\"schemaVersion\":2}", "index: manifests: missing" },
		{ "{\"schemaVersion\":3,\"manifests\":[]}", "index: schemaVersion: must be 2" },
		{ "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\"x\",\"digest\":\"" D1 "\","
		  "\"size\":1,\"platform\":{\"os\":\"linux\"}}]}",
		  "index: manifests[0].platform.architecture: missing" },
		{ "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\"x\",\"digest\":\"" D1 "\","
		  "\"size\":1,\"platform\":[]}]}", "index: manifests[0].platform: not an object" },
		{ "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\"x\",\"digest\":\"" D1 "\","
		  "\"size\":1,\"annotations\":{\"org.opencontainers.image.ref.name\":1}}]}",
		  "index: manifests[0].annotations.org.opencontainers.image.ref.name: not a string" },
	};
	struct isolab_error err = { 0 };
	struct eng_index ix;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(eng_index_parse(cases[i].text, strlen(cases[i].text), &ix, &err),
				 -EINVAL);
		assert_string_equal(err.msg, cases[i].msg);
		assert_null(ix.manifests);
	}
}

static void index_builds_layout_index(void **state)
{
	struct eng_descriptor entries[2] = {
		{ .media_type = ENG_MT_OCI_MANIFEST, .digest = { D1 }, .size = 528,
		  .ref_name = "localhost:5000/app:1" },
		{ .media_type = ENG_MT_OCI_MANIFEST, .digest = { D2 }, .size = 9,
		  .platform_os = "linux", .platform_arch = "amd64" },
	};
	struct eng_index ix = { entries, 2 }, back;
	struct isolab_error err = { 0 };
	char *text = eng_index_build(&ix), *again;

	assert_string_equal(text,
		"{\"schemaVersion\":2,\"mediaType\":\"" ENG_MT_OCI_INDEX "\",\"manifests\":["
		"{\"mediaType\":\"" ENG_MT_OCI_MANIFEST "\",\"digest\":\"" D1 "\",\"size\":528,"
		"\"annotations\":{\"org.opencontainers.image.ref.name\":\"localhost:5000/app:1\"}},"
		"{\"mediaType\":\"" ENG_MT_OCI_MANIFEST "\",\"digest\":\"" D2 "\",\"size\":9,"
		"\"platform\":{\"architecture\":\"amd64\",\"os\":\"linux\"}}]}");
	assert_int_equal(eng_index_parse(text, strlen(text), &back, &err), 0);
	assert_string_equal(eng_index_find_ref(&back, "localhost:5000/app:1")->digest.str, D1);
	assert_string_equal(eng_index_pick_platform(&back, "linux", "amd64")->digest.str, D2);
	again = eng_index_build(&back);
	assert_string_equal(again, text);
	free(again);
	free(text);
	eng_index_free(&back);

	/* an empty layout */
	ix.n = 0;
	text = eng_index_build(&ix);
	assert_string_equal(text, "{\"schemaVersion\":2,\"mediaType\":\"" ENG_MT_OCI_INDEX "\","
			    "\"manifests\":[]}");
	free(text);
}

/* A config as Docker writes one, with members it has and we ignore. */
static const char docker_config[] =
	"{\"architecture\":\"amd64\",\"config\":{\"Hostname\":\"\",\"User\":\"app:staff\","
	"\"ExposedPorts\":{\"80\":{},\"53/udp\":{}},\"Env\":[\"PATH=/usr/bin:/bin\",\"A=1=2\"],"
	"\"Cmd\":[\"/bin/sh\",\"-c\",\"echo hi\"],\"ArgsEscaped\":true,\"Image\":\"\","
	"\"Volumes\":{\"/var/lib/data\":{},\"/cache\":null},\"WorkingDir\":\"/srv\","
	"\"Entrypoint\":null,\"OnBuild\":null,\"Labels\":{\"z\":\"last\",\"a=b\":\"1\"},"
	"\"StopSignal\":\"SIGQUIT\"},\"created\":\"2024-01-02T03:04:05Z\",\"docker_version\":"
	"\"24.0.7\",\"history\":[{\"created\":\"2024-01-02T03:04:05Z\",\"created_by\":"
	"\"/bin/sh -c #(nop) ADD file:x in / \"},{\"created\":\"2024-01-02T03:04:05Z\","
	"\"created_by\":\"/bin/sh -c #(nop)  CMD [\\\"/bin/sh\\\"]\",\"empty_layer\":true}],"
	"\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"" D1 "\",\"" D2
	"\"]}}";

static void config_parses_docker(void **state)
{
	struct isolab_error err = { 0 };
	struct eng_image_config c;

	assert_int_equal(eng_config_parse(docker_config, strlen(docker_config), &c, &err), 0);
	assert_string_equal(c.architecture, "amd64");
	assert_string_equal(c.os, "linux");
	assert_null(c.variant);
	assert_string_equal(c.created, "2024-01-02T03:04:05Z");
	assert_null(c.author);
	assert_string_equal(c.user, "app:staff");
	assert_int_equal(c.n_exposed, 2);
	assert_string_equal(c.exposed_ports[0], "53/udp");
	assert_string_equal(c.exposed_ports[1], "80/tcp"); /* "80" reads as 80/tcp */
	assert_null(c.exposed_ports[2]);
	assert_int_equal(c.n_env, 2);
	assert_string_equal(c.env[1], "A=1=2");
	assert_null(c.env[2]);
	assert_false(c.has_entrypoint); /* null */
	assert_int_equal(c.n_entrypoint, 0);
	assert_true(c.has_cmd);
	assert_int_equal(c.n_cmd, 3);
	assert_string_equal(c.cmd[2], "echo hi");
	assert_null(c.cmd[3]);
	assert_int_equal(c.n_volumes, 2);
	assert_string_equal(c.volumes[0], "/cache");
	assert_string_equal(c.volumes[1], "/var/lib/data");
	assert_string_equal(c.working_dir, "/srv");
	assert_int_equal(c.n_labels, 2);
	assert_string_equal(c.labels[0].key, "a=b");
	assert_string_equal(c.labels[0].value, "1");
	assert_string_equal(c.labels[1].key, "z");
	assert_string_equal(c.stop_signal, "SIGQUIT");
	assert_int_equal(c.n_diff_ids, 2);
	assert_string_equal(c.diff_ids[1].str, D2);
	assert_int_equal(c.n_history, 2);
	assert_false(c.history[0].empty_layer);
	assert_true(c.history[1].empty_layer);
	assert_string_equal(c.history[1].created_by, "/bin/sh -c #(nop)  CMD [\"/bin/sh\"]");
	assert_null(c.history[1].comment);
	eng_config_free(&c);
	assert_null(c.env);
	eng_config_free(NULL);
}

static void config_tells_null_from_empty(void **state)
{
	static const char text[] =
		"{\"architecture\":\"arm64\",\"os\":\"linux\",\"variant\":\"v8\",\"config\":{"
		"\"Entrypoint\":[],\"Cmd\":null},\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}";
	struct isolab_error err = { 0 };
	struct eng_image_config c;

	assert_int_equal(eng_config_parse(text, strlen(text), &c, &err), 0);
	assert_true(c.has_entrypoint);
	assert_int_equal(c.n_entrypoint, 0);
	assert_non_null(c.entrypoint);
	assert_null(c.entrypoint[0]);
	assert_false(c.has_cmd);
	assert_null(c.cmd);
	assert_string_equal(c.variant, "v8");
	eng_config_free(&c);
}

static void expect_config(const char *text, int code, const char *msg)
{
	struct isolab_error err = { 0 };
	struct eng_image_config c;
	int rc = eng_config_parse(text, strlen(text), &c, &err);

	if (rc != code)
		fail_msg("%.200s: %d (%s), not %d", text, rc, err.msg, code);
	if (msg != NULL)
		assert_string_equal(err.msg, msg);
	if (rc == 0)
		eng_config_free(&c);
	else
		assert_null(c.architecture);
}

/* A config with `inner` as the members of "config" and `rootfs` as rootfs. */
static void expect_config_with(const char *inner, const char *rootfs, int code, const char *msg)
{
	size_t size = strlen(inner) + strlen(rootfs) + 200;
	char *text = malloc(size);

	assert_non_null(text);
	snprintf(text, size, "{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{%s},"
		 "\"rootfs\":%s}", inner, rootfs);
	expect_config(text, code, msg);
	free(text);
}

#define ROOTFS "{\"type\":\"layers\",\"diff_ids\":[\"" D1 "\"]}"

static void config_refuses_hostile(void **state)
{
	expect_config_with("\"Env\":[\"A=1\",\"B=2\",\"C=3\",4]", ROOTFS, -EINVAL,
			   "config: config.Env[3]: not a string");
	expect_config_with("\"Env\":[\"A=1\",\"NOEQUALS\"]", ROOTFS, -EINVAL,
			   "config: config.Env[1]: not NAME=value");
	expect_config_with("\"Env\":[\"=x\"]", ROOTFS, -EINVAL,
			   "config: config.Env[0]: not NAME=value");
	expect_config_with("\"Env\":\"A=1\"", ROOTFS, -EINVAL, "config: config.Env: not an array");
	expect_config_with("\"Cmd\":[[]]", ROOTFS, -EINVAL, "config: config.Cmd[0]: not a string");
	expect_config_with("\"Entrypoint\":{}", ROOTFS, -EINVAL,
			   "config: config.Entrypoint: not an array");
	expect_config_with("\"User\":0", ROOTFS, -EINVAL, "config: config.User: not a string");
	expect_config_with("\"Labels\":{\"a\":1}", ROOTFS, -EINVAL,
			   "config: config.Labels[\"a\"]: not a string");
	expect_config_with("\"Labels\":{\"a\":\"1\",\"a\":\"2\"}", ROOTFS, -EINVAL,
			   "config: config.Labels[\"a\"]: given twice");
	expect_config_with("\"ExposedPorts\":{\"80/tcp\":{},\"80\":{}}", ROOTFS, -EINVAL,
			   "config: config.ExposedPorts[\"80/tcp\"]: given twice");
	expect_config_with("\"ExposedPorts\":{\"0/tcp\":{}}", ROOTFS, -EINVAL,
			   "config: config.ExposedPorts[\"0/tcp\"]: not a port (1..65535, "
			   "optionally /tcp, /udp or /sctp)");
	expect_config_with("\"ExposedPorts\":{\"80/icmp\":{}}", ROOTFS, -EINVAL,
			   "config: config.ExposedPorts[\"80/icmp\"]: not a port (1..65535, "
			   "optionally /tcp, /udp or /sctp)");
	expect_config_with("\"ExposedPorts\":{\"8000-8010/tcp\":{}}", ROOTFS, -EINVAL, NULL);
	expect_config_with("\"Volumes\":{\"/data\":1}", ROOTFS, -EINVAL,
			   "config: config.Volumes[\"/data\"]: not an object");
	expect_config_with("\"Volumes\":[\"/data\"]", ROOTFS, -EINVAL,
			   "config: config.Volumes: not an object");
	expect_config_with("\"Env\":[],\"Env\":[]", ROOTFS, -EINVAL,
			   "config: config.Env: member given twice");
	expect_config_with("", "{\"type\":\"tar\",\"diff_ids\":[]}", -EINVAL,
			   "config: rootfs.type: must be \"layers\"");
	expect_config_with("", "{\"type\":\"layers\"}", -EINVAL, "config: rootfs.diff_ids: missing");
	expect_config_with("", "{\"type\":\"layers\",\"diff_ids\":[\"sha256:ABC\"]}", -EINVAL,
			   "config: rootfs.diff_ids[0] `sha256:ABC`: not a sha256 digest (sha256: "
			   "and 64 lowercase hex digits)");
	expect_config_with("", "null", -EINVAL, "config: rootfs: missing");
	expect_config("{\"os\":\"linux\",\"rootfs\":" ROOTFS "}", -EINVAL,
		      "config: architecture: missing");
	expect_config("{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":" ROOTFS ","
		      "\"history\":[{\"empty_layer\":\"yes\"}]}", -EINVAL,
		      "config: history[0].empty_layer: not a boolean");
	expect_config("{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":" ROOTFS ","
		      "\"history\":[1]}", -EINVAL, "config: history[0]: not an object");
	expect_config("{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":[],\"rootfs\":"
		      ROOTFS "}", -EINVAL, "config: config: not an object");
	/* Go's json would take "env" for "Env"; we match names exactly: ignored */
	expect_config_with("\"env\":[1]", ROOTFS, 0, NULL);
}

/* Strings and lists are bounded. */
static void config_bounds_sizes(void **state)
{
	size_t size = 2 * ENG_JSON_LIST_BYTES_MAX;
	char *inner = malloc(size), *p;

	assert_non_null(inner);
	/* one string of 65536 bytes is fine, 65537 is not */
	p = inner + sprintf(inner, "\"WorkingDir\":\"");
	memset(p, 'w', ENG_JSON_STRING_MAX);
	strcpy(p + ENG_JSON_STRING_MAX, "\"");
	expect_config_with(inner, ROOTFS, 0, NULL);
	p[ENG_JSON_STRING_MAX] = 'w';
	strcpy(p + ENG_JSON_STRING_MAX + 1, "\"");
	expect_config_with(inner, ROOTFS, -EINVAL,
			   "config: config.WorkingDir: longer than 65536 bytes");

	/* Env: 17 entries of 64 KiB are over 1 MiB in all */
	p = inner + sprintf(inner, "\"Env\":[");
	for (int i = 0; i < 17; i++) {
		p += sprintf(p, "%s\"V=", i ? "," : "");
		memset(p, 'v', ENG_JSON_STRING_MAX - 2);
		p += ENG_JSON_STRING_MAX - 2;
		*p++ = '"';
	}
	strcpy(p, "]");
	expect_config_with(inner, ROOTFS, -EINVAL,
			   "config: config.Env: more than 1048576 bytes in all");

	/* 4097 entries are too many */
	p = inner + sprintf(inner, "\"Cmd\":[");
	for (int i = 0; i <= ENG_JSON_LIST_MAX; i++)
		p += sprintf(p, "%s\"a\"", i ? "," : "");
	strcpy(p, "]");
	expect_config_with(inner, ROOTFS, -EINVAL, "config: config.Cmd: more than 4096 entries");
	free(inner);
}

static void config_builds_deterministic(void **state)
{
	/* the same config with members and map keys in another order */
	static const char shuffled[] =
		"{\"rootfs\":{\"diff_ids\":[\"" D1 "\",\"" D2 "\"],\"type\":\"layers\"},"
		"\"os\":\"linux\",\"history\":[{\"created_by\":\"/bin/sh -c #(nop) ADD file:x in / \","
		"\"created\":\"2024-01-02T03:04:05Z\"},{\"empty_layer\":true,\"created_by\":"
		"\"/bin/sh -c #(nop)  CMD [\\\"/bin/sh\\\"]\",\"created\":\"2024-01-02T03:04:05Z\"}],"
		"\"created\":\"2024-01-02T03:04:05Z\",\"config\":{\"StopSignal\":\"SIGQUIT\","
		"\"Labels\":{\"a=b\":\"1\",\"z\":\"last\"},\"Entrypoint\":null,\"WorkingDir\":\"/srv\","
		"\"Volumes\":{\"/cache\":{},\"/var/lib/data\":{}},\"Cmd\":[\"/bin/sh\",\"-c\","
		"\"echo hi\"],\"Env\":[\"PATH=/usr/bin:/bin\",\"A=1=2\"],\"ExposedPorts\":"
		"{\"53/udp\":{},\"80/tcp\":{}},\"User\":\"app:staff\"},\"architecture\":\"amd64\"}";
	static const char expected[] =
		"{\"created\":\"2024-01-02T03:04:05Z\",\"architecture\":\"amd64\",\"os\":\"linux\","
		"\"config\":{\"User\":\"app:staff\",\"ExposedPorts\":{\"53/udp\":{},\"80/tcp\":{}},"
		"\"Env\":[\"PATH=/usr/bin:/bin\",\"A=1=2\"],\"Cmd\":[\"/bin/sh\",\"-c\",\"echo hi\"],"
		"\"Volumes\":{\"/cache\":{},\"/var/lib/data\":{}},\"WorkingDir\":\"/srv\","
		"\"Labels\":{\"a=b\":\"1\",\"z\":\"last\"},\"StopSignal\":\"SIGQUIT\"},"
		"\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"" D1 "\",\"" D2 "\"]},"
		"\"history\":[{\"created\":\"2024-01-02T03:04:05Z\",\"created_by\":"
		"\"/bin/sh -c #(nop) ADD file:x in / \"},{\"created\":\"2024-01-02T03:04:05Z\","
		"\"created_by\":\"/bin/sh -c #(nop)  CMD [\\\"/bin/sh\\\"]\",\"empty_layer\":true}]}";
	struct isolab_error err = { 0 };
	struct eng_image_config a, b;
	char *text_a, *text_b;
	struct eng_digest id_a, id_b;

	assert_int_equal(eng_config_parse(docker_config, strlen(docker_config), &a, &err), 0);
	assert_int_equal(eng_config_parse(shuffled, strlen(shuffled), &b, &err), 0);
	text_a = eng_config_build(&a);
	text_b = eng_config_build(&b);
	assert_string_equal(text_a, expected);
	assert_string_equal(text_b, expected);
	eng_digest_buf(text_a, strlen(text_a), &id_a);
	eng_digest_buf(text_b, strlen(text_b), &id_b);
	assert_string_equal(id_a.str, id_b.str);
	eng_config_free(&b);
	/* and it parses back to the same */
	assert_int_equal(eng_config_parse(text_a, strlen(text_a), &b, &err), 0);
	free(text_b);
	text_b = eng_config_build(&b);
	assert_string_equal(text_b, expected);
	free(text_a);
	free(text_b);
	eng_config_free(&a);
	eng_config_free(&b);
}

static void config_build_keeps_empty_entrypoint(void **state)
{
	char *ep[] = { NULL };
	struct eng_image_config c = {
		.architecture = "amd64", .os = "linux",
		.entrypoint = ep, .n_entrypoint = 0, .has_entrypoint = true,
	};
	char *text = eng_config_build(&c);

	assert_string_equal(text, "{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":"
			    "{\"Entrypoint\":[]},\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}");
	free(text);
	c.has_entrypoint = false;
	text = eng_config_build(&c);
	assert_string_equal(text, "{\"architecture\":\"amd64\",\"os\":\"linux\","
			    "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}");
	free(text);
}

static void image_check_counts_layers(void **state)
{
	struct eng_descriptor layers[2] = { { 0 } };
	struct eng_digest ids[2] = { { D1 }, { D2 } };
	struct eng_manifest m = { .layers = layers, .n_layers = 2 };
	struct eng_image_config c = { .diff_ids = ids, .n_diff_ids = 2 };
	struct isolab_error err = { 0 };

	assert_int_equal(eng_image_check(&m, &c, &err), 0);
	c.n_diff_ids = 1;
	assert_int_equal(eng_image_check(&m, &c, &err), -EINVAL);
	assert_string_equal(err.msg, "image: manifest has 2 layers, config has 1 diff_ids");
}

static void layer_media_types(void **state)
{
	struct isolab_error err = { 0 };
	enum eng_layer_compression comp = ENG_LAYER_GZIP;

	assert_int_equal(eng_layer_media_type(ENG_MT_OCI_LAYER_TAR, "l", &comp, &err), 0);
	assert_int_equal(comp, ENG_LAYER_TAR);
	assert_int_equal(eng_layer_media_type(ENG_MT_OCI_LAYER_GZIP, "l", &comp, &err), 0);
	assert_int_equal(comp, ENG_LAYER_GZIP);
	assert_int_equal(eng_layer_media_type(ENG_MT_OCI_LAYER_ZSTD, "layer x", &comp, &err),
			 -ENOTSUP);
	assert_string_equal(err.msg, "layer x: zstd layers are not supported");
	assert_int_equal(eng_layer_media_type("application/vnd.oci.image.layer.nondistributable."
					      "v1.tar+gzip", "l", &comp, &err), -ENOTSUP);
	assert_int_equal(eng_layer_media_type(ENG_MT_OCI_CONFIG, "l", &comp, &err), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(manifest_parses_oci),
		cmocka_unit_test(manifest_parses_docker_schema2),
		cmocka_unit_test(manifest_sends_indexes_away),
		cmocka_unit_test(manifest_refuses_hostile),
		cmocka_unit_test(manifest_refuses_bad_documents),
		cmocka_unit_test(manifest_builds_deterministic_oci),
		cmocka_unit_test(index_parses_and_picks_platform),
		cmocka_unit_test(index_refuses_hostile),
		cmocka_unit_test(index_builds_layout_index),
		cmocka_unit_test(config_parses_docker),
		cmocka_unit_test(config_tells_null_from_empty),
		cmocka_unit_test(config_refuses_hostile),
		cmocka_unit_test(config_bounds_sizes),
		cmocka_unit_test(config_builds_deterministic),
		cmocka_unit_test(config_build_keeps_empty_entrypoint),
		cmocka_unit_test(image_check_counts_layers),
		cmocka_unit_test(layer_media_types),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
