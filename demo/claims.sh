#!/usr/bin/env bash
# demo/claims.sh: shows, by measurement, each claim the user's notes on
# containers and VMs make (../shared/seeds/). For teachers: each claim is
# printed, then the experiment, then what was measured and a verdict.
#
#   demo/claims.sh [--only N[,N...]] [--list]
#
# Needs build/isolab-ctr, build/isolab-vmm, the guest kernel and the shared
# image (make all kernel image), root, and a usable /dev/kvm for the VM
# claims (`make demo` runs it inside the lab when there is none).
# Exit status: 0 every claim shown, 1 a claim did not hold, 2 usage or a
# missing prerequisite.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
ctr=$root/build/isolab-ctr
engine=$root/build/isolab
vmm=$root/build/isolab-vmm
kernel=$root/build/guest/bzImage
initrd=$root/build/image/initramfs.cpio.gz
rootfs=$root/build/image/rootfs
only=""
work=""

die() { echo "claims: $*" >&2; exit 2; }
cleanup() { [ -n "$work" ] && rm -rf "$work"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

CLAIMS=(
	"1|Images are built as a series of layers; two changes on the same layer exist side by side"
	"2|The container layer is lost when the container is deleted; volumes persist"
	"3|Containers share the host's kernel; a VM boots its own"
	"4|Containers are isolated by namespaces (PID, UTS, network, mount)"
	"5|cgroups limit what a container may consume (memory, processes)"
	"6|VMs are slow to start because they boot an OS; containers are not"
	"7|A VM costs more memory than a container"
	"8|Containers share the host's kernel: the default profile is what stands between them"
	"9|A tag is a pointer to an image: several tags can name one image, with one image ID"
	"10|A change is a new layer on top of the image; the base layer is unchanged"
	"11|Only new layers are copied when an image moves to a registry"
	"12|Each Dockerfile instruction is a step, RUN/COPY/ADD each a layer; a rebuild reuses them"
	"13|CMD gives defaults that run arguments replace; ENTRYPOINT stays"
	"14|A multi-stage build keeps only what it copies; .dockerignore keeps the context small"
)

while [ $# -gt 0 ]; do
	case $1 in
	--only) only=,$2, ; shift 2 ;;
	--list) printf '%s\n' "${CLAIMS[@]}" | tr '|' ' '; exit 0 ;;
	-h|--help) sed -n '2,13p' "$0" | cut -c3-; exit 0 ;;
	*) die "unknown argument \`$1\` (see --help)" ;;
	esac
done
[ "$(id -u)" = 0 ] || die "must run as root (containers need namespaces and cgroups)"
for f in "$ctr" "$engine" "$vmm" "$kernel" "$initrd" "$rootfs/bin/busybox"; do
	[ -e "$f" ] || die "$f missing (run make all kernel image)"
done
work=$(mktemp -d /tmp/isolab-claims.XXXXXX)

held=0 failed=0
selected() { [ -z "$only" ] || [[ $only == *",$1,"* ]]; }
claim() { # claim N: prints the heading; returns 1 if N is not selected
	local line
	line=$(printf '%s\n' "${CLAIMS[@]}" | grep "^$1|")
	selected "$1" || return 1
	echo
	echo "Claim $1: ${line#*|}"
}
measured() { echo "  measured: $*"; }
verdict() { # verdict CONDITION_STATUS
	if [ "$1" = 0 ]; then echo "  verdict: holds"; held=$((held + 1))
	else echo "  verdict: DID NOT HOLD"; failed=$((failed + 1)); fi
}
run_ctr() { "$ctr" run "$@" 2>&1; }
now_ns() { date +%s%N; }
# json_number FILE KEY: the value of KEY in a cJSON-printed file (one key a line).
json_number() { sed -n "s/^[[:space:]]*\"$2\":[[:space:]]*\([0-9a-z]*\).*/\1/p" "$1" 2>/dev/null | head -n 1; }
kvm_usable() { [ -c /dev/kvm ] && { exec 9<>/dev/kvm; } 2>/dev/null && exec 9>&-; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : int((a[NR/2]+a[NR/2+1])/2)}'; }

