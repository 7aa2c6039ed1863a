#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A routed /64 over a tunnel to a VPS (issue 12, scenario 1): the hosting
# provider routes a global /64 to the VPS, whose only IPv6 comes from the
# provider's router advertisements (accept_ra=1); the VPS, an exit
# controller, carries that /64 over WireGuard to a home machine with no
# IPv6 of its own, with net.ipv6.conf.all.forwarding left at 0. Every
# mesh machine is configured by "wgmesh up" with one topology file; the
# provider and the internet are set up by hand:
#
#   home ═╗ (IPv4 underlay 10.88.N.0/24 through the provider)
#   np   ═╩═ vps ── eth0 ── prov (radvd: 2001:db8:0:1::/64 + default route;
#                                 routes 2001:db8:1::/48 to vps) ── inet
#   home: Subnets = 2001:db8:1:1::/64, Exit = vps; its LAN address ::1
#   np:   Subnets = 2001:db8:1:2::/64, no Exit
#   inet: 2001:db8:ffff::2
#
# Checks: home reaches inet from its global address and inet reaches home's
# global address, through wgmesh.ko's exit (counted); a hop limit of 1
# gets Time Exceeded (counted); np (no exit), and home from its mesh
# address, are dropped and counted (outside), and inet cannot reach np's
# prefix; the VPS's RA-learned default route survives the whole test
# (outliving its lifetime several times) with forwarding 0; a repeated up
# changes nothing; a Table on home moves its source-specific default into
# that table and out again when it goes (none left behind); down removes
# what up added; up again works; as the control, all.forwarding=1 on the
# VPS loses that route at once, and the RAs that follow are ignored.

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/lib/ktap.sh"
NS_PREFIX=vps6-
. "$here/lib/netns.sh"
. "$here/lib/checks.sh"
. "$here/lib/underlay.sh"

MESH=v6
IF=v6
DIR=/tmp/vps6
TOPO=$DIR/v6.conf
MACHINES=(vps home np)
declare -A NUM=([vps]=1 [home]=2 [np]=3)
declare -A PUB=()
PROV=$(ns prov)		# the provider: the underlay's router
UNDERLAY=$PROV
UPLINK=p-
INET=2001:db8:ffff::2
HOME6=2001:db8:1:1::1
NP6=2001:db8:1:2::1
RA_LIFETIME=9		# the default route's, from each advertisement

cleanup()
{
	[ -f "$DIR/radvd.pid" ] && kill "$(cat "$DIR/radvd.pid")" 2>/dev/null
	ns_del_all
}

ktap_need wgmesh ip wg ping radvd
trap cleanup EXIT
ktap_print_header
ktap_set_plan 41

