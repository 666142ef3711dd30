# vmm/tests/integration/refuse.sh: what isolab-vmm refuses before it needs
# /dev/kvm (bad kernels, bad options), and its one-line answer where there
# is no usable /dev/kvm. Runs on any host.
WHERE="host"

vmm_bin() {
	VMM=$ISOLAB_BUILD/isolab-vmm
	[ -x "$VMM" ] || fail "$VMM missing: run make all"
}

test_bad_kernels_are_refused_with_2() {
	vmm_bin
	head -c 5000 /dev/zero >"$TEST_TMP/zeros"
	assert_status 2 "$VMM" --kernel "$TEST_TMP/zeros"
	assert_contains "$OUTPUT" "not a Linux kernel" "zeros"
	: >"$TEST_TMP/empty"
	assert_status 2 "$VMM" --kernel "$TEST_TMP/empty"
	assert_status 2 "$VMM" --kernel /bin/sh
	assert_contains "$OUTPUT" "isolab-vmm: --kernel /bin/sh: " "an executable that is not a kernel"
	assert_status 2 "$VMM" --kernel "$TEST_TMP/missing"
	assert_contains "$OUTPUT" "No such file" "missing file"
	assert_status 2 "$VMM" --kernel "$TEST_TMP"
	if [ -f "$ISOLAB_BUILD/guest/bzImage" ]; then
		head -c 200000 "$ISOLAB_BUILD/guest/bzImage" >"$TEST_TMP/bz"
		assert_status 2 "$VMM" --kernel "$TEST_TMP/bz"
		assert_contains "$OUTPUT" "truncated" "truncated bzImage"
		head -c 2000000 "$ISOLAB_BUILD/guest/vmlinux" >"$TEST_TMP/elf"
		assert_status 2 "$VMM" --kernel "$TEST_TMP/elf"
		assert_contains "$OUTPUT" "truncated" "truncated vmlinux"
		assert_status 2 "$VMM" --kernel "$ISOLAB_BUILD/guest/bzImage" --initrd "$TEST_TMP/missing"
		assert_contains "$OUTPUT" "initrd" "missing initrd"
	fi
}

# assert_not_regular OPTION PATH KIND ARGS...: isolab-vmm refuses PATH at
# once with status 2 and one line naming its KIND. A FIFO used to block the
# open with SIGTERM and SIGINT blocked: `timeout -k` turns such a hang into
# 124 or 137.
assert_not_regular() {
	local opt=$1 path=$2 kind=$3
	shift 3
	assert_status 2 timeout -k 5 20 "$VMM" "$@" "$opt" "$path"
	assert_eq "isolab-vmm: $opt $path: not a regular file ($kind)" "$OUTPUT" "$opt $path"
}

test_non_regular_files_are_refused_with_2() {
	vmm_bin
	mkfifo "$TEST_TMP/fifo"
	assert_not_regular --kernel "$TEST_TMP/fifo" "a FIFO"
	assert_not_regular --kernel "$TEST_TMP" "a directory"
	assert_not_regular --kernel /dev/null "a character device"
	# the kernel is read first: a parseable one lets the initrd be checked
	write_ud2_kernel "$TEST_TMP/k.elf"
	assert_not_regular --initrd "$TEST_TMP/fifo" "a FIFO" --kernel "$TEST_TMP/k.elf"
	assert_not_regular --initrd "$TEST_TMP" "a directory" --kernel "$TEST_TMP/k.elf"
	assert_not_regular --initrd /dev/zero "a character device" --kernel "$TEST_TMP/k.elf"
}

test_bad_options_are_refused_with_2() {
	vmm_bin
	assert_status 2 "$VMM"
	assert_status 2 "$VMM" --kernel k --cpus 0
	assert_status 2 "$VMM" --kernel k --mem 12X
	assert_status 2 "$VMM" --kernel k --frobnicate
	assert_eq "isolab-vmm: unknown option \`--frobnicate\`" "$OUTPUT" "unknown option"
	assert_status 2 "$VMM" --kernel k --memroy 64M
	assert_eq "isolab-vmm: unknown option \`--memroy\` (did you mean \`--memory\`?)" "$OUTPUT" "typo"
	assert_status 0 "$VMM" --help
	assert_contains "$OUTPUT" "--kernel" "usage"
	assert_contains "$OUTPUT" "--memory SIZE" "usage"
}

