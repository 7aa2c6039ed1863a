#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# wgmesh.ko with IPv4 and routed subnets (VM), on a hand-built mesh wired
# the way `wgmesh up` homes IPv4 and subnets: each peer's IPv4 address and
# subnets at its controller, the other controller's entry carrying those
# homed there. Proves: IPv4 local delivery and hairpin forwarding (TTL
# decremented, one hop per controller), subnet to subnet across both
# controllers over IPv4 and IPv6, forwarding sysctls untouched, spoofed
# sources (unknown, the controller's own, no subnet's) dropped and
# counted, policy between subnets, Time Exceeded and Fragmentation Needed
# with the sender's PMTU learnt, IPv4 to the outside dropped, and a
# controller's own LAN reachable through the kernel's forwarding while
# another LAN of the same controller is not.
#
#   lana ── a 0x11111111 ─┐                      ┌─ c 0x33333333 ── lanc
#   172.27.88.10          │                      │          172.27.126.10
#   fdc1:1::10      b ────┤                      │          fdc1:2::10
#                   m ────┴─ ctrl1 0x0001 ─── ctrl2 0x0002 ── lanx 192.168.50.10
#                            10.128.0.1       10.128.0.2  └── lany 192.168.60.10
#   a 10.128.1.1, b 10.128.1.2, c 10.128.1.3; m forges (ctrl1 accepts the
#   whole range and 172.16/12 from it); ctrl2 owns 192.168.50.0/24 (lanx)
#   and routes, forwarding on, a lany that is not the mesh's.
#
# wgmesh-timeout: 420

cd "$(dirname "$0")" || exit 1
. lib/ktap.sh
. lib/mesh.sh

ktap_need wgmesh-ctl ping
ktap_print_header
ktap_set_plan 40
mesh_init

R=10.128.0.0/16
NA4=172.27.88.0/24 NA6=fdc1:1::/64 NC4=172.27.126.0/24 NC6=fdc1:2::/64
NX4=192.168.50.0/24
mesh_controller ctrl1 0x0001
mesh_controller ctrl2 0x0002
mesh_peer a 0x11111111 ctrl1
mesh_peer b 0x22222222 ctrl1
mesh_peer c 0x33333333 ctrl2
mesh_peer m 0x66666666 ctrl1
# Homes: a, b, m at ctrl1; c at ctrl2; what each side's entry carries.
to_ctrl="$(mesh_ctrl_subnets),$R,$NA4,$NA6,$NC4,$NC6,$NX4"
mesh_connect a ctrl1 "$to_ctrl" "$(mesh_allowed_of_peer a),10.128.1.1/32,$NA4,$NA6"
mesh_connect b ctrl1 "$to_ctrl" "$(mesh_allowed_of_peer b),10.128.1.2/32"
mesh_connect m ctrl1 "$to_ctrl" "$MESH_NET,$R,172.16.0.0/12"
mesh_connect c ctrl2 "$to_ctrl" "$(mesh_allowed_of_peer c),10.128.1.3/32,$NC4,$NC6"
mesh_wg_peer ctrl1 ctrl2 "$(mesh_subnet ctrl2),10.128.0.2/32,10.128.1.3/32,$NC4,$NC6,$NX4"
mesh_wg_peer ctrl2 ctrl1 "$(mesh_subnet ctrl1),10.128.0.1/32,10.128.1.1/32,10.128.1.2/32,$NA4,$NA6"

# ipv4 NAME ADDR: NAME's IPv4 address, and the mesh's routes through wg0
ipv4()
{
	ip_batch "$(ns "$1")" <<-EOT || ktap_exit_fail_msg "$1: IPv4"
	addr add $2/32 dev wg0
	route add $R dev wg0
	route add $NA4 dev wg0
	route add $NC4 dev wg0
	route add $NX4 dev wg0
	route add $NC6 dev wg0
	route add $NA6 dev wg0
	EOT
}
ipv4 ctrl1 10.128.0.1
ipv4 ctrl2 10.128.0.2
run ip -n "$(ns ctrl2)" route del $NX4 dev wg0 # its own, on lanx's veth
ipv4 b 10.128.1.2
ipv4 m 10.128.1.6
# lan OWNER NAME V4NET V4HOST [V6NET V6HOST]: a LAN namespace behind OWNER
lan()
{
	local o=$1 n=$2 gw4=${3%.0/24}.1 gw6
	run ip netns add "$(ns "$n")" || ktap_exit_fail_msg "ip netns add $n"
	MESH_MACHINES+=("$n")
	ip_batch "$(ns "$o")" <<-EOT || ktap_exit_fail_msg "$o: veth to $n"
	link add v-$n type veth peer name eth0 netns $(ns "$n")
	addr add $gw4/24 dev v-$n
	link set v-$n up
	EOT
	ip_batch "$(ns "$n")" <<-EOT || ktap_exit_fail_msg "$n: eth0"
	link set lo up
	addr add $4/24 dev eth0
	link set eth0 up
	route add default via $gw4
	EOT
	[ -n "${5:-}" ] || return 0
	gw6=${5%::/64}::1
	run ip -n "$(ns "$o")" addr add "$gw6/64" dev "v-$n" nodad
	run ip -n "$(ns "$n")" addr add "${6}/64" dev eth0 nodad
	run ip -n "$(ns "$n")" route add default via "$gw6"
}
# The peers route their LANs: forwarding on a and c (never on ctrl1/ctrl2
# for the mesh; ctrl2's own LANs are the last part of the test).
ip_batch "$(ns a)" <<EOT || ktap_exit_fail_msg "a: IPv4"
addr add 10.128.1.1/32 dev wg0
route add $R dev wg0
route add $NC4 dev wg0
route add $NC6 dev wg0
route add $NX4 dev wg0
EOT
ip_batch "$(ns c)" <<EOT || ktap_exit_fail_msg "c: IPv4"
addr add 10.128.1.3/32 dev wg0
route add $R dev wg0
route add $NA4 dev wg0
route add $NA6 dev wg0
route add $NX4 dev wg0
EOT
lan a lana $NA4 172.27.88.10 $NA6 fdc1:1::10
lan c lanc $NC4 172.27.126.10 $NC6 fdc1:2::10
for p in a c; do
	nx "$p" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1 ||
		ktap_exit_fail_msg "$p: forwarding"
