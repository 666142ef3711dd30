#!/usr/bin/env bash
# demo/claims.sh: shows, by measurement, each claim the user's notes on
# containers and VMs make (../shared/seeds/). For teachers: each claim is
# printed, then the commands it runs (as typed from the repository root;
# $T is this run's scratch directory), what was measured, and a verdict.
#
#   demo/claims.sh [--only N[,N...]] [--list] [--pause]
#
#   --only N,...  show only these claims      --list  list the claims
#   --pause       wait for Enter between claims (when stdin is a terminal)
#
# Verdicts: "holds", "DID NOT HOLD", or "not shown: <why>" when a
# measurement the claim needs could not be made (a VM without a usable
# /dev/kvm, a missing tool, a command that failed): a verdict rests only
# on measurements that succeeded. The VM claims need /dev/kvm: `make demo`
# runs this script inside the nested-KVM lab when the host has none; run
# directly on such a host they are not shown.
# Needs root, build/isolab-ctr, build/isolab and the shared image (make all
# image); the VM claims also build/isolab-vmm and the guest kernel.
# Exit status: 0 no claim failed (some may be not shown), 1 a claim did
# not hold, 2 usage or a missing prerequisite.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
ctr=$root/build/isolab-ctr
engine=$root/build/isolab
vmm=$root/build/isolab-vmm
kernel=$root/build/guest/bzImage
initrd=$root/build/image/initramfs.cpio.gz
rootfs=$root/build/image/rootfs
only="" pause=no work=""
background=() oci_left=() shm_left="" net_state="" reason_net=""

die() { echo "claims: $*" >&2; exit 2; }
cleanup() {
	local p entry
	for p in "${background[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	for entry in "${oci_left[@]}"; do # RUNTIME|STATE_DIR|ID
		IFS='|' read -r p rt_root rt_id <<<"$entry"
		"$p" --root "$rt_root" delete --force "$rt_id" >/dev/null 2>&1
	done
	[ -n "$shm_left" ] && ipcrm -m "$shm_left" 2>/dev/null
	[ "$net_state" = ok ] && net_cleanup
	[ "$(type -t registry_stop)" = function ] && registry_stop
	[ -n "$work" ] && rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

CLAIMS=(
	"1|Images are built as a series of layers; two changes on the same layer exist side by side"
	"2|The container layer is lost when the container is deleted; volumes persist"
	"3|Containers share the host's kernel; a VM boots its own"
	"4|Containers are isolated by namespaces (PID, UTS, network)"
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
	"15|cgroups limit CPU: under --cpus 0.25 the same work takes about 4 times as long"
	"16|The user namespace: root inside a container is an unprivileged user outside"
	"17|The IPC namespace: a container does not see the host's shared memory"
	"18|The mount namespace: a mount made inside a container does not appear on the host"
	"19|Copy-on-write: a file of the image changed inside is copied up; the image keeps its own"
	"20|A type 1 hypervisor (KVM, in the kernel, on the CPU) outruns a hosted one that emulates the CPU (QEMU TCG)"
	"21|A container runtime is a program with a standard lifecycle: one bundle, isolab-ctr, runc and crun"
	"22|Capabilities limit root: a privileged operation is refused to root inside, allowed with --cap-add"
	"23|A container has its own network interface and IP address, on a bridge of the host's"
	"24|A published port (-p) makes a server inside a container reachable from the host"
	"25|Containers on one network reach each other by IP and by name"
)

while [ $# -gt 0 ]; do
	case $1 in
	--only) [ $# -ge 2 ] || die "--only needs claim numbers (see --list)"; only=,$2, ; shift 2 ;;
	--list) printf '%s\n' "${CLAIMS[@]}" | tr '|' ' '; exit 0 ;;
	--pause) pause=yes; shift ;;
	-h|--help) sed -n '2,21p' "$0" | cut -c3-; exit 0 ;;
	*) die "unknown argument \`$1\` (see --help)" ;;
	esac
