#!/usr/bin/env bash
# guest-kernel-config/build.sh OUTDIR: builds the isolab guest kernel from
# Debian's linux-source-6.1 tarball: tinyconfig, then isolab.config merged
# over it with the kernel's own merge_config.sh. Leaves OUTDIR/bzImage,
# OUTDIR/vmlinux and OUTDIR/config. The caller (make kernel) decides
# whether a rebuild is needed.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=$(mkdir -p "$1" && cd "$1" && pwd)
tarball=$(ls /usr/src/linux-source-6.1.tar.xz 2>/dev/null || true)
[ -n "$tarball" ] || { echo "kernel: /usr/src/linux-source-6.1.tar.xz missing (run make deps)" >&2; exit 1; }

src=$out/src
started=$(date +%s)
if [ ! -f "$src/.unpacked" ]; then
	rm -rf "$src" && mkdir -p "$src"
	echo "kernel: unpacking $tarball"
	tar -xJf "$tarball" -C "$src" --strip-components=1
	touch "$src/.unpacked"
fi

# Only comments and options in the fragment; strip the trailing reasons.
sed -e 's/[[:space:]]*#.*$//' -e '/^$/d' "$here/isolab.config" >"$out/fragment.config"
# "=n" in a fragment is spelled "# CONFIG_X is not set" for kconfig.
sed -i -E 's/^(CONFIG_[A-Z0-9_]+)=n$/# \1 is not set/' "$out/fragment.config"

cd "$src"
make -s ARCH=x86_64 tinyconfig >/dev/null
KCONFIG_CONFIG=.config scripts/kconfig/merge_config.sh -m .config "$out/fragment.config" >/dev/null
make -s ARCH=x86_64 olddefconfig >/dev/null
# Every option we asked for must have survived kconfig's dependency checks.
bad=0
while IFS= read -r line; do
	case "$line" in
	"# "*" is not set") opt=${line#"# "}; opt=${opt%" is not set"}
		if grep -q "^$opt=" .config; then echo "kernel: $opt should be off" >&2; bad=1; fi ;;
	*) grep -qx "$line" .config || { echo "kernel: $line did not survive kconfig" >&2; bad=1; } ;;
	esac
done <"$out/fragment.config"
[ $bad = 0 ] || exit 1

echo "kernel: building (make -j$(nproc) bzImage vmlinux)"
make -s -j"$(nproc)" ARCH=x86_64 KBUILD_BUILD_TIMESTAMP="2026-01-01 00:00:00 UTC" KBUILD_BUILD_USER=isolab \
	KBUILD_BUILD_HOST=isolab bzImage vmlinux
cp arch/x86/boot/bzImage "$out/bzImage.tmp" && mv "$out/bzImage.tmp" "$out/bzImage"
cp vmlinux "$out/vmlinux.tmp" && mv "$out/vmlinux.tmp" "$out/vmlinux"
cp .config "$out/config"
echo "kernel: $(du -h "$out/bzImage" | cut -f1) bzImage, $(du -h "$out/vmlinux" | cut -f1) vmlinux in $out ($(($(date +%s) - started)) s)"
