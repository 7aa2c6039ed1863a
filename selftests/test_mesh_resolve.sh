#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# "wgmesh watch" re-resolves controllers' endpoint host names (issue 16,
# item 2), on the clan-core scenario of selftests/lib/clan.sh: ctrl1's
# endpoint is the host name ctrl1.underlay, which every machine resolves
# through its namespace's hosts file (/etc/netns/NS/hosts, bind-mounted
# over /etc/hosts by ip netns exec: a long-running watch keeps that mount,
# so the file is rewritten in place, never renamed over); ctrl2's is an
# address literal, never re-resolved. watch runs on every machine with
# [Mesh] ResolveInterval = 1.
#
#   1. peer3's up ran while the name did not resolve (endpoint left unset,
#      exit 3): once it resolves, peer3's watch fills the endpoint in.
#   2. The name resolves to the same address round after round: no
#      endpoint is set, no line is logged, no handshake is renewed.
#   3. ctrl1 moves twice: (a) make before break, no traffic but watch's
#      probes: fd77:1::3 added, the hosts files changed, fd77:1::2 removed:
#      every machine's entry of ctrl1 follows the name within the
#      interval (+ the VM's slack), the peers log "endpoint of ctrl1: OLD
#      -> NEW (ctrl1.underlay)"; (b) break before make, as with dynamic
#      DNS, pinged and forwarding throughout: fd77:1::4 added, fd77:1::3
#      removed, then the hosts files: the entries follow within the
#      interval (the name, or WireGuard's roaming when a reply of ctrl1's
#      was under way). No flow stops for longer than that, no session is
#      renewed.
#   4. The name stops resolving on peer1: one line, the endpoint stays;
#      it resolves again: one line.
#
#          ctrl1 (fd77:1::2 -> ::3 -> ::4, "ctrl1.underlay")    ctrl2
#           ║ ║ ║                                              ║ ║ ║
#       peer1 peer2 peer3                                  peer1 peer2 peer3
#
# wgmesh-timeout: 420

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/lib/ktap.sh"
. "$here/lib/clan.sh"

clan_init

ktap_print_header
ktap_set_plan 49

RESOLVE=1
OLD=fd77:1::2
NEW=fd77:1::3
NEW2=fd77:1::4
# The VM's own stalls (TCG on a loaded host) on top of the interval; the
# debug lane's KASAN and lockdep kernel stalls WGMESH_TIMEOUT_SCALE times
# longer (as in lib/checks.sh's check_iperf).
SLACK=3
[ -z "${WGMESH_DEBUG_LANE:-}" ] || SLACK=$((SLACK * ${WGMESH_TIMEOUT_SCALE:-1}))
declare -A PING_PID=()

clan_setup
# watch's resolve interval from the file.
awk -v r=$RESOLVE '{ print } /^MTU = / { print "ResolveInterval = " r }' \
	"$CLAN_TOPO" > "$CLAN_TOPO.new" && mv "$CLAN_TOPO.new" "$CLAN_TOPO"
sed -n '/^\[Mesh\]/,/^$/s/^/#   /p' "$CLAN_TOPO"
sed -n '/^\[Controller/,/^Endpoint/s/^/#   /p' "$CLAN_TOPO"

# hosts_name NAME ADDR: NAME's hosts file resolves ctrl1.underlay to ADDR
# (none: not at all), rewritten in place
hosts_name()
{
	local f=/etc/netns/$(ns "$1")/hosts
	echo "# \$ rewrite $f in place: ctrl1.underlay ${2:-(none)}" >&2
	{
		grep -v ' ctrl1\.underlay$' "$f"
		[ -z "$2" ] || echo "$2 ctrl1.underlay"
	} > "$CLAN_DIR/hosts.new"
	cat "$CLAN_DIR/hosts.new" > "$f"
}

# endpoint NAME CTRL: CTRL's endpoint in NAME's interface ((none) if unset)
endpoint()
{
	ip netns exec "$(ns "$1")" wg show "$CLAN_IF" endpoints |
		awk -v k="${CLAN_PUB[$2]}" '$1 == k { print $2 }'
}

