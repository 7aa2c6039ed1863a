#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# wgmesh-test: host
# wgmesh-timeout: 400
#
# DKMS test: dkms.conf really builds wgmesh.ko, and the DKMS-built module
# loads in that kernel's VM.
#
# On the host (run_tests.sh sets KVER; run it by hand as
# `KVER=$(ls /lib/modules | grep ^6.1) selftests/test_dkms.sh`): copy the
# module sources and dkms.conf to a temporary tree, `dkms add` and
# `dkms build -k $KVER` with a private DKMS tree and signing key (the
# machine's /var/lib/dkms and /usr/src stay untouched), then boot $KVER
# and run this script with --guest there, which loads the module, uses a
# WireGuard device next to it and unloads it.

here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib/ktap.sh"

no_splat()
{
	! dmesg | grep -E 'Oops|BUG:|WARNING:|KASAN|Call Trace'
}

if [ "${1:-}" = --guest ]; then
	ktap_plan 5
	ktap_check "modprobe wireguard" modprobe wireguard
	ktap_check "insmod the DKMS-built wgmesh.ko" insmod "$WGMESH_KO"
	if run ip link add wg0 type wireguard && run ip link set wg0 up &&
	   run ip link del wg0; then
		ktap_ok "WireGuard device next to the DKMS-built module"
	else
		ktap_fail "WireGuard device next to the DKMS-built module"
	fi
	ktap_check "rmmod wgmesh" rmmod wgmesh
	ktap_check "kernel log has no splat" no_splat
	ktap_finish
fi

repo=$(cd "$here/.." && pwd)
kver=${KVER:?set KVER to the kernel release to build for}

ktap_plan 6

if ! command -v dkms >/dev/null; then
	ktap_fail "dkms is installed (run 'make deps')"
	ktap_finish
fi

name=$(sed -n 's/^PACKAGE_NAME="\(.*\)"/\1/p' "$repo/dkms.conf")
version=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$repo/dkms.conf")
tmp=$(mktemp -d "${TMPDIR:-/tmp}/wgmesh-dkms.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
src=$tmp/src/$name-$version
mkdir -p "$src" "$tmp/tree"
# What a source package ships: no build output, no userspace.
tar -C "$repo" -cf - --exclude='*.o' --exclude='*.ko' --exclude='*.cmd' \
	--exclude='*.mod' --exclude='*.mod.c' --exclude='*.order' \
	--exclude='*.symvers' --exclude='*.d' \
	Kbuild Makefile dkms.conf kernel | tar -C "$src" -xf -

# A private tree and key: nothing lands in /var/lib/dkms or /usr/src.
dkms=(dkms --dkmstree "$tmp/tree" --sourcetree "$tmp/src")
export mok_signing_key=$tmp/mok.key mok_certificate=$tmp/mok.pub

ktap_check "dkms add $name/$version" "${dkms[@]}" add -m "$name" -v "$version"

if run "${dkms[@]}" build -m "$name" -v "$version" -k "$kver" > "$tmp/build.log" 2>&1; then
	ktap_ok "dkms build for $kver"
else
	sed 's/^/# /' "$tmp/build.log"
	find "$tmp/tree" -name make.log -exec sed 's/^/# /' {} +
	ktap_fail "dkms build for $kver"
fi

ko=$(find "$tmp/tree/$name/$version/$kver" -name "$name.ko*" 2>/dev/null | head -n 1)
case $ko in
*.xz) xz -dc "$ko" > "$tmp/$name.ko"; ko=$tmp/$name.ko ;;
*.zst) zstd -qdc "$ko" > "$tmp/$name.ko"; ko=$tmp/$name.ko ;;
esac
echo "# module: ${ko:-none}"

if [ -n "$ko" ] && modinfo -F vermagic "$ko" | grep -q "^$kver " &&
   [ "$(modinfo -F version "$ko")" = "$version" ]; then
	ktap_ok "module has vermagic $kver and version $version"
else
	ktap_fail "module has vermagic $kver and version $version"
fi

ref=$repo/build/$kver/$name.ko
if [ ! -f "$ref" ]; then
	ktap_skip "same sources as build/$kver/$name.ko" "not built (make modules-all)"
elif [ -n "$ko" ] && [ "$(modinfo -F srcversion "$ko")" = "$(modinfo -F srcversion "$ref")" ]; then
	ktap_ok "same sources as build/$kver/$name.ko"
else
	ktap_fail "same sources as build/$kver/$name.ko"
fi

if [ -z "$ko" ]; then
	ktap_fail "DKMS-built module loads in the $kver VM"
elif run "$here/vm/run.sh" -k "$kver" -t 120 --ko "$ko" -- selftests/test_dkms.sh --guest \
	> "$tmp/vm.log" 2>&1; then
	sed 's/^/# /' "$tmp/vm.log"
	ktap_ok "DKMS-built module loads in the $kver VM"
else
	sed 's/^/# /' "$tmp/vm.log"
	ktap_fail "DKMS-built module loads in the $kver VM"
fi

ktap_check "dkms remove" "${dkms[@]}" remove -m "$name" -v "$version" --all

ktap_finish
