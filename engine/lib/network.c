/* network.c: networks in the store, network namespaces, and the CNI
 * plugins run by their protocol (see network.h; the pure part is
 * network_config.c). */
#include "engine/lib/network.h"
#include "common/cleanup.h"
#include "common/jsonfile.h"
#include "common/mkdir.h"
#include "common/rmtree.h"
#include "common/safe_open.h"
#include "container/exec_cmd.h" /* CTR_DEFAULT_PATH: one default PATH */

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* A conflist, a plugin's output, a kept result: at most this much. */
#define CNI_TEXT_MAX (1u << 20)
/* The PATH plugins see (portmap and firewall run iptables): the default one. */
static char cni_plugin_env_path[] = "PATH=" CTR_DEFAULT_PATH;

static void conflist_path(const struct eng_store *s, const char *name, char *buf)
{
	char rel[64];

	snprintf(rel, sizeof(rel), "networks/%s.conflist", name);
	eng_store_path(s, rel, buf);
}

void eng_network_netns_path(const struct eng_store *s, const char *ctr_name, char *buf)
{
	char rel[96];

	snprintf(rel, sizeof(rel), "netns/%s", ctr_name);
	eng_store_path(s, rel, buf);
}

int eng_network_load(const struct eng_store *s, const char *name, struct eng_network *out,
		     struct isolab_error *err)
{
	_cleanup_free_ char *text = NULL;
	char path[PATH_MAX];
	size_t len;
	int rc = eng_network_name_check(name, err);

	if (rc < 0)
		return rc;
	conflist_path(s, name, path);
	rc = isolab_read_regular(path, CNI_TEXT_MAX, &text, &len, err);
	if (rc == -ENOENT)
		return isolab_error_set(err, -ENOENT, "network `%s` not found", name);
	if (rc < 0)
		return rc;
	return eng_network_conflist_parse(text, path, out, err);
}

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct eng_network *)a)->name, ((const struct eng_network *)b)->name);
}

int eng_network_list(const struct eng_store *s, struct eng_network **out, size_t *n,
		     struct isolab_error *err)
{
	char path[PATH_MAX];
	struct eng_network *list = NULL;
	size_t count = 0;
	struct dirent *de;
	DIR *dir;

	*out = NULL;
	*n = 0;
	eng_store_path(s, "networks", path);
	dir = opendir(path);
	if (dir == NULL)
		return errno == ENOENT ? 0 : isolab_error_errno(err, -errno, "opendir `%s`", path);
	while ((de = readdir(dir)) != NULL) {
		size_t len = strlen(de->d_name);
		char name[ENG_NETWORK_NAME_MAX + 1];
		struct eng_network net, *grown;
		struct isolab_error e = { 0 };

		if (len <= 9 || len - 9 > ENG_NETWORK_NAME_MAX ||
		    strcmp(de->d_name + len - 9, ".conflist") != 0)
			continue;
		snprintf(name, sizeof(name), "%.*s", (int)(len - 9), de->d_name);
		if (eng_network_load(s, name, &net, &e) < 0)
			continue;
		grown = realloc(list, (count + 1) * sizeof(*list));
		if (grown == NULL) {
			closedir(dir);
			free(list);
			return isolab_error_set(err, -ENOMEM, "out of memory");
		}
		list = grown;
		list[count++] = net;
	}
	closedir(dir);
	if (count > 1)
		qsort(list, count, sizeof(*list), by_name);
	*out = list;
	*n = count;
	return 0;
}

/* An interface's IPv4 network (address & mask), if it has one. */
static bool ifaddr_subnet(const struct ifaddrs *it, struct eng_subnet *out)
{
	uint32_t mask;

	if (it->ifa_addr == NULL || it->ifa_addr->sa_family != AF_INET || it->ifa_netmask == NULL)
		return false;
	mask = ntohl(((const struct sockaddr_in *)(const void *)it->ifa_netmask)->sin_addr.s_addr);
	out->addr = ntohl(((const struct sockaddr_in *)(const void *)it->ifa_addr)->sin_addr.s_addr) &
		    mask;
	out->prefix = (unsigned)__builtin_popcount(mask);
	return true;
}

