# engine/tests/integration/buildah.sh: `isolab build` against the reference
# builder. For each Dockerfile under engine/tests/dockerfiles/, isolab and
# `buildah bud --layers` build the same context on the same base (isolab's
# busybox image, pushed to a docker-registry started here on 127.0.0.1);
# the images must have the same files (path, type, mode, owner, content or
# link target), the same Entrypoint, Cmd, Env, WorkingDir, User,
# ExposedPorts and Labels (buildah's own io.buildah.version label aside),
# and the same number of layers. (buildah's empty placeholders for the
# files it bind-mounts during RUN aside: Docker leaves none either.)
WHERE="host"
TEST_TIMEOUT=900
# not a network test: containers get a loopback-only namespace (network.sh
# tests the default network)
export ISOLAB_NETWORK=none

ISOLAB=${ISOLAB_BUILD:-build}/isolab
BB_ROOTFS=${ISOLAB_BUILD:-build}/image/rootfs
source "${ISOLAB_ROOT:-.}/engine/tests/registry-lib.sh"

# The tree under $1 as "path type mode uid:gid sha256-or-target" lines.
tree_listing() {
	python3 - "$1" <<'PY'
import hashlib, os, stat, sys
root = sys.argv[1]
for dirpath, dirs, files in os.walk(root):
    dirs.sort()
    for name in sorted(dirs + files):
        p = os.path.join(dirpath, name)
        rel = "/" + os.path.relpath(p, root)
        st = os.lstat(p)
        if stat.S_ISREG(st.st_mode):
            with open(p, "rb") as f:
                what = "f " + hashlib.sha256(f.read()).hexdigest()
        elif stat.S_ISLNK(st.st_mode):
            what = "l " + os.readlink(p)
        elif stat.S_ISDIR(st.st_mode):
            what = "d"
        else:
            what = "o %x" % st.st_rdev
        print(rel, oct(stat.S_IMODE(st.st_mode)), "%d:%d" % (st.st_uid, st.st_gid), what)
PY
}

# isolab's image NAME merged (overlay, read-only, in a mount namespace of its own), listed.
isolab_listing() {
	local dirs
	dirs=$("$ISOLAB" inspect "$1" | jq -r '.[0].RootFS.Layers | reverse | map(sub("sha256:"; env.ISOLAB_ROOT + "/layers/")) | join(":")')
	mkdir -p "$TEST_TMP/mnt"
	if [[ $dirs == *:* ]]; then
		unshare -m bash -c "mount -t overlay overlay -o ro,lowerdir=$dirs '$TEST_TMP/mnt' &&
			$(declare -f tree_listing); tree_listing '$TEST_TMP/mnt'"
	else
		tree_listing "$dirs"
	fi
}

B() { buildah --root "$TEST_TMP/bh/root" --runroot "$TEST_TMP/bh/run" --storage-driver vfs "$@"; }

need_buildah() {
	[ "$(id -u)" = 0 ] || skip "needs root"
	[ -x "$ISOLAB" ] || skip "build/isolab not built (make all)"
	[ -x "$BB_ROOTFS/bin/busybox" ] || skip "no image (make image)"
	command -v buildah >/dev/null || skip "no buildah (make deps)"
	[ -x /usr/bin/docker-registry ] || skip "no docker-registry (make deps)"
	export ISOLAB_ROOT=$TEST_TMP/store BUILDAH_ISOLATION=chroot
	trap 'B rm -a >/dev/null 2>&1; B rmi -a -f >/dev/null 2>&1; registry_stop' EXIT
	registry_start >/dev/null || fail "registry: $(registry_log | tail -3)"
	tar -C "$BB_ROOTFS" -czf "$TEST_TMP/bb.tar.gz" .
	"$ISOLAB" import "$TEST_TMP/bb.tar.gz" "$REGISTRY/base:1" >/dev/null
	"$ISOLAB" push "$REGISTRY/base:1" >/dev/null || fail "push the base"
}

config_of() { jq -S '{Entrypoint, Cmd, Env, WorkingDir: (.WorkingDir // ""), User: (.User // ""),
	ExposedPorts, Labels: ((.Labels // {}) | del(."io.buildah.version"))}'; }

compare_one() {
	local name=$1 ctx=$TEST_TMP/ctx-$1 ctr mnt
	cp -a "${ISOLAB_ROOT_DIR}/engine/tests/dockerfiles/$name" "$ctx"
	[ -x "$ctx/prepare.sh" ] && (cd "$ctx" && ./prepare.sh && rm prepare.sh)
	OUTPUT=$("$ISOLAB" build --build-arg "BASE=$REGISTRY/base:1" -t "mine:$name" "$ctx" 2>&1) ||
		fail "$name: isolab build: $OUTPUT"
	OUTPUT=$(B bud --layers -q --tls-verify=false --build-arg "BASE=$REGISTRY/base:1" \
		-t "ref:$name" "$ctx" 2>&1) || fail "$name: buildah bud: $OUTPUT"
	assert_eq "$(B inspect "ref:$name" | jq '.OCIv1.rootfs.diff_ids | length')" \
		"$("$ISOLAB" inspect "mine:$name" | jq '.[0].RootFS.Layers | length')" "$name: layers"
	assert_eq "$(B inspect "ref:$name" | jq '.OCIv1.config' | config_of)" \
		"$("$ISOLAB" inspect "mine:$name" | jq '.[0].Config' | config_of)" "$name: config"
	ctr=$(B from "ref:$name")
	mnt=$(B mount "$ctr")
	# buildah leaves the empty files it bind-mounted over during RUN
	# (/etc/hosts, /etc/resolv.conf) in the image; Docker does not
	tree_listing "$mnt" | grep -v -E '^/etc/(hosts|resolv\.conf) 0o755 0:0 f e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855$' \
		>"$TEST_TMP/ref.txt"
	B umount "$ctr" >/dev/null; B rm "$ctr" >/dev/null
	isolab_listing "mine:$name" >"$TEST_TMP/mine.txt"
	diff -u "$TEST_TMP/ref.txt" "$TEST_TMP/mine.txt" >"$TEST_TMP/diff.txt" ||
		fail "$name: the files differ (buildah -, isolab +):
$(head -n 40 "$TEST_TMP/diff.txt")"
}

test_same_image_as_buildah() {
	need_buildah
	ISOLAB_ROOT_DIR=$(pwd)
	local d
	for d in "$ISOLAB_ROOT_DIR"/engine/tests/dockerfiles/*/; do
		compare_one "$(basename "$d")"
	done
}
