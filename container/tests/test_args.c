/* test_args.c: the isolab-ctr command line (container/args.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <sched.h>
#include <string.h>
#include <sys/mount.h>

#include "container/args.h"
#include "container/caps.h"

/* What the last parse() gave besides cfg: the command and the global options. */
static struct ctr_args last;

/* parse(cfg, err, cmd, "run", ..., NULL) */
static int parse(struct ctr_config *cfg, struct isolab_error *err, enum ctr_command *cmd, ...)
{
	char *argv[64];
	int argc = 1, rc;
	va_list ap;

	va_start(ap, cmd);
	argv[0] = "isolab-ctr";
	while ((argv[argc] = va_arg(ap, char *)) != NULL)
		argc++;
	va_end(ap);
	ctr_config_init(cfg);
	memset(err, 0, sizeof(*err));
	rc = ctr_parse_command_line(argc, argv, &last, cfg, err);
	*cmd = last.cmd;
	return rc;
}

static void test_full_command_line(void **state)
{
	struct ctr_config cfg;
	struct isolab_error err;
	enum ctr_command cmd;

	(void)state;
	assert_int_equal(parse(&cfg, &err, &cmd, "run", "--layer", "/a", "--layer", "/b",
			       "--name", "web", "--hostname=box", "--memory", "64M", "--cpus",
			       "0.5", "--pids", "100", "-v", "/h:/c:ro", "--net", "host", "-e",
			       "A=1", "--workdir", "/tmp", "--userns", "--stats", "s.json", "--",
			       "sh", "-c", NULL),
			 0);
	assert_int_equal(cmd, CTR_CMD_RUN);
	assert_int_equal(cfg.n_layers, 2);
	assert_string_equal(cfg.layers[0], "/a");
	assert_string_equal(cfg.layers[1], "/b");
	assert_string_equal(cfg.id, "web");
	assert_string_equal(cfg.hostname, "box");
	assert_int_equal(cfg.memory_limit, 64ull << 20);
	assert_int_equal(cfg.cpu_quota, 50000);
	assert_int_equal(cfg.cpu_period, 100000);
	assert_int_equal(cfg.pids_limit, 100);
	assert_int_equal(cfg.n_mounts, 1);
	assert_string_equal(cfg.mounts[0].source, "/h");
	assert_string_equal(cfg.mounts[0].destination, "/c");
	assert_true(cfg.mounts[0].flags & MS_RDONLY);
	assert_true(cfg.mounts[0].flags & MS_BIND);
	assert_false(cfg.namespaces & CLONE_NEWNET);
	assert_true(cfg.namespaces & CLONE_NEWUSER);
	assert_int_equal(cfg.uid_map[0].outside, 100000);
	assert_int_equal(cfg.uid_map[0].count, 65536);
	assert_string_equal(cfg.env[0], "A=1");
	assert_string_equal(cfg.cwd, "/tmp");
	assert_string_equal(cfg.stats_path, "s.json");
	assert_int_equal(cfg.argc, 1 + 1);
	assert_string_equal(cfg.argv[0], "sh");
	assert_null(cfg.argv[2]);
	ctr_config_free(&cfg);
}

