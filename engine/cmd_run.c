/*
 * cmd_run.c: `isolab run [OPTIONS] IMAGE [CMD...]`: a container of a stored
 * image, run by the runtime, isolab-ctr. The engine finds the image, works
 * out what Docker would run (Entrypoint + Cmd, Env, WorkingDir, User and
 * the options over them: cmdline.h), and calls
 *   isolab-ctr run --name NAME --layer LOWEST ... --layer TOP -e ... -w ...
 *     -u UID:GID [--keep-layer ROOT/containers/NAME/upper] [options] -- ARGV
 * with the image's unpacked layers as overlay lower dirs: no copy. Without
 * --rm the engine waits and records the exit status and the writable layer
 * (for ps and commit); with --rm it records the container and becomes
 * isolab-ctr (exec): nothing of the engine stays between the caller and
 * the container, and the record goes once the process is gone.
 */
#include "engine/commands.h"
#include "common/timing.h"
#include "common/cleanup.h"
#include "engine/lib/cmdline.h"
#include "engine/lib/container.h"
#include "engine/lib/image.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* /etc/passwd and /etc/group read from an image: at most this much. */
#define ACCOUNTS_MAX (1u << 20)

extern char **environ;

static const char run_help[] =
	"usage: isolab run [OPTIONS] IMAGE [COMMAND [ARG...]]\n"
	"  --rm                  remove the container when it exits (else it is kept\n"
	"                        for `isolab ps -a` and `isolab commit`)\n"
	"  --name NAME           container name (default: generated)\n"
	"  --entrypoint CMD      replaces the image's Entrypoint (and its Cmd); \"\" clears it\n"
	"  -e, --env K=V | K     environment (K alone: the caller's value)\n"
	"  -w, --workdir DIR     working directory (default: the image's WorkingDir)\n"
	"  -u, --user U[:G]      user, by name or number (default: the image's User)\n"
	"  -v, --volume H:C[:ro] bind mount host dir H at C\n"
	"  -m, --memory SIZE     memory limit\n"
	"  --cpus N              CPU quota\n"
	"  --pids-limit N        pids limit (default 2048)\n"
	"  --hostname H          hostname (default: the name)\n"
	"  --network none|host   a network namespace with lo only (default), or the host's\n"
	"  -t, --tty             a terminal; -i, --interactive is accepted (stdin is always\n"
	"                        the caller's)\n"
	"  --init                a tiny init as PID 1\n"
	"  --read-only           the root file system read-only\n"
	"  --cap-add, --cap-drop CAP, --security-opt OPT   passed to isolab-ctr\n"
	"exit status: the command's; 125 the engine or runtime failed, 126 not\n"
	"executable, 127 not found (docker run's)\n";

/* The argv for isolab-ctr, built up as options are read. */
struct ctr_argv {
	char *v[512];
	size_t n;
	char *owned[64]; /* strings made here (freed at the end) */
	size_t n_owned;
	char **env;      /* the environment's vector (its strings are in v) */
};

static void ctr_argv_free(struct ctr_argv *a)
{
	for (size_t i = 0; i < a->n_owned; i++)
		free(a->owned[i]);
	eng_strv_free(a->env);
	a->n_owned = 0;
	a->env = NULL;
}

static int push(struct ctr_argv *a, const char *s)
{
	if (a->n + 1 >= sizeof(a->v) / sizeof(a->v[0]))
		return -E2BIG;
	a->v[a->n++] = (char *)s;
	a->v[a->n] = NULL;
	return 0;
}

static int push2(struct ctr_argv *a, const char *opt, const char *val)
{
	return push(a, opt) < 0 ? -E2BIG : push(a, val);
}

static const char *own(struct ctr_argv *a, char *s)
{
	if (s == NULL || a->n_owned == sizeof(a->owned) / sizeof(a->owned[0])) {
		free(s);
		return NULL;
	}
	return a->owned[a->n_owned++] = s;
}

