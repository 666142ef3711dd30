# engine/tests/integration/network.sh: container networks through CNI
# (engine/README.md, "Networks"): a container's own address on its store's
# bridge, a published port answered from the host at 127.0.0.1 and from
# another container, two containers by IP and by name, `isolab network`,
# the bad-input cases (one line, exit 125), and nothing left behind (links,
# iptables rules, leases, namespace files) after many runs, killed ones
# included. Traffic goes only to loopback and to the containers the test
# started. Natively here (cgroup v1 hybrid). Each test has its own store,
# hence its own bridge, and removes what it made, even on failure.
WHERE="host"
TEST_TIMEOUT=400

ISOLAB=${ISOLAB_BUILD:-build}/isolab
BB_ROOTFS=${ISOLAB_BUILD:-build}/image/rootfs
BUSYBOX=$BB_ROOTFS/bin/busybox
# shellcheck source=engine/tests/network-lib.sh
source "${ISOLAB_ROOT:-.}/engine/tests/network-lib.sh"

# isolab ARGS: status in STATUS, stdout+stderr in OUTPUT (never fails)
eng() { OUTPUT=$("$ISOLAB" "$@" 2>&1) && STATUS=0 || STATUS=$?; }

# The host's state the plugins touch: link names, iptables rules (without
# counters), the forwarding switch. Compared before and after.
links_state() { ip -br link | awk '{ print $1 }' | sed 's/@.*//' | sort; }
rules_state() { { iptables-save || true; } | { grep -v '^#' || true; } | sed 's/\[[0-9]*:[0-9]*\]//' | sort; }
# What the store holds of attachments: namespace files, leases, records
# still attached.
store_net_state() {
	(cd "$ISOLAB_ROOT" && { find netns -mindepth 1; find networks/ipam -type f; } 2>/dev/null |
		grep -v -e '/last_reserved_ip' -e '/lock$' | sort)
	cat "$ISOLAB_ROOT"/containers/*/config.json 2>/dev/null |
		jq -r 'select(.NetNS != null and .NetNS != "") | "attached: " + .Name'
}

# What the test made goes, whatever happened: containers (their runtimes
# are this test's children), the store's networks and bridges, the shared
# chains the plugins add when they were not there before.
net_cleanup() {
	local pid
	for pid in $(jobs -p); do kill -KILL "$pid" 2>/dev/null || true; done
	pkill -KILL -f -- "--name ${NET_PREFIX:-none}" 2>/dev/null || true
	sleep 0.5
	"$ISOLAB" network prune >/dev/null 2>&1 || true
	if [ -d "$ISOLAB_ROOT/netns" ]; then
		for f in "$ISOLAB_ROOT"/netns/*; do
			[ -e "$f" ] || continue
			umount -l "$f" 2>/dev/null || true
			rm -f "$f"
		done
	fi
	chains_restore "$TEST_TMP/chains-before"
	[ -n "${FORWARD_BEFORE:-}" ] && sysctl -qw net.ipv4.ip_forward="$FORWARD_BEFORE" || true
}

need_net() {
	[ "$(id -u)" = 0 ] || skip "needs root"
	[ -x "$ISOLAB" ] && [ -x "${ISOLAB_BUILD:-build}/isolab-full" ] || skip "build/isolab not built (make all)"
	[ -x "$BUSYBOX" ] || skip "no image (make image)"
	local missing
	missing=$(cni_missing) && skip "$missing"
	export ISOLAB_ROOT=$TEST_TMP/store
	NET_PREFIX=nt$$x
	FORWARD_BEFORE=$(sysctl -n net.ipv4.ip_forward)
	chains_snapshot "$TEST_TMP/chains-before"
	trap net_cleanup EXIT
	trap 'exit 143' TERM
	tar -C "$BB_ROOTFS" -czf "$TEST_TMP/bb.tar.gz" .
	"$ISOLAB" import "$TEST_TMP/bb.tar.gz" bb:1 >/dev/null
	mkdir -p "$TEST_TMP/www"
	echo "hello from $NET_PREFIX" >"$TEST_TMP/www/index.html"
}

# Starts `isolab run NAME ...ARGS` in the background (--init: httpd is not
# PID 1, so SIGTERM ends it); waits for its record to have an address.
start_bg() {
	local name=$1
	shift
	"$ISOLAB" run --init --name "$name" "$@" >"$TEST_TMP/$name.log" 2>&1 &
	for _ in $(seq 100); do
		ip_of "$name" >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	fail "$name did not start: $(cat "$TEST_TMP/$name.log")"
}

ip_of() {
	local ip
	ip=$(jq -r '.IPAddress // empty' "$ISOLAB_ROOT/containers/$1/config.json" 2>/dev/null)
	[ -n "$ip" ] && echo "$ip"
}

test_container_gets_its_own_address_on_the_bridge() {
	need_net
	local gw subnet bridge links
	links=$(links_state)
	eng run --rm --name "${NET_PREFIX}a" bb:1 true
	assert_eq 0 "$STATUS" "run: $OUTPUT"
	eng network inspect isolab
	assert_eq 0 "$STATUS" "inspect: $OUTPUT"
	subnet=$(printf '%s' "$OUTPUT" | jq -r '.[0].Subnet')
	bridge=$(printf '%s' "$OUTPUT" | jq -r '.[0].Bridge')
	gw=$(printf '%s' "$OUTPUT" | jq -r '.[0].Gateway')
	case $subnet in 10.*.0.0/16) ;; *) fail "default subnet: $subnet" ;; esac
	assert_eq "$links" "$(links_state)" "the bridge goes with the last container"
	# own address in the default network's subnet, a default route by the
	# bridge, which holds the gateway while the container runs
	start_bg "${NET_PREFIX}b" --hostname box bb:1 sleep 30
	OUTPUT=$(nsenter --net="$ISOLAB_ROOT/netns/${NET_PREFIX}b" ip -4 -o addr show eth0)
	assert_contains "$OUTPUT" "inet $(ip_of "${NET_PREFIX}b")/16" "eth0 has the recorded address"
	assert_contains "$OUTPUT" "inet ${subnet%.0.0/16}." "eth0 has an address in $subnet"
	assert_contains "$(nsenter --net="$ISOLAB_ROOT/netns/${NET_PREFIX}b" ip route)" "default via $gw dev eth0" "default route by the bridge"
	assert_contains "$(ip -4 -o addr show "$bridge")" "inet $gw/16" "bridge $bridge has the gateway"
	# /etc/hosts names the container; resolv.conf has no loopback server
	OUTPUT=$(cat "$ISOLAB_ROOT/containers/${NET_PREFIX}b/hosts")
	assert_contains "$OUTPUT" "	${NET_PREFIX}b box" "hosts: name and hostname"
	kill -TERM $(jobs -p)
	wait $(jobs -p) 2>/dev/null || true
	eng run --rm --name "${NET_PREFIX}c" bb:1 sh -c 'ip -4 -o addr show eth0; ip route; cat /etc/hosts; cat /etc/resolv.conf'
	assert_eq 0 "$STATUS" "$OUTPUT"
	assert_contains "$OUTPUT" "eth0    inet ${subnet%.0.0/16}." "eth0 seen inside"
	assert_contains "$OUTPUT" "default via $gw dev eth0" "default route seen inside"
	assert_contains "$OUTPUT" "127.0.0.1	localhost" "hosts: localhost"
	assert_contains "$OUTPUT" "	${NET_PREFIX}c" "hosts: its name"
	assert_not_contains "$OUTPUT" "nameserver 127." "resolv.conf: no loopback resolver"
	# --network none keeps lo only; host shares the host's interfaces
	eng run --rm --network none bb:1 sh -c 'ls /sys/class/net'
	assert_eq "lo" "$OUTPUT" "--network none: lo only"
	eng run --rm --network host bb:1 sh -c 'ls /sys/class/net'
	assert_eq "$(ls /sys/class/net)" "$OUTPUT" "--network host: the host's interfaces"
	# exit statuses pass through a network run
	eng run --rm bb:1 sh -c 'exit 7'
	assert_eq 7 "$STATUS" "exit status"
	eng run --rm bb:1 /nonexistent
	assert_eq 127 "$STATUS" "not found"
	assert_eq "" "$(store_net_state)" "nothing attached after the runs"
	assert_eq "$links" "$(links_state)" "links as before"
}

test_published_port_and_two_containers() {
	need_net
	local port port2 web ip gw
	port=$(free_port)
	port2=$(free_port)
	web=${NET_PREFIX}web
	start_bg "$web" -p "127.0.0.1:$port:80" -p "$port2:80" -v "$TEST_TMP/www:/www:ro" bb:1 \
		httpd -f -p 80 -h /www
	ip=$(ip_of "$web")
	eng port "$web"
	assert_eq "80/tcp -> 127.0.0.1:$port
80/tcp -> 0.0.0.0:$port2" "$OUTPUT" "isolab port"
	# from the host, at 127.0.0.1 (portmap's DNAT in OUTPUT)
	for _ in $(seq 30); do
		OUTPUT=$("$BUSYBOX" wget -qO- "http://127.0.0.1:$port/" 2>&1) && break
		sleep 0.2
	done
	assert_eq "hello from $NET_PREFIX" "$OUTPUT" "published port from the host"
	# a port taken is refused before anything is made
	eng run --rm -p "127.0.0.1:$port:80" bb:1 true
	assert_eq 125 "$STATUS" "port in use: $OUTPUT"
	assert_eq "isolab: port 127.0.0.1:$port/tcp is already in use" "$OUTPUT" "port in use message"
	# another container: by IP, by name, and through the published port on
	# the bridge's address
	gw=$("$ISOLAB" network inspect isolab | jq -r '.[0].Gateway')
	eng run --rm --name "${NET_PREFIX}cli" bb:1 sh -c \
		"wget -qO- http://$ip/ && wget -qO- http://$web/ && wget -qO- http://$gw:$port2/ && grep '$web' /etc/hosts"
	assert_eq 0 "$STATUS" "container to container: $OUTPUT"
	assert_eq "hello from $NET_PREFIX
hello from $NET_PREFIX
hello from $NET_PREFIX
$ip	$web" "$OUTPUT" "by IP, by name, by published port"
	# the server's /etc/hosts learnt the client's name while it ran, and
	# forgot it after
	assert_not_contains "$(cat "$ISOLAB_ROOT/containers/$web/hosts")" "${NET_PREFIX}cli" "hosts forget the gone"
	# a second container with a server: the first reaches it by name
	start_bg "${NET_PREFIX}two" -v "$TEST_TMP/www:/www:ro" bb:1 httpd -f -p 8080 -h /www
	assert_contains "$(cat "$ISOLAB_ROOT/containers/$web/hosts")" "${NET_PREFIX}two" "hosts updated in place"
	OUTPUT=$(nsenter --net="$ISOLAB_ROOT/netns/$web" "$BUSYBOX" wget -qO- "http://$(ip_of "${NET_PREFIX}two"):8080/" 2>&1) || true
	assert_eq "hello from $NET_PREFIX" "$OUTPUT" "web reaches two"
	# SIGTERM to the engine reaches the container; the network goes with it
	kill -TERM $(jobs -p)
	wait $(jobs -p) 2>/dev/null || true
	eng ps -a
	assert_not_contains "$OUTPUT" " Up" "both ended"
	assert_eq "" "$(ls "$ISOLAB_ROOT/netns")" "namespaces gone"
	eng port "$web"
	assert_eq "80/tcp -> 127.0.0.1:$port
80/tcp -> 0.0.0.0:$port2" "$OUTPUT" "the record keeps its ports"
	# the port is free again
	eng run --rm -p "127.0.0.1:$port:80" bb:1 true
	assert_eq 0 "$STATUS" "port free again: $OUTPUT"
}

test_network_commands_and_bad_input() {
	need_net
	local cni=$TEST_TMP/cni p
	eng network create --subnet 10.123.45.0/24 "${NET_PREFIX}n1"
	assert_eq 0 "$STATUS" "create: $OUTPUT"
	eng network ls
	assert_contains "$OUTPUT" "${NET_PREFIX}n1" "ls"
	assert_contains "$OUTPUT" "10.123.45.0/24" "ls subnet"
	assert_eq 1 "$(ls "$ISOLAB_ROOT/networks/"*.conflist | wc -l)" "one conflist"
	eng run --rm --network "${NET_PREFIX}n1" bb:1 sh -c 'ip -4 -o addr show eth0'
	assert_contains "$OUTPUT" "inet 10.123.45." "address on the created network"
	# bad input: one line, 125, nothing made
	eng network create --subnet 10.123.45.128/25 "${NET_PREFIX}n2"
	assert_eq 125 "$STATUS" "overlap"
	assert_eq "isolab: subnet \`10.123.45.128/25\` overlaps network \`${NET_PREFIX}n1\` (10.123.45.0/24)" "$OUTPUT" "overlap message"
	eng network create --subnet 10.123.45.1/24 "${NET_PREFIX}n2"
	assert_eq 125 "$STATUS" "host bits"
	assert_eq "isolab: subnet \`10.123.45.1/24\`: host bits set (the network is 10.123.45.0/24)" "$OUTPUT" "host bits message"
	eng network create "${NET_PREFIX}n1"
	assert_eq 125 "$STATUS" "exists"
	assert_eq "isolab: network \`${NET_PREFIX}n1\` already exists" "$OUTPUT" "exists message"
	eng run --rm --network 'bad name!' bb:1 true
	assert_eq 125 "$STATUS" "malformed name"
	assert_eq "isolab: network name \`bad name!\`: only [a-zA-Z0-9][a-zA-Z0-9_.-] allowed" "$OUTPUT" "malformed name message"
	eng network create 'bad/name'
	assert_eq 125 "$STATUS" "malformed name (create)"
	assert_eq "isolab: network name \`bad/name\`: only [a-zA-Z0-9][a-zA-Z0-9_.-] allowed" "$OUTPUT" "malformed name message"
	eng run --rm --network nope bb:1 true
	assert_eq 125 "$STATUS" "unknown network"
	assert_eq "isolab: network \`nope\` not found" "$OUTPUT" "unknown network message"
	eng run --rm -p 80 bb:1 true
	assert_eq 125 "$STATUS" "bad -p"
	assert_eq "isolab: -p \`80\`: expected [HOSTIP:]HOSTPORT:CTRPORT[/tcp|/udp]" "$OUTPUT" "bad -p message"
	eng run --rm --network none -p 8080:80 bb:1 true
	assert_eq 125 "$STATUS" "-p without a network"
	assert_eq "isolab: run: -p needs a network, not --network none" "$OUTPUT" "-p none message"
	# a missing plugin
	mkdir -p "$cni"
	for p in loopback bridge host-local firewall; do ln -s "/usr/lib/cni/$p" "$cni/$p"; done
	ISOLAB_CNI_PATH=$cni eng run --rm --network "${NET_PREFIX}n1" bb:1 true
	assert_eq 125 "$STATUS" "missing plugin"
	assert_eq "isolab: network \`${NET_PREFIX}n1\`: CNI ADD: CNI plugin \`portmap\` not found in $cni" "$OUTPUT" "missing plugin message"
	assert_eq "" "$(store_net_state)" "nothing left by the missing plugin"
	# a plugin that fails (ADD only): what the others did is undone
	printf '#!/bin/sh\ncat >/dev/null\n[ "$CNI_COMMAND" = ADD ] || exit 0\necho '"'"'{"cniVersion":"1.0.0","code":100,"msg":"injected failure"}'"'"'\nexit 1\n' >"$cni/portmap"
	chmod +x "$cni/portmap"
	local links rules
	links=$(links_state) rules=$(rules_state)
	ISOLAB_CNI_PATH=$cni eng run --rm --network "${NET_PREFIX}n1" bb:1 true
	assert_eq 125 "$STATUS" "failing plugin"
	assert_eq "isolab: network \`${NET_PREFIX}n1\`: CNI ADD \`portmap\`: injected failure" "$OUTPUT" "failing plugin message"
	assert_eq "" "$(store_net_state)" "no namespace or lease left by the failing plugin"
	assert_eq "" "$(ls "$ISOLAB_ROOT/containers")" "no record left by the failing plugin"
	assert_eq "$links" "$(links_state)" "no link left by the failing plugin"
	assert_eq "$rules" "$(rules_state)" "no rule left by the failing plugin"
	# rm: refused while attached, then the bridge goes
	start_bg "${NET_PREFIX}busy" --network "${NET_PREFIX}n1" bb:1 sleep 30
	eng network rm "${NET_PREFIX}n1"
	assert_eq 125 "$STATUS" "rm in use"
	assert_eq "isolab: network \`${NET_PREFIX}n1\` is in use by container \`${NET_PREFIX}busy\`" "$OUTPUT" "rm in use message"
	local bridge
	bridge=$("$ISOLAB" network inspect "${NET_PREFIX}n1" | jq -r '.[0].Bridge')
	ip link show "$bridge" >/dev/null
	kill -TERM $(jobs -p)
	wait $(jobs -p) 2>/dev/null || true
	eng network rm "${NET_PREFIX}n1"
	assert_eq 0 "$STATUS" "rm: $OUTPUT"
	ip link show "$bridge" >/dev/null 2>&1 && fail "bridge $bridge still there"
	assert_eq "" "$(ls "$ISOLAB_ROOT/networks/"*.conflist 2>/dev/null)" "no conflist"
	eng network inspect "${NET_PREFIX}n1"
	assert_eq 125 "$STATUS" "inspect removed"
	assert_eq "isolab: network \`${NET_PREFIX}n1\` not found" "$OUTPUT" "inspect removed message"
}

test_nothing_left_after_many_runs() {
	need_net
	local runs=${ISOLAB_NET_RUNS:-100} links rules i pid
	# the first run makes the bridge and the chains the plugins share;
	# after prune the host is as it will be after all the others
	eng run --rm -p "127.0.0.1:$(free_port):80" bb:1 true
	assert_eq 0 "$STATUS" "$OUTPUT"
	eng network prune
	assert_eq 0 "$STATUS" "$OUTPUT"
	links=$(links_state) rules=$(rules_state)
	# an engine killed with SIGKILL while its container runs: the container
	# ends, its network stays until the next run finds it
	"$ISOLAB" run --name "${NET_PREFIX}k1" bb:1 sleep 1 &
	pid=$!
	for _ in $(seq 50); do ip_of "${NET_PREFIX}k1" >/dev/null && break; sleep 0.1; done
	kill -KILL "$pid"
	# a runtime killed with SIGKILL: the engine detaches
	"$ISOLAB" run --rm --name "${NET_PREFIX}k2" bb:1 sleep 30 &
	pid=$!
	for _ in $(seq 50); do ip_of "${NET_PREFIX}k2" >/dev/null && break; sleep 0.1; done
	pkill -KILL -f -- "isolab-ctr run .*--name ${NET_PREFIX}k2"
	wait "$pid" 2>/dev/null && fail "engine of k2 exited 0"
	sleep 1.2
	# many runs, four at a time, with ports, and a container killed by a
	# signal now and then
	for ((i = 0; i < runs; i += 4)); do
		"$ISOLAB" run --rm -p "127.0.0.1:$((30000 + i)):80" bb:1 true &
		"$ISOLAB" run --rm bb:1 sh -c 'kill -KILL $$' &
		"$ISOLAB" run --rm bb:1 sh -c 'exit 3' &
		"$ISOLAB" run --name "${NET_PREFIX}r$i" bb:1 true &
		wait
	done
	eng ps -a
	assert_not_contains "$OUTPUT" " Up" "nothing runs"
	# the killed engine's leftovers went with the next run
	assert_eq "" "$(store_net_state)" "no namespace file, lease or attached record"
	eng network prune
	assert_eq 0 "$STATUS" "$OUTPUT"
	assert_eq "$links" "$(links_state)" "links as before"
	assert_eq "$rules" "$(rules_state)" "iptables rules as before"
	assert_eq "" "$(grep -l "${NET_PREFIX}" /proc/self/mountinfo 2>/dev/null; grep "$ISOLAB_ROOT/netns" /proc/self/mountinfo || true)" "no nsfs mount"
}

# The runtime only joins what it is given: `isolab-ctr run --netns PATH`
# and a bundle's linux.namespaces entry {"type": "network", "path": PATH}
# (as runc). The namespace here is the test's own, with a bridge in it.
test_runtime_joins_a_network_namespace_by_path() {
	[ "$(id -u)" = 0 ] || skip "needs root"
	local ctr=${ISOLAB_BUILD:-build}/isolab-ctr b=$TEST_TMP/bundle
	[ -x "$ctr" ] && [ -x "$BUSYBOX" ] || skip "build/isolab-ctr or the image not built"
	NS=$TEST_TMP/ns
	local ns=$NS
	touch "$ns"
	trap 'umount -l "$NS" 2>/dev/null || true' EXIT
	unshare --net="$ns" true
	nsenter --net="$ns" ip link add nettest0 type bridge
	assert_status 0 "$ctr" run --rootfs "$BB_ROOTFS" --netns "$ns" -- ls /sys/class/net
	assert_eq "lo
nettest0" "$OUTPUT" "--netns: the namespace given"
	mkdir -p "$b"
	"$ctr" spec --bundle "$b"
	jq --arg root "$(realpath "$BB_ROOTFS")" --arg ns "$ns" '
		.root = {"path": $root, "readonly": true} |
		.process.terminal = false | .process.args = ["ls", "/sys/class/net"] |
		.linux.namespaces = ([.linux.namespaces[] | select(.type != "network")] +
				     [{"type": "network", "path": $ns}])' \
		"$b/config.json" >"$b/c.json"
	mv "$b/c.json" "$b/config.json"
	assert_status 0 "$ctr" run --bundle "$b" "nettest$$"
	assert_eq "lo
nettest0" "$OUTPUT" "bundle: linux.namespaces network path"
	assert_status 125 "$ctr" run --rootfs "$BB_ROOTFS" --netns "$TEST_TMP/none" -- true
	assert_eq "isolab-ctr: network namespace \`$TEST_TMP/none\`: No such file or directory" "$OUTPUT" "--netns missing"
	assert_status 125 "$ctr" run --rootfs "$BB_ROOTFS" --netns "$b/config.json" -- true
	assert_eq "isolab-ctr: network namespace \`$b/config.json\`: not a network namespace: Invalid argument" "$OUTPUT" "--netns not a namespace"
}