static void test_defaults(void **state)
{
	struct ctr_config cfg;
	struct isolab_error err;
	enum ctr_command cmd;

	(void)state;
	assert_int_equal(parse(&cfg, &err, &cmd, "run", "--rootfs", "/r", "true", "x", NULL), 0);
	assert_int_equal(cfg.argc, 2);
	assert_true(cfg.namespaces & CLONE_NEWNET);
	assert_true(cfg.namespaces & CLONE_NEWPID);
	assert_false(cfg.namespaces & CLONE_NEWUSER);
	assert_int_equal(cfg.caps.effective, 0xa80425fbull);
	assert_int_equal(cfg.caps.bounding, 0xa80425fbull);
	assert_int_equal(cfg.caps.ambient, 0);
	assert_true(cfg.no_new_privs);
	assert_false(cfg.init);
	assert_int_equal(cfg.memory_limit, 0);
	/* default bounds, and lifting them */
	assert_int_equal(cfg.pids_limit, CTR_DEFAULT_PIDS);
	assert_int_equal(cfg.layer_size, 1ull << 30);
	ctr_config_free(&cfg);
	assert_int_equal(parse(&cfg, &err, &cmd, "run", "--pids", "unlimited", "--layer-size", "0",
			       "--", "x", NULL), 0);
	assert_int_equal(cfg.pids_limit, 0);
	assert_int_equal(cfg.layer_size, 0);
	ctr_config_free(&cfg);
	assert_int_equal(parse(&cfg, &err, &cmd, "run", "--pids", "0", "--layer-size", "64M",
			       "--", "x", NULL), 0);
	assert_int_equal(cfg.pids_limit, 0);
	assert_int_equal(cfg.layer_size, 64ull << 20);
	ctr_config_free(&cfg);
	assert_int_equal(parse(&cfg, &err, &cmd, "run", "--init", "--read-only", "x", NULL), 0);
	assert_true(cfg.init);
	assert_true(cfg.readonly_root);
	ctr_config_free(&cfg);
	assert_int_equal(parse(&cfg, &err, &cmd, "run", "--init=yes", "x", NULL), -EINVAL);
	ctr_config_free(&cfg);
}

static void test_bad_input_names_the_option(void **state)
{
	struct ctr_config cfg;
	struct isolab_error err;
	enum ctr_command cmd;

	(void)state;
	assert_int_equal(parse(&cfg, &err, &cmd, "run", "--memory", "12Q", "--", "x", NULL), -EINVAL);
	assert_non_null(strstr(err.msg, "--memory `12Q`"));
	ctr_config_free(&cfg);
	/* the 6M minimum is ctr_config_validate's (test_config) */
	assert_int_equal(parse(&cfg, &err, &cmd, "run", "--memory", "18446744073709551615", "--",
			       "x", NULL), -EINVAL);
	assert_non_null(strstr(err.msg, "too large"));
	ctr_config_free(&cfg);
	assert_int_equal(parse(&cfg, &err, &cmd, "run", "--memory", "9223372036854775808", "--",
			       "x", NULL), -EINVAL);
	assert_non_null(strstr(err.msg, "--memory `9223372036854775808`: too large"));
	ctr_config_free(&cfg);
	assert_int_equal(parse(&cfg, &err, &cmd, "run", "--cpus", "abc", "--", "x", NULL), -EINVAL);
	assert_non_null(strstr(err.msg, "--cpus"));
	ctr_config_free(&cfg);
	assert_int_equal(parse(&cfg, &err, &cmd, "run", "--pids", "-1", "--", "x", NULL), -EINVAL);
	ctr_config_free(&cfg);
	assert_int_equal(parse(&cfg, &err, &cmd, "run", "--layer-size", "1X", "--", "x", NULL),
			 -EINVAL);
	assert_non_null(strstr(err.msg, "--layer-size `1X`"));
	ctr_config_free(&cfg);
	assert_int_equal(parse(&cfg, &err, &cmd, "run", "--net", "bridge", "--", "x", NULL), -EINVAL);
	assert_non_null(strstr(err.msg, "none or host"));
	ctr_config_free(&cfg);
	assert_int_equal(parse(&cfg, &err, &cmd, "run", "-v", "/only", "--", "x", NULL), -EINVAL);
	ctr_config_free(&cfg);
	assert_int_equal(parse(&cfg, &err, &cmd, "run", "-v", "/a:rel", "--", "x", NULL), -EINVAL);
	ctr_config_free(&cfg);
	assert_int_equal(parse(&cfg, &err, &cmd, "run", "-v", "/a:/b:rx", "--", "x", NULL), -EINVAL);
	ctr_config_free(&cfg);
	assert_int_equal(parse(&cfg, &err, &cmd, "run", "--bogus", "--", "x", NULL), -EINVAL);
	assert_non_null(strstr(err.msg, "--bogus"));
	ctr_config_free(&cfg);
	assert_int_equal(parse(&cfg, &err, &cmd, "run", "--rootfs", "/r", NULL), -EINVAL);
	assert_non_null(strstr(err.msg, "no command"));
	ctr_config_free(&cfg);
	assert_int_equal(parse(&cfg, &err, &cmd, "run", "--memory", NULL), -EINVAL);
	assert_non_null(strstr(err.msg, "needs a value"));
	ctr_config_free(&cfg);
	assert_int_equal(parse(&cfg, &err, &cmd, "start", NULL), -EINVAL);
	ctr_config_free(&cfg);
	assert_int_equal(parse(&cfg, &err, &cmd, "run", "--userns=0", "--", "x", NULL), -EINVAL);
	ctr_config_free(&cfg);
	assert_int_equal(parse(&cfg, &err, &cmd, "run", "--cap-add", "CAP_NOPE", "--", "x", NULL), -EINVAL);
	ctr_config_free(&cfg);
}

