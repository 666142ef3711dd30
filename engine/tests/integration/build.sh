# engine/tests/integration/build.sh: `isolab build` end to end: a layer per
# filesystem step, history, the cache (CACHED, no new blob, same ID; a
# changed file rebuilds from its step on), .dockerignore, multi-stage into
# FROM scratch, ADD of archives and URLs, Docker's ENTRYPOINT/CMD table on
# built images, and bad input (a syntax error, a failing RUN) leaving the
# store as it was. Natively (RUN steps are isolab-ctr containers).
WHERE="host"
TEST_TIMEOUT=600
# not a network test: containers get a loopback-only namespace (network.sh
# tests the default network)
export ISOLAB_NETWORK=none

ISOLAB=${ISOLAB_BUILD:-build}/isolab
BB_ROOTFS=${ISOLAB_BUILD:-build}/image/rootfs

need_build() {
	[ "$(id -u)" = 0 ] || skip "needs root"
	[ -x "$ISOLAB" ] && [ -x "${ISOLAB_BUILD:-build}/isolab-full" ] || skip "build/isolab not built (make all)"
	[ -x "$BB_ROOTFS/bin/busybox" ] || skip "no image (make image)"
	export ISOLAB_ROOT=$TEST_TMP/store
	tar -C "$BB_ROOTFS" -czf "$TEST_TMP/bb.tar.gz" .
	"$ISOLAB" import "$TEST_TMP/bb.tar.gz" base:1 >/dev/null || fail "import the base"
	CTX=$TEST_TMP/ctx
	mkdir -p "$CTX"
}

eng() { OUTPUT=$("$ISOLAB" "$@" 2>&1) && STATUS=0 || STATUS=$?; }
blobs() { find "$ISOLAB_ROOT/blobs/sha256" -type f | sort; }
store_state() { (cd "$ISOLAB_ROOT" && find blobs layers containers tmp -mindepth 1 | sort | md5sum); }
layers_of() { "$ISOLAB" inspect "$1" | jq '.[0].RootFS.Layers | length'; }

test_build_layers_history_and_run() {
	need_build
	echo "hello from the context" >"$CTX/greeting"
	cat >"$CTX/Dockerfile" <<'EOF'
# a comment, then a continuation
FROM base:1
ENV GREETING=hi \
    WHO=world
WORKDIR /app
COPY greeting ./
RUN echo "$GREETING $WHO" > /app/said && rm /bin/vi
LABEL org.example.step=five
EXPOSE 8080
CMD ["cat", "/app/said", "/app/greeting"]
EOF
	eng build -t app:1 "$CTX"
	assert_eq 0 "$STATUS" "build: $OUTPUT"
	assert_contains "$OUTPUT" "Step 5/8 : RUN echo" "steps numbered"
	assert_contains "$OUTPUT" "Successfully tagged app:1" "tagged"
	assert_eq 3 "$(layers_of app:1)" "base + COPY + RUN: three layers"
	eng run --rm app:1
	assert_eq "hi world
hello from the context" "$OUTPUT" "CMD, ENV, WORKDIR, COPY and RUN's file"
	eng run --rm app:1 sh -c 'pwd; ls /bin/vi 2>&1'
	assert_contains "$OUTPUT" "/app" "WorkingDir"
	assert_contains "$OUTPUT" "No such file" "RUN's rm is a whiteout in its layer"
	eng inspect app:1
	assert_eq '{"8080/tcp":{}}' "$(jq -c '.[0].Config.ExposedPorts' <<<"$OUTPUT")" "EXPOSE"
	assert_eq five "$(jq -r '.[0].Config.Labels["org.example.step"]' <<<"$OUTPUT")" "LABEL"
	eng history app:1
	assert_eq 9 "$(grep -c . <<<"$OUTPUT")" "header, 7 steps, the import: $OUTPUT"
	assert_contains "$(grep 'RUN echo' <<<"$OUTPUT")" "KiB" "RUN's layer has a size"
	assert_contains "$(grep 'ENV GREETING' <<<"$OUTPUT")" " 0 B " "ENV: empty layer"
}

