/*
 * cmd_exec.c: `isolab-ctr exec [runc's flags] ID [CMD...]`: a new process
 * in a created or running container (exec_into.h), configured as the
 * container's own process (its bundle's config.json) with CMD as its
 * arguments and runc's -t -e --cwd -u --cap --no-new-privs applied
 * (exec_flags.h), or with FILE's process object (--process) instead.
 * Exits with the program's status (-d: 0 once it runs).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "container/cli.h"
#include "container/exec_into.h"
#include "container/lifecycle.h"
#include "container/reap.h"
#include "container/seccomp.h"

/* cfg becomes the bundle's config: its process from --process whole, or
 * with the command line's arguments and runc's process flags
 * (exec_flags.h). */
static int load_exec_config(const struct ctr_saved *s, const struct ctr_args *args,
			    struct ctr_config *cfg, struct isolab_error *err)
{
	char **argv = cfg->argv;
	size_t argc = cfg->argc;
	int rc;

	cfg->argv = NULL, cfg->argc = 0;
	free(cfg->bundle);
	free(cfg->id);
	cfg->bundle = strdup(s->bundle);
	cfg->id = strdup(s->id);
	if (cfg->bundle == NULL || cfg->id == NULL)
		rc = isolab_error_set(err, -ENOMEM, "exec: out of memory");
	else
		rc = ctr_cmd_load_config(cfg, args->process, NULL, err);
	if (rc == 0 && argc > 0) {
		for (size_t i = 0; i < cfg->argc; i++)
			free(cfg->argv[i]);
		free(cfg->argv);
		cfg->argv = argv, cfg->argc = argc;
		argv = NULL, argc = 0;
	}
	for (size_t i = 0; i < argc; i++)
		free(argv[i]);
	free(argv);
	if (rc == 0 && args->process == NULL)
		rc = ctr_exec_flags_apply(&args->exec, cfg, err);
	if (rc == 0)
		rc = ctr_seccomp_prepare(cfg, err);
	return rc;
}

/* runc's rules for a terminal and --console-socket. */
static int check_terminal(const struct ctr_config *cfg, const struct ctr_exec_opts *o,
			  struct isolab_error *err)
{
	if (o->console_socket != NULL && (!o->detach || !cfg->tty))
		return isolab_error_set(err, -EINVAL,
					"cannot use console socket if isolab-ctr will not detach or allocate tty");
	if (cfg->tty && o->detach && o->console_socket == NULL)
		return isolab_error_set(err, -EINVAL,
					"cannot allocate tty if isolab-ctr will detach without setting console socket");
	return 0;
}

int ctr_cmd_exec(const struct ctr_cli *cli, const struct ctr_args *args, struct ctr_config *cfg)
{
	struct ctr_exec_opts o = { .detach = args->detach, .pid_file = args->pid_file,
				   .console_socket = args->console_socket,
				   .preserve_fds = args->exec.preserve_fds };
	struct isolab_error err = { 0 };
	enum ctr_status status;
	struct ctr_saved s;
	int rc, exit_status = CTR_EXIT_RUNTIME;

	if (geteuid() != 0) {
		isolab_error_set(&err, -EPERM, "must run as root (namespaces and cgroups)");
		return ctr_cli_fail(cli, &err);
	}
	if (ctr_lifecycle_lookup(cli->g->root, args->id, &s, &status, &err) < 0)
		return ctr_cli_fail(cli, &err);
	if (status == CTR_STATUS_STOPPED)
		rc = isolab_error_set(&err, -ESRCH, "exec failed: cannot exec in a stopped container");
	else if (status == CTR_STATUS_PAUSED)
		rc = isolab_error_set(&err, -EBUSY, "exec failed: cannot exec in a paused container");
	else
		rc = load_exec_config(&s, args, cfg, &err);
	if (rc == 0)
		rc = check_terminal(cfg, &o, &err);
	if (rc == 0)
		rc = ctr_exec_into(&s, cfg, &o, &exit_status, &err);
	ctr_saved_free(&s);
	if (rc < 0) {
		ctr_cli_error(cli, err.msg);
		return exit_status;
	}
	return exit_status;
}
