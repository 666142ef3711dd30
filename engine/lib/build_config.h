/*
 * build_config.h: what a Dockerfile's metadata instructions do to the image
 * config being built, as Docker's builder does it (moby builder/dockerfile
 * dispatchers.go): ENV, LABEL, EXPOSE, WORKDIR, USER, VOLUME, STOPSIGNAL,
 * MAINTAINER, CMD and ENTRYPOINT (ENTRYPOINT drops an inherited Cmd), the
 * history entry of every step, and a new layer's diff ID. The config is
 * kept as the cJSON document it will be written as, so whatever a base
 * image's config holds that the engine does not model is kept as it was.
 * Pure: no files, no processes.
 */
#ifndef ISOLAB_ENGINE_BUILD_CONFIG_H
#define ISOLAB_ENGINE_BUILD_CONFIG_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>

#include "common/error.h"
#include "engine/lib/digest.h"

/* {"architecture":"amd64","os":"linux","config":{},"rootfs":{"type":"layers","diff_ids":[]},"history":[]} */
cJSON *eng_bcfg_scratch(void);

/* The "config" object of doc (made if missing). */
cJSON *eng_bcfg_runtime(cJSON *doc);

/* Env: sets K=V (replacing K's earlier value, keeping its place). */
int eng_bcfg_set_env(cJSON *doc, const char *key, const char *value);
/* The Env strings, in order (pointers into doc; *n of them; free the array only). */
const char **eng_bcfg_env(cJSON *doc, size_t *n);
/* A string member of "config" ("WorkingDir", "User", ...), NULL if absent. */
const char *eng_bcfg_string(cJSON *doc, const char *key);
int eng_bcfg_set_string(cJSON *doc, const char *key, const char *value);
/* Labels[key] = value; ExposedPorts["80/tcp"] = {}; Volumes["/data"] = {}. */
int eng_bcfg_set_label(cJSON *doc, const char *key, const char *value);
int eng_bcfg_expose(cJSON *doc, const char *port, struct isolab_error *err);
int eng_bcfg_volume(cJSON *doc, const char *path);
/* Cmd or Entrypoint = argv (n strings). Entrypoint without a Cmd set in
 * this stage drops the inherited Cmd, as Docker does. */
int eng_bcfg_set_argv(cJSON *doc, const char *key, char *const *argv, size_t n, bool cmd_set);
/* history += {created, created_by, [empty_layer: true]}; "created" too. */
int eng_bcfg_history(cJSON *doc, const char *created, const char *created_by, bool empty_layer);
/* rootfs.diff_ids += diff_id */
int eng_bcfg_add_layer(cJSON *doc, const struct eng_digest *diff_id);

/* WORKDIR: an absolute path as Docker joins it (relative to the current
 * WorkingDir, cleaned). *out malloc'd. */
char *eng_bcfg_workdir(const char *current, const char *arg);

#endif
