/* args.c: the isolab-ctr command line (see args.h and README.md). */
#include "container/args.h"
#include "common/size.h"
#include "container/caps.h"
#include "container/devices.h"

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

const char ctr_usage[] =
	"usage: isolab-ctr run [OPTIONS] -- CMD [ARGS...]\n"
	"       isolab-ctr run [--stats FILE] [--keep-layer DIR] --bundle DIR [ID]\n"
	"       isolab-ctr sweep   remove what killed runtimes left (run does it first)\n"
	"options:\n"
	"  --rootfs DIR          the image (one read-only layer)\n"
	"  --layer DIR           a read-only layer, lowest first (repeatable)\n"
	"  --name NAME           container id (default: generated)\n"
	"  --hostname H          hostname (default: the id)\n"
	"  -m, --memory SIZE     memory limit (e.g. 64M; no swap)\n"
	"  --cpus FRACTION       CPU quota in CPUs (e.g. 0.5)\n"
	"  --pids N              pids limit (default 2048; 0 or unlimited: none)\n"
	"  --layer-size SIZE     writable layer's size (default 1G; 0 or unlimited: none)\n"
	"  -v, --volume H:C[:ro] bind mount host dir H at C\n"
	"  --net none|host       fresh net namespace with lo (default), or the host's\n"
	"  -e, --env K=V         environment variable (repeatable; K alone copies it)\n"
	"  -w, --workdir DIR     working directory in the container\n"
	"  -u, --user UID[:GID]  run as this user (default 0:0)\n"
	"  --userns[=OUT[:N]]    user namespace: root inside = OUT outside (100000:65536)\n"
	"  --read-only           root filesystem read-only\n"
	"  --init                a tiny init is PID 1: reaps zombies, forwards signals\n"
	"  -t, --tty             a terminal of its own, relayed to ours\n"
	"  --cap-add CAP, --cap-drop CAP   change the default capability set (ALL allowed)\n"
	"  --cgroup-parent P     cgroup parent, relative (default isolab-ctr)\n"
	"  --keep-layer DIR      save the writable layer into DIR (a new directory) after\n"
	"                        exit; setuid/setgid bits stripped, devices skipped\n"
	"  --keep-devices        with --keep-layer: copy device nodes too\n"
	"  --stats FILE.json     write phase times, peak memory, OOM, exit status\n"
	"  --security-opt seccomp=unconfined|FILE.json   no filter, or Docker-format profile\n"
	"  --device-cgroup-rule 'TYPE MAJ:MIN ACCESS'    allow more devices (e.g. 'c 10:200 rwm';\n"
	"                        'a *:* rwm' turns the device policy off)\n"
	"exit status: the command's; 125 runtime error, 126 not executable,\n"
	"127 command not found, 128+N killed by signal N\n";

int ctr_parse_cpus(const char *text, uint64_t period, int64_t *quota,
		   struct isolab_error *err)
{
	uint64_t whole = 0, frac = 0, scale = 1;
	const char *p = text;
	int digits = 0, fdigits = 0;

	for (; *p >= '0' && *p <= '9'; p++, digits++) {
		whole = whole * 10 + (uint64_t)(*p - '0');
		if (whole > 1024)
			return isolab_error_set(err, -EINVAL, "--cpus `%s`: too large", text);
	}
	if (*p == '.') {
		for (p++; *p >= '0' && *p <= '9'; p++, fdigits++) {
			if (fdigits == 5)
				return isolab_error_set(err, -EINVAL,
							"--cpus `%s`: at most 5 decimals", text);
			frac = frac * 10 + (uint64_t)(*p - '0');
			scale *= 10;
		}
	}
	if (*p != '\0' || digits + fdigits == 0)
		return isolab_error_set(err, -EINVAL, "--cpus `%s`: not a number (e.g. 0.5)",
					text);
	/* quota = round(cpus * period) */
	uint64_t q = whole * period + (frac * period + scale / 2) / scale;
	if (q < 1000) /* kernel minimum: 1 ms (Documentation/scheduler/sched-bwc.rst) */
		return isolab_error_set(err, -EINVAL, "--cpus `%s`: below 0.01 CPU", text);
	*quota = (int64_t)q;
	return 0;
}