struct run_opts {
	bool rm, tty, set_entrypoint;
	const char *name, *entrypoint, *workdir, *user, *hostname;
	char *envs[256];
	size_t n_envs;
};


/* Reads run's options into o and the pass-through ones into a. */
static int parse(struct eng_cli *cli, int argc, char **argv, struct run_opts *o,
		 struct ctr_argv *a)
{
	enum { O_RM = 256, O_NAME, O_ENTRYPOINT, O_CPUS, O_PIDS, O_HOSTNAME, O_NETWORK, O_INIT,
	       O_READONLY, O_CAP_ADD, O_CAP_DROP, O_SECOPT };
	static const struct option opts[] = {
		{ "rm", no_argument, NULL, O_RM }, { "name", required_argument, NULL, O_NAME },
		{ "entrypoint", required_argument, NULL, O_ENTRYPOINT },
		{ "env", required_argument, NULL, 'e' }, { "workdir", required_argument, NULL, 'w' },
		{ "user", required_argument, NULL, 'u' }, { "volume", required_argument, NULL, 'v' },
		{ "memory", required_argument, NULL, 'm' }, { "cpus", required_argument, NULL, O_CPUS },
		{ "pids-limit", required_argument, NULL, O_PIDS },
		{ "hostname", required_argument, NULL, O_HOSTNAME },
		{ "network", required_argument, NULL, O_NETWORK },
		{ "net", required_argument, NULL, O_NETWORK }, { "tty", no_argument, NULL, 't' },
		{ "interactive", no_argument, NULL, 'i' }, { "init", no_argument, NULL, O_INIT },
		{ "read-only", no_argument, NULL, O_READONLY },
		{ "cap-add", required_argument, NULL, O_CAP_ADD },
		{ "cap-drop", required_argument, NULL, O_CAP_DROP },
		{ "security-opt", required_argument, NULL, O_SECOPT },
		{ "help", no_argument, NULL, 'h' }, { 0 },
	};
	int c, rc = 0;

	while (rc == 0 && (c = getopt_long(argc, argv, "+e:w:u:v:m:tih", opts, NULL)) != -1) {
		switch (c) {
		case O_RM: o->rm = true; break;
		case O_NAME: o->name = optarg; break;
		case O_ENTRYPOINT: o->set_entrypoint = true, o->entrypoint = optarg; break;
		case 'e':
			if (o->n_envs == sizeof(o->envs) / sizeof(o->envs[0]))
				return eng_cli_usage(cli, "run", "too many -e");
			o->envs[o->n_envs++] = optarg;
			break;
		case 'w': o->workdir = optarg; break;
		case 'u': o->user = optarg; break;
		case 'v': rc = push2(a, "-v", optarg); break;
		case 'm': rc = push2(a, "--memory", optarg); break;
		case O_CPUS: rc = push2(a, "--cpus", optarg); break;
		case O_PIDS: rc = push2(a, "--pids", optarg); break;
		case O_HOSTNAME: o->hostname = optarg; break;
		case O_NETWORK: rc = push2(a, "--net", optarg); break;
		case 't': o->tty = true, rc = push(a, "-t"); break;
		case 'i': break;
		case O_INIT: rc = push(a, "--init"); break;
		case O_READONLY: rc = push(a, "--read-only"); break;
		case O_CAP_ADD: rc = push2(a, "--cap-add", optarg); break;
		case O_CAP_DROP: rc = push2(a, "--cap-drop", optarg); break;
		case O_SECOPT: rc = push2(a, "--security-opt", optarg); break;
		case 'h': fputs(run_help, stdout); return ENG_CLI_HELP;
		default: return eng_cli_usage(cli, "run", "unknown option");
		}
	}
	if (rc < 0)
		return eng_cli_usage(cli, "run", "too many options");
	if (optind >= argc)
		return eng_cli_usage(cli, "run", "no image given");
	return 0;
}

