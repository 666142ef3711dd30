/* env.c: where the figures were measured (see env.h). */
#include "bench/env.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statfs.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

/* statfs magic of cgroup2 (include/uapi/linux/magic.h, CGROUP2_SUPER_MAGIC). */
#define BENCH_CGROUP2_MAGIC 0x63677270

bool bench_kvm_usable(void)
{
	int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);

	if (fd < 0)
		return false;
	close(fd);
	return true;
}

bool bench_in_lab(void)
{
	const char *v = getenv("ISOLAB_LAB");

	return v != NULL && strcmp(v, "1") == 0;
}

const char *bench_env_name(void)
{
	if (bench_in_lab())
		return "lab";
	return bench_kvm_usable() ? "native-kvm" : "host-nokvm";
}

void bench_command_line(const char *shell_cmd, char *buf, size_t size)
{
	char cmd[1024];
	FILE *p;

	buf[0] = '\0';
	snprintf(cmd, sizeof(cmd), "%s 2>&1", shell_cmd);
	p = popen(cmd, "r");
	if (p == NULL)
		return;
	if (fgets(buf, (int)size, p) == NULL)
		buf[0] = '\0';
	buf[strcspn(buf, "\r\n")] = '\0';
	while (fgetc(p) != EOF)
		;
	if (pclose(p) != 0)
		buf[0] = '\0';
}

static void cpu_model(char *buf, size_t size)
{
	FILE *f = fopen("/proc/cpuinfo", "r");
	char line[512];

	snprintf(buf, size, "unknown");
	if (f == NULL)
		return;
	while (fgets(line, sizeof(line), f) != NULL) {
		char *colon = strchr(line, ':');

		if (strncmp(line, "model name", 10) == 0 && colon != NULL) {
			colon += 1 + (colon[1] == ' ');
			colon[strcspn(colon, "\n")] = '\0';
			snprintf(buf, size, "%s", colon);
			break;
		}
	}
	fclose(f);
}

static long long mem_total_bytes(void)
{
	FILE *f = fopen("/proc/meminfo", "r");
	long long kb = 0;
	char line[256];

	if (f == NULL)
		return 0;
	while (fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, "MemTotal:", 9) == 0) {
			kb = strtoll(line + 9, NULL, 10);
			break;
		}
	fclose(f);
	return kb * 1024;
}

static const char *cgroup_mode(void)
{
	struct statfs st;

	if (statfs("/sys/fs/cgroup", &st) != 0)
		return "none";
	if ((unsigned long)st.f_type == BENCH_CGROUP2_MAGIC)
		return "v2";
	if (statfs("/sys/fs/cgroup/unified", &st) == 0 &&
	    (unsigned long)st.f_type == BENCH_CGROUP2_MAGIC)
		return "hybrid";
	return "v1";
}

static void add_peer(cJSON *peers, const char *name, const char *cmd)
{
	char line[256];

	bench_command_line(cmd, line, sizeof(line));
	if (line[0] != '\0')
		cJSON_AddStringToObject(peers, name, line);
	else
		cJSON_AddNullToObject(peers, name);
}

cJSON *bench_env_collect(const char *name, const char *repo_dir, long timestamp)
{
	cJSON *env = cJSON_CreateObject(), *peers;
	struct utsname u;
	char buf[512], cmd[1024], stamp[32];
	time_t t = (time_t)timestamp;
	struct tm tm;
	const char *host_kernel = getenv("ISOLAB_LAB_HOST_KERNEL");
	const char *host_cpu = getenv("ISOLAB_LAB_HOST_CPU");

	if (env == NULL)
		return NULL;
	cJSON_AddStringToObject(env, "name", name);
	cJSON_AddStringToObject(env, "kvm", strcmp(name, "lab") == 0 ? "lab" :
				strcmp(name, "native-kvm") == 0 ? "native" : "none");
	uname(&u);
	snprintf(buf, sizeof(buf), "%s %s %s", u.sysname, u.release, u.machine);
	cJSON_AddStringToObject(env, "kernel", buf);
	cJSON_AddStringToObject(env, "kernel_version", u.version);
	cpu_model(buf, sizeof(buf));
	cJSON_AddStringToObject(env, "cpu", buf);
	cJSON_AddNumberToObject(env, "cpus", (double)sysconf(_SC_NPROCESSORS_ONLN));
	cJSON_AddNumberToObject(env, "memory_bytes", (double)mem_total_bytes());
	cJSON_AddStringToObject(env, "cgroup", cgroup_mode());
	if (strcmp(name, "lab") == 0) {
		cJSON_AddStringToObject(env, "host_kernel", host_kernel ? host_kernel : "unknown");
		cJSON_AddStringToObject(env, "host_cpu", host_cpu ? host_cpu : "unknown");
	}
	/* bench/run.sh asks git on the host: inside the lab git over 9p is slow. */
	if (getenv("ISOLAB_GIT_COMMIT") != NULL) {
		snprintf(buf, sizeof(buf), "%s", getenv("ISOLAB_GIT_COMMIT"));
	} else {
		snprintf(cmd, sizeof(cmd), "git -C '%s' rev-parse HEAD", repo_dir);
		bench_command_line(cmd, buf, sizeof(buf));
	}
	cJSON_AddStringToObject(env, "git_commit", buf[0] ? buf : "unknown");
	if (getenv("ISOLAB_GIT_TREE") != NULL) {
		snprintf(buf, sizeof(buf), "%s", getenv("ISOLAB_GIT_TREE"));
	} else {
		snprintf(cmd, sizeof(cmd),
			 "git -C '%s' status --porcelain --untracked-files=no | grep -q . && echo dirty || echo clean",
			 repo_dir);
		bench_command_line(cmd, buf, sizeof(buf));
	}
	cJSON_AddStringToObject(env, "git_tree", buf[0] ? buf : "unknown");
	gmtime_r(&t, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", &tm);
	cJSON_AddStringToObject(env, "timestamp", stamp);
	peers = cJSON_AddObjectToObject(env, "peers");
	add_peer(peers, "runc", "runc --version");
	add_peer(peers, "crun", "crun --version");
	add_peer(peers, "bwrap", "bwrap --version");
	add_peer(peers, "unshare", "unshare --version");
	add_peer(peers, "qemu-system-x86_64", "qemu-system-x86_64 --version");
	add_peer(peers, "gnuplot", "gnuplot --version");
	return env;
}