int ctr_parse_volume(const char *text, struct ctr_config *cfg, struct isolab_error *err)
{
	char *copy = strdup(text);
	char *host, *ctr, *mode;
	const char *opts[3] = { "rbind", "rprivate", NULL };
	size_t n = 2;
	int rc;

	if (copy == NULL)
		return isolab_error_set(err, -ENOMEM, "--volume: out of memory");
	host = copy;
	ctr = strchr(copy, ':');
	if (ctr == NULL || ctr == copy || ctr[1] == '\0') {
		free(copy);
		return isolab_error_set(err, -EINVAL,
					"--volume `%s`: expected HOSTDIR:CTRDIR[:ro]", text);
	}
	*ctr++ = '\0';
	mode = strchr(ctr, ':');
	if (mode != NULL) {
		*mode++ = '\0';
		if (strcmp(mode, "ro") == 0) {
			opts[n++] = "ro";
		} else if (strcmp(mode, "rw") != 0) {
			free(copy);
			return isolab_error_set(err, -EINVAL,
						"--volume `%s`: mode is not ro or rw", text);
		}
	}
	if (ctr[0] != '/') {
		free(copy);
		return isolab_error_set(err, -EINVAL,
					"--volume `%s`: container path must be absolute", text);
	}
	rc = ctr_config_add_mount(cfg, host, ctr, "bind", opts, n, err);
	free(copy);
	return rc;
}

int ctr_parse_userns(const char *text, struct ctr_config *cfg, struct isolab_error *err)
{
	uint64_t outside = 100000, count = 65536;
	char buf[64];
	char *colon;

	if (text != NULL && text[0] != '\0') {
		if (strlen(text) >= sizeof(buf))
			return isolab_error_set(err, -EINVAL, "--userns `%s`: too long", text);
		strcpy(buf, text);
		colon = strchr(buf, ':');
		if (colon != NULL)
			*colon++ = '\0';
		if (isolab_parse_uint(buf, "--userns outside id", UINT32_MAX - 1, &outside,
				      err) < 0)
			return err->code;
		if (colon != NULL &&
		    isolab_parse_uint(colon, "--userns count", UINT32_MAX, &count, err) < 0)
			return err->code;
		if (count == 0 || outside + count > UINT32_MAX)
			return isolab_error_set(err, -EINVAL, "--userns `%s`: bad range", text);
	}
	if (outside == 0)
		return isolab_error_set(err, -EINVAL,
					"--userns: root inside must map to an unprivileged id, not 0");
	cfg->namespaces |= CLONE_NEWUSER;
	cfg->uid_map[0] = (struct ctr_idmap){ 0, (uint32_t)outside, (uint32_t)count };
	cfg->gid_map[0] = cfg->uid_map[0];
	cfg->n_uid_map = cfg->n_gid_map = 1;
	return 0;
}

static int set_string(char **slot, const char *value, const char *what,
		      struct isolab_error *err);

int ctr_parse_security_opt(const char *text, struct ctr_config *cfg, struct isolab_error *err)
{
	const char *v;

	if (strncmp(text, "seccomp=", 8) != 0 && strncmp(text, "seccomp:", 8) != 0)
		return isolab_error_set(err, -EINVAL,
					"--security-opt `%s`: expected seccomp=unconfined or seccomp=FILE.json",
					text);
	v = text + 8;
	if (v[0] == '\0')
		return isolab_error_set(err, -EINVAL, "--security-opt `%s`: no profile given", text);
	free(cfg->seccomp_path);
	cfg->seccomp_path = NULL;
	cfg->seccomp_unconfined = strcmp(v, "unconfined") == 0;
	if (cfg->seccomp_unconfined)
		return 0;
	return set_string(&cfg->seccomp_path, v, "--security-opt", err);
}

static int parse_user(const char *text, struct ctr_config *cfg, struct isolab_error *err)
{
	char buf[64];
	char *colon;
	uint64_t uid, gid = 0;

	if (strlen(text) >= sizeof(buf))
		return isolab_error_set(err, -EINVAL, "--user `%s`: too long", text);
	strcpy(buf, text);
	colon = strchr(buf, ':');
	if (colon != NULL)
		*colon++ = '\0';
	if (isolab_parse_uint(buf, "--user uid", UINT32_MAX - 1, &uid, err) < 0)
		return err->code;
	if (colon != NULL && isolab_parse_uint(colon, "--user gid", UINT32_MAX - 1, &gid, err) < 0)
		return err->code;
	cfg->uid = (uint32_t)uid;
	cfg->gid = (uint32_t)gid;
	return 0;
}

static int parse_cap_change(const char *text, bool add, struct ctr_config *cfg,
			    struct isolab_error *err)
{
	uint64_t mask;
	int cap;