if claim 1; then
	mkdir -p "$work/layer-a/app" "$work/layer-b/app"
	echo "change A" >"$work/layer-a/app/version"
	echo "change B" >"$work/layer-b/app/version"
	a=$(run_ctr --layer "$rootfs" --layer "$work/layer-a" -- cat /app/version)
	b=$(run_ctr --layer "$rootfs" --layer "$work/layer-b" -- cat /app/version)
	base=$(du -sk "$rootfs" | cut -f1)
	la=$(du -sk "$work/layer-a" | cut -f1)
	measured "base layer ${base} KiB shared by both images; layer A adds ${la} KiB"
	measured "container on base+A reads \"$a\", on base+B reads \"$b\""
	[ "$a" = "change A" ] && [ "$b" = "change B" ]
	verdict $?
fi

if claim 2; then
	mkdir -p "$work/vol" "$work/kept"
	run_ctr --rootfs "$rootfs" --volume "$work/vol:/data" -- sh -c \
		'echo written >/note; echo persisted >/data/note' >/dev/null
	again=$(run_ctr --rootfs "$rootfs" -- sh -c 'cat /note 2>/dev/null || echo absent')
	run_ctr --rootfs "$rootfs" --keep-layer "$work/kept/layer" -- sh -c 'echo saved >/note' >/dev/null
	measured "a second container sees /note: $again; the volume holds: $(cat "$work/vol/note" 2>/dev/null)"
	measured "with --keep-layer the saved layer holds: $(cat "$work/kept/layer/note" 2>/dev/null)"
	[ "$again" = absent ] && [ "$(cat "$work/vol/note" 2>/dev/null)" = persisted ] &&
		[ "$(cat "$work/kept/layer/note" 2>/dev/null)" = saved ]
	verdict $?
fi

if claim 3; then
	host=$(uname -r)
	inctr=$(run_ctr --rootfs "$rootfs" -- uname -r)
	invm=$("$vmm" --kernel "$kernel" --initrd "$initrd" --timeout 120 \
		--append 'isolab_run="uname -r"' 2>&1 | tr -d '\r' | tail -n 1)
	measured "host kernel $host; inside a container $inctr; inside the VM $invm"
	[ "$inctr" = "$host" ] && [ -n "$invm" ] && [ "$invm" != "$host" ]
	verdict $?
fi

if claim 4; then
	out=$(run_ctr --rootfs "$rootfs" --hostname demo --net none -- sh -c \
		'echo pid=$$; echo host=$(hostname); echo procs=$(ls -d /proc/[0-9]* 2>/dev/null | wc -l); echo ifs=$(ls /sys/class/net | tr "\n" " ")')
	measured "$(echo "$out" | tr '\n' ' ')(host: $(ls -d /proc/[0-9]* 2>/dev/null | wc -l) processes, hostname $(hostname))"
	grep -qx 'pid=1' <<<"$out" && grep -qx 'host=demo' <<<"$out" && grep -qx 'ifs=lo' <<<"$out" &&
		[ "$(sed -n 's/^procs=//p' <<<"$out")" -lt 10 ]
	verdict $?
fi

if claim 5; then
	oom=$(run_ctr --rootfs "$rootfs" --memory 32M --stats "$work/oom.json" -- \
		sh -c 'x=$(head -c 100000000 /dev/zero | tr "\0" a); echo survived'; echo "status=$?")
	# Each sleeper is started from a subshell, so the loop survives the
	# first refused fork and reports how many it got.
	pids=$(run_ctr --rootfs "$rootfs" --pids 20 -- sh -c \
		'i=0; while [ $i -lt 60 ]; do (sleep 3 &) 2>/dev/null || break; i=$((i+1)); done; echo started=$i' 2>/dev/null)
	measured "memory hog under --memory 32M: $(echo "$oom" | tail -n 2 | tr '\n' ' ')"
	measured "60 sleepers under --pids 20: $pids"
	json_number "$work/oom.json" oom_killed | grep -qx true 2>/dev/null && ! grep -q survived <<<"$oom" &&
		[ "$(sed -n 's/^started=//p' <<<"$pids")" -lt 60 ] 2>/dev/null
	verdict $?
