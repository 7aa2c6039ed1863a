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

ktap_need wgmesh ip wg ping
trap clan_cleanup EXIT

ktap_plan 50

# capture CMD...: run CMD (logged), keep its status in $rc and its output,
# without our own "# $ ..." log lines, in $err.
capture()
{
	local out
	out=$(run "$@" 2>&1)
	rc=$?
	err=$(grep -v '^# \$ ' <<< "$out")
	echo "$err" | sed 's/^/# /'
}

clan_setup

# a second "up" with the same file changes nothing.
for m in "${CLAN_MACHINES[@]}"; do
	out=$(clan_up "$m")
	echo "# $out"
	case $m:$out in
	ctrl*"peers +0 ~0 -0, addresses +0 -0, routes +0 -0, topology unchanged" | \
	peer*"peers +0 ~0 -0, addresses +0 -0, routes +0 -0")
		ktap_ok "up on $m again changes nothing" ;;
	*) ktap_fail "up on $m again changes nothing" ;;
	esac
done

# the hosts block is there and the rest of the file is kept.
for m in "${CLAN_MACHINES[@]}"; do
	f=/etc/netns/clan-$m/hosts
	if grep -qx 'fd77:1::2 ctrl1.underlay' "$f" &&
	   grep -qx "# BEGIN wgmesh $CLAN_MESH" "$f" &&
	   [ "$(sed -n "/^# BEGIN wgmesh/,/^# END wgmesh/p" "$f" | sed '1d;$d')" = \
	     "$(wgmesh hosts "$CLAN_TOPO")" ]; then
		ktap_ok "hosts --install on $m: block matches 'wgmesh hosts', rest kept"
	else
		cat "$f" | sed 's/^/# /'
		ktap_fail "hosts --install on $m: block matches 'wgmesh hosts', rest kept"
	fi
done

# controllers forward without global IPv6 forwarding.
for c in "${CLAN_CTRLS[@]}"; do
	fw=$(cx "$c" cat /proc/sys/net/ipv6/conf/all/forwarding /proc/sys/net/ipv6/conf/$CLAN_IF/forwarding | tr -d '\n')
	if [ "$fw" = "00" ]; then
		ktap_ok "$c: net.ipv6.conf.{all,$CLAN_IF}.forwarding stay 0"
	else
		ktap_fail "$c: net.ipv6.conf.{all,$CLAN_IF}.forwarding stay 0 (got $fw)"
	fi
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

# each machine's WireGuard configuration is exactly its role's.
for m in "${CLAN_MACHINES[@]}"; do
	want=$(wgmesh conf "$CLAN_TOPO" "$m" --private-key-file "$CLAN_DIR/$m.key" | normalize)
	got=$(cx "$m" wg showconf "$CLAN_IF" | normalize)
	# Peers listen on a random port: only controllers have one to check.
	grep -q '^listen' <<< "$want" || got=$(grep -v '^listen' <<< "$got")
	key_ok=0
	# Compared without ever printing the key.
	[ "$(cx "$m" wg show "$CLAN_IF" private-key)" = "$(cat "$CLAN_DIR/$m.key")" ] && key_ok=1
	if [ "$want" = "$got" ] && [ $key_ok = 1 ] && grep -q allowed <<< "$want"; then
		ktap_ok "$m: wg showconf matches its role (wgmesh conf)"
	else
		echo "$want" | sed 's/^/# want: /'
		echo "$got" | sed 's/^/# got:  /'
		ktap_fail "$m: wg showconf matches its role (wgmesh conf), key ok=$key_ok"
	fi
done

# peers reach controllers at the configured (resolved) endpoints.
for p in "${CLAN_PEERS[@]}"; do
	eps=$(cx "$p" wg show "$CLAN_IF" endpoints)
	if grep -q "^${CLAN_PUB[ctrl1]}	\[fd77:1::2\]:51820$" <<< "$eps" &&
	   grep -q "^${CLAN_PUB[ctrl2]}	\[fd77:2::2\]:51820$" <<< "$eps" &&
	   [ "$(ip -n "clan-$p" -o link show "$CLAN_IF" | grep -o 'mtu [0-9]*')" = "mtu $CLAN_MTU" ]; then
		ktap_ok "$p: endpoints ctrl1.underlay -> [fd77:1::2]:51820, [fd77:2::2]:51820; MTU $CLAN_MTU"
	else
		echo "$eps" | sed 's/^/# /'
		ktap_fail "$p: controller endpoints resolved"
	fi
done

# a key file readable by others is refused, naming file and mode.
cp -p "$CLAN_DIR/peer1.key" "$CLAN_DIR/open.key"
chmod 0644 "$CLAN_DIR/open.key"
capture ip netns exec clan-peer1 wgmesh up "$CLAN_TOPO" --private-key-file "$CLAN_DIR/open.key"
if [ $rc = 1 ] && grep -q "open.key" <<< "$err" && grep -q "644" <<< "$err" &&
   ! grep -qF "$(cat "$CLAN_DIR/peer1.key")" <<< "$err"; then
	ktap_ok "up refuses a 0644 key file, naming it and its mode"
else
	ktap_fail "up refuses a 0644 key file, naming it and its mode (rc $rc)"
fi
chmod 0600 "$CLAN_DIR/open.key"
capture ip netns exec clan-peer1 wgmesh up "$CLAN_TOPO" --name peer2 --private-key-file "$CLAN_DIR/open.key"
if [ $rc = 1 ] && grep -q "peer2" <<< "$err"; then
	ktap_ok "up --name with another machine's key is refused"
else
	ktap_fail "up --name with another machine's key is refused (rc $rc)"
fi

