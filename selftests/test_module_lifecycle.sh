#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# wgmesh.ko lifecycle: topology replaced every 100 ms under a continuous ping
# loses nothing; rmmod while traffic flows; a netns move and a device
# deletion detach cleanly (and "ip link del" returns at once); a namespace
# torn down with an attached device; the module loads and attaches again;
# a namespace that fails to set up half-way (a helper module's pernet init
# fails on demand) leaves the machine's networking working; the exit path's
# pre-routing hook is there only while an exit user's IPv6 subnet is.
#
#  ┌ wgm-a ──────────┐                                 ┌ wgm-b ──────────┐
#  │ wg0 0x11111111  │──┐  ┌ wgm-ctrl1 ──────────┐  ┌──│ wg0 0x22222222  │
#  └─────────────────┘  └──│ wg0 id 0x0001       │──┘  └─────────────────┘
#                          │ fd12:3456:0:100::1  │      ┌ wgm-other ──────┐
#                          │ forwarding=0        │ ···> │ (wg0 visits)    │
#                          └─────────────────────┘      └─────────────────┘
#  ┌ wgm-tmp ─────────────────────────────────────┐
#  │ its own wg0, attached, then the netns deleted│
#  └──────────────────────────────────────────────┘
#  (every mesh wg0 has its UDP socket on 127.0.0.1 in wgm-underlay)

cd "$(dirname "$0")" || exit 1
. lib/ktap.sh
. lib/mesh.sh

ktap_need wgmesh-ctl ping iperf3
ktap_print_header
ktap_set_plan 36
mesh_init

mesh_star ctrl1 0x0001 a 0x11111111 b 0x22222222
A=$(mesh_addr a)
B=$(mesh_addr b)
CTRL1=$(mesh_addr ctrl1)
MESH_GROUPS[a]=0x1
MESH_GROUPS[b]=0x1

# not_attached NAME: wgmesh-ctl show wg0 in NAME fails (nothing attached)
not_attached()
{
	! nx "$1" wgmesh-ctl show wg0
}

# move_back: wg0 from wgm-other back to ctrl1, readdressed and up (a netns
# move flushes addresses and sets the device down, and WireGuard forgets its
# sessions when it goes down: ctrl1 starts new handshakes with a and b)
move_back()
{
	run ip -n "$(ns other)" link set wg0 netns "$(ns ctrl1)" &&
		run ip -n "$(ns ctrl1)" addr add "$CTRL1/40" dev wg0 nodad &&
		run ip -n "$(ns ctrl1)" link set wg0 up &&
		nx ctrl1 ping -c 1 -w 5 "$A" >/dev/null &&
		nx ctrl1 ping -c 1 -w 5 "$B" >/dev/null
}

# teardown_attached: a namespace with its own attached wg0, deleted whole
teardown_attached()
{
	run ip netns add "$(ns tmp)" &&
		run ip -n "$(ns tmp)" link add wg0 type wireguard &&
		nx tmp wgmesh-ctl attach wg0 &&
		nx tmp wgmesh-ctl set wg0 --prefix "$MESH_PREFIX::" --self 0x0001 \
			--controller 0x0001 --peer 0x11111111 &&
		run ip netns del "$(ns tmp)"
}

check_no_forwarding ctrl1
check_ping "plain WireGuard: a reaches ctrl1 ::1" a "$CTRL1"
check_ping "plain WireGuard: b reaches ctrl1 ::1" b "$CTRL1"
ktap_test_result "load wgmesh.ko" mesh_load_module
ktap_test_result "ctrl1: attach and set the topology" mesh_attach ctrl1
check_ping "a reaches b through ctrl1" a "$B"

# The exit path's IPv6 PRE_ROUTING hook sees every IPv6 packet of the
# namespace: registered only while a snapshot has an exit user's IPv6
# subnet. nft list hooks needs nfnetlink_hook (6.12; 6.1 has none).
exit_in_hooked()
{
	nx ctrl1 nft list hooks ip6 | grep -q 'exit_in_hook'
}
if modprobe nfnetlink_hook 2>/dev/null && nx ctrl1 nft list hooks ip6 >/dev/null 2>&1; then
	ktap_test_result "no exit user: no pre-routing hook of wgmesh's" ! exit_in_hooked
	ktap_test_result "an exit user's IPv6 subnet: the hook is registered" \
		eval 'mesh_topology ctrl1 --peer 0x33333333:0x1:exit \
			--subnet p:0x33333333=2001:db8:77::/48 >/dev/null && exit_in_hooked'
	ktap_test_result "the exit user gone: the hook is gone" \
		eval 'mesh_topology ctrl1 >/dev/null && ! exit_in_hooked'
else
	for d in "no pre-routing hook" "exit user: hook" "exit user gone: no hook"; do
		ktap_test_skip "$d (no nfnetlink_hook: nft list hooks)"
	done
fi

# Topology replaced every 100 ms under a 100 pps ping: alternately a default
# allow mesh with an extra peer, and a default-deny mesh allowing {0,0}, so
# every replace really swaps the snapshot a and b are looked up in.
nx a ping -c 300 -i 0.01 -w 15 "$B" > "$MESH_TMP/ping.out" 2>&1 &
ping_pid=$!
fails=0
for i in $(seq 30); do
	if [ $((i % 2)) = 1 ]; then
		mesh_topology ctrl1 --peer "$(printf '0x7777%04x' "$i")" >/dev/null || fails=$((fails + 1))
	else
		mesh_topology ctrl1 --default-deny --allow 0-0 >/dev/null || fails=$((fails + 1))
	fi
	sleep 0.1
