# vmm/tests/integration/net.sh: `isolab-vmm --net tap=NAME`, the guest's
# eth0 (virtio-net over virtio-mmio, vmm/net.c): the guest pings the host
# and fetches a page from a server on the host side of its tap, and a VM
# whose tap is on an isolab network's bridge reaches a container there by
# HTTP. Traffic goes only to the tap and the bridge the test made. Needs a
# real /dev/kvm (natively, or in the lab).
WHERE="kvm"
TEST_TIMEOUT=400

# shellcheck source=engine/tests/network-lib.sh
source "${ISOLAB_ROOT:-.}/engine/tests/network-lib.sh"

net_assets() {
	VMM=$ISOLAB_BUILD/isolab-vmm
	BZIMAGE=$ISOLAB_BUILD/guest/bzImage
	INITRD=$ISOLAB_BUILD/image/initramfs.cpio.gz
	BUSYBOX=$ISOLAB_BUILD/image/rootfs/bin/busybox
	for f in "$VMM" "$BZIMAGE" "$INITRD" "$BUSYBOX"; do
		[ -f "$f" ] || fail "$f missing: run make all kernel image"
	done
	[ -c /dev/net/tun ] || modprobe tun 2>/dev/null || true
	[ -c /dev/net/tun ] || skip "no /dev/net/tun (modprobe tun failed)"
	TAP=isltap$$
	TAP=${TAP:0:15}
	ip tuntap add mode tap "$TAP" || fail "cannot make tap $TAP"
	trap net_test_cleanup EXIT
}

net_test_cleanup() {
	local pid
	for pid in $(jobs -p); do kill "$pid" 2>/dev/null || true; done
	wait 2>/dev/null || true
	ip link del "$TAP" 2>/dev/null || true
	[ -n "${STORE_CLEANUP:-}" ] && eval "$STORE_CLEANUP"
	return 0
}

# vm_net CMD: boots the image on the tap running CMD (--stats in TEST_TMP/s.json).
vm_net() {
	"$VMM" --kernel "$BZIMAGE" --initrd "$INITRD" --timeout 200 --net "tap=$TAP" \
		--stats "$TEST_TMP/s.json" --append "isolab_run=\"$1\"" </dev/null
}

test_guest_pings_and_fetches_from_the_host() {
	net_assets
	local port
	ip addr add 10.77.0.1/24 dev "$TAP"
	ip link set "$TAP" up
	mkdir -p "$TEST_TMP/www"
	echo "served-to-the-guest-$$" >"$TEST_TMP/www/index.html"
	port=$(free_port)
	"$BUSYBOX" httpd -f -p "10.77.0.1:$port" -h "$TEST_TMP/www" &
	assert_status 0 vm_net "ip link set eth0 up && ip addr add 10.77.0.2/24 dev eth0 && cat /sys/class/net/eth0/address && ping -c 3 -W 5 10.77.0.1 && wget -qO- http://10.77.0.1:$port/"
	assert_contains "$OUTPUT" "3 packets transmitted, 3 packets received" "ping from the guest"
	assert_contains "$OUTPUT" "served-to-the-guest-$$" "a page fetched over TCP"
	assert_contains "$OUTPUT" "52:54:00:" "the guest's MAC"
	jq -e --arg t "$TAP" '.net.device == "virtio-net" and .net.tap == $t and .net.tx_packets >= 3 and
		.net.rx_packets >= 3 and (.net.datapath | length) > 0 and .net.refusals == 0' "$TEST_TMP/s.json" >/dev/null ||
		fail "--stats net: $(jq -c .net "$TEST_TMP/s.json")"
}

# The documented way to put a VM beside containers: its tap on the
# network's bridge, an address of the network's subnet that the IPAM
# does not hand out (it counts up from .2).
test_vm_reaches_a_container_on_its_bridge() {
	net_assets
	local isolab=$ISOLAB_BUILD/isolab bridge subnet ip gw missing
	missing=$(cni_missing) && skip "$missing"
	export ISOLAB_ROOT=$TEST_TMP/store
	chains_snapshot "$TEST_TMP/chains-before"
	STORE_CLEANUP="\"$isolab\" network prune >/dev/null 2>&1; chains_restore \"$TEST_TMP/chains-before\""
	tar -C "$ISOLAB_BUILD/image/rootfs" -czf "$TEST_TMP/bb.tar.gz" .
	"$isolab" import "$TEST_TMP/bb.tar.gz" bb:1 >/dev/null
	mkdir -p "$TEST_TMP/www"
	echo "from-a-container-$$" >"$TEST_TMP/www/index.html"
	"$isolab" run --init --name web -v "$TEST_TMP/www:/www:ro" bb:1 httpd -f -p 80 -h /www \
		>"$TEST_TMP/web.log" 2>&1 &
	for _ in $(seq 100); do
		ip=$(jq -r '.IPAddress // empty' "$ISOLAB_ROOT/containers/web/config.json" 2>/dev/null)
		[ -n "$ip" ] && break
		sleep 0.1
	done
	[ -n "$ip" ] || fail "the container did not start: $(cat "$TEST_TMP/web.log")"
	bridge=$("$isolab" network inspect isolab | jq -r '.[0].Bridge')
	subnet=$("$isolab" network inspect isolab | jq -r '.[0].Subnet')
	gw=$("$isolab" network inspect isolab | jq -r '.[0].Gateway')
	ip link set "$TAP" master "$bridge"
	ip link set "$TAP" up
	assert_status 0 vm_net "ip link set eth0 up && ip addr add ${subnet%.0.0/16}.250.2/16 dev eth0 && ip route add default via $gw && for i in 1 2 3 4 5; do wget -qO- http://$ip/ && break; sleep 1; done"
	assert_contains "$OUTPUT" "from-a-container-$$" "the container's page, fetched by the VM"
}
