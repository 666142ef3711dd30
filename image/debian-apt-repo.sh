#!/usr/bin/env bash
# image/debian-apt-repo.sh: part of `make debian-base`. A flat apt
# repository that installs gcc and libc6-dev on top of the minbase image
# (build/debian/bookworm.tar) without the Debian archive: the tests serve it
# on 127.0.0.1 (engine/tests/integration/build-debian.sh), since a test may
# talk only to loopback.
#
# It holds exactly what minbase lacks: the host's apt-get resolves the
# install against the image's own package list (its /var/lib/dpkg/status)
# and sources (its /etc/apt/sources.list), with --download-only, in a state
# directory of its own (nothing of the host's apt or dpkg is touched); then
# dpkg-scanpackages writes the index. Made once, kept in build/debian/:
#
#   apt/              *.deb, Packages(.gz): `deb [trusted=yes] http://HOST:PORT ./`
#   apt-state/        apt's lists and caches for the download
#
#   image/debian-apt-repo.sh DEBIAN-DIR
set -euo pipefail
dir=$(realpath -m "$1") # apt reads relative paths under its own directories
tar=$dir/bookworm.tar
repo=$dir/apt
state=$dir/apt-state
# what the multi-stage example's build stage installs (engine/README.md)
packages=(gcc libc6-dev)

[ -s "$tar" ] || { echo "debian-apt-repo: $tar missing (make debian-base)" >&2; exit 1; }
command -v dpkg-scanpackages >/dev/null || { echo "debian-apt-repo: dpkg-scanpackages missing (make deps)" >&2; exit 1; }
start=$(date +%s)
rm -rf "${repo:?}.tmp" "${state:?}/etc"
mkdir -p "$state/lists/partial" "$state/cache" "$state/etc/sources.list.d" "$repo.tmp/partial"
# the image's view of the world: what it has installed, where it installs from
tar -xOf "$tar" ./var/lib/dpkg/status >"$state/status"
tar -xOf "$tar" ./etc/apt/sources.list >"$state/etc/sources.list"
apt_opts=(
	-o "Dir::State::status=$state/status"      # dpkg's lock goes next to it, not the host's
	-o "Dir::State::extended_states=$state/extended_states"
	-o "Dir::State::Lists=$state/lists"
	-o "Dir::Cache=$state/cache"
	-o "Dir::Cache::archives=$repo.tmp"
	-o "Dir::Etc::sourcelist=$state/etc/sources.list"
	-o "Dir::Etc::sourceparts=$state/etc/sources.list.d"
	-o "APT::Install-Recommends=false"
	-o "Acquire::Languages=none"
	-o "APT::Sandbox::User=root"                 # build/ may be closed to _apt
	-o "Debug::NoLocking=true"                   # only this script uses this state
)
echo "debian-apt-repo: ${packages[*]} for the minbase image, from $(awk '{print $2}' "$state/etc/sources.list" | sort -u | tr '\n' ' ')"
apt-get "${apt_opts[@]}" -q update >"$state/update.log" 2>&1 ||
	{ echo "debian-apt-repo: apt-get update failed:" >&2; tail -n 5 "$state/update.log" >&2; exit 1; }
apt-get "${apt_opts[@]}" -q -y --download-only install "${packages[@]}" >"$state/install.log" 2>&1 ||
	{ echo "debian-apt-repo: apt-get install --download-only failed:" >&2; tail -n 5 "$state/install.log" >&2; exit 1; }
rm -rf "$repo.tmp/partial" "$repo.tmp/lock"
# the index, also as Packages.gz, so that apt asks for fewer names in vain
(cd "$repo.tmp" && dpkg-scanpackages --multiversion . /dev/null >Packages 2>/dev/null && gzip -9kn Packages)
n=$(grep -c '^Package:' "$repo.tmp/Packages")
[ "$n" -gt 0 ] || { echo "debian-apt-repo: no package downloaded (see $state/install.log)" >&2; exit 1; }
rm -rf "$repo"
mv "$repo.tmp" "$repo"
echo "debian-apt-repo: $n packages, $(du -sh "$repo" | cut -f1), in $repo ($(($(date +%s) - start)) s)"
