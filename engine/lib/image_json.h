/*
 * image_json.h: the JSON documents of an image -- manifest, index (or
 * Docker manifest list), and config -- parsed as hostile input and built
 * deterministically. Pure code over buffers (cJSON inside); no I/O.
 *
 * Specifications: OCI image-spec media-types.md, descriptor.md,
 * manifest.md, image-index.md, config.md, image-layout.md; Docker's
 * "Image Manifest V2, Schema 2" and its image JSON (v1.2), whose member
 * names the OCI config shares.
 *
 * What parsing refuses (-EINVAL, or -ENOTSUP for something well formed we
 * do not handle), with the member path in the message, e.g.
 * "config: config.Env[3]: not a string":
 *   - a document over its size bound, not JSON, with trailing data, a NUL
 *     byte or an escaped NUL (\u0000, which cJSON would silently cut at);
 *   - a member of the wrong type, a member given twice, a string over
 *     ENG_JSON_STRING_MAX bytes or not UTF-8, a list over its bound;
 *   - a size that is not an integer in 0..2^53-1, a digest not sha256;
 *   - zstd or non-distributable ("foreign") layers, unknown layer types.
 * Unknown members are ignored, as the specification says. Member names
 * are matched exactly (Go's encoding/json would also take "env" for
 * "Env"; we do not).
 */
#ifndef ISOLAB_ENGINE_IMAGE_JSON_H
#define ISOLAB_ENGINE_IMAGE_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "engine/lib/digest.h"

/* Media types (OCI image-spec media-types.md). */
#define ENG_MT_OCI_MANIFEST   "application/vnd.oci.image.manifest.v1+json"
#define ENG_MT_OCI_INDEX      "application/vnd.oci.image.index.v1+json"
#define ENG_MT_OCI_CONFIG     "application/vnd.oci.image.config.v1+json"
#define ENG_MT_OCI_LAYER_TAR  "application/vnd.oci.image.layer.v1.tar"
#define ENG_MT_OCI_LAYER_GZIP "application/vnd.oci.image.layer.v1.tar+gzip"
#define ENG_MT_OCI_LAYER_ZSTD "application/vnd.oci.image.layer.v1.tar+zstd"
/* Deprecated "non-distributable" layers: recognised, refused. */
#define ENG_MT_OCI_LAYER_NONDIST_PREFIX "application/vnd.oci.image.layer.nondistributable."
/* The empty descriptor's type (manifest.md, "Guidance for an Empty Descriptor"). */
#define ENG_MT_OCI_EMPTY      "application/vnd.oci.empty.v1+json"
/* Docker (distribution's manifest-v2-2.md). */
#define ENG_MT_DOCKER_MANIFEST "application/vnd.docker.distribution.manifest.v2+json"
#define ENG_MT_DOCKER_LIST     "application/vnd.docker.distribution.manifest.list.v2+json"
#define ENG_MT_DOCKER_CONFIG   "application/vnd.docker.container.image.v1+json"
#define ENG_MT_DOCKER_LAYER    "application/vnd.docker.image.rootfs.diff.tar.gzip"
#define ENG_MT_DOCKER_FOREIGN  "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip"
/* Docker schema 1 (signed or not): recognised, refused. */
#define ENG_MT_DOCKER_SCHEMA1_PREFIX "application/vnd.docker.distribution.manifest.v1+"

/* image-layout.md: the annotation naming an entry of index.json. */
#define ENG_ANNOTATION_REF_NAME "org.opencontainers.image.ref.name"

/* Bounds on hostile input. */
#define ENG_JSON_MANIFEST_MAX (4u << 20) /* distribution-spec: registries take 4 MiB */
#define ENG_JSON_INDEX_MAX    (4u << 20)
#define ENG_JSON_CONFIG_MAX   (8u << 20)
#define ENG_JSON_STRING_MAX   65536      /* one string, in bytes */
#define ENG_JSON_MEDIA_TYPE_MAX 255      /* RFC 6838 4.2 */
#define ENG_JSON_LIST_MAX     4096       /* entries of Env, Cmd, Labels, history, ... */
#define ENG_JSON_LIST_BYTES_MAX (1u << 20) /* all strings of one list (Env: 1 MiB) */
#define ENG_JSON_INDEX_ENTRIES_MAX 4096
/* descriptor.md: a size fits a double exactly. 2^53 itself is out: a
 * larger integer in the text rounds to it, and would be read wrong. */
#define ENG_JSON_SIZE_MAX     ((UINT64_C(1) << 53) - 1)
/* Docker's limit on an image's layers (its layer store's depth). */
#define ENG_LAYERS_MAX        127

/* The return code of eng_manifest_parse for an index or manifest list: the
 * caller goes to eng_index_parse instead (err is also set). */
#define ENG_E_IS_INDEX (-EMEDIUMTYPE)

/* How a layer's bytes are compressed (from its media type). */
enum eng_layer_compression {
	ENG_LAYER_TAR,  /* uncompressed tar */
	ENG_LAYER_GZIP, /* tar+gzip (OCI) and Docker's rootfs.diff.tar.gzip */
};

