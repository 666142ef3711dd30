# bench/tests/integration/network.sh: the network suite natively
# (`isolab-bench run --suites network --quick`): native on loopback, a
# container on the bench's own isolab network (by its address, and through
# a port published on 127.0.0.1), each with its round trips (median, p99,
# intervals) and its stream; the ratios to native; the VM systems listed
# with why they cannot run here; the report's section, the published
# figures and the picture; a bad suite name; and nothing left behind
# (links, iptables rules, shared CNI chains, processes, the temp dir),
# after a whole run and after one stopped by SIGTERM. Traffic goes only to
# loopback and to the containers the bench started. Needs root and CNI.
WHERE="host"
TEST_TIMEOUT=300

# shellcheck source=engine/tests/network-lib.sh
source "${ISOLAB_ROOT:-.}/engine/tests/network-lib.sh"

links_state() { ip -br link | awk '{ print $1 }' | sed 's/@.*//' | sort; }
rules_state() { iptables-save | grep -v '^#' | sed 's/\[[0-9]*:[0-9]*\]//' | sort; }

need_net() {
	command -v jq >/dev/null || skip "jq is not installed"
	[ "$(id -u)" = 0 ] || skip "a CNI network needs root"
	local missing
	missing=$(cni_missing) && skip "$missing"
	[ -x "$ISOLAB_BUILD/isolab-bench" ] || fail "build/isolab-bench missing (make all)"
	[ -x "$ISOLAB_BUILD/isolab" ] && [ -x "$ISOLAB_BUILD/isolab-full" ] || fail "build/isolab missing (make all)"
	grep -q net-serve "$ISOLAB_BUILD/image/rootfs/bin/probe" 2>/dev/null ||
		fail "the image's probe has no net-serve mode (make image)"
	LINKS_BEFORE=$(links_state)
	RULES_BEFORE=$(rules_state)
}

# nothing_left TMPDIR: the run's temp dir, links, rules and servers as before.
nothing_left() {
	[ -z "$(ls -A "$1")" ] || fail "left in TMPDIR: $(ls -A "$1")"
	assert_eq "$LINKS_BEFORE" "$(links_state)" "links as before"
	assert_eq "$RULES_BEFORE" "$(rules_state)" "iptables rules as before"
	! pgrep -f "probe net-serve" >/dev/null || fail "a server was left: $(pgrep -af 'probe net-serve')"
}