done

# mesh_topology's extra arguments: the range, addresses and subnets
V4=(--ipv4 $R --member-ipv4 c:0x0001=10.128.0.1 --member-ipv4 c:0x0002=10.128.0.2
    --member-ipv4 p:0x11111111=10.128.1.1 --member-ipv4 p:0x22222222=10.128.1.2
    --member-ipv4 p:0x33333333=10.128.1.3 --member-ipv4 p:0x66666666=10.128.1.6
    --subnet p:0x11111111=$NA4 --subnet p:0x11111111=$NA6
    --subnet p:0x33333333=$NC4 --subnet p:0x33333333=$NC6 --subnet c:0x0002=$NX4)

# ttl_of NAME DST: the TTL of NAME's echo reply from DST
ttl_of()
{
	nx "$1" ping -c 1 -W 2 "$2" 2>/dev/null | sed -n 's/.*ttl=\([0-9]*\).*/\1/p'
}
snmp4_of() { snmp4 "$1" Icmp "$2"; }

ktap_test_result "load wgmesh.ko" mesh_load_module
ktap_test_result "ctrl1: attach, topology with IPv4 and subnets" \
	eval 'nx ctrl1 wgmesh-ctl attach wg0 && mesh_topology ctrl1 "${V4[@]}"'
ktap_test_result "ctrl2: attach, topology with IPv4 and subnets" \
	eval 'nx ctrl2 wgmesh-ctl attach wg0 && mesh_topology ctrl2 "${V4[@]}"'
show=$(nx ctrl1 wgmesh-ctl show wg0)
echo "$show" | sed 's/^/#   /'
ktap_expect "ctrl1 reports the range, addresses and subnets it was given" \
	text_has "$show" "ipv4=$R" "id=0x11111111 .*ipv4=10.128.1.1 subnets=$NA4,fdc1:1::/64" \
	"id=0x0002 .*ipv4=10.128.0.2 subnets=$NX4"

check_ping "a reaches ctrl1 over IPv4 (local delivery)" a 10.128.0.1
fwd_a=$(mesh_stat ctrl1 a fwd_packets)
ktap_expect "a reaches b over IPv4 through ctrl1, TTL decremented once" \
	[ "$(ttl_of a 10.128.1.2)" = 63 ]
ktap_expect "a reaches c over IPv4 through ctrl1 and ctrl2 (TTL 62)" \
	[ "$(ttl_of a 10.128.1.3)" = 62 ]
check_ping "lana reaches lanc over IPv4 (home to office)" lana 172.27.126.10
check_ping "lanc reaches lana over IPv4" lanc 172.27.88.10
check_ping "lana reaches lanc over IPv6" lana fdc1:2::10
check_ping "lanc reaches lana over IPv6" lanc fdc1:1::10
check_delta "ctrl1 counts a's and lana's packets as forwarded from a" \
	"$fwd_a" "$(mesh_stat ctrl1 a fwd_packets)" -ge 10
check_delta "ctrl2 forwarded them on" 0 "$(mesh_stat ctrl2 device fwd_packets)" -ge 10
for c in ctrl1 ctrl2; do
	ktap_expect "$c: net.ipv4.ip_forward and all.forwarding are 0" \
		[ "$(nx "$c" sysctl -n net.ipv4.ip_forward net.ipv6.conf.all.forwarding | tr -d '\n')" = 00 ]
done

