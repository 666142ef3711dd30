# container/tests/integration/config.sh: the runtime-spec fields beyond
# the first version's (container/oci_extras.h, hooks.h, oci_fields.h,
# cgroupfs.h): the hooks in lifecycle order with the state on stdin, a
# failing hook failing create with nothing left, poststop failures and
# timeouts as warnings; linux.sysctl, oomScoreAdj, umask and domainname
# seen inside; mount and rootfs propagation; the fields refused with one
# line; the v1 /sys/fs/cgroup (the container's own cgroups, read-only) and
# blkio throttles. Each test has a --root of its own in TEST_TMP and checks
# that nothing is left.
WHERE="host"
TEST_TIMEOUT=60

source "${ISOLAB_ROOT:-.}/container/tests/ctr-lib.sh"

setup() {
	need
	command -v jq >/dev/null || skip "no jq"
	R=$TEST_TMP/root
	B=$TEST_TMP/bundle
	mkdir -p "$B"
	"$CTR" spec --bundle "$B"
	edit '.root.path = $r | .process.terminal = false | .process.args = ["true"]' \
		--arg r "$(realpath "$ROOTFS")"
	trap cleanup EXIT
}

# edit JQ-FILTER [JQ-ARGS...]: config.json through jq.
edit() {
	local filter=$1
	shift
	jq "$@" "$filter" "$B/config.json" >"$B/config.tmp"
	mv "$B/config.tmp" "$B/config.json"
}

# create: the container's stdio are the caller's (runc's pass-through), so
# they go to files, never to the pipe assert_status reads to its end.
ctr() {
	case $1 in
	create) : >"$TEST_TMP/out"; "$CTR" --root "$R" "$@" </dev/null >>"$TEST_TMP/out" 2>&1 || { local s=$?; cat "$TEST_TMP/out"; return $s; } ;;
	*) "$CTR" --root "$R" "$@" ;;
	esac
}

cleanup() {
	local id
	for id in $(ls "$R" 2>/dev/null); do "$CTR" --root "$R" delete --force "$id" >/dev/null 2>&1 || true; done
	grep -F " $R/" /proc/self/mountinfo | awk '{print $5}' | xargs -r -n1 umount -l 2>/dev/null || true
}

