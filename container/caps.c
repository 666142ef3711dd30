/* caps.c: capability sets for the container's process (see caps.h). */
#include "container/caps.h"

#include <errno.h>
#include <strings.h>
#include <sys/capability.h>
#include <sys/prctl.h>

/* include/uapi/linux/capability.h, in number order. */
static const char *const cap_names[] = {
	"chown", "dac_override", "dac_read_search", "fowner", "fsetid", "kill",
	"setgid", "setuid", "setpcap", "linux_immutable", "net_bind_service",
	"net_broadcast", "net_admin", "net_raw", "ipc_lock", "ipc_owner",
	"sys_module", "sys_rawio", "sys_chroot", "sys_ptrace", "sys_pacct",
	"sys_admin", "sys_boot", "sys_nice", "sys_resource", "sys_time",
	"sys_tty_config", "mknod", "lease", "audit_write", "audit_control",
	"setfcap", "mac_override", "mac_admin", "syslog", "wake_alarm",
	"block_suspend", "audit_read", "perfmon", "bpf", "checkpoint_restore",
};

int ctr_cap_from_name(const char *name, int *cap)
{
	if (strncasecmp(name, "CAP_", 4) == 0)
		name += 4;
	for (size_t i = 0; i < sizeof(cap_names) / sizeof(cap_names[0]); i++) {
		if (strcasecmp(name, cap_names[i]) == 0) {
			*cap = (int)i;
			return 0;
		}
	}
	return -EINVAL;
}

const char *ctr_cap_name(int cap)
{
	if (cap < 0 || (size_t)cap >= sizeof(cap_names) / sizeof(cap_names[0]))
		return NULL;
	return cap_names[cap];
}

uint64_t ctr_caps_ambient_raisable(const struct ctr_caps *caps)
{
	return caps->ambient & caps->permitted & caps->inheritable & caps->bounding;
}

int ctr_caps_drop_bounding(const struct ctr_caps *caps, struct isolab_error *err)
{
	/* The kernel may know more capabilities than our headers do. */
	for (int c = 0; c < 64; c++) {
		if (c <= CTR_CAP_LAST && (caps->bounding & (1ull << c)))
			continue;
		if (prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0) {
			if (errno == EINVAL)
				break; /* past the kernel's last capability */
			return isolab_error_errno(err, -errno, "drop capability %d from the bounding set", c);
		}
	}
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
		return isolab_error_errno(err, -errno, "clear the ambient capability set");
	return 0;
}

static int set_flag(cap_t c, cap_flag_t which, uint64_t mask)
{
	cap_value_t list[64];
	int n = 0;

	for (int i = 0; i <= CTR_CAP_LAST; i++)
		if (mask & (1ull << i))
			list[n++] = i;
	return n ? cap_set_flag(c, which, n, list, CAP_SET) : 0;
}

/* The capabilities this process may still give: its bounding set. */
static uint64_t held_caps(void)
{
	uint64_t held = 0;

	for (int i = 0; i <= CTR_CAP_LAST; i++)
		if (prctl(PR_CAPBSET_READ, i, 0, 0, 0) == 1)
			held |= 1ull << i;
	return held;
}

int ctr_caps_apply(const struct ctr_caps *caps, struct isolab_error *err)
{
	uint64_t held = held_caps(), keep = caps->all ? held : ~0ull;
	uint64_t ambient = ctr_caps_ambient_raisable(caps) & keep;
	uint64_t wanted = (caps->effective | caps->permitted | caps->inheritable | ambient) & keep;
	cap_t c;
	int rc = 0;

	/* ALL means what the runtime holds (it may run with fewer than all,
	 * as in a container itself); a capability named and not held is an
	 * error that names it. */
	for (int i = 0; i <= CTR_CAP_LAST; i++)
		if ((wanted & (1ull << i)) && !(held & (1ull << i)))
			return isolab_error_set(err, -EPERM, "capability %s: the runtime does not hold it",
						cap_names[i]);
	c = cap_init();
	if (c == NULL)
		return isolab_error_errno(err, -errno, "capabilities: cap_init");
	if (set_flag(c, CAP_EFFECTIVE, caps->effective & keep) < 0 ||
	    set_flag(c, CAP_PERMITTED, caps->permitted & keep) < 0 ||
	    set_flag(c, CAP_INHERITABLE, caps->inheritable & keep) < 0)
		rc = isolab_error_errno(err, -errno, "capabilities: build the set");
	else if (cap_set_proc(c) < 0)
		rc = isolab_error_errno(err, -errno, "capabilities: set effective/permitted/inheritable");
	cap_free(c);
	if (rc < 0)
		return rc;
	for (int i = 0; i <= CTR_CAP_LAST; i++) {
		if (!(ambient & (1ull << i)))
			continue;
		if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, i, 0, 0) < 0)
			return isolab_error_errno(err, -errno, "raise ambient capability %s",
						  cap_names[i]);
	}
	return 0;
}