static void test_cpus(void **state)
{
	struct isolab_error err;
	int64_t q;

	(void)state;
	assert_int_equal(ctr_parse_cpus("0.5", 100000, &q, &err), 0);
	assert_int_equal(q, 50000);
	assert_int_equal(ctr_parse_cpus("1", 100000, &q, &err), 0);
	assert_int_equal(q, 100000);
	assert_int_equal(ctr_parse_cpus("2.25", 100000, &q, &err), 0);
	assert_int_equal(q, 225000);
	assert_int_equal(ctr_parse_cpus(".1", 100000, &q, &err), 0);
	assert_int_equal(q, 10000);
	assert_int_equal(ctr_parse_cpus("0.333", 100000, &q, &err), 0);
	assert_int_equal(q, 33300);
	assert_int_equal(ctr_parse_cpus("0", 100000, &q, &err), -EINVAL);
	assert_int_equal(ctr_parse_cpus("0.001", 100000, &q, &err), -EINVAL);
	assert_int_equal(ctr_parse_cpus("-1", 100000, &q, &err), -EINVAL);
	assert_int_equal(ctr_parse_cpus("1.5x", 100000, &q, &err), -EINVAL);
	assert_int_equal(ctr_parse_cpus("", 100000, &q, &err), -EINVAL);
	assert_int_equal(ctr_parse_cpus(".", 100000, &q, &err), -EINVAL);
	assert_int_equal(ctr_parse_cpus("0.123456", 100000, &q, &err), -EINVAL);
	assert_int_equal(ctr_parse_cpus("5000", 100000, &q, &err), -EINVAL);
}

static void test_userns_and_caps(void **state)
{
	struct ctr_config cfg;
	struct isolab_error err;
	enum ctr_command cmd;
	int cap;

	(void)state;
	assert_int_equal(parse(&cfg, &err, &cmd, "run", "--userns=200000:1000", "--cap-drop",
			       "NET_RAW", "--cap-add", "sys_admin", "x", NULL), 0);
	assert_int_equal(cfg.uid_map[0].inside, 0);
	assert_int_equal(cfg.uid_map[0].outside, 200000);
	assert_int_equal(cfg.gid_map[0].count, 1000);
	assert_int_equal(cfg.caps.effective, (0xa80425fbull & ~(1ull << CAP_NET_RAW)) |
						     (1ull << CAP_SYS_ADMIN));
	ctr_config_free(&cfg);
	assert_int_equal(ctr_cap_from_name("CAP_SYS_CHROOT", &cap), 0);
	assert_int_equal(cap, CAP_SYS_CHROOT);
	assert_int_equal(ctr_cap_from_name("audit_write", &cap), 0);
	assert_int_equal(cap, CAP_AUDIT_WRITE);
	assert_int_equal(ctr_cap_from_name("CAP_FOO", &cap), -EINVAL);
}

