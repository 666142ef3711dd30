/*
 * env.h: the environment block of a results file, and the choice of
 * environment name (native-kvm, lab, host-nokvm).
 */
#ifndef ISOLAB_BENCH_ENV_H
#define ISOLAB_BENCH_ENV_H

#include <cjson/cJSON.h>
#include <stdbool.h>

/* True when /dev/kvm opens read-write. */
bool bench_kvm_usable(void);

/* True inside the nested-KVM lab (ISOLAB_LAB=1, set by lab/run). */
bool bench_in_lab(void);

/* "lab" in the lab, "native-kvm" with a usable /dev/kvm, else "host-nokvm". */
const char *bench_env_name(void);

/*
 * The environment block: name, kvm ("native", "lab" or "none"), kernel,
 * cpu, cpus, memory, cgroup mode, host_kernel/host_cpu (lab), peer
 * versions, git commit, timestamp. Runs a few `--version` commands.
 */
cJSON *bench_env_collect(const char *name, const char *repo_dir, long timestamp);

/* First line of a command's output (stdout+stderr), "" if it failed. */
void bench_command_line(const char *shell_cmd, char *buf, size_t size);

#endif
