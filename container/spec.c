/* spec.c: the default config.json, as `runc spec` writes it (see spec.h). */
#include "container/spec.h"
#include "container/exec_cmd.h"
#include "container/version.h"

#include <stdio.h>
#include <string.h>

/* runc's specconv.Example(), less its ociVersion and hostname ("runc"). */
static const char default_spec[] =
	"{\"ociVersion\": \"" CTR_OCI_VERSION "\","
	" \"process\": {\"terminal\": true, \"user\": {\"uid\": 0, \"gid\": 0},"
	"  \"args\": [\"sh\"], \"env\": [\"PATH=" CTR_DEFAULT_PATH "\", \"TERM=xterm\"],"
	"  \"cwd\": \"/\","
	"  \"capabilities\": {"
	"   \"bounding\": [\"CAP_AUDIT_WRITE\", \"CAP_KILL\", \"CAP_NET_BIND_SERVICE\"],"
	"   \"effective\": [\"CAP_AUDIT_WRITE\", \"CAP_KILL\", \"CAP_NET_BIND_SERVICE\"],"
	"   \"permitted\": [\"CAP_AUDIT_WRITE\", \"CAP_KILL\", \"CAP_NET_BIND_SERVICE\"],"
	"   \"ambient\": [\"CAP_AUDIT_WRITE\", \"CAP_KILL\", \"CAP_NET_BIND_SERVICE\"]},"
	"  \"rlimits\": [{\"type\": \"RLIMIT_NOFILE\", \"hard\": 1024, \"soft\": 1024}],"
	"  \"noNewPrivileges\": true},"
	" \"root\": {\"path\": \"rootfs\", \"readonly\": true},"
	" \"hostname\": \"isolab\","
	" \"mounts\": ["
	"  {\"destination\": \"/proc\", \"type\": \"proc\", \"source\": \"proc\"},"
	"  {\"destination\": \"/dev\", \"type\": \"tmpfs\", \"source\": \"tmpfs\","
	"   \"options\": [\"nosuid\", \"strictatime\", \"mode=755\", \"size=65536k\"]},"
	"  {\"destination\": \"/dev/pts\", \"type\": \"devpts\", \"source\": \"devpts\","
	"   \"options\": [\"nosuid\", \"noexec\", \"newinstance\", \"ptmxmode=0666\", \"mode=0620\","
	"                \"gid=5\"]},"
	"  {\"destination\": \"/dev/shm\", \"type\": \"tmpfs\", \"source\": \"shm\","
	"   \"options\": [\"nosuid\", \"noexec\", \"nodev\", \"mode=1777\", \"size=65536k\"]},"
	"  {\"destination\": \"/dev/mqueue\", \"type\": \"mqueue\", \"source\": \"mqueue\","
	"   \"options\": [\"nosuid\", \"noexec\", \"nodev\"]},"
	"  {\"destination\": \"/sys\", \"type\": \"sysfs\", \"source\": \"sysfs\","
	"   \"options\": [\"nosuid\", \"noexec\", \"nodev\", \"ro\"]},"
	"  {\"destination\": \"/sys/fs/cgroup\", \"type\": \"cgroup\", \"source\": \"cgroup\","
	"   \"options\": [\"nosuid\", \"noexec\", \"nodev\", \"relatime\", \"ro\"]}],"
	" \"linux\": {"
	"  \"resources\": {\"devices\": [{\"allow\": false, \"access\": \"rwm\"}]},"
	"  \"namespaces\": [{\"type\": \"pid\"}, {\"type\": \"network\"}, {\"type\": \"ipc\"},"
	"                 {\"type\": \"uts\"}, {\"type\": \"mount\"}],"
	"  \"maskedPaths\": [\"/proc/acpi\", \"/proc/asound\", \"/proc/kcore\", \"/proc/keys\","
	"   \"/proc/latency_stats\", \"/proc/timer_list\", \"/proc/timer_stats\","
	"   \"/proc/sched_debug\", \"/sys/firmware\", \"/proc/scsi\"],"
	"  \"readonlyPaths\": [\"/proc/bus\", \"/proc/fs\", \"/proc/irq\", \"/proc/sys\","
	"   \"/proc/sysrq-trigger\"]}}";