/* The user as isolab-ctr takes it (UID:GID), from -u or the image's User. */
static int user_arg(const struct run_opts *o, const struct eng_image *img, char **layers,
		    size_t n, char *buf, size_t size, struct isolab_error *err)
{
	const char *spec = o->user ? o->user : img->config.user ? img->config.user : "";
	_cleanup_free_ char *passwd = NULL, *group = NULL;
	unsigned uid = 0, gid = 0;

	if (spec[0] == '\0') {
		snprintf(buf, size, "0:0");
		return 0;
	}
	passwd = eng_layers_read_file(layers, n, "etc/passwd", ACCOUNTS_MAX);
	group = eng_layers_read_file(layers, n, "etc/group", ACCOUNTS_MAX);
	if (eng_user_resolve(spec, passwd, group, &uid, &gid, err) < 0)
		return -EINVAL;
	snprintf(buf, size, "%u:%u", uid, gid);
	return 0;
}

/* Waits for the runtime as docker run does: ^C and ^\ reach the container
 * through isolab-ctr (same terminal), SIGTERM and SIGHUP are passed on. */
static pid_t child;

static void pass_on(int sig)
{
	if (child > 0)
		kill(child, sig);
}

static int wait_runtime(pid_t pid)
{
	struct sigaction sa = { .sa_handler = pass_on }, ign = { .sa_handler = SIG_IGN };
	int st;

	child = pid;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGINT, &ign, NULL);
	sigaction(SIGQUIT, &ign, NULL);
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return ENG_EXIT_RUN;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static int prepare(struct eng_cli *cli, struct run_opts *o, char **args, size_t n_args,
		   struct eng_container *rec, struct ctr_argv *a)
{
	struct eng_image img;
	struct eng_run_override ov = { o->set_entrypoint, o->entrypoint, args, n_args };
	struct eng_env_request rq = { o->envs, o->n_envs, environ, NULL, o->tty };
	char **layers = NULL, **argv = NULL, **env = NULL, user[32], path[PATH_MAX];
	size_t n_layers = 0, n_argv = 0, n_env = 0;
	int rc;

	if (eng_cli_store(cli, true) < 0)
		return -EIO;
	rc = eng_image_find(&cli->store, args[-1], &img, &cli->err);
	if (rc < 0)
		return rc;
	rq.hostname = o->hostname ? o->hostname : rec->name;
	rc = eng_image_layer_dirs(&cli->store, &img, &layers, &n_layers, &cli->err);
	if (rc == 0)
		rc = eng_cmdline_resolve(&img.config, &ov, &argv, &n_argv, &cli->err);
	if (rc == 0)
		rc = eng_env_resolve(&img.config, &rq, &env, &n_env, &cli->err);
	if (rc == 0)
		rc = user_arg(o, &img, layers, n_layers, user, sizeof(user), &cli->err);
	if (rc < 0)
		goto out;
	if (push2(a, "--name", rec->name) < 0 ||
	    (o->hostname && push2(a, "--hostname", o->hostname) < 0) ||
	    push2(a, "-u", own(a, strdup(user))) < 0)
		goto too_long;
	for (size_t i = 0; i < n_layers; i++)
		if (push2(a, "--layer", own(a, strdup(layers[i]))) < 0)
			goto too_long;
	for (size_t i = 0; i < n_env; i++)
		if (push2(a, "-e", env[i]) < 0)
			goto too_long;
	if ((o->workdir || img.config.working_dir) &&
	    push2(a, "-w", o->workdir ? o->workdir : own(a, strdup(img.config.working_dir))) < 0)
		goto too_long;
	if (!o->rm) {
		eng_container_upper_path(&cli->store, rec->name, path);
		if (push2(a, "--keep-layer", own(a, strdup(path))) < 0)
			goto too_long;
	}
	if (push(a, "--") < 0)
		goto too_long;
	for (size_t i = 0; i < n_argv; i++)
		if (push(a, argv[i]) < 0)
			goto too_long;
	/* The record: what ps shows, and what keeps the image from rmi and gc. */
	eng_container_prune_rm(&cli->store);
	rec->image = strdup(args[-1]);
	rec->image_id = img.id;
	rec->manifest = img.manifest_digest;
	rec->command = argv, argv = NULL;
	rec->exit_code = -1;
	if (o->rm)
		rec->pid = getpid(); /* this process becomes the runtime (exec) */
	rc = eng_container_create(&cli->store, rec, &cli->err);
	a->env = env, env = NULL;
	goto out;
too_long:
	rc = isolab_error_set(&cli->err, -E2BIG, "run: too many arguments for isolab-ctr");
out:
	eng_image_layer_dirs_free(layers, n_layers);
	eng_strv_free(argv);
	eng_strv_free(env);
	eng_image_free(&img);
	return rc;
}

