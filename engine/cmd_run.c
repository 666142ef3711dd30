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
 * With a network (the default, `isolab`; network.h) the engine stays the
 * runtime's parent: it makes the network namespace and attaches it (CNI
 * ADD), runs isolab-ctr --netns PATH, waits, and detaches (CNI DEL)
 * however the container ended. --network none|host is the path above.
 * With --vm the image runs as a microVM instead: vm_run.c.
 */
#include "engine/commands.h"
#include "engine/run.h"
#include "common/timing.h"
#include "common/cleanup.h"
#include "engine/lib/cmdline.h"
#include "engine/lib/container.h"
#include "engine/lib/image.h"
#include "engine/lib/network.h"

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
	"  --network NET         a CNI network (default: $ISOLAB_NETWORK, else `isolab`,\n"
	"                        made on first use); none: a network namespace with lo\n"
	"                        only; host: the host's\n"
	"  -p, --publish [IP:]HOSTPORT:CTRPORT[/tcp|/udp]   publish a port (repeatable)\n"
	"  -t, --tty             a terminal; -i, --interactive is accepted (stdin is always\n"
	"                        the caller's)\n"
	"  --init                a tiny init as PID 1\n"
	"  --read-only           the root file system read-only\n"
	"  --cap-add, --cap-drop CAP, --security-opt OPT   passed to isolab-ctr\n"
	"  --vm                  run it as a microVM (isolab-vmm, the image on a virtio disk):\n"
	"                        -m is guest RAM, --cpus whole vCPUs, -i reads stdin to its\n"
	"                        end first; -v, -p, --network, --read-only, --pids-limit,\n"
	"                        --cap-*, --security-opt are refused\n"
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

/* Published ports: at most this many. */
#define RUN_PORTS_MAX 32

struct run_opts {
	bool rm, tty, set_entrypoint;
	bool vm, interactive, network_given;
	const char *memory, *cpus;
	const char *ctr_only; /* the first option given that only a container takes */
	const char *name, *entrypoint, *workdir, *user, *hostname;
	char *envs[256];
	size_t n_envs;
	const char *network;  /* NULL: the default network */
	const char *publish[RUN_PORTS_MAX];
	size_t n_publish;
};

/* A CNI network (not none, not host)? */
static bool on_network(const struct run_opts *o)
{
	return o->network == NULL ||
	       (strcmp(o->network, "none") != 0 && strcmp(o->network, "host") != 0);
}


static void ctr_only(struct run_opts *o, const char *opt)
{
	if (o->ctr_only == NULL)
		o->ctr_only = opt;
}

/* Reads run's options into o and the pass-through ones into a. */
static int parse(struct eng_cli *cli, int argc, char **argv, struct run_opts *o,
		 struct ctr_argv *a)
{
	enum { O_RM = 256, O_NAME, O_ENTRYPOINT, O_CPUS, O_PIDS, O_HOSTNAME, O_NETWORK, O_INIT,
	       O_READONLY, O_CAP_ADD, O_CAP_DROP, O_SECOPT, O_VM };
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
		{ "publish", required_argument, NULL, 'p' }, { "vm", no_argument, NULL, O_VM },
		{ "help", no_argument, NULL, 'h' }, { 0 },
	};
	int c, rc = 0;

	while (rc == 0 && (c = getopt_long(argc, argv, "+e:w:u:v:m:p:tih", opts, NULL)) != -1) {
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
		case 'v': ctr_only(o, "-v"), rc = push2(a, "-v", optarg); break;
		case 'm': o->memory = optarg, rc = push2(a, "--memory", optarg); break;
		case O_CPUS: o->cpus = optarg, rc = push2(a, "--cpus", optarg); break;
		case O_PIDS: ctr_only(o, "--pids-limit"), rc = push2(a, "--pids", optarg); break;
		case O_HOSTNAME: o->hostname = optarg; break;
		case O_NETWORK:
			o->network = optarg, o->network_given = true;
			if (!on_network(o))
				rc = push2(a, "--net", optarg);
			break;
		case 'p':
			if (o->n_publish == RUN_PORTS_MAX)
				return eng_cli_usage(cli, "run", "too many -p");
			o->publish[o->n_publish++] = optarg;
			break;
		case 't': o->tty = true, rc = push(a, "-t"); break;
		case 'i': o->interactive = true; break;
		case O_INIT: rc = push(a, "--init"); break;
		case O_READONLY: ctr_only(o, "--read-only"), rc = push(a, "--read-only"); break;
		case O_CAP_ADD: ctr_only(o, "--cap-add"), rc = push2(a, "--cap-add", optarg); break;
		case O_CAP_DROP: ctr_only(o, "--cap-drop"), rc = push2(a, "--cap-drop", optarg); break;
		case O_SECOPT:
			ctr_only(o, "--security-opt"), rc = push2(a, "--security-opt", optarg);
			break;
		case O_VM: o->vm = true; break;
		case 'h': fputs(run_help, stdout); return ENG_CLI_HELP;
		default: return eng_cli_bad_option(cli, "run", argv, "+e:w:u:v:m:p:tih", opts);
		}
	}
	/* Without --network: ISOLAB_NETWORK, else the default network (as
	 * podman's containers.conf netns= and dockerd's --bridge=none let a
	 * machine choose; the tests that are not about networks say none). */
	if (rc == 0 && o->network == NULL) {
		const char *env = getenv("ISOLAB_NETWORK");

		if (env != NULL && env[0] != '\0') {
			o->network = env;
			if (!on_network(o))
				rc = push2(a, "--net", env);
		}
	}
	if (rc < 0)
		return eng_cli_usage(cli, "run", "too many options");
	if (optind >= argc)
		return eng_cli_usage(cli, "run", "no image given");
	return 0;
}