static void test_bundle_and_help(void **state)
{
	struct ctr_config cfg;
	struct isolab_error err;
	enum ctr_command cmd;

	(void)state;
	assert_int_equal(parse(&cfg, &err, &cmd, "run", "--bundle", "/b", "myid", NULL), 0);
	assert_string_equal(cfg.bundle, "/b");
	assert_string_equal(cfg.id, "myid");
	assert_int_equal(cfg.argc, 0);
	ctr_config_free(&cfg);
	assert_int_equal(parse(&cfg, &err, &cmd, "run", "--bundle", "/b", "id", "extra", NULL), -EINVAL);
	ctr_config_free(&cfg);
	assert_int_equal(parse(&cfg, &err, &cmd, "--help", NULL), 0);
	assert_int_equal(cmd, CTR_CMD_HELP);
	ctr_config_free(&cfg);
}

static void test_sweep_command(void **state)
{
	struct ctr_config cfg;
	struct isolab_error err;
	enum ctr_command cmd;

	(void)state;
	assert_int_equal(parse(&cfg, &err, &cmd, "sweep", NULL), 0);
	assert_int_equal(cmd, CTR_CMD_SWEEP);
	ctr_config_free(&cfg);
	assert_int_equal(parse(&cfg, &err, &cmd, "sweep", "web", NULL), -EINVAL);
	assert_string_equal(err.msg, "sweep: unexpected argument `web`");
	ctr_config_free(&cfg);
	assert_int_equal(parse(&cfg, &err, &cmd, "checkpoint", NULL), -EINVAL);
	assert_string_equal(err.msg,
			    "unknown command `checkpoint` (`run`, `create`, `start`, `state`, `kill`, `delete`, `list`, `ps`, `pause`, `resume`, `exec`, `spec`, `features` or `sweep`; try --help)");
	ctr_config_free(&cfg);
}

