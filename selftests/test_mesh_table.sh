#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Per-VPN routing tables, scenario 3 of issue 12: a peer with Table,
# FwMark and Exit keeps its own default route for everything else; only
# marked traffic, and what "wgmesh exec" runs, leaves through the exit.
# Every machine is a network namespace configured only by "wgmesh up":
#
#   gw     controller with Exit = yes, uplink eth0 (10.88.1.2)
#   tc     peer with Exit = gw, Table = 1000, FwMark = 51820, eth0 10.88.2.2
#   inet   the internet host 198.51.100.2, behind the underlay router
#
#   tc ══ gw ── underlay ── inet      (══ WireGuard over the underlay)
#    └──────────┘ (tc's own default route)
#
# Checks: with rp_filter=1 on every interface of both machines, tc's
# unmarked pings reach inet from tc's own address, marked ones (ping -m)
# and those of "wgmesh exec" from gw's uplink address, and their replies
# arrive; without src_valid_mark (the control) exec's replies are dropped
# by rp_filter; tc's main table is byte for byte what it was; a repeated
# up changes nothing; a second mesh with the same Table is refused and
# changes nothing; down removes rules, table, nftables chains and the
# cgroup and gives src_valid_mark back; up again restores everything.

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/lib/ktap.sh"
NS_PREFIX=tbl-
. "$here/lib/netns.sh"
. "$here/lib/checks.sh"
. "$here/lib/underlay.sh"

MESH=tb
IF=tb
DIR=/tmp/tb
TOPO=$DIR/tb.conf
TABLE=1000
MARK=51820
MACHINES=(gw tc)
declare -A NUM=([gw]=1 [tc]=2)
declare -A PUB=()
INET=198.51.100.2
UNDERLAY=$(ns underlay)
CG=/tmp/cgroup2

cleanup()
{
	ns_del_all
	rm -rf /run/wgmesh/ip_forward /run/wgmesh/src_valid_mark
	find "$CG/wgmesh" -depth -type d -exec rmdir {} + 2>/dev/null
	[ -n "${CG_MOUNTED:-}" ] && umount "$CG"
}

ktap_need wgmesh ip wg ping nft
trap cleanup EXIT
ktap_print_header
ktap_set_plan 41

# wgmesh exec needs the cgroup2 hierarchy at /sys/fs/cgroup (where nft
# resolves "socket cgroupv2" paths). The test VM mounts none, and "ip
# netns exec" remounts /sys for each command: cgx mounts it there first.
# The test itself looks at the same hierarchy through $CG.
mkdir -p "$CG"
run mount -t cgroup2 none "$CG" || ktap_exit_fail_msg "mount cgroup2"
CG_MOUNTED=1
CGROOT=$CG
cgx()	# cgx M CMD...: CMD in M's namespace, with /sys/fs/cgroup
{
	local m=$1
	shift
	nx "$m" sh -c 'mount -t cgroup2 none /sys/fs/cgroup && exec "$@"' sh "$@"
}

# ---- underlay, machines, internet host ----
underlay_init
for m in "${MACHINES[@]}"; do
	underlay_machine "$m" "${NUM[$m]}"
	# Strict reverse-path filtering everywhere, the wg interface too.
	run ip netns exec "$(ns "$m")" sysctl -qw net.ipv4.conf.all.rp_filter=1 \
		net.ipv4.conf.default.rp_filter=1 net.ipv4.conf.eth0.rp_filter=1
	underlay_key "$m"
done
underlay_inet 10.88.1.2 10.88.2.2

cat > "$TOPO" <<EOF
[Mesh]
Name = $MESH
IPv4 = 10.128.0.0/16
MTU = 1400

[Controller gw]
Endpoint = 10.88.1.2:51820
PublicKey = ${PUB[gw]}
Exit = yes