	if (strcasecmp(text, "ALL") == 0) {
		mask = ~0ull;
		cfg->caps.all = add;
	} else {
		if (ctr_cap_from_name(text, &cap) < 0)
			return isolab_error_set(err, -EINVAL, "--cap-%s `%s`: unknown capability",
						add ? "add" : "drop", text);
		mask = 1ull << cap;
	}
	if (add)
		mask &= (1ull << (CTR_CAP_LAST + 1)) - 1;
	struct ctr_caps *c = &cfg->caps;
	if (add) {
		c->bounding |= mask, c->effective |= mask, c->permitted |= mask;
		c->inheritable |= mask;
	} else {
		c->bounding &= ~mask, c->effective &= ~mask, c->permitted &= ~mask;
		c->inheritable &= ~mask, c->ambient &= ~mask;
	}
	return 0;
}

enum opt_id {
	OPT_ROOTFS, OPT_LAYER, OPT_NAME, OPT_HOSTNAME, OPT_MEMORY, OPT_CPUS, OPT_PIDS,
	OPT_VOLUME, OPT_NET, OPT_ENV, OPT_WORKDIR, OPT_USER, OPT_USERNS, OPT_READONLY,
	OPT_CAP_ADD, OPT_CAP_DROP, OPT_CGROUP_PARENT, OPT_KEEP, OPT_STATS, OPT_BUNDLE,
	OPT_HELP, OPT_INIT, OPT_TTY, OPT_KEEP_DEVICES, OPT_LAYER_SIZE, OPT_SECURITY_OPT,
	OPT_DEVICE_RULE,
};

struct opt {
	const char *name;
	char short_name;
	enum opt_id id;
	int arg; /* 0: none, 1: required, 2: optional (only as --opt=VALUE) */
};

static const struct opt opts[] = {
	{ "rootfs", 0, OPT_ROOTFS, 1 },   { "layer", 0, OPT_LAYER, 1 },
	{ "name", 0, OPT_NAME, 1 },       { "hostname", 'h', OPT_HOSTNAME, 1 },
	{ "memory", 'm', OPT_MEMORY, 1 }, { "cpus", 0, OPT_CPUS, 1 },
	{ "pids", 0, OPT_PIDS, 1 },       { "pids-limit", 0, OPT_PIDS, 1 },
	{ "volume", 'v', OPT_VOLUME, 1 }, { "net", 0, OPT_NET, 1 },
	{ "network", 0, OPT_NET, 1 },     { "env", 'e', OPT_ENV, 1 },
	{ "workdir", 'w', OPT_WORKDIR, 1 }, { "user", 'u', OPT_USER, 1 },
	{ "userns", 0, OPT_USERNS, 2 },   { "read-only", 0, OPT_READONLY, 0 },
	{ "cap-add", 0, OPT_CAP_ADD, 1 }, { "cap-drop", 0, OPT_CAP_DROP, 1 },
	{ "cgroup-parent", 0, OPT_CGROUP_PARENT, 1 },
	{ "keep-layer", 0, OPT_KEEP, 1 }, { "stats", 0, OPT_STATS, 1 },
	{ "bundle", 'b', OPT_BUNDLE, 1 }, { "help", 0, OPT_HELP, 0 },
	{ "init", 0, OPT_INIT, 0 },       { "tty", 't', OPT_TTY, 0 },
	{ "keep-devices", 0, OPT_KEEP_DEVICES, 0 }, { "layer-size", 0, OPT_LAYER_SIZE, 1 },
	{ "security-opt", 0, OPT_SECURITY_OPT, 1 },
	{ "device-cgroup-rule", 0, OPT_DEVICE_RULE, 1 },
};

/* --device-cgroup-rule: one more allow rule, before the defaults. */
static int add_device_rule(const char *value, struct ctr_config *cfg, struct isolab_error *err)
{
	struct ctr_dev_rule r, *grown;

	if (ctr_dev_parse_rule(value, &r) < 0)
		return isolab_error_set(err, -EINVAL,
					"--device-cgroup-rule `%s`: not TYPE MAJOR:MINOR ACCESS "
					"(e.g. `c 1:3 rwm`, `a *:* rwm`)", value);
	grown = realloc(cfg->dev_rules, (cfg->n_dev_rules + 1) * sizeof(*grown));
	if (grown == NULL)
		return isolab_error_set(err, -ENOMEM, "--device-cgroup-rule: out of memory");
	cfg->dev_rules = grown;
	cfg->dev_rules[cfg->n_dev_rules++] = r;
	return 0;
}

