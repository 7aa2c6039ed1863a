#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Exit gateways, the "proxies" scenario of issue 12: two gateways carry
# the IPv4 of chosen clients to the internet, masqueraded to their uplink
# address; the clients are isolated from each other. Every machine is a
# network namespace configured only by "wgmesh up" with one topology file:
#
#   gwa, gwb       controllers with Exit = yes, uplink eth0 (10.88.N.2)
#   cl1, cl2       peers homed at gwa with Exit = gwa, Isolated
#   cl3            peer homed at gwb with Exit = gwb, Isolated
#   np             peer homed at gwa without an exit
#   inet           the internet host 198.51.100.2, behind the underlay
#
#   cl1 ═╗                 ┌── inet (198.51.100.2)
#   cl2 ═╬═ gwa ── underlay┤
#   np  ═╝          (router)└── everyone's eth0 (10.88.N.0/24)
#   cl3 ═══ gwb ──┘                 (═ WireGuard over the underlay)
#
# Checks: each client reaches inet with its gateway's uplink address as
# source (counted by source on inet, none from the client's own address);
# clients cannot reach each other; np's packets to the internet are
# dropped and counted (outside) on gwa; the internet cannot open a
# connection to a client's mesh address through its gateway (crossing);
# ip_forward is enabled by up and restored by down, but never changed
# when the administrator had set it (gwb); a repeated up changes nothing
# (addresses, routes, nftables); down removes routes, host routes and the
# nftables table; up again restores them.
#
# wgmesh-timeout: 420

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/lib/ktap.sh"
NS_PREFIX=exit-
. "$here/lib/netns.sh"
. "$here/lib/checks.sh"
. "$here/lib/underlay.sh"

MESH=px
IF=px
DIR=/tmp/px
TOPO=$DIR/px.conf
GWS=(gwa gwb)
CLIENTS=(cl1 cl2 cl3)
MACHINES=(gwa gwb cl1 cl2 cl3 np)
declare -A NUM=([gwa]=1 [gwb]=2 [cl1]=3 [cl2]=4 [cl3]=5 [np]=6)
declare -A GW=([cl1]=gwa [cl2]=gwa [cl3]=gwb)
declare -A PUB=()
INET=198.51.100.2
UNDERLAY=$(ns underlay)

cleanup()
{
	ns_del_all
	rm -rf /run/wgmesh/ip_forward
}

ktap_need wgmesh ip wg ping nft
trap cleanup EXIT
ktap_print_header
ktap_set_plan 51

# ---- the machines: underlay, internet host, keys ----
underlay_init
for m in "${MACHINES[@]}"; do
	underlay_machine "$m" "${NUM[$m]}"
	underlay_key "$m"
done
srcs=()
for m in "${MACHINES[@]}"; do
	srcs+=("10.88.${NUM[$m]}.2")
done
underlay_inet "${srcs[@]}"

{
	printf '[Mesh]\nName = %s\nIPv4 = 10.128.0.0/16\nMTU = 1400\n' "$MESH"
	for g in "${GWS[@]}"; do
		printf '\n[Controller %s]\nEndpoint = 10.88.%s.2:51820\n' "$g" "${NUM[$g]}"
		printf 'PublicKey = %s\nExit = yes\n' "${PUB[$g]}"
	done
	for c in "${CLIENTS[@]}"; do
		printf '\n[Peer %s]\nPublicKey = %s\nController = %s\n' "$c" "${PUB[$c]}" "${GW[$c]}"
		printf 'Exit = %s\nIsolated = true\n' "${GW[$c]}"
	done
	printf '\n[Peer np]\nPublicKey = %s\nController = gwa\n' "${PUB[np]}"
} > "$TOPO"
sed 's/^/# /' "$TOPO"
capture wgmesh check "$TOPO"
ktap_expect "check: the proxies topology is valid" [ "$rc" = 0 ]
load_wgmesh || ktap_exit_fail_msg "loading wgmesh.ko"

