# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash source-path=SCRIPTDIR
#
# underlay.sh: the physical network of the mesh tests that build their
# own machines (not mesh.sh's): a router namespace, $UNDERLAY, with one
# veth uplink per machine (10.88.N.0/24, the machine at .2) and an
# internet host "inet" at $INET/24 that counts the echo requests it gets.
# The caller sets DIR (keys go there), UNDERLAY and, for inet, INET; PUB
# is its associative array of public keys; TOPO is the topology file of
# up and v4. Uplinks are named u-<machine>
# on the router's side ($UPLINK overrides "u-"). Source lib/ktap.sh and
# lib/netns.sh first.

# up MACHINE [ARGS]: wgmesh up of $TOPO in MACHINE's namespace, with its
# key from $DIR
up()
{
	local m=$1
	shift
	nx "$m" wgmesh up "$TOPO" --private-key-file "$DIR/$m.key" "$@"
}

# v4 MACHINE: its mesh IPv4 address, from "wgmesh addresses"
v4()
{
	wgmesh addresses "$TOPO" | awk -v m="$1" '$1 == m && $2 ~ /^[0-9]+\./ { print $2; exit }'
}

# underlay_init: the modules, $DIR and the router namespace (IPv4
# forwarding on)
underlay_init()
{
	mkdir -p /var/run/netns "$DIR"
	run modprobe -q wireguard
	run modprobe -q veth
	run ip netns add "$UNDERLAY" || ktap_exit_fail_msg "ip netns add $UNDERLAY"
	run ip -n "$UNDERLAY" link set lo up
	run ip netns exec "$UNDERLAY" sysctl -qw net.ipv4.ip_forward=1
}

# underlay_machine M N: machine M's namespace (lo up) on uplink N: its
# eth0 10.88.N.2/24 with the default route via the router's 10.88.N.1
underlay_machine()
{
	local m=$1 n=$2 nsn u=${UPLINK:-u-}$1

	nsn=$(ns "$m")
	run ip netns add "$nsn" || ktap_exit_fail_msg "ip netns add $nsn"
	run ip link add "$u" netns "$UNDERLAY" type veth peer name eth0 netns "$nsn" ||
		ktap_exit_fail_msg "veth for $m"
	ip_batch "$UNDERLAY" <<-EOT || ktap_exit_fail_msg "underlay: $u"
	addr add 10.88.$n.1/24 dev $u
	link set $u up
	EOT
	ip_batch "$nsn" <<-EOT || ktap_exit_fail_msg "$m: eth0"
	link set lo up
	addr add 10.88.$n.2/24 dev eth0
	link set eth0 up
	route add default via 10.88.$n.1
	EOT
}

# underlay_key M: a new private key for M in $DIR/M.key, its public key
# in PUB[M]
underlay_key()
{
	rm -f "$DIR/$1.key"
	run wgmesh genkey "$DIR/$1.key" > /dev/null || ktap_exit_fail_msg "genkey $1"
	PUB[$1]=$(wgmesh pubkey < "$DIR/$1.key")
}

nft_inet()
{
	ip netns exec "$(ns inet)" nft "$@"
}

# underlay_inet SRC...: the internet host, $INET/24 behind the router's
# 198.51.100.1, counting the echo requests it gets from each SRC address
# and from anyone
underlay_inet()
{
	local nsn src

	nsn=$(ns inet)
	run ip netns add "$nsn" || ktap_exit_fail_msg "ip netns add $nsn"
	run ip link add u-inet netns "$UNDERLAY" type veth peer name eth0 netns "$nsn" ||
		ktap_exit_fail_msg "veth for inet"
	ip_batch "$UNDERLAY" <<-EOT || ktap_exit_fail_msg "underlay: u-inet"
	addr add 198.51.100.1/24 dev u-inet
	link set u-inet up
	EOT
	ip_batch "$nsn" <<-EOT || ktap_exit_fail_msg "inet: eth0"
	link set lo up
	addr add $INET/24 dev eth0
	link set eth0 up
	route add default via 198.51.100.1
	EOT
	run nft_inet add table ip seen
	run nft_inet add chain ip seen in '{ type filter hook input priority 0; }'
	for src in "$@"; do
		run nft_inet add rule ip seen in ip saddr "$src" icmp type echo-request counter
	done
	run nft_inet add rule ip seen in icmp type echo-request counter
}

# inet_seen SRC: echo requests inet got from SRC ("all": from anyone)
inet_seen()
{
	local pat="ip saddr $1 icmp"

	[ "$1" = all ] && pat="^[[:space:]]*icmp type"
	nft_inet list chain ip seen in | grep -e "$pat" | grep -o 'packets [0-9]*' | grep -o '[0-9]*'
}