done
for n in ${only//,/ }; do
	printf '%s\n' "${CLAIMS[@]}" | grep -q "^$n|" || die "no claim \`$n\` (see --list)"
done
[ "$(id -u)" = 0 ] || die "must run as root (containers need namespaces and cgroups)"
for f in "$ctr" "$engine" "$rootfs/bin/busybox"; do
	[ -e "$f" ] || die "$f missing (run make all image)"
done
work=$(mktemp -d /tmp/isolab-claims.XXXXXX)
exec 3>&1 # the commands are shown on fd 3, so that $(...) does not capture them

# shellcheck source=demo/lib.sh
source "$root/demo/lib.sh"

# ---- the claims --------------------------------------------------------------
# claim_N: 0 holds, 1 did not hold, 2 not shown ($reason says why)

claim_1() {
	local a b
	mkdir -p "$work/layer-a/app" "$work/layer-b/app"
	echo "change A" >"$work/layer-a/app/version"
	echo "change B" >"$work/layer-b/app/version"
	a=$(ctr_run run --layer "$rootfs" --layer "$work/layer-a" -- cat /app/version) || { ctr_failed "$a"; return; }
	b=$(ctr_run run --layer "$rootfs" --layer "$work/layer-b" -- cat /app/version) || { ctr_failed "$b"; return; }
	measured "base layer $(human_bytes $(($(du -sk "$rootfs" | cut -f1) * 1024))) shared by both images; layer A adds $(human_bytes $(($(du -sk "$work/layer-a" | cut -f1) * 1024)))"
	measured "the container on base+A reads \"$a\", on base+B \"$b\""
	[ "$a" = "change A" ] && [ "$b" = "change B" ]
}

claim_2() {
	local out again kept
	mkdir -p "$work/vol" "$work/kept"
	out=$(ctr_run run --rootfs "$rootfs" --volume "$work/vol:/data" -- sh -c \
		'echo written >/note; echo persisted >/data/note') || { ctr_failed "$out"; return; }
	again=$(ctr_run run --rootfs "$rootfs" -- sh -c 'cat /note 2>/dev/null || echo absent') ||
		{ ctr_failed "$again"; return; }
	out=$(ctr_run run --rootfs "$rootfs" --keep-layer "$work/kept/layer" -- sh -c 'echo saved >/note') ||
		{ ctr_failed "$out"; return; }
	kept=$(cat "$work/kept/layer/note" 2>/dev/null)
	measured "a second container sees /note: $again; the volume holds: $(cat "$work/vol/note" 2>/dev/null)"
	measured "with --keep-layer the saved layer holds: ${kept:-nothing}"
	[ "$again" = absent ] && [ "$(cat "$work/vol/note" 2>/dev/null)" = persisted ] && [ "$kept" = saved ]
}

claim_3() {
	local host inctr invm why
	host=$(uname -r)
	inctr=$(ctr_run run --rootfs "$rootfs" -- uname -r) || { ctr_failed "$inctr"; return; }
	measured "host kernel $host; inside a container $inctr"
	if why=$(vm_unavailable); then not_shown "$why"; return; fi
	boot_vm uname -- 'echo kernel=$(uname -r)' || { not_shown "$vm_error"; return; }
	invm=$(tr -d '\r' <"$work/uname.out" | sed -n 's/^kernel=//p' | head -n 1)
	[ -n "$invm" ] || { not_shown "the guest printed no kernel= line: $(last_line "$(cat "$work/uname.out")")"; return; }
	measured "inside the VM $invm"
	[ "$inctr" = "$host" ] && [ "$invm" != "$host" ]
}

claim_4() {
	local out
	out=$(ctr_run run --rootfs "$rootfs" --hostname demo --net none -- sh -c \
		'echo pid=$$; echo host=$(hostname); echo procs=$(ls -d /proc/[0-9]* | wc -l); echo ifs=$(ls /sys/class/net | tr "\n" " ")') ||
		{ ctr_failed "$out"; return; }
	measured "inside: $(echo "$out" | tr '\n' ' ')(host: $(ls -d /proc/[0-9]* 2>/dev/null | wc -l) processes, hostname $(hostname))"
	grep -qx 'pid=1' <<<"$out" && grep -qx 'host=demo' <<<"$out" && grep -qx 'ifs=lo' <<<"$out" &&
		[ "$(sed -n 's/^procs=//p' <<<"$out")" -lt 10 ]
}

claim_5() {
	local oom status=0 killed pids started
	oom=$(ctr_run run --rootfs "$rootfs" --memory 32M --stats "$work/oom.json" -- \
		sh -c 'x=$(head -c 100000000 /dev/zero | tr "\0" a); echo survived') || status=$?
	killed=$(json_number "$work/oom.json" oom_killed)
	[ -n "$killed" ] || { ctr_failed "$oom"; return; }
	# Each sleeper is started from a subshell, so the loop survives the
	# first refused fork and reports how many it got.
	pids=$(ctr_run run --rootfs "$rootfs" --pids 20 -- sh -c \
		'i=0; while [ $i -lt 60 ]; do (sleep 3 &) 2>/dev/null || break; i=$((i+1)); done; echo started=$i')
	started=$(sed -n 's/^started=//p' <<<"$pids")
	[ -n "$started" ] || { ctr_failed "$pids"; return; }
	measured "a memory hog (100 MB in a shell variable) under a 32 MiB limit: $([ "$killed" = true ] && echo "killed by the OOM killer" || echo "not killed"), exit status $status"
	measured "60 sleepers under a limit of 20 processes: $started started"
	[ "$killed" = true ] && ! grep -q survived <<<"$oom" && [ "$started" -lt 60 ]
}

# Claims 6 and 7 share one series: 5 containers and 5 VMs run /bin/true,
# alternating, each timed from start to exit. Empty $series_error: done.
series_state="" series_error="" cms=() vms=()
boot_series() {
	local i t out why stop
	if [ -n "$series_state" ]; then
		note "the runs of claim 6"
		return
	fi
	series_state=ran
	if why=$(vm_unavailable); then series_error=$why; return; fi
	show "$ctr" run --rootfs "$rootfs" --stats "$work/c1.json" -- /bin/true
	quiet_boot=yes
	show "$vmm" --kernel "$kernel" --initrd "$initrd" --timeout 120 --stats "$work/v1.json" --append 'isolab_run=true'
	note "each 5 times, alternating, timed from start to exit; c1..c5, v1..v5"
	for i in 1 2 3 4 5; do
		t=$(now_ns)
		out=$("$ctr" run --rootfs "$rootfs" --stats "$work/c$i.json" -- /bin/true 2>&1) ||
			{ series_error="isolab-ctr failed: $(short "$(last_line "$out")")"; break; }
		cms+=("$(ms_since "$t")")
		t=$(now_ns)
		boot_vm "v$i" --stats "$work/v$i.json" -- true || { series_error=$vm_error; break; }
		stop=$(json_string "$work/v$i.json" stop_reason)
		[ "$stop" = debug-exit ] ||
			{ series_error="boot v$i did not end through the guest's init (stop_reason: ${stop:-none})"; break; }
		vms+=("$(ms_since "$t")")
	done
	quiet_boot=no
}

claim_6() {
	local cm vm
	boot_series
	[ -z "$series_error" ] || { not_shown "$series_error"; return; }
	cm=$(printf '%s\n' "${cms[@]}" | median) vm=$(printf '%s\n' "${vms[@]}" | median)
	measured "median start to exit of /bin/true: container $(human_ms "$cm"), VM $(human_ms "$vm") ($(ratio "$vm" "$cm")x)"
	[ "$vm" -gt "$cm" ]
}

claim_7() {
	local cmem pages vmem
	boot_series
	[ -z "$series_error" ] || { not_shown "$series_error"; return; }
	cmem=$(json_number "$work/c1.json" peak_bytes)
	pages=$(json_number "$work/v1.json" guest_pages_touched)
	[ -n "$cmem" ] && [ "$cmem" -gt 0 ] || { not_shown "no peak_bytes in the container's --stats"; return; }
	[ -n "$pages" ] && [ "$pages" -gt 0 ] || { not_shown "no guest_pages_touched in the VM's --stats"; return; }
	vmem=$((pages * $(getconf PAGESIZE)))
	measured "container: cgroup peak $(human_bytes "$cmem"); VM: guest memory touched $(human_bytes "$vmem") ($(ratio "$vmem" "$cmem")x)"
	[ "$vmem" -gt "$cmem" ]
}

claim_8() {
	local disk calls reach confined unconfined node ctr_status invm guest why
	# the disk under the host's / as MAJOR:MINOR (8:0, sda, when / is on no
	# disk, as in the lab: the device policy refuses it before any driver)
	disk=$(findmnt -no MAJ:MIN / 2>/dev/null | head -n 1 | tr -d ' ')
	case $disk in 0:* | "") disk=8:0 ;; esac
	calls="sysprobe keyctl; sysprobe unshare-user"
	reach="mknod /dev/hostdisk b ${disk%:*} ${disk#*:} && head -c 512 /dev/hostdisk | wc -c"
	confined=$(ctr_run run --rootfs "$rootfs" -- sh -c "$calls")
	unconfined=$(ctr_run run --rootfs "$rootfs" --security-opt seccomp=unconfined -- sh -c "$calls")
	node=$(ctr_run run --rootfs "$rootfs" -- sh -c "$reach")
	grep -q '^keyctl: ' <<<"$confined" || { ctr_failed "$confined"; return; }
	grep -q '^keyctl: ' <<<"$unconfined" || { ctr_failed "$unconfined"; return; }
	measured "host kernel $(uname -r); in a container, default profile: $(echo "$confined" | tr '\n' ' ')"
	measured "the same with --security-opt seccomp=unconfined: $(echo "$unconfined" | tr '\n' ' ')"
	measured "the host's disk $disk as a node made inside, head -c 512 | wc -c: $(echo "$node" | tr '\n' ' ')"
	grep -qx 'keyctl: EPERM' <<<"$confined" && grep -qx 'unshare-user: EPERM' <<<"$confined" &&
		grep -qx 'keyctl: ok' <<<"$unconfined" && grep -qx 'unshare-user: ok' <<<"$unconfined" &&
		grep -q 'Operation not permitted' <<<"$node" && grep -qx 0 <<<"$node"
	ctr_status=$?
	if why=$(vm_unavailable); then
		note "the VM half is not shown: $why; the verdict rests on the container half"
		return $ctr_status
	fi
	if ! boot_vm calls -- "echo kernel=\$(uname -r); $calls; $reach"; then
		note "the VM half is not shown: $vm_error; the verdict rests on the container half"
		return $ctr_status
	fi
	invm=$(tr -d '\r' <"$work/calls.out" | grep -E '^(kernel=|keyctl:|unshare-user:|mknod:|head:|[0-9]+$)')
	guest=$(sed -n 's/^kernel=//p' <<<"$invm")
	if [ -z "$guest" ]; then
		note "the VM half is not shown: the guest printed no kernel= line; the verdict rests on the container half"
		return $ctr_status
	fi
	measured "the same inside a VM (no filter; its own kernel and devices): $(echo "$invm" | tr '\n' ' ')"
	# the calls and the node met the guest's kernel, not the host's
	[ "$ctr_status" = 0 ] && [ "$guest" != "$(uname -r)" ]
}

