/* args.c: the isolab-ctr command line, with getopt_long (see args.h and README.md). */
#include "container/args.h"
#include "common/size.h"
#include "container/caps.h"
#include "container/devices.h"
#include "container/rootfs.h"

#include <errno.h>
#include <getopt.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

const char ctr_usage[] =
	"usage: isolab-ctr [GLOBAL OPTIONS] run [OPTIONS] -- CMD [ARGS...]\n"
	"       isolab-ctr [GLOBAL OPTIONS] run [--stats FILE] [--keep-layer DIR] --bundle DIR [ID]\n"
	"       isolab-ctr spec [--bundle DIR] [--rootless]   write a default config.json\n"
	"       isolab-ctr features   print what this runtime implements (runtime-spec JSON)\n"
	"       isolab-ctr sweep      remove what killed runtimes left (run does it first)\n"
	"       isolab-ctr [GLOBAL OPTIONS] create [--bundle DIR] [--pid-file F] [--console-socket S] ID\n"
	"       isolab-ctr [GLOBAL OPTIONS] start|state|pause|resume ID\n"
	"       isolab-ctr [GLOBAL OPTIONS] kill [--all] ID [SIGNAL]   (default TERM)\n"
	"       isolab-ctr [GLOBAL OPTIONS] delete [--force] ID\n"
	"       isolab-ctr [GLOBAL OPTIONS] list [--format table|json] [-q]\n"
	"       isolab-ctr [GLOBAL OPTIONS] ps [--format table|json] ID\n"
	"       isolab-ctr [GLOBAL OPTIONS] exec [-d] [-t] [-e K=V]... [--cwd DIR] [-u UID[:GID]] [--cap CAP]...\n"
	"             [--no-new-privs] [--pid-file F] [--console-socket S] [--preserve-fds N]\n"
	"             [--process FILE] ID [CMD...]   (runc's; FILE's process wins over -t -e --cwd -u --cap --no-new-privs)\n"
	"global options (runc's):\n"
	"  --root DIR            state directory (default /run/isolab-ctr)\n"
	"  --log FILE            errors and warnings also go to FILE, one line each\n"
	"  --log-format text|json   that file's lines: text (default) or JSON\n"
	"  --debug               debug lines too (into --log, else stderr)\n"
	"  --systemd-cgroup      refused: isolab-ctr drives cgroupfs only\n"
	"  -v, --version         print the version;  -h, --help   this text\n"
	"run options:\n"
	"  --rootfs DIR          the image (one read-only layer)\n"
	"  --layer DIR           a read-only layer, lowest first (repeatable)\n"
	"  --name NAME           container id (default: generated)\n"
	"  -h, --hostname H      hostname (default: the id)\n"
	"  -m, --memory SIZE     memory limit (e.g. 64M; no swap)\n"
	"  --cpus FRACTION       CPU quota in CPUs (e.g. 0.5)\n"
	"  --pids N              pids limit (default 2048; 0 or unlimited: none)\n"
	"  --layer-size SIZE     writable layer's size (default 1G; 0 or unlimited: none)\n"
	"  -v, --volume H:C[:ro] bind mount host dir H at C\n"
	"  --net none|host       fresh net namespace with lo (default), or the host's\n"
	"  --netns PATH          join this network namespace (an nsfs file, as a CNI\n"
	"                        engine makes: isolab, podman); no lo setup\n"
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
	"  -b, --bundle DIR      run an OCI bundle (DIR/config.json) instead\n"
	"exit status: the command's; 125 runtime error (a bad option or argument\n"
	"included), 126 not executable, 127 command not found, 128+N killed by signal N\n";

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

/* A getopt_long failure (opt '?' or ':') as one line naming the option;
 * argv[optind - 1] is the argument it stopped at. */