test_build_cache_reuses_and_rebuilds_from_the_change() {
	need_build
	echo one >"$CTX/a"
	echo two >"$CTX/b"
	cat >"$CTX/Dockerfile" <<'EOF'
FROM base:1
RUN echo first > /first
COPY a /a
RUN cat /a > /seen-a
COPY b /b
RUN cat /b > /seen-b
EOF
	eng build -t c:1 "$CTX"
	assert_eq 0 "$STATUS" "first build: $OUTPUT"
	local id1 before
	id1=$("$ISOLAB" inspect c:1 | jq -r '.[0].Id')
	before=$(blobs)
	eng build -t c:1 "$CTX"
	assert_eq 0 "$STATUS" "rebuild: $OUTPUT"
	assert_eq 5 "$(grep -c -- '---> CACHED' <<<"$OUTPUT")" "every step after FROM CACHED: $OUTPUT"
	assert_eq "$id1" "$("$ISOLAB" inspect c:1 | jq -r '.[0].Id')" "same image ID"
	assert_eq "$before" "$(blobs)" "no new blob"
	# b changes: the steps before COPY b stay cached, the rest run again
	echo three >"$CTX/b"
	eng build -t c:2 "$CTX"
	assert_eq 0 "$STATUS" "after a change: $OUTPUT"
	assert_eq 3 "$(grep -c -- '---> CACHED' <<<"$OUTPUT")" "three steps cached"
	assert_contains "$(sed -n '/Step 5\/6/,$p' <<<"$OUTPUT")" "---> layer" "COPY b rebuilt"
	eng run --rm c:2 cat /seen-b
	assert_eq three "$OUTPUT" "the new content"
	eng build --no-cache -t c:3 "$CTX"
	assert_eq 0 "$(grep -c -- '---> CACHED' <<<"$OUTPUT")" "--no-cache"
}

test_dockerignore_shrinks_the_context() {
	need_build
	head -c 300000 /dev/urandom >"$CTX/big.bin"
	mkdir -p "$CTX/src" "$CTX/logs" && echo code >"$CTX/src/main.c" && echo log >"$CTX/logs/x.log"
	echo keep >"$CTX/logs/keep.log"
	printf 'FROM base:1\nCOPY . /ctx\n' >"$CTX/Dockerfile"
	eng build -t ig:0 "$CTX"
	local full
	full=$(sed -n 's/^Sending build context: \([0-9]*\) bytes.*/\1/p' <<<"$OUTPUT")
	printf '*.bin\nlogs\n!logs/keep.log\n' >"$CTX/.dockerignore"
	eng build -t ig:1 "$CTX"
	assert_eq 0 "$STATUS" "$OUTPUT"
	local small
	small=$(sed -n 's/^Sending build context: \([0-9]*\) bytes.*/\1/p' <<<"$OUTPUT")
	[ "$full" -gt 300000 ] && [ "$small" -lt 1000 ] || fail "context $full bytes, then $small"
	eng run --rm ig:1 sh -c 'cd /ctx && find . -type f | sort'
	assert_eq "./.dockerignore
./Dockerfile
./logs/keep.log
./src/main.c" "$OUTPUT" "what COPY . took"
}

