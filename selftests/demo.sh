#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make demo`, run inside a test VM by selftests/vm/run.sh: the clan-core
# scenario (selftests/lib/clan.sh) as a readable transcript: the topology
# (with a mesh IPv4 range), the computed addresses, every machine brought
# up by `wgmesh up`, the ping matrix by name over IPv6 and IPv4, and
# `wgmesh status` on a controller.

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/lib/ktap.sh"
. "$here/lib/clan.sh"

step()
{
	echo
	echo "== $*"
	echo
}

# show MACHINE CMD...: print the command as typed on MACHINE, then run it
# there.
show()
{
	local m=$1
	shift
	echo "$m\$ $*"
	ip netns exec "clan-$m" "$@" 2>&1 | sed 's/^/    /'
	return "${PIPESTATUS[0]}"
}

trap clan_cleanup EXIT
failed=0
# The clan-core scenario plus an IPv4 range: every machine gets an IPv4
# address derived from its name too.
CLAN_IPV4=10.128.0.0/16

step "wgmesh $(wgmesh --version | cut -d' ' -f2) on $(uname -r): five machines, one network namespace each"
echo "ctrl1 and ctrl2 are controllers (wgmesh.ko forwards between peers),"
echo "peer1 and peer3 are designated to ctrl1, peer2 to ctrl2. The machines"
echo "reach each other over an underlay network (10.77.N.2 and fd77:N::2)."
{
	clan_underlay
	clan_keys
	clan_topology
	[ -e /sys/module/wgmesh ] || insmod "$WGMESH_KO"
} 2>/dev/null >&2 || { echo "demo: setup failed"; exit 1; }

step "The topology file: the same on every machine, no secrets"
sed 's/^/    /' "$CLAN_TOPO"

step "Addresses derived from the names alone (IPv6: clan-core compatible)"
echo "\$ wgmesh addresses topology.conf"
wgmesh addresses "$CLAN_TOPO" | sed 's/^/    /'

step "Each machine: its own key file (mode 0600) and wgmesh up"
for m in "${CLAN_MACHINES[@]}"; do
	show "$m" wgmesh up "$CLAN_TOPO" --private-key-file "$CLAN_DIR/$m.key" || failed=1
	WGMESH_HOSTS=/etc/netns/clan-$m/hosts \
		ip netns exec "clan-$m" wgmesh hosts --install "$CLAN_TOPO" >/dev/null || failed=1
done
echo
echo "Running it again changes nothing:"
show peer1 wgmesh up "$CLAN_TOPO" --private-key-file "$CLAN_DIR/peer1.key"

step "peer1's /etc/hosts after wgmesh hosts --install"
sed 's/^/    /' /etc/netns/clan-peer1/hosts

step "What wgmesh up configured on peer1 and ctrl1"
show peer1 ip addr show dev "$CLAN_IF" scope global
show peer1 ip route show dev "$CLAN_IF" proto 87
show peer1 ip -6 route show dev "$CLAN_IF" proto 87
show ctrl1 wg show "$CLAN_IF"

# Let every peer handshake with both controllers first.
clan_handshakes

step "Ping matrix: every machine pings every other by <name>.$CLAN_MESH (IPv6/IPv4)"
printf '    %-8s' "from\\to"
for d in "${CLAN_MACHINES[@]}"; do printf '%-10s' "$d"; done
echo
for s in "${CLAN_MACHINES[@]}"; do
	printf '    %-8s' "$s"
	for d in "${CLAN_MACHINES[@]}"; do
		if [ "$s" = "$d" ]; then
			r=-
		else
			r=
			for fam in -6 -4; do
				if clan_ping_retry "$s" "$d" $fam 2>/dev/null; then
					r+=ok
				else
					r+=FAIL
					failed=1
				fi
				[ $fam = -6 ] && r+=/
			done
		fi
		printf '%-10s' "$r"
	done
	echo
done
echo
echo "Peer-to-peer packets take one hop through the controller owning the"
echo "destination (IPv4: through the sender's and the receiver's designated"
echo "controllers); the controllers keep forwarding off:"
for c in "${CLAN_CTRLS[@]}"; do
	echo "    $c: net.ipv6.conf.all.forwarding = $(ip netns exec "clan-$c" cat /proc/sys/net/ipv6/conf/all/forwarding)," \
		"net.ipv4.ip_forward = $(ip netns exec "clan-$c" cat /proc/sys/net/ipv4/ip_forward)"
done

step "wgmesh status on ctrl1 (FORWARDED/DROPPED: packets from that member)"
show ctrl1 wgmesh status --file "$CLAN_TOPO"

step "wgmesh status on peer2"
show peer2 wgmesh status --file "$CLAN_TOPO"

step "Tearing down"
for m in "${CLAN_MACHINES[@]}"; do
	show "$m" wgmesh down "$CLAN_TOPO" || failed=1
done

echo
if [ $failed = 0 ]; then
	echo "demo done: the clan-core scenario works on $(uname -r)"
else
	echo "demo FAILED on $(uname -r): see the FAIL entries above"
fi
exit $failed