# --disk FILE[,ro]: refused at once with one line, before /dev/kvm.
test_bad_disks_are_refused_with_2() {
	vmm_bin
	write_ud2_kernel "$TEST_TMP/k.elf"
	assert_status 2 "$VMM" --kernel "$TEST_TMP/k.elf" --disk "$TEST_TMP/missing"
	assert_eq "isolab-vmm: --disk \`$TEST_TMP/missing\`: No such file or directory" "$OUTPUT" "missing disk"
	assert_status 2 "$VMM" --kernel "$TEST_TMP/k.elf" --disk /dev/zero,ro
	assert_eq "isolab-vmm: --disk \`/dev/zero\`: not a regular file (a character device)" "$OUTPUT" "a device"
	: >"$TEST_TMP/empty"
	assert_status 2 "$VMM" --kernel "$TEST_TMP/k.elf" --disk "$TEST_TMP/empty"
	assert_eq "isolab-vmm: --disk \`$TEST_TMP/empty\`: 0 bytes, less than one 512-byte sector" "$OUTPUT" "empty disk"
	assert_status 2 "$VMM" --kernel "$TEST_TMP/k.elf" --disk "a,rw"
	assert_eq "isolab-vmm: --disk \`a,rw\`: not FILE or FILE,ro" "$OUTPUT" "bad suffix"
	truncate -s 1M "$TEST_TMP/d.img"
	assert_status 2 "$VMM" --kernel "$TEST_TMP/k.elf" --disk "$TEST_TMP/d.img" --disk "$TEST_TMP/d.img"
	assert_eq "isolab-vmm: --disk: one disk only" "$OUTPUT" "two disks"
	chmod 0444 "$TEST_TMP/d.img"
	if [ "$(id -u)" != 0 ]; then
		assert_status 2 "$VMM" --kernel "$TEST_TMP/k.elf" --disk "$TEST_TMP/d.img"
		assert_contains "$OUTPUT" "Permission denied" "read-only file opened for writing"
	fi
}

# --net tap=NAME: refused at once with one line, before /dev/kvm.
test_bad_nets_are_refused_with_2() {
	vmm_bin
	write_ud2_kernel "$TEST_TMP/k.elf"
	assert_status 2 "$VMM" --kernel "$TEST_TMP/k.elf" --net bridge=br0
	assert_eq "isolab-vmm: --net \`bridge=br0\`: not tap=NAME" "$OUTPUT" "not a tap"
	assert_status 2 "$VMM" --kernel "$TEST_TMP/k.elf" --net tap=
	assert_eq "isolab-vmm: --net \`tap=\`: not tap=NAME" "$OUTPUT" "no name"
	assert_status 2 "$VMM" --kernel "$TEST_TMP/k.elf" --net tap=a234567890123456
	assert_eq "isolab-vmm: --net: tap \`a234567890123456\`: the name is longer than 15 bytes" "$OUTPUT" "long name"
	assert_status 2 "$VMM" --kernel "$TEST_TMP/k.elf" --net tap=a --net tap=b
	assert_eq "isolab-vmm: --net: one network device only" "$OUTPUT" "two"
	if [ "$(id -u)" = 0 ] && [ -c /dev/net/tun ]; then
		assert_status 2 "$VMM" --kernel "$TEST_TMP/k.elf" --net tap=lo
		assert_eq "isolab-vmm: --net: tap \`lo\`: TUNSETIFF: an interface of that name exists and is not a tap" \
			"$OUTPUT" "an interface that is not a tap"
	fi
}

test_version_and_memory_spellings() {
	vmm_bin
	assert_status 0 "$VMM" --version
	assert_eq "isolab-vmm version $(sed -n 's/^#define ISOLAB_VERSION "\(.*\)"$/\1/p' \
		"$ISOLAB_ROOT/common/version.h")" "$OUTPUT" "--version"
	# --memory, -m and --mem (the old spelling) are one option: the same
	# refusal, before the kernel is read
	local mem
	for mem in --memory --mem -m; do
		assert_status 2 "$VMM" "$mem" 1M --kernel "$TEST_TMP/missing"
		assert_eq "isolab-vmm: --memory \`1M\`: must be a multiple of 4 KiB between 16M and 3G" \
			"$OUTPUT" "$mem 1M"
	done
	# a good size is taken by each spelling: the kernel is what is refused next
	for mem in --memory=64M --mem=64M; do
		assert_status 2 "$VMM" "$mem" --kernel "$TEST_TMP/missing"
		assert_contains "$OUTPUT" "isolab-vmm: --kernel $TEST_TMP/missing: " "$mem"
	done
}

test_without_kvm_says_so_with_3() {
	vmm_bin
	kvm_usable && skip "/dev/kvm is usable here"
	[ -f "$ISOLAB_BUILD/guest/bzImage" ] || skip "no guest kernel built"
	assert_status 3 "$VMM" --kernel "$ISOLAB_BUILD/guest/bzImage"
	assert_contains "$OUTPUT" "lab/run" "pointer to the lab"
	[ "$(printf '%s\n' "$OUTPUT" | wc -l)" = 1 ] || fail "more than one line: $OUTPUT"
}
