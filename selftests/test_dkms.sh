#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# wgmesh-test: host
# wgmesh-timeout: 400
#
# DKMS test: dkms.conf really builds wgmesh.ko, and the DKMS-built module
# loads in that kernel's VM.
#
# On the host (run_tests.sh sets KVER; run it by hand as
# `KVER=$(ls /lib/modules | grep ^6.1) selftests/test_dkms.sh`): install
# the module's DKMS tree with `make install-dkms` into a temporary
# directory, `dkms add` and
# `dkms build -k $KVER` with a private DKMS tree and signing key (the
# machine's /var/lib/dkms and /usr/src stay untouched), then boot $KVER
# and run this script with --guest there, which loads the module, uses a
# WireGuard device next to it and unloads it.

here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib/ktap.sh"
. "$here/lib/kernel.sh"

# wg_device: a WireGuard device comes, goes up and goes
wg_device()
{
	run ip link add wg0 type wireguard && run ip link set wg0 up &&
		run ip link del wg0
}

if [ "${1:-}" = --guest ]; then
	ktap_print_header
	ktap_set_plan 5
	ktap_test_result "modprobe wireguard" modprobe wireguard
	ktap_test_result "insmod the DKMS-built wgmesh.ko" insmod "$WGMESH_KO"
	ktap_expect "WireGuard device next to the DKMS-built module" wg_device
	ktap_test_result "rmmod wgmesh" rmmod wgmesh
	ktap_test_result "kernel log has no splat" ! dmesg_splat
	ktap_finished
fi

repo=$(cd "$here/.." && pwd)
kver=${KVER:?set KVER to the kernel release to build for}

ktap_print_header
ktap_set_plan 6

if ! command -v dkms >/dev/null; then
	ktap_test_fail "dkms is installed (run 'make deps')"
	ktap_finished
fi

name=$(sed -n 's/^PACKAGE_NAME="\(.*\)"/\1/p' "$repo/dkms.conf")
version=$(sed -n 's/^#define WGMESH_VERSION "\(.*\)"/\1/p' "$repo/kernel/version.h")
tmp=$(mktemp -d "${TMPDIR:-/tmp}/wgmesh-dkms.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
src=$tmp/src/$name-$version
mkdir -p "$tmp/tree"
# The tree `make install` puts in /usr/src (and the Debian package ships):
# installed here with dkmsdir, as make dkms-install would.
make -s --no-print-directory -C "$repo" install-dkms dkmsdir="$tmp/src" > "$tmp/install.log" 2>&1 ||
	{ sed 's/^/# /' "$tmp/install.log"; ktap_exit_fail_msg "make install-dkms failed"; }

# A private tree and key: nothing lands in /var/lib/dkms or /usr/src.
dkms=(dkms --dkmstree "$tmp/tree" --sourcetree "$tmp/src")
export mok_signing_key=$tmp/mok.key mok_certificate=$tmp/mok.pub

ktap_test_result "dkms add $name/$version" "${dkms[@]}" add -m "$name" -v "$version"

# dkms_build: dkms build for $kver, its logs as diagnostics when it fails
dkms_build()
{
	run "${dkms[@]}" build -m "$name" -v "$version" -k "$kver" > "$tmp/build.log" 2>&1 &&
		return 0
	sed 's/^/# /' "$tmp/build.log"
	find "$tmp/tree" -name make.log -exec sed 's/^/# /' {} +
	return 1
}
ktap_expect "dkms build for $kver" dkms_build

ko=$(find "$tmp/tree/$name/$version/$kver" -name "$name.ko*" 2>/dev/null | head -n 1)
case $ko in
*.xz) xz -dc "$ko" > "$tmp/$name.ko"; ko=$tmp/$name.ko ;;
*.zst) zstd -qdc "$ko" > "$tmp/$name.ko"; ko=$tmp/$name.ko ;;
esac
echo "# module: ${ko:-none}"

# built_for: the module's vermagic is $kver's, its version kernel/version.h's
built_for()
{
	[ -n "$ko" ] && modinfo -F vermagic "$ko" | grep -q "^$kver " &&
		[ "$(modinfo -F version "$ko")" = "$version" ]
}
ktap_expect "module has vermagic $kver and version $version" built_for

ref=$repo/build/$kver/$name.ko
same_sources()
{
	[ -n "$ko" ] && [ "$(modinfo -F srcversion "$ko")" = "$(modinfo -F srcversion "$ref")" ]
}
if [ ! -f "$ref" ]; then
	ktap_test_skip "same sources as build/$kver/$name.ko" "not built (make modules-all)"
else
	ktap_expect "same sources as build/$kver/$name.ko" same_sources
fi

# in_vm: this test's --guest half in a $kver VM with the DKMS-built module
in_vm()
{
	local rc
	[ -n "$ko" ] || return 1
	run "$here/vm/run.sh" -k "$kver" -t 120 --ko "$ko" -- selftests/test_dkms.sh --guest \
		> "$tmp/vm.log" 2>&1
	rc=$?
	sed 's/^/# /' "$tmp/vm.log"
	return $rc
}
ktap_expect "DKMS-built module loads in the $kver VM" in_vm

ktap_test_result "dkms remove" "${dkms[@]}" remove -m "$name" -v "$version" --all

ktap_finished
