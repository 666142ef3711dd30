# engine/tests/integration/vm.sh: `isolab run --vm`, an image booted as a
# microVM (engine/README.md, "Run an image as a VM"): the same image, the
# same options, the same output and status as a container; the image's
# disk built once per image ID; the writable layer lost at exit; stdin
# with -i; guest RAM and vCPUs. Needs a usable /dev/kvm (the lab); the
# refusals that need none are vm-refusals.sh.
WHERE="kvm"
TEST_TIMEOUT=600
# not a network test: containers get a loopback-only namespace
export ISOLAB_NETWORK=none

ISOLAB=${ISOLAB_BUILD:-build}/isolab
SRC=${ISOLAB_ROOT:-.} # the repository (need_vm points ISOLAB_ROOT at a store)
BB_ROOTFS=${ISOLAB_BUILD:-build}/image/rootfs

need_vm() {
	[ "$(id -u)" = 0 ] || skip "needs root"
	[ -x "$ISOLAB" ] && [ -x "${ISOLAB_BUILD:-build}/isolab-full" ] || skip "build/isolab not built (make all)"
	[ -x "${ISOLAB_BUILD:-build}/isolab-vminit" ] || skip "build/isolab-vminit not built (make all)"
	[ -f "${ISOLAB_BUILD:-build}/guest/bzImage" ] || skip "no guest kernel (make kernel)"
	[ -x "$BB_ROOTFS/bin/busybox" ] || skip "no image (make image)"
	export ISOLAB_ROOT=$TEST_TMP/store TMPDIR=$TEST_TMP/tmp
	mkdir -p "$TMPDIR"
	tar -C "$BB_ROOTFS" -czf "$TEST_TMP/bb.tar.gz" .
	"$ISOLAB" import "$TEST_TMP/bb.tar.gz" bb:1 >/dev/null || fail "import the image"
}

# isolab ARGS: status in STATUS, stdout+stderr in OUTPUT (never fails)
eng() { OUTPUT=$("$ISOLAB" "$@" 2>&1) && STATUS=0 || STATUS=$?; }

# same OPTIONS... -- IMAGE [CMD...]: the container's and the VM's output and
# status are the same (left in OUTPUT and STATUS).
same() {
	local opts=() ctr ctr_status
	while [ "$1" != "--" ]; do opts+=("$1"); shift; done
	shift
	eng run --rm "${opts[@]}" "$@" </dev/null
	ctr=$OUTPUT ctr_status=$STATUS
	eng run --rm --vm "${opts[@]}" "$@" </dev/null
	assert_eq "$ctr" "$OUTPUT" "output of ${opts[*]} $*, container then VM"
	assert_eq "$ctr_status" "$STATUS" "status of ${opts[*]} $*, container then VM"
}

