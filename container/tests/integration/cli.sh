# container/tests/integration/cli.sh: the command line runc's clients
# expect: the global options (--root, --log, --log-format, --debug,
# --systemd-cgroup, --version), `spec` (its config.json runs here as under
# runc) and `features`; and the errno a failed exec reports from inside
# the container. Natively (hybrid cgroups) and in the lab (pure v2).
WHERE="host v2"
TEST_TIMEOUT=120

source "${ISOLAB_ROOT:-.}/container/tests/ctr-lib.sh"

one_line() { [ "$(printf '%s\n' "$OUTPUT" | wc -l)" = 1 ] || fail "not one line: $OUTPUT"; }

test_version_and_help() {
	[ -x "$CTR" ] || skip "build/isolab-ctr not built"
	local v
	for v in --version -v version; do
		assert_status 0 "$CTR" $v
		assert_eq "isolab-ctr version 0.1" "$(sed -n 1p <<<"$OUTPUT")" "$v: first line"
		assert_eq "spec: 1.1.0" "$(sed -n 2p <<<"$OUTPUT")" "$v: spec line"
		assert_contains "$(sed -n 3p <<<"$OUTPUT")" "libseccomp: 2." "$v: libseccomp line"
	done
	assert_status 0 "$CTR" --help
	assert_contains "$OUTPUT" "--log-format text|json" "global options in the help"
	assert_contains "$OUTPUT" "isolab-ctr spec [--bundle DIR] [--rootless]" "spec in the help"
}

test_bad_global_options_one_line() {
	[ -x "$CTR" ] || skip "build/isolab-ctr not built"
	assert_status 125 "$CTR" --systemd-cgroup run --rootfs / -- true
	assert_eq "isolab-ctr: --systemd-cgroup: not supported (cgroupfs only)" "$OUTPUT" "systemd"
	assert_status 125 "$CTR" --root relative run --rootfs / -- true
	assert_eq "isolab-ctr: --root \`relative\`: must be an absolute path" "$OUTPUT" "relative root"
	assert_status 125 "$CTR" --log-format yaml features
	assert_eq "isolab-ctr: --log-format \`yaml\`: expected text or json" "$OUTPUT" "format"
	assert_status 125 "$CTR" --criu x features
	assert_eq "isolab-ctr: unknown option \`--criu\`" "$OUTPUT" "unknown global option"
	assert_status 125 "$CTR" --log "$TEST_TMP/no/such/dir/log" features
	assert_eq "isolab-ctr: --log \`$TEST_TMP/no/such/dir/log\`: No such file or directory" \
		"$OUTPUT" "unwritable log"
	assert_status 125 "$CTR" --debug
	assert_eq "isolab-ctr: no command (try \`isolab-ctr --help\`)" "$OUTPUT" "no command"
}