/* Is subnet free? Not another network of the store's, not on a host
 * interface (docker's check). -EEXIST naming what it overlaps. */
static int subnet_free(const struct eng_subnet *want, const struct eng_network *nets, size_t n,
		       struct isolab_error *err)
{
	struct ifaddrs *ifs = NULL;
	char a[32], b[32];
	int rc = 0;

	eng_subnet_format(want, a, sizeof(a));
	for (size_t i = 0; i < n; i++) {
		if (eng_subnet_overlaps(want, &nets[i].subnet)) {
			eng_subnet_format(&nets[i].subnet, b, sizeof(b));
			return isolab_error_set(err, -EEXIST, "subnet `%s` overlaps network `%s` "
						"(%s)", a, nets[i].name, b);
		}
	}
	if (getifaddrs(&ifs) < 0)
		return isolab_error_errno(err, -errno, "getifaddrs");
	for (struct ifaddrs *it = ifs; it != NULL && rc == 0; it = it->ifa_next) {
		struct eng_subnet have;

		if (ifaddr_subnet(it, &have) && eng_subnet_overlaps(want, &have)) {
			eng_subnet_format(&have, b, sizeof(b));
			rc = isolab_error_set(err, -EEXIST, "subnet `%s` overlaps %s of interface "
					      "`%s`", a, b, it->ifa_name);
		}
	}
	freeifaddrs(ifs);
	return rc;
}

/* The first /16 of the pool that overlaps no network of the store and no
 * address of the host's interfaces. */
static int subnet_pick(const struct eng_network *nets, size_t n, struct eng_subnet *out,
		       struct isolab_error *err)
{
	struct eng_subnet *used;
	struct ifaddrs *ifs = NULL;
	size_t count = n, k = 0;
	int rc;

	if (getifaddrs(&ifs) < 0)
		return isolab_error_errno(err, -errno, "getifaddrs");
	for (struct ifaddrs *it = ifs; it != NULL; it = it->ifa_next)
		count++;
	used = calloc(count + 1, sizeof(*used));
	if (used == NULL) {
		freeifaddrs(ifs);
		return isolab_error_set(err, -ENOMEM, "out of memory");
	}
	for (size_t i = 0; i < n; i++)
		used[k++] = nets[i].subnet;
	for (struct ifaddrs *it = ifs; it != NULL; it = it->ifa_next)
		if (ifaddr_subnet(it, &used[k]))
			k++;
	freeifaddrs(ifs);
	rc = eng_subnet_pick(used, k, out, err);
	free(used);
	return rc;
}

int eng_network_create(const struct eng_store *s, const char *name, const char *subnet,
		       struct eng_network *out, struct isolab_error *err)
{
	struct eng_network *nets = NULL;
	_cleanup_free_ char *text = NULL;
	char path[PATH_MAX], ipam[PATH_MAX];
	size_t n = 0;
	int rc = eng_network_name_check(name, err);

	if (rc < 0)
		return rc;
	memset(out, 0, sizeof(*out));
	snprintf(out->name, sizeof(out->name), "%s", name);
	if (strcmp(name, "none") == 0 || strcmp(name, "host") == 0)
		return isolab_error_set(err, -EINVAL, "network name `%s`: reserved", name);
	conflist_path(s, name, path);
	if (access(path, F_OK) == 0)
		return isolab_error_set(err, -EEXIST, "network `%s` already exists", name);
	rc = eng_network_list(s, &nets, &n, err);
	if (rc < 0)
		return rc;
	if (subnet != NULL) {
		rc = eng_subnet_parse(subnet, &out->subnet, err);
		if (rc == 0)
			rc = subnet_free(&out->subnet, nets, n, err);
	} else {
		rc = subnet_pick(nets, n, &out->subnet, err);
	}
	free(nets);
	if (rc < 0)
		return rc;
	eng_network_bridge_name(s->root, name, out->bridge, sizeof(out->bridge));
	eng_store_path(s, "networks/ipam", ipam);
	rc = isolab_mkdir_p(ipam, 0700);
	if (rc < 0)
		return isolab_error_errno(err, rc, "mkdir `%s`", ipam);
	text = eng_network_conflist(out, ipam);
	if (text == NULL)
		return isolab_error_set(err, -ENOMEM, "out of memory");
	return isolab_text_write_atomic(path, text, err);
}