# The image claims, through the engine (build/isolab) with a store of their own.
# The image claims' containers need no network: none, as a teacher would
# set it once (the default network's bridge and iptables are another story).
eng() { ISOLAB_ROOT=$work/store ISOLAB_NETWORK=none "$engine" "$@" 2>&1; }
eng_shown() { show "$engine" "$@"; eng "$@"; }
image_id() { eng inspect "$1" | sed -n 's/^[[:space:]]*"Id":[[:space:]]*"sha256:\([0-9a-f]\{12\}\).*/\1/p'; }
layers_of() { eng inspect "$1" | sed -n 's/.*"Layers":[[:space:]]*\[\(.*\)\].*/\1/p' | grep -o 'sha256:[0-9a-f]\{12\}' | cut -c8-; }
first_layer() { layers_of "$1" | head -n 1; }
indent() { sed 's/^/    /'; }
# base_image: the image claims' base:1, from the shared image (once)
base_state=""
base_image() {
	local out
	case $base_state in ok) return 0 ;; failed) return 1 ;; esac
	base_state=failed
	show tar -C "$rootfs" -czf "$work/base.tar.gz" .
	tar -C "$rootfs" -czf "$work/base.tar.gz" . || { reason="tar of the image failed"; return 1; }
	echo "  \$ export ISOLAB_ROOT=\$T/store ISOLAB_NETWORK=none" >&3
	out=$(eng_shown import "$work/base.tar.gz" base:1) || { reason="isolab import failed: $(short "$(last_line "$out")")"; return 1; }
	base_state=ok
}

