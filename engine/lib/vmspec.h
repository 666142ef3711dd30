/*
 * vmspec.h: what `isolab run --vm` hands the guest's init
 * (vmm/guest/isolab-vminit.c): the program, its environment, working
 * directory, user and hostname, computed on the host with Docker's rules
 * (cmdline.h), and the initramfs (a newc cpio archive) that carries it.
 * Pure code: text and bytes in memory, no file system.
 *
 * The spec is text, one record per value, each length-prefixed so a value
 * may hold any byte but NUL:
 *   isolab-vmspec 1\n
 *   KEY LEN\nVALUE\n        (KEY: arg, env, cwd, uid, gid, hostname,
 *                            stdin, tty; arg and env repeat, in order)
 * The init parses it strictly: an unknown key, a length past the end, a
 * missing newline, a NUL in a value, an env without `=`, no arg, a number
 * out of range or a second cwd/uid/... is refused.
 */
#ifndef ISOLAB_ENGINE_VMSPEC_H
#define ISOLAB_ENGINE_VMSPEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "common/error.h"

#define ENG_VMSPEC_MAGIC "isolab-vmspec 1\n"
#define ENG_VMSPEC_MAX_BYTES (1u << 20)  /* the whole spec */
#define ENG_VMSPEC_MAX_ARGS 4096
#define ENG_VMSPEC_MAX_ENV 4096
#define ENG_VMSPEC_ID_MAX 2147483647u  /* uid/gid: runc's range */

/* How the program's stdin is given in the guest. */
enum eng_vmspec_stdin {
	ENG_VMSPEC_STDIN_NULL,    /* /dev/null (docker run without -i) */
	ENG_VMSPEC_STDIN_FILE,    /* ENG_VMSPEC_STDIN_PATH in the initramfs: the
				   * caller's stdin read to its end (-i) */
	ENG_VMSPEC_STDIN_CONSOLE, /* the console, a terminal (-t) */
};

/* Paths in the run's initramfs. */
#define ENG_VMSPEC_PATH "isolab/spec"
#define ENG_VMSPEC_STDIN_PATH "isolab/stdin"

struct eng_vmspec {
	char **argv;           /* NULL-terminated, argc >= 1 */
	size_t argc;
	char **env;            /* NULL-terminated, each K=V */
	size_t n_env;
	const char *cwd;       /* NULL: / */
	unsigned uid, gid;
	const char *hostname;  /* NULL: none set */
	enum eng_vmspec_stdin stdin_mode;
	bool tty;              /* the console stays a terminal (-t) */
};

/* Writes s to f in the format above. -EINVAL if s breaks the rules the
 * parser enforces (no argv, a NUL-free value is all it can carry anyway),
 * -E2BIG over the limits. */
int eng_vmspec_write(FILE *f, const struct eng_vmspec *s, struct isolab_error *err);

/* Parses buf (len bytes; modified: each value is NUL-ended in place) into
 * out, whose argv and env point into buf and into argv_store/env_store
 * (ENG_VMSPEC_MAX_ARGS + 1 and ENG_VMSPEC_MAX_ENV + 1 entries). -EINVAL
 * "spec: WHY" on any deviation. */
int eng_vmspec_parse(char *buf, size_t len, struct eng_vmspec *out, char **argv_store,
		     char **env_store, struct isolab_error *err);

/* The console is both the boot's output and the program's: the init
 * writes this mark just before it execs the program, and the engine
 * (eng_vm_output_feed) sends what follows it to stdout; what came before
 * (the kernel's messages, the init's own failure) goes to stderr, unless
 * it is only blank. */
#define ENG_VMSPEC_OUTPUT_MARK "\036isolab-vm: output\037"
#define ENG_VM_OUTPUT_PRE_MAX 4096

/* Where output goes: fd 1 or 2, bytes. */
typedef void eng_vm_emit_fn(int fd, const char *buf, size_t len, void *ctx);

struct eng_vm_output {
	bool started;                       /* the mark was seen */
	char pre[ENG_VM_OUTPUT_PRE_MAX];    /* bytes before it, held */
	size_t pre_len;
};

/* Feeds n bytes of the console to o; emit gets what goes where. */
void eng_vm_output_feed(struct eng_vm_output *o, const char *buf, size_t n,
			eng_vm_emit_fn *emit, void *ctx);
/* The console ended: bytes held (no mark came) go to stderr unless blank. */
void eng_vm_output_end(struct eng_vm_output *o, eng_vm_emit_fn *emit, void *ctx);

/* newc cpio (the initramfs format the kernel unpacks, Documentation/
 * driver-api/early-userspace/buffer-format.rst): one entry, then the
 * trailer. mode holds the type bits (S_IFREG, S_IFDIR, S_IFCHR); data is
 * a regular file's bytes (len 0 otherwise); rdev_major/minor a device's. */
int eng_cpio_add(FILE *f, const char *name, unsigned mode, unsigned rdev_major,
		 unsigned rdev_minor, const void *data, size_t len, struct isolab_error *err);
int eng_cpio_end(FILE *f, struct isolab_error *err);

#endif
