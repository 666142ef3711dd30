#!/usr/bin/env bash
# scripts/deps.sh: `make deps`. Installs, only if missing, the Debian
# packages isolab needs. Idempotent: when everything is there it installs
# nothing and says so. Not root or not Debian: prints the list and exits 1.
#
# Why each package is here (README, "Dependencies"):
set -euo pipefail

PACKAGES=(
	build-essential     # C compiler, make, libc headers
	linux-libc-dev      # <linux/kvm.h>: the KVM API
	libcap-dev          # capability sets for the container runtime
	libseccomp-dev      # the container runtime's system call filter (seccomp)
	libcjson-dev        # JSON for --stats, OCI config.json and results
	libcmocka-dev       # unit tests
	gnuplot-nox         # the report's plots (PNG and SVG)
	qemu-system-x86     # the nested-KVM lab, and QEMU microvm as a peer
	busybox-static      # the shared image's userland
	musl-tools          # the container runtime's small static helper (exec helper and --init)
	cpio                # packing the guest initramfs
	e2fsprogs           # isolab run --vm: mkfs.ext4 -d makes an image's disk, debugfs drops its lost+found
	kmod                # depmod/modprobe for the lab's kernel modules
	linux-source-6.1    # the guest kernel's source
	flex bison bc libelf-dev libssl-dev  # the guest kernel's build tools
	crun runc bubblewrap # peer container runtimes
	cppcheck clang-tidy # make lint
	clang               # make fuzz: the compiler with -fsanitize=fuzzer
	libclang-rt-14-dev  # make fuzz: libFuzzer and the ASan/UBSan runtimes for clang 14
	python3             # integration tests read --stats JSON and craft bad kernel images
	jq                  # integration tests check results files and their progress record
	libarchive-dev      # the engine's layers: tar with PAX headers, hard links, xattrs, gzip
	libcurl4-openssl-dev # the engine's registry client (HTTP)
	zlib1g-dev          # gzip for layer blobs (with libarchive)
	docker-registry     # a real OCI registry, started on 127.0.0.1 by the tests
	skopeo              # interoperability tests: inspect and copy what isolab pushes
	buildah             # interoperability tests: images built by another tool
	podman conmon       # interoperability tests: podman runs what isolab pushes
	containernetworking-plugins # podman's (and later isolab's) container networks (CNI)
	mmdebstrap          # make debian-image: a Debian base image from the archive, for isolab build
	dpkg-dev            # make debian-base: dpkg-scanpackages indexes the apt repository the build tests serve on 127.0.0.1
	containerd          # interoperability tests: containerd's runc shim drives isolab-ctr (ctr run --runc-binary)
)

missing=()
for p in "${PACKAGES[@]}"; do
	# dpkg-query prints "install ok installed" for an installed package.
	if [ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)" != "install ok installed" ]; then
		missing+=("$p")
	fi
done 2>/dev/null || true

if [ ${#missing[@]} -eq 0 ]; then
	echo "deps: all ${#PACKAGES[@]} packages present"
	exec "$(dirname "$0")/cjson-source.sh"
fi

if ! command -v apt-get >/dev/null 2>&1 || [ ! -f /etc/debian_version ]; then
	echo "deps: not a Debian system (no apt-get); install these packages: ${PACKAGES[*]}" >&2
	exit 1
fi
if [ "$(id -u)" != 0 ]; then
	echo "deps: must run as root to install: ${missing[*]}" >&2
	exit 1
fi

echo "deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >/dev/null
apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
echo "deps: done"
exec "$(dirname "$0")/cjson-source.sh"
