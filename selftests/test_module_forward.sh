#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# wgmesh.ko forwards mesh traffic between peers inside the module, with the
# controllers' global IPv6 forwarding off, and between controllers:
#
#  ┌ wgm-a ─────────────┐                                         ┌ wgm-c ─────────────┐
#  │ wg0 0x11111111     │──┐                                   ┌──│ wg0 0x33333333     │
#  │ fd12:3456:0:100:   │  │  ┌ wgm-ctrl1 ──────┐  ┌ wgm-ctrl2 ──────┐  │  │ fd12:3456:0:200:   │
#  │   1111:1111:0:1/56 │  ├──│ wg0 id 0x0001   │──│ wg0 id 0x0002   │──┘  │   3333:3333:0:1/56 │
#  └────────────────────┘  │  │ fd12:3456:0:100 │  │ fd12:3456:0:200 │     └────────────────────┘
#  ┌ wgm-b ─────────────┐  │  │   ::1/40        │  │   ::1/40        │
#  │ wg0 0x22222222     │──┘  │ forwarding=0    │  │ forwarding=0    │
#  │ fd12:3456:0:100:   │     └─────────────────┘  └─────────────────┘
#  │   2222:2222:0:1/56 │
#  └────────────────────┘
#  (every wg0 has its UDP socket on 127.0.0.1 in wgm-underlay, see lib/mesh.sh)
#
# a and b are WireGuard peers of ctrl1 only, c of ctrl2 only; the two
# controllers are WireGuard peers of each other (AllowedIPs = the other's
# /56). Without wgmesh nothing crosses a controller; with it, a reaches b
# (ping and TCP), ctrl2's ::1 and c through ctrl1 (and ctrl2), and the
# counters say the module did it.

cd "$(dirname "$0")" || exit 1
. lib/ktap.sh
. lib/mesh.sh

ktap_need wgmesh-ctl iperf3 ping socat od
ktap_print_header
ktap_set_plan 32
mesh_init

mesh_controller ctrl1 0x0001
mesh_controller ctrl2 0x0002
mesh_peer a 0x11111111 ctrl1
mesh_peer b 0x22222222 ctrl1
mesh_peer c 0x33333333 ctrl2
mesh_connect_ctrls ctrl1 ctrl2
mesh_connect a ctrl1
mesh_connect b ctrl1
mesh_connect c ctrl2

A=$(mesh_addr a ctrl1)
B=$(mesh_addr b ctrl1)
C=$(mesh_addr c ctrl2)
CTRL1=$(mesh_addr ctrl1)
CTRL2=$(mesh_addr ctrl2)

check_no_forwarding ctrl1
check_no_forwarding ctrl2
check_ping "plain WireGuard: a reaches ctrl1 ::1" a "$CTRL1"
check_ping "plain WireGuard: c reaches ctrl2 ::1" c "$CTRL2"
check_ping "plain WireGuard: ctrl1 reaches ctrl2 ::1" ctrl1 "$CTRL2"
# The control experiment: this is what wgmesh must change.
check_ping_lost "without wgmesh: a does not reach b through ctrl1" a "$B"
check_ping_lost "without wgmesh: a does not reach ctrl2 through ctrl1" a "$CTRL2"

ktap_test_result "load wgmesh.ko" mesh_load_module
ktap_test_result "attach and load the topology on ctrl1" mesh_attach ctrl1
ktap_test_result "attach and load the topology on ctrl2" mesh_attach ctrl2
show=$(nx ctrl1 wgmesh-ctl show wg0)
echo "$show" | sed 's/^/#   /'
ktap_expect "ctrl1 reports the topology it was given" \
	eval '[[ $show == *"generation=${MESH_GENS[ctrl1]} "* && $show == *"controllers=2 "* &&
	      $show == *"peers=3 "* && $show == *"id=0x11111111"* ]]'

fwd_a=$(mesh_stat ctrl1 a fwd_packets)
tx_b=$(mesh_stat ctrl1 b tx_packets)
loc_a=$(mesh_stat ctrl1 a local_packets)
check_ping "a reaches b through ctrl1" a "$B" -c 5 -i 0.1 -w 5
check_ping "b reaches a through ctrl1" b "$A" -c 5 -i 0.1 -w 5
check_delta "ctrl1 counts a's echoes as forwarded" \
	"$fwd_a" "$(mesh_stat ctrl1 a fwd_packets)" -ge 5
