#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Smoke test (VM): wgmesh.ko loads next to WireGuard, a WireGuard device
# can be created and used while it is loaded, the module unloads with the
# device still present, loads again, and the kernel log stays clean.

. "$(dirname "$0")/lib/ktap.sh"

ko=${WGMESH_KO:?WGMESH_KO is not set (run me with selftests/vm/run.sh)}

# no_splat: the kernel log has no oops, BUG, WARNING, KASAN or call trace.
no_splat()
{
	! dmesg | grep -E 'Oops|BUG:|WARNING:|KASAN|Call Trace'
}

ktap_plan 12

if [ ! -f "$ko" ]; then
	ktap_fail "module file $ko exists (run 'make modules-all')"
	ktap_finish
fi

info=$(modinfo "$ko")
echo "$info" | sed 's/^/# /'
if echo "$info" | grep -q '^license: *GPL' &&
   echo "$info" | grep -q '^description: *[^ ]' &&
   echo "$info" | grep -q '^version: *[^ ]' &&
   echo "$info" | grep -q "^vermagic: *$KVER "; then
	ktap_ok "modinfo: GPL, description, version, vermagic $KVER"
else
	ktap_fail "modinfo: GPL, description, version, vermagic $KVER"
fi

ktap_check "modprobe wireguard" modprobe wireguard
ktap_check "insmod wgmesh.ko" insmod "$ko"
ktap_check "module is live" grep -qx live /sys/module/wgmesh/initstate

ktap_check "create a WireGuard device" ip link add wg0 type wireguard
key=$(wg genkey)
if run wg set wg0 private-key <(echo "$key") listen-port 51820 &&
   run ip link set wg0 up &&
   [ "$(wg show wg0 public-key)" = "$(echo "$key" | wg pubkey)" ]; then
	ktap_ok "configure and bring up wg0 while wgmesh is loaded"
else
	ktap_fail "configure and bring up wg0 while wgmesh is loaded"
fi

ktap_check "rmmod wgmesh with wg0 present" rmmod wgmesh
ktap_check_fails "module is gone" test -e /sys/module/wgmesh
ktap_check "delete wg0" ip link del wg0

if run insmod "$ko" && run rmmod wgmesh; then
	ktap_ok "load and unload again"
else
	ktap_fail "load and unload again"
fi

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
ktap_check "genl family request autoloads wgmesh.ko" autoload

ktap_check "kernel log has no splat" no_splat

ktap_finish
