/*
 * main.c: the isolab-ctr command line. Parses, runs, prints at most one
 * line on error (`isolab-ctr: <message>`), exits with the command's
 * status or 125/126/127 (see run.h and README.md).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/timing.h"
#include "container/args.h"
#include "container/exec_cmd.h"
#include "container/oci.h"
#include "container/owner.h"
#include "container/run.h"
#include "container/seccomp.h"
#include "container/stats.h"

static int make_id(struct ctr_config *cfg)
{
	char id[32];

	if (cfg->id != NULL)
		return 0;
	/* Unique on this host: pid and the clock. */
	snprintf(id, sizeof(id), "%06x%010llx", (unsigned)getpid() & 0xffffff,
		 (unsigned long long)(isolab_now_ns() & 0xffffffffffull));
	cfg->id = strdup(id);
	return cfg->id ? 0 : -ENOMEM;
}

/* --device-cgroup-rule with --bundle: after the bundle's own rules. */
static int append_device_rules(struct ctr_config *oci, const struct ctr_config *cfg,
			       struct isolab_error *err)
{
	struct ctr_dev_rule *all;

	if (cfg->n_dev_rules == 0)
		return 0;
	all = realloc(oci->dev_rules, (oci->n_dev_rules + cfg->n_dev_rules) * sizeof(*all));
	if (all == NULL)
		return isolab_error_set(err, -ENOMEM, "out of memory");
	memcpy(all + oci->n_dev_rules, cfg->dev_rules, cfg->n_dev_rules * sizeof(*all));
	oci->dev_rules = all;
	oci->n_dev_rules += cfg->n_dev_rules;
	return 0;
}

static int load_config(struct ctr_config *cfg, struct isolab_error *err)
{
	if (cfg->bundle != NULL) {
		struct ctr_config oci;
		int rc;

		ctr_config_init(&oci);
		rc = ctr_oci_load(cfg->bundle, &oci, err);
		if (rc < 0) {
			ctr_config_free(&oci);
			return rc;
		}
		/* Keep what the command line said about this run. */
		oci.id = cfg->id, cfg->id = NULL;
		oci.stats_path = cfg->stats_path, cfg->stats_path = NULL;
		oci.keep_layer = cfg->keep_layer, cfg->keep_layer = NULL;
		oci.keep_devices = cfg->keep_devices;
		rc = append_device_rules(&oci, cfg, err);
		if (rc < 0) {
			ctr_config_free(&oci);
			return rc;
		}
		oci.cgroup_parent = cfg->cgroup_parent, cfg->cgroup_parent = NULL;
		oci.bundle = cfg->bundle, cfg->bundle = NULL;
		ctr_config_free(cfg);
		*cfg = oci;
	} else {
		bool has_path = false;

		for (size_t i = 0; i < cfg->n_env; i++)
			has_path |= strncmp(cfg->env[i], "PATH=", 5) == 0;
		if (!has_path &&
		    ctr_strv_push(&cfg->env, &cfg->n_env,
				  "PATH=" CTR_DEFAULT_PATH) < 0)
			return isolab_error_set(err, -ENOMEM, "out of memory");
		if (ctr_config_add_default_mounts(cfg, err) < 0)
			return err->code;
		/* Volumes were added before the defaults; move them after. */
		size_t nvol = cfg->n_mounts - 5;
		struct ctr_mount tmp[5];

		memcpy(tmp, cfg->mounts + nvol, sizeof(tmp));
		memmove(cfg->mounts + 5, cfg->mounts, nvol * sizeof(*tmp));
		memcpy(cfg->mounts, tmp, sizeof(tmp));
		for (const char *const *p = ctr_default_masked_paths; *p; p++)
			if (ctr_strv_push(&cfg->masked_paths, &cfg->n_masked, *p) < 0)
				return isolab_error_set(err, -ENOMEM, "out of memory");
		for (const char *const *p = ctr_default_readonly_paths; *p; p++)
			if (ctr_strv_push(&cfg->readonly_paths, &cfg->n_readonly, *p) < 0)
				return isolab_error_set(err, -ENOMEM, "out of memory");
	}
	if (cfg->seccomp_path != NULL && ctr_seccomp_read_file(cfg->seccomp_path, &cfg->seccomp, err) < 0)
		return err->code;
	if (make_id(cfg) < 0)
		return isolab_error_set(err, -ENOMEM, "out of memory");
	if (cfg->hostname == NULL) {
		cfg->hostname = strndup(cfg->id, 12);
		if (cfg->hostname == NULL)
			return isolab_error_set(err, -ENOMEM, "out of memory");
	}
	if (cfg->n_env == 0 || strncmp(cfg->env[cfg->n_env - 1], "HOSTNAME=", 9) != 0) {
		char kv[80];

		snprintf(kv, sizeof(kv), "HOSTNAME=%s", cfg->hostname);
		bool has = false;
		for (size_t i = 0; i < cfg->n_env; i++)
			has |= strncmp(cfg->env[i], "HOSTNAME=", 9) == 0;
		if (!has && ctr_strv_push(&cfg->env, &cfg->n_env, kv) < 0)
			return isolab_error_set(err, -ENOMEM, "out of memory");
	}
	return ctr_config_validate(cfg, err);
}