int eng_run_user(const char *user_opt, const struct eng_image *img, char **layers, size_t n,
		 unsigned *uid, unsigned *gid, struct isolab_error *err)
{
	const char *spec = user_opt ? user_opt : img->config.user ? img->config.user : "";
	_cleanup_free_ char *passwd = NULL, *group = NULL;

	*uid = *gid = 0;
	if (spec[0] == '\0')
		return 0;
	passwd = eng_layers_read_file(layers, n, "etc/passwd", ACCOUNTS_MAX);
	group = eng_layers_read_file(layers, n, "etc/group", ACCOUNTS_MAX);
	if (eng_user_resolve(spec, passwd, group, uid, gid, err) < 0)
		return -EINVAL;
	return 0;
}

/* The user as isolab-ctr takes it (UID:GID), from -u or the image's User. */
static int user_arg(const struct run_opts *o, const struct eng_image *img, char **layers,
		    size_t n, char *buf, size_t size, struct isolab_error *err)
{
	unsigned uid, gid;

	if (eng_run_user(o->user, img, layers, n, &uid, &gid, err) < 0)
		return -EINVAL;
	snprintf(buf, size, "%u:%u", uid, gid);
	return 0;
}

/* Waits for the runtime as docker run does: ^C and ^\ reach the container
 * through isolab-ctr (same terminal), SIGTERM and SIGHUP are passed on;
 * with pass_int (a network run without -t: the engine stays to detach the
 * network, so a SIGINT sent to it alone must reach the container) SIGINT
 * too. */
static pid_t child;

static void pass_on(int sig)
{
	if (child > 0)
		kill(child, sig);
}

void eng_run_signals(pid_t pid, bool pass_int)
{
	struct sigaction sa = { .sa_handler = pass_on }, ign = { .sa_handler = SIG_IGN };

	child = pid;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGINT, pass_int ? &sa : &ign, NULL);
	sigaction(SIGQUIT, &ign, NULL);
}