int cmd_run(struct eng_cli *cli, int argc, char **argv)
{
	struct run_opts o = { 0 };
	struct ctr_argv pass = { .n = 0 }, a = { .n = 0 };
	struct eng_container rec = { .exit_code = -1 };
	char created[64], ctr[PATH_MAX], name[ENG_CONTAINER_NAME_MAX + 1];
	int rc, status;
	pid_t pid;

	rc = parse(cli, argc, argv, &o, &pass);
	if (rc != 0)
		return rc == ENG_CLI_HELP ? 0 : (cli->error_status = ENG_EXIT_RUN);
	if (o.name != NULL && eng_container_name_check(o.name, &cli->err) < 0)
		return eng_cli_fail(cli, ENG_EXIT_RUN);
	if (o.name == NULL)
		eng_container_name_new(name, sizeof(name));
	snprintf(rec.name, sizeof(rec.name), "%s", o.name ? o.name : name);
	if (eng_cli_beside(ctr, sizeof(ctr), "isolab-ctr", "ISOLAB_CTR", &cli->err) < 0)
		return eng_cli_fail(cli, ENG_EXIT_RUN);
	isolab_now_rfc3339(created, sizeof(created));
	rec.created = strdup(created);
	rec.rm = o.rm;
	/* isolab-ctr run, the options passed through, then what prepare() adds */
	push(&a, ctr);
	push(&a, "run");
	for (size_t i = 0; i < pass.n; i++)
		push(&a, pass.v[i]);
	rc = prepare(cli, &o, argv + optind + 1, (size_t)(argc - optind - 1), &rec, &a);
	if (rc < 0) {
		eng_container_free(&rec);
		ctr_argv_free(&a);
		return eng_cli_fail(cli, ENG_EXIT_RUN);
	}
	fflush(NULL);
	if (o.rm) {
		/* Become the runtime: the record names this pid, ps reaps it. */
		eng_store_close(&cli->store);
		cli->store_open = false;
		execv(ctr, a.v);
		isolab_error_errno(&cli->err, -errno, "run: exec `%s`", ctr);
		eng_cli_store(cli, true);
		eng_container_remove(&cli->store, rec.name, NULL);
		eng_container_free(&rec);
		ctr_argv_free(&a);
		return eng_cli_fail(cli, ENG_EXIT_RUN);
	}
	pid = fork();
	if (pid < 0) {
		isolab_error_errno(&cli->err, -errno, "run: fork");
		eng_container_remove(&cli->store, rec.name, NULL);
		eng_container_free(&rec);
		ctr_argv_free(&a);
		return eng_cli_fail(cli, ENG_EXIT_RUN);
	}
	if (pid == 0) {
		execv(ctr, a.v);
		fprintf(stderr, "isolab: run: exec `%s`: %s\n", ctr, strerror(errno));
		_exit(ENG_EXIT_RUN);
	}
	rec.pid = pid;
	eng_container_save(&cli->store, &rec, &cli->err);
	/* The lock is not held while the container runs. */
	eng_store_close(&cli->store);
	cli->store_open = false;
	status = wait_runtime(pid);
	rec.exit_code = status;
	if (eng_cli_store(cli, true) == 0)
		eng_container_save(&cli->store, &rec, &cli->err);
	eng_container_free(&rec);
	ctr_argv_free(&a);
	cli->err.msg[0] = '\0'; /* the runtime has said what went wrong */
	return status;
}
