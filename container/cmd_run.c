/*
 * cmd_run.c: `isolab-ctr run`: the config loaded (the command line's, or
 * a bundle's config.json with what the command line says about this run),
 * completed (id, hostname, layers, seccomp program) and from then on only
 * read; stale leftovers swept; the container run to completion (run.h);
 * its --stats record written.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/size.h"
#include "common/timing.h"
#include "container/cli.h"
#include "container/oci.h"
#include "container/rootfs.h"
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

/* cfg becomes the bundle's config, keeping what the command line said
 * about this run. */
static int load_bundle(struct ctr_config *cfg, const char *process_file, cJSON **annotations,
		       struct isolab_error *err)
{
	struct ctr_config oci;
	int rc;

	ctr_config_init(&oci);
	rc = ctr_oci_load_with(cfg->bundle, process_file, &oci, annotations, err);
	if (rc < 0) {
		ctr_config_free(&oci);
		return rc;
	}
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
	return 0;
}

/* HOSTNAME=, unless the environment has it. */
static int add_hostname_env(struct ctr_config *cfg, struct isolab_error *err)
{
	char kv[80];
	bool has = false;

	for (size_t i = 0; i < cfg->n_env; i++)
		has |= strncmp(cfg->env[i], "HOSTNAME=", 9) == 0;
	if (has)
		return 0;
	snprintf(kv, sizeof(kv), "HOSTNAME=%s", cfg->hostname);
	if (ctr_strv_push(&cfg->env, &cfg->n_env, kv) < 0)
		return isolab_error_set(err, -ENOMEM, "out of memory");
	return 0;
}

int ctr_cmd_load_config(struct ctr_config *cfg, const char *process_file, cJSON **annotations,
			struct isolab_error *err)
{
	int rc = cfg->bundle != NULL ? load_bundle(cfg, process_file, annotations, err)
				     : ctr_config_add_cli_defaults(cfg, err);

	if (rc < 0)
		return rc;
	if (cfg->seccomp_path != NULL && ctr_seccomp_read_file(cfg->seccomp_path, &cfg->seccomp, err) < 0)
		return err->code;
	if (make_id(cfg) < 0)
		return isolab_error_set(err, -ENOMEM, "out of memory");
	if (cfg->hostname == NULL) {
		cfg->hostname = strndup(cfg->id, 12);
		if (cfg->hostname == NULL)
			return isolab_error_set(err, -ENOMEM, "out of memory");
	}
	if (add_hostname_env(cfg, err) < 0)
		return err->code;
	return ctr_config_validate(cfg, err);
}

/* What the run says besides an error: the --keep-layer omissions, an OOM kill. */
static void report_run(const struct ctr_cli *cli, const struct ctr_config *cfg,
		       const struct ctr_stats *stats)
{
	char msg[ISOLAB_ERROR_MSG_MAX];

	if (stats->kept.devices || stats->kept.special || stats->kept.stripped) {
		snprintf(msg, sizeof(msg),
			 "--keep-layer: left out %u device node(s) and %u FIFO(s) or socket(s), stripped setuid/setgid from %u",
			 stats->kept.devices, stats->kept.special, stats->kept.stripped);
		ctr_cli_warn(cli, msg);
	}
	if (stats->hook_warning[0] != '\0')
		ctr_cli_warn(cli, stats->hook_warning);
	if (stats->oom_killed) {
		char limit[32];

		isolab_format_size(cfg->memory_limit, limit, sizeof(limit));
		snprintf(msg, sizeof(msg),
			 "container %s: out of memory: killed by the OOM killer at its %s limit",
			 cfg->id, limit);
		ctr_cli_say(cli, CTR_LOG_WARNING, msg);
	}
}

int ctr_cmd_run(const struct ctr_cli *cli, struct ctr_config *cfg)
{
	struct isolab_error err = { 0 };
	struct ctr_stats stats = { 0 };
	int status = CTR_EXIT_RUNTIME, rc;

	rc = ctr_cmd_load_config(cfg, NULL, NULL, &err);
	if (rc == 0 && geteuid() != 0)
		rc = isolab_error_set(&err, -EPERM, "must run as root (namespaces, mounts and cgroups)");
	if (rc == 0) {
		/* What runtimes killed with SIGKILL left (owner.h): first, so
		 * that this run can reuse their ids. */
		ctr_cli_sweep_stale(cli, false);
		stats.phase_ns[CTR_PHASE_START] = isolab_since_start_ns();
		/* The last of the loading: from here the config is only read. */
		rc = ctr_rootfs_resolve_layers(cfg, &err);
		if (rc == 0)
			rc = ctr_seccomp_prepare(cfg, &err);
		if (rc == 0)
			rc = ctr_run(cfg, cli->g->root, &status, &stats, &err);
	}
	if (rc < 0) {
		ctr_cli_error(cli, err.msg);
		stats.error = err.msg;
	}
	report_run(cli, cfg, &stats);
	stats.exit_status = status;
	if (cfg->stats_path != NULL && stats.phase_ns[CTR_PHASE_START] != 0) {
		struct isolab_error serr = { 0 };

		if (ctr_stats_write(cfg->stats_path, &stats, &serr) < 0) {
			ctr_cli_error(cli, serr.msg);
			if (rc == 0)
				status = CTR_EXIT_RUNTIME;
		}
	}
	if (rc < 0) /* the errno, which may have crossed from the container (child_msg.h) */
		ctr_cli_debug(cli, "container `%s`: exit status %d, error %s", cfg->id ? cfg->id : "",
			      status, strerrorname_np(-rc) ? strerrorname_np(-rc) : "?");
	else
		ctr_cli_debug(cli, "container `%s`: exit status %d", cfg->id ? cfg->id : "", status);
	return status;
}