[Peer tc]
PublicKey = ${PUB[tc]}
Exit = gw
Table = $TABLE
FwMark = $MARK
EOF
sed 's/^/# /' "$TOPO"
capture wgmesh check "$TOPO"
ktap_expect "check: the per-table topology is valid" [ "$rc" = 0 ]
sed 's/^Table = .*/Table = 254/' "$TOPO" > "$DIR/bad.conf"
capture wgmesh check "$DIR/bad.conf"
ktap_expect "check: Table = 254 (main) refused with FILE:LINE" \
	eval '[ "$rc" = 1 ] && text_has "$out" "bad.conf:14: bad Table .254.: 254 is the kernel.s main table"'
load_wgmesh || ktap_exit_fail_msg "loading wgmesh.ko"

up()
{
	local m=$1
	shift
	cgx "$m" wgmesh up "$TOPO" --private-key-file "$DIR/$m.key" "$@"
}
main_table()	# main_table M: M's main tables, both families
{
	ip -n "$(ns "$1")" -4 route show table main
	ip -n "$(ns "$1")" -6 route show table main
}
# state: what up owns on tc, for before/after comparisons
state()
{
	local nsn
	nsn=$(ns tc)
	main_table tc
	# sorted: a rule added again goes last among those of its priority
	ip -n "$nsn" -4 rule show | sort
	ip -n "$nsn" -6 rule show | sort
	ip -n "$nsn" -4 route show table all proto 87
	ip -n "$nsn" -6 route show table all proto 87
	cgx tc nft list ruleset 2>&1 | grep -v '^# \$ '
	ip netns exec "$nsn" sysctl -n net.ipv4.conf.all.src_valid_mark
}
MAIN_BEFORE=$(main_table tc)
BEFORE=$(state)

# ---- up ----
capture up gw
ktap_expect "up on gw: applied (exit 0)" [ "$rc" = 0 ]
capture up tc -v
ktap_expect "up -v on tc: applied, rules named and counted" \
	eval '[ "$rc" = 0 ] && text_has "$out" "+ rule -4 32761: from all fwmark 0xca6c lookup $TABLE" \
		"+ rule -4 32760: from all fwmark 0xca6c lookup main suppress_prefixlength 0" \
		"routes +4 -0, .*rules +8 -0"'
ktap_expect "up on tc says it enabled src_valid_mark and marks in nftables" \
	text_has "$out" "^tb: table: net.ipv4.conf.all.src_valid_mark enabled" \
		"^tb: firewall: marks 0xca6c for table $TABLE (table inet wgmesh)"
ktap_expect "tc: the main table is byte for byte what it was" [ "$MAIN_BEFORE" = "$(main_table tc)" ]
capture ip -n "$(ns tc)" -4 route show table "$TABLE"
ktap_expect "tc: table $TABLE has the exit's default route and the range (protocol 87)" \
	text_has "$out" "^default dev $IF proto 87" "^10.128.0.0/16 dev $IF proto 87"
capture ip -n "$(ns tc)" -6 route show table "$TABLE"
ktap_expect "tc: table $TABLE has the controller's /56 and an IPv6 default route (marked IPv6 never falls to main's)" \
	text_has "$out" "/56 dev $IF proto 87" "^default dev $IF proto 87"
capture ip -n "$(ns tc)" -4 rule show
ktap_expect "tc: rules for the mark and for its mesh address, protocol 87" \
	text_has "$out" "^32760:.*fwmark 0xca6c lookup main suppress_prefixlength 0 proto 87" \
		"^32761:.*fwmark 0xca6c lookup $TABLE proto 87" \
		"^32761:.*from $(v4 tc) lookup $TABLE proto 87"
capture ip -n "$(ns tc)" -6 rule show
ktap_expect "tc: IPv6 rules too" text_has "$out" "^32761:.*fwmark 0xca6c lookup $TABLE proto 87"
capture cgx tc nft list table inet wgmesh
ktap_expect "tc: nftables restores the mark of replies, marks exec's cgroup, saves marks, masquerades" \
	text_has "$out" "ct mark 0x0000ca6c meta mark set ct mark" \
		"ct state new socket cgroupv2 level 3 \"wgmesh/net-[0-9]*/$MESH\" meta mark set 0x0000ca6c" \
		"meta mark 0x0000ca6c ct mark set meta mark" \
		"oifname \"$IF\" meta mark 0x0000ca6c ip saddr != 10.128.0.0/16 masquerade"