claim_9() {
	local a b
	base_image || return 2
	eng_shown tag base:1 base:latest || { not_shown "isolab tag failed"; return; }
	eng_shown images | indent
	a=$(image_id base:1) b=$(image_id base:latest)
	measured "base:1 is image $a, base:latest is image $b; the store holds $(find "$work/store/layers" -mindepth 1 -maxdepth 1 ! -name '*.json' | wc -l) unpacked layer"
	[ -n "$a" ] && [ "$a" = "$b" ]
}

claim_10() {
	local out v old
	base_image || return 2
	out=$(eng_shown run --name edit base:1 sh -c 'echo v2 > /etc/app-version') || { not_shown "isolab run failed: $(last_line "$out")"; return; }
	out=$(eng_shown commit edit app:2) || { not_shown "isolab commit failed: $(last_line "$out")"; return; }
	indent <<<"$out"
	eng_shown history app:2 | indent
	v=$(eng_shown run --rm app:2 cat /etc/app-version) || { not_shown "isolab run failed: $(last_line "$v")"; return; }
	old=$(eng_shown run --rm base:1 sh -c 'cat /etc/app-version 2>/dev/null || echo absent') ||
		{ not_shown "isolab run failed: $(last_line "$old")"; return; }
	measured "app:2 has $(layers_of app:2 | wc -l) layers, its first $(first_layer app:2) = base:1's $(first_layer base:1); app:2 reads \"$v\", base:1 still \"$old\""
	[ "$(first_layer app:2)" = "$(first_layer base:1)" ] && [ "$v" = v2 ] && [ "$old" = absent ]
}

claim_11() {
	local status
	base_image || return 2
	[ -x /usr/bin/docker-registry ] || { not_shown "no docker-registry here to push to (make deps)"; return; }
	# shellcheck source=engine/tests/registry-lib.sh
	source "$root/engine/tests/registry-lib.sh"
	registry_start >/dev/null || { not_shown "docker-registry did not start"; return; }
	note "a docker-registry of this run's own listens on $REGISTRY"
	push_twice
	status=$?
	registry_stop
	return $status
}
push_twice() {
	local out first second
	eng tag base:1 "$REGISTRY/base:1" >/dev/null
	if ! eng tag app:2 "$REGISTRY/app:2" >/dev/null; then # claim 10 was not run
		out=$(eng run --name edit2 base:1 sh -c 'echo v2 > /etc/app-version') ||
			{ not_shown "isolab run failed: $(last_line "$out")"; return; }
		out=$(eng commit edit2 app:2) || { not_shown "isolab commit failed: $(last_line "$out")"; return; }
		eng tag app:2 "$REGISTRY/app:2" >/dev/null
	fi
	first=$(eng_shown push "$REGISTRY/base:1") || { not_shown "isolab push failed: $(last_line "$first")"; return; }
	indent <<<"$first"
	echo "  (the same base, one more layer:)"
	second=$(eng_shown push "$REGISTRY/app:2") || { not_shown "isolab push failed: $(last_line "$second")"; return; }
	indent <<<"$second"
	measured "second push: $(grep 'already there' <<<"$second")"
	grep -q '^1 layer sent, 0 already there' <<<"$first" &&
		grep -q '^1 layer sent, 1 already there' <<<"$second"
}

claim_12() {
	local out again layers cached
	base_image || return 2
	mkdir -p "$work/b12" && echo "v1" >"$work/b12/version"
	cat >"$work/b12/Dockerfile" <<'EOF'
FROM base:1
ENV APP=/app
WORKDIR /app
COPY version ./
RUN echo "built $(cat version)" > built
CMD ["cat", "/app/built"]
EOF
	out=$(eng_shown build -t demo:1 "$work/b12") || { not_shown "isolab build failed: $(last_line "$out")"; return; }
	grep -E '^(Step|Successfully built| --->)' <<<"$out" | indent
	eng_shown history demo:1 | indent
	echo "  (again, nothing changed:)"
	again=$(eng_shown build -t demo:1 "$work/b12") || { not_shown "isolab build failed: $(last_line "$again")"; return; }
	grep -E '^(Step|Successfully built| --->)' <<<"$again" | indent
	layers=$(layers_of demo:1 | wc -l)
	cached=$(grep -c -- '---> CACHED' <<<"$again")
	measured "demo:1 has $layers layers (base, COPY, RUN) for 6 instructions; the rebuild: $cached of 5 steps CACHED, the same image ID"
	[ "$layers" = 3 ] && [ "$cached" = 5 ]
}

claim_13() {
	local out a b
	base_image || return 2
	mkdir -p "$work/b13"
	printf 'FROM base:1\nENTRYPOINT ["/bin/echo", "entrypoint:"]\nCMD ["default", "args"]\n' >"$work/b13/Dockerfile"
	show cat "$work/b13/Dockerfile"
	indent <"$work/b13/Dockerfile"
	out=$(eng_shown build -t demo:ep "$work/b13") || { not_shown "isolab build failed: $(last_line "$out")"; return; }
	a=$(eng_shown run --rm demo:ep) || { not_shown "isolab run failed: $(last_line "$a")"; return; }
	indent <<<"$a"
	b=$(eng_shown run --rm demo:ep given on the command line) || { not_shown "isolab run failed: $(last_line "$b")"; return; }
	indent <<<"$b"
	measured "CMD replaced by the arguments, ENTRYPOINT kept in both"
	[ "$a" = "entrypoint: default args" ] && [ "$b" = "entrypoint: given on the command line" ]
}

