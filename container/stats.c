/* stats.c: the --stats JSON document (see stats.h). */
#include "container/stats.h"
#include "common/jsonfile.h"

#include <errno.h>

const char *const ctr_phase_names[CTR_PHASE_COUNT] = {
	"start", "cgroup", "clone", "mounts", "pivot", "exec", "exit", "cleanup",
};

cJSON *ctr_stats_to_json(const struct ctr_stats *st)
{
	cJSON *doc = cJSON_CreateObject();
	cJSON *phases = cJSON_CreateObject();
	cJSON *mem = cJSON_CreateObject();

	if (doc == NULL || phases == NULL || mem == NULL) {
		cJSON_Delete(doc);
		cJSON_Delete(phases);
		cJSON_Delete(mem);
		return NULL;
	}
	cJSON_AddStringToObject(doc, "id", st->id ? st->id : "");
	cJSON_AddStringToObject(doc, "cgroup", st->cgroup_mode ? st->cgroup_mode : "");
	for (int i = 0; i < CTR_PHASE_COUNT; i++) {
		if (st->phase_ns[i])
			cJSON_AddNumberToObject(phases, ctr_phase_names[i], (double)st->phase_ns[i]);
		else
			cJSON_AddNullToObject(phases, ctr_phase_names[i]);
	}
	cJSON_AddItemToObject(doc, "phases_ns", phases);
	if (st->memory_peak_source) {
		cJSON_AddNumberToObject(mem, "peak_bytes", (double)st->memory_peak);
		cJSON_AddStringToObject(mem, "peak_source", st->memory_peak_source);
	} else {
		cJSON_AddNullToObject(mem, "peak_bytes");
		cJSON_AddNullToObject(mem, "peak_source");
	}
	if (st->memory_limit)
		cJSON_AddNumberToObject(mem, "limit_bytes", (double)st->memory_limit);
	else
		cJSON_AddNullToObject(mem, "limit_bytes");
	cJSON_AddItemToObject(doc, "memory", mem);
	cJSON_AddBoolToObject(doc, "oom_killed", st->oom_killed);
	cJSON_AddNumberToObject(doc, "oom_kills", (double)st->oom_kills);
	cJSON_AddNumberToObject(doc, "exit_status", st->exit_status);
	if (st->error)
		cJSON_AddStringToObject(doc, "error", st->error);
	else
		cJSON_AddNullToObject(doc, "error");
	return doc;
}

int ctr_stats_write(const char *path, const struct ctr_stats *st, struct isolab_error *err)
{
	cJSON *doc = ctr_stats_to_json(st);
	int rc;

	if (doc == NULL)
		return isolab_error_set(err, -ENOMEM, "--stats: out of memory");
	rc = isolab_json_write_atomic(path, doc, err);
	cJSON_Delete(doc);
	return rc;
}