/* runc's lifecycle commands and their options. */
static void test_lifecycle_commands(void **state)
{
	struct ctr_config cfg;
	struct isolab_error err;
	enum ctr_command cmd;

	(void)state;
	assert_int_equal(parse(&cfg, &err, &cmd, "--root", "/tmp/r", "create", "--bundle", "/b",
			       "--pid-file=/p", "--console-socket", "/s", "--no-pivot", "web", NULL), 0);
	assert_int_equal(cmd, CTR_CMD_CREATE);
	assert_string_equal(cfg.bundle, "/b");
	assert_string_equal(cfg.id, "web");
	assert_string_equal(last.pid_file, "/p");
	assert_string_equal(last.console_socket, "/s");
	assert_true(last.no_pivot);
	assert_string_equal(last.g.root, "/tmp/r");
	ctr_config_free(&cfg);
	/* the bundle defaults to the current directory, as runc's */
	assert_int_equal(parse(&cfg, &err, &cmd, "create", "-b", "x", "web", NULL), 0);
	assert_string_equal(cfg.bundle, "x");
	ctr_config_free(&cfg);
	assert_int_equal(parse(&cfg, &err, &cmd, "create", "web", NULL), 0);
	assert_string_equal(cfg.bundle, ".");
	ctr_config_free(&cfg);
	assert_int_equal(parse(&cfg, &err, &cmd, "create", NULL), -EINVAL);
	assert_string_equal(err.msg, "create: no container id given");
	ctr_config_free(&cfg);
	assert_int_equal(parse(&cfg, &err, &cmd, "start", "a/b", NULL), -EINVAL);
	assert_string_equal(err.msg, "container name `a/b`: invalid (1 to 64 of A-Z a-z 0-9 _ + - ., not starting with a dot)");
	ctr_config_free(&cfg);
	assert_int_equal(parse(&cfg, &err, &cmd, "state", "web", "more", NULL), -EINVAL);
	assert_string_equal(err.msg, "state: unexpected argument `more`");
	ctr_config_free(&cfg);

	assert_int_equal(parse(&cfg, &err, &cmd, "kill", "--all", "web", "KILL", NULL), 0);
	assert_int_equal(cmd, CTR_CMD_KILL);
	assert_true(last.all);
	assert_string_equal(last.id, "web");
	assert_string_equal(last.signal, "KILL");
	ctr_config_free(&cfg);
	assert_int_equal(parse(&cfg, &err, &cmd, "kill", "web", NULL), 0);
	assert_null(last.signal); /* TERM, in cmd_kill.c */
	ctr_config_free(&cfg);
	assert_int_equal(parse(&cfg, &err, &cmd, "delete", "-f", "web", NULL), 0);
	assert_int_equal(cmd, CTR_CMD_DELETE);
	assert_true(last.force);
	ctr_config_free(&cfg);
	assert_int_equal(parse(&cfg, &err, &cmd, "delete", "--force=yes", "web", NULL), -EINVAL);
	assert_string_equal(err.msg, "option `--force` takes no value");
	ctr_config_free(&cfg);

	assert_int_equal(parse(&cfg, &err, &cmd, "list", "--format", "json", NULL), 0);
	assert_int_equal(cmd, CTR_CMD_LIST);
	assert_true(last.json);
	ctr_config_free(&cfg);
	assert_int_equal(parse(&cfg, &err, &cmd, "list", "-q", NULL), 0);
	assert_true(last.quiet);
	assert_false(last.json);
	ctr_config_free(&cfg);
	assert_int_equal(parse(&cfg, &err, &cmd, "list", "-f", "yaml", NULL), -EINVAL);
	assert_string_equal(err.msg, "--format `yaml`: expected table or json");
	ctr_config_free(&cfg);
	assert_int_equal(parse(&cfg, &err, &cmd, "ps", "-f", "json", "web", "-ef", NULL), 0);
	assert_int_equal(cmd, CTR_CMD_PS);
	assert_true(last.json);
	ctr_config_free(&cfg);
	assert_int_equal(parse(&cfg, &err, &cmd, "pause", "web", NULL), 0);
	assert_int_equal(cmd, CTR_CMD_PAUSE);
	ctr_config_free(&cfg);
	assert_int_equal(parse(&cfg, &err, &cmd, "resume", "web", NULL), 0);
	assert_int_equal(cmd, CTR_CMD_RESUME);
	ctr_config_free(&cfg);

	/* exec: the options end at the id; what follows is the command */
	assert_int_equal(parse(&cfg, &err, &cmd, "exec", "-d", "--pid-file", "/p", "web", "ls",
			       "-l", NULL), 0);
	assert_int_equal(cmd, CTR_CMD_EXEC);
	assert_true(last.detach);
	assert_int_equal(cfg.argc, 2);
	assert_string_equal(cfg.argv[0], "ls");
	assert_string_equal(cfg.argv[1], "-l");
	ctr_config_free(&cfg);
	assert_int_equal(parse(&cfg, &err, &cmd, "exec", "--process", "p.json", "web", NULL), 0);
	assert_string_equal(last.process, "p.json");
	assert_int_equal(cfg.argc, 0);
	ctr_config_free(&cfg);
	assert_int_equal(parse(&cfg, &err, &cmd, "exec", "web", NULL), -EINVAL);
	assert_string_equal(err.msg, "exec: no command given (exec ID CMD..., or --process FILE)");
	ctr_config_free(&cfg);
}