int eng_run_wait(pid_t pid, bool pass_int)
{
	int st;

	eng_run_signals(pid, pass_int);
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return ENG_EXIT_RUN;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* A network run's part: the network (the default made on first use), its
 * ports reserved, and what the record says of them. Leftovers of killed
 * engines are detached first. */
struct run_net {
	struct eng_network net;
	struct eng_port ports[RUN_PORTS_MAX];
	int port_fds[RUN_PORTS_MAX];
	size_t n_ports;
};

static int net_prepare(struct eng_cli *cli, const struct run_opts *o, struct run_net *nw,
		       struct eng_container *rec)
{
	const char *name = o->network ? o->network : ENG_NETWORK_DEFAULT;
	char spec[64];
	int rc;

	eng_network_cleanup(&cli->store);
	rc = eng_network_get(&cli->store, name, &nw->net, &cli->err);
	if (rc == 0)
		rc = eng_network_reserve_ports(nw->ports, nw->n_ports, nw->port_fds, &cli->err);
	if (rc < 0)
		return rc;
	rec->network = strdup(nw->net.name);
	rec->netns = strdup("");
	rec->hostname = strdup(o->hostname ? o->hostname : rec->name);
	rec->ports = calloc(nw->n_ports + 1, sizeof(*rec->ports));
	for (size_t i = 0; rec->ports != NULL && i < nw->n_ports; i++) {
		eng_port_format(&nw->ports[i], spec, sizeof(spec));
		rec->ports[i] = strdup(spec);
		if (rec->ports[i] == NULL)
			return isolab_error_set(&cli->err, -ENOMEM, "out of memory");
	}
	if (rec->network == NULL || rec->netns == NULL || rec->hostname == NULL ||
	    rec->ports == NULL)
		return isolab_error_set(&cli->err, -ENOMEM, "out of memory");
	rec->pid = getpid(); /* the engine, until the runtime runs */
	return 0;
}

/* isolab-ctr's options for a network run: the namespace to join, and the
 * container's /etc/hosts and /etc/resolv.conf (network.h writes them). */
static int net_args(struct eng_cli *cli, const char *name, struct ctr_argv *a)
{
	char path[PATH_MAX], *v = NULL;

	eng_network_netns_path(&cli->store, name, path);
	if (push2(a, "--netns", own(a, strdup(path))) < 0)
		return -E2BIG;
	eng_container_file_path(&cli->store, name, "hosts", path);
	if (asprintf(&v, "%s:/etc/hosts", path) < 0 || push2(a, "-v", own(a, v)) < 0)
		return -E2BIG;
	eng_container_file_path(&cli->store, name, "resolv.conf", path);
	if (asprintf(&v, "%s:/etc/resolv.conf", path) < 0 || push2(a, "-v", own(a, v)) < 0)
		return -E2BIG;
	return 0;
}

static int prepare(struct eng_cli *cli, struct run_opts *o, char **args, size_t n_args,
		   struct eng_container *rec, struct ctr_argv *a, struct run_net *nw)
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
	if (nw != NULL && net_args(cli, rec->name, a) < 0)
		goto too_long;
	if (push(a, "--") < 0)
		goto too_long;
	for (size_t i = 0; i < n_argv; i++)
		if (push(a, argv[i]) < 0)
			goto too_long;
	/* The record: what ps shows, and what keeps the image from rmi and gc. */
	eng_container_prune_rm(&cli->store);
	if (nw != NULL && (rc = net_prepare(cli, o, nw, rec)) < 0)
		goto out;
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

/* Ends a network run: the ports, CNI DEL, the namespace, the hosts of
 * its peers; then the record (gone with --rm). The store is locked. */
static void net_finish(struct eng_cli *cli, struct run_net *nw, struct eng_container *rec)
{
	struct isolab_error e = { 0 };

	for (size_t i = 0; i < nw->n_ports; i++)
		if (nw->port_fds[i] >= 0)
			close(nw->port_fds[i]), nw->port_fds[i] = -1;
	eng_network_detach(&cli->store, rec, &e);
	if (rec->rm)
		eng_container_remove(&cli->store, rec->name, &e);
	else
		eng_container_save(&cli->store, rec, &e);
	eng_network_hosts_update(&cli->store, rec, &e); /* the peers forget it */
}

/* Runs isolab-ctr as a child and waits (the store unlocked meanwhile);
 * its status, as run reports it. */
static int run_child(struct eng_cli *cli, const char *ctr, struct ctr_argv *a,
		     struct eng_container *rec, bool pass_int)
{
	pid_t pid = fork();

	if (pid < 0)
		return isolab_error_errno(&cli->err, -errno, "run: fork");
	if (pid == 0) {
		execv(ctr, a->v);
		fprintf(stderr, "isolab: run: exec `%s`: %s\n", ctr, strerror(errno));
		_exit(ENG_EXIT_RUN);
	}
	rec->pid = pid;
	eng_container_save(&cli->store, rec, &cli->err);
	/* The lock is not held while the container runs. */
	eng_store_close(&cli->store);
	cli->store_open = false;
	return eng_run_wait(pid, pass_int);
}

/* --vm: what a VM cannot take yet is refused in one line; the rest is
 * vm_run.c's. */
static int run_vm(struct eng_cli *cli, struct run_opts *o, int argc, char **argv)
{
	struct eng_vm_request rq = {
		.image = argv[optind],
		.ov = { o->set_entrypoint, o->entrypoint, argv + optind + 1,
			(size_t)(argc - optind - 1) },
		.env = { o->envs, o->n_envs, environ, NULL, o->tty },
		.workdir = o->workdir, .user = o->user, .name = o->name, .hostname = o->hostname,
		.memory = o->memory, .cpus = o->cpus, .interactive = o->interactive, .tty = o->tty,
	};

	if (o->ctr_only != NULL && strcmp(o->ctr_only, "-v") == 0)
		isolab_error_set(&cli->err, -EINVAL, "run --vm: -v: not supported for a VM yet "
				 "(the guest shares no host directory)");
	else if (o->n_publish > 0)
		isolab_error_set(&cli->err, -EINVAL, "run --vm: -p: not supported for a VM yet "
				 "(the VM has no network)");
	else if (o->network_given && strcmp(o->network, "none") != 0)
		isolab_error_set(&cli->err, -EINVAL, "run --vm: --network %s: not supported for a "
				 "VM yet (the VM has no network; only none)", o->network);
	else if (o->ctr_only != NULL)
		isolab_error_set(&cli->err, -EINVAL, "run --vm: %s: a container option, not "
				 "supported for a VM", o->ctr_only);
	else
		return eng_vm_run(cli, &rq);
	return eng_cli_fail(cli, ENG_EXIT_RUN);
}

int cmd_run(struct eng_cli *cli, int argc, char **argv)
{
	struct run_opts o = { 0 };
	struct ctr_argv pass = { .n = 0 }, a = { .n = 0 };
	struct eng_container rec = { .exit_code = -1 };
	struct run_net net_storage, *nw = NULL;
	char created[64], ctr[PATH_MAX], name[ENG_CONTAINER_NAME_MAX + 1];
	int rc, status;

	rc = parse(cli, argc, argv, &o, &pass);
	if (rc != 0)
		return rc == ENG_CLI_HELP ? 0 : (cli->error_status = ENG_EXIT_RUN);
	if (o.name != NULL && eng_container_name_check(o.name, &cli->err) < 0)
		return eng_cli_fail(cli, ENG_EXIT_RUN);
	if (o.vm)
		return run_vm(cli, &o, argc, argv);
	if (on_network(&o)) {
		/* checked before the store is touched: nothing to undo */
		nw = &net_storage;
		memset(nw, 0, sizeof(*nw));
		if (o.network != NULL && eng_network_name_check(o.network, &cli->err) < 0)
			return eng_cli_fail(cli, ENG_EXIT_RUN);
		for (size_t i = 0; i < o.n_publish; i++) {
			nw->port_fds[i] = -1;
			if (eng_port_parse(o.publish[i], &nw->ports[i], &cli->err) < 0)
				return eng_cli_fail(cli, ENG_EXIT_RUN);
		}
		nw->n_ports = o.n_publish;
	} else if (o.n_publish > 0) {
		isolab_error_set(&cli->err, -EINVAL, "run: -p needs a network, not --network %s",
				 o.network);
		return eng_cli_fail(cli, ENG_EXIT_RUN);
	}
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
	rc = prepare(cli, &o, argv + optind + 1, (size_t)(argc - optind - 1), &rec, &a, nw);
	if (rc == 0 && nw != NULL) {
		rc = eng_network_attach(&cli->store, &nw->net, &rec, nw->ports, nw->n_ports,
					&cli->err);
		if (rc == 0)
			rc = eng_network_hosts_update(&cli->store, &rec, &cli->err);
		if (rc < 0) {
			struct isolab_error e = { 0 };

			eng_network_detach(&cli->store, &rec, &e);
			eng_container_remove(&cli->store, rec.name, &e);
		}
	}
	if (rc < 0) {
		for (size_t i = 0; nw != NULL && i < nw->n_ports; i++)
			if (nw->port_fds[i] >= 0)
				close(nw->port_fds[i]);
		eng_container_free(&rec);
		ctr_argv_free(&a);
		return eng_cli_fail(cli, ENG_EXIT_RUN);
	}
	fflush(NULL);
	if (o.rm && nw == NULL) {
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
	status = run_child(cli, ctr, &a, &rec, nw != NULL && !o.tty);
	if (status < 0) {
		if (nw != NULL)
			net_finish(cli, nw, &rec);
		else
			eng_container_remove(&cli->store, rec.name, NULL);
		eng_container_free(&rec);
		ctr_argv_free(&a);
		return eng_cli_fail(cli, ENG_EXIT_RUN);
	}
	rec.exit_code = status;
	if (eng_cli_store(cli, true) == 0) {
		if (nw != NULL)
			net_finish(cli, nw, &rec);
		else
			eng_container_save(&cli->store, &rec, &cli->err);
	}
	eng_container_free(&rec);
	ctr_argv_free(&a);
	cli->err.msg[0] = '\0'; /* the runtime has said what went wrong */
	return status;
}
