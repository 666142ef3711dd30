/* container.c: the records of containers the engine ran (see container.h). */
#include "engine/lib/container.h"
#include "common/cleanup.h"
#include "common/jsonfile.h"
#include "common/rmtree.h"
#include "common/safe_open.h"

#include <cjson/cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

bool eng_name_char(char c, bool first)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       (!first && (c == '_' || c == '.' || c == '-'));
}

int eng_container_name_check(const char *name, struct isolab_error *err)
{
	size_t len = strlen(name);

	if (len < 2 || len > ENG_CONTAINER_NAME_MAX)
		return isolab_error_set(err, -EINVAL, "container name `%.80s`: must be 2 to %d "
					"characters", name, ENG_CONTAINER_NAME_MAX);
	for (size_t i = 0; i < len; i++)
		if (!eng_name_char(name[i], i == 0))
			return isolab_error_set(err, -EINVAL, "container name `%.80s`: only "
						"[a-zA-Z0-9][a-zA-Z0-9_.-] allowed", name);
	return 0;
}

void eng_container_name_new(char *buf, size_t size)
{
	unsigned char r[4] = { 0 };

	if (getrandom(r, sizeof(r), 0) != (ssize_t)sizeof(r)) {
		unsigned v = (unsigned)getpid() ^ (unsigned)time(NULL);

		memcpy(r, &v, sizeof(r));
	}
	snprintf(buf, size, "isolab-%02x%02x%02x%02x", r[0], r[1], r[2], r[3]);
}

static void dir_path(const struct eng_store *s, const char *name, const char *file, char *buf)
{
	snprintf(buf, PATH_MAX, "%s/containers/%s%s%s", s->root, name, file ? "/" : "",
		 file ? file : "");
}

void eng_container_upper_path(const struct eng_store *s, const char *name, char *buf)
{
	dir_path(s, name, "upper", buf);
}

void eng_container_file_path(const struct eng_store *s, const char *name, const char *file,
			     char *buf)
{
	dir_path(s, name, file, buf);
}

/* Records are written whole (temp file, rename) but not fsync'd: they
 * describe processes, which a crash ends anyway, and `isolab run` writes
 * one on every start. */
static int write_record(const char *path, const cJSON *doc, struct isolab_error *err)
{
	_cleanup_free_ char *text = cJSON_PrintUnformatted(doc);
	_cleanup_free_ char *line = NULL;

	if (text == NULL || asprintf(&line, "%s\n", text) < 0)
		return isolab_error_set(err, -ENOMEM, "out of memory");
	return isolab_text_replace(path, line, false, err);
}

int eng_container_save(const struct eng_store *s, const struct eng_container *c,
		       struct isolab_error *err)
{
	char path[PATH_MAX];
	cJSON *doc = cJSON_CreateObject(), *cmd;
	int rc;

	if (doc == NULL)
		return isolab_error_set(err, -ENOMEM, "out of memory");
	cJSON_AddStringToObject(doc, "Name", c->name);
	cJSON_AddStringToObject(doc, "Image", c->image ? c->image : "");
	cJSON_AddStringToObject(doc, "ImageID", c->image_id.str);
	cJSON_AddStringToObject(doc, "Manifest", c->manifest.str);
	cJSON_AddStringToObject(doc, "Created", c->created ? c->created : "");
	cmd = cJSON_AddArrayToObject(doc, "Command");
	for (size_t i = 0; c->command != NULL && c->command[i] != NULL; i++)
		cJSON_AddItemToArray(cmd, cJSON_CreateString(c->command[i]));
	cJSON_AddBoolToObject(doc, "Rm", c->rm);
	cJSON_AddNumberToObject(doc, "Pid", c->pid);
	if (c->exit_code >= 0)
		cJSON_AddNumberToObject(doc, "ExitCode", c->exit_code);
	else
		cJSON_AddNullToObject(doc, "ExitCode");
	if (c->network != NULL && c->network[0] != '\0') {
		cJSON_AddStringToObject(doc, "Network", c->network);
		cJSON_AddStringToObject(doc, "NetNS", c->netns ? c->netns : "");
		cJSON_AddStringToObject(doc, "IPAddress", c->ip ? c->ip : "");
		cJSON_AddStringToObject(doc, "Hostname", c->hostname ? c->hostname : "");
		cmd = cJSON_AddArrayToObject(doc, "Ports");
		for (size_t i = 0; c->ports != NULL && c->ports[i] != NULL; i++)
			cJSON_AddItemToArray(cmd, cJSON_CreateString(c->ports[i]));
	}
	dir_path(s, c->name, "config.json", path);
	rc = write_record(path, doc, err);
	cJSON_Delete(doc);
	return rc;
}

