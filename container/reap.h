/*
 * reap.h: what a container's PID 1 does with its children, shared by the
 * runtime (the exit status it reports) and the --init program (init.c):
 * reap every child, end with the command's status.
 */
#ifndef ISOLAB_CONTAINER_REAP_H
#define ISOLAB_CONTAINER_REAP_H

#include <sys/types.h>

/* Exit statuses (Docker's convention, docker-run(1) "EXIT STATUS"). */
#define CTR_EXIT_RUNTIME 125
#define CTR_EXIT_NOEXEC 126
#define CTR_EXIT_NOTFOUND 127

/* The signals the runtime and the init forward to the command: SIGINT,
 * SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2. */
#define CTR_N_FORWARDED 6
extern const int ctr_forwarded_signals[CTR_N_FORWARDED];

/* The exit status for a wait(2) status: the code, or 128+N for signal N. */
int ctr_exit_status(int wstatus);

/* Reaps children (orphans included) until command ends; returns its exit
 * status, or CTR_EXIT_RUNTIME if it was never this process's child. */
int ctr_reap_until(pid_t command);

#endif