fi

if selected 6 || selected 7; then
	# Both claims need the same boots: 5 of each, timed to exit.
	c=() v=()
	for i in 1 2 3 4 5; do
		t=$(now_ns); run_ctr --rootfs "$rootfs" --stats "$work/c$i.json" -- /bin/true >/dev/null; c+=($(( ($(now_ns) - t) / 1000000 )))
		t=$(now_ns); "$vmm" --kernel "$kernel" --initrd "$initrd" --timeout 120 --stats "$work/v$i.json" \
			--append 'isolab_run=true' >/dev/null 2>&1
		v+=($(( ($(now_ns) - t) / 1000000 )))
	done
	cm=$(printf '%s\n' "${c[@]}" | median) vm=$(printf '%s\n' "${v[@]}" | median)
	if claim 6; then
		measured "median start-to-exit of /bin/true over 5 runs: container ${cm} ms, VM ${vm} ms ($(awk -v v="$vm" -v c="$cm" 'BEGIN { printf "%.1f", v / (c > 0 ? c : 1) }')x)"
		[ "$vm" -gt "$cm" ]
		verdict $?
	fi
	if claim 7; then
		cmem=$(json_number "$work/c1.json" peak_bytes)
		pages=$(json_number "$work/v1.json" guest_pages_touched)
		vmem=$(( ${pages:-0} * $(getconf PAGESIZE) ))
		measured "container: cgroup peak $((${cmem:-0} / 1024)) KiB; VM: guest memory touched $((vmem / 1024)) KiB"
		[ -n "$cmem" ] && [ -n "$vmem" ] && [ "$vmem" -gt "$cmem" ]
		verdict $?
	fi
fi

if claim 8; then
	# the disk under the host's / as MAJOR:MINOR (8:0, sda, when / is on no
	# disk, as in the lab: the device policy refuses it before any driver)
	disk=$(findmnt -no MAJ:MIN / 2>/dev/null | head -n 1 | tr -d ' ')
	case $disk in 0:* | "") disk=8:0 ;; esac
	calls="sysprobe keyctl; sysprobe unshare-user"
	reach="mknod /dev/hostdisk b ${disk%:*} ${disk#*:} && head -c 512 /dev/hostdisk | wc -c"
	confined=$(run_ctr --rootfs "$rootfs" -- sh -c "$calls")
	unconfined=$(run_ctr --rootfs "$rootfs" --security-opt seccomp=unconfined -- sh -c "$calls")
	node=$(run_ctr --rootfs "$rootfs" -- sh -c "$reach")
	measured "host kernel $(uname -r); in a container, default profile: $(echo "$confined" | tr '\n' ' ')"
	measured "the same with --security-opt seccomp=unconfined: $(echo "$unconfined" | tr '\n' ' ')"
	measured "the host's disk $disk as a node made inside, read 512 bytes: $(echo "$node" | tr '\n' ' ')"
	grep -qx 'keyctl: EPERM' <<<"$confined" && grep -qx 'unshare-user: EPERM' <<<"$confined" &&
		grep -qx 'keyctl: ok' <<<"$unconfined" && grep -qx 'unshare-user: ok' <<<"$unconfined" &&
		grep -q 'Operation not permitted' <<<"$node" && grep -qx 0 <<<"$node"
	ctr_status=$?
	if kvm_usable; then
		invm=$("$vmm" --kernel "$kernel" --initrd "$initrd" --timeout 120 \
			--append "isolab_run=\"echo kernel=\$(uname -r); $calls; $reach\"" 2>&1 | tr -d '\r' |
			grep -E '^(kernel=|keyctl:|unshare-user:|mknod:|head:|[0-9]+$)')
		measured "the same inside a VM (no filter; its own kernel and devices): $(echo "$invm" | tr '\n' ' ')"
		# the calls and the node met the guest's kernel, not the host's
		guest=$(sed -n 's/^kernel=//p' <<<"$invm")
		[ "$ctr_status" = 0 ] && [ -n "$guest" ] && [ "$guest" != "$(uname -r)" ]
		verdict $?
	else
		echo "  VM half skipped: no usable /dev/kvm here (make demo runs the claims inside the lab, which has one); judged on the container half"
		verdict $ctr_status
	fi