static int getopt_error(int opt, char *const *argv, struct isolab_error *err)
{
	const char *arg = argv[optind - 1];
	bool is_long = strncmp(arg, "--", 2) == 0;

	if (opt == ':' && is_long)
		return isolab_error_set(err, -EINVAL, "option `%s` needs a value", arg);
	if (opt == ':')
		return isolab_error_set(err, -EINVAL, "option `-%c` needs a value", optopt);
	if (optopt != 0 && is_long) /* a known long option given a value */
		return isolab_error_set(err, -EINVAL, "option `%.*s` takes no value",
					(int)strcspn(arg, "="), arg);
	if (optopt != 0)
		return isolab_error_set(err, -EINVAL, "unknown option `-%c`", optopt);
	return isolab_error_set(err, -EINVAL, "unknown option `%s`", arg);
}

/* ---- run ---- */

enum run_opt {
	OPT_ROOTFS = 256, OPT_LAYER, OPT_NAME, OPT_CPUS, OPT_PIDS, OPT_NET, OPT_USERNS,
	OPT_READONLY, OPT_CAP_ADD, OPT_CAP_DROP, OPT_CGROUP_PARENT, OPT_KEEP, OPT_STATS,
	OPT_HELP, OPT_INIT, OPT_KEEP_DEVICES, OPT_LAYER_SIZE, OPT_SECURITY_OPT, OPT_DEVICE_RULE,
	OPT_NETNS,
};

static const char run_short[] = "+:h:m:v:e:w:u:tb:";
static const struct option run_long[] = {
	{ "rootfs", required_argument, NULL, OPT_ROOTFS },
	{ "layer", required_argument, NULL, OPT_LAYER },
	{ "name", required_argument, NULL, OPT_NAME },
	{ "hostname", required_argument, NULL, 'h' },
	{ "memory", required_argument, NULL, 'm' },
	{ "cpus", required_argument, NULL, OPT_CPUS },
	{ "pids", required_argument, NULL, OPT_PIDS },
	{ "pids-limit", required_argument, NULL, OPT_PIDS },
	{ "volume", required_argument, NULL, 'v' },
	{ "net", required_argument, NULL, OPT_NET },
	{ "network", required_argument, NULL, OPT_NET },
	{ "netns", required_argument, NULL, OPT_NETNS },
	{ "env", required_argument, NULL, 'e' },
	{ "workdir", required_argument, NULL, 'w' },
	{ "user", required_argument, NULL, 'u' },
	{ "userns", optional_argument, NULL, OPT_USERNS },
	{ "read-only", no_argument, NULL, OPT_READONLY },
	{ "cap-add", required_argument, NULL, OPT_CAP_ADD },
	{ "cap-drop", required_argument, NULL, OPT_CAP_DROP },
	{ "cgroup-parent", required_argument, NULL, OPT_CGROUP_PARENT },
	{ "keep-layer", required_argument, NULL, OPT_KEEP },
	{ "stats", required_argument, NULL, OPT_STATS },
	{ "bundle", required_argument, NULL, 'b' },
	{ "help", no_argument, NULL, OPT_HELP },
	{ "init", no_argument, NULL, OPT_INIT },
	{ "tty", no_argument, NULL, 't' },
	{ "keep-devices", no_argument, NULL, OPT_KEEP_DEVICES },
	{ "layer-size", required_argument, NULL, OPT_LAYER_SIZE },
	{ "security-opt", required_argument, NULL, OPT_SECURITY_OPT },
	{ "device-cgroup-rule", required_argument, NULL, OPT_DEVICE_RULE },
	{ NULL, 0, NULL, 0 },
};

/* --rootfs and --layer. */
static int add_layer(const char *name, const char *value, struct ctr_config *cfg,
		     struct isolab_error *err)
{
	if (value[0] == '\0')
		return isolab_error_set(err, -EINVAL, "%s: empty path", name);
	if (strchr(value, ':') || strchr(value, ','))
		return isolab_error_set(err, -EINVAL,
					"%s `%s`: ':' and ',' cannot appear in an overlay layer path",
					name, value);
	return ctr_strv_push(&cfg->layers, &cfg->n_layers, value) < 0
		       ? isolab_error_set(err, -ENOMEM, "%s: out of memory", name)
		       : 0;
}