int eng_container_create(const struct eng_store *s, const struct eng_container *c,
			 struct isolab_error *err)
{
	char path[PATH_MAX];
	int rc = eng_container_name_check(c->name, err);

	if (rc < 0)
		return rc;
	dir_path(s, c->name, NULL, path);
	if (mkdir(path, 0700) < 0)
		return errno == EEXIST
			       ? isolab_error_set(err, -EEXIST, "container name `%s` is already in use",
						  c->name)
			       : isolab_error_errno(err, -errno, "mkdir `%s`", path);
	rc = eng_container_save(s, c, err);
	if (rc < 0) {
		dir_path(s, c->name, NULL, path);
		isolab_rm_rf(path);
	}
	return rc;
}

static void strv_free(char **v)
{
	for (size_t i = 0; v != NULL && v[i] != NULL; i++)
		free(v[i]);
	free(v);
}

void eng_container_free(struct eng_container *c)
{
	free(c->image);
	free(c->created);
	strv_free(c->command);
	free(c->network);
	free(c->netns);
	free(c->ip);
	free(c->hostname);
	strv_free(c->ports);
	memset(c, 0, sizeof(*c));
}

static char *string_of(const cJSON *doc, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(doc, key);

	return strdup(cJSON_IsString(v) ? v->valuestring : "");
}

/* A JSON array of strings as a NULL-ended vector (NULL: out of memory). */
static char **strv_of(const cJSON *doc, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(doc, key), *it;
	char **out = calloc((size_t)cJSON_GetArraySize(v) + 1, sizeof(*out));
	size_t n = 0;

	if (out == NULL)
		return NULL;
	cJSON_ArrayForEach(it, v) {
		if (cJSON_IsString(it) && (out[n] = strdup(it->valuestring)) != NULL)
			n++;
	}
	return out;
}

int eng_container_load(const struct eng_store *s, const char *name, struct eng_container *c,
		       struct isolab_error *err)
{
	char path[PATH_MAX];
	cJSON *doc = NULL;
	const cJSON *v;
	int rc;

	memset(c, 0, sizeof(*c));
	c->exit_code = -1;
	if (eng_container_name_check(name, err) < 0)
		return -EINVAL;
	dir_path(s, name, "config.json", path);
	rc = isolab_json_read(path, &doc, err);
	if (rc < 0)
		return rc == -ENOENT ? isolab_error_set(err, -ENOENT, "no container `%s`", name) : rc;
	snprintf(c->name, sizeof(c->name), "%s", name);
	c->image = string_of(doc, "Image");
	c->created = string_of(doc, "Created");
	v = cJSON_GetObjectItemCaseSensitive(doc, "ImageID");
	if (!cJSON_IsString(v) || eng_digest_parse(v->valuestring, "ImageID", &c->image_id, err) < 0)
		rc = isolab_error_set(err, -EINVAL, "container `%s`: config.json: bad ImageID", name);
	v = cJSON_GetObjectItemCaseSensitive(doc, "Manifest");
	if (rc == 0 && (!cJSON_IsString(v) ||
			eng_digest_parse(v->valuestring, "Manifest", &c->manifest, err) < 0))
		rc = isolab_error_set(err, -EINVAL, "container `%s`: config.json: bad Manifest", name);
	c->command = strv_of(doc, "Command");
	if (c->command == NULL) {
		cJSON_Delete(doc);
		eng_container_free(c);
		return isolab_error_set(err, -ENOMEM, "out of memory");
	}
	if (cJSON_GetObjectItemCaseSensitive(doc, "Network") != NULL) {
		c->network = string_of(doc, "Network");
		c->netns = string_of(doc, "NetNS");
		c->ip = string_of(doc, "IPAddress");
		c->hostname = string_of(doc, "Hostname");
		c->ports = strv_of(doc, "Ports");
	}
	c->rm = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(doc, "Rm"));
	v = cJSON_GetObjectItemCaseSensitive(doc, "Pid");
	c->pid = cJSON_IsNumber(v) && v->valuedouble > 0 && v->valuedouble < 1 << 30 ? (pid_t)v->valuedouble : 0;
	v = cJSON_GetObjectItemCaseSensitive(doc, "ExitCode");
	c->exit_code = cJSON_IsNumber(v) && v->valuedouble >= 0 && v->valuedouble < 256
			       ? (int)v->valuedouble : -1;
	cJSON_Delete(doc);
	if (rc < 0 || c->image == NULL || c->created == NULL) {
		eng_container_free(c);
		return rc < 0 ? rc : isolab_error_set(err, -ENOMEM, "out of memory");
	}
	return 0;
}