test_multistage_into_scratch() {
	need_build
	cat >"$CTX/Dockerfile" <<'EOF'
FROM base:1 AS builder
RUN mkdir -p /out && cp /bin/busybox /out/echo && dd if=/dev/zero of=/junk bs=1k count=200 2>/dev/null
FROM scratch
COPY --from=builder /out/echo /echo
ENTRYPOINT ["/echo"]
CMD ["from scratch"]
EOF
	eng build -t ms:1 "$CTX"
	assert_eq 0 "$STATUS" "$OUTPUT"
	assert_contains "$OUTPUT" "stage 0 builder:" "the build stage's size is printed"
	assert_eq 1 "$(layers_of ms:1)" "one layer: the tool alone"
	eng run --rm ms:1
	assert_eq "from scratch" "$OUTPUT" "runs from scratch"
	local files
	files=$(tar -tzf "$ISOLAB_ROOT/blobs/sha256/$(jq -r '.layers[0].digest' "$ISOLAB_ROOT/blobs/sha256/$(jq -r '.manifests[] | select(.annotations["org.opencontainers.image.ref.name"] == "ms:1") | .digest' "$ISOLAB_ROOT/index.json" | cut -d: -f2)" | cut -d: -f2)")
	assert_eq "echo" "$files" "the final layer holds the program alone"
	eng build --target builder -t ms:builder "$CTX"
	assert_eq 2 "$(layers_of ms:builder)" "--target stops at the stage"
}

test_add_unpacks_archives_and_urls_need_allow_url() {
	need_build
	mkdir -p "$TEST_TMP/t/d" && echo inside >"$TEST_TMP/t/d/f"
	tar -C "$TEST_TMP/t" -czf "$CTX/arch.tar.gz" d
	printf 'FROM base:1\nADD arch.tar.gz /x/\nCOPY arch.tar.gz /y/\n' >"$CTX/Dockerfile"
	eng build -t add:1 "$CTX"
	assert_eq 0 "$STATUS" "$OUTPUT"
	eng run --rm add:1 sh -c 'cat /x/d/f; ls /y'
	assert_eq "inside
arch.tar.gz" "$OUTPUT" "ADD unpacks, COPY does not"
	printf 'FROM base:1\nADD http://127.0.0.1:1/x /x\n' >"$CTX/Dockerfile"
	eng build -t add:2 "$CTX"
	assert_eq 1 "$STATUS" "a URL without --allow-url"
	assert_contains "$OUTPUT" "Dockerfile:2: ADD \`http://127.0.0.1:1/x\`: a remote source needs --allow-url" "message"
	# with --allow-url, from a server on loopback
	echo served >"$TEST_TMP/t/served.txt"
	python3 -m http.server --bind 127.0.0.1 --directory "$TEST_TMP/t" 0 >"$TEST_TMP/http.log" 2>&1 &
	local pid=$! port=""
	for _ in $(seq 50); do
		port=$(sed -n 's/.*port \([0-9]*\).*/\1/p' "$TEST_TMP/http.log" | head -n 1)
		[ -n "$port" ] && break
		sleep 0.1
	done
	printf 'FROM base:1\nADD http://127.0.0.1:%s/served.txt /s/\n' "$port" >"$CTX/Dockerfile"
	eng build --allow-url -t add:3 "$CTX"
	kill $pid; wait $pid 2>/dev/null || true
	assert_eq 0 "$STATUS" "$OUTPUT"
	eng run --rm add:3 cat /s/served.txt
	assert_eq served "$OUTPUT" "ADD URL with --allow-url"
}

test_bad_dockerfile_adds_nothing() {
	need_build
	local before
	before=$(store_state)
	printf 'FROM base:1\nFROMM x\n' >"$CTX/Dockerfile"
	eng build -t bad:1 "$CTX"
	assert_eq 1 "$STATUS" "unknown instruction"
	assert_eq 1 "$(grep -c . <<<"$OUTPUT")" "one line: $OUTPUT"
	assert_contains "$OUTPUT" "isolab: $CTX/Dockerfile:2: " "names the file and line"
	printf 'FROM nosuch:1\nRUN true\n' >"$CTX/Dockerfile"
	eng build -t bad:2 "$CTX"
	assert_eq 1 "$STATUS" "unknown base"
	assert_contains "$OUTPUT" "Dockerfile:1: FROM \`nosuch:1\`: not in the store" "message"
	assert_eq "$before" "$(store_state)" "nothing added"
}

