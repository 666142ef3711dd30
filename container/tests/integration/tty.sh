# container/tests/integration/tty.sh: the container's terminal follows the
# caller's window (container/tty.h): `run -t` copies the size at the start
# and again on each SIGWINCH (ptyrun.py resizes its pty once the program
# says READY); a bundle's process.consoleSize is the size of the terminal
# `create --console-socket` hands over (recvtty.py).
WHERE="host"
TEST_TIMEOUT=60

source "${ISOLAB_ROOT:-.}/container/tests/ctr-lib.sh"

PROGRAM='stty size; echo READY; for i in $(seq 50); do s=$(stty size); [ "$s" != "30 100" ] && break; sleep 0.1; done; echo now $s'

test_run_t_window_size_follows_the_terminal() {
	need
	command -v python3 >/dev/null || skip "no python3"
	local out
	out=$(python3 "${ISOLAB_ROOT:-.}/container/tests/ptyrun.py" --size 30,100 --resize-on READY 40,120 \
		"$CTR" run --rootfs "$ROOTFS" -t -- sh -c "$PROGRAM")
	assert_contains "$out" "status=0" "run -t"
	assert_contains "$out" "30 100\\r\\nREADY" "the caller's size at the start"
	assert_contains "$out" "now 40 120" "the new size after SIGWINCH"
}

test_console_size_of_a_bundle() {
	need
	command -v python3 >/dev/null || skip "no python3"
	command -v jq >/dev/null || skip "no jq"
	local b=$TEST_TMP/bundle r=$TEST_TMP/root
	mkdir -p "$b"
	"$CTR" spec --bundle "$b"
	jq --arg r "$(realpath "$ROOTFS")" '.root.path = $r | .process.args = ["sh"] |
		.process.terminal = true | .process.consoleSize = {height: 33, width: 99}' \
		"$b/config.json" >"$b/c.json"
	mv "$b/c.json" "$b/config.json"
	OUTPUT=$(python3 "${ISOLAB_ROOT:-.}/container/tests/recvtty.py" "$CTR" "$r" "$b" t1 \
		"$TEST_TMP/console.sock" 'stty size; exit 0') || fail "recvtty: $OUTPUT"
	assert_contains "$OUTPUT" "33 99" "process.consoleSize"
	"$CTR" --root "$r" delete --force t1
	[ ! -e "$r/t1" ] || fail "state dir left"
}
