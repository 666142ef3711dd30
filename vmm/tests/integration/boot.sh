# vmm/tests/integration/boot.sh: isolab-vmm boots the real guest kernel and
# image on a real /dev/kvm (natively, or in the nested-KVM lab) and ends
# with the right status on each way a guest can stop.
WHERE="kvm"
TEST_TIMEOUT=300

vmm_assets() {
	VMM=$ISOLAB_BUILD/isolab-vmm
	BZIMAGE=$ISOLAB_BUILD/guest/bzImage
	VMLINUX=$ISOLAB_BUILD/guest/vmlinux
	INITRD=$ISOLAB_BUILD/image/initramfs.cpio.gz
	for f in "$VMM" "$BZIMAGE" "$VMLINUX" "$INITRD"; do
		[ -f "$f" ] || fail "$f missing: run make all kernel image"
	done
}

# vm KERNEL CMD [VMM-ARGS...]: boots KERNEL with the image running CMD.
vm() {
	local kernel=$1 cmd=$2
	shift 2
	"$VMM" --kernel "$kernel" --initrd "$INITRD" --timeout 120 \
		--append "isolab_run=\"$cmd\"" "$@" </dev/null
}

test_bzimage_boots_prints_and_powers_off() {
	vmm_assets
	assert_status 0 vm "$BZIMAGE" 'echo isolab-hello-$((40+2))'
	assert_contains "$OUTPUT" "isolab-hello-42" "guest output"
}

test_vmlinux_boots_prints_and_powers_off() {
	vmm_assets
	assert_status 0 vm "$VMLINUX" 'echo isolab-elf-$((40+2))'
	assert_contains "$OUTPUT" "isolab-elf-42" "guest output"
}

test_debug_exit_status_passes_through() {
	vmm_assets
	assert_status 42 vm "$BZIMAGE" 'exit 42'
	assert_status 3 vm "$BZIMAGE" '/bin/isolab-guest exit 3; echo not-reached'
	assert_not_contains "$OUTPUT" "not-reached" "output after the debug exit"
}

test_reboot_is_a_clean_stop() {
	vmm_assets
	# reboot -f without the debug-exit port: reboot=k, the i8042 reset line
	assert_status 0 vm "$BZIMAGE" 'echo rebooting; reboot -f; sleep 100'
	assert_contains "$OUTPUT" "rebooting" "guest output"
	assert_not_contains "$OUTPUT" "--timeout" "stop reason"
}

test_poweroff_is_a_clean_stop() {
	vmm_assets
	# no ACPI: the kernel's "reboot: Power down" is the only sign
	assert_status 0 vm "$BZIMAGE" 'echo powering-off; poweroff -f; sleep 100' --stats "$TEST_TMP/s.json"
	assert_contains "$OUTPUT" "powering-off" "guest output"
	assert_contains "$(cat "$TEST_TMP/s.json")" '"poweroff"' "stop reason"
}

test_two_vcpus_seen_by_guest() {
	vmm_assets
	assert_status 0 vm "$BZIMAGE" 'echo cpus=$(nproc) online=$(cat /sys/devices/system/cpu/online) tscdl=$(grep -c tsc_deadline_timer /proc/cpuinfo)' --cpus 2
	assert_contains "$OUTPUT" "cpus=2 online=0-1" "guest CPU count"
	# CPUID.1:ECX[24], set by the VMM from KVM_CAP_TSC_DEADLINE_TIMER on every vCPU
	assert_contains "$OUTPUT" "tscdl=2" "TSC-deadline timer in the guest's CPU flags"
	assert_status 0 vm "$BZIMAGE" 'echo cpus=$(nproc)'
	assert_contains "$OUTPUT" "cpus=1" "guest CPU count with the default"
}

test_stdin_reaches_guest_shell() {
	vmm_assets
	local out status=0
	# No isolab_run: init starts an interactive shell on the console.
	out=$(printf 'echo answer-$((6*7))\nexit 7\n' |
		"$VMM" --kernel "$BZIMAGE" --initrd "$INITRD" --timeout 120 2>&1) || status=$?
	assert_eq 7 "$status" "exit status of the guest shell's exit 7"
	# the answer is computed by the guest: the input line holds no "answer-42"
	assert_contains "$out" "answer-42" "shell's answer"
}

test_timeout_ends_a_guest_that_never_stops() {
	vmm_assets
	local start end
	start=$(date +%s)
	assert_status 124 "$VMM" --kernel "$BZIMAGE" --initrd "$INITRD" --timeout 3 \
		--append 'isolab_run="while :; do :; done"'
	end=$(date +%s)
	assert_contains "$OUTPUT" "--timeout" "timeout message"
	[ $((end - start)) -lt 60 ] || fail "--timeout 3 took $((end - start)) s"
}

test_sigterm_stops_the_vm() {
	vmm_assets
	local pid status=0
	"$VMM" --kernel "$BZIMAGE" --initrd "$INITRD" --timeout 120 \
		--append 'isolab_run="sleep 1000"' </dev/null >"$TEST_TMP/out" 2>&1 &
	pid=$!
	sleep 3
	kill -TERM "$pid"
	wait "$pid" || status=$?
	assert_eq 143 "$status" "exit status after SIGTERM"
	assert_contains "$(cat "$TEST_TMP/out")" "signal" "stop message"
}

test_truncated_kernel_is_refused() {
	vmm_assets
	head -c 300000 "$BZIMAGE" >"$TEST_TMP/bz"
	assert_status 2 "$VMM" --kernel "$TEST_TMP/bz" --initrd "$INITRD" --timeout 30
	assert_contains "$OUTPUT" "truncated" "error message"
	[ "$(printf '%s\n' "$OUTPUT" | wc -l)" = 1 ] || fail "more than one line: $OUTPUT"
}