# handshake NAME CTRL: CTRL's latest handshake on NAME
handshake()
{
	ip netns exec "$(ns "$1")" wg show "$CLAN_IF" latest-handshakes |
		awk -v k="${CLAN_PUB[$2]}" '$1 == k { print $2 }'
}

# 1. peer3's up while the name does not resolve: ctrl1's entry is removed
# and up adds it back without an endpoint.
hosts_name peer3 ""
run ip netns exec "$(ns peer3)" wg set "$CLAN_IF" peer "${CLAN_PUB[ctrl1]}" remove
clan_capture clan_up peer3
ktap_expect "peer3: up with ctrl1.underlay unresolvable exits 3, endpoint left unset (exit $rc)" \
	eval '[ "$rc" = 3 ] && [ "$(endpoint peer3 ctrl1)" = "(none)" ] &&
	      grep -q "controller ctrl1: cannot resolve ctrl1.underlay" <<< "$err"'

for m in "${CLAN_MACHINES[@]}"; do
	clan_watch "$m"
done
for m in ctrl2 "${CLAN_PEERS[@]}"; do
	ktap_expect "$m: watch re-resolves ctrl1.underlay every $RESOLVE s" \
		watch_wait "$m" "re-resolving 1 endpoint host name every $RESOLVE s" 5
done
# ctrl1 has no name to resolve (ctrl2's endpoint is a literal).
ktap_expect "ctrl1: watch runs and has no name to re-resolve" eval \
	'watch_wait ctrl1 "watching 2 controllers as ctrl1" 5 &&
	 ! grep -q "re-resolving" "$CLAN_DIR/watch-ctrl1.log"'
ktap_expect "peer3: the unresolvable name is logged, the endpoint stays unset" eval \
	'watch_wait peer3 "controller ctrl1: cannot resolve ctrl1.underlay (" 5 &&
	 grep -F "controller ctrl1: cannot resolve" "$CLAN_DIR/watch-peer3.log" |
	 grep -qF "): endpoint stays unset"'
hosts_name peer3 $OLD
ktap_expect "peer3: once the name resolves, watch fills the endpoint in" \
	watch_wait peer3 "endpoint of ctrl1: - -> [$OLD]:51820 (ctrl1.underlay)" $((RESOLVE + SLACK))
ktap_expect "peer3: ... it says the name resolves again" \
	watch_wait peer3 "controller ctrl1: ctrl1.underlay resolves again" 1
ktap_expect "peer3: ... and its entry of ctrl1 has it: $(endpoint peer3 ctrl1)" \
	[ "$(endpoint peer3 ctrl1)" = "[$OLD]:51820" ]
ktap_expect "peer3: ... and reaches ctrl1 over the mesh" clan_ping_retry peer3 ctrl1
clan_handshakes

# kept_session PEER HS: PEER's latest handshake with ctrl1 is still HS
kept_session()
{
	local now
	now=$(handshake "$1" ctrl1)
	[ "$now" = "$2" ] && [ "${2:-0}" -gt 0 ] && return 0
	ktap_print_msg "$1: latest handshake with ctrl1 $2 -> $now"
	return 1
}

# 2. The name resolves to the address the entries have: nothing is set.
declare -A HS=()
for p in "${CLAN_PEERS[@]}"; do
	HS[$p]=$(handshake "$p" ctrl1)
done
sleep $((4 * RESOLVE))
for p in "${CLAN_PEERS[@]}"; do
	ktap_expect "$p: unchanged name: endpoint $(endpoint "$p" ctrl1) kept, nothing logged" \
		eval '[ "$(endpoint $p ctrl1)" = "[$OLD]:51820" ] &&
		      [ "$(watch_count $p "endpoint of ctrl1: [")" = 0 ]'
	timing_expect "$p: ... and its session: handshake ${HS[$p]} kept" \
		kept_session "$p" "${HS[$p]}"
done

# 3. ctrl1 moves twice, its sessions kept.
for p in "${CLAN_PEERS[@]}"; do
	HS[$p]=$(handshake "$p" ctrl1)
done
# moved NAME ADDR: NAME's entry of ctrl1 has ADDR, port 51820
moved() { [ "$(endpoint "$1" ctrl1)" = "[$2]:51820" ]; }
# wait_moved NAME ADDR SECS
wait_moved()
{
	local i
	for ((i = 0; i < $3 * 10; i++)); do
		moved "$1" "$2" && return 0
		sleep 0.1
	done
	return 1
}
# since T: seconds from T to now
since() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }'; }