static int set_string(char **slot, const char *value, const char *what,
		      struct isolab_error *err)
{
	free(*slot);
	*slot = strdup(value);
	return *slot ? 0 : isolab_error_set(err, -ENOMEM, "%s: out of memory", what);
}

static int apply_option(const struct opt *o, const char *value, struct ctr_config *cfg,
			bool *help, struct isolab_error *err)
{
	uint64_t v;

	switch (o->id) {
	case OPT_ROOTFS:
	case OPT_LAYER:
		if (value[0] == '\0')
			return isolab_error_set(err, -EINVAL, "--%s: empty path", o->name);
		if (strchr(value, ':') || strchr(value, ','))
			return isolab_error_set(err, -EINVAL,
						"--%s `%s`: ':' and ',' cannot appear in an overlay layer path",
						o->name, value);
		return ctr_strv_push(&cfg->layers, &cfg->n_layers, value) < 0
			       ? isolab_error_set(err, -ENOMEM, "--%s: out of memory", o->name)
			       : 0;
	case OPT_NAME:
		return set_string(&cfg->id, value, "--name", err);
	case OPT_HOSTNAME:
		if (strlen(value) > 64 || value[0] == '\0')
			return isolab_error_set(err, -EINVAL,
						"--hostname `%s`: must be 1 to 64 characters", value);
		return set_string(&cfg->hostname, value, "--hostname", err);
	case OPT_MEMORY:
		if (isolab_parse_size(value, "--memory", &v, err) < 0)
			return err->code;
		cfg->memory_limit = v; /* the minimum: ctr_config_validate */
		return 0;
	case OPT_CPUS:
		return ctr_parse_cpus(value, cfg->cpu_period, &cfg->cpu_quota, err);
	case OPT_PIDS:
		if (strcmp(value, "unlimited") == 0)
			v = 0;
		else if (isolab_parse_uint(value, "--pids", 1ull << 22, &v, err) < 0)
			return err->code;
		cfg->pids_limit = (int64_t)v; /* 0: no limit */
		return 0;
	case OPT_LAYER_SIZE:
		if (strcmp(value, "unlimited") == 0)
			v = 0;
		else if (isolab_parse_size(value, "--layer-size", &v, err) < 0)
			return err->code;
		cfg->layer_size = v;
		return 0;
	case OPT_VOLUME:
		return ctr_parse_volume(value, cfg, err);
	case OPT_NET:
		if (strcmp(value, "none") == 0)
			cfg->namespaces |= CLONE_NEWNET;
		else if (strcmp(value, "host") == 0)
			cfg->namespaces &= ~CLONE_NEWNET;
		else
			return isolab_error_set(err, -EINVAL,
						"--net `%s`: expected none or host", value);
		return 0;
	case OPT_ENV:
		if (value[0] == '\0' || value[0] == '=')
			return isolab_error_set(err, -EINVAL, "--env `%s`: expected K=V", value);
		if (strchr(value, '=') == NULL) {
			const char *host = getenv(value);
			char *kv;
			int rc;

			if (host == NULL)
				return 0;
			if (asprintf(&kv, "%s=%s", value, host) < 0)
				return isolab_error_set(err, -ENOMEM, "--env: out of memory");
			rc = ctr_strv_push(&cfg->env, &cfg->n_env, kv);
			free(kv);
			return rc < 0 ? isolab_error_set(err, -ENOMEM, "--env: out of memory") : 0;
		}
		return ctr_strv_push(&cfg->env, &cfg->n_env, value) < 0
			       ? isolab_error_set(err, -ENOMEM, "--env: out of memory")
			       : 0;
	case OPT_WORKDIR:
		if (value[0] != '/')
			return isolab_error_set(err, -EINVAL, "--workdir `%s`: not absolute", value);
		return set_string(&cfg->cwd, value, "--workdir", err);
	case OPT_USER:
		return parse_user(value, cfg, err);
	case OPT_USERNS:
		return ctr_parse_userns(value, cfg, err);
	case OPT_READONLY:
		cfg->readonly_root = true;
		return 0;
	case OPT_CAP_ADD:
	case OPT_CAP_DROP:
		return parse_cap_change(value, o->id == OPT_CAP_ADD, cfg, err);
	case OPT_CGROUP_PARENT:
		if (value[0] == '/')
			value++;
		if (strstr(value, "..") != NULL)
			return isolab_error_set(err, -EINVAL, "--cgroup-parent `%s`: no '..' allowed",
						value);
		return set_string(&cfg->cgroup_parent, value, "--cgroup-parent", err);
	case OPT_KEEP:
		return set_string(&cfg->keep_layer, value, "--keep-layer", err);
	case OPT_STATS:
		return set_string(&cfg->stats_path, value, "--stats", err);
	case OPT_BUNDLE:
		return set_string(&cfg->bundle, value, "--bundle", err);
	case OPT_HELP:
		*help = true;
		return 0;
	case OPT_INIT:
		cfg->init = true;
		return 0;
	case OPT_TTY:
		cfg->tty = true;
		return 0;
	case OPT_KEEP_DEVICES:
		cfg->keep_devices = true;
		return 0;
	case OPT_SECURITY_OPT:
		return ctr_parse_security_opt(value, cfg, err);
	case OPT_DEVICE_RULE:
		return add_device_rule(value, cfg, err);
	}
	return isolab_error_set(err, -EINVAL, "internal: unknown option");
}