static int by_created(const void *a, const void *b)
{
	const struct eng_container *x = a, *y = b;

	return strcmp(x->created, y->created);
}

int eng_container_list(const struct eng_store *s, struct eng_container **out, size_t *n,
		       struct isolab_error *err)
{
	char path[PATH_MAX];
	struct eng_container *list = NULL;
	size_t count = 0;
	struct dirent *de;
	DIR *dir;

	eng_store_path(s, "containers", path);
	dir = opendir(path);
	if (dir == NULL)
		return isolab_error_errno(err, -errno, "opendir `%s`", path);
	while ((de = readdir(dir)) != NULL) {
		struct eng_container c, *grown;
		struct isolab_error e = { 0 };

		if (de->d_name[0] == '.' || eng_container_load(s, de->d_name, &c, &e) < 0)
			continue;
		grown = realloc(list, (count + 1) * sizeof(*list));
		if (grown == NULL) {
			eng_container_free(&c);
			closedir(dir);
			eng_container_list_free(list, count);
			return isolab_error_set(err, -ENOMEM, "out of memory");
		}
		list = grown;
		list[count++] = c;
	}
	closedir(dir);
	if (count > 1)
		qsort(list, count, sizeof(*list), by_created);
	*out = list;
	*n = count;
	return 0;
}

void eng_container_list_free(struct eng_container *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		eng_container_free(&list[i]);
	free(list);
}

int eng_container_remove(const struct eng_store *s, const char *name, struct isolab_error *err)
{
	char path[PATH_MAX];
	int rc = eng_container_name_check(name, err);

	if (rc < 0)
		return rc;
	dir_path(s, name, NULL, path);
	if (access(path, F_OK) < 0)
		return isolab_error_set(err, -ENOENT, "no container `%s`", name);
	rc = isolab_rm_rf(path);
	return rc < 0 ? isolab_error_errno(err, rc, "remove `%s`", path) : 0;
}

bool eng_container_running(const struct eng_container *c)
{
	return c->exit_code < 0 && c->pid > 0 && (kill(c->pid, 0) == 0 || errno == EPERM);
}

int eng_container_prune_rm(const struct eng_store *s)
{
	struct eng_container *list = NULL;
	struct isolab_error e = { 0 };
	size_t n = 0;
	int gone = 0;

	if (eng_container_list(s, &list, &n, &e) < 0)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char dir[PATH_MAX], file[PATH_MAX];

		if (!list[i].rm || eng_container_running(&list[i]) ||
		    (list[i].netns != NULL && list[i].netns[0] != '\0'))
			continue;
		/* `run --rm` leaves config.json alone: two system calls, not a
		 * tree walk, on the path of every run. */
		dir_path(s, list[i].name, NULL, dir);
		dir_path(s, list[i].name, "config.json", file);
		if ((unlink(file) == 0 && rmdir(dir) == 0) || isolab_rm_rf(dir) == 0)
			gone++;
	}
	eng_container_list_free(list, n);
	return gone;
}