fi

# The image claims, through the engine (build/isolab) with a store of their own.
eng() { ISOLAB_ROOT=$work/store "$engine" "$@" 2>&1; }
image_id() { eng inspect "$1" | sed -n 's/^[[:space:]]*"Id":[[:space:]]*"sha256:\([0-9a-f]\{12\}\).*/\1/p'; }
layers_of() { eng inspect "$1" | sed -n 's/.*"Layers":[[:space:]]*\[\(.*\)\].*/\1/p' | grep -o 'sha256:[0-9a-f]\{12\}' | cut -c8-; }
first_layer() { layers_of "$1" | head -n 1; }
if selected 9 || selected 10 || selected 11 || selected 12 || selected 13 || selected 14; then
	tar -C "$rootfs" -czf "$work/base.tar.gz" .
	eng import "$work/base.tar.gz" base:1 >/dev/null
fi

if claim 9; then
	echo "  \$ isolab tag base:1 base:latest; isolab images"
	eng tag base:1 base:latest
	eng images | sed 's/^/    /'
	a=$(image_id base:1) b=$(image_id base:latest)
	measured "base:1 is image $a, base:latest is image $b; the store holds $(ls "$work/store/layers" | grep -vc json) unpacked layer"
	[ -n "$a" ] && [ "$a" = "$b" ]
	verdict $?
fi

if claim 10; then
	echo "  \$ isolab run --name edit base:1 sh -c 'echo v2 > /etc/app-version'; isolab commit edit app:2"
	eng run --name edit base:1 sh -c 'echo v2 > /etc/app-version' >/dev/null
	out=$(eng commit edit app:2)
	echo "$out" | sed 's/^/    /'
	eng history app:2 | sed 's/^/    /'
	v=$(eng run --rm app:2 cat /etc/app-version)
	old=$(eng run --rm base:1 sh -c 'cat /etc/app-version 2>/dev/null || echo absent')
	measured "app:2 has $(layers_of app:2 | wc -l) layers, its first $(first_layer app:2) = base:1's $(first_layer base:1); app:2 reads \"$v\", base:1 still \"$old\""
	[ "$(first_layer app:2)" = "$(first_layer base:1)" ] && [ "$v" = v2 ] && [ "$old" = absent ]
	verdict $?
fi

if claim 11; then
	if [ -x /usr/bin/docker-registry ] && source "$root/engine/tests/registry-lib.sh" &&
		registry_start >/dev/null; then
		trap 'registry_stop; cleanup' EXIT
		eng tag base:1 "$REGISTRY/base:1" >/dev/null
		eng tag app:2 "$REGISTRY/app:2" >/dev/null 2>&1 ||
			{ eng run --name edit2 base:1 sh -c 'echo v2 > /etc/app-version' >/dev/null
			  eng commit edit2 app:2 >/dev/null; eng tag app:2 "$REGISTRY/app:2" >/dev/null; }
		echo "  \$ isolab push $REGISTRY/base:1"
		first=$(eng push "$REGISTRY/base:1")
		echo "$first" | sed 's/^/    /'
		echo "  \$ isolab push $REGISTRY/app:2     (the same base, one more layer)"
		second=$(eng push "$REGISTRY/app:2")
		echo "$second" | sed 's/^/    /'
		registry_stop
		measured "second push: $(grep 'already there' <<<"$second")"
		grep -q '^1 layer sent, 0 already there' <<<"$first" &&
			grep -q '^1 layer sent, 1 already there' <<<"$second"
		verdict $?
	else
		echo "  skipped: no docker-registry (make deps) to push to"
		verdict 1
	fi
fi

if claim 12; then
	mkdir -p "$work/b12" && echo "v1" >"$work/b12/version"
	cat >"$work/b12/Dockerfile" <<'EOF'
