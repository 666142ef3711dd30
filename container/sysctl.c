/* sysctl.c: which linux.sysctl keys a container may set (see sysctl.h). */
#include "container/sysctl.h"

#include <errno.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* ipc_namespaces(7) "/proc interfaces"; runc's validSysctlMap. */
static const char *const ipc_keys[] = {
	"kernel.msgmax", "kernel.msgmnb", "kernel.msgmni", "kernel.sem",
	"kernel.shmall", "kernel.shmmax", "kernel.shmmni", "kernel.shm_rmid_forced",
};

static bool ipc_key(const char *key)
{
	for (size_t i = 0; i < sizeof(ipc_keys) / sizeof(ipc_keys[0]); i++)
		if (strcmp(key, ipc_keys[i]) == 0)
			return true;
	return strncmp(key, "fs.mqueue.", 10) == 0;
}

static int refuse(struct isolab_error *err, const char *key, const char *why)
{
	return isolab_error_set(err, -EINVAL, "config.json: linux.sysctl: `%s`: %s", key, why);
}

int ctr_sysctl_check(const char *key, int namespaces, struct isolab_error *err)
{
	if (key[0] == '\0' || key[0] == '.' || key[0] == '/' || strstr(key, "..") != NULL ||
	    strstr(key, "/.") != NULL || strstr(key, "./") != NULL || strstr(key, "//") != NULL)
		return refuse(err, key, "not a sysctl name");
	if (ipc_key(key))
		return namespaces & CLONE_NEWIPC ? 0
						 : refuse(err, key, "needs an ipc namespace of its own");
	if (strncmp(key, "net.", 4) == 0)
		return namespaces & CLONE_NEWNET
			       ? 0
			       : refuse(err, key, "needs a network namespace of its own");
	if (strcmp(key, "kernel.domainname") == 0)
		return namespaces & CLONE_NEWUTS ? 0
						 : refuse(err, key, "needs a uts namespace of its own");
	if (strcmp(key, "kernel.hostname") == 0)
		return refuse(err, key, "set by `hostname`, not as a sysctl");
	return refuse(err, key,
		      "not in a namespace of the container's (only net.*, kernel.msg*/sem/shm*, "
		      "fs.mqueue.*, kernel.domainname)");
}

int ctr_sysctl_path(const char *key, char *buf, size_t len)
{
	int n = snprintf(buf, len, "/proc/sys/%s", key);

	if (n < 0 || (size_t)n >= len)
		return -ENAMETOOLONG;
	for (char *p = buf + 10; *p; p++)
		if (*p == '.')
			*p = '/';
		else if (*p == '/')
			*p = '.'; /* runc: a '/' in a key stands for a '.' in a name */
	return 0;
}
