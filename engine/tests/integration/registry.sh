# engine/tests/integration/registry.sh: push and pull against a real
# registry (Debian's docker-registry, started here on 127.0.0.1 with its own
# storage, stopped after), "only new layers are copied" with numbers, and
# the failures: an unknown tag, a refused connection, a blob whose bytes do
# not match its digest, a transfer cut halfway. Then the tools users have: skopeo and podman read what
# isolab pushes; isolab pulls and runs what buildah builds.
WHERE="host"
TEST_TIMEOUT=300
# not a network test: containers get a loopback-only namespace (network.sh
# tests the default network)
export ISOLAB_NETWORK=none

ISOLAB=${ISOLAB_BUILD:-build}/isolab
BB_ROOTFS=${ISOLAB_BUILD:-build}/image/rootfs
source "${ISOLAB_ROOT:-.}/engine/tests/registry-lib.sh"

need_registry() {
	[ "$(id -u)" = 0 ] || skip "needs root"
	[ -x "$ISOLAB" ] && [ -x "${ISOLAB_BUILD:-build}/isolab-full" ] || skip "build/isolab not built (make all)"
	[ -x "$BB_ROOTFS/bin/busybox" ] || skip "no image (make image)"
	[ -x /usr/bin/docker-registry ] || skip "no docker-registry (make deps)"
	export ISOLAB_ROOT=$TEST_TMP/store
	trap registry_stop EXIT
	registry_start >/dev/null || fail "registry_start: $(registry_log | tail -5)"
	tar -C "$BB_ROOTFS" -czf "$TEST_TMP/bb.tar.gz" .
	eng import "$TEST_TMP/bb.tar.gz" base:1
	assert_eq 0 "$STATUS" "import: $OUTPUT"
}

eng() { OUTPUT=$("$ISOLAB" "$@" 2>&1) && STATUS=0 || STATUS=$?; }

# app:N = base:1 plus one small layer
make_app() {
	eng run --name "mk$1" base:1 sh -c "echo app $1 > /app"
	assert_eq 0 "$STATUS" "run: $OUTPUT"
	eng commit "mk$1" "app:$1"
	assert_eq 0 "$STATUS" "commit: $OUTPUT"
	"$ISOLAB" rm "mk$1" >/dev/null
}

store_state() { (cd "$ISOLAB_ROOT" && find blobs layers tmp -mindepth 1 | sort | md5sum); }

test_push_sends_only_new_layers() {
	need_registry
	make_app 1
	make_app 2
	"$ISOLAB" tag app:1 "$REGISTRY/app:1" && "$ISOLAB" tag app:2 "$REGISTRY/app:2"
	eng push "$REGISTRY/app:1"
	assert_eq 0 "$STATUS" "push app:1: $OUTPUT"
	assert_contains "$OUTPUT" "2 layers sent, 0 already there" "first push sends both layers"
	# the second image shares the base: only its own layer goes
	eng push "$REGISTRY/app:2"
	assert_eq 0 "$STATUS" "push app:2: $OUTPUT"
	assert_eq 1 "$(grep -c ': exists$' <<<"$(grep '^layer' <<<"$OUTPUT")")" "the base: exists"
	assert_eq 1 "$(grep -c ': sent ' <<<"$(grep '^layer' <<<"$OUTPUT")")" "one layer sent"
	assert_contains "$OUTPUT" "1 layer sent, 1 already there" "summary"
	local small
	small=$(sed -n 's/^1 layer sent, 1 already there, \(.*\)$/\1/p' <<<"$OUTPUT")
	[[ $small == *" B" || $small == *KiB ]] || fail "the new layer is small, sent: $small"
	# another repository of the registry gets the base by a mount, not bytes
	"$ISOLAB" tag app:2 "$REGISTRY/other:2"
	eng push "$REGISTRY/other:2"
	assert_eq 0 "$STATUS" "push other:2: $OUTPUT"
	assert_contains "$OUTPUT" "exists (mounted from app)" "cross-repository mount"
	assert_contains "$OUTPUT" "0 layers sent, 2 already there, 0 B" "nothing sent"
	# the registry has what skopeo needs to see the image
	if command -v skopeo >/dev/null; then
		assert_contains "$(skopeo inspect --tls-verify=false "docker://$REGISTRY/app:2" 2>&1)" \
			"\"Name\": \"$REGISTRY/app\"" "skopeo inspect"
	fi
}

