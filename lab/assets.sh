#!/usr/bin/env bash
# lab/assets.sh DIR TMPBIND KVMHOLD: `make lab-assets`. Fetches the nested-KVM lab's L1
# kernel and modules from Debian's archive and builds its initramfs, all
# under DIR (build/lab). A second run finds DIR/stamp and does nothing.
#
# DIR after a run:
#   root/             the unpacked linux-image .deb (boot/, lib/modules/)
#   vmlinuz           the L1 kernel
#   l1-initrd.gz      busybox-static + the modules of MODULES + lab/l1-init
#                     + TMPBIND (build/obj-static/lab/isolab-l1-tmpbind)
#                     + KVMHOLD (build/obj-static/lab/isolab-l1-kvmhold)
#   version           the kernel release (e.g. 6.1.0-56-amd64)
#   stamp             written last: the assets are complete
set -euo pipefail

dir=${1:?usage: lab/assets.sh DIR TMPBIND KVMHOLD}
tmpbind=${2:?usage: lab/assets.sh DIR TMPBIND KVMHOLD}
kvmhold=${3:?usage: lab/assets.sh DIR TMPBIND KVMHOLD}
here=$(cd "$(dirname "$0")" && pwd -P)

# The modules L1 needs before it can reach its root file system and KVM;
# modprobe --show-depends adds their dependencies in load order.
MODULES=(9p 9pnet_virtio virtio_pci virtio_console overlay kvm-amd)

# extract_vmlinux BZIMAGE OUT: the ELF inside an xz-compressed bzImage,
# kept only if it has a PVH entry note (Xen ELF note type 18).
extract_vmlinux() {
	local off
	command -v xz >/dev/null 2>&1 || return 1
	off=$(LC_ALL=C grep -aboP '\xfd7zXZ\x00' "$1" | head -n 1 | cut -d: -f1)
	[ -n "$off" ] || return 1
	tail -c +$((off + 1)) "$1" | xz -dcq >"$2" 2>/dev/null
	[ "$(head -c 4 "$2" | od -An -c | tr -d ' ')" = "177ELF" ] || return 1
	if command -v readelf >/dev/null 2>&1; then
		readelf -n "$2" 2>/dev/null | grep -q 'Xen.*0x00000012\|Unknown note type: (0x00000012)' || return 1
	fi
}

say() { echo "lab-assets: $*"; }
die() { echo "lab-assets: $*" >&2; exit 1; }

inputs_sum() {
	cat "$here/assets.sh" "$here/l1-init" "$tmpbind" "$kvmhold" | md5sum | cut -d' ' -f1
}

if [ -f "$dir/stamp" ] && [ "$(cat "$dir/stamp")" = "$(inputs_sum)" ]; then
	touch "$dir/stamp"
	say "up to date ($(cat "$dir/version"))"
	exit 0
fi

for tool in apt-cache apt-get dpkg depmod modprobe cpio gzip; do
	command -v "$tool" >/dev/null 2>&1 || die "$tool is missing (make deps)"
done
busybox=/bin/busybox
[ -x "$busybox" ] && "$busybox" --list | grep -qx switch_root ||
	die "no static busybox at $busybox (make deps installs busybox-static)"
file -L "$busybox" 2>/dev/null | grep -q 'statically linked' ||
	ldd "$busybox" 2>&1 | grep -q 'not a dynamic' ||
	die "$busybox is not statically linked (install busybox-static)"

# The exact package behind the linux-image-amd64 metapackage: never a
# wildcard, which would fetch every flavour and version.
pkg=$(apt-cache depends linux-image-amd64 2>/dev/null |
	awk '$1 == "Depends:" && $2 ~ /^linux-image-[0-9]/ { print $2; exit }')
[ -n "$pkg" ] || die "cannot resolve linux-image-amd64 (apt-get update?)"
version=${pkg#linux-image-}

mkdir -p "$dir"
dir=$(cd "$dir" && pwd -P)
tmp=$(mktemp -d "$dir/.tmp.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

if [ -f "$dir/root/boot/vmlinuz-$version" ] && [ -f "$dir/version" ] &&
	[ "$(cat "$dir/version")" = "$version" ]; then
	say "reusing the unpacked $pkg"
else
	say "downloading $pkg"
	rm -rf "$dir/root"
	(cd "$tmp" && apt-get download -q "$pkg" >/dev/null 2>"$tmp/apt.log") ||
		die "apt-get download $pkg failed: $(tail -n 1 "$tmp/apt.log")"
	mkdir "$tmp/root"
	dpkg -x "$tmp"/"$pkg"_*.deb "$tmp/root"
	rm -f "$tmp"/*.deb
	depmod -b "$tmp/root" "$version"
	mv "$tmp/root" "$dir/root"
fi
[ -f "$dir/root/lib/modules/$version/modules.dep" ] || depmod -b "$dir/root" "$version"

say "building l1-initrd.gz for $version"
ird=$tmp/initrd
mkdir -p "$ird"/{bin,dev,proc,sys,mnt,newroot,modules}
cp "$busybox" "$ird/bin/busybox"
ln -s busybox "$ird/bin/sh"
install -m 0755 "$tmpbind" "$ird/bin/isolab-l1-tmpbind"
install -m 0755 "$kvmhold" "$ird/bin/isolab-l1-kvmhold"
install -m 0755 "$here/l1-init" "$ird/init"
# Load order: each module's dependencies first, each module once.
for m in "${MODULES[@]}"; do
	modprobe -d "$dir/root" -S "$version" --show-depends "$m" ||
		die "modprobe --show-depends $m failed"
done | awk '$1 == "insmod" && !seen[$2]++ { print $2 }' >"$tmp/order"
: >"$ird/modules/order"
while read -r ko; do
	name=$(basename "$ko")
	cp "$ko" "$ird/modules/$name"
	echo "$name" >>"$ird/modules/order"
done <"$tmp/order"
echo "$version" >"$ird/version"
(cd "$ird" && find . | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0) |
	gzip -9 >"$tmp/l1-initrd.gz"

cp "$dir/root/boot/vmlinuz-$version" "$tmp/vmlinuz"
# The uncompressed kernel, booted through its PVH entry: decompressing the
# xz bzImage under TCG costs about 3 s of every boot.
if extract_vmlinux "$tmp/vmlinuz" "$tmp/vmlinux"; then
	mv "$tmp/vmlinux" "$dir/vmlinux"
else
	say "no PVH vmlinux could be extracted: L1 boots the bzImage (slower)"
	rm -f "$dir/vmlinux"
fi
mv "$tmp/vmlinuz" "$dir/vmlinuz"
mv "$tmp/l1-initrd.gz" "$dir/l1-initrd.gz"
echo "$version" >"$dir/version"
inputs_sum >"$dir/stamp"
say "ready: $dir ($(tr '\n' ' ' <"$ird/modules/order"))"
