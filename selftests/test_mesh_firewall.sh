#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The firewall (issue 17 part 2), on the clan-core scenario of
# selftests/lib/clan.sh: ctrl1's namespace gets a default-drop input
# ruleset of Debian's /etc/nftables.conf shape (lo, established and ICMP
# accepted, nothing else), then
#   - "up --no-firewall" configures WireGuard and leaves the ruleset
#     untouched: peer1 cannot handshake with ctrl1;
#   - "up" opens the listen port (table inet wgmesh, and one tagged rule
#     in the input chain that drops): handshake and ping;
#   - a second "up" changes nothing, "down" restores "nft list ruleset"
#     byte for byte;
#   - "Firewall = no" in the topology leaves the ruleset alone too;
#   - with ufw active or firewalld running (WGMESH_FIREWALL_ROOT points the
#     detection at a fake root) up touches nothing and prints one line
#     saying what to run;
#   - a peer has no fixed listen port: its up opens nothing.
#
# wgmesh-timeout: 600

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/lib/ktap.sh"
. "$here/lib/clan.sh"

clan_init
ktap_need nft

ktap_print_header
ktap_set_plan 26

CHECK_DMESG_START=$(dmesg | wc -l)
clan_underlay
clan_keys
clan_topology
load_wgmesh || ktap_exit_fail_msg "loading wgmesh.ko"
for m in ctrl2 peer1 peer2 peer3; do
	clan_up "$m" > /dev/null || ktap_exit_fail_msg "wgmesh up on $m"
done
clan_hosts peer1 > /dev/null || ktap_exit_fail_msg "wgmesh hosts --install on peer1"
orig=$CLAN_DIR/orig.conf
cp "$CLAN_TOPO" "$orig"

# up1 [ENV...] -- [ARGS...]: wgmesh up of ctrl1, captured
up1()
{
	local env=()
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		env+=("$1")
		shift
	done
	shift
	clan_capture ip netns exec clan-ctrl1 env "${env[@]}" wgmesh up "${F:-$CLAN_TOPO}" \
		--private-key-file "$CLAN_DIR/ctrl1.key" "$@"
}
down1() { clan_capture ip netns exec clan-ctrl1 wgmesh down "${F:-$CLAN_TOPO}"; }
# ruleset NAME: ctrl1's ruleset (logged) into $CLAN_DIR/NAME
ruleset()
{
	nx ctrl1 nft list ruleset > "$CLAN_DIR/$1"
	sed 's/^/#   /' "$CLAN_DIR/$1"
}
same() { cmp -s "$CLAN_DIR/$1" "$CLAN_DIR/$2"; }
# handshake: peer1's latest handshake with ctrl1 (0: none)
handshake()
{
	ip netns exec clan-peer1 wg show "$CLAN_IF" latest-handshakes |
		awk -v k="${CLAN_PUB[ctrl1]}" '$1 == k { print $2 }'
}
# reach: peer1 pings ctrl1 through the mesh, up to 10 tries (WireGuard
# retries a handshake every 5 s)
reach()
{
	local i
	for i in 1 2 3 4 5 6 7 8 9 10; do
		clan_ping peer1 ctrl1 && return 0
	done
	return 1
}

# Debian's /etc/nftables.conf shape, with the input chain dropping.
cat > "$CLAN_DIR/drop.nft" <<'EOF'
table inet filter {
	chain input {
		type filter hook input priority filter; policy drop;
		iif "lo" accept
		ct state established,related accept
		ct state invalid drop
		meta l4proto { 1, 58 } accept	# icmp, ipv6-icmp: the VM has no /etc/protocols
	}
	chain forward {
		type filter hook forward priority filter; policy drop;
	}
	chain output {
		type filter hook output priority filter; policy accept;
	}
}
EOF
nx ctrl1 nft -f "$CLAN_DIR/drop.nft" || ktap_exit_fail_msg "nft -f drop.nft in ctrl1"
ruleset before

# ---- --no-firewall: WireGuard configured, the port stays closed ----
up1 -- --no-firewall
ktap_expect "up --no-firewall: exit 0, nothing said about the firewall" \
	eval '[ $rc = 0 ] && [ -z "$err" ] && ! text_has "$out" firewall'
ruleset nofw
ktap_expect "up --no-firewall left the ruleset untouched" same before nofw
ktap_expect "default drop: peer1 cannot reach ctrl1" ! clan_ping_retry peer1 ctrl1
ktap_expect "... not even a handshake" [ "$(handshake)" = 0 ]

# ---- up: the port opened, the mesh works ----
up1 --
ktap_expect "up opens the listen port and says where" \
	eval '[ $rc = 0 ] && [ -z "$err" ] && text_has "$out" "^wg-test-one: firewall: udp port 51820 opened (table inet wgmesh, and in the input chains that drop by default)$"'