claim_14() {
	local out full small stage final ran
	base_image || return 2
	mkdir -p "$work/b14" && head -c 2000000 /dev/urandom >"$work/b14/dataset.bin"
	cat >"$work/b14/Dockerfile" <<'EOF'
FROM base:1 AS builder
RUN mkdir -p /out && cp /bin/busybox /out/echo && dd if=/dev/zero of=/scratch.bin bs=1k count=2048 2>/dev/null
FROM scratch
COPY --from=builder /out/echo /echo
ENTRYPOINT ["/echo", "only this binary"]
EOF
	note "a 2 MB dataset.bin sits in the build context"
	out=$(eng_shown build -t demo:small "$work/b14") || { not_shown "isolab build failed: $(last_line "$out")"; return; }
	grep -E '^(Sending|stage|image:)' <<<"$out" | indent
	full=$(sed -n 's/^Sending build context: \([0-9]*\) bytes.*/\1/p' <<<"$out")
	stage=$(sed -n 's/^stage 0 builder: \([0-9]*\) bytes.*/\1/p' <<<"$out")
	final=$(sed -n 's/^image: \([0-9]*\) bytes.*/\1/p' <<<"$out")
	echo "  \$ echo '*.bin' > \$T/b14/.dockerignore"
	echo '*.bin' >"$work/b14/.dockerignore"
	out=$(eng_shown build -t demo:small "$work/b14") || { not_shown "isolab build failed: $(last_line "$out")"; return; }
	grep -E '^(Sending)' <<<"$out" | indent
	small=$(sed -n 's/^Sending build context: \([0-9]*\) bytes.*/\1/p' <<<"$out")
	[ -n "$full" ] && [ -n "$small" ] && [ -n "$stage" ] && [ -n "$final" ] ||
		{ not_shown "isolab build printed no sizes"; return; }
	ran=$(eng_shown run --rm demo:small) || { not_shown "isolab run failed: $(last_line "$ran")"; return; }
	indent <<<"$ran"
	measured "build stage $(human_bytes "$stage"), final image $(human_bytes "$final") ($(layers_of demo:small | wc -l) layer); context $(human_bytes "$full"), then $(human_bytes "$small") with .dockerignore"
	[ "$final" -lt "$((stage / 3))" ] && [ "$small" -lt 10000 ] && [ "$full" -gt 2000000 ] &&
		[ "$ran" = "only this binary" ]
}

# cpu_loop [RUN OPTIONS]: one container's CPU-bound loop under time(1):
# sets loop_ms (wall time) and loop_share (its CPU time, % of the wall time)
cpu_loop() {
	local out last
	out=$(ctr_run run --rootfs "$rootfs" "$@" -- time -f '%e s wall, %U s user, %S s system' sh -c \
		'i=0; while [ $i -lt 600000 ]; do i=$((i+1)); done') || { ctr_failed "$out"; return; }
	last=$(grep ' s wall, ' <<<"$out" | tail -n 1)
	[ -n "$last" ] || { not_shown "time printed nothing: $(last_line "$out")"; return; }
	indent <<<"$last"
	read -r loop_ms loop_share < <(awk '{ w = $1 * 1000; c = ($4 + $7) * 1000
		printf "%d %d\n", w, (w > 0 ? 100 * c / w : 0) }' <<<"$last")
}

claim_15() {
	local free_ms free_share
	cpu_loop || return
	free_ms=$loop_ms free_share=$loop_share
	# on a busy host the loop without a limit gets less than a CPU: again, best kept
	for _ in 2 3; do
		[ "$free_share" -lt 75 ] || break
		note "it got $free_share% of a CPU; once more"
		cpu_loop || return
		[ "$loop_share" -le "$free_share" ] || { free_ms=$loop_ms free_share=$loop_share; }
	done
	cpu_loop --cpus 0.25 || return
	measured "the same loop: $(human_ms "$free_ms") without a limit ($free_share% of one CPU), $(human_ms "$loop_ms") under --cpus 0.25 ($loop_share% of one CPU): $(ratio "$loop_ms" "$free_ms")x as long"
	[ "$free_share" -ge 60 ] || { not_shown "the host is too busy: the loop without a limit got only $free_share% of a CPU"; return; }
	[ "$loop_share" -le 30 ] && [ "$loop_ms" -ge $((free_ms * 2)) ]
}

claim_16() {
	local name=demo-userns-$$ out pids pid uid_host inside map
	ctr_background "$name" "$work/userns.out" --rootfs "$rootfs" --userns --init -- \
		sh -c 'id -u; cat /proc/self/uid_map; exec sleep 60' || { ctr_failed "$(cat "$work/userns.out")"; return; }
	sleep 0.2 # the uid_map line
	echo "  \$ grep -l isolab-ctr/$name /proc/*/cgroup      (on the host: its processes)"
	pids=$(ctr_pids "$name")
	sed 's|.*|    /proc/&/cgroup|' <<<"$pids"
	pid=$(tail -n 1 <<<"$pids")
	echo "  \$ grep Uid: /proc/${pid:-?}/status"
	[ -n "$pid" ] && uid_host=$(awk '/^Uid:/ { print $2 }' "/proc/$pid/status" 2>/dev/null)
	grep Uid: "/proc/${pid:-?}/status" 2>/dev/null | indent
	stop_background
	out=$(cat "$work/userns.out")
	inside=$(sed -n 1p <<<"$out")
	map=$(sed -n 2p <<<"$out" | tr -s ' \t' ' ' | sed 's/^ //')
	[ -n "${uid_host:-}" ] || { not_shown "the container's process was not found on the host: $(last_line "$out")"; return; }
	measured "inside: id -u is $inside (uid_map: $map); on the host, PID $pid runs as uid $uid_host"
	[ "$inside" = 0 ] && [ "$uid_host" != 0 ]
}