static void test_security_opt(void **state)
{
	struct ctr_config cfg;
	struct isolab_error err;
	enum ctr_command cmd;

	(void)state;
	assert_int_equal(parse(&cfg, &err, &cmd, "run", "--security-opt", "seccomp=unconfined", "--",
			       "x", NULL), 0);
	assert_true(cfg.seccomp_unconfined);
	assert_null(cfg.seccomp_path);
	ctr_config_free(&cfg);
	assert_int_equal(parse(&cfg, &err, &cmd, "run", "--security-opt=seccomp=/p.json", "--", "x",
			       NULL), 0);
	assert_false(cfg.seccomp_unconfined);
	assert_string_equal(cfg.seccomp_path, "/p.json");
	ctr_config_free(&cfg);
	assert_int_equal(parse(&cfg, &err, &cmd, "run", "--security-opt", "apparmor=x", "--", "x",
			       NULL), -EINVAL);
	assert_string_equal(err.msg,
			    "--security-opt `apparmor=x`: expected seccomp=unconfined or seccomp=FILE.json");
	ctr_config_free(&cfg);
}

static void test_device_cgroup_rule(void **state)
{
	struct ctr_config cfg;
	struct isolab_error err;
	enum ctr_command cmd;

	(void)state;
	assert_int_equal(parse(&cfg, &err, &cmd, "run", "--device-cgroup-rule", "c 10:200 rwm",
			       "--device-cgroup-rule=a *:* m", "--", "x", NULL), 0);
	assert_int_equal(cfg.n_dev_rules, 2);
	assert_int_equal(cfg.dev_rules[0].type, 'c');
	assert_int_equal(cfg.dev_rules[0].major, 10);
	assert_int_equal(cfg.dev_rules[1].type, 'a');
	ctr_config_free(&cfg);
	assert_int_equal(parse(&cfg, &err, &cmd, "run", "--device-cgroup-rule", "c 10:200", "--",
			       "x", NULL), -EINVAL);
	assert_string_equal(err.msg, "--device-cgroup-rule `c 10:200`: not TYPE MAJOR:MINOR ACCESS "
				     "(e.g. `c 1:3 rwm`, `a *:* rwm`)");
	ctr_config_free(&cfg);
}

/* getopt_long's forms, and the messages for what it refuses. */
static void test_option_forms(void **state)
{
	struct ctr_config cfg;
	struct isolab_error err;
	enum ctr_command cmd;

	(void)state;
	/* attached short values, --opt=value, and the first non-option ends them */
	assert_int_equal(parse(&cfg, &err, &cmd, "run", "-m64M", "-eA=1", "-w/tmp", "-u", "5:6",
			       "--memory=32M", "--rootfs=/r", "-t", "sh", "-c", "--x", NULL), 0);
	assert_int_equal(cfg.memory_limit, 32ull << 20);
	assert_string_equal(cfg.env[0], "A=1");
	assert_string_equal(cfg.cwd, "/tmp");
	assert_int_equal(cfg.uid, 5);
	assert_int_equal(cfg.gid, 6);
	assert_true(cfg.tty);
	assert_int_equal(cfg.argc, 3);
	assert_string_equal(cfg.argv[2], "--x");
	ctr_config_free(&cfg);
	/* -h is --hostname inside run; --help is help */
	assert_int_equal(parse(&cfg, &err, &cmd, "run", "-h", "box", "x", NULL), 0);
	assert_string_equal(cfg.hostname, "box");
	ctr_config_free(&cfg);
	assert_int_equal(parse(&cfg, &err, &cmd, "run", "--help", NULL), 0);
	assert_int_equal(cmd, CTR_CMD_HELP);
	ctr_config_free(&cfg);
	/* the messages */
	assert_int_equal(parse(&cfg, &err, &cmd, "run", "--memory", NULL), -EINVAL);
	assert_string_equal(err.msg, "option `--memory` needs a value");
	ctr_config_free(&cfg);
	assert_int_equal(parse(&cfg, &err, &cmd, "run", "-m", NULL), -EINVAL);
	assert_string_equal(err.msg, "option `-m` needs a value");
	ctr_config_free(&cfg);
	assert_int_equal(parse(&cfg, &err, &cmd, "run", "--init=yes", "x", NULL), -EINVAL);
	assert_string_equal(err.msg, "option `--init` takes no value");
	ctr_config_free(&cfg);
	assert_int_equal(parse(&cfg, &err, &cmd, "run", "--bogus=1", "--", "x", NULL), -EINVAL);
	assert_string_equal(err.msg, "unknown option `--bogus=1`");
	ctr_config_free(&cfg);
	assert_int_equal(parse(&cfg, &err, &cmd, "run", "-Z", "x", NULL), -EINVAL);
	assert_string_equal(err.msg, "unknown option `-Z`");
	ctr_config_free(&cfg);
	assert_int_equal(parse(&cfg, &err, &cmd, "run", "--rootfs", "", "x", NULL), -EINVAL);
	assert_string_equal(err.msg, "--rootfs: empty path");
	ctr_config_free(&cfg);
	assert_int_equal(parse(&cfg, &err, &cmd, "run", "--layer", "/a:b", "x", NULL), -EINVAL);
	assert_string_equal(err.msg, "--layer `/a:b`: ':' and ',' cannot appear in an overlay layer path");
	ctr_config_free(&cfg);
	/* --userns without a value: the defaults */
	assert_int_equal(parse(&cfg, &err, &cmd, "run", "--userns", "x", NULL), 0);
	assert_int_equal(cfg.uid_map[0].outside, 100000);
	assert_int_equal(cfg.argc, 1);
	ctr_config_free(&cfg);
}

