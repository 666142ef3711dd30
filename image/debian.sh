#!/usr/bin/env bash
# image/debian.sh: `make debian-base` and `make debian-image`. A real base
# image without a public registry: Debian bookworm (minbase) made by
# mmdebstrap from the Debian archive this machine reaches (its apt
# sources), kept once as DEBIAN-DIR/bookworm.tar. With ISOLAB, the tar is
# also imported into the engine's store as debian:bookworm (ISOLAB_ROOT or
# /var/lib/isolab) unless it is there.
#
#   image/debian.sh DEBIAN-DIR [ISOLAB]
set -euo pipefail
dir=$1 isolab=${2:-}
out=$dir/bookworm.tar
if [ ! -s "$out" ]; then
	command -v mmdebstrap >/dev/null || { echo "debian-image: mmdebstrap missing (make deps)" >&2; exit 1; }
	mkdir -p "$dir"
	echo "debian-image: mmdebstrap bookworm (minbase) into $out"
	start=$(date +%s)
	# --mode=root: this is run as root; the tar is written whole, then renamed
	mmdebstrap --quiet --variant=minbase --mode=root --format=tar bookworm "$out.tmp"
	mv "$out.tmp" "$out"
	echo "debian-image: $(du -h "$out" | cut -f1) in $(($(date +%s) - start)) s"
fi
[ -n "$isolab" ] || exit 0
if "$isolab" inspect debian:bookworm >/dev/null 2>&1; then
	echo "debian-image: debian:bookworm already in the store"
else
	"$isolab" import -m "mmdebstrap --variant=minbase bookworm" "$out" debian:bookworm
fi