test_pull_fetches_only_missing_layers() {
	need_registry
	make_app 1
	make_app 2
	"$ISOLAB" tag app:1 "$REGISTRY/app:1" && "$ISOLAB" tag app:2 "$REGISTRY/app:2"
	"$ISOLAB" push "$REGISTRY/app:1" >/dev/null && "$ISOLAB" push "$REGISTRY/app:2" >/dev/null
	export ISOLAB_ROOT=$TEST_TMP/other
	eng pull "$REGISTRY/app:1"
	assert_eq 0 "$STATUS" "pull app:1: $OUTPUT"
	assert_contains "$OUTPUT" "2 layers received, 0 already there" "first pull: both"
	eng pull "$REGISTRY/app:2"
	assert_contains "$OUTPUT" "1 layer received, 1 already there" "second pull: the new layer only"
	eng pull "$REGISTRY/app:2"
	assert_contains "$OUTPUT" "0 layers received, 2 already there, 0 B" "all present: 0 bytes"
	eng run --rm "$REGISTRY/app:2" cat /app
	assert_eq "app 2" "$OUTPUT" "the pulled image runs"
	# pulled and pushed images have one ID
	assert_eq "$(ISOLAB_ROOT=$TEST_TMP/store "$ISOLAB" inspect app:2 | jq -r '.[0].Id')" \
		"$("$ISOLAB" inspect "$REGISTRY/app:2" | jq -r '.[0].Id')" "same image ID both sides"
}

test_registry_errors_one_line_nothing_kept() {
	need_registry
	local before port
	export ISOLAB_ROOT=$TEST_TMP/other
	"$ISOLAB" images >/dev/null
	before=$(store_state)
	eng pull "$REGISTRY/nosuch:1"
	assert_eq 1 "$STATUS" "unknown tag"
	assert_eq 1 "$(grep -c . <<<"$OUTPUT")" "one line: $OUTPUT"
	assert_contains "$OUTPUT" "MANIFEST_UNKNOWN" "the registry's error code"
	# a port nothing listens on
	port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
	eng pull "127.0.0.1:$port/app:1"
	assert_eq 1 "$STATUS" "refused"
	assert_contains "$OUTPUT" "Connection refused" "refused: $OUTPUT"
	# (plain HTTP to another host needs --insecure: checked without any
	# traffic by engine/tests/test_registry*.c, since tests talk only to
	# loopback)
	eng push app:1
	assert_contains "$OUTPUT" "no registry in the name" "push without a registry"
	assert_eq "$before" "$(store_state)" "nothing kept"
}

# Bytes in the registry that are not what their digest says.
test_pull_refuses_a_corrupted_blob() {
	need_registry
	local blob data before
	make_app 1
	"$ISOLAB" tag app:1 "$REGISTRY/app:1" && "$ISOLAB" push "$REGISTRY/app:1" >/dev/null
	blob=$("$ISOLAB" inspect app:1 >/dev/null; jq -r '.layers[1].digest' \
		"$ISOLAB_ROOT/blobs/sha256/$(jq -r '.manifests[] | select(.annotations["org.opencontainers.image.ref.name"] == "app:1") | .digest' "$ISOLAB_ROOT/index.json" | cut -d: -f2)")
	data=$(find "$REGISTRY_DIR" -path "*blobs/sha256/*/${blob#sha256:}/data")
	[ -f "$data" ] || fail "blob $blob not found in the registry storage"
	printf 'X' | dd of="$data" bs=1 seek=100 conv=notrunc 2>/dev/null
	export ISOLAB_ROOT=$TEST_TMP/other
	"$ISOLAB" images >/dev/null
	before=$(store_state)
	eng pull "$REGISTRY/app:1"
	assert_eq 1 "$STATUS" "corrupted blob: $OUTPUT"
	assert_contains "$OUTPUT" "digest mismatch" "message: $OUTPUT"
	assert_eq 1 "$(grep -c '^isolab: ' <<<"$OUTPUT")" "one error line"
	assert_eq "$before" "$(store_state)" "nothing of it kept"
}

# A registry that dies in the middle of a blob (a python stand-in).
test_pull_survives_a_cut_connection() {
	need_registry
	local port pid before
	export ISOLAB_ROOT=$TEST_TMP/other
	"$ISOLAB" images >/dev/null
	before=$(store_state)
	python3 - "$TEST_TMP/port" <<'PY' &
import hashlib, http.server, json, sys
layer = b"\x1f\x8b" + b"\0" * 4000
cfg = json.dumps({"architecture": "amd64", "os": "linux", "rootfs": {"type": "layers",
      "diff_ids": ["sha256:" + "0" * 64]}}).encode()
d = lambda b: "sha256:" + hashlib.sha256(b).hexdigest()
man = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
      "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": d(cfg), "size": len(cfg)},
      "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": d(layer), "size": len(layer)}]}).encode()
class H(http.server.BaseHTTPRequestHandler):
    def log_message(self, *a): pass
    def send(self, body, mt="application/json", cut=False):
        self.send_response(200)
        self.send_header("Content-Type", mt)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Docker-Content-Digest", d(body))
        self.end_headers()
        self.wfile.write(body[:100] if cut else body)
        if cut:
            self.wfile.flush(); self.connection.close()
    def do_HEAD(self): self.do_GET()
    def do_GET(self):
        if self.path == "/v2/": self.send(b"{}")
        elif "/manifests/" in self.path: self.send(man, "application/vnd.oci.image.manifest.v1+json")
        elif self.path.endswith(d(cfg)): self.send(cfg)
        elif self.path.endswith(d(layer)): self.send(layer, cut=True)
        else: self.send_error(404)
