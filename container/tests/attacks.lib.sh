# container/tests/attacks.lib.sh: the attacks a hostile container tries,
# each a shell snippet run by `sh -c` inside the container, in one place
# for container/tests/integration/attacks.sh (isolab-ctr must block them)
# and container/tests/attack-table.sh (isolab-ctr, runc and crun side by
# side). The snippets use busybox and /bin/sysprobe of the shared image.
#
# Each snippet prints what it saw, then a last line
#   result: blocked (WHY)     the attack failed, WHY the error (EPERM, ...)
#   result: ALLOWED (WHAT)    the attack worked
#   result: n/a (WHY)         it cannot be tried here
#   result: not filtered (E)  a system call reached the kernel, which
#                             failed it only for the harmless arguments
# A snippet killed before it prints one (the memory hog) is judged by the
# runner from the exit status.
#
# What the runner must provide, per attack (attack_needs):
#   read-only       the container's root read-only (--read-only)
#   memory=32M      a memory limit of 32 MiB (--memory 32M)
#   layer-size=16M  a writable layer of 16 MiB (--layer-size 16M)
#   init            an init as PID 1 (--init)
# and in the environment of every snippet:
#   ATTACK_HOST_PATH   a file that exists on the host and not in the image
#   ATTACK_ABSTRACT    the name of an abstract UNIX socket the host listens on
#   ATTACK_RUNTIME_ID  "DEV:INODE" of the runtime's binary on the host
#
# The snippets are single-quoted on purpose: they expand inside.
# shellcheck disable=SC2016,SC2028

# The attacks, in the table's order: name | "new" for those attacks.sh
# tests ("policy": policy.sh already tests them for isolab-ctr) | title.
ATTACKS="
remount-root-rw|new|remount a read-only / read-write
umount-proc-sys|new|unmount /proc/sys (the procfs under it is writable)
remount-proc-sys-rw|new|remount /proc/sys read-write
mount-proc|new|mount a fresh, unmasked procfs
write-core-pattern|new|write /proc/sys/kernel/core_pattern
write-sys-kernel|new|write /sys/kernel/rcu_expedited
settimeofday|new|settimeofday
clock_settime|policy|clock_settime
reboot|policy|reboot
init_module|policy|init_module
finit_module|new|finit_module
chroot-escape|new|chroot breakout with a kept directory fd, reaching a host file
open_by_handle_at|policy|open_by_handle_at (the shocker attack)
bpf|policy|bpf (load a program)
keyctl|policy|keyctl (read root's user keyring)
unshare-user|policy|unshare(CLONE_NEWUSER)
host-pids|new|see the host's processes
host-interfaces|new|see the host's network interfaces
abstract-socket|new|connect to a host abstract UNIX socket
runtime-exe|new|write the runtime binary via /proc/self/exe, /proc/1/exe
runtime-exe-init|new|the same with an init as PID 1
fork-bomb|new|fork bomb (4095 processes), default limits
memory-hog|new|memory hog (64 MB) under a 32M limit
disk-filler|new|fill the writable layer (64 MB) under a 16M layer size
"

attack_names() { printf '%s\n' "$ATTACKS" | awk -F'|' 'NF { print $1 }'; }
attack_title() { printf '%s\n' "$ATTACKS" | awk -F'|' -v n="$1" '$1 == n { print $3 }'; }

attack_needs() {
	case $1 in
	remount-root-rw) echo read-only ;;
	runtime-exe-init) echo init ;;
	memory-hog) echo memory=32M ;;
	disk-filler) echo layer-size=16M ;;
	esac
}

