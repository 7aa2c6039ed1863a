#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Drop events (issue 16, item 4), on the clan-core scenario of
# selftests/lib/clan.sh with a default-deny policy in which lab (peer1,
# peer3) may not talk to office (peer2):
#   - with nobody listening, peer1's echoes to peer2 are dropped (policy)
#     by ctrl2 and counted, and no event is made (events stays 0);
#   - "wgmesh watch FILE --events" on ctrl2 prints one line per event with
#     the reason, peer1 by name, peer2's address and a packet count, and
#     with --json one object a line that jq parses to the same;
#   - 200 drops to 200 different destinations within a second overflow
#     the per-CPU table and the message budget: what no event reports
#     comes as one "not reported" line and counts in events_lost, and
#     events plus that add up to the 200 packets;
#   - a user without CAP_NET_ADMIN in ctrl2's namespace (unshare -Ur)
#     cannot subscribe;
#   - the watch daemon on ctrl1 logs the drops of peer2's echoes to peer1;
#   - a listener subscribed and drops flowing while the interface is
#     deleted, the namespace goes and the module is removed: no splat.
#
# wgmesh-timeout: 600

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/lib/ktap.sh"
. "$here/lib/clan.sh"

clan_init
ktap_need jq unshare timeout wgmesh-ctl

ktap_print_header
ktap_set_plan 21

CLAN_GROUPS_ctrl1=infra
CLAN_GROUPS_ctrl2=infra
CLAN_GROUPS_peer1=lab
CLAN_GROUPS_peer3=lab
CLAN_GROUPS_peer2=office
clan_underlay
clan_keys
clan_topology "" "[Policy]" "Default = deny" "Allow = lab <-> lab" "Allow = infra <-> office"
load_wgmesh || ktap_exit_fail_msg "loading wgmesh.ko"
for m in "${CLAN_MACHINES[@]}"; do
	clan_up "$m" || ktap_exit_fail_msg "wgmesh up on $m"
	clan_hosts "$m" || ktap_exit_fail_msg "wgmesh hosts --install on $m"
done
clan_handshakes

# addr NAME: NAME's mesh IPv6 address (what its host name resolves to)
addr() { wgmesh addresses "$CLAN_TOPO" --json | jq -r ".machines[] | select(.name == \"$1\") | .address"; }
PEER1=$(addr peer1)
PEER2=$(addr peer2)
ktap_print_msg "peer1 $PEER1, peer2 $PEER2"

# stat_of CTRL KEY: a device counter of CTRL's wgmesh.ko (status --json)
stat_of()
{
	ip netns exec "$(ns "$1")" wgmesh status --file "$CLAN_TOPO" --json |
		tr -d ' \n' | grep -o "\"module\":{[^}]*\"stats\":{[^}]*" |
		grep -o "\"$2\":[0-9]*" | grep -o '[0-9]*$'
}
# deny SRC DST N: SRC sends N echoes to DST, which the policy drops
deny() { run ip netns exec "$(ns "$1")" ping -6 -c "$3" -i 0.2 -W 1 "$2.$CLAN_MESH" >/dev/null 2>&1; }

# 1. Nobody listens: drops are counted, no event is made.
drops0=$(stat_of ctrl2 drop_policy)
ev0=$(stat_of ctrl2 events)
deny peer1 peer2 5
sleep 1.5
drops1=$(stat_of ctrl2 drop_policy)
ev1=$(stat_of ctrl2 events)
ktap_print_msg "no listener: ctrl2 drop_policy $drops0 -> $drops1, events $ev0 -> $ev1"
ktap_expect "no listener: ctrl2 drops peer1's echoes to peer2 (drop_policy +5)" \
	[ "$((drops1 - drops0))" -ge 5 ]
ktap_expect "no listener: no drop event is made (events stays 0)" \
	[ "${ev0:-x}${ev1:-x}" = 00 ]