dev_stat()	# dev_stat CTRL KEY: a device counter of CTRL's wgmesh.ko
{
	nx "$1" wgmesh status --json "$IF" | grep -o "\"$2\": [0-9]*" | head -1 | grep -o '[0-9]*$'
}
# state M: what up owns on M, for before/after comparisons
state()
{
	local nsn
	nsn=$(ns "$1")
	ip -n "$nsn" -4 route show table main
	ip -n "$nsn" addr show
	ip netns exec "$nsn" nft list ruleset
	ip netns exec "$nsn" sysctl -n net.ipv4.ip_forward
}

# The administrator of gwb forwards IPv4 already: wgmesh must leave it.
run nx gwb sysctl -qw net.ipv4.ip_forward=1
declare -A BEFORE=()
for m in "${MACHINES[@]}"; do
	BEFORE[$m]=$(state "$m")
done

# ---- up ----
capture up gwa
ktap_expect "up on gwa: applied (exit 0)" [ "$rc" = 0 ]
ktap_expect "up on gwa says it enabled net.ipv4.ip_forward" \
	text_has "$out" "^px: exit: net.ipv4.ip_forward enabled"
ktap_expect "up on gwa: exit for its 2 users out of eth0, in one firewall line" \
	text_has "$out" "^px: firewall: udp port 51820 opened, exit for 2 out of eth0 (table inet wgmesh)"
capture up gwb
ktap_expect "up on gwb: exit for its 1 user, ip_forward (already 1) not mentioned" \
	eval 'text_has "$out" "exit for 1 out of eth0" && ! text_has "$out" ip_forward'
for m in cl1 cl2 cl3 np; do
	capture up "$m"
	ktap_expect "up on $m: applied (exit 0)" [ "$rc" = 0 ]
done
ktap_expect "gwa: net.ipv4.ip_forward is 1" [ "$(nx gwa sysctl -n net.ipv4.ip_forward)" = 1 ]
capture nx gwa nft list table inet wgmesh
ktap_expect "gwa: masquerade of cl1 and cl2 (not np) out of eth0, forward wg -> eth0 only for them" \
	eval 'text_has "$out" "oifname \"eth0\" ip saddr $(v4 cl1) masquerade" \
		"oifname \"eth0\" ip saddr $(v4 cl2) masquerade" \
		"iifname \"px\" oifname \"eth0\" ip saddr $(v4 cl1) accept" \
		"iifname \"eth0\" oifname \"px\" ct state established,related accept" &&
	      ! text_has "$out" "$(v4 np)"'
capture ip -n "$(ns cl1)" -4 route show proto 87
ktap_expect "cl1: 0.0.0.0/1 and 128.0.0.0/1 into the mesh, host routes to both controllers' endpoints via its gateway" \
	text_has "$out" "^0.0.0.0/1 dev $IF" "^128.0.0.0/1 dev $IF" "^10.88.1.2 via 10.88.3.1 dev eth0" \
		"^10.88.2.2 via 10.88.3.1 dev eth0"
capture ip -n "$(ns cl1)" -4 route show default
ktap_expect "cl1: its own default route is untouched" text_has "$out" "^default via 10.88.3.1 dev eth0"
capture nx cl1 wg show "$IF" allowed-ips
ktap_expect "cl1: gwa's entry carries 0.0.0.0/0" text_has "$out" "${PUB[gwa]}.*0.0.0.0/0"
capture ip -n "$(ns np)" -4 route show proto 87
ktap_expect "np (no exit): no default halves, no host route" \
	eval '! text_has "$out" "0.0.0.0/1" "10.88.1.2"'

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
for c in "${CLIENTS[@]}"; do
	ping_retry "$c" "$(v4 "${GW[$c]}")"
done
l0=$(dev_stat gwa local_packets)
for c in "${CLIENTS[@]}"; do
	g=${GW[$c]}
	a0=$(inet_seen "10.88.${NUM[$g]}.2")
	o0=$(inet_seen "10.88.${NUM[$c]}.2")
	check_ping "$c reaches the internet host through $g" "$c" "$INET"
	check_delta "inet saw $c's echoes from $g's uplink address 10.88.${NUM[$g]}.2" \
		"$a0" "$(inet_seen "10.88.${NUM[$g]}.2")" -ge 3
	check_delta "inet saw none from $c's own address" "$o0" "$(inet_seen "10.88.${NUM[$c]}.2")" -eq 0
