#!/usr/bin/env bash
# container/tests/attack-table.sh: every attack of attacks.lib.sh under
# isolab-ctr, runc and crun (where each runs), printed as a markdown table
# (attack | isolab-ctr | runc | crun).
#
#   container/tests/attack-table.sh [-v] [NAME...]   (as root, after make all image)
#
# isolab-ctr runs with its defaults (plus the option an attack needs:
# --read-only, --memory 32M, --layer-size 16M, --init). runc and crun run a
# bundle made from `RUNTIME spec` (their own defaults: its namespaces,
# mounts, masked and read-only paths, device list, no pids limit, and no
# linux.seccomp section, so no seccomp filter at all) with isolab-ctr's
# default capability set (Docker's) instead of the spec's three, a root
# that is an overlay of the shared image (upper layer on the host's /tmp,
# as Docker's overlay2 on its disk) and, where an attack needs it, a
# read-only root or a 32M memory limit; they have no writable-layer size
# and no init. -v prints each run's output too; NAMEs pick attacks.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
CTR=$root/build/isolab-ctr
ROOTFS=$root/build/image/rootfs
verbose=0
[ "${1:-}" = -v ] && verbose=1 && shift
# shellcheck source=container/tests/attacks.lib.sh
source "$root/container/tests/attacks.lib.sh"

die() { echo "attack-table: $*" >&2; exit 2; }
[ "$(id -u)" = 0 ] || die "must run as root"
{ [ -x "$CTR" ] && [ -x "$ROOTFS/bin/sysprobe" ]; } || die "build/isolab-ctr or the image missing (make all image)"
work=$(mktemp -d /tmp/isolab-attacks.XXXXXX)
listener=""
cleanup() {
	[ -n "$listener" ] && kill "$listener" 2>/dev/null
	umount "$work"/*/rootfs 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

export ATTACK_HOST_PATH=$root/HACKING.md
export ATTACK_ABSTRACT=isolab-attack-table-$$
listener=$(attack_listen "$ATTACK_ABSTRACT")
"$ROOTFS/bin/sysprobe" abstract-connect "$ATTACK_ABSTRACT" >/dev/null ||
	die "the host's abstract socket does not answer: the abstract-socket attack would prove nothing"

# run_isolab NAME: OUTPUT and STATUS of the attack under isolab-ctr
run_isolab() {
	ATTACK_RUNTIME_ID=$(stat -L -c %d:%i "$CTR")
	export ATTACK_RUNTIME_ID
	attack_run_ctr "$CTR" "$ROOTFS" "$1"
}

# oci_bundle RUNTIME NAME DIR: DIR/config.json from `RUNTIME spec`, DIR/rootfs an overlay
oci_bundle() {
	local rt=$1 name=$2 dir=$3 readonly=false memory=0 need
	for need in $(attack_needs "$name"); do
		case $need in
		read-only) readonly=true ;;
		memory=32M) memory=$((32 << 20)) ;;
		esac
	done
	mkdir -p "$dir/rootfs" "$dir/upper" "$dir/work"
	mount -t overlay overlay -o "lowerdir=$ROOTFS,upperdir=$dir/upper,workdir=$dir/work" "$dir/rootfs" || return 1
	"$rt" spec --bundle "$dir" || return 1
	python3 - "$dir/config.json" "$readonly" "$memory" "$(attack_full_script "$name")" <<'PY'
import json, os, sys
path, readonly, memory, script = sys.argv[1], sys.argv[2] == "true", int(sys.argv[3]), sys.argv[4]
c = json.load(open(path))
# isolab-ctr's default capability set: Docker's
caps = ["CAP_" + n for n in "CHOWN DAC_OVERRIDE FSETID FOWNER MKNOD NET_RAW SETGID SETUID "
        "SETFCAP SETPCAP NET_BIND_SERVICE SYS_CHROOT KILL AUDIT_WRITE".split()]
p = c["process"]
p["terminal"] = False
p["args"] = ["sh", "-c", script]
p["env"] = ["PATH=/bin:/sbin"] + ["%s=%s" % (k, os.environ[k]) for k in
                                  ("ATTACK_HOST_PATH", "ATTACK_ABSTRACT", "ATTACK_RUNTIME_ID")]
p["capabilities"] = {k: caps for k in ("bounding", "effective", "permitted")}
c["root"] = {"path": "rootfs", "readonly": readonly}
if memory:
    c["linux"].setdefault("resources", {})["memory"] = {"limit": memory}
json.dump(c, open(path, "w"), indent=1)
PY
}

# run_oci RUNTIME NAME: OUTPUT and STATUS of the attack under runc or crun
run_oci() {
	local rt=$1 name=$2 dir=$work/$1-$2
	ATTACK_RUNTIME_ID=$(stat -L -c %d:%i "$(command -v "$rt")")
	export ATTACK_RUNTIME_ID
	STATUS=0
	if ! OUTPUT=$(oci_bundle "$rt" "$name" "$dir" 2>&1); then
		STATUS=125
		return
	fi
	OUTPUT=$(timeout 150 "$rt" --root "$work/$rt-state" run --bundle "$dir" "attack-$$-$name" 2>&1) || STATUS=$?
	"$rt" --root "$work/$rt-state" delete -f "attack-$$-$name" >/dev/null 2>&1
	umount "$dir/rootfs" 2>/dev/null && rm -rf "$dir"
}

# cell RUNTIME NAME: the table cell
cell() {
	local rt=$1 name=$2
	if [ "$rt" = isolab-ctr ]; then
		run_isolab "$name"
	elif [ -n "${UNAVAILABLE[$rt]:-}" ]; then
		echo "n/a (${UNAVAILABLE[$rt]})"
		return
	elif [[ " $(attack_needs "$name") " == *" init "* ]]; then
		echo "n/a (no init option; Docker's --init adds tini)"
		return
	else
		run_oci "$rt" "$name"
	fi
	[ $verbose = 1 ] && printf '%s %s (status %s):\n%s\n' "$rt" "$name" "$STATUS" "$OUTPUT" >&2
	attack_result "$OUTPUT" "$STATUS"
}

declare -A UNAVAILABLE
for rt in runc crun; do
	if ! command -v $rt >/dev/null; then
		UNAVAILABLE[$rt]="not installed"
		continue
	fi
	# can it run a container at all here?
	ATTACK_RUNTIME_ID=x run_oci $rt host-interfaces
	case $OUTPUT in
	*"result: "*) ;;
	*) UNAVAILABLE[$rt]="does not run here: $(printf '%s\n' "$OUTPUT" | tail -n 1 | sed 's/^.*msg="//; s/[,"].*//')" ;;
	esac
done

echo "| attack | isolab-ctr | runc | crun |"
echo "|---|---|---|---|"
names=("$@")
[ $# = 0 ] && mapfile -t names < <(attack_names)
for name in "${names[@]}"; do
	printf '| %s | %s | %s | %s |\n' "$(attack_title "$name")" "$(cell isolab-ctr "$name")" \
		"$(cell runc "$name")" "$(cell crun "$name")"
done