/* -e K=V, or -e K: K's value from the runtime's environment (none: skipped). */
static int add_env(const char *value, struct ctr_config *cfg, struct isolab_error *err)
{
	const char *host;
	char *kv;
	int rc;

	if (value[0] == '\0' || value[0] == '=')
		return isolab_error_set(err, -EINVAL, "--env `%s`: expected K=V", value);
	if (strchr(value, '=') != NULL)
		return ctr_strv_push(&cfg->env, &cfg->n_env, value) < 0
			       ? isolab_error_set(err, -ENOMEM, "--env: out of memory")
			       : 0;
	host = getenv(value);
	if (host == NULL)
		return 0;
	if (asprintf(&kv, "%s=%s", value, host) < 0)
		return isolab_error_set(err, -ENOMEM, "--env: out of memory");
	rc = ctr_strv_push(&cfg->env, &cfg->n_env, kv);
	free(kv);
	return rc < 0 ? isolab_error_set(err, -ENOMEM, "--env: out of memory") : 0;
}

/* --pids and --layer-size: a number or size, or `unlimited` (0). */
static int parse_limit(const char *value, const char *name, bool size, uint64_t *v,
		       struct isolab_error *err)
{
	if (strcmp(value, "unlimited") == 0) {
		*v = 0;
		return 0;
	}
	if (size)
		return isolab_parse_size(value, name, v, err);
	return isolab_parse_uint(value, name, 1ull << 22, v, err);
}

/* One run option (getopt_long's opt, its value or NULL). */
static int apply_run_option(int opt, const char *value, struct ctr_config *cfg, bool *help,
			    struct isolab_error *err)
{
	uint64_t v;

	switch (opt) {
	case OPT_ROOTFS:
		return add_layer("--rootfs", value, cfg, err);
	case OPT_LAYER:
		return add_layer("--layer", value, cfg, err);
	case OPT_NAME:
		return set_string(&cfg->id, value, "--name", err);
	case 'h':
		if (strlen(value) > 64 || value[0] == '\0')
			return isolab_error_set(err, -EINVAL,
						"--hostname `%s`: must be 1 to 64 characters", value);
		return set_string(&cfg->hostname, value, "--hostname", err);
	case 'm':
		if (isolab_parse_size(value, "--memory", &v, err) < 0)
			return err->code;
		cfg->memory_limit = v; /* the minimum: ctr_config_validate */
		return 0;
	case OPT_CPUS:
		return ctr_parse_cpus(value, cfg->cpu_period, &cfg->cpu_quota, err);
	case OPT_PIDS:
		if (parse_limit(value, "--pids", false, &v, err) < 0)
			return err->code;
		cfg->pids_limit = (int64_t)v; /* 0: no limit */
		return 0;
	case OPT_LAYER_SIZE:
		if (parse_limit(value, "--layer-size", true, &v, err) < 0)
			return err->code;
		cfg->layer_size = v;
		return 0;
	case 'v':
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
	case OPT_NETNS:
		free(cfg->netns_path);
		cfg->netns_path = strdup(value);
		cfg->namespaces &= ~CLONE_NEWNET;
		return cfg->netns_path ? 0 : isolab_error_set(err, -ENOMEM, "out of memory");
	case 'e':
		return add_env(value, cfg, err);
	case 'w':
		if (value[0] != '/')
			return isolab_error_set(err, -EINVAL, "--workdir `%s`: not absolute", value);
		return set_string(&cfg->cwd, value, "--workdir", err);
	case 'u':
		return parse_user(value, cfg, err);
	case OPT_USERNS:
		return ctr_parse_userns(value, cfg, err);
	case OPT_READONLY:
		cfg->readonly_root = true;
		return 0;
	case OPT_CAP_ADD:
	case OPT_CAP_DROP:
		return parse_cap_change(value, opt == OPT_CAP_ADD, cfg, err);
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
	case 'b':
		return set_string(&cfg->bundle, value, "--bundle", err);
	case OPT_HELP:
		*help = true;
		return 0;
	case OPT_INIT:
		cfg->init = true;
		return 0;
	case 't':
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
	return isolab_error_set(err, -EINVAL, "internal: unknown option %d", opt);
}

/* `run [OPTIONS] [--] CMD [ARGS...]` or `run --bundle DIR [ID]`; argv[0] is "run". */
static int parse_run(int argc, char *const *argv, struct ctr_args *args, struct ctr_config *cfg,
		     struct isolab_error *err)
{
	bool help = false;
	int opt, rc, i;