# a first "up" that fails leaves no interface behind. A second
# machine "ctrl1" in a fresh namespace whose port 51820 is already taken
# by another WireGuard device: bringing the new link up fails.
run ip netns add clan-fail
run ip -n clan-fail link add wgx type wireguard
run ip netns exec clan-fail wg set wgx listen-port 51820
run ip -n clan-fail link set wgx up
capture ip netns exec clan-fail wgmesh up "$CLAN_TOPO" --private-key-file "$CLAN_DIR/ctrl1.key"
if [ $rc = 1 ] && [ "$(wc -l <<< "$err")" = 1 ] && grep -q "$CLAN_IF" <<< "$err"; then
	ktap_ok "failed up: exit 1 and one error line naming the device"
else
	ktap_fail "failed up: exit 1 and one error line naming the device (rc $rc)"
fi
if ! ip -n clan-fail link show "$CLAN_IF" >/dev/null 2>&1; then
	ktap_ok "failed first up deleted the interface it created"
else
	ktap_fail "failed first up deleted the interface it created"
fi
ip netns del clan-fail

# unknown machine and unresolvable endpoint: one line, exit 1.
capture ip netns exec clan-peer1 wgmesh up "$CLAN_TOPO" --name nobody --private-key-file "$CLAN_DIR/peer1.key"
if [ $rc = 1 ] && [ "$(wc -l <<< "$err")" = 1 ] && grep -q nobody <<< "$err"; then
	ktap_ok "up --name of an unknown machine: one error line"
else
	ktap_fail "up --name of an unknown machine: one error line (rc $rc)"
fi
sed 's/^Endpoint = \[fd77:2::2\]:51820$/Endpoint = nowhere.invalid/' "$CLAN_TOPO" > "$CLAN_DIR/bad.conf"
capture ip netns exec clan-peer2 wgmesh up "$CLAN_DIR/bad.conf" --private-key-file "$CLAN_DIR/peer2.key"
if [ $rc = 1 ] && grep -q "nowhere.invalid" <<< "$err" && cx peer2 wg show "$CLAN_IF" >/dev/null; then
	ktap_ok "unresolvable endpoint: error names it, interface untouched"
else
	ktap_fail "unresolvable endpoint: error names it, interface untouched (rc $rc)"
fi

# status before any forwarding: members, roles and the module attachment.
out=$(cx ctrl1 wgmesh status --file "$CLAN_TOPO" --json)
echo "$out" | sed 's/^/# /'
n=$(grep -c '"role": "\(peer\|controller\)"' <<< "$out")
if [ "$n" = 5 ] && grep -q '"name": "ctrl1", "role": "controller"' <<< "$out" &&
   grep -q '"module": {"topology": true' <<< "$out"; then
	ktap_ok "status --json on ctrl1: itself, 4 members with roles, module attached"
else
	ktap_fail "status --json on ctrl1: itself, 4 members with roles, module attached ($n roles)"
fi
out=$(cx peer2 wgmesh status "$CLAN_IF")
echo "$out" | sed 's/^/# /'
if [ "$(grep -c ' controller ' <<< "$out")" = 2 ] && ! grep -q "wgmesh.ko attached" <<< "$out" &&
   grep -q "$(wgmesh addresses "$CLAN_TOPO" | grep -o 'fd[0-9a-f:]*::1' | head -1)" <<< "$out"; then
	ktap_ok "status on peer2 without FILE: 2 controllers by their ::1, no module"
else
	ktap_fail "status on peer2 without FILE: 2 controllers by their ::1, no module"
fi

# The traffic checks come last: forwarding is what a module bug would
# break, and everything above stays reported even then.
# Let every peer finish its first handshakes with both controllers.
for m in "${CLAN_PEERS[@]}"; do
	for c in "${CLAN_CTRLS[@]}"; do
		clan_ping_retry "$m" "$c" >/dev/null 2>&1
	done
done

# all 20 ordered pairs, by name.
for s in "${CLAN_MACHINES[@]}"; do
	for d in "${CLAN_MACHINES[@]}"; do
		[ "$s" = "$d" ] && continue
		if clan_ping_retry "$s" "$d"; then
			ktap_ok "ping $s -> $d.$CLAN_MESH"
		else
			ktap_fail "ping $s -> $d.$CLAN_MESH"
		fi
	done
done

# "wgmesh status" on ctrl1 shows the forwarded counters rise.
fwd_of()	# fwd_of MACHINE: ctrl1's forwarded packets from MACHINE
{
	cx ctrl1 wgmesh status --file "$CLAN_TOPO" --json |
		tr -d ' \n' | grep -o "\"name\":\"$1\"[^}]*\"fwd_packets\":[0-9]*" |
		grep -o '[0-9]*$'
}
cx ctrl1 wgmesh status --file "$CLAN_TOPO" | sed 's/^/# /'
before=$(fwd_of peer1)
for i in 1 2 3; do clan_ping peer1 peer3; done
after=$(fwd_of peer1)
if [ -n "$before" ] && [ -n "$after" ] && [ "$after" -ge $((before + 3)) ]; then
	ktap_ok "status on ctrl1: forwarded from peer1 rose $before -> $after"
else
	ktap_fail "status on ctrl1: forwarded from peer1 rose ('$before' -> '$after')"
fi
out=$(cx ctrl1 wgmesh status --file "$CLAN_TOPO")
if grep -q "^ *peer2 .*peer" <<< "$out" && grep -q "ctrl2" <<< "$out"; then
	ktap_ok "status on ctrl1 names every member from the topology file"
else
	ktap_fail "status on ctrl1 names every member from the topology file"
fi

ktap_finish