# 3a. Make before break: the new address, then the name, then the old
# address goes. Only the name can move the entries: ctrl1 answers from
# the old address (WireGuard's cached source) until peers send to the new.
# (No flows yet: a reply to a packet sent to the old address just before
# the switch would roam the entry back there, which watch then leaves
# while packets come from there.)
run ip -n "$(ns ctrl1)" addr add $NEW/64 dev eth0 nodad
for m in "${CLAN_MACHINES[@]}"; do
	hosts_name "$m" $NEW
done
T_HOSTS=$EPOCHREALTIME
# (Not ctrl2's: ctrl1's probes to it still come from the old address, and
# WireGuard may roam ctrl2's entry back there until that address goes.)
for m in "${CLAN_PEERS[@]}"; do
	ktap_expect "$m: its entry of ctrl1 follows the name to [$NEW]:51820 within $RESOLVE s (+$SLACK s)" \
		wait_moved "$m" $NEW $((RESOLVE + SLACK))
done
ktap_print_msg "the last entry followed $(since "$T_HOSTS") s after the hosts files changed"
for p in "${CLAN_PEERS[@]}"; do
	ktap_expect "$p: logged 'endpoint of ctrl1: [$OLD]:51820 -> [$NEW]:51820 (ctrl1.underlay)' once" \
		[ "$(watch_count "$p" "endpoint of ctrl1: [$OLD]:51820 -> [$NEW]:51820 (ctrl1.underlay)")" = 1 ]
done
run ip -n "$(ns ctrl1)" addr del $OLD/64 dev eth0

# Pings to ctrl1 (and through it, peer1 -> peer3) from now on.
FLOWS=(peer1:ctrl1 peer2:ctrl1 peer3:ctrl1 peer1:peer3)
for f in "${FLOWS[@]}"; do
	IFS=: read -r s d <<< "$f"
	echo "# \$ ip netns exec $(ns "$s") ping -6 -D -i 0.2 -W 1 $d.$CLAN_MESH > $CLAN_DIR/ping-$f.log &" >&2
	ip netns exec "$(ns "$s")" ping -6 -D -i 0.2 -W 1 "$d.$CLAN_MESH" > "$CLAN_DIR/ping-$f.log" 2>&1 &
	PING_PID[$f]=$!
done
sleep 2
T_MOVE=$EPOCHREALTIME

# 3b. Break before make, as with dynamic DNS: the address changes, the
# name follows. Either the name moves the entries or, when a packet of
# ctrl1's was under way as the old address went, WireGuard's roaming did
# it first; within the interval either way.
run ip -n "$(ns ctrl1)" addr add $NEW2/64 dev eth0 nodad
run ip -n "$(ns ctrl1)" addr del $NEW/64 dev eth0
for m in "${CLAN_MACHINES[@]}"; do
	hosts_name "$m" $NEW2
done
T_HOSTS2=$EPOCHREALTIME
for m in ctrl2 "${CLAN_PEERS[@]}"; do
	ktap_expect "$m: its entry of ctrl1 follows to [$NEW2]:51820 within $RESOLVE s (+$SLACK s)" \
		wait_moved "$m" $NEW2 $((RESOLVE + SLACK))
done
T_MOVED=$EPOCHREALTIME
ktap_print_msg "the last entry followed $(since "$T_HOSTS2") s after the hosts files changed"
for m in ctrl2 "${CLAN_PEERS[@]}"; do
	ktap_print_msg "$m: $(watch_count "$m" "endpoint of ctrl1: [$NEW]:51820 -> [$NEW2]:51820") 'endpoint of' line(s) for the second move (0: WireGuard's roaming was first)"
