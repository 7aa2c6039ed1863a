#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# wgmesh.ko drops what it must not forward, and answers with the right ICMPv6
# errors: spoofed sources, hop limit 1 (Time Exceeded), packets over the
# controller's MTU (Packet Too Big, GSO included), and mesh traffic for an
# address outside the mesh, which must never leave by another interface even
# with global forwarding turned on.
#
#  ┌ wgm-a ──────────┐  ┌ wgm-b ──────────┐  ┌ wgm-m ─────────────────────────┐
#  │ wg0 0x11111111  │  │ wg0 0x22222222  │  │ wg0 0x66666666 (+ two spoofed  │
#  │ + route to      │  │                 │  │ addresses; ctrl1 accepts the   │
#  │   2001:db8::/64 │  │                 │  │ whole fd12:3456::/40 from m)   │
#  └───────┬─────────┘  └───────┬─────────┘  └───────────────┬────────────────┘
#          └────────────────────┼────────────────────────────┘
#             ┌ wgm-ctrl1 ──────┴────────────────────┐      ┌ wgm-outside ─────┐
#             │ wg0 id 0x0001, fd12:3456:0:100::1/40 │      │ veth0            │
#             │ veth0 2001:db8::2/64 ────────────────┼──────│ 2001:db8::1/64   │
#             │ net.ipv6.conf.all.forwarding=0       │      │ route to the mesh│
#             └──────────────────────────────────────┘      └──────────────────┘
#  (every wg0 has its UDP socket on 127.0.0.1 in wgm-underlay, see lib/mesh.sh)
#
# WireGuard itself drops a source outside the sender's AllowedIPs, so m is
# given the whole mesh /40 on ctrl1: only the module stands between m's
# forged sources and the mesh. Echoes seen by the outside namespace are
# counted with its Icmp6InEchos; ICMPv6 errors with the senders' snmp6.

cd "$(dirname "$0")" || exit 1
. lib/ktap.sh
. lib/mesh.sh

ktap_need wgmesh-ctl ping iperf3
ktap_print_header
ktap_set_plan 38
mesh_init

mesh_controller ctrl1 0x0001
mesh_peer a 0x11111111 ctrl1
mesh_peer b 0x22222222 ctrl1
mesh_peer m 0x66666666 ctrl1
mesh_connect a ctrl1 "$(mesh_ctrl_subnets),2001:db8::/64"
mesh_connect b ctrl1
mesh_connect m ctrl1 "" "$MESH_NET"
mesh_outside ctrl1
run ip -n "$(ns a)" route add 2001:db8::/64 dev wg0 || ktap_exit_fail_msg "a: route to outside"
B=$(mesh_addr b)
M=$(mesh_addr m)
CTRL1=$(mesh_addr ctrl1)
# m's forgeries: an unknown /96 in ctrl1's subnet, and a peer address under
# an unknown controller id 0x0500
SPOOF1=$(mesh_subnet_of 0x0001):9999:9999:0:1
SPOOF2=$(mesh_subnet_of 0x0500):6666:6666:0:1
run ip -n "$(ns m)" addr add "$SPOOF1/128" dev wg0 nodad || ktap_exit_fail_msg "m: spoofed address"
run ip -n "$(ns m)" addr add "$SPOOF2/128" dev wg0 nodad || ktap_exit_fail_msg "m: spoofed address"

check_no_forwarding ctrl1
for p in a b m; do
	check_ping "plain WireGuard: $p reaches ctrl1 ::1" $p "$CTRL1"
done

# The leak test must be able to see a leak: without wgmesh and with global
# forwarding on, a's echo to the outside goes out ctrl1's veth0.
echo_out=$(snmp6 outside Icmp6InEchos)
nx ctrl1 sysctl -qw net.ipv6.conf.all.forwarding=1
check_ping "control: without wgmesh, forwarding on, a reaches 2001:db8::1" a "$MESH_OUTSIDE_ADDR"
nx ctrl1 sysctl -qw net.ipv6.conf.all.forwarding=0
check_delta "control: the outside namespace saw a's echoes" \
	"$echo_out" "$(snmp6 outside Icmp6InEchos)" -ge 3

ktap_test_result "load wgmesh.ko" mesh_load_module
ktap_test_result "ctrl1: attach, default allow" mesh_attach ctrl1
out=$(nx a ping -c 3 -i 0.2 -w 5 "$B" 2>&1)
echo "$out" | sed 's/^/#   /'
ktap_expect "a reaches b through ctrl1, hop limit decremented once (ttl=63)" \
	eval '[ "$(echo "$out" | grep -c "ttl=63")" = 3 ]'

# Spoofed sources
check_ping "m reaches b from its own address" m "$B" -c 2 -i 0.2 -w 5 -I "$M"
spoofed=$(mesh_stat ctrl1 device drop_spoofed)
echo_b=$(snmp6 b Icmp6InEchos)
check_ping_lost "m's echo from an unknown /96 ($SPOOF1) is dropped" \
	m "$B" -c 2 -i 0.2 -W 1 -I "$SPOOF1"
check_ping_lost "m's echo from an unknown controller subnet ($SPOOF2) is dropped" \
	m "$B" -c 2 -i 0.2 -W 1 -I "$SPOOF2"
check_delta "ctrl1 counts the 4 forged echoes as drop_spoofed" \
	"$spoofed" "$(mesh_stat ctrl1 device drop_spoofed)" -ge 4
check_delta "b never saw a forged echo" "$echo_b" "$(snmp6 b Icmp6InEchos)" -eq 0