/* The compression of a layer media type; zstd is -ENOTSUP "zstd layers are
 * not supported", foreign/non-distributable -ENOTSUP, anything else
 * -EINVAL. `what` names the member in the message. */
int eng_layer_media_type(const char *media_type, const char *what,
			 enum eng_layer_compression *out, struct isolab_error *err);

/* A descriptor (descriptor.md). In a manifest only the first three are set;
 * index entries may also carry a ref name and a platform (NULL if absent). */
struct eng_descriptor {
	char *media_type;
	struct eng_digest digest;
	uint64_t size;
	char *ref_name;         /* annotations["org.opencontainers.image.ref.name"] */
	char *platform_os;      /* platform.os, e.g. "linux" */
	char *platform_arch;    /* platform.architecture, e.g. "amd64" */
	char *platform_variant; /* platform.variant, e.g. "v8" */
};

/* Frees a descriptor's strings (not d itself) and zeroes it. */
void eng_descriptor_free(struct eng_descriptor *d);

/* An image manifest, OCI or Docker schema 2. */
struct eng_manifest {
	char *media_type; /* the document's mediaType (OCI's when it has none) */
	struct eng_descriptor config;
	struct eng_descriptor *layers;
	size_t n_layers;
};

/* Parses a manifest (schemaVersion 2; OCI or Docker schema 2; config of an
 * image config type; 0..127 layers of a supported type). An index or list
 * is ENG_E_IS_INDEX. On failure *out is left empty. */
int eng_manifest_parse(const char *json, size_t len, struct eng_manifest *out,
		       struct isolab_error *err);
void eng_manifest_free(struct eng_manifest *m);
/* OCI manifest JSON (malloc'd, no trailing newline; NULL when out of
 * memory): schemaVersion, mediaType, config, layers in that order, each
 * descriptor as mediaType, digest, size. */
char *eng_manifest_build(const struct eng_manifest *m);

/* An image index / Docker manifest list, or an OCI layout's index.json. */
struct eng_index {
	struct eng_descriptor *manifests;
	size_t n;
};

/* Parses an index (schemaVersion 2, up to ENG_JSON_INDEX_ENTRIES_MAX
 * entries; entries of any media type are kept). On failure *out is empty. */
int eng_index_parse(const char *json, size_t len, struct eng_index *out,
		    struct isolab_error *err);
void eng_index_free(struct eng_index *ix);
/* OCI index JSON (malloc'd; NULL when out of memory): schemaVersion,
 * mediaType, manifests; each entry mediaType, digest, size, then
 * annotations {"org.opencontainers.image.ref.name": ...} when it has a ref
 * name, then platform {architecture, os, variant} when it has one. */
char *eng_index_build(const struct eng_index *ix);
/* The first manifest (OCI or Docker type) entry for os/arch, or NULL. */
const struct eng_descriptor *eng_index_pick_platform(const struct eng_index *ix,
						     const char *os, const char *arch);
/* The first entry whose ref name is ref_name, or NULL. */
const struct eng_descriptor *eng_index_find_ref(const struct eng_index *ix,
						const char *ref_name);

struct eng_history {
	char *created, *author, *created_by, *comment; /* NULL when absent */
	bool empty_layer;
};

/* A label: key and value (not "k=v": a key may itself hold '='). */
struct eng_label {
	char *key, *value;
};

/* An image config (config.md); only what the engine uses is kept. */
struct eng_image_config {
	char *architecture, *os, *variant; /* architecture and os are required */
	char *created, *author;            /* NULL when absent */
	char **entrypoint; size_t n_entrypoint; bool has_entrypoint; /* null/absent vs [] */
	char **cmd; size_t n_cmd; bool has_cmd;
	char **env; size_t n_env;          /* "NAME=value"; each has a '=' */
	char *working_dir, *user, *stop_signal; /* NULL when absent */
	struct eng_label *labels; size_t n_labels; /* sorted by key, keys unique */
	char **exposed_ports; size_t n_exposed;   /* "80/tcp", sorted */
	char **volumes; size_t n_volumes;         /* "/data", sorted */
	struct eng_digest *diff_ids; size_t n_diff_ids; /* rootfs.type is "layers" */
	struct eng_history *history; size_t n_history;
};

/* Parses an image config; on failure *out is left empty. The string arrays
 * (entrypoint, cmd, env, exposed_ports, volumes) are also NULL-terminated. */
int eng_config_parse(const char *json, size_t len, struct eng_image_config *out,
		     struct isolab_error *err);
void eng_config_free(struct eng_image_config *c);
/* The config JSON whose sha256 is the image ID (malloc'd; NULL when out of
 * memory). Deterministic: members in config.md's order, absent ones left
 * out, maps (Labels, ExposedPorts, Volumes) by sorted key. */
char *eng_config_build(const struct eng_image_config *c);

/* Checks that a manifest and its config belong together: as many layers as
 * rootfs.diff_ids (-EINVAL "image: manifest has 3 layers, config has 2
 * diff_ids"). */
int eng_image_check(const struct eng_manifest *m, const struct eng_image_config *c,
		    struct isolab_error *err);

#endif
