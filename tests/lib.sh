# tests/lib.sh: helpers every integration test file can use.
#
# An integration test file is <component>/tests/integration/NAME.sh. It sets
#   WHERE="..."      where it runs, one or more of:
#                      host  on the machine `make test` runs on, as it is
#                      kvm   needs a usable /dev/kvm: natively if there is one,
#                            else inside the nested-KVM lab
#                      v2    needs a pure cgroup v2 system: natively if the
#                            host is one, else inside the lab
#   TEST_TIMEOUT=S   (optional) per-test limit in seconds, default 300
# and defines functions named test_*; each runs in its own bash process
# with `set -euo pipefail`, and passes by returning 0. `skip "reason"`
# skips it, `fail "message"` fails it.
#
# Available variables: ISOLAB_ROOT (repository), ISOLAB_BUILD (build dir),
# ISOLAB_PLACE ("host" or "lab"), TEST_TMP (a fresh directory, removed
# after the test).

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

skip() {
	echo "SKIP: $*" >&2
	exit 77
}

# assert_eq EXPECTED ACTUAL WHAT
assert_eq() {
	[ "$1" = "$2" ] || fail "$3: expected '$1', got '$2'"
}

# assert_contains HAYSTACK NEEDLE WHAT
assert_contains() {
	case "$1" in
	*"$2"*) ;;
	*) fail "$3: '$2' not found in: $(printf '%s' "$1" | tail -c 2000)" ;;
	esac
}

# assert_not_contains HAYSTACK NEEDLE WHAT
assert_not_contains() {
	case "$1" in
	*"$2"*) fail "$3: '$2' unexpectedly found" ;;
	*) ;;
	esac
}

# assert_status EXPECTED CMD ARGS...: runs CMD, checks its exit status;
# its stdout+stderr are left in $OUTPUT.
assert_status() {
	local want=$1 got=0
	shift
	OUTPUT=$("$@" 2>&1) || got=$?
	[ "$got" = "$want" ] || fail "$*: exit status $got, expected $want; output: $(printf '%s' "$OUTPUT" | tail -c 2000)"
}

# kvm_usable: true when /dev/kvm opens read-write.
kvm_usable() {
	[ -c /dev/kvm ] && { exec 9<>/dev/kvm; } 2>/dev/null && exec 9>&-
}

# write_ud2_kernel PATH: a hand-made ELF64 "vmlinux" that isolab-vmm's
# parser accepts (one PT_LOAD at 16 MiB) and whose entry is ud2: with the
# VMM's empty IDT the #UD escalates to a triple fault.
write_ud2_kernel() {
	python3 - "$1" <<'PY'
import struct, sys
entry = 0x1000000
code = b"\x0f\x0b" * 8                         # ud2
ehdr = struct.pack("<16sHHIQQQIHHHHHH", b"\x7fELF\x02\x01\x01" + b"\0" * 9, 2, 62, 1,
                   entry, 64, 0, 0, 64, 56, 1, 0, 0, 0)
phdr = struct.pack("<IIQQQQQQ", 1, 5, 0x1000, entry, entry, len(code), len(code), 0x1000)
data = ehdr + phdr
data += b"\0" * (0x1000 - len(data)) + code
open(sys.argv[1], "wb").write(data)
PY
}