claim_17() {
	local out id key host inside
	command -v ipcmk >/dev/null || { not_shown "ipcmk (util-linux) is missing"; return; }
	show ipcmk -M 4096
	out=$(ipcmk -M 4096 2>&1) && id=$(sed -n 's/^Shared memory id: \([0-9]*\)$/\1/p' <<<"$out")
	[ -n "${id:-}" ] || { not_shown "ipcmk failed: $(last_line "$out")"; return; }
	shm_left=$id
	indent <<<"$out"
	note "/proc/sysvipc/shm is what ipcs reads: a header line, then a line a segment"
	show grep -c . /proc/sysvipc/shm
	host=$(grep -c . /proc/sysvipc/shm)
	indent <<<"$host"
	key=$(awk -v id="$id" '$2 == id { print $1 }' /proc/sysvipc/shm)
	inside=$(ctr_run run --rootfs "$rootfs" -- grep -c . /proc/sysvipc/shm)
	indent <<<"$inside"
	show ipcrm -m "$id"
	ipcrm -m "$id" && shm_left=""
	[[ $inside =~ ^[0-9]+$ ]] || { ctr_failed "$inside"; return; }
	measured "the host lists segment $id (key $key) in $host lines; a container, $inside line: the header alone"
	[ -n "$key" ] && [ "$inside" = 1 ]
}

claim_18() {
	local name=demo-mnt-$$ src=isolab-demo-$$ inside host
	note "mount(2) needs CAP_SYS_ADMIN, which a container lacks by default (claim 22): --cap-add SYS_ADMIN"
	ctr_background "$name" "$work/mnt.out" --rootfs "$rootfs" --cap-add SYS_ADMIN --init -- \
		sh -c "mount -t tmpfs $src /mnt && grep -c $src /proc/self/mountinfo; exec sleep 60" ||
		{ ctr_failed "$(cat "$work/mnt.out")"; return; }
	echo "  \$ grep -c $src /proc/self/mountinfo      (on the host, while the container runs)"
	host=$(grep -c "$src" /proc/self/mountinfo)
	indent <<<"$host"
	stop_background
	inside=$(head -n 1 "$work/mnt.out")
	[[ $inside =~ ^[0-9]+$ ]] || { ctr_failed "$(cat "$work/mnt.out")"; return; }
	measured "the tmpfs $src: $inside line in the container's /proc/self/mountinfo, $host in the host's"
	[ "$inside" = 1 ] && [ "$host" = 0 ]
}

claim_19() {
	local out before after image_size layer_size
	before=$(sha256sum <"$rootfs/etc/passwd")
	image_size=$(stat -c %s "$rootfs/etc/passwd")
	out=$(ctr_run run --rootfs "$rootfs" --keep-layer "$work/copyup" -- sh -c \
		'echo "demo:x:1000:1000::/:/bin/sh" >> /etc/passwd') || { ctr_failed "$out"; return; }
	show ls -l "$work/copyup/etc/passwd" "$rootfs/etc/passwd"
	ls -l "$work/copyup/etc/passwd" "$rootfs/etc/passwd" 2>&1 | sed "s|$work|\$T|; s|$root/||" | indent
	[ -f "$work/copyup/etc/passwd" ] || { not_shown "--keep-layer saved no etc/passwd"; return; }
	layer_size=$(stat -c %s "$work/copyup/etc/passwd")
	after=$(sha256sum <"$rootfs/etc/passwd")
	measured "one line (28 B) appended: the writable layer holds the whole file, $(human_bytes "$layer_size") = the image's $(human_bytes "$image_size") + 28 B; the image's file is $([ "$before" = "$after" ] && echo "unchanged (same sha256)" || echo CHANGED)"
	[ "$layer_size" = $((image_size + 28)) ] && [ "$before" = "$after" ] &&
		cmp -s -n "$image_size" "$rootfs/etc/passwd" "$work/copyup/etc/passwd"
}

# qemu_first_line ACCEL...: sets first_ms, the ms from QEMU's start to the
# guest's first line
qemu_first_line() {
	local args=(qemu-system-x86_64 -M microvm "$@" -smp 1 -m 128M -nodefaults -no-user-config
		-display none -no-reboot -serial stdio -kernel "$kernel" -initrd "$initrd"
		-append 'console=ttyS0 quiet reboot=t panic=-1 isolab_run="echo guest: first line"')
	local t
	show "${args[@]}"
	t=$(now_ns)
	first_ms=$(timeout 300 "${args[@]}" </dev/null 2>"$work/qemu.err" | while IFS= read -r line; do
		case $line in *"guest: first line"*) ms_since "$t" ;; esac
	done)
	[ -n "$first_ms" ] || not_shown "no guest line from QEMU ($*) within 300 s: $(last_line "$(cat "$work/qemu.err")")"
}

claim_20() {
	local why kvm
	if why=$(vm_unavailable); then not_shown "$why"; return; fi
	command -v qemu-system-x86_64 >/dev/null || { not_shown "qemu-system-x86_64 is missing (make deps)"; return; }
	note "the same kernel, initramfs and QEMU; only the accelerator differs"
	qemu_first_line -accel kvm -cpu host || return
	kvm=$first_ms
	qemu_first_line -accel tcg || return
	measured "to the guest's first line: KVM $(human_ms "$kvm"), TCG $(human_ms "$first_ms") ($(ratio "$first_ms" "$kvm")x)"
	[ "${ISOLAB_LAB:-}" = 1 ] &&
		note "in the lab this KVM is nested: the lab itself is a QEMU TCG machine, and TCG here runs on TCG"
	[ "$kvm" -lt "$first_ms" ]
}