ktap_expect "tc: src_valid_mark is 1" [ "$(nx tc sysctl -n net.ipv4.conf.all.src_valid_mark)" = 1 ]
ktap_expect "tc: rp_filter is 1 on $IF too" [ "$(nx tc sysctl -n net.ipv4.conf.$IF.rp_filter)" = 1 ]
ktap_expect "tc: the exec cgroup exists" eval 'ls -d "$CGROOT"/wgmesh/net-*/"$MESH"'

# ---- traffic ----
ping_retry()
{
	local s=$1 i
	shift
	for i in 1 2 3 4 5; do
		nx "$s" ping -c 1 -W 2 "$@" >/dev/null 2>&1 && return 0
	done
	return 1
}
ping_retry tc -m "$MARK" "$(v4 gw)"
g0=$(inet_seen 10.88.1.2) o0=$(inet_seen 10.88.2.2)
check_ping "tc: unmarked ping reaches inet" tc "$INET"
check_delta "inet saw it from tc's own address" "$o0" "$(inet_seen 10.88.2.2)" -ge 3
check_delta "... and nothing from gw's" "$g0" "$(inet_seen 10.88.1.2)" -eq 0
g0=$(inet_seen 10.88.1.2) o0=$(inet_seen 10.88.2.2)
check_ping "tc: ping -m $MARK reaches inet, its replies pass rp_filter" tc "$INET" -m "$MARK" -c 3 -i 0.2 -w 5
check_delta "inet saw it from gw's uplink address" "$g0" "$(inet_seen 10.88.1.2)" -ge 3
check_delta "... and nothing from tc's own" "$o0" "$(inet_seen 10.88.2.2)" -eq 0
check_ping "tc: ping from its mesh address (the from rule) reaches inet" tc "$INET" -I "$(v4 tc)" -c 3 -i 0.2 -w 5
exec_ping()	# exec_ping: 3 pings of inet by wgmesh exec on tc; replies in $got
{
	out=$(cgx tc wgmesh exec "$IF" -- ping -c 3 -i 0.2 -w 5 "$INET" 2>&1)
	echo "$out" | sed 's/^/#   /'
	got=$(echo "$out" | ping_answered 3)
}
g0=$(inet_seen 10.88.1.2) o0=$(inet_seen 10.88.2.2)
exec_ping
ktap_expect "tc: wgmesh exec IFACE -- ping: all 3 replies arrive (rp_filter=1)" [ "$got" = 3 ]
check_delta "inet saw exec's pings from gw's uplink address" "$g0" "$(inet_seen 10.88.1.2)" -ge 3
check_delta "... and nothing from tc's own" "$o0" "$(inet_seen 10.88.2.2)" -eq 0
capture cgx tc wgmesh exec "$TOPO" -- cat /proc/self/cgroup
ktap_expect "wgmesh exec FILE -- CMD runs CMD in the mesh's cgroup" text_has "$out" "^0::/wgmesh/net-[0-9]*/$MESH\$"
# The control: without src_valid_mark, rp_filter drops exec's replies
# (masqueraded to the mesh address, de-masqueraded to eth0's).
run nx tc sysctl -qw net.ipv4.conf.all.src_valid_mark=0
exec_ping
ktap_expect "control: without src_valid_mark, rp_filter drops the replies" [ "$got" = 0 ]
capture up tc
ktap_expect "up again sets src_valid_mark back to 1 and says so" \
	eval 'text_has "$out" "src_valid_mark enabled" &&
	      [ "$(nx tc sysctl -n net.ipv4.conf.all.src_valid_mark)" = 1 ]'

