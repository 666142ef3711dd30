# container/tests/integration/soak.sh: nothing leaks over many lifecycles
# (issue 11 item 8). ISOLAB_SOAK_CYCLES rounds (default 200 here; `make
# soak` runs 1000) of the lifecycle a client drives, each round one of:
#   - create, start, wait until stopped, delete (the containerd sequence);
#   - create, SIGKILL the container's process before start, delete --force;
#   - create with the runtime itself SIGKILLed at a random point (0 to
#     40 ms in), then delete --force (the container may or may not exist);
#   - run, SIGKILLed at a random point, left to sweep;
#   - create, start, SIGKILL the runtime's `start`, delete --force.
# Then `sweep`, and the host must look as before: no mount, cgroup, state
# dir, owner record, pty or process of the runtime's. The seed is printed,
# so a failing sequence can be replayed (ISOLAB_SOAK_SEED).
WHERE="host"
TEST_TIMEOUT=900

source "${ISOLAB_ROOT:-.}/container/tests/ctr-lib.sh"

MARK=3737 # the containers' programs sleep this long: ps finds them by it

soak_bundle() { # DIR: a runc-spec bundle on the shared image running ARGS
	mkdir -p "$1"
	(cd "$1" && "$CTR" spec >/dev/null)
	python3 - "$1/config.json" "$(realpath "$ROOTFS")" "${@:2}" <<'PY'
import json, sys
path, rootfs, args = sys.argv[1], sys.argv[2], sys.argv[3:]
c = json.load(open(path))
c["root"] = {"path": rootfs, "readonly": True}
c["process"]["args"] = args
c["process"]["terminal"] = False
json.dump(c, open(path, "w"))
PY
}

host_state() { # what the runtime could leave on the host, of this test's containers
	echo "mounts under the state root: $(grep -c " $STATE" /proc/self/mountinfo || true)"
	echo "state dirs: $(ls "$STATE" 2>/dev/null | tr '\n' ' ')"
	echo "owner records: $(ls -A "$STATE/.owners" 2>/dev/null | tr '\n' ' ')"
	# the soak's ids are s0, s1, ...; other tests may run containers of their own
	if cgroup_v2; then
		echo "cgroups: $(ls -d /sys/fs/cgroup/isolab-ctr/s[0-9]*/ 2>/dev/null | tr '\n' ' ')"
	else
		local c
		for c in memory cpu pids devices freezer; do
			echo "cgroups $c: $(ls -d /sys/fs/cgroup/$c/isolab-ctr/s[0-9]*/ 2>/dev/null | tr '\n' ' ')"
		done
	fi
	echo "ptys: $(ls /dev/pts | grep -c '^[0-9]')"
	echo "runtime processes: $(pgrep -c -f "isolab-ctr --root $STATE" || true)"
	echo "container processes: $(pgrep -c -f "sleep $MARK" || true)"
}

wait_stopped() { # ID
	local i
	for i in $(seq 200); do
		[ "$("$CTR" --root "$STATE" state "$1" 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin)["status"])' 2>/dev/null)" = stopped ] && return 0
		sleep 0.01
	done
	fail "$1 did not stop"
}

test_lifecycles_with_kills_leave_nothing() {
	need
	local n=${ISOLAB_SOAK_CYCLES:-200} seed=${ISOLAB_SOAK_SEED:-$RANDOM} i id pid kind before after
	STATE=$TEST_TMP/state
	soak_bundle "$TEST_TMP/true" /bin/true
	soak_bundle "$TEST_TMP/sleep" /bin/sleep $MARK
	# anything a run of the test before left is the sweep's, not ours
	"$CTR" --root "$STATE" sweep >/dev/null 2>&1 || true
	before=$(host_state)
	echo "soak: $n cycles, seed $seed"
	RANDOM=$seed
	local counts=(0 0 0 0 0)
	for ((i = 0; i < n; i++)); do
		id=s$i kind=$((RANDOM % 5))
		counts[kind]=$((counts[kind] + 1))
		case $kind in
		0)
			"$CTR" --root "$STATE" create --bundle "$TEST_TMP/true" "$id" || fail "create $id"
			"$CTR" --root "$STATE" start "$id" || fail "start $id"
			wait_stopped "$id"
			"$CTR" --root "$STATE" delete "$id" || fail "delete $id"
			;;
		1)
			"$CTR" --root "$STATE" create --bundle "$TEST_TMP/sleep" "$id" || fail "create $id"
			pid=$("$CTR" --root "$STATE" state "$id" | python3 -c 'import json,sys; print(json.load(sys.stdin)["pid"])')
			kill -KILL "$pid"
			"$CTR" --root "$STATE" delete --force "$id" || fail "delete --force $id after its process was killed"
			;;
		2)
			"$CTR" --root "$STATE" create --bundle "$TEST_TMP/sleep" "$id" >/dev/null 2>&1 &
			pid=$!
			sleep "0.0$((RANDOM % 40))"
			kill -KILL "$pid" 2>/dev/null || true
			wait "$pid" 2>/dev/null || true
			"$CTR" --root "$STATE" delete --force "$id" >/dev/null 2>&1 || true
			;;
		3)
			"$CTR" --root "$STATE" run --name "$id" --rootfs "$ROOTFS" -- /bin/sleep $MARK >/dev/null 2>&1 &
			pid=$!
			sleep "0.0$((RANDOM % 40))"
			kill -KILL "$pid" 2>/dev/null || true
			wait "$pid" 2>/dev/null || true
			;;
		4)
			"$CTR" --root "$STATE" create --bundle "$TEST_TMP/sleep" "$id" || fail "create $id"
			"$CTR" --root "$STATE" start "$id" >/dev/null 2>&1 &
			pid=$!
			sleep "0.00$((RANDOM % 10))"
			kill -KILL "$pid" 2>/dev/null || true
			wait "$pid" 2>/dev/null || true
			"$CTR" --root "$STATE" delete --force "$id" || fail "delete --force $id after start was killed"
			;;
		esac
	done
	# a run killed before it could clean up is the sweep's; what a killed
	# create left is delete --force's (above) or the sweep's
	"$CTR" --root "$STATE" sweep >/dev/null 2>&1 || fail "sweep: $("$CTR" --root "$STATE" sweep 2>&1)"
	for i in $(seq 50); do
		after=$(host_state)
		[ "$after" = "$before" ] && break
		sleep 0.1
	done
	echo "soak: kinds ${counts[*]} (normal, container killed, create killed, run killed, start killed)"
	[ "$after" = "$before" ] || fail "left behind after $n cycles (seed $seed):
before:
$before
after:
$after"
	[ -z "$("$CTR" --root "$STATE" list -q 2>/dev/null)" ] || fail "list still shows: $("$CTR" --root "$STATE" list)"
}