# runc writes JSON lines (containerd reads them back on a failure): one
# line per error, with level, msg and an RFC 3339 time, as well as the
# line on stderr.
test_log_json_on_error() {
	need
	local log=$TEST_TMP/log.json
	assert_status 127 "$CTR" --log "$log" --log-format json run --rootfs "$ROOTFS" -- no-such-program
	assert_eq "isolab-ctr: exec \`no-such-program\`: command not found in PATH" "$OUTPUT" "stderr"
	assert_eq 1 "$(wc -l <"$log")" "lines in the log"
	jq -e '(keys == ["level", "msg", "time"]) and .level == "error" and
		.msg == "exec `no-such-program`: command not found in PATH" and
		(.time | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?Z$"))' "$log" >/dev/null ||
		fail "log line: $(cat "$log")"
	# a run that succeeds adds nothing; a refused command line adds its line
	assert_status 0 "$CTR" --log "$log" --log-format json run --rootfs "$ROOTFS" -- true
	assert_eq 1 "$(wc -l <"$log")" "lines after a good run"
	assert_status 125 "$CTR" --log-format=json --systemd-cgroup --log "$log" features
	assert_eq 2 "$(wc -l <"$log")" "lines after a refused option"
	tail -n 1 "$log" | jq -e '.msg == "--systemd-cgroup: not supported (cgroupfs only)"' >/dev/null ||
		fail "refused option's line: $(tail -n 1 "$log")"
	# text, logrus' format, is the default
	assert_status 125 "$CTR" --log "$TEST_TMP/log.txt" run --rootfs "$TEST_TMP/missing" -- true
	grep -Eq '^time="[0-9T:.-]+Z" level=error msg="root filesystem layer `[^`]*missing`: No such file or directory"$' \
		"$TEST_TMP/log.txt" || fail "text line: $(cat "$TEST_TMP/log.txt")"
}

# The child's errno crosses the sync socket (child_msg.h): --debug's last
# line names it; before, every failure inside the container was EINVAL.
test_debug_lines_and_the_childs_errno() {
	need
	local log=$TEST_TMP/debug.log
	assert_status 0 "$CTR" --debug --log "$log" run --rootfs "$ROOTFS" --name dbg$$ -- true
	assert_eq "" "$OUTPUT" "stderr of a good run with --debug --log"
	assert_contains "$(sed -n 1p "$log")" "level=debug msg=\"isolab-ctr 0.1, pid " "command line"
	assert_contains "$(sed -n 2p "$log")" "msg=\"container \`dbg$$\`: exit status 0\"" "status"
	assert_status 127 "$CTR" --debug --log "$log" run --rootfs "$ROOTFS" --name dbg$$ -- no-such-program
	assert_contains "$(tail -n 1 "$log")" "exit status 127, error ENOENT" "errno of a missing program"
	assert_status 126 "$CTR" --debug --log "$log" run --rootfs "$ROOTFS" --name dbg$$ -- /etc
	assert_contains "$(tail -n 1 "$log")" "exit status 126, error EACCES" "errno of a directory"
	# a mount that fails in the child: the kernel's errno, not EINVAL
	assert_status 125 "$CTR" --debug --log "$log" run --rootfs "$ROOTFS" --name dbg$$ \
		-v "$TEST_TMP/none:/x" -- true
	assert_contains "$(tail -n 1 "$log")" "exit status 125, error ENOENT" "errno of a volume"
	# without --log, debug lines go to stderr; without --debug there are none
	assert_status 0 "$CTR" --debug run --rootfs "$ROOTFS" -- true
	assert_contains "$OUTPUT" "isolab-ctr: debug: container \`" "debug on stderr"
	assert_status 0 "$CTR" --log "$TEST_TMP/quiet.log" run --rootfs "$ROOTFS" -- true
	assert_eq 0 "$(wc -c <"$TEST_TMP/quiet.log")" "log without --debug"
}

# --root moves the state (owner records, state dirs) and what sweep reads.
test_root_moves_the_state() {
	need
	local root=$TEST_TMP/state name=rt$$ pid status=0
	"$CTR" --root "$root" run --rootfs "$ROOTFS" --name $name --keep-layer "$TEST_TMP/keep" \
		-- sleep 30 &
	pid=$!
	trap "kill -KILL $pid 2>/dev/null || true" EXIT
	wait_running $name
	[ -L "$root/.owners/$name" ] || fail "no owner record under --root"
	[ ! -L /run/isolab-ctr/.owners/$name ] || fail "owner record under /run/isolab-ctr"
	assert_contains "$(cat /proc/self/mountinfo)" " $root/$name " "state dir's tmpfs under --root"
	# the runtime killed: its leftovers stay under --root ...
	kill -KILL $pid
	wait $pid || status=$?
	assert_eq 137 "$status" "status of the SIGKILLed runtime"
	for _ in $(seq 100); do
		grep -q . "$(cgroup_dir $name)/cgroup.procs" || break
		sleep 0.05
	done
	"$CTR" sweep >/dev/null 2>&1 || true
	[ -L "$root/.owners/$name" ] || fail "a sweep of /run/isolab-ctr removed a record under --root"
	# ... and a sweep with the same --root removes them
	assert_status 0 "$CTR" --root "$root" sweep
	[ ! -L "$root/.owners/$name" ] || fail "owner record left"
	[ ! -e "$root/$name" ] || fail "state dir left"
	[ ! -e "$(cgroup_dir $name)" ] || fail "cgroup left"
	assert_not_contains "$(cat /proc/self/mountinfo)" " $root/$name" "mounts left"
	# and the id is free again there
	assert_status 0 "$CTR" --root "$root" run --rootfs "$ROOTFS" --name $name -- true
	assert_eq "" "$(ls -A "$root/.owners")" "records after a normal run"
}

# The getopt_long forms the engine and the bench use keep working.
test_option_forms() {
	need
	assert_status 0 run --name=forms$$ -eA=1 --env B=2 -u5:6 -w/tmp --memory=64M --hostname=box -- \
		sh -c 'echo "$A$B $(id -u):$(id -g) $(pwd) $(hostname)"'
	assert_eq "12 5:6 /tmp box" "$OUTPUT" "attached and = values"
	assert_status 125 run --init=yes -- true
	assert_eq "isolab-ctr: option \`--init\` takes no value" "$OUTPUT" "no value allowed"
	assert_status 125 run --memory
	assert_eq "isolab-ctr: option \`--memory\` needs a value" "$OUTPUT" "value needed"
}

# `spec` writes what `runc spec` writes, and that bundle runs (runc's
# ambient capabilities, which it gives no inheritable set for, are not
# raised: before, the run failed with "raise ambient capability kill").
test_spec_bundle_runs() {
	need
	local b=$TEST_TMP/bundle sum
	mkdir "$b"
	assert_status 0 "$CTR" spec --bundle "$b"
	jq -e '.ociVersion == "1.1.0" and .process.args == ["sh"] and .process.terminal == true and
		.root == {"path": "rootfs", "readonly": true} and
		([.mounts[].destination] == ["/proc", "/dev", "/dev/pts", "/dev/shm", "/dev/mqueue",
		  "/sys", "/sys/fs/cgroup"]) and
		.process.capabilities.ambient == ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"] and
		(.process.capabilities | has("inheritable") | not) and
		([.linux.namespaces[].type] == ["pid", "network", "ipc", "uts", "mount"]) and
		(.linux.maskedPaths | length) == 10' "$b/config.json" >/dev/null ||
		fail "spec: $(cat "$b/config.json")"
	# never over an existing file
	sum=$(md5sum <"$b/config.json")
	assert_status 125 "$CTR" spec --bundle "$b"
	assert_eq "isolab-ctr: spec: \`$b/config.json\` exists: remove it first" "$OUTPUT" "overwrite"
	assert_eq "$sum" "$(md5sum <"$b/config.json")" "config.json untouched"
	# the test's part: a root file system, no terminal, a command to look
	ln -s "$(cd "$ROOTFS" && pwd)" "$b/rootfs"
	jq '.process.terminal = false | .process.args = ["sh", "-c",
		"grep -E \"^(Cap|NoNewPrivs)\" /proc/self/status; hostname; ulimit -n; grep -c \" /dev/mqueue mqueue \" /proc/self/mounts; touch /x 2>/dev/null || echo ro"]' \
		"$b/config.json" >"$b/c" && mv "$b/c" "$b/config.json"
	assert_status 0 "$CTR" run --bundle "$b" spec$$
	assert_contains "$OUTPUT" "CapInh:	0000000000000000" "inheritable"
	assert_contains "$OUTPUT" "CapPrm:	0000000020000420" "permitted: AUDIT_WRITE KILL NET_BIND_SERVICE"
	assert_contains "$OUTPUT" "CapEff:	0000000020000420" "effective"
	assert_contains "$OUTPUT" "CapBnd:	0000000020000420" "bounding"
	assert_contains "$OUTPUT" "CapAmb:	0000000000000000" "ambient: none raised, as under runc"
	assert_contains "$OUTPUT" "NoNewPrivs:	1" "no_new_privs"
	assert_contains "$OUTPUT" "
isolab
1024
1
ro" "hostname, RLIMIT_NOFILE, /dev/mqueue, read-only root"
	if cgroup_v2; then
		assert_status 0 "$CTR" run --bundle "$b" spec$$ # /sys/fs/cgroup: a cgroup2 mount on v2
	fi
	# with the inheritable set, the ambient ones are raised
	jq '.process.capabilities.inheritable = .process.capabilities.ambient' "$b/config.json" >"$b/c" &&
		mv "$b/c" "$b/config.json"
	assert_status 0 "$CTR" run --bundle "$b" spec$$
	assert_contains "$OUTPUT" "CapAmb:	0000000020000420" "ambient raised where allowed"
}

