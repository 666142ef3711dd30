#!/usr/bin/env bash
# scripts/cjson-source.sh: part of `make deps`. Fetches Debian's source of
# the cJSON that libcjson-dev installs (same version, Debian's patches
# applied) into /usr/local/src/isolab/cjson-VERSION/, once.
#
# Why: `build/isolab`, the command a user types before every container,
# is linked statically, because loading shared libraries is most of what
# an engine costs before it execs the runtime (engine/README.md,
# "Performance"). Debian ships cJSON only as a shared library, so the
# Makefile compiles this source into build/cjson/libcjson.a. apt checks
# the source against the archive's signed index, as `apt-get source` does;
# the system's own apt configuration is left as it is (a temporary
# deb-src list and lists directory).
set -euo pipefail

version=$(dpkg-query -W -f='${Version}' libcjson-dev)
dest=/usr/local/src/isolab/cjson-$version
if [ -f "$dest/cJSON.c" ]; then
	echo "deps: cJSON $version source present"
	exit 0
fi
tmp=$(mktemp -d /tmp/isolab-cjson.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/parts" "$tmp/lists/partial" "$tmp/cache/archives/partial" "$tmp/get"
# The machine's own Debian sources, as deb-src.
for f in /etc/apt/sources.list.d/*.sources; do
	[ -f "$f" ] && sed 's/^Types:.*/Types: deb-src/' "$f" >"$tmp/parts/$(basename "$f")"
done
if [ -f /etc/apt/sources.list ]; then
	sed -n 's/^deb \(.*\)/deb-src \1/p' /etc/apt/sources.list >"$tmp/src.list"
else
	: >"$tmp/src.list"
fi
apt_opts=(-q -o "Dir::Etc::SourceParts=$tmp/parts" -o "Dir::Etc::SourceList=$tmp/src.list"
	-o "Dir::State::Lists=$tmp/lists" -o "Dir::Cache=$tmp/cache" -o "APT::Sandbox::User=root")
echo "deps: fetching Debian's cJSON $version source (build/isolab links it statically)"
apt-get "${apt_opts[@]}" update >/dev/null
(cd "$tmp/get" && apt-get "${apt_opts[@]}" source --download-only "cjson=$version" >/dev/null)
# apt has checked these files against the archive's signed Sources index.
(cd "$tmp/get" && dpkg-source --no-check --no-copy -x ./*.dsc src >/dev/null)
[ -f "$tmp/get/src/cJSON.c" ] || { echo "deps: cJSON source: no cJSON.c in the Debian source" >&2; exit 1; }
mkdir -p "$(dirname "$dest")"
rm -rf "$dest.tmp"
cp -r "$tmp/get/src" "$dest.tmp"
mv "$dest.tmp" "$dest"
echo "deps: cJSON $version source in $dest"