int eng_network_get(const struct eng_store *s, const char *name, struct eng_network *out,
		    struct isolab_error *err)
{
	int rc = eng_network_load(s, name, out, err);

	if (rc == -ENOENT && strcmp(name, ENG_NETWORK_DEFAULT) == 0)
		rc = eng_network_create(s, name, NULL, out, err);
	return rc;
}

/* The bridge down and deleted (SIOCBRDELBR, as brctl delbr): the bridge
 * plugin makes it on the first ADD and never removes it. */
static int bridge_delete(const char *bridge, struct isolab_error *err)
{
	_cleanup_close_ int fd = socket(AF_LOCAL, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct ifreq ifr;

	if (fd < 0)
		return isolab_error_errno(err, -errno, "bridge `%s`: socket", bridge);
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", bridge);
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0)
		return errno == ENODEV ? 0 : isolab_error_errno(err, -errno, "bridge `%s`", bridge);
	ifr.ifr_flags &= (short)~IFF_UP;
	if (ioctl(fd, SIOCSIFFLAGS, &ifr) < 0)
		return isolab_error_errno(err, -errno, "bridge `%s`: set it down", bridge);
	if (ioctl(fd, SIOCBRDELBR, bridge) < 0 && errno != ENXIO)
		return isolab_error_errno(err, -errno, "bridge `%s`: delete", bridge);
	return 0;
}

/* Does a container other than `except` hold an attachment to the network
 * (running or left by a killed engine)? */
static bool network_in_use(const struct eng_store *s, const char *network, const char *except)
{
	struct eng_container *list = NULL;
	struct isolab_error e = { 0 };
	size_t n = 0;
	bool used = false;

	if (eng_container_list(s, &list, &n, &e) < 0)
		return true;
	for (size_t i = 0; i < n && !used; i++)
		used = strcmp(list[i].name, except) != 0 && list[i].network != NULL &&
		       strcmp(list[i].network, network) == 0 && list[i].netns != NULL &&
		       list[i].netns[0] != '\0';
	eng_container_list_free(list, n);
	return used;
}

int eng_network_remove(const struct eng_store *s, const char *name, struct isolab_error *err)
{
	struct eng_container *list = NULL;
	struct eng_network net;
	char path[PATH_MAX], rel[64];
	size_t n = 0;
	int rc = eng_network_load(s, name, &net, err);

	if (rc < 0)
		return rc;
	eng_network_cleanup(s);
	rc = eng_container_list(s, &list, &n, err);
	for (size_t i = 0; rc == 0 && i < n; i++)
		if (list[i].network != NULL && strcmp(list[i].network, name) == 0 &&
		    list[i].netns != NULL && list[i].netns[0] != '\0')
			rc = isolab_error_set(err, -EBUSY, "network `%s` is in use by container "
					      "`%s`", name, list[i].name);
	eng_container_list_free(list, n);
	if (rc < 0)
		return rc;
	rc = bridge_delete(net.bridge, err);
	if (rc < 0)
		return rc;
	snprintf(rel, sizeof(rel), "networks/ipam/%s", name);
	eng_store_path(s, rel, path);
	isolab_rm_rf(path);
	conflist_path(s, name, path);
	if (unlink(path) < 0)
		return isolab_error_errno(err, -errno, "remove `%s`", path);
	return 0;
}

int eng_network_reserve_ports(const struct eng_port *ports, size_t n, int *fds,
			      struct isolab_error *err)
{
	for (size_t i = 0; i < n; i++)
		fds[i] = -1;
	for (size_t i = 0; i < n; i++) {
		struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(ports[i].host_port) };
		int one = 1;