ruleset opened
ktap_expect "table inet wgmesh accepts the port" \
	grep -qx $'\t\tudp dport 51820 accept comment "wgmesh:wg-test-one"' "$CLAN_DIR/opened"
ktap_expect "the dropping input chain got one tagged rule, at its top" \
	eval '[ "$(grep -c "wgmesh:wg-test-one" "$CLAN_DIR/opened")" = 2 ] && grep -A1 "policy drop;" "$CLAN_DIR/opened" | grep -q "udp dport 51820 accept comment"'
ktap_expect "peer1 reaches ctrl1 now" reach
ktap_expect "... with a handshake" [ "$(handshake)" != 0 ]

up1 --
ktap_expect "up again: exit 0, nothing said about the firewall" \
	eval '[ $rc = 0 ] && ! text_has "$out" firewall'
ruleset again
ktap_expect "up again added nothing: the same ruleset" same opened again

down1
ktap_expect "down: the mesh's rules removed" \
	eval '[ $rc = 0 ] && text_has "$out" "^firewall: the rules of wgmesh:wg-test-one removed (table inet wgmesh)$"'
ruleset after
ktap_expect "down restored the ruleset byte for byte" same before after
down1
ktap_expect "down without an interface fails and changes nothing" \
	eval '[ $rc = 1 ] && { ruleset after2; same before after2; }'

# ---- Firewall = no in the topology ----
sed "s/^Name = .*/&\nFirewall = no/" "$orig" > "$CLAN_DIR/nofw.conf"
F=$CLAN_DIR/nofw.conf up1 --
ktap_expect "up with [Mesh] Firewall = no: exit 0" \
	eval '[ $rc = 0 ] && ! text_has "$out" firewall'
ruleset keyno
ktap_expect "... and the ruleset untouched" same before keyno
awk '/^\[Controller ctrl1\]/ { print; print "Firewall = yes"; next } { print }' \
	"$CLAN_DIR/nofw.conf" > "$CLAN_DIR/ctrlyes.conf"
F=$CLAN_DIR/ctrlyes.conf up1 --
ktap_expect "a controller's Firewall = yes overrides the mesh's no" \
	eval '[ $rc = 0 ] && text_has "$out" "firewall: udp port 51820 opened"'
F=$CLAN_DIR/ctrlyes.conf down1
ruleset keyyes
ktap_expect "... and down restores the ruleset" same before keyyes

# ---- ufw, firewalld: one line, nothing touched ----
fake=$CLAN_DIR/root
mkdir -p "$fake/etc/ufw"
printf '# /etc/ufw/ufw.conf\nENABLED=yes\nLOGLEVEL=low\n' > "$fake/etc/ufw/ufw.conf"
up1 WGMESH_FIREWALL_ROOT="$fake" --
ktap_expect "ufw active: up succeeds with one line saying what to run" \
	eval '[ $rc = 0 ] && [ "$err" = "wgmesh: warning: firewall: ufw is active, wgmesh leaves it alone: to open the listen port run '\''ufw allow 51820/udp'\''" ]'
ruleset ufw
ktap_expect "... and the ruleset untouched" same before ufw
rm -rf "$fake/etc"
mkdir -p "$fake/run/firewalld"
up1 WGMESH_FIREWALL_ROOT="$fake" --
ktap_expect "firewalld running: one line with firewall-cmd" \
	eval '[ $rc = 0 ] && [ "$(grep -c . <<< "$err")" = 1 ] && text_has "$err" "firewall-cmd --add-port=51820/udp --permanent && firewall-cmd --reload"'
ruleset firewalld
ktap_expect "... and the ruleset untouched" same before firewalld
# Table's marks live in nftables too: up says that nothing sets them.
sed -e '/^\[Controller ctrl1\]$/a Table = 1000' -e '/^\[Controller ctrl1\]$/a FwMark = 0x1234' \
	"$CLAN_TOPO" > "$CLAN_DIR/ctrltable.conf"
F=$CLAN_DIR/ctrltable.conf up1 WGMESH_FIREWALL_ROOT="$fake" --
ktap_expect "firewalld running, ctrl1 with Table and FwMark: up says nothing marks for the table" \
	eval '[ $rc = 0 ] && text_has "$err" "table: so nothing restores the marks of replies or marks wgmesh exec'\''s traffic"'
ruleset fwtable
ktap_expect "... and the ruleset untouched" same before fwtable
F=$CLAN_DIR/ctrltable.conf down1

# ---- a peer opens nothing ----
clan_capture ip netns exec clan-peer1 nft list ruleset
ktap_expect "peer1 (no fixed listen port): up left its ruleset empty" \
	eval '[ $rc = 0 ] && [ -z "$out" ]'

check_dmesg_clean
ktap_finished
