#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The clan-core scenario (issue 5, item 8): five machines, each in its own
# network namespace, configured only by "wgmesh up" with one topology file
# and their own key file; hosts by "wgmesh hosts --install". Checks that
# every ordered pair pings by name, that controllers forward with global
# forwarding off, that each machine's WireGuard configuration is exactly
# its role's (compared with "wgmesh conf", an independent code path), that
# "up" is idempotent, refuses readable keys and leaves nothing behind when
# it fails, and that "wgmesh status" shows the forwarded counters rise.
# See selftests/lib/clan.sh for the topology diagram.

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/lib/ktap.sh"
. "$here/lib/clan.sh"

clan_init

ktap_print_header
ktap_set_plan 54

# refused LINES PATTERN...: the last capture exited 1 with LINES lines of
# error (any number for "-"), matching every PATTERN
refused()
{
	local lines=$1 p
	shift
	[ "$rc" = 1 ] || return 1
	[ "$lines" = - ] || [ "$(wc -l <<< "$out")" = "$lines" ] || return 1
	for p in "$@"; do
		grep -q -- "$p" <<< "$out" || return 1
	done
}

# ends_with TEXT SUFFIX
ends_with()
{
	[[ $1 == *"$2" ]]
}

clan_setup

# a second "up" with the same file changes nothing.
for m in "${CLAN_MACHINES[@]}"; do
	out=$(clan_up "$m")
	echo "# $out"
	want="peers +0 ~0 -0, addresses +0 -0, routes +0 -0"
	[[ $m == ctrl* ]] && want+=", topology unchanged"
	ktap_expect "up on $m again changes nothing" ends_with "$out" "$want"
done

# hosts_kept FILE: the hosts block is there, the rest of the file is kept
hosts_kept()
{
	grep -qx 'fd77:1::2 ctrl1.underlay' "$1" &&
	grep -qx "# BEGIN wgmesh $CLAN_MESH" "$1" &&
	[ "$(sed -n "/^# BEGIN wgmesh/,/^# END wgmesh/p" "$1" | sed '1d;$d')" = \
	  "$(wgmesh hosts "$CLAN_TOPO")" ] && return 0
	sed 's/^/# /' "$1"
	return 1
}
for m in "${CLAN_MACHINES[@]}"; do
	ktap_expect "hosts --install on $m: block matches 'wgmesh hosts', rest kept" \
		hosts_kept "/etc/netns/$(ns "$m")/hosts"
done

# controllers forward without global IPv6 forwarding.
for c in "${CLAN_CTRLS[@]}"; do
	fw=$(nx "$c" cat /proc/sys/net/ipv6/conf/all/forwarding /proc/sys/net/ipv6/conf/$CLAN_IF/forwarding | tr -d '\n')
	ktap_expect "$c: net.ipv6.conf.{all,$CLAN_IF}.forwarding stay 0" [ "$fw" = "00" ]
done

# normalize: WireGuard config text -> one sorted line per fact: the listen
# port, each peer's keepalive and each of its allowed IPs (Endpoint and the
# private key are compared separately). Plain POSIX awk (busybox in the VM).
normalize()
{
	awk '
	/^\[Peer\]/ { pk = ""; next }
	/^ListenPort/ { print "listen", $3 }
	/^PublicKey/ { pk = $3 }
	/^PersistentKeepalive/ { print "peer", pk, "keepalive", $3 }
	/^AllowedIPs/ { sub(/^AllowedIPs *= */, ""); n = split($0, a, /, */);
		for (i = 1; i <= n; i++) print "peer", pk, "allowed", a[i] }' | sort
}

# role_config MACHINE: its WireGuard configuration is exactly its role's
# (wgmesh conf, an independent code path), its private key its file's
role_config()
{
	local m=$1 want got
	want=$(wgmesh conf "$CLAN_TOPO" "$m" --private-key-file "$CLAN_DIR/$m.key" | normalize)
	got=$(nx "$m" wg showconf "$CLAN_IF" | normalize)
	# Peers listen on a random port: only controllers have one to check.
	grep -q '^listen' <<< "$want" || got=$(grep -v '^listen' <<< "$got")
	if [ "$want" != "$got" ] || ! grep -q allowed <<< "$want"; then
		echo "$want" | sed 's/^/# want: /'
		echo "$got" | sed 's/^/# got:  /'
		return 1
	fi
	# Compared without ever printing the key.
	[ "$(nx "$m" wg show "$CLAN_IF" private-key)" = "$(cat "$CLAN_DIR/$m.key")" ] ||
		{ ktap_print_msg "$m: wrong private key"; return 1; }
}
for m in "${CLAN_MACHINES[@]}"; do
	ktap_expect "$m: wg showconf matches its role (wgmesh conf)" role_config "$m"