	optind = 0;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, run_short, run_long, NULL)) != -1) {
		if (opt == '?' || opt == ':')
			return getopt_error(opt, argv, err);
		rc = apply_run_option(opt, optarg, cfg, &help, err);
		if (rc < 0)
			return rc;
	}
	i = optind;
	args->cmd = help ? CTR_CMD_HELP : CTR_CMD_RUN;
	if (help)
		return 0;
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

/* ---- spec ---- */

/* `spec [--bundle DIR] [--rootless]`; argv[0] is "spec". */
static int parse_spec(int argc, char *const *argv, struct ctr_args *args, struct isolab_error *err)
{
	enum { OPT_ROOTLESS = 256 };
	static const struct option opts[] = {
		{ "bundle", required_argument, NULL, 'b' },
		{ "rootless", no_argument, NULL, OPT_ROOTLESS },
		{ NULL, 0, NULL, 0 },
	};
	int opt;

	optind = 0;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "+:b:", opts, NULL)) != -1) {
		if (opt == '?' || opt == ':')
			return getopt_error(opt, argv, err);
		if (opt == 'b')
			args->bundle = optarg;
		else
			args->rootless = true;
	}
	if (optind < argc)
		return isolab_error_set(err, -EINVAL, "spec: unexpected argument `%s`", argv[optind]);
	args->cmd = CTR_CMD_SPEC;
	return 0;
}

/* ---- the lifecycle commands ---- */

enum life_opt {
	OPT_BUNDLE = 'b', OPT_FORCE = 'f', OPT_ALL = 'a', OPT_QUIET = 'q', OPT_DETACH = 'd',
	OPT_PROCESS = 'p', OPT_TTY = 't', OPT_ENV = 'e', OPT_USER_EXEC = 'u', OPT_CAP = 'c',
	OPT_PID_FILE = 256, OPT_CONSOLE_SOCKET, OPT_NO_PIVOT, OPT_NO_KEYRING, OPT_FORMAT, OPT_CWD,
	OPT_NO_NEW_PRIVS, OPT_PRESERVE_FDS,
};

/* --format table|json (list, ps). */
static int set_format(const char *value, struct ctr_args *args, struct isolab_error *err)
{
	if (strcmp(value, "json") != 0 && strcmp(value, "table") != 0)
		return isolab_error_set(err, -EINVAL, "--format `%s`: expected table or json", value);
	args->json = value[0] == 'j';
	return 0;
}