assert_nothing_left() {
	local id
	for id in "$@"; do
		[ ! -e "$R/$id" ] || fail "state dir $R/$id left"
		ls -d /sys/fs/cgroup/isolab-ctr/"$id" /sys/fs/cgroup/*/isolab-ctr/"$id" 2>/dev/null && fail "cgroup of $id left"
	done
	assert_eq "" "$(ls -A "$R/.owners" 2>/dev/null)" "owner records"
	assert_eq "" "$(grep -F " $R/" /proc/self/mountinfo || true)" "mounts under $R"
}

# A hook that appends "KIND <its stdin>" to LOG (a host path, or one
# inside the container for startContainer).
hook() { # KIND LOG
	jq -n --arg k "$1" --arg l "$2" '{path: "/bin/sh", args: ["sh", "-c", "echo \($k) $(cat) >> \($l)"]}'
}

test_hooks_run_in_order_with_the_state() {
	setup
	local log=$TEST_TMP/hooks/log pid
	mkdir -p "$TEST_TMP/hooks"
	edit '.process.args = ["sh", "-c", "while :; do sleep 0.05; done"] |
		.mounts += [{destination: "/hooks", type: "bind", source: $d, options: ["rbind"]}] |
		.hooks = {prestart: [$pre], createRuntime: [$cr], createContainer: [$cc],
			  startContainer: [$sc], poststart: [$ps], poststop: [$pst]}' \
		--arg d "$TEST_TMP/hooks" \
		--argjson pre "$(hook prestart "$log")" --argjson cr "$(hook createRuntime "$log")" \
		--argjson cc "$(hook createContainer "$log")" --argjson sc "$(hook startContainer /hooks/log)" \
		--argjson ps "$(hook poststart "$log")" --argjson pst "$(hook poststop "$log")"
	assert_status 0 ctr create --bundle "$B" --pid-file "$TEST_TMP/pid" h1
	pid=$(cat "$TEST_TMP/pid")
	assert_eq "prestart createRuntime createContainer" "$(cut -d' ' -f1 "$log" | tr '\n' ' ' | sed 's/ $//')" "hooks run by create"
	assert_eq "creating creating creating" "$(cut -d' ' -f2- "$log" | jq -r .status | tr '\n' ' ' | sed 's/ $//')" "status on their stdin"
	assert_eq "h1 $pid $B" "$(head -1 "$log" | cut -d' ' -f2- | jq -r '"\(.id) \(.pid) \(.bundle)"')" "id, pid and bundle on stdin"
	assert_status 0 ctr start h1
	for _ in $(seq 100); do [ "$(wc -l <"$log")" -ge 5 ] && break; sleep 0.05; done
	assert_eq "prestart createRuntime createContainer startContainer poststart" \
		"$(cut -d' ' -f1 "$log" | tr '\n' ' ' | sed 's/ $//')" "hooks after start"
	assert_eq "created running" "$(sed -n '4,5p' "$log" | cut -d' ' -f2- | jq -r .status | tr '\n' ' ' | sed 's/ $//')" "startContainer, poststart status"
	assert_status 0 ctr delete --force h1
	assert_eq "poststop stopped 0" "$(tail -1 "$log" | cut -d' ' -f1) $(tail -1 "$log" | cut -d' ' -f2- | jq -r '"\(.status) \(.pid)"')" "poststop after delete"
	assert_nothing_left h1
}

test_failing_hooks() {
	setup
	edit '.hooks = {createRuntime: [{path: "/bin/sh", args: ["sh", "-c", "exit 3"]}]}'
	assert_status 125 ctr create --bundle "$B" h2
	assert_eq "isolab-ctr: hooks.createRuntime[0] \`/bin/sh\`: exit status 3" "$OUTPUT" "a failing createRuntime hook"
	assert_nothing_left h2
	edit '.hooks = {prestart: [{path: "/bin/sleep", args: ["sleep", "10"], timeout: 1}]}'
	assert_status 125 ctr run --bundle "$B" h3
	assert_eq "isolab-ctr: hooks.prestart[0] \`/bin/sleep\`: timed out after 1 s" "$OUTPUT" "a prestart hook past its timeout"
	assert_nothing_left h3
	edit '.hooks = {startContainer: [{path: "/bin/false"}]}'
	assert_status 0 ctr create --bundle "$B" h6
	assert_status 125 ctr start h6
	assert_eq "isolab-ctr: container \`h6\`: its process ended before it started" "$OUTPUT" "a failing startContainer hook fails start"
	assert_status 0 ctr delete h6
	edit '.hooks = {poststart: [{path: "/nonexistent"}], poststop: [{path: "/bin/false"}]}'
	assert_status 0 ctr run --bundle "$B" h4
	assert_contains "$OUTPUT" "isolab-ctr: warning: hooks.poststart[0] \`/nonexistent\`: exit status 127 (not executable?)" "poststart: a warning"
	assert_status 0 ctr create --bundle "$B" h5
	assert_status 0 ctr start h5
	assert_eq "isolab-ctr: warning: hooks.poststart[0] \`/nonexistent\`: exit status 127 (not executable?)" "$OUTPUT" "start: poststart a warning"
	for _ in $(seq 100); do [ "$(ctr state h5 | jq -r .status)" = stopped ] && break; sleep 0.05; done
	assert_status 0 ctr delete h5
	assert_eq "isolab-ctr: warning: hooks.poststop[0] \`/bin/false\`: exit status 1" "$OUTPUT" "delete: poststop a warning"
	assert_nothing_left h4 h5 h6
}

test_sysctl_oom_score_umask_domainname_inside() {
	setup
	edit '.process.args = ["sh", "-c", "cat /proc/sys/net/ipv4/ping_group_range /proc/sys/kernel/msgmax /proc/self/oom_score_adj /proc/sys/kernel/domainname; umask"] |
		.linux.sysctl = {"net.ipv4.ping_group_range": "0 0", "kernel.msgmax": "4242"} |
		.process.oomScoreAdj = 500 | .process.user.umask = 23 | .domainname = "lab.example"'
	assert_status 0 ctr run --bundle "$B" s1
	assert_eq "$(printf '0\t0\n4242\n500\nlab.example\n0027')" "$OUTPUT" "inside the container"
	assert_eq "$(cat /proc/sys/kernel/domainname)" "$(cat /proc/sys/kernel/domainname)" "the host's untouched"
	[ "$(cat /proc/sys/kernel/msgmax)" != 4242 ] || fail "the host's kernel.msgmax changed"
	assert_nothing_left s1
}

test_refused_fields_one_line() {
	setup
	local b
	b=$(realpath "$B")
	edit '.linux.sysctl = {"kernel.panic": "1"}'
	assert_status 125 ctr run --bundle "$B" r1
	assert_eq "isolab-ctr: bundle \`$B\`: config.json: linux.sysctl: \`kernel.panic\`: not in a namespace of the container's (only net.*, kernel.msg*/sem/shm*, fs.mqueue.*, kernel.domainname)" "$OUTPUT" "a host sysctl"
	edit '.linux.sysctl = {"net.ipv4.ip_forward": "1"} | .linux.namespaces -= [{type: "network"}]'
	assert_status 125 ctr run --bundle "$B" r1
	assert_eq "isolab-ctr: bundle \`$B\`: config.json: linux.sysctl: \`net.ipv4.ip_forward\`: needs a network namespace of its own" "$OUTPUT" "net.* with the host's network"
	# the host's namespace again, joined by path: refused as runc does
	edit '.linux.namespaces += [{type: "network", path: "/proc/self/ns/net"}]'
	assert_status 125 ctr run --bundle "$B" r1
	assert_contains "$OUTPUT" "network namespace \`/proc/self/ns/net\`: the runtime's own (the host's): linux.sysctl net.* would change it" "net.* in the host's namespace by path"
	[ "$(grep -c . <<<"$OUTPUT")" = 1 ] || fail "not one line: $OUTPUT"
	edit '.linux.namespaces -= [{type: "network", path: "/proc/self/ns/net"}]'
	edit 'del(.linux.sysctl) | .linux.resources.cpu = {idle: 1}'
	assert_status 125 ctr run --bundle "$B" r1
	assert_eq "isolab-ctr: bundle \`$B\`: config.json: linux.resources.cpu.idle: not supported by isolab-ctr" "$OUTPUT" "cpu.idle"
	if [ ! -e /sys/kernel/security/apparmor ]; then
		edit 'del(.linux.resources.cpu) | .process.apparmorProfile = "docker-default"'
		assert_status 125 ctr run --bundle "$B" r1
		assert_eq "isolab-ctr: bundle \`$B\`: config.json: process.apparmorProfile: this host has no AppArmor" "$OUTPUT" "apparmorProfile"
	fi
	if [ ! -e /sys/fs/selinux/enforce ]; then
		edit 'del(.process.apparmorProfile) | .process.selinuxLabel = "system_u:system_r:container_t:s0"'
		assert_status 125 ctr run --bundle "$B" r1
		assert_eq "isolab-ctr: bundle \`$B\`: config.json: process.selinuxLabel: this host has no SELinux" "$OUTPUT" "selinuxLabel"
	fi
	if ! grep -qw resctrl /proc/filesystems; then
		edit 'del(.process.selinuxLabel) | .linux.intelRdt = {closID: "c1"}'
		assert_status 125 ctr run --bundle "$B" r1
		assert_eq "isolab-ctr: bundle \`$B\`: config.json: linux.intelRdt: this host has no Intel RDT (resctrl)" "$OUTPUT" "intelRdt"
	fi
	# unknown keys and empty fields pass (config.md "Extensibility")
	edit 'del(.process.apparmorProfile, .process.selinuxLabel, .linux.intelRdt) |
		.org_example_future = {x: 1} | .linux.resources.hugepageLimits = [] | .process.args = ["true"]'
	assert_status 0 ctr run --bundle "$B" r1
	assert_nothing_left r1
}