		inet_pton(AF_INET, ports[i].host_ip, &sa.sin_addr);
		fds[i] = socket(AF_INET, (ports[i].udp ? SOCK_DGRAM : SOCK_STREAM) | SOCK_CLOEXEC, 0);
		if (fds[i] < 0)
			return isolab_error_errno(err, -errno, "port %s:%u: socket", ports[i].host_ip,
						  ports[i].host_port);
		/* TCP: TIME_WAIT from earlier connections does not count, a
		 * listener (a server, another container's reservation) does. */
		if (!ports[i].udp)
			setsockopt(fds[i], SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (bind(fds[i], (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
		    (!ports[i].udp && listen(fds[i], 1) < 0)) {
			int e = errno;

			for (size_t j = 0; j <= i; j++)
				close(fds[j]), fds[j] = -1;
			return e == EADDRINUSE
				? isolab_error_set(err, -EADDRINUSE, "port %s:%u/%s is already in use",
						   ports[i].host_ip, ports[i].host_port,
						   ports[i].udp ? "udp" : "tcp")
				: isolab_error_errno(err, -e, "port %s:%u: bind", ports[i].host_ip,
						     ports[i].host_port);
		}
	}
	return 0;
}

/* The plugin `type` in $ISOLAB_CNI_PATH (or /usr/lib/cni). */
static int plugin_find(const char *type, char *buf, size_t size, const char **cni_path,
		       struct isolab_error *err)
{
	const char *path = getenv(ENG_CNI_PATH_ENV);

	if (path == NULL || path[0] == '\0')
		path = ENG_CNI_PATH_DEFAULT;
	*cni_path = path;
	if (strchr(type, '/') != NULL || type[0] == '.' || type[0] == '\0')
		return isolab_error_set(err, -EINVAL, "CNI plugin `%.40s`: not a plugin name", type);
	for (const char *p = path; *p != '\0';) {
		size_t len = strcspn(p, ":");

		snprintf(buf, size, "%.*s/%s", (int)len, p, type);
		if (len > 0 && access(buf, X_OK) == 0)
			return 0;
		p += len + (p[len] == ':');
	}
	return isolab_error_set(err, -ENOENT, "CNI plugin `%s` not found in %s", type, path);
}

/* Reads fd to its end into a malloc'd string (at most CNI_TEXT_MAX). */
static char *read_all(int fd)
{
	size_t len = 0, cap = 4096;
	char *buf = malloc(cap), *grown;
	ssize_t r;

	if (buf == NULL)
		return NULL;
	for (;;) {
		if (len + 1 == cap) {
			if (cap >= CNI_TEXT_MAX)
				break;
			grown = realloc(buf, cap *= 2);
			if (grown == NULL) {
				free(buf);
				return NULL;
			}
			buf = grown;
		}
		r = read(fd, buf + len, cap - 1 - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		len += (size_t)r;
	}
	buf[len] = '\0';
	return buf;
}

struct cni_call {
	const char *command;   /* ADD, DEL */
	const char *id;        /* CNI_CONTAINERID */
	const char *netns;     /* CNI_NETNS */
	const char *ifname;    /* CNI_IFNAME */
};

/* Runs one plugin (SPEC.md, "Execution Protocol"): conf on stdin, the
 * result from stdout into *out (malloc'd). A failure is the plugin's own
 * error message: "CNI ADD `bridge`: MSG". */
static int plugin_run(const struct cni_call *call, const char *type, const char *conf,
		      char **out, struct isolab_error *err)
{
	char exe[PATH_MAX], e_cmd[32], e_id[160], e_ns[PATH_MAX + 16], e_if[32],
		e_path[PATH_MAX + 16], msg[400];
	const char *cni_path;
	int in[2], outp[2], st = 0, rc;
	pid_t pid;
	char *output;
	size_t len = strlen(conf);

	*out = NULL;
	rc = plugin_find(type, exe, sizeof(exe), &cni_path, err);
	if (rc < 0)
		return isolab_error_wrap(err, "CNI %s", call->command);
	snprintf(e_cmd, sizeof(e_cmd), "CNI_COMMAND=%s", call->command);
	snprintf(e_id, sizeof(e_id), "CNI_CONTAINERID=%s", call->id);
	snprintf(e_ns, sizeof(e_ns), "CNI_NETNS=%s", call->netns);
	snprintf(e_if, sizeof(e_if), "CNI_IFNAME=%s", call->ifname);
	snprintf(e_path, sizeof(e_path), "CNI_PATH=%s", cni_path);
	if (pipe2(in, O_CLOEXEC) < 0)
		return isolab_error_errno(err, -errno, "CNI %s `%s`: pipe", call->command, type);
	if (pipe2(outp, O_CLOEXEC) < 0) {
		rc = -errno;
		close(in[0]), close(in[1]);
		return isolab_error_errno(err, rc, "CNI %s `%s`: pipe", call->command, type);
	}
	pid = fork();
	if (pid == 0) {
		char *argv[] = { exe, NULL };
		char *envp[] = { e_cmd, e_id, e_ns, e_if, e_path, cni_plugin_env_path, NULL };
		int null = open("/dev/null", O_WRONLY | O_CLOEXEC);

		if (dup2(in[0], 0) < 0 || dup2(outp[1], 1) < 0 || (null >= 0 && dup2(null, 2) < 0))
			_exit(127);
		execve(exe, argv, envp);
		_exit(127);
	}
	rc = pid < 0 ? -errno : 0;
	close(in[0]);
	close(outp[1]);
	if (rc < 0) {
		close(in[1]), close(outp[0]);
		return isolab_error_errno(err, rc, "CNI %s `%s`: fork", call->command, type);
	}
	/* The configuration is small (a pipe holds 64 KiB) and plugins read
	 * all of it before they write. */
	for (size_t done = 0; done < len;) {
		ssize_t w = write(in[1], conf + done, len - done);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		done += (size_t)w;
	}
	close(in[1]);
	output = read_all(outp[0]);
	close(outp[0]);
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		if (WIFEXITED(st) && WEXITSTATUS(st) == 127 && (output == NULL || output[0] == '\0'))
			snprintf(msg, sizeof(msg), "could not run `%.300s`", exe);
		else
			eng_cni_error_message(output ? output : "", msg, sizeof(msg));
		free(output);
		return isolab_error_set(err, -EIO, "CNI %s `%s`: %s", call->command, type, msg);
	}
	if (output == NULL)
		return isolab_error_set(err, -ENOMEM, "out of memory");
	*out = output;
	return 0;
}

/* One plugin's configuration in a list (SPEC.md, "Network Configuration
 * Lists"): the plugin's object with the list's name and cniVersion, the
 * previous result, and the runtime's capability arguments. */
static char *plugin_conf(const cJSON *list, const cJSON *plugin, const char *prev,
			 const cJSON *mappings)
{
	cJSON *c = cJSON_Duplicate(plugin, true), *caps;
	char *text;

	if (c == NULL)
		return NULL;
	cJSON_AddItemToObject(c, "cniVersion", cJSON_Duplicate(
		cJSON_GetObjectItemCaseSensitive(list, "cniVersion"), true));
	cJSON_AddItemToObject(c, "name", cJSON_Duplicate(
		cJSON_GetObjectItemCaseSensitive(list, "name"), true));
	if (prev != NULL && prev[0] != '\0') {
		cJSON *p = cJSON_Parse(prev);

		if (p != NULL)
			cJSON_AddItemToObject(c, "prevResult", p);
	}
	caps = cJSON_GetObjectItemCaseSensitive(plugin, "capabilities");
	if (mappings != NULL && cJSON_GetArraySize(mappings) > 0 &&
	    cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(caps, "portMappings"))) {
		cJSON *rt = cJSON_AddObjectToObject(c, "runtimeConfig");

		cJSON_AddItemToObject(rt, "portMappings", cJSON_Duplicate(mappings, true));
	}
	text = cJSON_PrintUnformatted(c);
	cJSON_Delete(c);
	return text;
}

/* ADD: each plugin of the list in order, each given the previous result;
 * the last result in *result. DEL: backwards, each given prev (the kept
 * ADD result, if any); goes on past failures, returns the first. */
static int chain_run(const struct eng_network *n, const char *conflist, const struct cni_call *call,
		     const cJSON *mappings, const char *prev, char **result, struct isolab_error *err)
{
	cJSON *list = cJSON_Parse(conflist);
	const cJSON *plugins = cJSON_GetObjectItemCaseSensitive(list, "plugins");
	bool add = strcmp(call->command, "ADD") == 0;
	int count = cJSON_GetArraySize(plugins), rc = 0;
	char *last = NULL;

	if (list == NULL || count == 0) {
		cJSON_Delete(list);
		return isolab_error_set(err, -EINVAL, "network `%s`: its conflist has no plugins",
					n->name);
	}
	for (int k = 0; k < count; k++) {
		const cJSON *p = cJSON_GetArrayItem(plugins, add ? k : count - 1 - k);
		const cJSON *type = cJSON_GetObjectItemCaseSensitive(p, "type");
		_cleanup_free_ char *conf = plugin_conf(list, p, add ? last : prev, mappings);
		struct isolab_error e = { 0 };
		char *out = NULL;
		int r;

		if (!cJSON_IsString(type) || conf == NULL) {
			r = isolab_error_set(&e, -EINVAL, "a plugin without a type");
		} else {
			r = plugin_run(call, type->valuestring, conf, &out, &e);
		}
		if (r < 0) {
			if (rc == 0) {
				rc = r;
				isolab_error_set(err, r, "network `%s`: %s", n->name, e.msg);
			}
			if (add)
				break;
			continue;
		}
		if (add) {
			free(last);
			last = out;
		} else {
			free(out);
		}
	}
	cJSON_Delete(list);
	if (rc == 0 && result != NULL)
		*result = last, last = NULL;
	free(last);
	return rc;
}

static int netns_make(const char *path, struct isolab_error *err)
{
	char dir[PATH_MAX];
	int fd, st = 0, rc;
	pid_t pid;

	snprintf(dir, sizeof(dir), "%s", path);
	*strrchr(dir, '/') = '\0';
	rc = isolab_mkdir_p(dir, 0755);
	if (rc < 0)
		return isolab_error_errno(err, rc, "mkdir `%s`", dir);
	fd = open(path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0444);
	if (fd < 0)
		return isolab_error_errno(err, -errno, "network namespace `%s`: create", path);
	close(fd);
	/* A child makes the namespace and bind-mounts it (as `ip netns add`):
	 * the mount is in the engine's mount namespace, the child goes. */
	pid = fork();
	if (pid == 0) {
		if (unshare(CLONE_NEWNET) < 0)
			_exit(1);
		if (mount("/proc/self/ns/net", path, NULL, MS_BIND, NULL) < 0)
			_exit(2);
		_exit(0);
	}
	if (pid < 0) {
		rc = isolab_error_errno(err, -errno, "network namespace: fork");
		unlink(path);
		return rc;
	}
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		unlink(path);
		return isolab_error_set(err, -EPERM, "network namespace `%s`: %s failed", path,
					WIFEXITED(st) && WEXITSTATUS(st) == 1 ? "unshare" : "bind mount");
	}
	return 0;
}

