#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# mkinitramfs.sh KVER OUT [ROOT]: build the base initramfs (newc cpio,
# uncompressed: unpacking is faster than decompressing under TCG) for one
# kernel, its modules from ROOT/lib/modules/KVER (default: /lib/modules).
#
# It holds busybox-static (every applet), the host's own binaries the tests
# need (bash, ip, wg, ping, iperf3, kmod, nft, ... each with the libraries ldd
# lists), the kernel modules of the list below with their dependency
# closure (from modprobe --show-depends, so .ko and .ko.xz both work and
# built-in modules are skipped) and the guest init from this directory.
# The per-run payload (the repo) is a second cpio appended by run.sh.

set -euo pipefail

kver=${1:?usage: mkinitramfs.sh KVER OUT}
out=${2:?usage: mkinitramfs.sh KVER OUT}
kroot=${3:-}
here=$(cd "$(dirname "$0")" && pwd)

# Modules the guest can load; the init loads the virtio ones at boot.
# nf_tables and nft_ct: the firewall test's rulesets ("ct state");
# nft_chain_nat and nft_masq (with nf_nat, nf_conntrack): an exit's NAT;
modules="virtio_pci virtio_console virtio_rng wireguard veth dummy nf_tables nft_ct nft_chain_nat nft_masq"
# Those only some tests need, left out when the kernel lacks them (the
# debug lane's kernel builds a list of its own, selftests/debug/kernel.sh):
# nft_socket: Table's "socket cgroupv2" (wgmesh exec); nfnetlink_hook: nft
# list hooks (module_lifecycle: the exit path's hook).
optional_modules="nft_socket nfnetlink_hook"
# Host binaries copied when installed; the first group is required.
required_bins="bash ip wg ping iperf3 kmod nft"
optional_bins="ss tc tcpdump socat jq radvd"

die() { echo "mkinitramfs: $*" >&2; exit 1; }

[ -d "$kroot/lib/modules/$kver" ] || die "no $kroot/lib/modules/$kver (install linux-image-$kver)"
command -v busybox >/dev/null || die "busybox not found (apt-get install busybox-static)"
busybox=$(command -v busybox)
ldd "$busybox" >/dev/null 2>&1 && die "$busybox is not static (apt-get install busybox-static)"

root=$(mktemp -d "${TMPDIR:-/tmp}/wgmesh-initramfs.XXXXXX")
trap 'rm -rf "$root"' EXIT
# mktemp made it 0700: unprivileged test users must reach /bin.
chmod 0755 "$root"

# One bin/ for everything: sbin and usr/{bin,sbin} point to it.
mkdir -p "$root"/{bin,lib,lib64,etc,proc,sys,dev,run,tmp,root,mnt,var,usr}
ln -s bin "$root/sbin"
ln -s ../bin "$root/usr/bin"
ln -s ../bin "$root/usr/sbin"
ln -s ../lib "$root/usr/lib"
ln -s ../run "$root/var/run"
install -m 0755 "$busybox" "$root/bin/busybox"
for applet in $("$busybox" --list); do
	[ -e "$root/bin/$applet" ] || ln -s busybox "$root/bin/$applet"
done

# copy_file SRC [DST]: copy a host file to DST (default: the same path) in
# the image.
copy_file()
{
	local src=$1 dst=${2:-$1}
	mkdir -p "$root$(dirname "$dst")"
	cp -L "$src" "$root$dst"
}

# copy_bin PATH: the binary and its shared libraries; it replaces any
# busybox applet of the same name.
copy_bin()
{
	local bin=$1 name lib
	name=$(basename "$bin")
	rm -f "$root/bin/$name"
	install -m 0755 "$(readlink -f "$bin")" "$root/bin/$name"
	for lib in $(ldd "$bin" 2>/dev/null | awk '/=> \// { print $3 } /^\t\/[^ ]+ \(/ { print $1 }'); do
		[ -e "$root$lib" ] || copy_file "$lib"
	done
}

for b in $required_bins; do
	p=$(command -v "$b") || die "$b not found (run 'make deps')"
	copy_bin "$p"
done
for b in $optional_bins; do
	p=$(command -v "$b") && copy_bin "$p"
done
# kmod is modprobe/insmod/rmmod/lsmod/modinfo/depmod: it knows .ko.xz and
# modules.builtin, busybox's versions know neither.
for m in modprobe insmod rmmod lsmod modinfo depmod; do
	rm -f "$root/bin/$m"
	ln -s kmod "$root/bin/$m"
done

# Kernel modules with their dependency closure.
moddir=$kroot/lib/modules/$kver
for m in $modules $optional_modules; do
	if ! deps=$(modprobe ${kroot:+-d "$kroot"} --show-depends -S "$kver" "$m" 2>/dev/null); then
		case " $optional_modules " in
		*" $m "*) echo "mkinitramfs: $kver has no $m, left out" >&2; continue ;;
		esac
		die "$kver has no module $m"
	fi
	echo "$deps" | awk '$1 == "insmod" { print $2 }'
done | sort -u | while read -r ko; do
	copy_file "$ko" "${ko#"$kroot"}"
done
for f in modules.order modules.builtin modules.builtin.modinfo modules.builtin.bin; do
	[ -e "$moddir/$f" ] && copy_file "$moddir/$f" "/lib/modules/$kver/$f"
done
depmod -b "$root" "$kver" || die "depmod failed for $kver"

cat > "$root/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/bash
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
tcpdump:x:100:100:tcpdump:/nonexistent:/bin/false
EOF
cat > "$root/etc/group" <<'EOF'
root:x:0:
nogroup:x:65534:
tcpdump:x:100:
EOF
printf '127.0.0.1 localhost\n::1 localhost\n' > "$root/etc/hosts"
: > "$root/etc/fstab"

install -m 0755 "$here/init" "$root/init"

mkdir -p "$(dirname "$out")"
(cd "$root" && find . -print0 | LC_ALL=C sort -z |
	cpio --null -o -H newc --owner=0:0 --quiet) > "$out.tmp"
mv "$out.tmp" "$out"
