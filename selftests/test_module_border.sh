#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Nothing crosses between the mesh and the outside, whatever the forwarding
# sysctls say: with IPv4 and IPv6 forwarding on at ctrl1 (a router, or a
# container host), packets the kernel would route from another interface
# into wg0 (honest or forged mesh sources, IPv6 and IPv4) are dropped and
# counted as drop_crossing; IPv4 from a member to the outside never gets
# that far (drop_outside at ingress); the mesh and ctrl1's routing between
# its other interfaces keep working. The same traffic crosses with the
# module detached: the control, which proves each case would leak.
#
#  ┌ wgm-a ───────────────┐   ┌ wgm-b ───────────────┐
#  │ wg0 0x11111111       │   │ wg0 0x22222222       │
#  │ 10.9.0.11/24         │   │                      │
#  │ routes 192.0.2.0/24  │   │                      │
#  └──────────┬───────────┘   └──────────┬───────────┘
#             └──────────┐   ┌───────────┘
#  ┌ wgm-ctrl1 ──────────┴───┴──────────────────────┐    ┌ wgm-outside ─────────┐
#  │ wg0 id 0x0001, fd12:3456:0:100::1/40, 10.9.0.1 │    │ veth0 2001:db8::1/64 │
#  │ veth0 2001:db8::2/64, 192.0.2.2/24 ────────────┼────│ 192.0.2.1/24         │
#  │ veth1 2001:db8:1::2/64 ─────────┐              │    │ routes the mesh and  │
#  │ all.forwarding=1, ip_forward=1  │              │    │ 10.9.0.0/24 to ctrl1 │
#  └─────────────────────────────────┼──────────────┘    │ + a's mesh address   │
#                  ┌ wgm-lan ────────┴─────┐             │   on lo (a forgery)  │
#                  │ veth1 2001:db8:1::1/64│             └──────────────────────┘
#                  └───────────────────────┘
#  (every wg0 has its UDP socket on 127.0.0.1 in wgm-underlay, see lib/mesh.sh)

cd "$(dirname "$0")" || exit 1
. lib/ktap.sh
. lib/mesh.sh

ktap_need wgmesh-ctl ping
ktap_print_header
ktap_set_plan 22
mesh_init

mesh_controller ctrl1 0x0001
mesh_peer a 0x11111111 ctrl1
mesh_peer b 0x22222222 ctrl1
# a also talks IPv4 through ctrl1, and accepts anything from it.
mesh_connect a ctrl1 "0.0.0.0/0,::/0" "$(mesh_allowed_of_peer a),10.9.0.11/32"
mesh_connect b ctrl1
mesh_outside ctrl1
A=$(mesh_addr a)
B=$(mesh_addr b)
CTRL1=$(mesh_addr ctrl1)
OUT6=$MESH_OUTSIDE_ADDR
OUT4=192.0.2.1
A4=10.9.0.11

ip_batch "$(ns ctrl1)" <<EOT || ktap_exit_fail_msg "ctrl1: IPv4"
addr add 10.9.0.1/24 dev wg0
addr add 192.0.2.2/24 dev veth0
EOT
ip_batch "$(ns a)" <<EOT || ktap_exit_fail_msg "a: IPv4"
addr add $A4/24 dev wg0
route add 192.0.2.0/24 dev wg0
EOT
ip_batch "$(ns outside)" <<EOT || ktap_exit_fail_msg "outside: IPv4, forgery"
addr add $OUT4/24 dev veth0
route add 10.9.0.0/24 via 192.0.2.2
addr add $A/128 dev lo
EOT
# a LAN behind ctrl1 that has nothing to do with the mesh
run ip netns add "$(ns lan)" || ktap_exit_fail_msg "ip netns add $(ns lan)"
MESH_MACHINES+=(lan)
ip_batch "$(ns ctrl1)" <<EOT || ktap_exit_fail_msg "ctrl1: veth1"
link add veth1 type veth peer name veth1 netns $(ns lan)
addr add 2001:db8:1::2/64 dev veth1 nodad
link set veth1 up
EOT
ip_batch "$(ns lan)" <<EOT || ktap_exit_fail_msg "lan: veth1"
link set lo up
addr add 2001:db8:1::1/64 dev veth1 nodad
link set veth1 up
route add default via 2001:db8:1::2
EOT
run ip -n "$(ns outside)" route add 2001:db8:1::/64 via 2001:db8::2 ||
	ktap_exit_fail_msg "outside: route to lan"
