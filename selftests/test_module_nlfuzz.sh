#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Netlink fuzzing of the wgmesh family (VM): selftests/wgmesh-nlfuzz sends
# malformed requests from a fixed seed (every command, flag combination,
# missing, repeated, mistyped, oversized, zero-length and deeply nested
# attributes, random bytes, thousands of members), each of which must be
# answered, then a valid topology must still apply. Twice: as root against
# an attached device in the initial namespace, and as an unprivileged user
# who owns a user and network namespace. No splat, no leak (the debug lane
# runs it longer, under KASAN and kmemleak).
#
# wgmesh-timeout: 600

cd "$(dirname "$0")" || exit 1
. lib/ktap.sh
. lib/checks.sh

ko=${WGMESH_KO:?WGMESH_KO is not set (run me with selftests/vm/run.sh)}
count=20000
[ -n "${WGMESH_DEBUG_LANE:-}" ] && count=200000

ktap_need wgmesh-nlfuzz wgmesh-ctl su unshare
ktap_print_header
ktap_set_plan 5
CHECK_DMESG_START=$(dmesg | wc -l)

run modprobe wireguard
ktap_test_result "insmod wgmesh.ko" insmod "$ko"
run ip link add wg0 type wireguard
run wgmesh-ctl attach wg0

# nlfuzz ARGS...: wgmesh-nlfuzz, its KTAP nested as a subtest's
nlfuzz()
{
	wgmesh-nlfuzz "$@" | sed 's/^/    /'
	return "${PIPESTATUS[0]}"
}

ktap_test_result "root: $count malformed requests, then a valid SET" \
	nlfuzz wg0 "$count" 1
# nobody's shell reads the script from a file it can open
script=$(mktemp)
printf '%s\n' 'ip link add wg9 type wireguard && wgmesh-ctl attach wg9 &&' \
	"wgmesh-nlfuzz wg9 $count 2 | sed 's/^/    /'" \
	'exit "${PIPESTATUS[0]}"' > "$script"
chmod 0644 "$script"
ktap_test_result "unprivileged, own user namespace: $count requests, then a valid SET" \
	su -s /bin/bash nobody -c "unshare -U -r -n bash $script"
rm -f "$script"
ktap_test_result "the module unloads after the fuzzing" \
	bash -c 'ip link del wg0 && rmmod wgmesh'
check_dmesg_clean
ktap_finished
