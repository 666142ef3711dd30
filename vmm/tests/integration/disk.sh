# vmm/tests/integration/disk.sh: `isolab-vmm --disk FILE[,ro]`, the guest's
# /dev/vda (virtio-blk over virtio-mmio, vmm/disk.c): its size, bytes the
# host wrote read by the guest, bytes the guest wrote found in the file, a
# read-only disk that the guest cannot write, and a disk bigger than guest
# RAM read whole. Needs a real /dev/kvm (natively, or in the lab).
WHERE="kvm"
TEST_TIMEOUT=300

disk_assets() {
	VMM=$ISOLAB_BUILD/isolab-vmm
	BZIMAGE=$ISOLAB_BUILD/guest/bzImage
	INITRD=$ISOLAB_BUILD/image/initramfs.cpio.gz
	for f in "$VMM" "$BZIMAGE" "$INITRD"; do
		[ -f "$f" ] || fail "$f missing: run make all kernel image"
	done
}

# vm_disk DISK-ARG CMD [VMM-ARGS...]: boots the image with --disk DISK-ARG
# running CMD.
vm_disk() {
	local disk=$1 cmd=$2
	shift 2
	"$VMM" --kernel "$BZIMAGE" --initrd "$INITRD" --timeout 120 --disk "$disk" \
		--append "isolab_run=\"$cmd\"" "$@" </dev/null
}

test_guest_reads_and_writes_the_file() {
	disk_assets
	local img=$TEST_TMP/d.img
	truncate -s 4M "$img"
	printf 'isolab-disk-sector0' | dd of="$img" conv=notrunc status=none
	assert_status 0 vm_disk "$img" 'echo size=$(cat /sys/block/vda/size) ro=$(cat /sys/block/vda/ro); head -c 19 /dev/vda; echo; echo guest-wrote-this | dd of=/dev/vda bs=512 seek=2 conv=sync 2>/dev/null && sync && echo written' \
		--stats "$TEST_TMP/s.json"
	assert_contains "$OUTPUT" "size=8192 ro=0" "size in sectors, writable"
	assert_contains "$OUTPUT" "isolab-disk-sector0" "the host's bytes, read by the guest"
	assert_contains "$OUTPUT" "written" "the guest's write"
	assert_eq "guest-wrote-this" "$(dd if="$img" bs=512 skip=2 count=1 status=none | head -n 1)" "the guest's bytes in the file"
	# --stats counts the device's work
	jq -e '.disk.device == "virtio-blk" and .disk.reads > 0 and .disk.writes > 0 and
		.disk.bytes_written >= 512 and .disk.errors == 0 and .disk.refusals == 0' "$TEST_TMP/s.json" >/dev/null ||
		fail "--stats disk: $(jq -c .disk "$TEST_TMP/s.json")"
	# the sectors around it untouched
	assert_eq "0" "$(dd if="$img" bs=512 skip=3 count=100 status=none | tr -d '\0' | wc -c)" "sectors after"
}

test_read_only_disk_refuses_writes() {
	disk_assets
	local img=$TEST_TMP/ro.img sum
	truncate -s 1M "$img"
	printf 'read-only-content' | dd of="$img" conv=notrunc status=none
	sum=$(md5sum <"$img")
	assert_status 0 vm_disk "$img,ro" 'echo ro=$(cat /sys/block/vda/ro); head -c 17 /dev/vda; echo; if echo x | dd of=/dev/vda 2>/dev/null; then echo write-succeeded; else echo write-refused; fi'
	assert_contains "$OUTPUT" "read-only-content" "read"
	assert_contains "$OUTPUT" "write-refused" "the write"
	assert_not_contains "$OUTPUT" "write-succeeded" "the write"
	assert_contains "$OUTPUT" "ro=1" "/sys/block/vda/ro"
	assert_eq "$sum" "$(md5sum <"$img")" "the file is unchanged"
}

# A disk of 64 MiB under 32 MiB of guest RAM, read whole: requests go
# through the queue many times over, the page cache recycled.
test_disk_larger_than_guest_ram_read_whole() {
	disk_assets
	local img=$TEST_TMP/big.img want
	head -c 64M /dev/urandom >"$img"
	want=$(md5sum <"$img" | cut -d' ' -f1)
	assert_status 0 vm_disk "$img,ro" 'md5sum /dev/vda' --memory 48M
	assert_contains "$OUTPUT" "$want" "md5 of the disk, in the guest"
}
