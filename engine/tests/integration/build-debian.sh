# engine/tests/integration/build-debian.sh: `isolab build` on a real base
# image (issue 10, items 5 and 6). Debian bookworm (minbase, from
# `make debian-base`: build/debian/bookworm.tar) is imported into a store
# of the test's own; the flat apt repository made with it (build/debian/apt)
# is served on 127.0.0.1, since a test talks only to loopback. The
# multi-stage example (engine/tests/dockerfiles/debian-static.Dockerfile)
# installs gcc with apt-get under --network host, compiles a static program
# and copies it alone into FROM scratch. Under --network none the apt step
# fails, named, and leaves nothing. Natively (RUN steps are isolab-ctr
# containers).
WHERE="host"
TEST_TIMEOUT=600
# not a network test: containers get a loopback-only namespace (network.sh
# tests the default network)
export ISOLAB_NETWORK=none

ISOLAB=${ISOLAB_BUILD:-build}/isolab
DEBIAN=${ISOLAB_BUILD:-build}/debian
EXAMPLE=engine/tests/dockerfiles/debian-static

# A store of the test's own with debian:bookworm, the example's context in
# $CTX, the repository served on 127.0.0.1:$PORT until the test ends.
need_debian() {
	[ "$(id -u)" = 0 ] || skip "needs root"
	[ -x "$ISOLAB" ] && [ -x "${ISOLAB_BUILD:-build}/isolab-full" ] || skip "build/isolab not built (make all)"
	[ -s "$DEBIAN/bookworm.tar" ] && [ -s "$DEBIAN/apt/Packages" ] ||
		skip "no Debian base image and apt repository in $DEBIAN (make debian-base: mmdebstrap and apt-get from the Debian archive)"
	STORE=$TEST_TMP/store
	export ISOLAB_ROOT=$STORE # as --root, for anything that would forget it
	eng import "$DEBIAN/bookworm.tar" debian:bookworm
	assert_eq 0 "$STATUS" "import the base: $OUTPUT"
	CTX=$TEST_TMP/ctx
	mkdir -p "$CTX"
	cp "$EXAMPLE.c" "$CTX/"
	python3 -m http.server --bind 127.0.0.1 --directory "$DEBIAN/apt" 0 >"$TEST_TMP/http.log" 2>&1 &
	HTTP_PID=$!
	trap 'kill $HTTP_PID 2>/dev/null; wait $HTTP_PID 2>/dev/null || true' EXIT
	PORT=""
	for _ in $(seq 100); do
		PORT=$(sed -n 's/^Serving HTTP on .* port \([0-9]*\) .*/\1/p' "$TEST_TMP/http.log")
		[ -n "$PORT" ] && break
		sleep 0.1
	done
	[ -n "$PORT" ] || fail "the repository's HTTP server did not start: $(cat "$TEST_TMP/http.log")"
}

