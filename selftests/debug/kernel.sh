#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# kernel.sh: build, once, the debug lane's kernel and print its release.
#
#   selftests/debug/kernel.sh [--key]
#
# The kernel: Debian's linux-source-6.12 (apt), configured from the newest
# installed 6.12 cloud kernel's /boot/config, trimmed by localmodconfig to
# the modules listed below, with kernel.config (KASAN, lockdep, kmemleak,
# ...) merged over it. Everything goes to build/debug-kernel/<key>/, where
# <key> hashes the source package version, the base config, the module
# list, kernel.config, the compiler and KEY_REV (bump it when this script
# changes how the kernel is built); build/debug-kernel/current points to
# the newest:
#   obj/       the O= build tree: make -C build/debug-kernel/current/obj M=DIR
#   root/      boot/vmlinuz-<release> and lib/modules/<release>/ (also
#              lib/modules/<release>/build -> obj): vm/run.sh --kroot root/
#   release    its `uname -r`, written last: a finished build is reused
#   build.log  the output of the configuration and build steps
# --key prints <key> and exits. JOBS (default 2) is the build's -j; it runs
# under nice -n 10.

set -euo pipefail

KEY_REV=1
# Modules the guest needs or that tests will need: the VM's virtio devices,
# WireGuard and the test links, nftables for NAT and filtering tests, and
# nft_socket for Table's "socket cgroupv2" (wgmesh exec, test_mesh_table).
modules=(virtio_pci virtio_console virtio_rng wireguard veth dummy
	nf_tables nft_chain_nat nft_masq nft_ct nf_conntrack nf_nat
	nft_fib_inet nft_reject_inet nft_socket)

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
build=${WGMESH_BUILD:-$repo/build}
top=$build/debug-kernel
fragment=$here/kernel.config
tarball=/usr/src/linux-source-6.12.tar.xz
jobs=${JOBS:-2}

die()
{
	echo "kernel.sh: $*" >&2
	exit 1
}

# run CMD...: log the command, then run it.
run()
{
	echo "# \$ $*" >&2
	"$@"
}

# logged LOG CMD...: run a long command with its output in LOG; on failure
# show the end of LOG.
logged()
{
	local log=$1
	shift
	echo "# \$ $* >> $log" >&2
	if ! "$@" >> "$log" 2>&1 < /dev/null; then
		tail -n 40 "$log" >&2
		die "failed: $* (the whole output is in $log)"
	fi
}

srcver=$(dpkg-query -W -f='${Version}' linux-source-6.12 2>/dev/null) ||
	srcver=
if [ -z "$srcver" ] || [ ! -r "$tarball" ]; then
	die "linux-source-6.12 not installed: run make deps-debug"
fi
base=$(printf '%s\n' /boot/config-6.12.*-cloud-amd64 | sort -V | tail -n 1)
[ -e "$base" ] || die "no /boot/config-6.12.*-cloud-amd64: run make deps"
for t in gcc make bison flex bc perl; do
	command -v "$t" >/dev/null || die "$t not found: run make deps-debug"
done
[ -e /usr/include/libelf.h ] || die "libelf-dev not installed: run make deps-debug"

key=$({
	echo "rev $KEY_REV"
	echo "source linux-source-6.12 $srcver"
	echo "compiler $(gcc --version | head -n 1)"
	echo "modules ${modules[*]}"
	echo "base $(basename "$base")"
	cat "$base"
	echo "fragment"
	cat "$fragment"
} | sha256sum | cut -c 1-16)
if [ "${1:-}" = --key ]; then
	echo "$key"
	exit 0
fi

kdir=$top/$key
obj=$kdir/obj
root=$kdir/root
log=$kdir/build.log
mkdir -p "$top"

exec 9> "$top/lock"
if ! flock -n 9; then
	echo "# kernel.sh: waiting for another build of the debug kernel" >&2
	flock 9
fi

if [ -s "$kdir/release" ]; then
	ln -sfn "$key" "$top/current"
	echo "# kernel.sh: cached build/debug-kernel/$key ($(cat "$kdir/release"))" >&2
	cat "$kdir/release"
	exit 0
fi

# The source tree, shared by every key of one source version.
src=$top/src/$srcver/linux-source-6.12
if [ ! -e "$src/.wgmesh-extracted" ]; then
	run rm -rf "$top/src/$srcver"
	run mkdir -p "$top/src/$srcver"
	run tar -C "$top/src/$srcver" -xf "$tarball"
	touch "$src/.wgmesh-extracted"