done

# resolved PEER: PEER reaches the controllers at the configured (resolved)
# endpoints, with the mesh's MTU
resolved()
{
	local eps
	eps=$(nx "$1" wg show "$CLAN_IF" endpoints)
	echo "$eps" | sed 's/^/# /'
	text_has "$eps" "^${CLAN_PUB[ctrl1]}	\[fd77:1::2\]:51820$" \
		"^${CLAN_PUB[ctrl2]}	\[fd77:2::2\]:51820$" &&
	[ "$(ip -n "$(ns "$1")" -o link show "$CLAN_IF" | grep -o 'mtu [0-9]*')" = "mtu $CLAN_MTU" ]
}
for p in "${CLAN_PEERS[@]}"; do
	ktap_expect "$p: endpoints ctrl1.underlay -> [fd77:1::2]:51820, [fd77:2::2]:51820; MTU $CLAN_MTU" \
		resolved "$p"
done

# a key file readable by others is refused, naming file and mode.
cp -p "$CLAN_DIR/peer1.key" "$CLAN_DIR/open.key"
chmod 0644 "$CLAN_DIR/open.key"
capture ip netns exec clan-peer1 wgmesh up "$CLAN_TOPO" --private-key-file "$CLAN_DIR/open.key"
# refused_unread: refused, naming the file and its mode, key not shown
refused_unread()
{
	refused - open.key 644 && ! grep -qF "$(cat "$CLAN_DIR/peer1.key")" <<< "$out"
}
ktap_expect "up refuses a 0644 key file, naming it and its mode" refused_unread
chmod 0600 "$CLAN_DIR/open.key"
capture ip netns exec clan-peer1 wgmesh up "$CLAN_TOPO" --name peer2 --private-key-file "$CLAN_DIR/open.key"
ktap_expect "up --name with another machine's key is refused" refused - peer2

# a first "up" that fails leaves no interface behind. A second
# machine "ctrl1" in a fresh namespace whose port 51820 is already taken
# by another WireGuard device: bringing the new link up fails.
run ip netns add clan-fail
run ip -n clan-fail link add wgx type wireguard
run ip netns exec clan-fail wg set wgx listen-port 51820
run ip -n clan-fail link set wgx up
capture ip netns exec clan-fail wgmesh up "$CLAN_TOPO" --private-key-file "$CLAN_DIR/ctrl1.key"
ktap_expect "failed up: exit 1 and one error line naming the device" refused 1 "$CLAN_IF"
no_link() { ! ip -n clan-fail link show "$CLAN_IF" >/dev/null 2>&1; }
ktap_expect "failed first up deleted the interface it created" no_link
ip netns del clan-fail

# unknown machine: one line, exit 1.
capture ip netns exec clan-peer1 wgmesh up "$CLAN_TOPO" --name nobody --private-key-file "$CLAN_DIR/peer1.key"
ktap_expect "up --name of an unknown machine: one error line" refused 1 nobody
# An unresolvable endpoint is not fatal: everything else is applied, the
# endpoint already set stays, one warning, exit 3 (test_mesh_cli.sh has more).
sed 's/^Endpoint = \[fd77:2::2\]:51820$/Endpoint = nowhere.invalid/' "$CLAN_TOPO" > "$CLAN_DIR/bad.conf"
capture ip netns exec clan-peer2 wgmesh up "$CLAN_DIR/bad.conf" --private-key-file "$CLAN_DIR/peer2.key"
# partly_applied: exit 3, a warning naming ctrl2 and the name; ctrl2's
# endpoint as it was
partly_applied()
{
	[ "$rc" = 3 ] && grep -q "^wgmesh: warning: controller ctrl2: cannot resolve nowhere.invalid (.*): endpoint stays \[fd77:2::2\]:51820$" <<< "$out" &&
	nx peer2 wg show "$CLAN_IF" endpoints | grep -qF "${CLAN_PUB[ctrl2]}	[fd77:2::2]:51820"
}
ktap_expect "unresolvable endpoint: exit 3, a warning naming it, endpoint kept" partly_applied