done
wait_gone $ping_pid 30 || ns_kill a
sed 's/^/#   /' "$MESH_TMP/ping.out" | grep -v 'bytes from'
got=$(ping_answered 300 < "$MESH_TMP/ping.out")
if [ "$got" = 300 ]; then
	ktap_test_pass "300 pings a -> b during 30 topology replaces: none lost"
else
	ktap_test_fail "300 pings a -> b during 30 topology replaces: none lost ($got answered)"
fi
check_delta "all 30 replaces succeeded" 0 "$fails" -eq 0
show=$(nx ctrl1 wgmesh-ctl show wg0)
echo "$show" | sed 's/^/#   /'
ktap_expect "ctrl1 reports the last generation (${MESH_GENS[ctrl1]})" \
	eval '[[ $show == *"generation=${MESH_GENS[ctrl1]} "* && $show == *flags=default-deny* ]]'

# rmmod while TCP and a fast ping flow through the module
fwd0=$(mesh_stat ctrl1 device fwd_packets)
nx b iperf3 -s -1 -B "$B" >/dev/null 2>&1 &
wait_listen b 5201
nx a iperf3 -c "$B" -t 4 >/dev/null 2>&1 &
nx a ping -c 400 -i 0.005 -W 1 "$B" >/dev/null 2>&1 &
ping_pid=$!
sleep 1.5
check_delta "traffic flows through the module as rmmod starts" \
	"$fwd0" "$(mesh_stat ctrl1 device fwd_packets)" -ge 100
run rmmod wgmesh &
rmmod_pid=$!
if wait_gone $rmmod_pid 10 && wait $rmmod_pid; then
	ktap_test_pass "rmmod wgmesh under traffic"
else
	ktap_test_fail "rmmod wgmesh under traffic (failed or still running after 10 s)"
fi
ktap_test_result "wgmesh is gone from /proc/modules" ! grep -q '^wgmesh ' /proc/modules
# the flows served their purpose; the TCP one would stall until timeouts
ns_kill a
ns_kill b
check_ping "after rmmod: a still reaches ctrl1 ::1" a "$CTRL1"
check_ping_lost "after rmmod: nothing forwards a -> b" a "$B"
ktap_test_result "insmod wgmesh.ko again" mesh_load_module
ktap_test_result "ctrl1: attach and set the topology again" mesh_attach ctrl1
check_ping "a reaches b through ctrl1 again" a "$B"

# A netns move detaches: the device comes back as plain WireGuard.
run ip netns add "$(ns other)" || ktap_exit_fail_msg "ip netns add $(ns other)"
MESH_MACHINES+=(other)
ktap_test_result "move ctrl1's wg0 to another namespace" \
	ip -n "$(ns ctrl1)" link set wg0 netns "$(ns other)"
ktap_test_result "not attached in the new namespace" not_attached other
ktap_test_result "move wg0 back to ctrl1, address it, up, handshake" move_back
ktap_test_result "not attached after the round trip" not_attached ctrl1
check_ping "after the move: a reaches ctrl1 ::1" a "$CTRL1"
check_ping_lost "after the move: nothing forwards a -> b" a "$B"
ktap_test_result "ctrl1: attach and set the topology after the move" mesh_attach ctrl1
check_ping "a reaches b through ctrl1 after re-attach" a "$B"

# A namespace deleted with an attached device in it
MESH_MACHINES+=(tmp)
ktap_test_result "delete a namespace holding an attached device" teardown_attached

# Device deletion while attached: must not hang on a reference
run ip -n "$(ns ctrl1)" link del wg0 &
del_pid=$!
ktap_expect "ip link del of the attached wg0 returns within 5 s" \
	eval 'wait_gone $del_pid 5 && wait $del_pid'
# A namespace whose setup fails half-way: a pernet init registered before
# wgmesh fails after loopback exists, and setup_net() unregisters loopback
# again in a namespace where the inits after that one never ran. When
# wgmesh's state was a pernet device, its netdevice notifier oopsed there,
# holding RTNL: every later network configuration hung.
helper=${WGMESH_KMOD:?WGMESH_KMOD is not set}/wgmesh_test_netns_fail.ko
fail=/sys/module/wgmesh_test_netns_fail/parameters/fail
run rmmod wgmesh
ktap_test_result "load the failing-netns helper, then wgmesh.ko" \
	bash -c "insmod $helper && insmod $WGMESH_KO"
run sh -c "echo 1 > $fail"
ktap_test_result "a new namespace fails to set up" ! timeout 20 unshare -n true
run sh -c "echo 0 > $fail"
ktap_test_result "RTNL still works: a namespace with a WireGuard device" \
	timeout 20 unshare -n bash -c \
	'ip link add wg7 type wireguard && ip link set wg7 up && ip link del wg7'
ktap_test_result "rmmod the helper" rmmod wgmesh_test_netns_fail
ktap_test_result "rmmod wgmesh with nothing attached" rmmod wgmesh
check_dmesg_clean
ktap_finished