FROM base:1
ENV APP=/app
WORKDIR /app
COPY version ./
RUN echo "built $(cat version)" > built
CMD ["cat", "/app/built"]
EOF
	echo "  \$ isolab build -t demo:1 CONTEXT; isolab history demo:1"
	eng build -t demo:1 "$work/b12" | grep -E '^(Step|Successfully built| --->)' | sed 's/^/    /'
	eng history demo:1 | sed 's/^/    /'
	echo "  \$ isolab build -t demo:1 CONTEXT      (again, nothing changed)"
	again=$(eng build -t demo:1 "$work/b12")
	grep -E '^(Step|Successfully built| --->)' <<<"$again" | sed 's/^/    /'
	layers=$(layers_of demo:1 | wc -l)
	cached=$(grep -c -- '---> CACHED' <<<"$again")
	measured "demo:1 has $layers layers (base, COPY, RUN) for 6 instructions; the rebuild: $cached of 5 steps CACHED, the same image ID"
	[ "$layers" = 3 ] && [ "$cached" = 5 ]
	verdict $?
fi

if claim 13; then
	mkdir -p "$work/b13"
	printf 'FROM base:1\nENTRYPOINT ["/bin/echo", "entrypoint:"]\nCMD ["default", "args"]\n' >"$work/b13/Dockerfile"
	eng build -t demo:ep "$work/b13" >/dev/null
	a=$(eng run --rm demo:ep)
	b=$(eng run --rm demo:ep given on the command line)
	echo "  \$ isolab run --rm demo:ep                            -> $a"
	echo "  \$ isolab run --rm demo:ep given on the command line  -> $b"
	measured "CMD replaced by the arguments, ENTRYPOINT kept in both"
	[ "$a" = "entrypoint: default args" ] && [ "$b" = "entrypoint: given on the command line" ]
	verdict $?
fi

if claim 14; then
	mkdir -p "$work/b14" && head -c 2000000 /dev/urandom >"$work/b14/dataset.bin"
	cat >"$work/b14/Dockerfile" <<'EOF'
FROM base:1 AS builder
RUN mkdir -p /out && cp /bin/busybox /out/echo && dd if=/dev/zero of=/scratch.bin bs=1k count=2048 2>/dev/null
FROM scratch
COPY --from=builder /out/echo /echo
ENTRYPOINT ["/echo", "only this binary"]
EOF
	echo "  \$ isolab build -t demo:small CONTEXT    (a 2 MB dataset.bin sits in the context)"
	out=$(eng build -t demo:small "$work/b14")
	grep -E '^(Sending|stage|image:)' <<<"$out" | sed 's/^/    /'
	full=$(sed -n 's/^Sending build context: \([0-9]*\) bytes.*/\1/p' <<<"$out")
	echo '*.bin' >"$work/b14/.dockerignore"
	echo "  \$ echo '*.bin' > .dockerignore; isolab build -t demo:small CONTEXT"
	out=$(eng build -t demo:small "$work/b14")
	grep -E '^(Sending)' <<<"$out" | sed 's/^/    /'
	small=$(sed -n 's/^Sending build context: \([0-9]*\) bytes.*/\1/p' <<<"$out")
	stage=$(sed -n 's/^stage 0 builder: \([0-9]*\) bytes.*/\1/p' <<<"$out")
	final=$(sed -n 's/^image: \([0-9]*\) bytes.*/\1/p' <<<"$out")
	ran=$(eng run --rm demo:small)
	measured "build stage $((stage / 1024)) KiB, final image $((final / 1024)) KiB ($(layers_of demo:small | wc -l) layer), which runs: $ran; context $((full / 1024)) KiB, then $((small / 1024)) KiB with .dockerignore"
	[ "$final" -lt "$((stage / 3))" ] && [ "$small" -lt 10000 ] && [ "$full" -gt 2000000 ] &&
		[ "$ran" = "only this binary" ]
	verdict $?
fi

echo
echo "$held claims held, $failed did not"
[ "$failed" = 0 ]
