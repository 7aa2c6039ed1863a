#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Smoke test (VM): wgmesh.ko loads next to WireGuard, a WireGuard device
# can be created and used while it is loaded, the module unloads with the
# device still present, loads again, and the kernel log stays clean.

. "$(dirname "$0")/lib/ktap.sh"
. "$(dirname "$0")/lib/kernel.sh"

ko=${WGMESH_KO:?WGMESH_KO is not set (run me with selftests/vm/run.sh)}

ktap_print_header
ktap_set_plan 12

if [ ! -f "$ko" ]; then
	ktap_test_fail "module file $ko exists (run 'make modules-all')"
	ktap_finished
fi

# modinfo_complete: GPL, a description, a version, this kernel's vermagic
modinfo_complete()
{
	local info
	info=$(modinfo "$ko")
	echo "$info" | sed 's/^/# /'
	grep -q '^license: *GPL' <<< "$info" &&
	grep -q '^description: *[^ ]' <<< "$info" &&
	grep -q '^version: *[^ ]' <<< "$info" &&
	grep -q "^vermagic: *$KVER " <<< "$info"
}
ktap_expect "modinfo: GPL, description, version, vermagic $KVER" modinfo_complete

ktap_test_result "modprobe wireguard" modprobe wireguard
ktap_test_result "insmod wgmesh.ko" insmod "$ko"
ktap_test_result "module is live" grep -qx live /sys/module/wgmesh/initstate

ktap_test_result "create a WireGuard device" ip link add wg0 type wireguard
# configure_wg0: a key and a port, up, and the key reads back
configure_wg0()
{
	local key
	key=$(wg genkey)
	run wg set wg0 private-key <(echo "$key") listen-port 51820 &&
	run ip link set wg0 up &&
	[ "$(wg show wg0 public-key)" = "$(echo "$key" | wg pubkey)" ]
}
ktap_expect "configure and bring up wg0 while wgmesh is loaded" configure_wg0

ktap_test_result "rmmod wgmesh with wg0 present" rmmod wgmesh
ktap_test_result "module is gone" ! test -e /sys/module/wgmesh
ktap_test_result "delete wg0" ip link del wg0

reload() { run insmod "$ko" && run rmmod wgmesh; }
ktap_expect "load and unload again" reload

# autoload: wgmesh up relies on the genl family alias (as a DKMS install
# would set it up): resolving "wgmesh" must load the module by itself.
autoload()
{
	local dir=/lib/modules/$KVER/updates

	run mkdir -p "$dir" && run cp "$ko" "$dir/" && run depmod -a "$KVER" &&
	run ip link add wg1 type wireguard &&
	run wgmesh-ctl attach wg1 &&
	run grep -qx live /sys/module/wgmesh/initstate &&
	run wgmesh-ctl detach wg1 && run ip link del wg1 && run rmmod wgmesh
}
ktap_test_result "genl family request autoloads wgmesh.ko" autoload

ktap_test_result "kernel log has no splat" ! dmesg_splat

ktap_finished