/* runc's global options, before the command. */
static void test_global_options(void **state)
{
	struct ctr_config cfg;
	struct isolab_error err;
	enum ctr_command cmd;

	(void)state;
	assert_int_equal(parse(&cfg, &err, &cmd, "run", "--rootfs", "/r", "x", NULL), 0);
	assert_string_equal(last.g.root, "/run/isolab-ctr");
	assert_null(last.g.log);
	assert_int_equal(last.g.log_format, CTR_LOG_TEXT);
	assert_false(last.g.debug);
	ctr_config_free(&cfg);
	assert_int_equal(parse(&cfg, &err, &cmd, "--root", "/tmp/s", "--log", "/tmp/l.json",
			       "--log-format=json", "--debug", "run", "--rootfs", "/r", "x", NULL), 0);
	assert_int_equal(cmd, CTR_CMD_RUN);
	assert_string_equal(last.g.root, "/tmp/s");
	assert_string_equal(last.g.log, "/tmp/l.json");
	assert_int_equal(last.g.log_format, CTR_LOG_JSON);
	assert_true(last.g.debug);
	assert_string_equal(cfg.layers[0], "/r");
	ctr_config_free(&cfg);
	/* refused, with the log still known so the error reaches it */
	assert_int_equal(parse(&cfg, &err, &cmd, "--systemd-cgroup", "--log", "/tmp/l", "run", "x",
			       NULL), -ENOTSUP);
	assert_string_equal(err.msg, "--systemd-cgroup: not supported (cgroupfs only)");
	assert_string_equal(last.g.log, "/tmp/l");
	ctr_config_free(&cfg);
	assert_int_equal(parse(&cfg, &err, &cmd, "--root", "state", "run", "x", NULL), -EINVAL);
	assert_string_equal(err.msg, "--root `state`: must be an absolute path");
	ctr_config_free(&cfg);
	assert_int_equal(parse(&cfg, &err, &cmd, "--root", "/a,b", "run", "x", NULL), -EINVAL);
	ctr_config_free(&cfg);
	assert_int_equal(parse(&cfg, &err, &cmd, "--log-format", "xml", "run", "x", NULL), -EINVAL);
	assert_string_equal(err.msg, "--log-format `xml`: expected text or json");
	ctr_config_free(&cfg);
	assert_int_equal(parse(&cfg, &err, &cmd, "--criu", "x", "run", "x", NULL), -EINVAL);
	assert_string_equal(err.msg, "unknown option `--criu`");
	ctr_config_free(&cfg);
	assert_int_equal(parse(&cfg, &err, &cmd, "--debug", NULL), -EINVAL);
	assert_string_equal(err.msg, "no command (try `isolab-ctr --help`)");
	ctr_config_free(&cfg);
	/* a run option before the command is not a global one */
	assert_int_equal(parse(&cfg, &err, &cmd, "--memory", "1G", "run", "x", NULL), -EINVAL);
	ctr_config_free(&cfg);
	/* version and help, as options and as commands */
	static const char *const version[] = { "--version", "-v", "version" };
	for (size_t i = 0; i < 3; i++) {
		assert_int_equal(parse(&cfg, &err, &cmd, version[i], NULL), 0);
		assert_int_equal(cmd, CTR_CMD_VERSION);
		ctr_config_free(&cfg);
	}
	static const char *const help[] = { "--help", "-h", "help" };
	for (size_t i = 0; i < 3; i++) {
		assert_int_equal(parse(&cfg, &err, &cmd, help[i], NULL), 0);
		assert_int_equal(cmd, CTR_CMD_HELP);
		ctr_config_free(&cfg);
	}
}