eng() { OUTPUT=$("$ISOLAB" --root "$STORE" "$@" 2>&1) && STATUS=0 || STATUS=$?; }
build_example() { eng build --build-arg "APT_PORT=$PORT" -f "$EXAMPLE.Dockerfile" "$@" "$CTX"; }
size_of() { "$ISOLAB" --root "$STORE" inspect "$1" | jq '.[0].Size'; }
# the files in the blob of the image's only layer
layer_files() {
	local manifest
	manifest=$(jq -r --arg n "$1" '.manifests[] | select(.annotations["org.opencontainers.image.ref.name"] == $n) | .digest' \
		"$STORE/index.json")
	tar -tzf "$STORE/blobs/sha256/$(jq -r '.layers[0].digest' "$STORE/blobs/sha256/${manifest#sha256:}" | cut -d: -f2)"
}
# what a build's containers could leave: their state dirs, cgroups, processes
leftovers() {
	ls -d /run/isolab-ctr/isolab-build-* /sys/fs/cgroup/isolab-ctr/isolab-build-* \
		/sys/fs/cgroup/*/isolab-ctr/isolab-build-* 2>/dev/null | sort || true
}
store_state() { (cd "$STORE" && find blobs layers containers tmp -mindepth 1 | sort | md5sum); }

test_debian_apt_gcc_multistage_into_scratch() {
	need_debian
	build_example --network host -t hello:1
	assert_eq 0 "$STATUS" "build: $OUTPUT"
	assert_contains "$OUTPUT" "Setting up gcc-12" "apt-get installed the compiler"
	assert_contains "$(cat "$TEST_TMP/http.log")" "\"GET /./gcc-12_" "from the repository on 127.0.0.1"
	# the sizes of the build stage and of the final image, as the build prints them
	local stage final
	stage=$(sed -n 's/^stage 0 compile: \([0-9]*\) bytes in 4 layers$/\1/p' <<<"$OUTPUT")
	final=$(sed -n 's/^image: \([0-9]*\) bytes in 1 layer$/\1/p' <<<"$OUTPUT")
	[ -n "$stage" ] && [ -n "$final" ] || fail "the stages' sizes are printed: $OUTPUT"
	[ $((final * 100)) -lt "$stage" ] || fail "the final image ($final bytes) is not far smaller than the build stage ($stage)"

	# the final image: one layer, the program alone, which runs
	assert_eq 1 "$("$ISOLAB" --root "$STORE" inspect hello:1 | jq '.[0].RootFS.Layers | length')" "one layer"
	assert_eq hello "$(layer_files hello:1)" "the final layer holds the program alone"
	eng run --rm hello:1
	assert_eq 0 "$STATUS" "run: $OUTPUT"
	assert_eq "hello from a static binary on Linux" "$OUTPUT" "what the program prints"

	# the build stage alone (--target: every step from the cache) has gcc, installed by apt
	build_example --network host --target compile -t hello:compile
	assert_eq 0 "$STATUS" "build --target: $OUTPUT"
	assert_eq 5 "$(grep -c -- '---> CACHED' <<<"$OUTPUT")" "the stage's 5 steps after FROM from the cache: $OUTPUT"
	assert_not_contains "$OUTPUT" "Step 7/9" "stopped at the stage"
	eng run --rm hello:compile sh -c 'dpkg-query -W -f="\${Status}\n" gcc libc6-dev; ls /usr/bin/gcc'
	assert_eq "install ok installed
install ok installed
/usr/bin/gcc" "$OUTPUT" "gcc and libc6-dev in the build stage's image"

	# both sizes in `isolab images`, the final one far smaller
	eng images
	assert_contains "$OUTPUT" "SIZE" "images: $OUTPUT"
	assert_contains "$(grep '^hello  *1 ' <<<"$OUTPUT")" "KiB" "the final image's size"
	assert_contains "$(grep '^hello  *compile ' <<<"$OUTPUT")" "MiB" "the build stage's size"
	[ $(($(size_of hello:1) * 100)) -lt "$(size_of hello:compile)" ] ||
		fail "inspect's sizes: $(size_of hello:1) against $(size_of hello:compile)"

	# the network is in RUN's cache key: under none, the apt step runs again, and fails
	build_example --network none -t hello:nonet
	assert_eq 100 "$STATUS" "apt-get under --network none: $OUTPUT"
	assert_not_contains "$(sed -n '/^Step 4\/9/,$p' <<<"$OUTPUT")" "---> CACHED" "the apt step not from the cache"
}

test_apt_without_network_fails_and_leaves_nothing() {
	need_debian
	local before_store before_left
	before_store=$(store_state)
	before_left=$(leftovers)
	build_example --network none -t nonet:1
	assert_eq 100 "$STATUS" "apt-get's status: $OUTPUT"
	assert_contains "$OUTPUT" "Unable to locate package gcc" "apt-get could not reach the repository"
	assert_contains "$(tail -n 1 <<<"$OUTPUT")" \
		"isolab: $EXAMPLE.Dockerfile:13: RUN echo \"deb [trusted=yes] http://127.0.0.1:\${APT_PORT} ./\"" \
		"the step named"
	assert_contains "$(tail -n 1 <<<"$OUTPUT")" ": exit status 100" "its status"
	assert_not_contains "$(cat "$TEST_TMP/http.log")" "GET" "no request reached the host's loopback"
	assert_eq "$before_store" "$(store_state)" "no blob, layer, container or temp file left"
	assert_eq "$before_left" "$(leftovers)" "no container state or cgroup left"
	assert_not_contains "$(cat /proc/self/mountinfo)" "$STORE" "no mount left"
	assert_eq "" "$(pgrep -f -- "--layer $STORE" || true)" "no process left"
	eng images
	assert_not_contains "$OUTPUT" "nonet" "no image named"
	eng ps -a
	assert_eq 1 "$(grep -c . <<<"$OUTPUT")" "no container: $OUTPUT"
}