# ---- idempotence ----
s=$(state)
capture up tc -v
ktap_expect "up on tc again changes nothing (rules, table, nftables, sysctl)" \
	eval 'text_has "$out" "peers +0 ~0 -0, addresses +0 -0, routes +0 -0, rules +0 -0" &&
	      ! text_has "$out" "firewall:" "table:" "rule " && [ "$s" = "$(state)" ]'
run ip -n "$(ns tc)" rule del pref 32761 fwmark "$MARK" table "$TABLE"
capture up tc --dry-run
ktap_expect "up --dry-run names the missing rule" \
	text_has "$out" "+ rule -4 32761: from all fwmark 0xca6c lookup $TABLE" "rules +1 -0"
capture up tc
ktap_expect "up puts it back" eval 'text_has "$out" "rules +1 -0" && [ "$s" = "$(state)" ]'

# ---- a second mesh in the same table: refused, nothing touched ----
sed "s/^Name = $MESH\$/Name = tb2/" "$TOPO" > "$DIR/tb2.conf"
capture cgx tc wgmesh up "$DIR/tb2.conf" --private-key-file "$DIR/tc.key"
ktap_expect "up of mesh tb2 with tb's Table on tc: refused with FILE:LINE, naming tb" \
	eval '[ "$rc" = 1 ] && text_has "$out" "tb2.conf:14: Table = $TABLE already holds the routes of $IF, of mesh $MESH: give each mesh a table of its own"'
ktap_expect "... and nothing changed: no interface tb2, tb's routes and rules as they were" \
	eval '! ip -n "$(ns tc)" link show tb2 > /dev/null 2>&1 && [ "$s" = "$(state)" ]'
# down FILE of an interface whose file names tb's Table (changed since its
# up): its rules are tb's, they stay
run ip -n "$(ns tc)" link add tb2 type wireguard
run ip -n "$(ns tc)" link set tb2 alias "wgmesh:tb2"
run ip netns exec "$(ns tc)" wg set tb2 private-key "$DIR/tc.key"
capture cgx tc wgmesh down "$DIR/tb2.conf"
ktap_expect "down of tb2, whose file has tb's Table: tb2 removed, tb's rules left alone" \
	eval '[ "$rc" = 0 ] && text_has "$out" "tb2: Table = $TABLE holds the routes of $IF: its rules stay" &&
	      ! ip -n "$(ns tc)" link show tb2 > /dev/null 2>&1 && [ "$s" = "$(state)" ]'

# ---- down, up again ----
capture cgx tc wgmesh down "$TOPO"
ktap_expect "down on tc: rules removed, src_valid_mark given back" \
	text_has "$out" "table: 8 rules removed" "src_valid_mark set back to 0"
ktap_expect "tc: after down, as before up (main, rules, tables, nftables, sysctl)" [ "$BEFORE" = "$(state)" ]
ktap_expect "tc: the exec cgroup is gone" eval '! ls -d "$CGROOT"/wgmesh/net-*/"$MESH" 2>/dev/null'
capture up tc
ktap_expect "up on tc again: applied" [ "$rc" = 0 ]
ping_retry tc -m "$MARK" "$(v4 gw)"
g0=$(inet_seen 10.88.1.2)
check_ping "up again: ping -m reaches inet" tc "$INET" -m "$MARK" -c 3 -i 0.2 -w 5
check_delta "... from gw's uplink address" "$g0" "$(inet_seen 10.88.1.2)" -ge 3

# ---- down FILE after the table was flushed by hand ----
run ip -n "$(ns tc)" -4 route flush table "$TABLE"
run ip -n "$(ns tc)" -6 route flush table "$TABLE"
capture cgx tc wgmesh down "$TOPO"
ktap_expect "down FILE after a flush of table $TABLE: its rules found by the file's Table, removed" \
	eval '[ "$rc" = 0 ] && text_has "$out" "table: 8 rules removed" && [ "$BEFORE" = "$(state)" ]'

check_dmesg_clean
ktap_finished