# events_start NAME TAG ARGS...: wgmesh watch FILE --events ARGS in NAME's
# namespace, its output in $CLAN_DIR/ev-TAG.log, its pid in EV_PID[TAG]
declare -A EV_PID=()
events_start()
{
	local m=$1 tag=$2 log=$CLAN_DIR/ev-$2.log
	shift 2
	echo "# \$ ip netns exec $(ns "$m") wgmesh watch $CLAN_TOPO --events $* > $log &" >&2
	ip netns exec "$(ns "$m")" wgmesh watch "$CLAN_TOPO" --events "$@" > "$log" 2>&1 &
	EV_PID[$tag]=$!
}
events_stop()
{
	run kill -TERM "${EV_PID[$1]}"
	wait "${EV_PID[$1]}"
	rc=$?
	sed "s/^/#   $1: /" "$CLAN_DIR/ev-$1.log"
	return $rc
}

# 2. watch --events prints them, as lines and as JSON.
events_start ctrl2 text
events_start ctrl2 json --json
sleep 1
deny peer1 peer2 4
sleep 2.5
ktap_expect "watch --events exits 0 on SIGTERM" events_stop text
ktap_expect "watch --events --json exits 0 on SIGTERM" events_stop json
line="$CLAN_IF: dropped [0-9]* packets\? (policy) from peer peer1 to $PEER2"
ktap_expect "a line says: dropped N packets (policy) from peer peer1 to peer2's address" \
	grep -q "^$line\$" "$CLAN_DIR/ev-text.log"