test_mount_and_rootfs_propagation() {
	setup
	mkdir -p "$TEST_TMP/shared" "$TEST_TMP/private"
	edit '.root.readonly = false | .linux.rootfsPropagation = "rshared" |
		.mounts += [{destination: "/mnt/shared", type: "bind", source: $s, options: ["rbind", "rshared"]},
			    {destination: "/mnt/private", type: "bind", source: $p, options: ["bind", "private"]}] |
		.process.args = ["sh", "-c", "awk \"{print \\$5, \\$7}\" /proc/self/mountinfo"]' \
		--arg s "$TEST_TMP/shared" --arg p "$TEST_TMP/private"
	assert_status 0 ctr run --bundle "$B" p1
	assert_contains "$(grep '^/ ' <<<"$OUTPUT")" "/ shared:" "rootfsPropagation rshared: / is shared"
	assert_contains "$(grep '^/mnt/shared ' <<<"$OUTPUT")" "/mnt/shared shared:" "a bind with rshared"
	assert_not_contains "$(grep '^/mnt/private ' <<<"$OUTPUT")" "shared:" "a bind with private"
	grep -q "^/mnt/private " <<<"$OUTPUT" || fail "no /mnt/private mount: $OUTPUT"
	assert_nothing_left p1
}

test_v1_cgroupfs_and_blkio() {
	setup
	! cgroup_v2 || skip "cgroup v2 host: /sys/fs/cgroup is cgroup2 (the v1 view is for v1/hybrid hosts)"
	local dev
	edit '.linux.resources.memory = {limit: 67108864} | .linux.resources.cpu = {shares: 512} |
		.process.args = ["sh", "-c", "cat /sys/fs/cgroup/memory/memory.limit_in_bytes /sys/fs/cgroup/cpu/cpu.shares; ls /sys/fs/cgroup; mkdir /sys/fs/cgroup/memory/x 2>&1 | grep -c Read-only"]'
	assert_status 0 ctr run --bundle "$B" c1
	assert_eq 67108864 "$(head -1 <<<"$OUTPUT")" "the container's own memory cgroup"
	assert_eq 512 "$(sed -n 2p <<<"$OUTPUT")" "cpu.shares in the container's cpu cgroup"
	assert_contains "$OUTPUT" "pids" "every hierarchy"
	assert_eq 1 "$(tail -1 <<<"$OUTPUT")" "read-only"
	[ -e /sys/fs/cgroup/blkio/blkio.throttle.read_bps_device ] || skip "no blkio throttles on this host"
	dev=$(cat /sys/block/$(ls /sys/block | head -1)/dev)
	edit '.linux.resources.blockIO = {throttleReadBpsDevice: [{major: ($d | split(":")[0] | tonumber), minor: ($d | split(":")[1] | tonumber), rate: 1048576}]} |
		.process.args = ["cat", "/sys/fs/cgroup/blkio/blkio.throttle.read_bps_device"]' --arg d "$dev"
	assert_status 0 ctr run --bundle "$B" c2
	assert_eq "$dev 1048576" "$OUTPUT" "blkio throttle in the container's blkio cgroup"
	if [ ! -e /sys/fs/cgroup/blkio/blkio.weight ]; then
		edit '.linux.resources.blockIO = {weight: 500}'
		assert_status 125 ctr run --bundle "$B" c3
		assert_eq "isolab-ctr: bundle \`$B\`: config.json: linux.resources.blockIO.weight: this host has no a blkio.weight or io.weight file" "$OUTPUT" "blkio weight without the file"
	fi
	assert_nothing_left c1 c2 c3
}