# status before any forwarding: members, roles and the module attachment.
# status_ctrl1: JSON status on ctrl1 shows it, 4 members and the module
status_ctrl1()
{
	local out
	out=$(nx ctrl1 wgmesh status --file "$CLAN_TOPO" --json)
	echo "$out" | sed 's/^/# /'
	[ "$(grep -c '"role": "\(peer\|controller\)"' <<< "$out")" = 5 ] &&
	text_has "$out" '^{"version": 1, "interfaces": \[' '"name": "ctrl1", "role": "controller"' \
		'"module": {"loaded": true, "attached": true, "topology": true'
}
ktap_expect "status --json on ctrl1: itself, 4 members with roles, module attached" status_ctrl1
# status_peer2: status on peer2 without FILE: controllers by their ::1
status_peer2()
{
	local out
	out=$(nx peer2 wgmesh status "$CLAN_IF")
	echo "$out" | sed 's/^/# /'
	[ "$(grep -c ' controller ' <<< "$out")" = 2 ] && ! text_has "$out" "wgmesh.ko attached" &&
	text_has "$out" "$(wgmesh addresses "$CLAN_TOPO" | grep -o 'fd[0-9a-f:]*::1' | head -1)"
}
ktap_expect "status on peer2 without FILE: 2 controllers by their ::1, no module" status_peer2

# The traffic checks come last: forwarding is what a module bug would
# break, and everything above stays reported even then.
# Let every peer finish its first handshakes with both controllers.
clan_handshakes

# all 20 ordered pairs, by name.
for pair in $(clan_pairs); do
	s=${pair%:*} d=${pair#*:}
	ktap_expect "ping $s -> $d.$CLAN_MESH" clan_ping_retry "$s" "$d"
done

# "wgmesh status" on ctrl1 shows the forwarded counters rise.
fwd_of()	# fwd_of MACHINE: ctrl1's forwarded packets from MACHINE
{
	nx ctrl1 wgmesh status --file "$CLAN_TOPO" --json |
		tr -d ' \n' | grep -o "\"name\":\"$1\"[^}]*\"fwd_packets\":[0-9]*" |
		grep -o '[0-9]*$'
}
nx ctrl1 wgmesh status --file "$CLAN_TOPO" | sed 's/^/# /'
before=$(fwd_of peer1)
for i in 1 2 3; do clan_ping peer1 peer3; done
check_delta "status on ctrl1: forwarded from peer1 rose" "$before" "$(fwd_of peer1)" -ge 3
out=$(nx ctrl1 wgmesh status --file "$CLAN_TOPO")
ktap_expect "status on ctrl1 names every member from the topology file" \
	text_has "$out" "^ *peer2 .*peer" ctrl2

# A Packet Too Big leaves a cached route exception on peer1: a /128 that
# carries the protocol of the route it was cloned from (wgmesh's). up must
# know it is the kernel's, not one of its own routes to delete.
run ip -n "$(ns ctrl1)" link set "$CLAN_IF" mtu 1280
ptb=$(snmp6 peer1 Icmp6InPktTooBigs)
nx peer1 ping -6 -c 2 -i 0.3 -W 2 -s 1300 "peer3.$CLAN_MESH" | sed 's/^/#   /'
ktap_expect "peer1 got Packet Too Big from ctrl1 for peer3" \
	[ "$(snmp6 peer1 Icmp6InPktTooBigs)" -gt "$ptb" ]
cache=$(ip -n "$(ns peer1)" -6 route show cache proto 87)
ktap_print_msg "peer1's route cache: $cache"
ktap_expect "peer1 caches a /128 exception with protocol 87" \
	text_has "$cache" "mtu 1280"
# up_unchanged NAME: up exits 0 and changes nothing
up_unchanged()
{
	local out
	out=$(clan_up "$1" 2>&1) || { echo "$out" | sed 's/^/#   /'; return 1; }
	echo "$out" | sed 's/^/#   /'
	text_has "$out" "peers +0 ~0 -0, addresses +0 -0, routes +0 -0"
}
for i in 1 2; do
	ktap_expect "up on peer1 after the PMTU event (run $i): exit 0, nothing changed" \
		up_unchanged peer1
done
run ip -n "$(ns ctrl1)" link set "$CLAN_IF" mtu "$CLAN_MTU"

ktap_finished