static const struct opt *find_long(const char *name, size_t len)
{
	for (size_t i = 0; i < sizeof(opts) / sizeof(opts[0]); i++)
		if (strlen(opts[i].name) == len && strncmp(opts[i].name, name, len) == 0)
			return &opts[i];
	return NULL;
}

static const struct opt *find_short(char c)
{
	for (size_t i = 0; i < sizeof(opts) / sizeof(opts[0]); i++)
		if (opts[i].short_name == c)
			return &opts[i];
	return NULL;
}

int ctr_parse_args(int argc, char *const *argv, struct ctr_config *cfg,
		   enum ctr_command *cmd, struct isolab_error *err)
{
	bool help = false;
	int i = 2, rc;

	if (argc < 2)
		return isolab_error_set(err, -EINVAL, "no command (try `isolab-ctr --help`)");
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "help") == 0 ||
	    strcmp(argv[1], "-h") == 0) {
		*cmd = CTR_CMD_HELP;
		return 0;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0) {
		*cmd = CTR_CMD_VERSION;
		return 0;
	}
	if (strcmp(argv[1], "sweep") == 0) {
		if (argc > 2)
			return isolab_error_set(err, -EINVAL, "sweep: unexpected argument `%s`",
						argv[2]);
		*cmd = CTR_CMD_SWEEP;
		return 0;
	}
	if (strcmp(argv[1], "run") != 0)
		return isolab_error_set(err, -EINVAL,
					"unknown command `%s` (`run` or `sweep`; try --help)",
					argv[1]);
	*cmd = CTR_CMD_RUN;
	for (; i < argc; i++) {
		const char *a = argv[i];
		const struct opt *o;
		const char *value = NULL;

		if (strcmp(a, "--") == 0) {
			i++;
			break;
		}
		if (a[0] != '-' || a[1] == '\0')
			break;
		if (a[1] == '-') {
			const char *eq = strchr(a + 2, '=');
			size_t len = eq ? (size_t)(eq - a - 2) : strlen(a + 2);

			o = find_long(a + 2, len);
			if (o == NULL)
				return isolab_error_set(err, -EINVAL, "unknown option `%s`", a);
			if (eq != NULL) {
				if (o->arg == 0)
					return isolab_error_set(err, -EINVAL,
								"option --%s takes no value", o->name);
				value = eq + 1;
			}
		} else {
			o = find_short(a[1]);
			if (o == NULL)
				return isolab_error_set(err, -EINVAL, "unknown option `%s`", a);
			if (a[2] != '\0')
				value = a + 2;
		}
		if (value == NULL && o->arg == 1) {
			if (i + 1 >= argc)
				return isolab_error_set(err, -EINVAL, "option `%s` needs a value", a);
			value = argv[++i];
		}
		if (value == NULL)
			value = "";
		rc = apply_option(o, value, cfg, &help, err);
		if (rc < 0)
			return rc;
	}
	if (help) {
		*cmd = CTR_CMD_HELP;
		return 0;
	}
	if (cfg->bundle != NULL) {
		if (i < argc && set_string(&cfg->id, argv[i++], "container id", err) < 0)
			return -ENOMEM;
		if (i < argc)
			return isolab_error_set(err, -EINVAL,
						"--bundle: unexpected argument `%s` (the command comes from config.json)",
						argv[i]);
		return 0;
	}
	if (i >= argc)
		return isolab_error_set(err, -EINVAL, "no command given (isolab-ctr run [OPTIONS] -- CMD)");
	for (; i < argc; i++)
		if (ctr_strv_push(&cfg->argv, &cfg->argc, argv[i]) < 0)
			return isolab_error_set(err, -ENOMEM, "arguments: out of memory");
	return 0;
}
