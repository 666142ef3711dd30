#!/usr/bin/env bash
# image/build.sh OUTDIR [STATIC_PROGRAM...]: builds isolab's one shared image.
#
# The same files become two things:
#   OUTDIR/rootfs/               a directory tree, a container's lowest layer
#   OUTDIR/initramfs.cpio.gz     a gzip'd newc cpio, the VM guest's initramfs
# Contents: Debian's static busybox with one symlink per applet, the given
# static programs in /bin (the benchmark probe, the guest helper), /init
# (the VM guest's init script, image/init), and a minimal /etc.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=$(mkdir -p "$1" && cd "$1" && pwd)
shift
busybox=/bin/busybox
file -L "$busybox" 2>/dev/null | grep -q 'statically linked' ||
	{ echo "image: $busybox is not the static busybox (run make deps)" >&2; exit 1; }

tmp=$out/rootfs.tmp
rm -rf "$tmp" && mkdir -p "$tmp"
cd "$tmp"
mkdir -p bin dev etc proc sys tmp root run var/tmp mnt
chmod 1777 tmp var/tmp
# merged /usr: one bin directory, as Debian does
ln -s bin sbin
mkdir -p usr && ln -s ../bin usr/bin && ln -s ../bin usr/sbin
install -m 0755 "$busybox" bin/busybox
for applet in $("$busybox" --list); do
	[ -e "bin/$applet" ] || ln -s busybox "bin/$applet"
done
for prog in "$@"; do
	install -m 0755 "$prog" "bin/$(basename "$prog")"
done
install -m 0755 "$here/init" init
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' >etc/passwd
printf 'root:x:0:\nnogroup:x:65534:\n' >etc/group
echo isolab >etc/hostname
echo "isolab image, built $(date -u +%Y-%m-%dT%H:%M:%SZ)" >etc/isolab-release

# The initramfs from exactly these files (owner root, sorted, reproducible).
find . -mindepth 1 | LC_ALL=C sort |
	cpio --quiet -o -H newc -R 0:0 --reproducible | gzip -9n >"$out/initramfs.cpio.gz.tmp"
cd "$out"
rm -rf rootfs && mv rootfs.tmp rootfs
mv initramfs.cpio.gz.tmp initramfs.cpio.gz
echo "image: $(du -sh rootfs | cut -f1) rootfs, $(du -h initramfs.cpio.gz | cut -f1) initramfs in $out"
