/*
 * run.h: what `isolab run`'s two paths share: cmd_run.c (a container,
 * through isolab-ctr) and vm_run.c (`--vm`: a microVM, through
 * isolab-vmm). Both compute what the program is with the same rules
 * (engine/lib/cmdline.h); these are the pieces the second path takes
 * from the first.
 */
#ifndef ISOLAB_ENGINE_RUN_H
#define ISOLAB_ENGINE_RUN_H

#include <stdbool.h>
#include <sys/types.h>

#include "engine/cli.h"
#include "engine/lib/cmdline.h"
#include "engine/lib/image.h"

/* The uid and gid of user_opt (-u), else of the image's User, resolved
 * against the image's /etc/passwd and /etc/group (layers: its unpacked
 * layer dirs, lowest first). */
int eng_run_user(const char *user_opt, const struct eng_image *img, char **layers, size_t n,
		 unsigned *uid, unsigned *gid, struct isolab_error *err);

/* Waits for the child that runs the program (isolab-ctr or isolab-vmm) as
 * docker run does: SIGTERM and SIGHUP passed on; SIGINT too with
 * pass_int, else ignored (the terminal sends it to the child as well).
 * The child's status, 128+N for a signal. */
int eng_run_wait(pid_t pid, bool pass_int);
/* The signal handling of eng_run_wait alone, for a caller with more to do
 * before it waits. */
void eng_run_signals(pid_t pid, bool pass_int);

/* `isolab run --vm`: what the command line gave. */
struct eng_vm_request {
	const char *image;               /* as typed */
	struct eng_run_override ov;      /* --entrypoint, CMD */
	struct eng_env_request env;      /* -e; hostname set by eng_vm_run */
	const char *workdir, *user;      /* -w, -u, or NULL: the image's */
	const char *name, *hostname;     /* the hostname: hostname, else name */
	const char *memory, *cpus;       /* guest RAM, vCPUs; NULL: isolab-vmm's */
	bool interactive, tty;           /* -i: stdin read whole; -t: the console */
};

/* Runs the program in a microVM (engine/README.md, "Run an image as a VM")
 * and returns its exit status; 125 with cli->err set when the engine or
 * the VM failed before the program's status was known. */
int eng_vm_run(struct eng_cli *cli, struct eng_vm_request *rq);

#endif