# Helpers every snippet may call.
ATTACK_PRELUDE='
probe() {
	o=$(sysprobe "$@"); echo "$o"
	case $o in *": ok") echo "result: ALLOWED" ;; *) echo "result: blocked (${o##*: })" ;; esac
}
errno_of() {
	case $1 in
	*"Read-only file system"*) echo EROFS ;; *"not permitted"*) echo EPERM ;;
	*"Permission denied"*) echo EACCES ;; *"Text file busy"*) echo ETXTBSY ;;
	*"No space left"*) echo ENOSPC ;; *) echo "$1" ;;
	esac
}
write_back() { # write FILE its own value: no change even if it works
	[ -e "$1" ] || { echo "result: n/a (no $1 on this kernel)"; return; }
	v=$(cat "$1")
	if e=$( (echo "$v" >"$1") 2>&1); then echo "result: ALLOWED (wrote $1)"
	else echo "$e"; echo "result: blocked ($(errno_of "$e"))"; fi
}
'

attack_script() {
	case $1 in
	remount-root-rw) echo 'probe remount-rw /' ;;
	umount-proc-sys) echo 'probe umount /proc/sys' ;;
	remount-proc-sys-rw) echo 'probe remount-rw /proc/sys' ;;
	mount-proc) echo 'probe mount-proc /tmp' ;;
	write-core-pattern) echo 'write_back /proc/sys/kernel/core_pattern' ;;
	write-sys-kernel) echo 'write_back /sys/kernel/rcu_expedited' ;;
	settimeofday | clock_settime | reboot | finit_module | init_module | open_by_handle_at | bpf | keyctl | unshare-user)
		# a kernel without modules answers ENOSYS: the attack cannot be tried
		echo "o=\$(sysprobe $1); echo \"\$o\"
			case \$o in *ENOSYS) echo 'result: n/a (ENOSYS: the kernel has no such call)' ;;
			*': ok') echo 'result: ALLOWED' ;; *EPERM | *EACCES) echo \"result: blocked (\${o##*: })\" ;;
			*) echo \"result: not filtered (\${o##*: } from the kernel on the probe's harmless arguments)\" ;; esac" ;;
	chroot-escape)
		# first the breakout itself (out of the jail), then the host file
		echo 'sysprobe chroot-escape /bin/sysprobe
			o=$(sysprobe chroot-escape "$ATTACK_HOST_PATH"); echo "$o"
			case $o in *": ok") echo "result: ALLOWED (reached $ATTACK_HOST_PATH)" ;;
			*ENOENT) echo "result: blocked (ENOENT: only the container'"'"'s root)" ;;
			*) echo "result: blocked (${o##*: })" ;; esac' ;;
	host-pids)
		echo 'p=$(ls -d /proc/[0-9]* | sed "s,/proc/,," | sort -n | tr "\n" " "); set -- $p
			echo "pids: $p"; echo "pid 1: $(cat /proc/1/comm)"
			if [ $# -lt 10 ] && [ "$(cat /proc/1/comm)" = sh ]; then echo "result: blocked (own pid namespace: $# pids)"
			else echo "result: ALLOWED ($# pids)"; fi' ;;
	host-interfaces)
		echo 'n=$(ls /sys/class/net | tr "\n" " "); echo "interfaces: $n"
			if [ "$n" = "lo " ]; then echo "result: blocked (own network namespace: lo only)"
			else echo "result: ALLOWED ($n)"; fi' ;;
	abstract-socket)
		echo 'o=$(sysprobe abstract-connect "$ATTACK_ABSTRACT"); echo "$o"
			case $o in *": ok") echo "result: ALLOWED" ;; *) echo "result: blocked (${o##*: })" ;; esac' ;;
	runtime-exe | runtime-exe-init)
		# appending nothing: harmless even where the open works
		echo 'w=0 seen=no
			for f in /proc/self/exe /proc/1/exe; do
				[ "$(stat -L -c %d:%i $f)" = "$ATTACK_RUNTIME_ID" ] && seen=yes
				if e=$( (: >>$f) 2>&1); then echo "$f: opened for writing"; w=1; else echo "$e"; fi
			done
			echo "runtime binary visible: $seen"
			if [ $w = 1 ]; then echo "result: ALLOWED"; else echo "result: blocked ($(errno_of "$e"))"; fi' ;;
	fork-bomb)
		# a binary tree of depth 11 (4095 sleepers): bounded even without a
		# limit; each node sleeps so the count holds; PID 1 ends them all.
		# PID 1 forks nothing once it starts (a full cgroup would refuse
		# it): it waits with `read -t` on a FIFO and counts with builtins.
		echo 'mkfifo /tmp/tick; exec 3<>/tmp/tick
			b() { if [ $1 -gt 0 ]; then b $(($1 - 1)) & b $(($1 - 1)) & fi; exec sleep 120; }
			(b 11) 2>/tmp/bomb.err &
			prev=0 i=0
			while [ $i -lt 90 ]; do
				read -t 1 -u 3 _; i=$((i + 1)); set -- /proc/[0-9]*
				[ $# = $prev ] && break; prev=$#
			done
			f=0; while read -r l; do case $l in *"can'"'"'t fork"*) f=$((f + 1)) ;; esac; done </tmp/bomb.err
			echo "processes: $#, refused forks: $f"
			if [ $f -gt 0 ] && [ $# -le 2048 ]; then echo "result: blocked (EAGAIN at $# processes)"
			else echo "result: ALLOWED ($# processes)"; fi' ;;
	memory-hog)
		echo 'x=$(head -c 64000000 /dev/zero | tr "\0" a); echo "result: ALLOWED (${#x} bytes held)"' ;;
	disk-filler)
		echo 'e=$(dd if=/dev/zero of=/fill bs=1M count=64 2>&1); r=$?; echo "$e" | grep -v records
			echo "written: $(du -m /fill | cut -f1) MB"
			if [ $r = 0 ]; then echo "result: ALLOWED (64 MB written)"; else echo "result: blocked ($(errno_of "$e"))"; fi' ;;
	*) return 1 ;;
	esac
}