n=$(sed -n "s/^$CLAN_IF: dropped \([0-9]*\) packets\? (policy) from peer peer1 to .*/\1/p" "$CLAN_DIR/ev-text.log" | awk '{ s += $1 } END { print s + 0 }')
ktap_expect "the counts add up to the 4 echoes ($n)" [ "$n" = 4 ]
ktap_expect "every --json line parses" jq -e . "$CLAN_DIR/ev-json.log"
ktap_expect "JSON: reason policy, from peer peer1, to peer2's address, packets" \
	[ "$(jq -sc "[.[] | select(.reason == \"policy\" and .from.role == \"peer\" and .from.name == \"peer1\" and .to == \"$PEER2\")] | map(.packets) | add" "$CLAN_DIR/ev-json.log")" = 4 ]
ev2=$(stat_of ctrl2 events)
lost2=$(stat_of ctrl2 events_lost)
ktap_expect "ctrl2 counts the events it sent ($ev2), none lost ($lost2)" \
	eval '[ "${ev2:-0}" -ge 1 ] && [ "$lost2" = 0 ]'

# 2b. Overflow: 200 unknown destinations in ctrl2's /56 (peer ids
# 0xdead0001.., no such member), from one socket in a tight loop: more
# keys than a flush interval holds, on a debug kernel too.
events_start ctrl2 many
sleep 1
pfx=$(echo "$PEER2" | cut -d: -f1-4)
run ip netns exec "$(ns peer1)" wgmesh-ctl spray "$pfx" 200 ||
	ktap_print_msg "wgmesh-ctl spray: some datagrams were not sent"
sleep 2.5
events_stop many >/dev/null
grep -c "(unknown)" "$CLAN_DIR/ev-many.log" | sed 's/^/# unknown lines: /'
grep -v "(unknown)" "$CLAN_DIR/ev-many.log" | sed 's/^/#   many: /'
reported=$(sed -n "s/^$CLAN_IF: dropped \([0-9]*\) packets\? (unknown) from peer peer1 to .*/\1/p" "$CLAN_DIR/ev-many.log" | awk '{ s += $1 } END { print s + 0 }')
lost=$(sed -n "s/^$CLAN_IF: \([0-9]*\) dropped packets\? not reported .*/\1/p" "$CLAN_DIR/ev-many.log" | awk '{ s += $1 } END { print s + 0 }')
ktap_print_msg "reported in events: $reported, not reported: $lost"
ktap_expect "overflow: a line says how many dropped packets were not reported" \
	[ "$lost" -gt 0 ]
ktap_expect "overflow: events plus the unreported add up to the 200 packets" \
	[ "$((reported + lost))" = 200 ]
ktap_expect "overflow: events_lost counts the unreported ($(stat_of ctrl2 events_lost))" \
	[ "$(stat_of ctrl2 events_lost)" = "$lost" ]

# 3. Without CAP_NET_ADMIN in the namespace: refused by the kernel.
clan_capture ip netns exec "$(ns ctrl2)" timeout 5 unshare -Ur wgmesh watch "$CLAN_TOPO" --events
ktap_expect "unshare -Ur: watch --events fails (exit $rc) with EPERM" \
	eval '[ "$rc" = 1 ] && text_has "$err" "Operation not permitted"'

# 4. The watch daemon logs them (ctrl1 drops peer2's echoes to peer1).
log=$CLAN_DIR/watch-ctrl1.log
echo "# \$ ip netns exec $(ns ctrl1) wgmesh watch $CLAN_TOPO --private-key-file $CLAN_DIR/ctrl1.key > $log &" >&2
ip netns exec "$(ns ctrl1)" wgmesh watch "$CLAN_TOPO" --private-key-file "$CLAN_DIR/ctrl1.key" > "$log" 2>&1 &
WATCH=$!
sleep 1
deny peer2 peer1 3
sleep 2.5
run kill -TERM "$WATCH"
wait "$WATCH"
sed 's/^/#   ctrl1: /' "$log"
ktap_expect "watch on ctrl1 logs: dropped N packets (policy) from peer peer2 to peer1's address" \
	grep -q "^$CLAN_IF: dropped [0-9]* packets\? (policy) from peer peer2 to $PEER1\$" "$log"

# 5. Teardown under load with a listener: interface, namespace, module.
# flood SRC DST: SRC sends echoes to DST every 20 ms until killed
flood()
{
	echo "# \$ ip netns exec $(ns "$1") ping -6 -i 0.02 $2.$CLAN_MESH &" >&2
	ip netns exec "$(ns "$1")" ping -6 -i 0.02 -W 1 "$2.$CLAN_MESH" >/dev/null 2>&1 &
}
events_start ctrl2 del
flood peer1 peer2
F1=$!
ktap_expect "ctrl2's listener hears the flood" wait_for "$CLAN_DIR/ev-del.log" "(policy) from peer peer1" 10
ktap_expect "ip link del the interface on ctrl2, listener subscribed and drops flowing" \
	run ip netns exec "$(ns ctrl2)" ip link del "$CLAN_IF"
sleep 1.5
ktap_expect "the listener survives it" kill -0 "${EV_PID[del]}"
events_stop del
kill "$F1" 2>/dev/null

events_start ctrl1 netns
flood peer2 peer1
F2=$!
ktap_expect "ctrl1's listener hears the flood" wait_for "$CLAN_DIR/ev-netns.log" "(policy) from peer peer2" 10
kill -TERM "${EV_PID[netns]}"
wait "${EV_PID[netns]}"
# ctrl1's namespace goes with its attached interface, while drops flow.
ktap_expect "ip netns del ctrl1's namespace, drops flowing" run ip netns del "$(ns ctrl1)"
sleep 2
kill "$F2" 2>/dev/null
# The module goes while a listener (in the initial namespace) is subscribed.
echo "# \$ wgmesh watch $CLAN_TOPO --events > $CLAN_DIR/ev-rmmod.log &" >&2
wgmesh watch "$CLAN_TOPO" --events > "$CLAN_DIR/ev-rmmod.log" 2>&1 &
L=$!
sleep 1
for m in peer1 peer2 peer3; do
	ip netns exec "$(ns "$m")" ip link del "$CLAN_IF" 2>/dev/null
done
ktap_expect "rmmod wgmesh with a listener subscribed" run rmmod wgmesh
kill -TERM "$L" 2>/dev/null
wait "$L"
check_dmesg_clean

ktap_finished
