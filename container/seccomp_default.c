/*
 * seccomp_default.c: the default seccomp profile, the same decisions as
 * Docker's (moby profiles/seccomp/default.json, 2024): every system call
 * not listed answers EPERM; the listed ones are allowed, some only with
 * a capability (mount, unshare, setns, bpf, ... with CAP_SYS_ADMIN;
 * reboot with CAP_SYS_BOOT; module loading with CAP_SYS_MODULE; ...);
 * clone only without namespace flags and clone3 answers ENOSYS (so libc
 * falls back to clone) unless CAP_SYS_ADMIN is held; personality only
 * with the five harmless personas; socket of any family but AF_VSOCK.
 * Never allowed: keyctl, add_key, request_key, kexec_load, userfaultfd,
 * open_by_handle_at (without CAP_DAC_READ_SEARCH), ...
 *
 * Filled into the struct a JSON profile gives (seccomp.h), with Docker's
 * conditions (capabilities, architecture, kernel), for
 * ctr_seccomp_resolve.
 */
#include "container/seccomp.h"
#include "container/config.h"

#include <errno.h>
#include <linux/capability.h>
#include <stdlib.h>
#include <string.h>

/* Allowed for everyone. */
static const char *const allowed[] = {
	"accept", "accept4", "access", "adjtimex", "alarm", "bind", "brk", "capget", "capset",
	"chdir", "chmod", "chown", "chown32", "clock_adjtime", "clock_adjtime64",
	"clock_getres", "clock_getres_time64", "clock_gettime", "clock_gettime64",
	"clock_nanosleep", "clock_nanosleep_time64", "close", "close_range", "connect",
	"copy_file_range", "creat", "dup", "dup2", "dup3", "epoll_create", "epoll_create1",
	"epoll_ctl", "epoll_ctl_old", "epoll_pwait", "epoll_pwait2", "epoll_wait",
	"epoll_wait_old", "eventfd", "eventfd2", "execve", "execveat", "exit", "exit_group",
	"faccessat", "faccessat2", "fadvise64", "fadvise64_64", "fallocate", "fanotify_mark",
	"fchdir", "fchmod", "fchmodat", "fchown", "fchown32", "fchownat", "fcntl", "fcntl64",
	"fdatasync", "fgetxattr", "flistxattr", "flock", "fork", "fremovexattr", "fsetxattr",
	"fstat", "fstat64", "fstatat64", "fstatfs", "fstatfs64", "fsync", "ftruncate",
	"ftruncate64", "futex", "futex_time64", "futex_waitv", "futimesat", "getcpu", "getcwd",
	"getdents", "getdents64", "getegid", "getegid32", "geteuid", "geteuid32", "getgid",
	"getgid32", "getgroups", "getgroups32", "getitimer", "getpeername", "getpgid",
	"getpgrp", "getpid", "getppid", "getpriority", "getrandom", "getresgid", "getresgid32",
	"getresuid", "getresuid32", "getrlimit", "get_robust_list", "getrusage", "getsid",
	"getsockname", "getsockopt", "get_thread_area", "gettid", "gettimeofday", "getuid",
	"getuid32", "getxattr", "inotify_add_watch", "inotify_init", "inotify_init1",
	"inotify_rm_watch", "io_cancel", "ioctl", "io_destroy", "io_getevents",
	"io_pgetevents", "io_pgetevents_time64", "ioprio_get", "ioprio_set", "io_setup",
	"io_submit", "io_uring_enter", "io_uring_register", "io_uring_setup", "ipc", "kill",
	"landlock_add_rule", "landlock_create_ruleset", "landlock_restrict_self", "lchown",
	"lchown32", "lgetxattr", "link", "linkat", "listen", "listxattr", "llistxattr",
	"_llseek", "lremovexattr", "lseek", "lsetxattr", "lstat", "lstat64", "madvise",
	"membarrier", "memfd_create", "memfd_secret", "mincore", "mkdir", "mkdirat", "mknod",
	"mknodat", "mlock", "mlock2", "mlockall", "mmap", "mmap2", "mprotect",
	"mq_getsetattr", "mq_notify", "mq_open", "mq_timedreceive", "mq_timedreceive_time64",
	"mq_timedsend", "mq_timedsend_time64", "mq_unlink", "mremap", "msgctl", "msgget",
	"msgrcv", "msgsnd", "msync", "munlock", "munlockall", "munmap", "name_to_handle_at",
	"nanosleep", "newfstatat", "_newselect", "open", "openat", "openat2", "pause",
	"pidfd_open", "pidfd_send_signal", "pipe", "pipe2", "pkey_alloc", "pkey_free",
	"pkey_mprotect", "poll", "ppoll", "ppoll_time64", "prctl", "pread64", "preadv",
	"preadv2", "prlimit64", "process_mrelease", "pselect6", "pselect6_time64", "pwrite64",
	"pwritev", "pwritev2", "read", "readahead", "readlink", "readlinkat", "readv", "recv",
	"recvfrom", "recvmmsg", "recvmmsg_time64", "recvmsg", "remap_file_pages",
	"removexattr", "rename", "renameat", "renameat2", "restart_syscall", "rmdir", "rseq",
	"rt_sigaction", "rt_sigpending", "rt_sigprocmask", "rt_sigqueueinfo", "rt_sigreturn",
	"rt_sigsuspend", "rt_sigtimedwait", "rt_sigtimedwait_time64", "rt_tgsigqueueinfo",
	"sched_getaffinity", "sched_getattr", "sched_getparam", "sched_get_priority_max",
	"sched_get_priority_min", "sched_getscheduler", "sched_rr_get_interval",
	"sched_rr_get_interval_time64", "sched_setaffinity", "sched_setattr",
	"sched_setparam", "sched_setscheduler", "sched_yield", "seccomp", "select", "semctl",
	"semget", "semop", "semtimedop", "semtimedop_time64", "send", "sendfile",
	"sendfile64", "sendmmsg", "sendmsg", "sendto", "setfsgid", "setfsgid32", "setfsuid",
	"setfsuid32", "setgid", "setgid32", "setgroups", "setgroups32", "setitimer",
	"setpgid", "setpriority", "setregid", "setregid32", "setresgid", "setresgid32",
	"setresuid", "setresuid32", "setreuid", "setreuid32", "setrlimit", "set_robust_list",
	"setsid", "setsockopt", "set_thread_area", "set_tid_address", "setuid", "setuid32",
	"setxattr", "shmat", "shmctl", "shmdt", "shmget", "shutdown", "sigaltstack",
	"signalfd", "signalfd4", "sigprocmask", "sigreturn", "socketcall", "socketpair",
	"splice", "stat", "stat64", "statfs", "statfs64", "statx", "symlink", "symlinkat",
	"sync", "sync_file_range", "syncfs", "sysinfo", "tee", "tgkill", "time",
	"timer_create", "timer_delete", "timer_getoverrun", "timer_gettime",
	"timer_gettime64", "timer_settime", "timer_settime64", "timerfd_create",
	"timerfd_gettime", "timerfd_gettime64", "timerfd_settime", "timerfd_settime64",
	"times", "tkill", "truncate", "truncate64", "ugetrlimit", "umask", "uname", "unlink",
	"unlinkat", "utime", "utimensat", "utimensat_time64", "utimes", "vfork", "vmsplice",
	"wait4", "waitid", "waitpid", "write", "writev", NULL,
};