static void netns_remove(const char *path)
{
	umount2(path, MNT_DETACH);
	unlink(path);
}

static int ports_of(const struct eng_container *c, struct eng_port **out, size_t *n)
{
	size_t count = 0;

	*out = NULL;
	*n = 0;
	while (c->ports != NULL && c->ports[count] != NULL)
		count++;
	if (count == 0)
		return 0;
	*out = calloc(count, sizeof(**out));
	if (*out == NULL)
		return -ENOMEM;
	for (size_t i = 0; i < count; i++) {
		struct isolab_error e = { 0 };

		if (eng_port_parse(c->ports[i], &(*out)[*n], &e) == 0)
			(*n)++;
	}
	return 0;
}

static int replace_str(char **field, const char *value)
{
	char *s = strdup(value);

	if (s == NULL)
		return -ENOMEM;
	free(*field);
	*field = s;
	return 0;
}

int eng_network_attach(const struct eng_store *s, const struct eng_network *n,
		       struct eng_container *c, const struct eng_port *ports, size_t n_ports,
		       struct isolab_error *err)
{
	_cleanup_free_ char *conflist = NULL, *result = NULL, *lo = NULL;
	char path[PATH_MAX], file[PATH_MAX], id[128], ip[INET_ADDRSTRLEN];
	struct cni_call call = { "ADD", id, path, ENG_CNI_IFNAME };
	cJSON *mappings = NULL;
	size_t len;
	int rc;