s = http.server.HTTPServer(("127.0.0.1", 0), H)
open(sys.argv[1], "w").write(str(s.server_address[1]))
s.serve_forever()
PY
	pid=$!
	for _ in $(seq 50); do [ -s "$TEST_TMP/port" ] && break; sleep 0.1; done
	port=$(cat "$TEST_TMP/port")
	eng pull "127.0.0.1:$port/cut:1"
	kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null || true
	assert_eq 1 "$STATUS" "cut transfer: $OUTPUT"
	assert_eq 1 "$(grep -c . <<<"$OUTPUT")" "one line: $OUTPUT"
	assert_eq "$before" "$(store_state)" "nothing half-written"
}

# The tools users already have, against what isolab pushes and pulls.
podman_cmd() {
	podman --root "$TEST_TMP/podman/root" --runroot "$TEST_TMP/podman/run" --storage-driver vfs \
		--cgroup-manager cgroupfs --events-backend file --runtime runc "$@"
}

test_skopeo_and_podman_take_what_isolab_pushes() {
	need_registry
	command -v skopeo >/dev/null || skip "no skopeo (make deps)"
	make_app 1
	"$ISOLAB" tag app:1 "$REGISTRY/app:1" && "$ISOLAB" push "$REGISTRY/app:1" >/dev/null
	eng inspect app:1
	local id
	id=$(jq -r '.[0].Id' <<<"$OUTPUT")
	OUTPUT=$(skopeo copy --src-tls-verify=false "docker://$REGISTRY/app:1" "oci:$TEST_TMP/ocidir:app" 2>&1) ||
		fail "skopeo copy: $OUTPUT"
	assert_eq "$id" "$(jq -r .config.digest "$TEST_TMP/ocidir/blobs/sha256/$(jq -r '.manifests[0].digest' "$TEST_TMP/ocidir/index.json" | cut -d: -f2)")" \
		"skopeo's copy has isolab's config (image ID)"
	command -v podman >/dev/null || skip "no podman (make deps); skopeo checked"
	# podman leaves its cgroups (libpod_parent/conmon) behind; take them
	# away after, unless they were there before
	if ! ls -d /sys/fs/cgroup/*/libpod_parent /sys/fs/cgroup/libpod_parent >/dev/null 2>&1; then
		trap 'registry_stop; find /sys/fs/cgroup/ -maxdepth 3 -depth -type d -path "*libpod_parent*" -exec rmdir {} + 2>/dev/null || true' EXIT
	fi
	OUTPUT=$(podman_cmd pull -q --tls-verify=false "$REGISTRY/app:1" 2>&1) || fail "podman pull: $OUTPUT"
	assert_eq "${id#sha256:}" "$OUTPUT" "podman sees the same image ID"
	OUTPUT=$(podman_cmd run --rm --network none --ulimit nofile=1024:1024 --ulimit nproc=1024:1024 "$REGISTRY/app:1" cat /app 2>&1) ||
		fail "podman run: $OUTPUT"
	assert_eq "app 1" "$OUTPUT" "podman runs isolab's image"
	podman_cmd rmi -a -f >/dev/null 2>&1 || true
}

test_isolab_runs_what_buildah_builds() {
	need_registry
	command -v buildah >/dev/null || skip "no buildah (make deps)"
	local ctr
	export BUILDAH_ISOLATION=chroot
	B() { buildah --root "$TEST_TMP/bh/root" --runroot "$TEST_TMP/bh/run" --storage-driver vfs "$@"; }
	ctr=$(B from scratch) || fail "buildah from scratch"
	B copy "$ctr" "$BB_ROOTFS" / >/dev/null || fail "buildah copy"
	B config --entrypoint '["/bin/sh","-c","echo $GREETING from $(pwd): $*","ep"]' --cmd '["one","two"]' \
		--env GREETING=hello --workingdir /srv "$ctr" || fail "buildah config"
	B run "$ctr" mkdir -p /srv >/dev/null 2>&1 || mkdir -p "$(B mount "$ctr")/srv"
	B commit -q "$ctr" "$REGISTRY/built:1" >/dev/null || fail "buildah commit"
	OUTPUT=$(B push --tls-verify=false "$REGISTRY/built:1" 2>&1) || fail "buildah push: $OUTPUT"
	B rm -a >/dev/null 2>&1 || true
	eng pull "$REGISTRY/built:1"
	assert_eq 0 "$STATUS" "isolab pull of buildah's image: $OUTPUT"
	eng run --rm "$REGISTRY/built:1"
	assert_eq "hello from /srv: one two" "$OUTPUT" "Entrypoint, Cmd, Env and WorkingDir honoured"
	eng run --rm "$REGISTRY/built:1" three
	assert_eq "hello from /srv: three" "$OUTPUT" "arguments replace Cmd"
	B rmi -a -f >/dev/null 2>&1 || true
}
