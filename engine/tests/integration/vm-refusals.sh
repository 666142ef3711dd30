# engine/tests/integration/vm-refusals.sh: what `isolab run --vm` refuses,
# in one line with status 125 and nothing built: options a VM cannot take
# yet (-v, -p, --network, container-only ones), an unknown image, and a
# machine without /dev/kvm. vm.sh runs VMs.
WHERE="host"
export ISOLAB_NETWORK=none

ISOLAB=${ISOLAB_BUILD:-build}/isolab
BB_ROOTFS=${ISOLAB_BUILD:-build}/image/rootfs

need_store() {
	[ "$(id -u)" = 0 ] || skip "needs root"
	[ -x "$ISOLAB" ] && [ -x "${ISOLAB_BUILD:-build}/isolab-full" ] || skip "build/isolab not built (make all)"
	[ -x "$BB_ROOTFS/bin/busybox" ] || skip "no image (make image)"
	export ISOLAB_ROOT=$TEST_TMP/store
	tar -C "$BB_ROOTFS" -czf "$TEST_TMP/bb.tar.gz" .
	"$ISOLAB" import "$TEST_TMP/bb.tar.gz" bb:1 >/dev/null || fail "import the image"
}

# refused LINE ARGS...: isolab ARGS exits 125 with exactly LINE, builds nothing
refused() {
	local line=$1
	shift
	assert_status 125 "$ISOLAB" "$@"
	assert_eq "$line" "$OUTPUT" "isolab $*"
	assert_eq "" "$(ls -A "$ISOLAB_ROOT/tmp")" "the store's tmp"
	[ ! -e "$ISOLAB_ROOT/vmdisks" ] || assert_eq "" "$(ls -A "$ISOLAB_ROOT/vmdisks")" "no disk built"
}

test_options_a_vm_cannot_take() {
	need_store
	refused "isolab: run --vm: -p: not supported for a VM yet (the VM has no network)" \
		run --vm -p 8080:80 bb:1 true
	refused "isolab: run --vm: -v: not supported for a VM yet (the guest shares no host directory)" \
		run --vm -v /tmp:/x bb:1 true
	refused "isolab: run --vm: --network isolab: not supported for a VM yet (the VM has no network; only none)" \
		run --vm --network isolab bb:1 true
	refused "isolab: run --vm: --cap-add: a container option, not supported for a VM" \
		run --rm --cap-add NET_ADMIN --vm bb:1 true
	refused "isolab: run --vm: --read-only: a container option, not supported for a VM" \
		run --vm --read-only bb:1 true
}

test_unknown_image() {
	need_store
	[ -f "${ISOLAB_BUILD:-build}/guest/bzImage" ] || skip "no guest kernel (make kernel)"
	refused "isolab: image \`nosuch:1\`: not in the store" run --vm nosuch:1 true
}

test_no_kvm() {
	need_store
	! kvm_usable || skip "/dev/kvm is usable here"
	[ -f "${ISOLAB_BUILD:-build}/guest/bzImage" ] || skip "no guest kernel (make kernel)"
	local why=$( [ -e /dev/kvm ] && echo "Permission denied" || echo "No such file or directory")
	refused "isolab: run --vm: /dev/kvm: $why (a VM needs KVM: run it in the nested-KVM lab, lab/run)" \
		run --vm bb:1 true
}