	conflist_path(s, n->name, file);
	rc = isolab_read_regular(file, CNI_TEXT_MAX, &conflist, &len, err);
	if (rc < 0)
		return rc;
	eng_network_netns_path(s, c->name, path);
	eng_network_container_id(s->root, c->name, id, sizeof(id));
	/* Recorded first: an engine killed from here on leaves a record that
	 * eng_network_cleanup() finds. */
	if (replace_str(&c->netns, path) < 0)
		return isolab_error_set(err, -ENOMEM, "out of memory");
	rc = eng_container_save(s, c, err);
	if (rc == 0)
		rc = netns_make(path, err);
	if (rc < 0) {
		replace_str(&c->netns, "");
		eng_container_save(s, c, NULL);
		return rc;
	}
	/* lo up through the loopback plugin, on its own (as containerd) */
	if (asprintf(&lo, "{\"cniVersion\":\"%s\",\"name\":\"lo\",\"type\":\"loopback\"}",
		     ENG_CNI_VERSION) < 0) {
		lo = NULL;
		rc = isolab_error_set(err, -ENOMEM, "out of memory");
	} else {
		char *out = NULL;
		struct cni_call lo_call = { "ADD", id, path, "lo" };

		rc = plugin_run(&lo_call, "loopback", lo, &out, err);
		free(out);
		if (rc < 0)
			isolab_error_wrap(err, "network `%s`", n->name);
	}
	if (rc == 0) {
		mappings = eng_port_mappings_json(ports, n_ports);
		rc = chain_run(n, conflist, &call, mappings, NULL, &result, err);
		cJSON_Delete(mappings);
	}
	if (rc == 0)
		rc = eng_cni_result_ip(result, ip, sizeof(ip), err);
	if (rc == 0) {
		eng_container_file_path(s, c->name, "cni-result.json", file);
		rc = isolab_text_write_atomic(file, result, err);
	}
	if (rc == 0 && replace_str(&c->ip, ip) < 0)
		rc = isolab_error_set(err, -ENOMEM, "out of memory");
	if (rc == 0)
		rc = eng_container_save(s, c, err);
	if (rc < 0)
		eng_network_detach(s, c, NULL); /* what was done, undone */
	return rc;
}