static void test_spec_and_features_commands(void **state)
{
	struct ctr_config cfg;
	struct isolab_error err;
	enum ctr_command cmd;

	(void)state;
	assert_int_equal(parse(&cfg, &err, &cmd, "spec", NULL), 0);
	assert_int_equal(cmd, CTR_CMD_SPEC);
	assert_string_equal(last.bundle, ".");
	assert_false(last.rootless);
	ctr_config_free(&cfg);
	assert_int_equal(parse(&cfg, &err, &cmd, "spec", "--rootless", "-b", "/b", NULL), 0);
	assert_string_equal(last.bundle, "/b");
	assert_true(last.rootless);
	ctr_config_free(&cfg);
	assert_int_equal(parse(&cfg, &err, &cmd, "spec", "--bundle=/c", NULL), 0);
	assert_string_equal(last.bundle, "/c");
	ctr_config_free(&cfg);
	assert_int_equal(parse(&cfg, &err, &cmd, "spec", "extra", NULL), -EINVAL);
	assert_string_equal(err.msg, "spec: unexpected argument `extra`");
	ctr_config_free(&cfg);
	assert_int_equal(parse(&cfg, &err, &cmd, "spec", "--rootless=1", NULL), -EINVAL);
	assert_string_equal(err.msg, "option `--rootless` takes no value");
	ctr_config_free(&cfg);
	assert_int_equal(parse(&cfg, &err, &cmd, "--root", "/s", "features", NULL), 0);
	assert_int_equal(cmd, CTR_CMD_FEATURES);
	ctr_config_free(&cfg);
	assert_int_equal(parse(&cfg, &err, &cmd, "features", "-x", NULL), -EINVAL);
	assert_string_equal(err.msg, "features: unexpected argument `-x`");
	ctr_config_free(&cfg);
	/* the entry that keeps only the command (the fuzzer's) */
	char *argv[] = { "isolab-ctr", "--root", "/s", "features", NULL };

	ctr_config_init(&cfg);
	assert_int_equal(ctr_parse_args(4, argv, &cfg, &cmd, &err), 0);
	assert_int_equal(cmd, CTR_CMD_FEATURES);
	ctr_config_free(&cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full_command_line),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_bad_input_names_the_option),
		cmocka_unit_test(test_cpus),
		cmocka_unit_test(test_userns_and_caps),
		cmocka_unit_test(test_bundle_and_help),
		cmocka_unit_test(test_sweep_command),
		cmocka_unit_test(test_security_opt),
		cmocka_unit_test(test_lifecycle_commands),
		cmocka_unit_test(test_device_cgroup_rule),
		cmocka_unit_test(test_option_forms),
		cmocka_unit_test(test_global_options),
		cmocka_unit_test(test_spec_and_features_commands),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