# A hand-made ELF "kernel" whose entry is ud2 (tests/lib.sh): with the VMM's
# empty IDT the #UD escalates to a triple fault.
test_triple_fault_is_an_error() {
	vmm_assets
	write_ud2_kernel "$TEST_TMP/tf.elf"
	assert_status 1 "$VMM" --kernel "$TEST_TMP/tf.elf" --timeout 30
	assert_contains "$OUTPUT" "triple-fault" "reason"
	# registers are dumped; on AMD, KVM has already reset the vCPU after the
	# shutdown intercept (the VMCB is undefined then), so rip is not checked
	assert_contains "$OUTPUT" "rip=" "vCPU registers"
	assert_contains "$OUTPUT" "cr0=" "vCPU registers"
}

test_stats_json_has_markers_and_exits() {
	vmm_assets
	local stats=$TEST_TMP/stats.json
	assert_status 0 vm "$BZIMAGE" '/bin/isolab-guest marker workload; /bin/isolab-guest ping' --stats "$stats"
	assert_contains "$OUTPUT" "pong" "ping reply"
	python3 - "$stats" <<'PY' || fail "stats: $(cat "$stats")"
import json, sys
d = json.load(open(sys.argv[1]))
names = [m["name"] for m in d["markers"]]
assert names[:2] == ["init", "workload"], names
t = d["times_ns"]
assert 0 < t["vm_created"] <= t["first_guest_entry"] < d["markers"][0]["ns"] <= d["markers"][1]["ns"] <= t["exit"], (t, d["markers"])
e = d["exits"]
assert e["by_reason"]["io"] > 0 and e["total"] >= e["by_reason"]["io"], e
assert e["io_by_port"]["0xef0"] == len("init\n") + len("workload\n"), e["io_by_port"]
assert e["io_by_port"]["0xef1"] == 1 and e["io_by_port"]["0xf4"] == 1, e["io_by_port"]
assert e["io_by_port"].get("0x3fd", 0) > 0, e["io_by_port"]
m = d["memory"]
assert d["guest_memory_bytes"] == 128 << 20
assert 0 < m["guest_pages_touched"] * m["page_size"] <= d["guest_memory_bytes"], m
assert 0 < m["vmm_own_peak_bytes"] < m["vmm_peak_rss_bytes"], m
assert d["stop_reason"] == "debug-exit" and d["exit_status"] == 0, d
PY
}

test_kernel_panic_is_an_error() {
	vmm_assets
	# an init that exits at once: "Attempted to kill init", panic=-1 reboots
	assert_status 1 "$VMM" --kernel "$BZIMAGE" --initrd "$INITRD" --timeout 120 \
		--append 'rdinit=/bin/false' </dev/null
	assert_contains "$OUTPUT" "Kernel panic" "guest console"
	assert_contains "$OUTPUT" "isolab-vmm: guest kernel panicked" "stop reason"
}

test_input_larger_than_the_buffer_arrives_whole() {
	vmm_assets
	local out status=0
	# about 1.3 KiB of input against the UART's 1 KiB buffer: back-pressure, no loss
	out=$( { for i in $(seq 1 60); do echo "echo got-\$((1000+$i))"; done; echo 'exit 5'; } |
		"$VMM" --kernel "$BZIMAGE" --initrd "$INITRD" --timeout 200 2>&1) || status=$?
	assert_eq 5 "$status" "exit status"
	for n in 1001 1030 1060; do
		assert_contains "$out" "got-$n" "answer $n"
	done
}

test_sigint_and_large_memory() {
	vmm_assets
	local pid status=0
	"$VMM" --kernel "$VMLINUX" --initrd "$INITRD" --mem 1G --timeout 120 \
		--append 'isolab_run="grep MemTotal /proc/meminfo; sleep 1000"' </dev/null >"$TEST_TMP/out" 2>&1 &
	pid=$!
	for _ in $(seq 1 60); do
		grep -q MemTotal "$TEST_TMP/out" && break
		sleep 1
	done
	kill -INT "$pid"
	wait "$pid" || status=$?
	assert_eq 130 "$status" "exit status after SIGINT"
	local kb
	kb=$(awk '/MemTotal/ {print $2}' "$TEST_TMP/out")
	[ -n "$kb" ] && [ "$kb" -gt 900000 ] || fail "guest MemTotal '$kb' kB with --mem 1G"
}

test_terminal_is_raw_then_restored() {
	vmm_assets
	command -v script >/dev/null || skip "script(1) (util-linux) not installed"
	# script(1) gives isolab-vmm a pseudo-terminal as stdin; the settings
	# before and after must match, and the guest shell must see our line.
	cat >"$TEST_TMP/run.sh" <<SH
stty -g >"$TEST_TMP/before"
"$VMM" --kernel "$BZIMAGE" --initrd "$INITRD" --timeout 120
echo "status=\$?"
stty -g >"$TEST_TMP/after"
SH
	local out
	out=$( { sleep 1; printf 'echo tty-$((20+3))\rexit 4\r'
		# keep script's stdin open until the run ends
		for _ in $(seq 1 140); do [ -f "$TEST_TMP/after" ] && break; sleep 1; done; } |
		timeout 150 script -qec "bash $TEST_TMP/run.sh" /dev/null 2>&1) || true
	assert_contains "$out" "tty-23" "guest shell's answer"
	assert_contains "$out" "status=4" "exit status"
	assert_eq "$(cat "$TEST_TMP/before")" "$(cat "$TEST_TMP/after")" "terminal settings after the VM"
}