# Spoofing: m may send from the whole range and 172.16/12 (its WireGuard
# entry on ctrl1 lets it): only the module stands in the way.
ip_batch "$(ns m)" <<EOT
addr add 10.128.9.9/32 dev wg0
addr add 10.128.0.1/32 dev wg0
addr add 172.27.200.1/32 dev wg0
EOT
sp=$(mesh_stat ctrl1 device drop_spoofed)
e_b=$(snmp4_of b InEchos)
check_ping "m reaches b from its own address" m 10.128.1.2 -c 1 -w 3 -I 10.128.1.6
for src in 10.128.9.9 10.128.0.1 172.27.200.1; do
	check_ping_lost "m's echo to b from $src is dropped" m 10.128.1.2 -c 1 -W 1 -I $src
done
check_delta "ctrl1 counts the 3 forgeries as drop_spoofed" \
	"$sp" "$(mesh_stat ctrl1 device drop_spoofed)" -ge 3
check_delta "b saw only m's honest echo" "$e_b" "$(snmp4_of b InEchos)" -eq 1

# Policy over IPv4 and between subnets: a (0) and c (1) may talk, b (2)
# talks to nobody.
MESH_GROUPS=([ctrl1]=0x8 [ctrl2]=0x8 [a]=0x1 [c]=0x2 [b]=0x4 [m]=0x4)
for c in ctrl1 ctrl2; do
	ktap_test_result "$c: default deny, allow 0-1, 3-0..3" \
		mesh_topology "$c" "${V4[@]}" --default-deny --allow 0-1 \
		--allow 3-0 --allow 3-1 --allow 3-2 --allow 3-3
done
check_ping "policy: lana still reaches lanc" lana 172.27.126.10
pol=$(mesh_drops ctrl1 b policy)
check_ping_lost "policy: b does not reach lanc over IPv4" b 172.27.126.10
check_drops "ctrl1 counts b's echoes as drop_policy" ctrl1 b policy "$pol" 2
for c in ctrl1 ctrl2; do
	mesh_topology "$c" "${V4[@]}" --default-deny --allow 3-0 --allow 3-1 \
		--allow 3-3 >/dev/null
done
pol=$(mesh_drops ctrl1 a policy)
check_ping_lost "policy: with 0-1 gone, lana does not reach lanc" lana 172.27.126.10
check_drops "ctrl1 counts lana's echoes against a as drop_policy" ctrl1 a policy "$pol" 2
for c in ctrl1 ctrl2; do
	mesh_topology "$c" "${V4[@]}" >/dev/null
done

# TTL 1, and a packet too big with DF
te=$(snmp4_of a InTimeExcds)
check_ping_lost "a's echo to b with TTL 1 does not arrive" a 10.128.1.2 -c 2 -i 0.2 -W 1 -t 1
check_delta "a gets ICMP Time Exceeded back" "$te" "$(snmp4_of a InTimeExcds)" -ge 2
run ip -n "$(ns ctrl1)" link set wg0 mtu 1300
du=$(snmp4_of a InDestUnreachs)
check_ping_lost "a's 1400-byte DF echo does not fit ctrl1's wg0" \
	a 10.128.1.2 -c 1 -W 1 -s 1372 -M do
check_delta "a gets Fragmentation Needed back" "$du" "$(snmp4_of a InDestUnreachs)" -ge 1
route=$(nx a ip route get 10.128.1.2)
ktap_print_msg "$route"
ktap_expect "a learnt path MTU 1300 towards b" text_has "$route" "mtu 1300"
run ip -n "$(ns ctrl1)" link set wg0 mtu 1420

# IPv4 to the outside
out=$(mesh_drops ctrl1 a outside)
run ip -n "$(ns a)" route add 198.51.100.0/24 dev wg0
run nx a wg set wg0 peer "${MESH_PUB[ctrl1]}" allowed-ips "$to_ctrl,198.51.100.0/24"
check_ping_lost "a's echo to 198.51.100.1 (no member's) is dropped" a 198.51.100.1
check_drops "ctrl1 counts it as drop_outside" ctrl1 a outside "$out" 2

# ctrl2's own LAN (its subnet): the kernel forwards into it, with IPv4
# forwarding on; its other LAN, not the mesh's, stays out at the border.
lan ctrl2 lanx $NX4 192.168.50.10
lan ctrl2 lany 192.168.60.0/24 192.168.60.10
nx ctrl2 sysctl -qw net.ipv4.ip_forward=1
check_ping "a reaches ctrl2's own LAN (lanx) through ctrl1 and ctrl2" a 192.168.50.10
check_ping "lanx reaches c through ctrl2" lanx 10.128.1.3
cr=$(mesh_stat ctrl2 device drop_crossing)
check_ping_lost "ctrl2's other LAN (lany) does not reach c" lany 10.128.1.3
check_delta "ctrl2 drops lany's echoes at the border (drop_crossing)" \
	"$cr" "$(mesh_stat ctrl2 device drop_crossing)" -ge 2
check_dmesg_clean
ktap_finished