/* ToRootless: sysfs belongs to the network namespace it was mounted in. */
static const char rootless_sys[] =
	"{\"destination\": \"/sys\", \"type\": \"none\", \"source\": \"/sys\","
	" \"options\": [\"rbind\", \"nosuid\", \"noexec\", \"nodev\", \"ro\"]}";

/* Drops uid= and gid= options (no such ids in the namespace) and binds
 * the host's /sys. */
static bool rootless_mounts(cJSON *mounts)
{
	cJSON *m;
	int i = 0;

	cJSON_ArrayForEach(m, mounts) {
		const cJSON *dst = cJSON_GetObjectItemCaseSensitive(m, "destination");
		cJSON *opts;

		if (cJSON_IsString(dst) && strcmp(dst->valuestring, "/sys") == 0) {
			cJSON *sys = cJSON_Parse(rootless_sys);

			if (sys == NULL)
				return false;
			cJSON_ReplaceItemInArray(mounts, i, sys); /* frees m */
			m = sys;
		}
		opts = cJSON_GetObjectItemCaseSensitive(m, "options");
		for (int k = cJSON_GetArraySize(opts) - 1; k >= 0; k--) {
			const char *o = cJSON_GetStringValue(cJSON_GetArrayItem(opts, k));

			if (o != NULL && (strncmp(o, "uid=", 4) == 0 || strncmp(o, "gid=", 4) == 0))
				cJSON_DeleteItemFromArray(opts, k);
		}
		i++;
	}
	return true;
}

/* name: [{"containerID": 0, "hostID": id, "size": 1}] */
static bool add_idmap(cJSON *lnx, const char *name, unsigned id)
{
	char text[96];
	cJSON *map;

	snprintf(text, sizeof(text), "[{\"containerID\": 0, \"hostID\": %u, \"size\": 1}]", id);
	map = cJSON_Parse(text);
	if (map == NULL || !cJSON_AddItemToObject(lnx, name, map)) {
		cJSON_Delete(map);
		return false;
	}
	return true;
}

/* A user namespace whose root is the caller, and no network namespace. */
static bool rootless_linux(cJSON *lnx, uid_t uid, gid_t gid)
{
	cJSON *ns = cJSON_GetObjectItemCaseSensitive(lnx, "namespaces"), *user;

	for (int k = cJSON_GetArraySize(ns) - 1; k >= 0; k--) {
		const char *t = cJSON_GetStringValue(
			cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(ns, k), "type"));

		if (t != NULL && (strcmp(t, "network") == 0 || strcmp(t, "user") == 0))
			cJSON_DeleteItemFromArray(ns, k);
	}
	user = cJSON_Parse("{\"type\": \"user\"}");
	if (user == NULL || !cJSON_AddItemToArray(ns, user)) {
		cJSON_Delete(user);
		return false;
	}
	cJSON_DeleteItemFromObjectCaseSensitive(lnx, "resources");
	return add_idmap(lnx, "uidMappings", (unsigned)uid) &&
	       add_idmap(lnx, "gidMappings", (unsigned)gid);
}

cJSON *ctr_spec_default(bool rootless, uid_t uid, gid_t gid)
{
	cJSON *doc = cJSON_Parse(default_spec);

	if (doc == NULL || !rootless)
		return doc; /* NULL: out of memory (the text is valid, test_spec) */
	if (!rootless_mounts(cJSON_GetObjectItemCaseSensitive(doc, "mounts")) ||
	    !rootless_linux(cJSON_GetObjectItemCaseSensitive(doc, "linux"), uid, gid)) {
		cJSON_Delete(doc);
		return NULL;
	}
	return doc;
}