done
check_delta "gwa handed cl1's and cl2's exit traffic to its stack (local)" "$l0" "$(dev_stat gwa local_packets)" -ge 6
i0=$(dev_stat gwa drop_isolated)
check_ping_lost "cl1 cannot reach cl2 (isolated)" cl1 "$(v4 cl2)"
check_delta "gwa counted it as isolated" "$i0" "$(dev_stat gwa drop_isolated)" -ge 2
check_ping_lost "cl1 cannot reach cl3 (isolated, via gwa and gwb)" cl1 "$(v4 cl3)"

# np routes the internet host into the mesh by hand (a wg-quick user with
# AllowedIPs = 0.0.0.0/0): gwa drops it, counted, and it never leaves.
run nx np wg set "$IF" peer "${PUB[gwa]}" allowed-ips "10.128.0.0/16,$INET/32"
run ip -n "$(ns np)" route add "$INET/32" dev "$IF"
ping_retry np "$(v4 gwa)"
d0=$(dev_stat gwa drop_outside)
s0=$(inet_seen all)
check_ping_lost "np (no exit) does not reach the internet host through gwa" np "$INET"
check_delta "gwa dropped np's packets as outside the mesh" "$d0" "$(dev_stat gwa drop_outside)" -ge 2
check_delta "inet got none of them" "$s0" "$(inet_seen all)" -eq 0
run ip -n "$(ns np)" route del "$INET/32" dev "$IF"
capture up np
ktap_expect "up on np puts its AllowedIPs back" text_has "$out" "peers +0 ~1 -0"

# The outside cannot open a connection into the mesh through an exit: the
# underlay routes the mesh range to gwa's uplink, inet pings cl1's mesh
# address; wgmesh.ko on gwa lets only replies in (crossing otherwise).
run ip -n "$UNDERLAY" route add 10.128.0.0/16 via 10.88.1.2
x0=$(dev_stat gwa drop_crossing)
check_ping_lost "inet cannot reach cl1's mesh address through gwa" inet "$(v4 cl1)"
check_delta "gwa's wgmesh.ko dropped it (crossing)" "$x0" "$(dev_stat gwa drop_crossing)" -ge 2
run ip -n "$UNDERLAY" route del 10.128.0.0/16 via 10.88.1.2

# ---- idempotence ----
for m in "${MACHINES[@]}"; do
	s=$(state "$m")
	capture up "$m"
	ktap_expect "up on $m again changes nothing (interface, routes, nftables, ip_forward)" \
		eval 'text_has "$out" "peers +0 ~0 -0, addresses +0 -0, routes +0 -0" &&
		      ! text_has "$out" "firewall:" "exit:" && [ "$s" = "$(state "$m")" ]'
done

# ---- down, up again ----
for m in "${MACHINES[@]}"; do
	capture nx "$m" wgmesh down "$TOPO"
	[ "$m" = gwa ] && ktap_expect "down on gwa says it set ip_forward back" \
		text_has "$out" "net.ipv4.ip_forward set back to 0"
	[ "$m" = cl1 ] && ktap_expect "down on cl1 removes its host routes to both endpoints" \
		text_has "$out" "exit: 2 host routes to controllers' endpoints removed"
done
for m in "${MACHINES[@]}"; do
	ktap_expect "$m: after down, as before up (routes, addresses, nftables, ip_forward)" \
		[ "${BEFORE[$m]}" = "$(state "$m")" ]
done
for m in "${MACHINES[@]}"; do
	up "$m" >/dev/null || ktap_test_fail "up on $m again"
done
ping_retry cl1 "$(v4 gwa)"
a0=$(inet_seen 10.88.1.2)
check_ping "up again: cl1 reaches the internet host through gwa" cl1 "$INET"
check_delta "inet saw it from gwa's uplink address" "$a0" "$(inet_seen 10.88.1.2)" -ge 3

check_dmesg_clean
ktap_finished