done
sleep 3
T_END=$EPOCHREALTIME
for f in "${FLOWS[@]}"; do
	kill -INT "${PING_PID[$f]}"
	wait "${PING_PID[$f]}" 2>/dev/null
done

# answered_after LOG T: a reply later than T in ping -D's "[epoch] 64 bytes from" lines
answered_after()
{
	awk -v t="$2" '/bytes from/ { if (substr($1, 2, length($1) - 2) + 0 > t) { ok = 1; exit } }
		END { exit !ok }' "$1"
}
for f in "${FLOWS[@]}"; do
	IFS=: read -r s d <<< "$f"
	log=$CLAN_DIR/ping-$f.log
	ktap_print_msg "$s -> $d: longest gap $(ping_gap "$log" "$T_MOVE" "$T_END") s around the moves; $(grep -E 'packets transmitted' "$log")"
	ktap_expect "$s -> $d: answered again after the moves" answered_after "$log" "$T_MOVED"
	timing_expect "$s -> $d: no gap over the interval + $SLACK s" \
		awk -v g="$(ping_gap "$log" "$T_MOVE" "$T_END")" -v m=$((RESOLVE + SLACK)) 'BEGIN { exit !(g <= m) }'
done
for p in "${CLAN_PEERS[@]}"; do
	timing_expect "$p: the moves kept the session with ctrl1 (latest handshake ${HS[$p]} unchanged)" \
		kept_session "$p" "${HS[$p]}"
done

# 4. The name stops resolving on peer1: one line, the endpoint stays.
fails=$(watch_count peer1 "controller ctrl1: cannot resolve")
agains=$(watch_count peer1 "resolves again")
sets=$(watch_count peer1 "endpoint of ctrl1: [")
hosts_name peer1 ""
ktap_expect "peer1: the failure is logged with the endpoint kept" \
	watch_wait peer1 "): endpoint stays [$NEW2]:51820" $((RESOLVE + SLACK))
sleep $((4 * RESOLVE))
ktap_expect "peer1: ... once, not every round" \
	[ "$(watch_count peer1 "controller ctrl1: cannot resolve")" = $((fails + 1)) ]
ktap_expect "peer1: ... the endpoint is still [$NEW2]:51820" moved peer1 $NEW2
ktap_expect "peer1: ... and ctrl1 still answers" clan_ping_retry peer1 ctrl1
hosts_name peer1 $NEW2
ktap_expect "peer1: the name resolves again: one line, nothing set" eval \
	'watch_wait peer1 "controller ctrl1: ctrl1.underlay resolves again" $((RESOLVE + SLACK)) &&
	 [ "$(watch_count peer1 "resolves again")" = $((agains + 1)) ] && moved peer1 $NEW2 &&
	 [ "$(watch_count peer1 "endpoint of ctrl1: [")" = $sets ]'

# zombies PID: children of PID that exited and were not reaped
zombies()
{
	# (cat reads on past a process gone since the glob)
	cat /proc/[0-9]*/stat 2>/dev/null |
		awk -v pp="$1" '$4 == pp && $3 == "Z" { n++ } END { print n + 0 }'
}
for m in ctrl2 "${CLAN_PEERS[@]}"; do
	ktap_expect "$m: its watch left no unreaped resolver behind ($(zombies "${WATCH_PID[$m]}"))" \
		[ "$(zombies "${WATCH_PID[$m]}")" = 0 ]
done
bad=
for m in "${CLAN_MACHINES[@]}"; do
	run kill -TERM "${WATCH_PID[$m]}"
	wait "${WATCH_PID[$m]}"
	rc=$?
	[ "$rc" = 0 ] || bad="$bad $m:$rc"
	sed "s/^/#   $m: /" "$CLAN_DIR/watch-$m.log"
done
ktap_expect "every watch exits 0 on SIGTERM${bad:+ (not:$bad)}" [ -z "$bad" ]
check_dmesg_clean

ktap_finished