static int life_option(int opt, struct ctr_args *args, struct ctr_config *cfg,
		       struct isolab_error *err)
{
	switch (opt) {
	case OPT_BUNDLE:
		return set_string(&cfg->bundle, optarg, "--bundle", err);
	case OPT_PID_FILE:
		args->pid_file = optarg;
		return 0;
	case OPT_CONSOLE_SOCKET:
		args->console_socket = optarg;
		return 0;
	case OPT_NO_PIVOT:
		args->no_pivot = true;
		return 0;
	case OPT_NO_KEYRING:
		return 0; /* every container has a session keyring of its own anyway */
	case OPT_FORCE:
		args->force = true;
		return 0;
	case OPT_ALL:
		args->all = true;
		return 0;
	case OPT_QUIET:
		args->quiet = true;
		return 0;
	case OPT_DETACH:
		args->detach = true;
		return 0;
	case OPT_PROCESS:
		args->process = optarg;
		return 0;
	case OPT_FORMAT:
		return set_format(optarg, args, err);
	case OPT_TTY:
		args->exec.tty = true;
		return 0;
	case OPT_ENV:
		return ctr_exec_flag_env(&args->exec, optarg, err);
	case OPT_USER_EXEC:
		return ctr_exec_flag_user(&args->exec, optarg, err);
	case OPT_CAP:
		return ctr_exec_flag_cap(&args->exec, optarg, err);
	case OPT_CWD:
		return ctr_exec_flag_cwd(&args->exec, optarg, err);
	case OPT_NO_NEW_PRIVS:
		args->exec.no_new_privs = true;
		return 0;
	case OPT_PRESERVE_FDS:
		return ctr_exec_flag_preserve_fds(&args->exec, optarg, err);
	}
	return isolab_error_set(err, -EINVAL, "internal: unknown option %d", opt);
}

/* `create|start|state|kill|delete|list|ps|pause|resume|exec ...`; argv[0]
 * is the command. The options each one takes are runc's. */
static int parse_lifecycle(enum ctr_command cmd, int argc, char *const *argv,
			   struct ctr_args *args, struct ctr_config *cfg, struct isolab_error *err)
{
	static const struct option create_opts[] = {
		{ "bundle", required_argument, NULL, OPT_BUNDLE },
		{ "pid-file", required_argument, NULL, OPT_PID_FILE },
		{ "console-socket", required_argument, NULL, OPT_CONSOLE_SOCKET },
		{ "no-pivot", no_argument, NULL, OPT_NO_PIVOT },
		{ "no-new-keyring", no_argument, NULL, OPT_NO_KEYRING },
		{ NULL, 0, NULL, 0 },
	};
	static const struct option kill_opts[] = { { "all", no_argument, NULL, OPT_ALL },
						   { NULL, 0, NULL, 0 } };
	static const struct option delete_opts[] = { { "force", no_argument, NULL, OPT_FORCE },
						     { NULL, 0, NULL, 0 } };
	static const struct option list_opts[] = {
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "quiet", no_argument, NULL, OPT_QUIET },
		{ NULL, 0, NULL, 0 },
	};
	static const struct option exec_opts[] = {
		{ "detach", no_argument, NULL, OPT_DETACH },
		{ "pid-file", required_argument, NULL, OPT_PID_FILE },
		{ "process", required_argument, NULL, OPT_PROCESS },
		{ "tty", no_argument, NULL, OPT_TTY },
		{ "env", required_argument, NULL, OPT_ENV },
		{ "cwd", required_argument, NULL, OPT_CWD },
		{ "user", required_argument, NULL, OPT_USER_EXEC },
		{ "cap", required_argument, NULL, OPT_CAP },
		{ "no-new-privs", no_argument, NULL, OPT_NO_NEW_PRIVS },
		{ "console-socket", required_argument, NULL, OPT_CONSOLE_SOCKET },
		{ "preserve-fds", required_argument, NULL, OPT_PRESERVE_FDS },
		{ NULL, 0, NULL, 0 },
	};
	static const struct option no_opts[] = { { NULL, 0, NULL, 0 } };
	const struct option *opts = no_opts;
	const char *shortopts = "+:";
	const char *name = argv[0];
	int opt, rc, nargs;

	switch (cmd) {
	case CTR_CMD_CREATE:
		opts = create_opts, shortopts = "+:b:";
		break;
	case CTR_CMD_KILL:
		opts = kill_opts, shortopts = "+:a";
		break;
	case CTR_CMD_DELETE:
		opts = delete_opts, shortopts = "+:f";
		break;
	case CTR_CMD_LIST:
		opts = list_opts, shortopts = "+:f:q";
		break;
	case CTR_CMD_PS:
		opts = list_opts, shortopts = "+:f:";
		break;
	case CTR_CMD_EXEC:
		opts = exec_opts, shortopts = "+:dp:te:u:c:";
		break;
	default:
		break;
	}
	optind = 0;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, shortopts, opts, NULL)) != -1) {
		if (opt == '?' || opt == ':')
			return getopt_error(opt, argv, err);
		if (opt == 'f' && (cmd == CTR_CMD_LIST || cmd == CTR_CMD_PS))
			opt = OPT_FORMAT; /* -f: --format there, --force for delete */
		rc = life_option(opt, args, cfg, err);
		if (rc < 0)
			return rc;
	}
	args->cmd = cmd;
	nargs = argc - optind;
	if (cmd == CTR_CMD_LIST) {
		if (nargs > 0)
			return isolab_error_set(err, -EINVAL, "list: unexpected argument `%s`",
						argv[optind]);
		return 0;
	}
	if (nargs < 1)
		return isolab_error_set(err, -EINVAL, "%s: no container id given", name);
	args->id = argv[optind++];
	if (!ctr_name_valid(args->id))
		return isolab_error_set(err, -EINVAL,
					"container name `%s`: invalid (1 to 64 of A-Z a-z 0-9 _ + - ., not starting with a dot)",
					args->id);
	if (cmd == CTR_CMD_KILL && optind < argc)
		args->signal = argv[optind++];
	if (cmd == CTR_CMD_EXEC) {
		if (optind >= argc && args->process == NULL)
			return isolab_error_set(err, -EINVAL,
						"exec: no command given (exec ID CMD..., or --process FILE)");
		for (; optind < argc; optind++)
			if (ctr_strv_push(&cfg->argv, &cfg->argc, argv[optind]) < 0)
				return isolab_error_set(err, -ENOMEM, "arguments: out of memory");
	}
	if (cmd == CTR_CMD_PS)
		optind = argc; /* runc passes the rest to ps(1); ours prints its own table */
	if (optind < argc)
		return isolab_error_set(err, -EINVAL, "%s: unexpected argument `%s`", name,
					argv[optind]);
	if (cmd == CTR_CMD_CREATE) {
		if (cfg->bundle == NULL && set_string(&cfg->bundle, ".", "--bundle", err) < 0)
			return err->code;
		return set_string(&cfg->id, args->id, "container id", err);
	}
	return 0;
}