disk_of() { ls "$ISOLAB_ROOT"/vmdisks/*.ext4; }

# Nothing of a run is left: the store's tmp, mounts, isolab-vmm processes.
nothing_left() {
	assert_eq "" "$(find "$ISOLAB_ROOT/tmp" "$TMPDIR" -mindepth 1)" "the store's tmp and TMPDIR after the runs"
	assert_eq "" "$(grep -F "$TEST_TMP" /proc/mounts || true)" "mounts left"
	assert_eq "" "$(pgrep -f "isolab-vmm.*$ISOLAB_ROOT" || true)" "isolab-vmm left running"
}

test_same_output_as_a_container() {
	need_vm
	same --hostname h1 -- bb:1 sh -c 'hostname; cat /etc/isolab-release; id; pwd'
	assert_contains "$OUTPUT" "h1" "the hostname"
	assert_contains "$OUTPUT" "uid=0(root) gid=0(root)" "root by default"
	same -u nobody -- bb:1 id
	assert_contains "$OUTPUT" "uid=65534(nobody) gid=65534(nogroup)" "-u by name"
	same -u 1:2 -- bb:1 id -u
	assert_eq 1 "$OUTPUT" "-u by number"
	same -w /tmp -- bb:1 pwd
	assert_eq /tmp "$OUTPUT" "-w"
	# a missing working directory is made, as Docker and runc do
	same -w /not/yet -- bb:1 pwd
	assert_eq /not/yet "$OUTPUT" "-w of a missing directory: made"
	same --hostname h1 -e FOO='two words' -e PATH=/bin -- bb:1 sh -c 'echo "$FOO"; env | sort'
	assert_contains "$OUTPUT" "FOO=two words" "-e"
	same -- bb:1 sh -c 'echo out; echo err >&2; printf "no newline"'
	assert_eq "out
err
no newline" "$OUTPUT" "stdout and stderr, no \\r added, a last line without newline"
	same -- bb:1 ls /
	assert_not_contains "$OUTPUT" "lost+found" "mkfs's lost+found is not in the image"
	same --entrypoint echo -- bb:1 a b
	assert_eq "a b" "$OUTPUT" "--entrypoint"
	nothing_left
}

test_output_bytes_exact() {
	need_vm
	# exactly the program's bytes on stdout: nothing of the boot before
	# them, nothing after, no \r
	"$ISOLAB" run --rm --vm bb:1 printf 'a\nb' >"$TEST_TMP/out" 2>"$TEST_TMP/err" || fail "printf: $(cat "$TEST_TMP/err")"
	assert_eq "610a62" "$(od -An -tx1 "$TEST_TMP/out" | tr -d ' \n')" "stdout bytes"
	assert_eq "" "$(cat "$TEST_TMP/err")" "stderr"
	"$ISOLAB" run --rm --vm bb:1 true >"$TEST_TMP/out" 2>"$TEST_TMP/err" || fail "true: $(cat "$TEST_TMP/err")"
	assert_eq 0 "$(stat -c %s "$TEST_TMP/out")" "true prints nothing: $(od -c "$TEST_TMP/out")"
	nothing_left
}

test_image_config_acts_the_same() {
	need_vm
	# the build tests' Dockerfile: ENV, WORKDIR, USER, ENTRYPOINT + CMD, a
	# whiteout (RUN rm /bin/vi) in a layer of its own
	eng build --build-arg BASE=bb:1 -t basics:1 "$SRC/engine/tests/dockerfiles/basics"
	assert_eq 0 "$STATUS" "build: $OUTPUT"
	same -- basics:1
	assert_contains "$OUTPUT" "two words" "Entrypoint + Cmd, Env"
	same --entrypoint pwd -- basics:1
	assert_eq /srv/app "$OUTPUT" "WorkingDir"
	same -- basics:1 -x
	same --entrypoint id -- basics:1
	assert_contains "$OUTPUT" "uid=65534(nobody) gid=65534(nogroup)" "the image's User"
	same --entrypoint sh -u 0 -w / -e MODE=x -- basics:1 -c 'pwd; id -u; echo $MODE $APP_HOME; ls /bin/vi'
	assert_contains "$OUTPUT" "No such file" "the whiteout of /bin/vi"
	nothing_left
}

test_exit_status_passes_through() {
	need_vm
	eng run --rm --vm bb:1 sh -c 'exit 7'
	assert_eq 7 "$STATUS" "exit 7: $OUTPUT"
	eng run --rm --vm bb:1 sh -c 'kill -TERM $$'
	assert_eq 143 "$STATUS" "killed by SIGTERM: $OUTPUT"
	eng run --rm --vm bb:1 no-such-program
	assert_eq 127 "$STATUS" "not found: 127, as docker run and a container"
	assert_eq "isolab-vminit: exec \`no-such-program\`: command not found in PATH" "$OUTPUT" "not found: the line"
	eng run --rm --vm bb:1 /etc/passwd
	assert_eq 126 "$STATUS" "not executable: 126: $OUTPUT"
	nothing_left
}

test_disk_built_once_and_left_unchanged() {
	need_vm
	eng run --rm --vm bb:1 sh -c 'echo x > /etc/new-file; cat /etc/new-file; rm /bin/ls'
	assert_eq 0 "$STATUS" "first run: $OUTPUT"
	assert_eq x "$OUTPUT" "the program writes into its writable layer"
	local disk before
	disk=$(disk_of)
	assert_eq 1 "$(ls "$ISOLAB_ROOT"/vmdisks | wc -l)" "one disk"
	before=$(stat -c '%i %Y %s' "$disk")-$(sha256sum <"$disk")
	eng run --rm --vm bb:1 sh -c 'cat /etc/new-file; ls /bin/ls'
	assert_eq 0 "$STATUS" "second run: $OUTPUT"
	assert_contains "$(head -n 1 <<<"$OUTPUT")" "No such file or directory" "the first run's write is gone"
	assert_eq /bin/ls "$(tail -n 1 <<<"$OUTPUT")" "the first run's rm is gone"
	assert_eq "$before" "$(stat -c '%i %Y %s' "$disk")-$(sha256sum <"$disk")" "the cached disk: not rebuilt, not written"
	# another image: a disk of its own
	eng run --name c1 bb:1 touch /marker
	"${ISOLAB_BUILD:-build}/isolab-full" commit c1 bb:2 >/dev/null
	"$ISOLAB" rm c1 >/dev/null
	eng run --rm --vm bb:2 ls /marker
	assert_eq /marker "$OUTPUT" "the committed image's layer"
	assert_eq 2 "$(ls "$ISOLAB_ROOT"/vmdisks | wc -l)" "a disk per image ID"
	# an image removed takes its disk with it (the store's garbage collection)
	"$ISOLAB" rmi bb:2 >/dev/null
	assert_eq "$disk" "$(ls "$ISOLAB_ROOT"/vmdisks/*.ext4)" "bb:2's disk gone, bb:1's kept"
	nothing_left
}

test_stdin_with_i() {
	need_vm
	OUTPUT=$(printf 'hi\nthere' | "$ISOLAB" run --rm -i --vm bb:1 cat 2>&1) && STATUS=0 || STATUS=$?
	assert_eq 0 "$STATUS" "cat: $OUTPUT"
	assert_eq "hi
there" "$OUTPUT" "stdin reaches the program, and its end"
	OUTPUT=$(head -c 100000 /dev/urandom | tee "$TEST_TMP/in" | "$ISOLAB" run --rm -i --vm bb:1 md5sum 2>&1) || fail "md5sum: $OUTPUT"
	assert_eq "$(md5sum <"$TEST_TMP/in")" "$OUTPUT" "binary stdin, whole"
	# without -i, as docker run: no stdin
	OUTPUT=$(echo hi | "$ISOLAB" run --rm --vm bb:1 cat 2>&1) || fail "cat without -i: $OUTPUT"
	assert_eq "" "$OUTPUT" "without -i the program's stdin is empty"
	nothing_left
}

test_memory_and_cpus() {
	need_vm
	eng run --rm --vm --memory 256M --cpus 2 bb:1 sh -c 'nproc; grep MemTotal /proc/meminfo'
	assert_eq 0 "$STATUS" "$OUTPUT"
	assert_eq 2 "$(head -n 1 <<<"$OUTPUT")" "--cpus 2"
	local kb
	kb=$(awk '/MemTotal/ { print $2 }' <<<"$OUTPUT")
	[ "$kb" -gt 200000 ] && [ "$kb" -le 262144 ] || fail "--memory 256M: MemTotal $kb kB"
	eng run --rm --vm --cpus 1.5 bb:1 true
	assert_eq 125 "$STATUS" "--cpus 1.5 for a VM: $OUTPUT"
	nothing_left
}