test_failing_run_stops_with_its_status() {
	need_build
	local before
	printf 'FROM base:1\nRUN echo ok > /ok\nRUN echo failing; exit 3\nRUN echo never\n' >"$CTX/Dockerfile"
	eng build -t f:1 "$CTX"
	assert_eq 3 "$STATUS" "the RUN's status"
	assert_contains "$OUTPUT" "Dockerfile:3: RUN echo failing; exit 3: exit status 3" "the step named"
	assert_not_contains "$OUTPUT" "never" "stopped there"
	assert_eq "" "$(find "$ISOLAB_ROOT/tmp" -mindepth 1)" "no temp dir left"
	assert_eq "" "$(ls /run/isolab-ctr 2>/dev/null | grep isolab-build || true)" "no container state left"
	eng images
	assert_not_contains "$OUTPUT" "f " "no image named"
}

# Docker's table (docs "Understand how CMD and ENTRYPOINT interact"), on built images.
test_entrypoint_cmd_table() {
	need_build
	local ep cmd n=0 want
	for ep in none 'ENTRYPOINT ["/bin/echo", "e"]' 'ENTRYPOINT echo e'; do
		for cmd in none 'CMD ["c1", "c2"]' 'CMD echo c'; do
			n=$((n + 1))
			{ echo "FROM base:1"; [ "$ep" = none ] || echo "$ep"; [ "$cmd" = none ] || echo "$cmd"; } >"$CTX/Dockerfile"
			eng build -t "t:$n" "$CTX"
			assert_eq 0 "$STATUS" "build $n: $OUTPUT"
			case "$ep|$cmd" in
			"none|none") want="125" ;;
			"none|CMD [\"c1\", \"c2\"]") want="127" ;; # c1 c2: not found
			"none|CMD echo c") want="c" ;;
			"ENTRYPOINT [\"/bin/echo\", \"e\"]|none") want="e" ;;
			"ENTRYPOINT [\"/bin/echo\", \"e\"]|CMD [\"c1\", \"c2\"]") want="e c1 c2" ;;
			"ENTRYPOINT [\"/bin/echo\", \"e\"]|CMD echo c") want="e /bin/sh -c echo c" ;;
			ENTRYPOINT\ echo\ e*) want="e" ;; # shell form ignores CMD
			esac
			eng run --rm "t:$n"
			case $want in
			125 | 127) assert_eq "$want" "$STATUS" "$ep / $cmd: status ($OUTPUT)" ;;
			*) assert_eq "$want" "$OUTPUT" "$ep / $cmd" ;;
			esac
		done
	done
	# run-time arguments replace CMD, ENTRYPOINT stays; --entrypoint replaces it
	eng run --rm t:5 x y
	assert_eq "e x y" "$OUTPUT" "arguments after the image"
	eng run --rm --entrypoint /bin/echo t:5 z
	assert_eq "z" "$OUTPUT" "--entrypoint"
}

# Ctrl-C in the middle of a RUN stops the step and the build at once, 130,
# and leaves no temp dir, container state or image behind.
test_interrupt_stops_a_run_and_leaves_nothing() {
	need_build
	local pid start status=0
	printf 'FROM base:1\nRUN echo first > /first\nRUN sleep 60\n' >"$CTX/Dockerfile"
	"$ISOLAB" build -t int:1 "$CTX" >"$TEST_TMP/out" 2>&1 &
	pid=$!
	for _ in $(seq 100); do grep -q 'Step 3/3' "$TEST_TMP/out" && break; sleep 0.1; done
	sleep 1
	start=$(date +%s)
	kill -INT "$pid"
	wait "$pid" || status=$?
	assert_eq 130 "$status" "status after SIGINT: $(cat "$TEST_TMP/out")"
	[ $(($(date +%s) - start)) -lt 20 ] || fail "the build waited for the RUN to end"
	assert_contains "$(cat "$TEST_TMP/out")" "isolab: interrupted" "message"
	assert_eq "" "$(find "$ISOLAB_ROOT/tmp" -mindepth 1)" "no temp dir left"
	assert_eq "" "$(ls /run/isolab-ctr 2>/dev/null | grep isolab-build || true)" "no container state left"
	eng images
	assert_not_contains "$OUTPUT" "int " "no image"
}