static void warn_line(const char *message)
{
	fprintf(stderr, "isolab-ctr: warning: %s\n", message);
}

/* `isolab-ctr sweep`: 0, or 125 when something stale had to stay (each
 * one named by a warning). */
static int sweep_command(void)
{
	if (geteuid() != 0) {
		fprintf(stderr, "isolab-ctr: must run as root (mounts and cgroups)\n");
		return CTR_EXIT_RUNTIME;
	}
	return ctr_owner_sweep(warn_line) > 0 ? CTR_EXIT_RUNTIME : 0;
}

int main(int argc, char **argv)
{
	struct isolab_error err = { 0 };
	struct ctr_stats stats = { 0 };
	struct ctr_config cfg;
	enum ctr_command cmd = CTR_CMD_RUN;
	int status = CTR_EXIT_RUNTIME, rc;

	ctr_config_init(&cfg);
	rc = ctr_parse_args(argc, argv, &cfg, &cmd, &err);
	if (rc == 0 && cmd == CTR_CMD_HELP) {
		fputs(ctr_usage, stdout);
		ctr_config_free(&cfg);
		return 0;
	}
	if (rc == 0 && cmd == CTR_CMD_VERSION) {
		puts("isolab-ctr 0.1");
		ctr_config_free(&cfg);
		return 0;
	}
	if (rc == 0 && cmd == CTR_CMD_SWEEP) {
		ctr_config_free(&cfg);
		return sweep_command();
	}
	if (rc == 0)
		rc = load_config(&cfg, &err);
	if (rc == 0) {
		if (geteuid() != 0)
			rc = isolab_error_set(&err, -EPERM,
					      "must run as root (namespaces, mounts and cgroups)");
		else {
			/* What runtimes killed with SIGKILL left (owner.h): first,
			 * so that this run can reuse their ids. */
			ctr_owner_sweep(warn_line);
			rc = ctr_run(&cfg, &status, &stats, &err);
		}
	}
	if (rc < 0) {
		fprintf(stderr, "isolab-ctr: %s\n", err.msg);
		stats.error = err.msg;
	}
	if (stats.kept.devices || stats.kept.special || stats.kept.stripped)
		fprintf(stderr,
			"isolab-ctr: warning: --keep-layer: left out %u device node(s) and %u FIFO(s) or socket(s), stripped setuid/setgid from %u\n",
			stats.kept.devices, stats.kept.special, stats.kept.stripped);
	if (stats.oom_killed)
		fprintf(stderr,
			"isolab-ctr: container %s: out of memory: killed by the OOM killer at its %llu-byte limit\n",
			cfg.id, (unsigned long long)cfg.memory_limit);
	stats.exit_status = status;
	if (cfg.stats_path != NULL && stats.phase_ns[CTR_PHASE_START] != 0) {
		struct isolab_error serr = { 0 };

		if (ctr_stats_write(cfg.stats_path, &stats, &serr) < 0) {
			fprintf(stderr, "isolab-ctr: %s\n", serr.msg);
			if (rc == 0)
				status = CTR_EXIT_RUNTIME;
		}
	}
	ctr_config_free(&cfg);
	return status;
}