# The container's cgroup relative to the hierarchies' roots, from
# /proc/PID/cgroup (v2: the unified line; v1/hybrid: the memory one).
cgroup_of() { # PID
	if cgroup_v2; then sed -n 's/^0:://p' "/proc/$1/cgroup"; else sed -n 's/^[0-9]*:memory://p' "/proc/$1/cgroup"; fi
}

# Every directory named PATH (relative to a hierarchy's root) in any hierarchy.
cgroup_dirs() { # PATH
	ls -d "/sys/fs/cgroup$1" /sys/fs/cgroup/*"$1" 2>/dev/null || true
}

# linux.cgroupsPath (cgroup.h): absolute as containerd and podman pass it
# (a leaf that is not the id), relative (under the parent of the runtime's
# own cgroup), and a killed runtime's cgroup found by the sweep.
test_cgroups_path_followed() {
	setup
	local top=/isolab-test-cgpath-$$ own pid status=0
	# shellcheck disable=SC2064 # $top now: the function's locals are gone at exit
	trap "cleanup; for d in \$(cgroup_dirs $top); do find \$d -depth -type d -exec rmdir {} + 2>/dev/null; done" EXIT
	edit '.linux.cgroupsPath = $p | .process.args = ["sleep", "30"]' --arg p "$top/libpod-a1"
	assert_status 0 ctr create --bundle "$B" --pid-file "$TEST_TMP/pid" a1
	pid=$(cat "$TEST_TMP/pid")
	assert_eq "$top/libpod-a1" "$(cgroup_of "$pid")" "the process is in linux.cgroupsPath"
	assert_eq "" "$(cgroup_dirs "/isolab-ctr/a1")" "no cgroup under the default parent"
	assert_status 0 ctr start a1
	assert_status 0 ctr ps a1
	assert_contains "$OUTPUT" "$pid" "ps reads the cgroup of linux.cgroupsPath"
	assert_status 0 ctr pause a1
	assert_status 0 ctr resume a1
	assert_status 0 ctr delete --force a1
	assert_eq "" "$(cgroup_dirs "$top/libpod-a1")" "cgroup removed at delete"
	# relative: the parent of the runtime's own cgroup (the unified line; root on pure v1)
	own=$(sed -n 's/^0:://p' /proc/self/cgroup)
	own=$(dirname "${own:-/}")
	own=${own%/}
	edit '.linux.cgroupsPath = $p | .process.args = ["sh", "-c", "cat /proc/self/cgroup >/dev/null"]' --arg p "${top#/}/rel-r1"
	assert_status 0 ctr create --bundle "$B" --pid-file "$TEST_TMP/pid" r1
	assert_eq "$own$top/rel-r1" "$(cgroup_of "$(cat "$TEST_TMP/pid")")" "a relative linux.cgroupsPath"
	assert_status 0 ctr delete --force r1
	assert_eq "" "$(cgroup_dirs "$own$top/rel-r1")" "relative cgroup removed at delete"
	# run, its runtime SIGKILLed: the sweep finds the cgroup from the owner record
	edit '.linux.cgroupsPath = $p | .process.args = ["sleep", "30"]' --arg p "$top/leaf-k1"
	"$CTR" --root "$R" run --bundle "$B" k1 </dev/null >/dev/null 2>&1 &
	pid=$!
	for _ in $(seq 100); do
		grep -q . "$(cgroup_dirs "$top/leaf-k1" | head -1)/cgroup.procs" 2>/dev/null && break
		sleep 0.05
	done
	assert_contains "$(readlink "$R/.owners/k1")" " $top/leaf-k1" "the owner record holds the whole path"
	kill -KILL $pid
	wait $pid || status=$?
	assert_eq 137 "$status" "SIGKILLed runtime"
	for _ in $(seq 100); do
		grep -q . "$(cgroup_dirs "$top/leaf-k1" | head -1)/cgroup.procs" 2>/dev/null || break
		sleep 0.05
	done
	[ -n "$(cgroup_dirs "$top/leaf-k1")" ] || fail "no cgroup left by the killed runtime: the test proves nothing"
	assert_status 0 "$CTR" --root "$R" sweep
	assert_eq "" "$(cgroup_dirs "$top/leaf-k1")" "the sweep removed the cgroup of linux.cgroupsPath"
	assert_nothing_left a1 r1 k1
}

test_cgroups_path_refused_one_line() {
	setup
	edit '.linux.cgroupsPath = "/isolab-test/../escape"'
	assert_status 125 ctr run --bundle "$B" b1
	assert_eq "isolab-ctr: bundle \`$B\`: config.json: linux.cgroupsPath: \`/isolab-test/../escape\`: no '..' allowed" "$OUTPUT" "'..'"
	edit '.linux.cgroupsPath = "../escape"'
	assert_status 125 ctr run --bundle "$B" b1
	assert_eq "isolab-ctr: bundle \`$B\`: config.json: linux.cgroupsPath: \`../escape\`: no '..' allowed" "$OUTPUT" "a relative '..'"
	edit '.linux.cgroupsPath = "system.slice:isolab:b1"'
	assert_status 125 ctr run --bundle "$B" b1
	assert_eq "isolab-ctr: bundle \`$B\`: config.json: linux.cgroupsPath: \`system.slice:isolab:b1\`: systemd's slice:prefix:name, and isolab-ctr has no systemd cgroup driver (cgroupfs only)" "$OUTPUT" "systemd's form"
	edit '.linux.cgroupsPath = "/"'
	assert_status 125 ctr create --bundle "$B" b1
	assert_eq "isolab-ctr: bundle \`$B\`: config.json: linux.cgroupsPath: \`/\`: the hierarchy's root, not a cgroup of its own" "$OUTPUT" "the root"
	edit '.linux.cgroupsPath = 7'
	assert_status 125 ctr run --bundle "$B" b1
	assert_eq "isolab-ctr: bundle \`$B\`: config.json: linux.cgroupsPath: must be a string" "$OUTPUT" "not a string"
	assert_eq "" "$(cgroup_dirs /escape)" "nothing made"
	assert_nothing_left b1
}

# linux.resources.cpu.cpus and .mems (cgroup.h): the affinity the kernel
# gives the container's processes, v1 (a cpuset cgroup of its own that
# first takes its parent's cpus and mems) and v2 (cpuset.cpus).
test_cpuset_cpus_and_mems() {
	setup
	local last
	last=$(($(nproc --all) - 1))
	edit '.linux.resources.cpu = {cpus: $c} | .process.args = ["sh", "-c", "grep -E \"^(Cpus|Mems)_allowed_list\" /proc/self/status"]' --arg c "$last"
	assert_status 0 ctr run --bundle "$B" s1
	assert_contains "$OUTPUT" "Cpus_allowed_list:	$last" "cpu.cpus: the last CPU only"
	assert_contains "$OUTPUT" "Mems_allowed_list:	$(sed -n 's/^Mems_allowed_list:\t//p' /proc/self/status)" "mems: the parent's"
	edit '.linux.resources.cpu = {cpus: $c, mems: "0"}' --arg c "0-$last"
	edit '.process.args = ["sh", "-c", "grep -E \"^(Cpus|Mems)_allowed_list\" /proc/self/status; taskset -p $$ 2>&1 || true"]'
	assert_status 0 ctr run --bundle "$B" s2
	if [ "$last" = 0 ]; then assert_contains "$OUTPUT" "Cpus_allowed_list:	0" "cpu.cpus 0-0"; else assert_contains "$OUTPUT" "Cpus_allowed_list:	0-$last" "cpu.cpus 0-$last"; fi
	assert_contains "$OUTPUT" "Mems_allowed_list:	0" "cpu.mems 0"
	edit '.linux.resources.cpu = {cpus: "0-"}'
	assert_status 125 ctr run --bundle "$B" s3
	assert_eq "isolab-ctr: bundle \`$B\`: config.json: linux.resources.cpu.cpus: \`0-\`: not a list such as 0-3,5" "$OUTPUT" "a bad list"
	edit '.linux.resources.cpu = {mems: "0,a"}'
	assert_status 125 ctr run --bundle "$B" s3
	assert_eq "isolab-ctr: bundle \`$B\`: config.json: linux.resources.cpu.mems: \`0,a\`: not a list such as 0-3,5" "$OUTPUT" "a bad mems list"
	# a CPU the host does not have: the kernel refuses the write, one line
	edit '.linux.resources.cpu = {cpus: "4095"}'
	assert_status 125 ctr run --bundle "$B" s4
	[ "$(grep -c . <<<"$OUTPUT")" = 1 ] || fail "not one line: $OUTPUT"
	assert_contains "$OUTPUT" "linux.resources.cpu.cpus: write \`4095\` to \`/sys/fs/cgroup/" "the kernel's refusal"
	assert_contains "$OUTPUT" "/isolab-ctr/s4/cpuset.cpus\`: " "the kernel's refusal (ERANGE past the kernel's CPUs, EINVAL outside the parent's)"
	assert_nothing_left s1 s2 s3 s4
}
