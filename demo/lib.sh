# demo/lib.sh: what demo/claims.sh uses to print, run and measure; sourced
# by it (it sets root, work, ctr, vmm, kernel, initrd, rootfs, and fd 3 for
# the commands shown). A claim function returns 0 held, 1 did not hold, 2
# not shown, with $reason saying why.
# shellcheck shell=bash disable=SC2034,SC2154

# ---- printing --------------------------------------------------------------

held=0 failed=0 skipped=0 reason=""
selected() { [ -z "$only" ] || [[ $only == *",$1,"* ]]; }
measured() { echo "  measured: $*"; }
note() { echo "  ($*)"; }
# not_shown WHY: the claim could not be measured; its function returns 2.
not_shown() { reason=$*; return 2; }
# short TEXT: paths as typed from the repository root, $T for the scratch dir
short() { local s=${1//"$work"/'$T'}; printf '%s' "${s//"$root/"/}"; }
# show ARGV...: prints `  $ ARGV` as a teacher would type it
show() {
	local line="" a bare
	for a in "$@"; do
		a=$(short "$a")
		bare=${a//'$T'/}
		if [[ -n $a && ( -z $bare || $bare =~ ^[A-Za-z0-9_./:=,+@%-]+$ ) ]]; then line+=" $a"
		else line+=" '${a//\'/\'\\\'\'}'"; fi
	done
	echo "  \$${line}" >&3
}
# last_line TEXT: its last non-empty line (or "no output"), for a one-line reason
last_line() {
	local l
	l=$(printf '%s\n' "$1" | tr -d '\r' | grep -v '^[[:space:]]*$' | tail -n 1)
	echo "${l:-no output}"
}
human_bytes() {
	awk -v b="$1" 'BEGIN { split("B KiB MiB GiB TiB", u); i = 1
		while (b >= 1024 && i < 5) { b /= 1024; i++ }
		printf (i == 1 || b >= 10) ? "%.0f %s" : "%.1f %s", b, u[i] }'
}
human_ms() {
	awk -v m="$1" 'BEGIN { if (m < 1000) printf "%d ms", m
		else printf (m < 10000 ? "%.2f s" : "%.1f s"), m / 1000 }'
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { r = a / (b > 0 ? b : 1); printf (r < 10 ? "%.1f" : "%.0f"), r }'; }
now_ns() { date +%s%N; }
ms_since() { echo $(( ($(now_ns) - $1) / 1000000 )); }
# json_number FILE KEY: the value of KEY in a cJSON-printed file (one key a line).
json_number() { sed -n "s/^[[:space:]]*\"$2\":[[:space:]]*\([0-9a-z]*\).*/\1/p" "$1" 2>/dev/null | head -n 1; }
# json_string FILE KEY: the string value of KEY, likewise
json_string() { sed -n "s/^[[:space:]]*\"$2\":[[:space:]]*\"\([^\"]*\)\".*/\1/p" "$1" 2>/dev/null | head -n 1; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : int((a[NR/2]+a[NR/2+1])/2)}'; }

# ---- running ---------------------------------------------------------------

# ctr_run ARGS...: shows and runs build/isolab-ctr ARGS, output and errors together
ctr_run() { show "$ctr" "$@"; "$ctr" "$@" 2>&1; }
# ctr_failed OUTPUT: not shown, with isolab-ctr's own message
ctr_failed() { not_shown "isolab-ctr failed: $(short "$(last_line "$1")")"; }
# ctr_background NAME OUT ARGS...: runs `isolab-ctr run --name NAME ARGS`
# in the background, output in OUT, and waits (up to 60 s) for its first line
ctr_background() {
	local name=$1 out=$2 i
	shift 2
	show "$ctr" run --name "$name" "$@"
	"$ctr" run --name "$name" "$@" >"$out" 2>&1 </dev/null &
	background+=($!)
	for ((i = 0; i < 600; i++)); do
		[ -s "$out" ] && return 0
		kill -0 "${background[-1]}" 2>/dev/null || break
		sleep 0.1
	done
	[ -s "$out" ]
}
# stop_background: ends the last background container (TERM through its --init)
stop_background() {
	local p=${background[-1]}
	kill "$p" 2>/dev/null; wait "$p" 2>/dev/null
	unset 'background[-1]'
}
# ctr_pids NAME: the host's PIDs of the processes of container NAME (its cgroup)
ctr_pids() { grep -l "/isolab-ctr/$1\$" /proc/[0-9]*/cgroup 2>/dev/null | cut -d/ -f3; }

kvm_usable() { [ -c /dev/kvm ] && { exec 9<>/dev/kvm; } 2>/dev/null && exec 9>&-; }
# vm_unavailable: prints why the VM claims cannot run here; false when they can
vm_unavailable() {
	if ! kvm_usable; then
		echo "a VM needs a usable /dev/kvm, which this host lacks (make demo runs the claims in the nested-KVM lab, which has one)"
		return 0
	fi
	for f in "$vmm" "$kernel" "$initrd"; do
		[ -e "$f" ] || { echo "$(short "$f") is missing (make all kernel image)"; return 0; }
	done
	return 1
}
# boot_vm NAME [VMM OPTIONS...] -- GUEST_COMMAND: shows and boots the guest
# with isolab_run="GUEST_COMMAND"; console in $work/NAME.out; false with
# $vm_error set when isolab-vmm failed or the guest did not finish
vm_error=""
boot_vm() {
	local name=$1 opts=() status=0
	shift
	while [ "$1" != -- ]; do opts+=("$1"); shift; done
	local args=(--kernel "$kernel" --initrd "$initrd" --timeout 120 "${opts[@]}" --append "isolab_run=\"$2\"")
	[ "${quiet_boot:-}" = yes ] || show "$vmm" "${args[@]}"
	"$vmm" "${args[@]}" >"$work/$name.out" 2>"$work/$name.err" </dev/null || status=$?
	if [ $status = 124 ]; then vm_error="the VM did not finish in 120 s"; return 1; fi
	if [ $status -ge 125 ] || [ $status = 1 ] || [ $status = 2 ] || [ $status = 3 ]; then
		vm_error="isolab-vmm exited $status: $(short "$(last_line "$(cat "$work/$name.err")")")"
		return 1
	fi
	return 0
}

# field KEY JSON: a string or number of `state`'s JSON
field() { sed -n "s/^[[:space:]]*\"$1\":[[:space:]]*\"\{0,1\}\([^\",]*\).*/\1/p" <<<"$2" | head -n 1; }
