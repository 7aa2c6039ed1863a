#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Changing a running mesh with "wgmesh up" (issue 5, item 9), on the
# clan-core scenario of selftests/lib/clan.sh:
#   - a policy change applied by re-running up takes effect (a denied pair
#     is dropped by the controller's policy) while allowed flows keep
#     flowing (continuous pings lose nothing) and unchanged WireGuard peers
#     keep their sessions (latest handshake unchanged, "peers +0 ~0 -0");
#   - a peer removed from the file can no longer reach anyone;
#   - "wgmesh down" (by file and by interface) leaves no interface, no
#     module attachment (wgmesh.ko unloads cleanly afterwards) and no hosts
#     block;
#   - a controller with 300 peers: WireGuard messages split and dumps
#     coalesced correctly (re-run is a no-op, removing one removes one);
#     one peer with 150 AllowedIPs continued over several messages;
#   - last, a policy change while a FORWARDED flow runs loses nothing.
#
# wgmesh-timeout: 420

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/lib/ktap.sh"
. "$here/lib/clan.sh"

clan_init

ktap_print_header
ktap_set_plan 24

POLICY=("" "[Policy]" "Default = deny" "Allow = infra <-> lab" "Allow = infra <-> office" "Allow = lab <-> lab")
CLAN_GROUPS_ctrl1=infra
CLAN_GROUPS_ctrl2=infra
CLAN_GROUPS_peer1=lab
CLAN_GROUPS_peer3=lab
CLAN_GROUPS_peer2=office
export CLAN_GROUPS_ctrl1 CLAN_GROUPS_ctrl2 CLAN_GROUPS_peer1 CLAN_GROUPS_peer2 CLAN_GROUPS_peer3

clan_setup

# handshakes IFACE_NS: "pubkey epoch" lines of a machine's WireGuard peers
handshakes()
{
	ip netns exec "clan-$1" wg show "$CLAN_IF" latest-handshakes | sort
}

# stat_of MACHINE COUNTER: a device counter of MACHINE's wgmesh.ko
stat_of()
{
	ip netns exec "clan-$1" wgmesh status "$CLAN_IF" --json | tr -d ' \n' |
		grep -o "\"module\":{[^}]*" | grep -o "\"$2\":[0-9]*" | grep -o '[0-9]*$'
}

# loss LOGFILE: the packet loss percentage ping printed
loss()
{
	grep -o '[0-9.]*% packet loss' "$1" | grep -o '^[0-9.]*'
}

clan_handshakes
hs1=$(handshakes ctrl1)
hs2=$(handshakes ctrl2)
echo "$hs1" | sed 's/^/# ctrl1 handshakes: /'

# Policy change, with allowed flows running: peer1 -> ctrl1 (lab -> infra)
# and ctrl1 -> ctrl2 (infra <-> infra).
ip netns exec clan-peer1 ping -6 -i 0.2 -c 25 -W 1 "ctrl1.$CLAN_MESH" > /tmp/ping1.log 2>&1 &
ping1=$!
ip netns exec clan-ctrl1 ping -6 -i 0.2 -c 25 -W 1 "ctrl2.$CLAN_MESH" > /tmp/ping2.log 2>&1 &
ping2=$!
sleep 1
clan_topology "${POLICY[@]}"
sed 's/^/# /' "$CLAN_TOPO" | grep -v PublicKey
outs=
for m in "${CLAN_MACHINES[@]}"; do
	out=$(clan_up "$m")
	echo "# $out"
	outs+="$out"$'\n'
done
wait $ping1
wait $ping2
# only_pushed: every machine unchanged in WireGuard, both controllers pushed
only_pushed()
{
	[ "$(grep -c 'peers +0 ~0 -0, addresses +0 -0, routes +0 -0' <<< "$outs")" = 5 ] &&
		[ "$(grep -c 'topology pushed' <<< "$outs")" = 2 ]
}
ktap_expect "policy change: pushed to both controllers, nothing changed in WireGuard" only_pushed
l1=$(loss /tmp/ping1.log)
l2=$(loss /tmp/ping2.log)
tail -2 /tmp/ping1.log | sed 's/^/# /'
ktap_expect "allowed flow peer1 -> ctrl1 lost nothing during the re-run" [ "$l1%" = 0% ]
ktap_expect "allowed flow ctrl1 -> ctrl2 lost nothing during the re-run" [ "$l2%" = 0% ]
ktap_expect "ctrl1: every peer kept its handshake" [ "$(handshakes ctrl1)" = "$hs1" ]
ktap_expect "ctrl2: every peer kept its handshake" [ "$(handshakes ctrl2)" = "$hs2" ]