static const struct {
	const char *name;
	enum ctr_command cmd;
} lifecycle_commands[] = {
	{ "create", CTR_CMD_CREATE }, { "start", CTR_CMD_START },   { "state", CTR_CMD_STATE },
	{ "kill", CTR_CMD_KILL },     { "delete", CTR_CMD_DELETE }, { "list", CTR_CMD_LIST },
	{ "ps", CTR_CMD_PS },         { "pause", CTR_CMD_PAUSE },   { "resume", CTR_CMD_RESUME },
	{ "exec", CTR_CMD_EXEC },
};

/* ---- global options ---- */

enum global_opt { OPT_ROOT = 256, OPT_LOG, OPT_LOG_FORMAT, OPT_DEBUG, OPT_SYSTEMD_CGROUP };

static const struct option global_long[] = {
	{ "root", required_argument, NULL, OPT_ROOT },
	{ "log", required_argument, NULL, OPT_LOG },
	{ "log-format", required_argument, NULL, OPT_LOG_FORMAT },
	{ "debug", no_argument, NULL, OPT_DEBUG },
	{ "systemd-cgroup", no_argument, NULL, OPT_SYSTEMD_CGROUP },
	{ "version", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* --root: absolute, and usable in overlay options (no ':' or ','). */
static int check_root(const char *root, struct isolab_error *err)
{
	if (root[0] != '/')
		return isolab_error_set(err, -EINVAL, "--root `%s`: must be an absolute path", root);
	if (strlen(root) > 1024)
		return isolab_error_set(err, -ENAMETOOLONG, "--root: longer than 1024 bytes");
	if (strchr(root, ':') || strchr(root, ','))
		return isolab_error_set(err, -EINVAL,
					"--root `%s`: ':' and ',' cannot appear in it (overlay options)",
					root);
	return 0;
}

/* The options before the command; returns the command's index in argv
 * (0 when --help or --version ends the parse). */
static int parse_globals(int argc, char *const *argv, struct ctr_args *args,
			 struct isolab_error *err)
{
	bool systemd_cgroup = false;
	int opt;

	optind = 0;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "+:hv", global_long, NULL)) != -1) {
		switch (opt) {
		case OPT_ROOT:
			args->g.root = optarg;
			break;
		case OPT_LOG:
			args->g.log = optarg;
			break;
		case OPT_LOG_FORMAT:
			if (ctr_log_format_from_name(optarg, &args->g.log_format) < 0)
				return isolab_error_set(err, -EINVAL,
							"--log-format `%s`: expected text or json", optarg);
			break;
		case OPT_DEBUG:
			args->g.debug = true;
			break;
		case OPT_SYSTEMD_CGROUP:
			systemd_cgroup = true;
			break;
		case 'v':
			args->cmd = CTR_CMD_VERSION;
			return 0;
		case 'h':
			args->cmd = CTR_CMD_HELP;
			return 0;
		default:
			return getopt_error(opt, argv, err);
		}
	}
	/* After the loop, so that --log (wherever it was) gets this line. */
	if (systemd_cgroup)
		return isolab_error_set(err, -ENOTSUP, "--systemd-cgroup: not supported (cgroupfs only)");
	if (check_root(args->g.root, err) < 0)
		return err->code;
	if (optind >= argc)
		return isolab_error_set(err, -EINVAL, "no command (try `isolab-ctr --help`)");
	return optind;
}