check_delta "ctrl1 counts the packets forwarded to b" \
	"$tx_b" "$(mesh_stat ctrl1 b tx_packets)" -ge 10
check_ping "a still reaches ctrl1 ::1 (local delivery)" a "$CTRL1"
check_delta "ctrl1 counts a's packets to ::1 as local" \
	"$loc_a" "$(mesh_stat ctrl1 a local_packets)" -ge 3

# A packet socket reading ctrl1's wg0 without a ring (socat) takes a clone
# of each packet received, which shares the packet's data: the module must
# lower the hop limit in a copy of its own, never in what the socket reads.
# The socket sees each echo request twice: as it came in (hop limit 64)
# and as it left (63).
cap=$MESH_TMP/ctrl1-wg0.cap
nx ctrl1 socat -u INTERFACE:wg0 "OPEN:$cap,creat,trunc" &
socat_pid=$!
sleep 0.5
check_ping "a reaches b while a packet socket reads ctrl1's wg0" a "$B" -c 3 -i 0.1 -w 5
sleep 0.2
kill "$socat_pid"
wait "$socat_pid" 2>/dev/null
# The hop limits of the echo requests (ICMPv6 type 128) in the capture.
hops=$(od -An -v -tu1 "$cap" | tr -s ' ' '\n' | awk 'NF { b[n++] = $1 }
	END { for (i = 0; i + 40 < n; i += 40 + b[i + 4] * 256 + b[i + 5])
		if (b[i + 6] == 58 && b[i + 40] == 128) printf "%s ", b[i + 7] }')
ktap_print_msg "hop limits of the echo requests the socket read: $hops"
ktap_expect "the socket reads each forwarded request unchanged (64) and as sent (63)" \
	eval '[ "$(echo $hops | tr " " "\n" | grep -cx 64)" -ge 3 ] &&
	      [ "$(echo $hops | tr " " "\n" | grep -cx 63)" -ge 3 ] &&
	      [ -z "$(echo $hops | tr " " "\n" | grep -vx "6[34]")" ]'

# TCP through the controller, both ways: GSO and checksums must survive the
# hairpin (a broken checksum would stall TCP below the 256 KBytes asserted).
# WireGuard hands the hook GRO packets of many segments: each must count as
# its segments, so no forwarded "packet" can average more than the MTU.
fwd0=$(mesh_stat ctrl1 device fwd_packets)
fwdb0=$(mesh_stat ctrl1 device fwd_bytes)
check_iperf "TCP a -> b through ctrl1" b a "$B"
check_iperf "TCP b -> a through ctrl1" b a "$B" -R
fwd1=$(mesh_stat ctrl1 device fwd_packets)
fwdb1=$(mesh_stat ctrl1 device fwd_bytes)
ktap_print_msg "forwarded $((fwd1 - fwd0)) packets, $((fwdb1 - fwdb0)) bytes"
ktap_expect "GRO packets count as segments: forwarded bytes / packets <= the MTU" \
	[ $(((fwdb1 - fwdb0) / (fwd1 - fwd0 + 1))) -le 1420 ]

# A second controller's subnet, reached through the first.
fwd2=$(mesh_stat ctrl2 a fwd_packets)
check_ping "a reaches ctrl2 ::1 through ctrl1" a "$CTRL2"
check_ping "a reaches c (ctrl2's peer) through ctrl1 and ctrl2" a "$C" -c 5 -i 0.1 -w 5
check_ping "c reaches a through ctrl2 and ctrl1" c "$A"
check_delta "ctrl2 counts a's echoes to c as forwarded" \
	"$fwd2" "$(mesh_stat ctrl2 a fwd_packets)" -ge 5

check_no_forwarding ctrl1
check_no_forwarding ctrl2

# Detached, the controller is plain WireGuard again.
ktap_test_result "detach ctrl1" nx ctrl1 wgmesh-ctl detach wg0
check_ping_lost "after detach: a does not reach b through ctrl1" a "$B"
check_ping "after detach: a still reaches ctrl1 ::1" a "$CTRL1"
check_dmesg_clean
ktap_finished