int eng_network_detach(const struct eng_store *s, struct eng_container *c,
		       struct isolab_error *err)
{
	_cleanup_free_ char *conflist = NULL, *prev = NULL;
	_cleanup_free_ struct eng_port *ports = NULL;
	char file[PATH_MAX], id[128];
	struct cni_call call = { "DEL", id, c->netns ? c->netns : "", ENG_CNI_IFNAME };
	struct eng_network n = { .name = "" };
	struct isolab_error e = { 0 };
	size_t len, n_ports = 0;
	int rc = 0;

	if (c->netns == NULL || c->netns[0] == '\0')
		return 0;
	eng_network_container_id(s->root, c->name, id, sizeof(id));
	eng_container_file_path(s, c->name, "cni-result.json", file);
	isolab_read_regular(file, CNI_TEXT_MAX, &prev, &len, &e);
	if (c->network != NULL && eng_network_load(s, c->network, &n, &e) == 0) {
		char path[PATH_MAX];

		conflist_path(s, n.name, path);
		rc = isolab_read_regular(path, CNI_TEXT_MAX, &conflist, &len, err);
		if (rc == 0 && ports_of(c, &ports, &n_ports) < 0)
			rc = isolab_error_set(err, -ENOMEM, "out of memory");
		if (rc == 0) {
			cJSON *mappings = eng_port_mappings_json(ports, n_ports);

			rc = chain_run(&n, conflist, &call, mappings, prev, NULL, err);
			cJSON_Delete(mappings);
		}
	} else {
		rc = isolab_error_set(err, -ENOENT, "container `%s`: network `%s` is gone: its "
				      "plugins cannot be run", c->name, c->network ? c->network : "");
	}
	unlink(file);
	netns_remove(c->netns);
	replace_str(&c->netns, "");
	replace_str(&c->ip, "");
	if (n.bridge[0] != '\0' && !network_in_use(s, c->network, c->name)) {
		struct isolab_error e2 = { 0 };
		int r = bridge_delete(n.bridge, &e2);

		if (rc == 0 && r < 0)
			rc = isolab_error_set(err, r, "%s", e2.msg);
	}
	return rc;
}

