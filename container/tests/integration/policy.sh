# container/tests/integration/policy.sh: the attacks the device policy and
# the seccomp filter stop (each test fails if its attack works), and the
# ways to change them: --security-opt, an OCI bundle's linux.seccomp,
# linux.resources.devices and linux.devices. Natively (cgroup v1 devices
# controller here) and in the lab (cgroup v2 device program).
WHERE="host v2"
TEST_TIMEOUT=300

source "${ISOLAB_ROOT:-.}/container/tests/ctr-lib.sh"

need_sysprobe() {
	need
	[ -x "$ROOTFS/bin/sysprobe" ] || skip "no sysprobe in the image (make image)"
}

# HOST_DISK: "MAJOR MINOR" of a block device this host's root can read: the disk
# holding the root if it can, else any (a loop device reads as empty). A
# device the host cannot open either would prove nothing about the policy
# (this sandbox's own device rules refuse its disk): skip then.
host_disk() {
	local src dev name
	src=$(findmnt -no SOURCE / 2>/dev/null || true)
	for dev in "$src" /sys/block/*/dev; do
		case $dev in
		/sys/*) name=/dev/$(basename "$(dirname "$dev")") ;;
		*) name=$dev ;;
		esac
		[ -b "$name" ] && head -c 512 "$name" >/dev/null 2>&1 || continue
		HOST_DISK="$((0x$(stat -c %t "$name"))) $((0x$(stat -c %T "$name")))"
		return
	done
	skip "no block device the host itself can read (the policy would prove nothing)"
}

# A bundle on the shared image; $1 dir, $2 the "process.args" JSON array,
# $3 more members of "linux" (with a trailing comma).
write_bundle() {
	mkdir -p "$1"
	cat >"$1/config.json" <<JSON
{
  "ociVersion": "1.0.2",
  "process": { "args": $2, "env": ["PATH=/bin"], "cwd": "/", "noNewPrivileges": true,
    "capabilities": { "bounding": ["CAP_MKNOD"], "effective": ["CAP_MKNOD"],
                      "permitted": ["CAP_MKNOD"] } },
  "root": { "path": "$(cd "$ROOTFS" && pwd)", "readonly": true },
  "mounts": [
    { "destination": "/proc", "type": "proc", "source": "proc" },
    { "destination": "/dev", "type": "tmpfs", "source": "tmpfs",
      "options": ["nosuid", "strictatime", "mode=755", "size=65536k"] }
  ],
  "linux": { $3
    "namespaces": [ { "type": "pid" }, { "type": "ipc" }, { "type": "uts" }, { "type": "mount" } ] }
}
JSON
}

test_host_disk_node_unreadable() {
	need_sysprobe
	local disk
	host_disk
	disk=$HOST_DISK
	# mknod is allowed (as in runc and Docker), opening the node is not
	assert_status 1 run -- sh -c "mknod /dev/hostdisk b $disk && head -c 512 /dev/hostdisk >/dev/null"
	assert_contains "$OUTPUT" "head: /dev/hostdisk: Operation not permitted" "reading the host disk $disk"
	assert_status 1 run -- sh -c "mknod /dev/hostdisk b $disk && echo x > /dev/hostdisk"
	assert_contains "$OUTPUT" "can't create /dev/hostdisk: Operation not permitted" "writing the host disk"
}

test_kmsg_node_unwritable() {
	need_sysprobe
	assert_status 1 run -- sh -c 'mknod /dev/kmsg c 1 11 && echo "isolab-ctr policy test: must not appear" > /dev/kmsg'
	assert_contains "$OUTPUT" "can't create /dev/kmsg: Operation not permitted" "writing /dev/kmsg"
	assert_status 1 run -- sh -c 'mknod /dev/kmsg c 1 11 && head -c 1 /dev/kmsg'
	assert_contains "$OUTPUT" "Operation not permitted" "reading /dev/kmsg"
	# the nodes the runtime makes still work
	assert_status 0 run -- sh -c 'echo x > /dev/null && head -c 4 /dev/zero | wc -c && head -c 4 /dev/urandom >/dev/full; test -c /dev/tty'
}

# Docker's --device-cgroup-rule: one more device allowed, the rest still
# denied; `a *:* rwm` turns the policy off (no program, no v1 rules: the
# bench's isolab-ctr-alldevices, what the policy costs at start).
test_device_cgroup_rule() {
	need_sysprobe
	local disk both
	host_disk
	disk=$HOST_DISK
	both="mknod /dev/kmsg c 1 11 && head -c 1 /dev/kmsg >/dev/null && echo read kmsg;
		mknod /dev/hostdisk b $disk && head -c 512 /dev/hostdisk >/dev/null && echo read disk"
	# (reading /dev/kmsg also needs CAP_SYSLOG)
	assert_status 1 run --cap-add SYSLOG --device-cgroup-rule 'c 1:11 r' -- sh -c "$both"
	assert_contains "$OUTPUT" "read kmsg" "c 1:11 r: /dev/kmsg"
	assert_contains "$OUTPUT" "head: /dev/hostdisk: Operation not permitted" "c 1:11 r: the host disk"
	assert_status 0 run --cap-add SYSLOG --device-cgroup-rule 'a *:* rwm' -- sh -c "$both"
	assert_eq "read kmsg
read disk" "$OUTPUT" "a *:* rwm: both"
	assert_status 125 run --device-cgroup-rule 'c 1:11' -- true
	assert_eq "isolab-ctr: --device-cgroup-rule \`c 1:11\`: not TYPE MAJOR:MINOR ACCESS (e.g. \`c 1:3 rwm\`, \`a *:* rwm\`)" \
		"$OUTPUT" "a bad rule"
}

test_seccomp_mode_and_refusals() {
	need_sysprobe
	local p out
	out=$(run -- sh -c 'grep Seccomp: /proc/self/status; for p in keyctl add_key request_key unshare-user clone-newuser mount reboot clock_settime init_module bpf perf_event_open open_by_handle_at clone3 getpid; do sysprobe $p || true; done; unshare -U true 2>&1 || true')
	assert_contains "$out" "Seccomp:	2" "filter mode in /proc/self/status"
	for p in keyctl add_key request_key unshare-user clone-newuser mount reboot clock_settime init_module bpf perf_event_open open_by_handle_at; do
		assert_contains "$out" "$p: EPERM" "$p refused"
	done
	assert_contains "$out" "clone3: ENOSYS" "clone3 answered ENOSYS (libc falls back to clone)"
	assert_contains "$out" "getpid: ok" "an ordinary call"
	assert_contains "$out" "unshare(0x10000000): Operation not permitted" "unshare -U"
}

test_seccomp_unconfined() {
	need_sysprobe
	local out
	out=$(run --security-opt seccomp=unconfined -- sh -c 'grep Seccomp: /proc/self/status; unshare -U true && echo USERNS-OK; sysprobe keyctl || true')
	assert_contains "$out" "Seccomp:	0" "no filter"
	assert_contains "$out" "USERNS-OK" "unshare -U works again"
	assert_contains "$out" "keyctl: ok" "keyctl reaches the kernel"
}

test_seccomp_follows_capabilities() {
	need_sysprobe
	local out
	# Docker's relaxations: CAP_SYS_ADMIN allows mount and namespaces
	out=$(run --cap-add SYS_ADMIN -- sh -c 'sysprobe mount; sysprobe unshare-user; sysprobe keyctl || true')
	assert_contains "$out" "mount: ok" "mount with CAP_SYS_ADMIN"
	assert_contains "$out" "unshare-user: ok" "unshare with CAP_SYS_ADMIN"
	assert_contains "$out" "keyctl: EPERM" "keyctl stays refused"
}

test_seccomp_profile_file() {
	need_sysprobe
	cat >"$TEST_TMP/p.json" <<'JSON'
{ "defaultAction": "SCMP_ACT_ALLOW",
  "archMap": [ { "architecture": "SCMP_ARCH_X86_64", "subArchitectures": ["SCMP_ARCH_X86", "SCMP_ARCH_X32"] } ],
  "syscalls": [ { "names": ["getpid"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13 },
                { "names": ["personality"], "action": "SCMP_ACT_ERRNO",
                  "args": [ { "index": 0, "value": 8, "op": "SCMP_CMP_EQ" } ] } ] }
JSON
	assert_status 0 run --security-opt seccomp="$TEST_TMP/p.json" -- sh -c 'sysprobe getpid; sysprobe unshare-user'
	assert_contains "$OUTPUT" "getpid: EACCES" "getpid answered with errnoRet 13"
	assert_contains "$OUTPUT" "unshare-user: ok" "the rest allowed by defaultAction"
	echo '{ "defaultAction": "SCMP_ACT_NOTIFY" }' >"$TEST_TMP/n.json"
	assert_status 125 run --security-opt seccomp="$TEST_TMP/n.json" -- true
	assert_eq "isolab-ctr: seccomp profile \`$TEST_TMP/n.json\`: defaultAction: SCMP_ACT_NOTIFY is not supported (isolab-ctr has no seccomp agent)" "$OUTPUT" "NOTIFY refused"
	assert_status 125 run --security-opt seccomp="$TEST_TMP/none.json" -- true
	assert_contains "$OUTPUT" "none.json" "missing profile named"
	assert_eq 1 "$(printf '%s\n' "$OUTPUT" | wc -l)" "one line"
}

test_oci_seccomp() {
	need_sysprobe
	write_bundle "$TEST_TMP/b" '["sh", "-c", "grep Seccomp: /proc/self/status; sysprobe getpid; sysprobe keyctl"]' \
		'"seccomp": { "defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_X86_64"],
		  "syscalls": [ { "names": ["getpid"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1 },
		                { "names": ["keyctl"], "action": "SCMP_ACT_ERRNO", "errnoRet": 38 } ] },'
	assert_status 1 "$CTR" run --bundle "$TEST_TMP/b" sc$$
	assert_eq "Seccomp:	2
getpid: EPERM
keyctl: ENOSYS" "$OUTPUT" "linux.seccomp honoured"
	write_bundle "$TEST_TMP/n" '["true"]' \
		'"seccomp": { "defaultAction": "SCMP_ACT_ALLOW", "syscalls": [ { "names": ["getpid"], "action": "SCMP_ACT_NOTIFY" } ] },'
	assert_status 125 "$CTR" run --bundle "$TEST_TMP/n" scn$$
	assert_eq "isolab-ctr: bundle \`$TEST_TMP/n\`: config.json: linux.seccomp: syscalls[0].action: SCMP_ACT_NOTIFY is not supported (isolab-ctr has no seccomp agent)" "$OUTPUT" "NOTIFY refused, one line"
	write_bundle "$TEST_TMP/l" '["true"]' '"seccomp": { "defaultAction": "SCMP_ACT_ALLOW", "listenerPath": "/run/agent.sock" },'
	assert_status 125 "$CTR" run --bundle "$TEST_TMP/l" scl$$
	assert_contains "$OUTPUT" "linux.seccomp: listenerPath: not supported" "listenerPath refused"
	# no linux.seccomp: no filter (runtime-spec, runc)
	write_bundle "$TEST_TMP/u" '["grep", "Seccomp:", "/proc/self/status"]' ''
	assert_status 0 "$CTR" run --bundle "$TEST_TMP/u" scu$$
	assert_eq "Seccomp:	0" "$OUTPUT" "no linux.seccomp"
}

test_oci_device_rules() {
	need_sysprobe
	local msg="isolab-ctr policy test $$: allowed by a bundle rule"
	# an allow rule for /dev/kmsg (write only) is honoured...
	write_bundle "$TEST_TMP/a" "[\"sh\", \"-c\", \"mknod /dev/kmsg c 1 11 && echo '$msg' > /dev/kmsg && echo WROTE\"]" \
		'"resources": { "devices": [ { "allow": false, "access": "rwm" },
		  { "allow": true, "type": "c", "major": 1, "minor": 11, "access": "w" } ] },'
	assert_status 0 "$CTR" run --bundle "$TEST_TMP/a" da$$
	assert_eq WROTE "$OUTPUT" "write allowed by the bundle's rule"
	# ... and so is a later deny (last match wins)
	write_bundle "$TEST_TMP/d" '["sh", "-c", "mknod /dev/kmsg c 1 11 && echo x > /dev/kmsg"]' \
		'"resources": { "devices": [ { "allow": true, "type": "c", "major": 1, "minor": 11, "access": "rwm" },
		  { "allow": false, "type": "c", "major": 1, "minor": 11, "access": "w" } ] },'
	assert_status 1 "$CTR" run --bundle "$TEST_TMP/d" dd$$
	assert_contains "$OUTPUT" "can't create /dev/kmsg: Operation not permitted" "deny after allow"
	# linux.devices: the node is made, with its mode, and may be used
	write_bundle "$TEST_TMP/n" '["sh", "-c", "stat -c \"%F %t:%T %a\" /dev/mynull && echo x > /dev/mynull && echo OK"]' \
		'"devices": [ { "path": "/dev/mynull", "type": "c", "major": 1, "minor": 3, "fileMode": 416 } ],'
	assert_status 0 "$CTR" run --bundle "$TEST_TMP/n" dn$$
	assert_eq "character special file 1:3 640
OK" "$OUTPUT" "linux.devices node"
}

test_devices_cgroup_removed_and_swept() {
	need_sysprobe
	cgroup_v2 && skip "no devices cgroup on v2 (the program goes with the cgroup)"
	local name=devsw$$ pid status=0
	[ -d /sys/fs/cgroup/devices ] || skip "no v1 devices hierarchy"
	assert_status 0 run --name $name -- true
	[ ! -e /sys/fs/cgroup/devices/isolab-ctr/$name ] || fail "devices cgroup left after exit"
	"$CTR" run --rootfs "$ROOTFS" --name $name -- sleep 30 &
	pid=$!
	for _ in $(seq 100); do
		grep -q . /sys/fs/cgroup/devices/isolab-ctr/$name/cgroup.procs 2>/dev/null && break
		sleep 0.05
	done
	grep -q . /sys/fs/cgroup/devices/isolab-ctr/$name/cgroup.procs || fail "container not in its devices cgroup"
	kill -KILL $pid
	wait $pid || status=$?
	assert_eq 137 "$status" "SIGKILLed runtime"
	for _ in $(seq 100); do
		grep -q . /sys/fs/cgroup/devices/isolab-ctr/$name/cgroup.procs || break
		sleep 0.05
	done
	[ -d /sys/fs/cgroup/devices/isolab-ctr/$name ] || fail "no devices cgroup left: the test proves nothing"
	assert_status 0 "$CTR" sweep
	[ ! -e /sys/fs/cgroup/devices/isolab-ctr/$name ] || fail "sweep left the devices cgroup"
}

# --cap-add ALL gives every capability the runtime holds (Docker's
# --privileged capabilities), even where the runtime itself runs with fewer
# than all (as in this sandbox); a capability named that it lacks is a
# one-line error naming it.
test_cap_add_all() {
	need
	local own missing="" c
	own=$(awk '/^CapBnd/ { print $2 }' /proc/self/status)
	assert_status 0 run --cap-add ALL -- sh -c 'grep CapEff /proc/self/status'
	assert_eq "CapEff:	$own" "$OUTPUT" "ALL = the runtime's own set"
	for c in 24:SYS_RESOURCE 21:SYS_ADMIN 16:SYS_MODULE 25:SYS_TIME; do
		(( (0x$own >> ${c%%:*}) & 1 )) || { missing=${c#*:}; break; }
	done
	[ -n "$missing" ] || skip "the runtime holds every capability here (ALL checked)"
	assert_status 125 run --cap-add "$missing" -- true
	assert_eq "isolab-ctr: capability $(tr 'A-Z' 'a-z' <<<"$missing"): the runtime does not hold it" \
		"$OUTPUT" "a capability the runtime lacks"
}
