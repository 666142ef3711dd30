/*
 * args.h: the `isolab-ctr` command line, turned into a struct ctr_config
 * (pure: no file is opened, nothing is created).
 */
#ifndef ISOLAB_CONTAINER_ARGS_H
#define ISOLAB_CONTAINER_ARGS_H

#include "common/error.h"
#include "container/config.h"

enum ctr_command {
	CTR_CMD_RUN,
	CTR_CMD_SWEEP,   /* remove what runtimes killed with SIGKILL left */
	CTR_CMD_HELP,
	CTR_CMD_VERSION,
};

/*
 * Parses argv (argv[0] is the program). For `run --bundle DIR [ID]`,
 * cfg->bundle is set and only the options that make sense with a bundle
 * (--name, --stats, --keep-layer) are filled; oci.c fills the rest.
 */
int ctr_parse_args(int argc, char *const *argv, struct ctr_config *cfg,
		   enum ctr_command *cmd, struct isolab_error *err);

/* "0.5" -> quota 50000 for a 100000 us period; at most 5 decimals. */
int ctr_parse_cpus(const char *text, uint64_t period, int64_t *quota,
		   struct isolab_error *err);

/* "HOSTDIR:CTRDIR[:ro|:rw]" -> a bind mount in cfg. */
int ctr_parse_volume(const char *text, struct ctr_config *cfg, struct isolab_error *err);

/* "--userns" value: "" (defaults), "OUTSIDE" or "OUTSIDE:COUNT". */
int ctr_parse_userns(const char *text, struct ctr_config *cfg, struct isolab_error *err);

/* "--security-opt" value: "seccomp=unconfined" or "seccomp=FILE.json"
 * (the file is read later, by main.c). */
int ctr_parse_security_opt(const char *text, struct ctr_config *cfg, struct isolab_error *err);

extern const char ctr_usage[];

#endif