test_network_suite_measures_each_environment_and_leaves_nothing() {
	need_net
	local f=$TEST_TMP/r.json tmp=$TEST_TMP/tmp sys
	mkdir -p "$tmp"
	TMPDIR=$tmp "$ISOLAB_BUILD/isolab-bench" run --suites network --quick --env host-nokvm \
		--build "$ISOLAB_BUILD" --results-file "$f" --no-report >"$TEST_TMP/out" 2>&1 ||
		fail "isolab-bench run failed: $(tail -c 2000 "$TEST_TMP/out")"
	jq -e '.progress.complete and (.suites | keys) == ["network"]' "$f" >/dev/null ||
		fail "not a complete network-only run: $(jq -c '.progress' "$f" | head -c 600)"
	# quick: 3 rounds, 2000 round trips (667 a run) and 1 s of stream in all
	jq -e '.suites.network | .runs == 3 and .rounds == 3 and .round_trips_per_run == 667 and
		(.order | length) == 3' "$f" >/dev/null ||
		fail "suite head: $(jq -c '.suites.network | del(.systems)' "$f")"
	for sys in native isolab-image-bridge isolab-image-port; do
		jq -e --arg s "$sys" '.suites.network.systems[] | select(.name == $s) |
			.available and .failures == 0 and
			(.rr | .n == 2001 and .unit == "ns" and .min > 0 and .median <= .p99 and
			 .p99 <= .max and (.ci95 | length) == 2 and .ci95[0] <= .median and .median <= .ci95[1]) and
			(.stream | .n == 3 and .unit == "bytes/s" and .min > 0)' "$f" >/dev/null ||
			fail "$sys: $(jq -c --arg s "$sys" '.suites.network.systems[] | select(.name == $s) | {available, note, failures, last_error, rr: (.rr | del(.samples)), stream: (.stream | del(.samples))}' "$f")"
	done
	# the client reached native and the published port on loopback, the bridge at the container's address
	jq -e '[.suites.network.systems[] | select(.available) | {(.name): .address}] | add |
		.native == "127.0.0.1" and .["isolab-image-port"] == "127.0.0.1" and
		(.["isolab-image-bridge"] | test("^10\\.[0-9]+\\.[0-9]+\\.[0-9]+$"))' "$f" >/dev/null ||
		fail "addresses: $(jq -c '[.suites.network.systems[] | {name, address}]' "$f")"
	# one ratio per container system, with intervals that hold the ratio
	jq -e '.suites.network.ratios | ([.[].name] | sort) == ["isolab-image-bridge/native", "isolab-image-port/native"] and
		([.[] | .rr > 0 and .stream > 0 and .rr_p99 > 0 and
		  .ci95.rr[0] <= .rr and .rr <= .ci95.rr[1] and
		  .ci95.stream[0] <= .stream and .stream <= .ci95.stream[1]] | all)' "$f" >/dev/null ||
		fail "ratios: $(jq -c '.suites.network.ratios' "$f")"
	# the VM systems say in one line why they are not measured here
	if ! kvm_usable; then
		jq -e '.suites.network.systems[] | select(.name == "isolab-vmm-net") |
			(.available | not) and .note == "no usable /dev/kvm here (run in the lab: make bench)"' "$f" >/dev/null ||
			fail "isolab-vmm-net: $(jq -c '.suites.network.systems[] | select(.name == "isolab-vmm-net")' "$f")"
	fi
	jq -e '.suites.network.systems[] | select(.name == "isolab-vmm-vhost") | (.available | not) and
		(.note | startswith("isolab-vmm has no vhost-net data path yet"))' "$f" >/dev/null ||
		fail "isolab-vmm-vhost: $(jq -c '.suites.network.systems[] | select(.name == "isolab-vmm-vhost")' "$f")"
	nothing_left "$tmp"
	# the report: the section, the ratios, the published figures with their source, the picture
	"$ISOLAB_BUILD/isolab-bench" report "$f" --plots "$TEST_TMP/plots" --out "$TEST_TMP/R.md" \
		>"$TEST_TMP/rep" 2>&1 || fail "report: $(cat "$TEST_TMP/rep")"
	OUTPUT=$(cat "$TEST_TMP/R.md")
	assert_contains "$OUTPUT" "## Network" "the section"
	assert_contains "$OUTPUT" "| isolab-image-bridge/native | " "the bridge's ratio row"
	assert_contains "$OUTPUT" "| isolab-image-port/native | " "the published port's ratio row"
	assert_contains "$OUTPUT" "| 37.6 us | 67.9 us | 1.81x | not measured | Felter et al., IBM RC25482 / ISPASS 2015, as quoted in issue 12 |" "the published figures"
	assert_contains "$OUTPUT" "![TCP round trip and stream, ratio to native](" "the picture"
	[ -s "$TEST_TMP/plots/network.png" ] && [ -s "$TEST_TMP/plots/network.svg" ] ||
		fail "no network picture: $(ls "$TEST_TMP/plots")"
	grep -q '"isolab-image-port"' "$TEST_TMP/plots/network.dat" || fail "network.dat: $(cat "$TEST_TMP/plots/network.dat")"
}

test_network_suite_stopped_by_sigterm_leaves_nothing() {
	need_net
	local f=$TEST_TMP/r.json tmp=$TEST_TMP/tmp pid i
	mkdir -p "$tmp"
	TMPDIR=$tmp "$ISOLAB_BUILD/isolab-bench" run --suites network --env host-nokvm \
		--systems native,isolab-image-bridge,isolab-image-port --rounds 20 \
		--build "$ISOLAB_BUILD" --results-file "$f" --no-report >"$TEST_TMP/out" 2>&1 &
	pid=$!
	# stop it once a container system has a run done (its network and chains exist)
	for i in $(seq 300); do
		jq -e '[.suites.network.systems[]? | select(.name != "native") | .stream.n // 0] | add > 0' \
			"$f" >/dev/null 2>&1 && break
		sleep 0.2
	done
	[ "$i" -lt 300 ] || fail "no container run within 60 s: $(tail -c 1500 "$TEST_TMP/out")"
	kill -TERM "$pid"
	wait "$pid" && fail "a stopped run exited 0" || true
	nothing_left "$tmp"
}

test_unknown_suite_is_refused() {
	[ -x "$ISOLAB_BUILD/isolab-bench" ] || fail "build/isolab-bench missing (make all)"
	assert_status 2 "$ISOLAB_BUILD/isolab-bench" run --suites netwrok
	assert_eq "isolab-bench: --suites \`netwrok\`: unknown suite \`netwrok\` (startup, memory, syscall, build, lifecycle, network, all)" \
		"$OUTPUT" "one line naming the suites"
}