# one_lifecycle RUNTIME: create, state, start, state, delete of $work/bundle;
# prints a table row; true when every step succeeded
one_lifecycle() {
	local rt=$1 name base st id=demo-$$ out s1 s2 status=0
	name=$(short "$rt") base=$(basename "$rt")
	st=$work/state-$base
	if ! command -v "$rt" >/dev/null; then printf '    %-17s not installed\n' "$name"; return 1; fi
	oci_left+=("$rt|$st|$id")
	"$rt" --root "$st" create --bundle "$work/bundle" "$id" </dev/null >"$work/$base.create" 2>&1 || status=$?
	if [ $status != 0 ]; then
		printf '    %-17s create refused: %s\n' "$name" "$(short "$(last_line "$(cat "$work/$base.create")")")"
		"$rt" --root "$st" delete --force "$id" >/dev/null 2>&1
		return 1
	fi
	s1=$("$rt" --root "$st" state "$id" 2>&1) &&
		"$rt" --root "$st" start "$id" >/dev/null 2>&1 &&
		s2=$("$rt" --root "$st" state "$id" 2>&1) || status=$?
	"$rt" --root "$st" delete --force "$id" >"$work/$base.delete" 2>&1 || status=$?
	printf '    %-17s %-23s %-23s %s\n' "$name" "$(field status "$s1"), pid $(field pid "$s1")" \
		"$(field status "${s2:-}"), pid $(field pid "${s2:-}")" "$([ $status = 0 ] && echo deleted || echo "failed ($status)")"
	[ $status = 0 ] && [ "$(field status "$s1")" = created ] && [ "$(field status "$s2")" = running ] &&
		[ "$(field pid "$s1")" = "$(field pid "$s2")" ]
	status=$?
	lifecycle_ok+=("$(basename "$rt"):$status")
	return $status
}

claim_21() {
	local b=$work/bundle id=demo-$$ out v2=no ran=0 bad=0 r
	lifecycle_ok=()
	mkdir -p "$b"
	show "$ctr" spec --bundle "$b"
	out=$("$ctr" spec --bundle "$b" 2>&1) || { ctr_failed "$out"; return; }
	sed -i -e 's/"terminal":[[:space:]]*true/"terminal": false/' \
		-e 's|"args":[[:space:]]*\["sh"\]|"args": ["sleep", "30"]|' \
		-e "s|\"path\":[[:space:]]*\"rootfs\"|\"path\": \"$rootfs\"|" "$b/config.json"
	grep -q '"args": \["sleep", "30"\]' "$b/config.json" && grep -q '"terminal": false' "$b/config.json" &&
		grep -q "\"path\": \"$rootfs\"" "$b/config.json" || { not_shown "could not edit \$T/bundle/config.json"; return; }
	note "config.json edited: process.args [\"sleep\", \"30\"], terminal false, root.path $(short "$rootfs")"
	echo "  \$ R --root \$T/state-R create --bundle \$T/bundle $id; R state $id; R start $id; R state $id; R delete --force $id"
	printf '    %-17s %-23s %-23s %s\n' "R =" "state after create" "state after start" "delete"
	[ "$(stat -fc %T /sys/fs/cgroup 2>/dev/null)" = cgroup2fs ] && v2=yes
	one_lifecycle "$ctr" || { not_shown "isolab-ctr did not go through the lifecycle: $(last_line "$(cat "$work/isolab-ctr.create" 2>/dev/null)")"; return; }
	one_lifecycle runc
	one_lifecycle crun
	if [ $v2 = no ] && command -v crun >/dev/null; then
		note "crun refuses cgroup v1 hybrid hosts like this one; in the lab, pure cgroup v2, it runs: make demo"
	fi
	for r in "${lifecycle_ok[@]}"; do
		ran=$((ran + 1))
		[ "${r##*:}" = 0 ] || bad=$((bad + 1))
	done
	[ "$ran" -ge 2 ] || { not_shown "no other runtime went through the lifecycle here"; return; }
	measured "$ran runtimes took one bundle through create, state, start, state, delete; $((ran - bad)) of them said created, then running, with one pid"
	[ $bad = 0 ]
}

claim_22() {
	local op='id -u; ip link set lo mtu 1000 && ip link show lo' without with s1=0 s2=0
	without=$(ctr_run run --rootfs "$rootfs" -- sh -c "$op") || s1=$?
	[ $s1 -lt 125 ] || { ctr_failed "$without"; return; }
	indent <<<"$without"
	with=$(ctr_run run --rootfs "$rootfs" --cap-add NET_ADMIN -- sh -c "$op") || s2=$?
	[ $s2 -lt 125 ] || { ctr_failed "$with"; return; }
	indent <<<"$with"
	measured "as root (uid $(head -n 1 <<<"$without")): $(grep -o 'Operation not permitted' <<<"$without" || echo "allowed"); with --cap-add NET_ADMIN: $(grep -o 'mtu [0-9]*' <<<"$with" || echo "refused")"
	[ "$(head -n 1 <<<"$without")" = 0 ] && [ $s1 != 0 ] && grep -q 'Operation not permitted' <<<"$without" &&
		[ $s2 = 0 ] && grep -q 'mtu 1000' <<<"$with"
}