/* Writes text into path: in place when it exists (a bind mount of it in
 * a running container sees the new text), else a new file. */
static int write_file(const char *path, const char *text, bool create, struct isolab_error *err)
{
	_cleanup_close_ int fd = open(path, O_WRONLY | O_TRUNC | O_NOFOLLOW | O_CLOEXEC |
					    (create ? O_CREAT : 0), 0644);
	size_t len = strlen(text);

	if (fd < 0)
		return create ? isolab_error_errno(err, -errno, "write `%s`", path) : 0;
	if (write(fd, text, len) != (ssize_t)len)
		return isolab_error_errno(err, -EIO, "write `%s`", path);
	return 0;
}

static bool attached(const struct eng_container *c)
{
	return c->netns != NULL && c->netns[0] != '\0' && c->ip != NULL && c->ip[0] != '\0';
}

/* The hosts file of list[self]: its peers are the others attached to its
 * network and running (or `also`, the container starting now). */
static int hosts_write(const struct eng_store *s, const struct eng_container *self,
		       const struct eng_container *list, size_t n, bool create,
		       struct isolab_error *err)
{
	struct eng_host_entry *peers = calloc(n + 1, sizeof(*peers));
	_cleanup_free_ char *text = NULL;
	struct eng_host_entry me = { self->ip, self->name };
	char path[PATH_MAX];
	size_t k = 0;

	if (peers == NULL)
		return isolab_error_set(err, -ENOMEM, "out of memory");
	for (size_t i = 0; i < n; i++) {
		if (strcmp(list[i].name, self->name) == 0 || !attached(&list[i]) ||
		    strcmp(list[i].network, self->network) != 0 || !eng_container_running(&list[i]))
			continue;
		peers[k++] = (struct eng_host_entry){ list[i].ip, list[i].name };
	}
	text = eng_hosts_file(&me, self->hostname && self->hostname[0] ? self->hostname : self->name,
			      peers, k);
	free(peers);
	if (text == NULL)
		return isolab_error_set(err, -ENOMEM, "out of memory");
	eng_container_file_path(s, self->name, "hosts", path);
	return write_file(path, text, create, err);
}

int eng_network_hosts_update(const struct eng_store *s, const struct eng_container *c,
			     struct isolab_error *err)
{
	struct eng_container *list = NULL;
	size_t n = 0;
	int rc;

	rc = eng_container_list(s, &list, &n, err);
	if (rc < 0)
		return rc;
	if (attached(c)) {
		_cleanup_free_ char *resolv = NULL;
		char path[PATH_MAX], *host = NULL;
		size_t len;
		struct isolab_error e = { 0 };

		rc = hosts_write(s, c, list, n, true, err);
		if (isolab_read_regular("/etc/resolv.conf", 1 << 16, &host, &len, &e) < 0)
			resolv = eng_resolv_conf("");
		else
			resolv = eng_resolv_conf(host);
		free(host);
		eng_container_file_path(s, c->name, "resolv.conf", path);
		if (rc == 0)
			rc = resolv ? write_file(path, resolv, true, err)
				    : isolab_error_set(err, -ENOMEM, "out of memory");
	}
	for (size_t i = 0; rc == 0 && i < n; i++)
		if (strcmp(list[i].name, c->name) != 0 && attached(&list[i]) &&
		    c->network != NULL && strcmp(list[i].network, c->network) == 0 &&
		    eng_container_running(&list[i]))
			hosts_write(s, &list[i], list, n, false, NULL);
	eng_container_list_free(list, n);
	return rc;
}

int eng_network_cleanup(const struct eng_store *s)
{
	struct eng_container *list = NULL;
	struct isolab_error e = { 0 };
	size_t n = 0;
	int done = 0;

	if (eng_container_list(s, &list, &n, &e) < 0)
		return 0;
	for (size_t i = 0; i < n; i++) {
		struct eng_container *c = &list[i];

		if (c->netns == NULL || c->netns[0] == '\0' || eng_container_running(c))
			continue;
		eng_network_detach(s, c, NULL);
		if (c->rm)
			eng_container_remove(s, c->name, NULL);
		else
			eng_container_save(s, c, NULL);
		done++;
	}
	eng_container_list_free(list, n);
	return done;
}