fi

echo "# kernel.sh: building build/debug-kernel/$key from linux-source-6.12 $srcver" >&2
# Seed a new tree from the newest finished build of the same source:
# kbuild's per-symbol dependencies (fixdep) rebuild only what the changed
# configuration touches, so a module added to the list costs minutes, not
# the hours of a build from scratch; a compiler change still rebuilds all
# (CONFIG_CC_VERSION_TEXT changes).
if [ ! -e "$obj" ]; then
	seed=
	for d in $(ls -td "$top"/*/ 2>/dev/null); do
		d=${d%/}
		[ "$d" != "$kdir" ] && [ -s "$d/release" ] && [ -d "$d/obj" ] &&
			[ "$(cat "$d/source" 2>/dev/null)" = "$srcver" ] || continue
		seed=$d
		break
	done
	if [ -n "$seed" ]; then
		run mkdir -p "$kdir"
		run cp -a "$seed/obj" "$obj"
	fi
fi
mkdir -p "$obj" "$root"
echo "$srcver" > "$kdir/source"
kmake=(make -C "$src" O="$obj" LOCALVERSION=)

# Configuration: cloud config, minus unlisted modules, plus the fragment.
if [ ! -e "$kdir/config.done" ]; then
	: > "$log"
	run cp "$base" "$obj/.config"
	printf '%s\n' "${modules[@]}" > "$kdir/lsmod"
	# What `make localmodconfig` runs, minus its interactive oldconfig
	# (olddefconfig below answers every question with its default).
	streamline=(env -C "$obj" LSMOD="$kdir/lsmod" SRCARCH=x86 ARCH=x86
		perl "$src/scripts/kconfig/streamline_config.pl" --localmodconfig
		"$src" Kconfig)
	echo "# \$ ${streamline[*]} > $obj/.config.new 2>> $log" >&2
	"${streamline[@]}" > "$obj/.config.new" 2>> "$log" ||
		die "streamline_config.pl failed (see $log)"
	run mv "$obj/.config.new" "$obj/.config"
	logged "$log" "$src/scripts/kconfig/merge_config.sh" -m -O "$obj" \
		"$obj/.config" "$fragment"
	logged "$log" "${kmake[@]}" olddefconfig
	# Every line of the fragment must hold: Kconfig drops what it cannot
	# satisfy without a word.
	bad=0
	while IFS= read -r line; do
		case $line in
		CONFIG_*=*)
			grep -qxF "$line" "$obj/.config" || {
				echo "kernel.sh: kernel.config wants $line, .config has:" \
					"$(grep "^${line%%=*}=" "$obj/.config" || echo 'it unset')" >&2
				bad=1
			} ;;
		"# CONFIG_"*" is not set")
			sym=${line#\# }
			sym=${sym%% *}
			if grep -q "^$sym=" "$obj/.config"; then
				echo "kernel.sh: kernel.config wants $line, .config has:" \
					"$(grep "^$sym=" "$obj/.config")" >&2
				bad=1
			fi ;;
		esac
	done < "$fragment"
	[ "$bad" = 0 ] || die "the configuration does not hold kernel.config (see above)"
	touch "$kdir/config.done"
fi

start=$SECONDS
logged "$log" nice -n 10 "${kmake[@]}" -j"$jobs" bzImage modules
kver=$("${kmake[@]}" -s kernelrelease)
[ -n "$kver" ] || die "make kernelrelease printed nothing"
run rm -rf "$root"
run mkdir -p "$root/boot"
logged "$log" "${kmake[@]}" INSTALL_MOD_PATH="$root" modules_install
run cp "$obj/arch/x86/boot/bzImage" "$root/boot/vmlinuz-$kver"
run cp "$obj/System.map" "$root/boot/System.map-$kver"
run cp "$obj/.config" "$root/boot/config-$kver"
run ln -sfn "$obj" "$root/lib/modules/$kver/build"
for m in "${modules[@]}"; do
	modprobe -d "$root" -S "$kver" --show-depends "$m" > /dev/null 2>&1 ||
		die "module $m is missing from the build (see $obj/.config)"
done
echo "# kernel.sh: built $kver in $((SECONDS - start))s" >&2
echo "$kver" > "$kdir/release.tmp"
mv "$kdir/release.tmp" "$kdir/release"
ln -sfn "$key" "$top/current"
echo "$kver"