int ctr_parse_command_line(int argc, char *const *argv, struct ctr_args *args,
			   struct ctr_config *cfg, struct isolab_error *err)
{
	const char *cmd;
	int at;

	memset(args, 0, sizeof(*args));
	args->g.root = CTR_STATE_ROOT;
	args->g.log_format = CTR_LOG_TEXT;
	args->bundle = ".";
	args->cmd = CTR_CMD_RUN;
	at = parse_globals(argc, argv, args, err);
	if (at <= 0)
		return at;
	cmd = argv[at];
	argc -= at;
	argv += at;
	if (strcmp(cmd, "run") == 0)
		return parse_run(argc, argv, args, cfg, err);
	if (strcmp(cmd, "spec") == 0)
		return parse_spec(argc, argv, args, err);
	for (size_t i = 0; i < sizeof(lifecycle_commands) / sizeof(lifecycle_commands[0]); i++)
		if (strcmp(cmd, lifecycle_commands[i].name) == 0)
			return parse_lifecycle(lifecycle_commands[i].cmd, argc, argv, args, cfg, err);
	if (strcmp(cmd, "help") == 0 || strcmp(cmd, "version") == 0) {
		args->cmd = cmd[0] == 'h' ? CTR_CMD_HELP : CTR_CMD_VERSION;
		return 0;
	}
	if (strcmp(cmd, "sweep") == 0 || strcmp(cmd, "features") == 0) {
		if (argc > 1)
			return isolab_error_set(err, -EINVAL, "%s: unexpected argument `%s`", cmd,
						argv[1]);
		args->cmd = cmd[0] == 's' ? CTR_CMD_SWEEP : CTR_CMD_FEATURES;
		return 0;
	}
	return isolab_error_set(err, -EINVAL,
				"unknown command `%s` (`run`, `create`, `start`, `state`, `kill`, `delete`, `list`, `ps`, `pause`, `resume`, `exec`, `spec`, `features` or `sweep`; try --help)",
				cmd);
}

int ctr_parse_args(int argc, char *const *argv, struct ctr_config *cfg, enum ctr_command *cmd,
		   struct isolab_error *err)
{
	struct ctr_args args;
	int rc = ctr_parse_command_line(argc, argv, &args, cfg, err);

	*cmd = args.cmd;
	return rc;
}