# Hop limit 1: Time Exceeded from the controller
te_a=$(snmp6 a Icmp6InTimeExcds)
hl_a=$(mesh_drops ctrl1 a hoplimit)
echo_b=$(snmp6 b Icmp6InEchos)
check_ping_lost "a's echo to b with hop limit 1 does not arrive" a "$B" -c 2 -i 0.2 -W 1 -t 1
check_delta "a gets ICMPv6 Time Exceeded back" "$te_a" "$(snmp6 a Icmp6InTimeExcds)" -ge 2
check_drops "ctrl1 counts a's echoes as drop_hoplimit" ctrl1 a hoplimit "$hl_a" 2
check_delta "b never saw an echo with hop limit 1" "$echo_b" "$(snmp6 b Icmp6InEchos)" -eq 0
check_ping "a's echo to b with hop limit 2 arrives" a "$B" -c 2 -i 0.2 -w 5 -t 2

# Packet Too Big: ctrl1's wg0 is lowered to 1280, the peers stay at 1420
ktap_test_result "ctrl1: wg0 mtu 1280" ip -n "$(ns ctrl1)" link set wg0 mtu 1280
ptb_a=$(snmp6 a Icmp6InPktTooBigs)
tb_a=$(mesh_drops ctrl1 a toobig)
check_ping_lost "a's 1348-byte echo to b does not fit ctrl1's wg0" a "$B" -c 1 -W 1 -s 1300
check_delta "a gets ICMPv6 Packet Too Big back" "$ptb_a" "$(snmp6 a Icmp6InPktTooBigs)" -ge 1
check_drops "ctrl1 counts a's echo as drop_toobig" ctrl1 a toobig "$tb_a" 1
route=$(nx a ip -6 route get "$B")
ktap_print_msg "$route"
ktap_expect "a learnt path MTU 1280 towards b" \
	eval '[[ $route == *" mtu 1280 "* || $route == *" mtu 1280" ]]'
r=$(ping_count a "$B" -c 5 -i 0.2 -W 2 -s 1300)
if [ -n "${r#* }" ] && [ "${r#* }" -ge 1 ]; then
	ktap_test_pass "a's 1300-byte echoes now reach b in fragments (${r#* } of ${r% *})"
else
	ktap_test_fail "a's 1300-byte echoes now reach b in fragments (${r:-no output})"
fi
# TCP from b to m (b has no path MTU for m yet): the big (GSO/GRO) segments
# ctrl1 receives must be answered with Packet Too Big too, or TCP stalls.
tb_b=$(mesh_drops ctrl1 b toobig)
check_iperf "TCP b -> m through ctrl1 with wg0 mtu 1280" m b "$M"
mesh_stats ctrl1 b | sed 's/^/#   /'
nx b ip -6 route get "$M" | sed 's/^/#   /'
ktap_print_msg "b: Icmp6InPktTooBigs=$(snmp6 b Icmp6InPktTooBigs)"
check_drops "ctrl1 counted b's oversize TCP segments as drop_toobig" \
	ctrl1 b toobig "$tb_b" 1
ktap_test_result "ctrl1: wg0 mtu 1420 again" ip -n "$(ns ctrl1)" link set wg0 mtu 1420

# IPv6 off on wg0 (disabled, or gone with an MTU under 1280): the module
# forwards nothing, as ip6_forward would not, and so never announces a
# Packet Too Big below the 1280 bytes every IPv6 link carries.
run ip netns exec "$(ns ctrl1)" sysctl -qw net.ipv6.conf.wg0.disable_ipv6=1
check_ping_lost "ctrl1 with IPv6 disabled on wg0 forwards nothing" a "$B"
run ip netns exec "$(ns ctrl1)" sysctl -qw net.ipv6.conf.wg0.disable_ipv6=0
run ip -n "$(ns ctrl1)" link set wg0 mtu 1200
ptb_a=$(snmp6 a Icmp6InPktTooBigs)
check_ping_lost "ctrl1 with wg0 mtu 1200 (no IPv6 there) forwards nothing" \
	a "$B" -c 2 -i 0.2 -W 1 -s 1300
check_delta "and sends no Packet Too Big below 1280" \
	"$ptb_a" "$(snmp6 a Icmp6InPktTooBigs)" -eq 0
ip_batch "$(ns ctrl1)" <<EOT
link set wg0 mtu 1420
addr add $CTRL1/40 dev wg0 nodad
EOT
check_ping "ctrl1 forwards again with IPv6 back on wg0" a "$B"

# Mesh traffic to the outside: dropped and counted, never leaked, even with
# global forwarding on.
echo_out=$(snmp6 outside Icmp6InEchos)
out_a=$(mesh_drops ctrl1 a outside)
check_ping_lost "a does not reach 2001:db8::1 through ctrl1" a "$MESH_OUTSIDE_ADDR"
nx ctrl1 sysctl -qw net.ipv6.conf.all.forwarding=1
check_ping_lost "a does not reach 2001:db8::1 even with ctrl1 forwarding on" \
	a "$MESH_OUTSIDE_ADDR"
nx ctrl1 sysctl -qw net.ipv6.conf.all.forwarding=0
check_delta "the outside namespace never saw a's echoes" \
	"$echo_out" "$(snmp6 outside Icmp6InEchos)" -eq 0
check_drops "ctrl1 counts a's 4 echoes as drop_outside" ctrl1 a outside "$out_a" 4
check_no_forwarding ctrl1
check_dmesg_clean
ktap_finished
