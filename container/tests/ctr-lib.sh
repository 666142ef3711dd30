# container/tests/ctr-lib.sh: helpers the container integration test files
# (container/tests/integration/*.sh) source: the runtime and image paths,
# `need`, `run`, `cgroup_v2`, `cgroup_dir`, `wait_running` and `leftovers`.

CTR=${ISOLAB_BUILD:-build}/isolab-ctr
ROOTFS=${ISOLAB_BUILD:-build}/image/rootfs

need() {
	[ "$(id -u)" = 0 ] || skip "needs root"
	[ -x "$CTR" ] || skip "build/isolab-ctr not built (make all)"
	[ -x "$ROOTFS/bin/busybox" ] || skip "no image (make image)"
}

run() { "$CTR" run --rootfs "$ROOTFS" "$@"; }

cgroup_v2() { [ "$(stat -fc %T /sys/fs/cgroup)" = cgroup2fs ]; }

# The cgroup directory of a running container NAME (v1: the memory one,
# the only one made without limits).
cgroup_dir() {
	if cgroup_v2; then echo /sys/fs/cgroup/isolab-ctr/$1; else echo /sys/fs/cgroup/memory/isolab-ctr/$1; fi
}

wait_running() { # NAME: waits until the container has a process
	for _ in $(seq 100); do
		grep -q . "$(cgroup_dir $1)/cgroup.procs" 2>/dev/null && return 0
		sleep 0.05
	done
	fail "container $1 did not start"
}

# What a run could leave behind: mounts, state dirs, cgroups, processes.
leftovers() {
	local c
	echo "mounts $(grep -c . /proc/self/mountinfo)"
	echo "isolab mounts $(grep -c isolab-ctr /proc/self/mountinfo || true)"
	echo "state $(ls /run/isolab-ctr 2>/dev/null | tr '\n' ' ')"
	echo "owner records $(ls -A /run/isolab-ctr/.owners 2>/dev/null | tr '\n' ' ')"
	if cgroup_v2; then
		echo "cgroups $(ls -d /sys/fs/cgroup/isolab-ctr/*/ 2>/dev/null | tr '\n' ' ')"
	else
		for c in memory cpu pids devices; do
			echo "cgroups $c $(ls -d /sys/fs/cgroup/$c/isolab-ctr/*/ 2>/dev/null | tr '\n' ' ')"
		done
	fi
	echo "processes $(pgrep -c -x isolab-ctr || true)"
}