# ---- the network claims: CNI's bridge, through the engine ----------------------
# Their containers are on the store's default network (`isolab`); the
# host's shared CNI chains the plugins add, and the networks, go at the end.
net_eng() { ISOLAB_ROOT=$work/store "$engine" "$@" 2>&1; }
net_eng_shown() { show "$engine" "$@"; net_eng "$@"; }
net_ready() {
	local missing
	case $net_state in ok) return 0 ;; failed) not_shown "$reason_net"; return ;; esac
	net_state=failed
	# shellcheck source=engine/tests/network-lib.sh
	source "$root/engine/tests/network-lib.sh"
	if missing=$(cni_missing); then reason_net=$missing; not_shown "$missing"; return; fi
	base_image || { reason_net=$reason; return 2; }
	echo "  \$ unset ISOLAB_NETWORK   # from here on: the default network, isolab" >&3
	chains_snapshot "$work/chains-before"
	mkdir -p "$work/www" && echo "hello from a container" >"$work/www/index.html"
	net_state=ok
}
net_cleanup() {
	ISOLAB_ROOT=$work/store "$engine" network prune >/dev/null 2>&1
	chains_restore "$work/chains-before"
}
# net_field NAME KEY: a field of `isolab network inspect NAME`
net_field() { net_eng network inspect "$1" | sed -n "s/^[[:space:]]*\"$2\":[[:space:]]*\"\([^\"]*\)\".*/\1/p" | head -n 1; }
# web_up: the server of claims 24 and 25 (busybox httpd), published at
# 127.0.0.1:$web_port, started once, answering; false with $reason set
web_state="" web_port="" reason_web=""
web_up() {
	local i
	case $web_state in ok) return 0 ;; failed) not_shown "$reason_web"; return ;; esac
	web_state=failed web_port=$(free_port)
	reason_web="the server did not start"
	echo "  \$ $(short "$engine") run --init --name web -p 127.0.0.1:$web_port:80 -v \$T/www:/www:ro base:1 httpd -f -p 80 -h /www &" >&3
	ISOLAB_ROOT=$work/store "$engine" run --init --name web -p "127.0.0.1:$web_port:80" \
		-v "$work/www:/www:ro" base:1 httpd -f -p 80 -h /www >"$work/web.log" 2>&1 </dev/null &
	background+=($!)
	for ((i = 0; i < 100; i++)); do
		if [ -n "$(web_ip)" ] && "$rootfs/bin/busybox" wget -qO /dev/null "http://127.0.0.1:$web_port/" 2>/dev/null; then
			web_state=ok
			return 0
		fi
		kill -0 "${background[-1]}" 2>/dev/null || break
		sleep 0.1
	done
	reason_web="the server did not answer: $(short "$(last_line "$(cat "$work/web.log")")")"
	not_shown "$reason_web"
}
web_ip() { sed -n 's/.*"IPAddress":[[:space:]]*"\([0-9.]*\)".*/\1/p' "$work/store/containers/web/config.json" 2>/dev/null | head -n 1; }

claim_23() {
	local out ip gw subnet host_addrs
	net_ready || return 2
	out=$(net_eng_shown run --rm --name addr base:1 sh -c 'ip -4 -o addr show eth0; ip route') ||
		{ not_shown "isolab run failed: $(last_line "$out")"; return; }
	indent <<<"$out"
	subnet=$(net_field isolab Subnet) gw=$(net_field isolab Gateway)
	show "$engine" network inspect isolab
	echo "  \$ ip -4 -o addr show" >&3
	host_addrs=$(ip -4 -o addr show | awk '{ print $4 }' | tr '\n' ' ')
	ip=$(sed -n 's/.*inet \([0-9.]*\)\/.*/\1/p' <<<"$out" | head -n 1)
	measured "inside: eth0 $ip, default route via $gw (the bridge of network isolab, $subnet); the host's own addresses: $host_addrs"
	[ -n "$ip" ] && [ -n "$subnet" ] && [[ $ip == "${subnet%.0.0/16}."* ]] &&
		grep -q "default via $gw dev eth0" <<<"$out" && [[ " $host_addrs" != *" $ip/"* ]]
}

claim_24() {
	local out i
	net_ready || return 2
	web_up || return 2
	net_eng_shown port web | indent
	show "$rootfs/bin/busybox" wget -qO- "http://127.0.0.1:$web_port/"
	for ((i = 0; i < 30; i++)); do
		out=$("$rootfs/bin/busybox" wget -qO- "http://127.0.0.1:$web_port/" 2>&1) && break
		sleep 0.2
	done
	indent <<<"$out"
	measured "the host asked 127.0.0.1:$web_port; the server in container web ($(web_ip), port 80) answered \"$out\""
	[ "$out" = "hello from a container" ]
}

claim_25() {
	local out ip
	net_ready || return 2
	web_up || return 2
	ip=$(web_ip)
	out=$(net_eng_shown run --rm --name client base:1 sh -c "wget -qO- http://$ip/; wget -qO- http://web/; grep -w web /etc/hosts") ||
		{ not_shown "isolab run failed: $(last_line "$out")"; return; }
	indent <<<"$out"
	measured "container client reached web at $ip and by its name: $(grep -c '^hello from a container$' <<<"$out") answers of 2; its /etc/hosts: $(grep -w web <<<"$out" | tr '\t' ' ')"
	[ "$(grep -c '^hello from a container$' <<<"$out")" = 2 ]
}

# ---- main ----------------------------------------------------------------------

echo "Commands are shown as typed from $(short "$root") (the repository); \$T is $work."
first=yes
for entry in "${CLAIMS[@]}"; do
	n=${entry%%|*}
	selected "$n" || continue
	if [ $pause = yes ] && [ -t 0 ] && [ $first = no ]; then
		read -r -p "(Enter: the next claim) " _ || true
	fi
	first=no
	echo
	echo "Claim $n: ${entry#*|}"
	reason=""
	"claim_$n"
	case $? in
	0) echo "  verdict: holds"; held=$((held + 1)) ;;
	2) echo "  not shown: ${reason:-no reason given}"; skipped=$((skipped + 1)) ;;
	*) echo "  verdict: DID NOT HOLD"; failed=$((failed + 1)) ;;
	esac
done

echo
echo "$held claims held, $failed did not, $skipped not shown"
[ "$failed" = 0 ]