# attack_full_script NAME: the prelude and the snippet, for `sh -c`.
attack_full_script() { printf '%s\n%s\n' "$ATTACK_PRELUDE" "$(attack_script "$1")"; }

# attack_run_ctr CTR ROOTFS NAME [OPTIONS...]: the attack under isolab-ctr
# with the options it needs (and OPTIONS), the ATTACK_* variables passed
# in; OUTPUT and STATUS hold what it gave.
attack_run_ctr() {
	local ctr=$1 rootfs=$2 name=$3 need args=()
	shift 3
	for need in $(attack_needs "$name"); do
		case $need in
		read-only) args+=(--read-only) ;;
		init) args+=(--init) ;;
		*=*) args+=("--${need%%=*}" "${need#*=}") ;;
		esac
	done
	STATUS=0
	OUTPUT=$(timeout 200 "$ctr" run --rootfs "$rootfs" "${args[@]}" "$@" -e ATTACK_HOST_PATH \
		-e ATTACK_ABSTRACT -e ATTACK_RUNTIME_ID -- sh -c "$(attack_full_script "$name")" 2>&1) || STATUS=$?
}

# attack_result OUTPUT STATUS: the table cell for a run's output and exit status.
attack_result() {
	local line
	line=$(printf '%s\n' "$1" | sed -n 's/^result: //p' | tail -n 1)
	if [ -n "$line" ]; then
		echo "$line"
	elif [ "$2" = 137 ]; then
		echo "blocked (SIGKILL: OOM, status 137)"
	else
		echo "error (status $2: $(printf '%s\n' "$1" | tail -n 1))"
	fi
}

# attack_listen NAME: an abstract UNIX socket on the host, listening for
# 10 minutes at most; prints the listener's pid once it is bound.
attack_listen() {
	python3 -c '
import socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind("\0" + sys.argv[1]); s.listen(8)
print("bound", flush=True)
time.sleep(600)' "$1" </dev/null >"${TMPDIR:-/tmp}/attack-listen.$$" 2>&1 &
	local pid=$! i
	for i in $(seq 100); do
		grep -q bound "${TMPDIR:-/tmp}/attack-listen.$$" 2>/dev/null && break
		sleep 0.05
	done
	rm -f "${TMPDIR:-/tmp}/attack-listen.$$"
	echo $pid
}