# ---- the provider, the internet host, the machines' uplinks ----
underlay_init
rm -f "$DIR"/*
run ip netns exec "$PROV" sysctl -qw net.ipv6.conf.all.forwarding=1
# IPv4 underlay for the tunnel (home and np have no IPv6 of their own).
for m in "${MACHINES[@]}"; do
	underlay_machine "$m" "${NUM[$m]}"
done
run ip netns add "$(ns inet)" || ktap_exit_fail_msg "ip netns add inet"
run ip link add p-inet netns "$PROV" type veth peer name eth0 netns "$(ns inet)" ||
	ktap_exit_fail_msg "veth for inet"
run ip -n "$(ns inet)" link set lo up
ip_batch "$PROV" <<-EOT || ktap_exit_fail_msg "prov: p-inet"
addr add 2001:db8:ffff::1/64 dev p-inet nodad
link set p-inet up
EOT
ip_batch "$(ns inet)" <<-EOT || ktap_exit_fail_msg "inet: eth0"
addr add $INET/64 dev eth0 nodad
link set eth0 up
route add default via 2001:db8:ffff::1
EOT
# The VPS as a provider delivers it: accept_ra=1, forwarding 0 (the
# defaults), its IPv6 from the provider's advertisements.
run nx vps sysctl -qw net.ipv6.conf.all.forwarding=0
run nx vps sysctl -qw net.ipv6.conf.eth0.accept_ra=1
cat > "$DIR/radvd.conf" <<EOF
interface p-vps {
	AdvSendAdvert on;
	MinRtrAdvInterval 3;
	MaxRtrAdvInterval 4;
	AdvDefaultLifetime $RA_LIFETIME;
	prefix 2001:db8:0:1::/64 { AdvOnLink on; AdvAutonomous on; };
};
EOF
sed 's/^/# /' "$DIR/radvd.conf"
run ip netns exec "$PROV" radvd -C "$DIR/radvd.conf" -p "$DIR/radvd.pid" \
	-m logfile -l "$DIR/radvd.log" || ktap_exit_fail_msg "radvd"

# vps_default: the VPS's IPv6 default route(s)
vps_default()
{
	ip -n "$(ns vps)" -6 route show default
}
for i in $(seq 1 30); do
	vps_default | grep -q "proto ra" && ip -n "$(ns vps)" -6 addr show dev eth0 |
		grep -q "2001:db8:0:1:.* scope global" && break
	sleep 1
done
capture vps_default
ktap_expect "vps learned its default route from the provider's RA" \
	text_has "$out" "^default via fe80::.* dev eth0 proto ra"
# The provider routes the home prefixes (a /48 here) to the VPS.
VPS_LL=$(ip -n "$(ns vps)" -6 addr show dev eth0 scope link | awk '/inet6/ { sub("/.*", "", $2); print $2 }')
run ip -n "$PROV" -6 route add 2001:db8:1::/48 via "$VPS_LL" dev p-vps ||
	ktap_exit_fail_msg "prov: route to the VPS"

# ---- the mesh: LANs, keys, topology ----
run ip -n "$(ns home)" link add lan0 type dummy
run ip -n "$(ns home)" addr add "$HOME6/64" dev lan0 nodad
run ip -n "$(ns home)" link set lan0 up
run ip -n "$(ns np)" link add lan0 type dummy
run ip -n "$(ns np)" addr add "$NP6/64" dev lan0 nodad
run ip -n "$(ns np)" link set lan0 up
for m in "${MACHINES[@]}"; do
	underlay_key "$m"
done
cat > "$TOPO" <<EOF
[Mesh]
Name = $MESH
MTU = 1400

[Controller vps]
Endpoint = 10.88.1.2:51820
PublicKey = ${PUB[vps]}
Exit = yes

[Peer home]
PublicKey = ${PUB[home]}
Subnets = 2001:db8:1:1::/64
Exit = vps

[Peer np]
PublicKey = ${PUB[np]}
Subnets = 2001:db8:1:2::/64
EOF
sed 's/^/# /' "$TOPO"
capture wgmesh check "$TOPO"
ktap_expect "check: an IPv6-only mesh with an exit is valid" [ "$rc" = 0 ]
load_wgmesh || ktap_exit_fail_msg "loading wgmesh.ko"

mesh6()	# mesh6 MACHINE: its first mesh IPv6 address
{
	wgmesh addresses "$TOPO" | awk -v m="$1" '$1 == m && $4 ~ /^fd/ { print $4; exit }'
}
dev_stat()	# dev_stat KEY: a device counter of the VPS's wgmesh.ko
{
	nx vps wgmesh status --json "$IF" | grep -o "\"$1\": [0-9]*" | head -1 | grep -o '[0-9]*$'
}
# state M: what up owns on M, for before/after comparisons
state()
{
	local nsn
	nsn=$(ns "$1")
	ip -n "$nsn" link show | grep -o '^[0-9]*: [^:]*'
	ip -n "$nsn" route show proto 87
	ip -n "$nsn" -6 route show proto 87
	ip netns exec "$nsn" nft list ruleset 2>/dev/null
	ip netns exec "$nsn" sysctl -n net.ipv4.ip_forward net.ipv6.conf.all.forwarding
}
declare -A BEFORE=()
for m in "${MACHINES[@]}"; do
	BEFORE[$m]=$(state "$m")
done

# ---- up ----
capture up vps
ktap_expect "up on vps: applied (exit 0), no forwarding sysctl touched" \
	eval '[ "$rc" = 0 ] && ! text_has "$out" forward'
capture up home
ktap_expect "up on home: applied, the IPv6 default from its /64 into the mesh" \
	eval '[ "$rc" = 0 ] && text_has "$out" "^v6: exit: IPv6 default routes from its global prefixes +1 -0"'
capture up np
ktap_expect "up on np: applied (exit 0)" [ "$rc" = 0 ]
capture ip -n "$(ns home)" -6 route show proto 87
ktap_expect "home: default from 2001:db8:1:1::/64 through the mesh, nothing else by default" \
	eval 'text_has "$out" "^default from 2001:db8:1:1::/64 dev $IF" &&
	      ! text_has "$out" "^default dev" "^::/1"'
capture nx home wg show "$IF" allowed-ips
ktap_expect "home: vps's entry carries ::/0 (replies come from anywhere)" \
	text_has "$out" "${PUB[vps]}.*::/0"
capture ip -n "$(ns np)" -6 route show proto 87
ktap_expect "np (no exit): no default route from its prefix" \
	eval '! text_has "$out" "^default"'
ktap_expect "vps: IPv6 forwarding 0, accept_ra 1" \
	eval '[ "$(nx vps sysctl -n net.ipv6.conf.all.forwarding)" = 0 ] &&
	      [ "$(nx vps sysctl -n net.ipv6.conf.eth0.forwarding)" = 0 ] &&
	      [ "$(nx vps sysctl -n net.ipv6.conf.eth0.accept_ra)" = 1 ]'
T0=$(date +%s)

# ---- traffic ----
# ping_retry SRC ARGS...: up to 5 tries (first packets wait for handshakes)
ping_retry()
{
	local s=$1 i
	shift
	for i in 1 2 3 4 5; do
		nx "$s" ping -c 1 -W 2 "$@" >/dev/null 2>&1 && return 0
	done
	return 1
}
ping_retry home "$(mesh6 vps)"
ping_retry np "$(mesh6 vps)"
tx0=$(dev_stat exit_tx_packets)
rx0=$(dev_stat exit_rx_packets)
check_ping "home reaches the internet host from its global address" home "$INET" \
	-I "$HOME6" -c 3 -i 0.2 -w 5
check_delta "vps's wgmesh.ko routed home's echoes out (exit_tx)" "$tx0" "$(dev_stat exit_tx_packets)" -ge 3
check_delta "and brought the replies in (exit_rx)" "$rx0" "$(dev_stat exit_rx_packets)" -ge 3
rx0=$(dev_stat exit_rx_packets)
check_ping "the internet host reaches home's global address" inet "$HOME6"
check_delta "through vps's wgmesh.ko (exit_rx)" "$rx0" "$(dev_stat exit_rx_packets)" -ge 3
capture nx inet ping -c 1 -W 3 "$HOME6"
ktap_expect "home's reply reaches inet from home's address, hop limit 64 - 1 at the VPS (home's 64 lost one more at prov)" \
	text_has "$out" "from $HOME6: .*ttl=62"
h0=$(dev_stat drop_hoplimit)
capture nx home ping -c 1 -W 3 -t 1 -I "$HOME6" "$INET"
ktap_expect "a hop limit of 1 gets Time Exceeded from the VPS" \
	text_has "$out" "Time exceeded"
check_delta "counted (hoplimit)" "$h0" "$(dev_stat drop_hoplimit)" -ge 1

# np routes the internet host into the mesh by hand (a wg-quick user with
# ::/0): the VPS drops it, counted, and it never leaves.
np_ips=$(nx np wg show "$IF" allowed-ips | awk -v k="${PUB[vps]}" '$1 == k { $1 = ""; print }' | tr -s ' ' ',' | sed 's/^,//')
run nx np wg set "$IF" peer "${PUB[vps]}" allowed-ips "$np_ips,$INET/128"
run ip -n "$(ns np)" -6 route add "$INET/128" dev "$IF"
d0=$(dev_stat drop_outside)
tx0=$(dev_stat exit_tx_packets)
check_ping_lost "np (no exit) does not reach the internet host from its prefix" np "$INET" \
	-I "$NP6" -c 2 -i 0.2 -W 1
check_delta "vps dropped np's packets as outside" "$d0" "$(dev_stat drop_outside)" -ge 2
run ip -n "$(ns np)" -6 route del "$INET/128" dev "$IF"
capture up np
ktap_expect "up on np puts its AllowedIPs back" text_has "$out" "peers +0 ~1 -0"
# home from its mesh address (not its prefix): outside too.
run ip -n "$(ns home)" -6 route add "$INET/128" dev "$IF"
d0=$(dev_stat drop_outside)
check_ping_lost "home does not reach the internet host from its mesh address" home "$INET" \
	-I "$(mesh6 home)" -c 2 -i 0.2 -W 1
check_delta "vps dropped it as outside" "$d0" "$(dev_stat drop_outside)" -ge 2
check_delta "and routed none of it out" "$tx0" "$(dev_stat exit_tx_packets)" -eq 0
run ip -n "$(ns home)" -6 route del "$INET/128" dev "$IF"
# The provider routes np's prefix to the VPS as well: not an exit user's.
rx0=$(dev_stat exit_rx_packets)
check_ping_lost "the internet host cannot reach np's prefix through the VPS" inet "$NP6"
check_delta "vps's wgmesh.ko brought none of it in" "$rx0" "$(dev_stat exit_rx_packets)" -eq 0

# ---- idempotence ----
for m in "${MACHINES[@]}"; do
	s=$(state "$m")
	capture up "$m"
	ktap_expect "up on $m again changes nothing" \
		eval 'text_has "$out" "peers +0 ~0 -0, addresses +0 -0, routes +0 -0" &&
		      ! text_has "$out" "exit:" && [ "$s" = "$(state "$m")" ]'
done

# ---- Table moves home's IPv6 defaults from its prefix, and back ----
# from6 TABLE: home's default routes from its prefix in TABLE
from6()
{
	ip -n "$(ns home)" -6 route show table "$1" proto 87 | grep "^default from 2001:db8:1:1::/64 "
}
sed -i '/^\[Peer home\]$/a Table = 100' "$TOPO"
capture up home
ktap_expect "home, Table = 100: its default from its prefix moved from main into table 100" \
	eval '[ -n "$(from6 100)" ] && [ -z "$(from6 main)" ]'
check_ping "... and home reaches the internet host from its global address by table 100" \
	home "$INET" -I "$HOME6" -c 3 -i 0.2 -w 5
sed -i '/^Table = 100$/d' "$TOPO"
capture up home
ktap_expect "home, Table removed: that route is back in main, table 100 has none" \
	eval '[ -n "$(from6 main)" ] && [ -z "$(from6 100)" ]'
check_ping "... and home reaches the internet host by main" \
	home "$INET" -I "$HOME6" -c 3 -i 0.2 -w 5

# ---- down, up again ----
for m in "${MACHINES[@]}"; do
	run nx "$m" wgmesh down "$TOPO" >/dev/null
done
for m in "${MACHINES[@]}"; do
	ktap_expect "$m: after down, as before up (links, routes, nftables, forwarding)" \
		[ "${BEFORE[$m]}" = "$(state "$m")" ]
done
for m in "${MACHINES[@]}"; do
	up "$m" >/dev/null || ktap_test_fail "up on $m again"
done
ping_retry home "$(mesh6 vps)"
check_ping "up again: home reaches the internet host from its global address" home "$INET" \
	-I "$HOME6" -c 3 -i 0.2 -w 5

# ---- the VPS kept its router advertisements ----
# Outlive the advertised lifetime twice over since up, so that only
# advertisements honoured all along explain the route.
while [ $(($(date +%s) - T0)) -lt $((2 * RA_LIFETIME + 2)) ]; do
	sleep 1
done
capture vps_default
ktap_expect "vps's RA-learned default route survived the whole test ($(($(date +%s) - T0)) s, lifetime $RA_LIFETIME s)" \
	text_has "$out" "^default via fe80::.* dev eth0 proto ra"
ktap_expect "vps: net.ipv6.conf.all.forwarding is still 0" \
	[ "$(nx vps sysctl -n net.ipv6.conf.all.forwarding)" = 0 ]

# ---- the control: forwarding on, as done by hand ----
run nx vps sysctl -qw net.ipv6.conf.all.forwarding=1
capture vps_default
ktap_expect "control: all.forwarding=1 on vps drops its RA default route at once" \
	eval '! text_has "$out" "proto ra"'
sleep $((RA_LIFETIME))
capture vps_default
ktap_expect "control: the advertisements of the next $RA_LIFETIME s (accept_ra=1) are ignored" \
	eval '! text_has "$out" "proto ra"'
run nx vps sysctl -qw net.ipv6.conf.all.forwarding=0

check_dmesg_clean
ktap_finished
