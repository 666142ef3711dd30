/* exec_shim.h: the exec helper's entry point (exec_shim.c), inside the
 * runtime's static helper program (init.c dispatches on argv[0]). */
#ifndef ISOLAB_CONTAINER_EXEC_SHIM_H
#define ISOLAB_CONTAINER_EXEC_SHIM_H

#define CTR_EXEC_SHIM_NAME "isolab-exec"

/* argv: CTR_EXEC_SHIM_NAME SOCK CMD [ARG...]; returns only on bad usage. */
int ctr_exec_shim_main(int argc, char **argv, char **envp);

#endif