#define CAP(c) (1ull << (c))
#define NAMES(...) ((const char *const[]){ __VA_ARGS__, NULL })
#define X86_ARCHES "amd64" /* the rules Docker limits to amd64/x32(/x86) */

/* CLONE_NEWNS | NEWCGROUP | NEWUTS | NEWIPC | NEWUSER | NEWPID | NEWNET:
 * clone is allowed when (flags & this) == 0. */
#define NAMESPACE_FLAGS 0x7e020000ull
#define AF_VSOCK_FAMILY 40
#define PERSONA_NONE 0x0ull          /* PER_LINUX */
#define PERSONA_LINUX32 0x8ull       /* PER_LINUX32 */
#define PERSONA_UNAME26 0x20000ull   /* UNAME26 */
#define PERSONA_UNAME26_32 0x20008ull
#define PERSONA_QUERY 0xffffffffull  /* query the current persona */

struct default_rule {
	const char *const *names;
	enum ctr_scmp_action action;
	int errno_ret;
	uint64_t caps_all, caps_none;
	const char *arch;    /* Docker architecture it is limited to, or NULL */
	unsigned min_kernel;
	bool has_arg;
	struct ctr_scmp_arg arg;
};

#define ALLOW_WITH(cap, ...) { NAMES(__VA_ARGS__), CTR_SCMP_ALLOW, 0, CAP(cap), 0, NULL, 0, false, { 0 } }
#define ALLOW_ARG0(name, op, v, two) \
	{ NAMES(name), CTR_SCMP_ALLOW, 0, 0, 0, NULL, 0, true, { 0, (v), (two), (op) } }