# The new policy holds: office (peer2) may not reach lab (peer1); ctrl1,
# which owns peer1's address, drops it for policy.
before=$(stat_of ctrl1 drop_policy)
ktap_expect "denied pair peer2 -> peer1 is dropped" ! clan_ping peer2 peer1
check_delta "ctrl1 counted the drop as policy" "$before" "$(stat_of ctrl1 drop_policy)" -gt 0

# peer3 leaves the file; everyone else re-runs up, peer3 keeps its config.
CLAN_SKIP_PEER=peer3 clan_topology "${POLICY[@]}"
out=$(clan_up ctrl1)
echo "# $out"
for m in ctrl2 peer1 peer2; do clan_up "$m" >/dev/null; done
ktap_expect "up on ctrl1 removes exactly one peer" text_has "$out" 'peers +0 ~0 -1,'
# peer_of CTRL PEER: PEER's key is one of CTRL's WireGuard peers
peer_of()
{
	ip netns exec "$(ns "$1")" wg show "$CLAN_IF" peers | grep -qF "${CLAN_PUB[$2]}"
}
gone() { ! peer_of ctrl1 peer3 && ! peer_of ctrl2 peer3; }
ktap_expect "peer3's key is gone from both controllers" gone
# peer3_reaches NAME: peer3 pings NAME by name (its own hosts file still
# names everyone)
peer3_reaches()
{
	nx peer3 ping -6 -c 2 -i 0.3 -W 1 "$1.$CLAN_MESH" >/dev/null 2>&1
}
for d in ctrl1 ctrl2 peer1 peer2; do
	ktap_expect "removed peer3 cannot reach $d" ! peer3_reaches "$d"
done

# down refuses to delete anything that is not a WireGuard device.
err=$(ip netns exec clan-peer1 wgmesh down eth0 2>&1)
rc=$?
echo "# $err"
eth0_kept() { [ $rc = 1 ] && ip -n clan-peer1 link show eth0 >/dev/null 2>&1; }
ktap_expect "down eth0 is refused (not WireGuard), eth0 kept" eth0_kept

# down by file and by interface name; nothing may remain.
out=$(nx ctrl1 wgmesh status)
run ip netns exec clan-ctrl1 wgmesh down "$CLAN_TOPO"
run ip netns exec clan-ctrl2 wgmesh down "$CLAN_IF"
for m in peer1 peer2 peer3; do run ip netns exec "clan-$m" wgmesh down "$CLAN_TOPO"; done
left=
for m in "${CLAN_MACHINES[@]}"; do
	ip -n "clan-$m" link show "$CLAN_IF" >/dev/null 2>&1 && left+=" $m"
	[ -n "$(ip netns exec "clan-$m" wgmesh status 2>&1)" ] && left+=" $m(status)"
done
ktap_expect "down leaves no interface anywhere" [ -z "$left" ]
blocks=$(cat /etc/netns/clan-*/hosts | grep -c '^# BEGIN wgmesh')
ktap_expect "down removed every hosts block" [ "$blocks" = 0 ]
ktap_test_result "wgmesh.ko unloads after down (nothing attached)" rmmod wgmesh
err=$(ip netns exec clan-ctrl1 wgmesh down "$CLAN_IF" 2>&1)
rc=$?
echo "# $err"
ktap_expect "down of a missing interface: exit 1, one line" \
	[ "$rc $(wc -l <<< "$err")" = "1 1" ]