test_spec_rootless() {
	[ -x "$CTR" ] || skip "build/isolab-ctr not built"
	assert_status 0 "$CTR" spec --rootless --bundle "$TEST_TMP"
	jq -e --argjson u "$(id -u)" --argjson g "$(id -g)" '
		([.linux.namespaces[].type] == ["pid", "ipc", "uts", "mount", "user"]) and
		.linux.uidMappings == [{"containerID": 0, "hostID": $u, "size": 1}] and
		.linux.gidMappings == [{"containerID": 0, "hostID": $g, "size": 1}] and
		(.linux | has("resources") | not) and
		(.mounts[] | select(.destination == "/sys")) ==
			{"destination": "/sys", "type": "none", "source": "/sys",
			 "options": ["rbind", "nosuid", "noexec", "nodev", "ro"]} and
		([.mounts[].options // [] | .[] | select(startswith("gid="))] == [])' \
		"$TEST_TMP/config.json" >/dev/null || fail "rootless spec: $(cat "$TEST_TMP/config.json")"
}

test_features_json() {
	[ -x "$CTR" ] || skip "build/isolab-ctr not built"
	assert_status 0 "$CTR" features
	jq -e '.ociVersionMin == "1.0.0" and .ociVersionMax == "1.1.0" and .hooks == ["prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop"] and
		(.mountOptions | index("rbind") and index("ro") and index("rprivate")) and
		(.linux.namespaces | sort) == ["cgroup", "ipc", "mount", "network", "pid", "user", "uts"] and
		(.linux.capabilities | index("CAP_SYS_ADMIN") and index("CAP_CHOWN")) and
		(.linux.capabilities | length) >= 38 and
		.linux.cgroup == {"v1": true, "v2": true, "systemd": false, "systemdUser": false, "rdma": false} and
		.linux.seccomp.enabled == true and
		(.linux.seccomp.actions | index("SCMP_ACT_ERRNO") and (index("SCMP_ACT_NOTIFY") | not)) and
		(.linux.seccomp.operators | length) == 7 and
		(.linux.seccomp.archs | index("SCMP_ARCH_X86_64")) and
		.linux.apparmor.enabled == false and .linux.selinux.enabled == false and
		(.annotations["io.github.seccomp.libseccomp.version"] | test("^[0-9]+\\.[0-9]+\\.[0-9]+$"))' \
		<<<"$OUTPUT" >/dev/null || fail "features: $OUTPUT"
	assert_status 125 "$CTR" features extra
	assert_eq "isolab-ctr: features: unexpected argument \`extra\`" "$OUTPUT" "extra argument"
}
