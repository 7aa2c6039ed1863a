#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make demo`, run inside a test VM by selftests/vm/run.sh: shows wgmesh.ko
# loading next to WireGuard on a Debian kernel. (The mesh demo replaces
# this once `wgmesh up` exists.)

set -e

step()
{
	echo
	echo "== $*"
}

# show CMD...: print a command, then run it.
show()
{
	echo "\$ $*"
	"$@"
}

step "kernel $(uname -r), module $WGMESH_KO"
show modinfo -F description "$WGMESH_KO"
show modprobe wireguard
show insmod "$WGMESH_KO"
echo '$ lsmod'
lsmod | grep -E '^(wgmesh|wireguard) '

step "a WireGuard interface next to wgmesh"
show ip link add wg0 type wireguard
show wg set wg0 private-key <(wg genkey) listen-port 51820
show ip link set wg0 up
show wg show wg0

step "unload"
show ip link del wg0
show rmmod wgmesh
echo
echo "kernel log:"
dmesg | grep -E 'wgmesh|wireguard' | sed 's/^/  /'
echo
echo "demo done: wgmesh.ko loaded and unloaded cleanly on $(uname -r)"