nx ctrl1 sysctl -qw net.ipv6.conf.all.forwarding=1 net.ipv4.ip_forward=1 ||
	ktap_exit_fail_msg "ctrl1: forwarding on"

# crossings DESC: run the four crossings, each 2 echoes; sets the
# receivers' counters before (B6 OUT4 A4 echoes) and after, and ctrl1's
# drop_crossing delta in CROSSED
crossings()
{
	local c0
	crossed=
	c0=$(mesh_stat ctrl1 device drop_crossing 2>/dev/null)
	b6=$(snmp6 b Icmp6InEchos) o4=$(snmp4 outside Icmp InEchos)
	a4=$(snmp4 a Icmp InEchos)
	# outside -> b with a's mesh address as source (b accepts it from ctrl1)
	nx outside ping -c 2 -i 0.2 -W 1 -I "$A" "$B" >/dev/null 2>&1
	# outside -> b from its own address (b's WireGuard would drop it)
	nx outside ping -c 2 -i 0.2 -W 1 "$B" >/dev/null 2>&1
	# a -> outside over IPv4, and outside -> a
	nx a ping -c 2 -i 0.2 -W 1 "$OUT4" >/dev/null 2>&1
	nx outside ping -c 2 -i 0.2 -W 1 "$A4" >/dev/null 2>&1
	db6=$(($(snmp6 b Icmp6InEchos) - b6))
	do4=$(($(snmp4 outside Icmp InEchos) - o4))
	da4=$(($(snmp4 a Icmp InEchos) - a4))
	if [ -n "$c0" ]; then
		crossed=$(($(mesh_stat ctrl1 device drop_crossing) - c0))
	fi
	ktap_print_msg "$1: b got $db6 forged IPv6 echoes, outside $do4 IPv4 echoes from a, a $da4 from outside, drop_crossing +${crossed:-?}"
}

check_ping "a reaches ctrl1 ::1" a "$CTRL1"
check_ping "a reaches ctrl1 over IPv4" a 10.9.0.1
check_ping "outside reaches ctrl1's veth0" outside 2001:db8::2

# The control: plain WireGuard and kernel forwarding let everything cross.
crossings "module not loaded"
ktap_expect "without wgmesh: a forged mesh source from outside reaches b" [ "$db6" -ge 2 ]
ktap_expect "without wgmesh: a's IPv4 reaches the outside" [ "$do4" -ge 2 ]
ktap_expect "without wgmesh: the outside reaches a over IPv4" [ "$da4" -ge 2 ]

ktap_test_result "load wgmesh.ko" mesh_load_module
# The mesh's IPv4 range 10.9.0.0/24: ctrl1 10.9.0.1, a 10.9.0.11.
V4=(--ipv4 10.9.0.0/24 --member-ipv4 c:0x0001=10.9.0.1
    --member-ipv4 p:0x11111111=$A4)
ktap_test_result "ctrl1: attach and set the topology" \
	eval 'nx ctrl1 wgmesh-ctl attach wg0 && mesh_topology ctrl1 "${V4[@]}"'
out=$(mesh_stat ctrl1 device drop_outside)
check_ping "through the module: a reaches b" a "$B"
check_ping "through the module: b reaches a" b "$A"

crossings "attached, forwarding on"
ktap_expect "the forged mesh source from outside never reaches b" [ "$db6" = 0 ]
ktap_expect "a's IPv4 never reaches the outside" [ "$do4" = 0 ]
ktap_expect "the outside never reaches a over IPv4" [ "$da4" = 0 ]
ktap_expect "ctrl1 counts the 6 crossings into wg0, the honest source's too, as drop_crossing" \
	[ "$crossed" -ge 6 ]
check_delta "ctrl1 drops a's IPv4 to the outside at ingress (drop_outside)" \
	"$out" "$(mesh_stat ctrl1 device drop_outside)" -ge 2

# Not the mesh: ctrl1 still routes between its other interfaces, and its
# own traffic is its own.
check_ping "ctrl1 still forwards lan <-> outside" lan "$OUT6"
check_ping "ctrl1 itself reaches the outside" ctrl1 "$OUT6"
check_ping "ctrl1 itself reaches a over IPv4" ctrl1 "$A4"

# Detached: the control again, so the drops above were the module's.
ktap_test_result "ctrl1: detach" nx ctrl1 wgmesh-ctl detach wg0
crossings "detached"
ktap_expect "detached: a forged mesh source from outside reaches b again" [ "$db6" -ge 2 ]
ktap_expect "detached: a's IPv4 reaches the outside again" [ "$do4" -ge 2 ]
check_dmesg_clean
ktap_finished