# A controller with 300 peers: many SET_DEVICE messages, a multi-part dump.
run ip netns add clan-big
big=$CLAN_DIR/big.conf
run wgmesh genkey "$CLAN_DIR/big.key" >/dev/null
{
	printf '[Mesh]\nName = big\n\n[Controller c]\nEndpoint = 127.0.0.1\nPublicKey = %s\n' \
		"$(wgmesh pubkey < "$CLAN_DIR/big.key")"
	# Distinct valid keys without a process each: 40 digits + "AAA=".
	for ((i = 1; i <= 300; i++)); do
		printf '\n[Peer p%d]\nPublicKey = %040dAAA=\n' "$i" "$i"
	done
} > "$big"
load_wgmesh
out=$(run ip netns exec clan-big wgmesh up "$big" --private-key-file "$CLAN_DIR/big.key")
echo "# $out"
n=$(ip netns exec clan-big wg show big allowed-ips | grep -c '/96')
ktap_expect "300 peers set, each with its /96" [ "$n" = 300 ]
out=$(run ip netns exec clan-big wgmesh up "$big" --private-key-file "$CLAN_DIR/big.key")
echo "# $out"
ktap_expect "300 peers: re-run changes nothing (dump read whole)" text_has "$out" 'peers +0 ~0 -0'
sed -i '/^\[Peer p150\]$/,+1d' "$big"
out=$(run ip netns exec clan-big wgmesh up "$big" --private-key-file "$CLAN_DIR/big.key")
echo "# $out"
n=$(ip netns exec clan-big wg show big peers | wc -l)
removed_one() { text_has "$out" 'peers +0 ~0 -1' && [ "$n" = 299 ]; }
ktap_expect "300 peers: dropping one from the file removes just that one" removed_one

# 150 controllers: on c1 the one peer has 150 /96s, more than one netlink
# message holds, so it is continued over several SET_DEVICE messages and
# comes back split over several dump messages.
wide=$CLAN_DIR/wide.conf
{
	printf '[Mesh]\nName = wide\nPort = 51900\n\n[Controller c1]\nEndpoint = 127.0.0.1\nPublicKey = %s\n' \
		"$(wgmesh pubkey < "$CLAN_DIR/big.key")"
	for ((i = 2; i <= 150; i++)); do
		printf '\n[Controller c%d]\nEndpoint = 127.0.0.1:%d\nPublicKey = %040dAAA=\n' \
			"$i" $((20000 + i)) "$i"
	done
	printf '\n[Peer p]\nController = c1\nPublicKey = %040dAAE=\n' 1
} > "$wide"
out=$(run ip netns exec clan-big wgmesh up "$wide" --private-key-file "$CLAN_DIR/big.key")
echo "# $out"
n=$(ip netns exec clan-big wg show wide allowed-ips | grep "^$(printf '%040dAAE=' 1)" | wc -w)
ktap_expect "a peer with 150 /96s: all set (continued over messages)" [ "$((n - 1))" = 150 ]
out=$(run ip netns exec clan-big wgmesh up "$wide" --private-key-file "$CLAN_DIR/big.key")
echo "# $out"
ktap_expect "a peer with 150 /96s: re-run changes nothing (split dump coalesced)" \
	text_has "$out" 'peers +0 ~0 -0'
ip netns del clan-big

# Last: a forwarded allowed flow (peer1 -> peer3 through ctrl1, lab <-> lab)
# while the policy changes again (office now also talks to lab). down took
# the hosts blocks away: install them again.
clan_topology "${POLICY[@]}"
for m in "${CLAN_MACHINES[@]}"; do clan_up "$m" >/dev/null && clan_hosts "$m" >/dev/null; done
clan_ping_retry peer3 ctrl1
clan_ping_retry peer1 peer3
ip netns exec clan-peer1 ping -6 -i 0.2 -c 20 -W 1 "peer3.$CLAN_MESH" > /tmp/ping3.log 2>&1 &
ping3=$!
sleep 1
clan_topology "${POLICY[@]}" "Allow = office <-> lab"
for m in "${CLAN_MACHINES[@]}"; do clan_up "$m" >/dev/null; done
wait $ping3
l3=$(loss /tmp/ping3.log)
tail -2 /tmp/ping3.log | sed 's/^/# /'
ktap_expect "forwarded flow peer1 -> peer3 lost nothing during a policy change" [ "$l3%" = 0% ]

ktap_finished