static const struct default_rule rules[] = {
	{ allowed, CTR_SCMP_ALLOW, 0, 0, 0, NULL, 0, false, { 0 } },
	{ NAMES("process_vm_readv", "process_vm_writev", "ptrace"), CTR_SCMP_ALLOW, 0, 0, 0, NULL,
	  4 << 16 | 8, false, { 0 } },
	ALLOW_ARG0("socket", CTR_SCMP_CMP_NE, AF_VSOCK_FAMILY, 0),
	ALLOW_ARG0("personality", CTR_SCMP_CMP_EQ, PERSONA_NONE, 0),
	ALLOW_ARG0("personality", CTR_SCMP_CMP_EQ, PERSONA_LINUX32, 0),
	ALLOW_ARG0("personality", CTR_SCMP_CMP_EQ, PERSONA_UNAME26, 0),
	ALLOW_ARG0("personality", CTR_SCMP_CMP_EQ, PERSONA_UNAME26_32, 0),
	ALLOW_ARG0("personality", CTR_SCMP_CMP_EQ, PERSONA_QUERY, 0),
	{ NAMES("arch_prctl", "modify_ldt"), CTR_SCMP_ALLOW, 0, 0, 0, X86_ARCHES, 0, false, { 0 } },
	ALLOW_WITH(CAP_DAC_READ_SEARCH, "open_by_handle_at"),
	ALLOW_WITH(CAP_SYS_ADMIN, "bpf", "clone", "clone3", "fanotify_init", "fsconfig",
		   "fsmount", "fsopen", "fspick", "lookup_dcookie", "mount", "mount_setattr",
		   "move_mount", "open_tree", "perf_event_open", "quotactl", "quotactl_fd",
		   "setdomainname", "sethostname", "setns", "syslog", "umount", "umount2",
		   "unshare"),
	{ NAMES("clone"), CTR_SCMP_ALLOW, 0, 0, CAP(CAP_SYS_ADMIN), NULL, 0, true,
	  { 0, NAMESPACE_FLAGS, 0, CTR_SCMP_CMP_MASKED_EQ } },
	{ NAMES("clone3"), CTR_SCMP_ERRNO, ENOSYS, 0, CAP(CAP_SYS_ADMIN), NULL, 0, false, { 0 } },
	ALLOW_WITH(CAP_SYS_BOOT, "reboot"),
	ALLOW_WITH(CAP_SYS_CHROOT, "chroot"),
	ALLOW_WITH(CAP_SYS_MODULE, "delete_module", "init_module", "finit_module"),
	ALLOW_WITH(CAP_SYS_PACCT, "acct"),
	ALLOW_WITH(CAP_SYS_PTRACE, "kcmp", "pidfd_getfd", "process_madvise", "process_vm_readv",
		   "process_vm_writev", "ptrace"),
	ALLOW_WITH(CAP_SYS_RAWIO, "iopl", "ioperm"),
	ALLOW_WITH(CAP_SYS_TIME, "settimeofday", "stime", "clock_settime", "clock_settime64"),
	ALLOW_WITH(CAP_SYS_TTY_CONFIG, "vhangup"),
	ALLOW_WITH(CAP_SYS_NICE, "get_mempolicy", "mbind", "set_mempolicy",
		   "set_mempolicy_home_node"),
	ALLOW_WITH(CAP_SYSLOG, "syslog"),
	ALLOW_WITH(CAP_BPF, "bpf"),
	ALLOW_WITH(CAP_PERFMON, "perf_event_open"),
};

/* Docker's archMap entry for x86_64 (and aarch64's). */
static const char *const arches[] = {
#if defined(__x86_64__)
	"x86_64", "x86", "x32",
#elif defined(__aarch64__)
	"aarch64", "arm",
#else
	"native",
#endif
};

int ctr_seccomp_default(struct ctr_seccomp_profile **out)
{
	const size_t n = sizeof(rules) / sizeof(rules[0]);
	struct ctr_seccomp_profile *p = calloc(1, sizeof(*p));

	*out = NULL;
	if (p == NULL || (p->rules = calloc(n, sizeof(*p->rules))) == NULL)
		goto nomem;
	p->default_action = CTR_SCMP_ERRNO;
	p->default_errno = EPERM;
	for (size_t i = 0; i < sizeof(arches) / sizeof(arches[0]); i++)
		if (ctr_strv_push(&p->arches, &p->n_arches, arches[i]) < 0)
			goto nomem;
	for (size_t i = 0; i < n; i++) {
		const struct default_rule *d = &rules[i];
		struct ctr_scmp_rule *r = &p->rules[p->n_rules++];

		for (const char *const *name = d->names; *name; name++)
			if (ctr_strv_push(&r->names, &r->n_names, *name) < 0)
				goto nomem;
		r->action = d->action;
		r->errno_ret = d->action == CTR_SCMP_ERRNO ? d->errno_ret : CTR_SCMP_EPERM;
		r->caps_all = d->caps_all;
		r->caps_none = d->caps_none;
		r->other_arch = d->arch != NULL && strcmp(d->arch, ctr_seccomp_native_docker_arch) != 0;
		r->min_kernel = d->min_kernel;
		if (d->has_arg) {
			r->args[0] = d->arg;
			r->n_args = 1;
		}
	}
	*out = p;
	return 0;
nomem:
	ctr_seccomp_free(p);
	return -ENOMEM;
}

int ctr_seccomp_default_for(uint64_t caps, unsigned kernel, struct ctr_seccomp_profile **out)
{
	int rc = ctr_seccomp_default(out);

	if (rc == 0)
		ctr_seccomp_resolve(*out, caps, kernel);
	return rc;
}
