#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# wgmesh genl family (VM): attach/detach, refusals, malformed and
# unprivileged requests (right errno and extack text), per-command policies,
# GET_TOPOLOGY round trip with the generation, a failed SET leaves the live
# topology alone, a 10,000-peer topology replace is fast, the largest policy
# with 100,000 members dumps through libmnl's 4 KiB buffer, a dump that
# outlives its topology is flagged, and a user namespace's members are
# capped. Driven by selftests/wgmesh-ctl.

. "$(dirname "$0")/lib/ktap.sh"

ko=${WGMESH_KO:?WGMESH_KO is not set (run me with selftests/vm/run.sh)}
P=fdeb:f20c::

# expect_err DESC ERRNO_TEXT MSG_TEXT CMD...: CMD fails, and its one error
# line carries both the errno text and the kernel's extack message.
expect_err()
{
	local desc=$1 errtext=$2 msg=$3 out
	shift 3
	echo "# \$ $*" >&2
	if out=$("$@" 2>&1); then
		echo "# unexpectedly succeeded: $out"
		ktap_test_fail "$desc"
		return
	fi
	echo "# $out"
	if [[ $out == *"$errtext"* && $out == *"$msg"* ]]; then
		ktap_test_pass "$desc"
	else
		ktap_test_fail "$desc (wanted '$errtext' and '$msg')"
	fi
}

# expect_out DESC EXPECTED CMD...: CMD succeeds and prints exactly EXPECTED.
expect_out()
{
	local desc=$1 want=$2 out
	shift 2
	echo "# \$ $*" >&2
	if out=$("$@" 2>&1) && [ "$out" = "$want" ]; then
		ktap_test_pass "$desc"
	else
		echo "# got:"; echo "$out" | sed 's/^/#   /'
		echo "# wanted:"; echo "$want" | sed 's/^/#   /'
		ktap_test_fail "$desc"
	fi
}

# wgmesh-ctl -u drops to that uid (busybox's setpriv cannot)
nobody() { "$1" -u 65534 "${@:2}"; }
now_ms() { local t=${EPOCHREALTIME/./}; echo $((t / 1000)); }

ktap_print_header
ktap_set_plan 55

run modprobe wireguard
ktap_test_result "insmod wgmesh.ko" insmod "$ko"
run ip link add wg0 type wireguard
run ip link add dummy0 type dummy
wgidx=$(cat /sys/class/net/wg0/ifindex)

expect_err "attach to a dummy device is refused" "Operation not supported" \
	"not a WireGuard device" wgmesh-ctl attach dummy0
expect_err "attach to a missing device" "No such device" \
	"no device with this name" wgmesh-ctl attach nosuch0
expect_err "unprivileged attach is refused" "Operation not permitted" "" \
	nobody wgmesh-ctl attach wg0
expect_err "user-namespace root cannot attach in the initial netns" \
	"Operation not permitted" "" unshare -U -r wgmesh-ctl attach wg0
# The datapath is wg0's receive handler, which a device has one of: taken
# (here by a helper module, as a bond, team or Open vSwitch would take it),
# attach says so; attached, nothing else takes it.
helper=${WGMESH_KMOD:?WGMESH_KMOD is not set}/wgmesh_test_rx_handler.ko
take=/sys/module/wgmesh_test_rx_handler/parameters/take
ktap_test_result "load the receive-handler helper" insmod "$helper"
ktap_test_result "the helper takes wg0's receive handler" sh -c "echo wg0 > $take"
expect_err "attach to a device whose receive handler is taken gives EBUSY" \
	"Device or resource busy" "already has a receive handler" \
	wgmesh-ctl attach wg0
run sh -c "echo > $take"
ktap_test_result "attach wg0 by ifindex" wgmesh-ctl attach "@$wgidx"
expect_err "attached, wg0's receive handler cannot be taken" \
	"Device or resource busy" "" sh -c "echo wg0 > $take"
ktap_test_result "rmmod the receive-handler helper" rmmod wgmesh_test_rx_handler
expect_err "second attach gives EEXIST" "File exists" "already attached" \
	wgmesh-ctl attach wg0
expect_out "attached without a topology reports no generation" \
	"topology ifindex=$wgidx ifname=wg0 generation=none" wgmesh-ctl show wg0

ktap_test_result "set a topology" wgmesh-ctl set wg0 --prefix $P --self 0x3bf7 \
	--generation 7 --default-deny --controller 0x3bf7:0x1 \
	--controller 0xc1aa:0x3 --peer 0x698750a0:0x2:isolated \
	--peer 0x3b213ced:0x8000000000000000 --allow 0-1 --allow 63-63
want="topology ifindex=$wgidx ifname=wg0 generation=7 prefix=fdeb:f20c:: self=0x3bf7 flags=default-deny controllers=2 peers=2 allow=0-1,63-63
controller id=0x3bf7 groups=0x1 flags=none
controller id=0xc1aa groups=0x3 flags=none
peer id=0x698750a0 groups=0x2 flags=isolated
peer id=0x3b213ced groups=0x8000000000000000 flags=none"
expect_out "GET_TOPOLOGY round trip (generation, flags, groups, pairs)" \
	"$want" wgmesh-ctl show wg0
expect_err "unprivileged GET_TOPOLOGY is refused" "Operation not permitted" "" \
	nobody wgmesh-ctl show wg0
expect_err "unprivileged GET_STATS is refused" "Operation not permitted" "" \
	nobody wgmesh-ctl stats wg0
expect_err "unprivileged SET_TOPOLOGY is refused" "Operation not permitted" "" \
	nobody wgmesh-ctl set wg0 --prefix $P --self 0x3bf7

expect_err "duplicate peer id: EEXIST naming the peer" "File exists" \
	"duplicate peer id" wgmesh-ctl set wg0 --prefix $P --self 1 \
	--peer 0x1234 --peer 0x99 --peer 0x1234
expect_err "duplicate peer id error names the id" "" "0x00001234" \
	wgmesh-ctl set wg0 --prefix $P --self 1 --peer 0x1234 --peer 0x1234
expect_err "duplicate controller id" "File exists" "duplicate controller id" \
	wgmesh-ctl set wg0 --prefix $P --self 1 --controller 9 --controller 9
expect_err "peer id 0 is refused" "Invalid argument" "peer id 0 is reserved" \
	wgmesh-ctl set wg0 --prefix $P --self 1 --peer 0
expect_err "prefix with bits past /40 is refused" "Invalid argument" \
	"mesh prefix must be" wgmesh-ctl set wg0 --prefix fdeb:f20c:1:: --self 1
expect_err "non-ULA prefix is refused" "Invalid argument" \
	"mesh prefix must be" wgmesh-ctl set wg0 --prefix 2001:db8:: --self 1
expect_err "group 64 in an allow entry is refused" \
	"Numerical result out of range" "" wgmesh-ctl raw wg0 allow-group-64
expect_err "allow entry without a mask is refused" "Invalid argument" \
	"needs WGMESH_ALLOW_A_GROUP and WGMESH_ALLOW_A_MASK" \
	wgmesh-ctl raw wg0 allow-no-mask
expect_err "self must be a controller" "Invalid argument" \
	"not one of the controllers" wgmesh-ctl raw wg0 self-not-controller
expect_err "17-bit controller id is refused" "Invalid argument" \
	"more than 16 bits" wgmesh-ctl raw wg0 controller-id-17bit
expect_err "17-bit self id is refused" "Invalid argument: self id" \
	"is more than 16 bits" wgmesh-ctl raw wg0 self-id-17bit
expect_err "8-byte prefix attribute is refused" "Numerical result out of range" "" \
	wgmesh-ctl raw wg0 short-prefix
expect_err "missing prefix is refused" "Invalid argument" \
	"missing WGMESH_A_PREFIX" wgmesh-ctl raw wg0 missing-prefix
expect_err "an attribute given twice is refused" "Invalid argument" \
	"attribute given twice" wgmesh-ctl raw wg0 twice-prefix
expect_err "GET refuses an attribute only SET takes" "Invalid argument" \
	"Unknown attribute type" wgmesh-ctl raw wg0 get-with-prefix
expect_err "ifindex 0 is refused by the policy" "Numerical result out of range" "" \
	wgmesh-ctl raw wg0 ifindex-0
expect_err "unknown topology flag is refused" "Invalid argument" "" \
	wgmesh-ctl raw wg0 bad-flags
expect_err "unknown member flag is refused" "Invalid argument" "" \
	wgmesh-ctl raw wg0 bad-member-flags
expect_err "member without id is refused" "Invalid argument" \
	"member without WGMESH_MEMBER_A_ID" wgmesh-ctl raw wg0 no-member-id
expect_err "output-only attribute in a request is refused" "Invalid argument" \
	"Unknown attribute type" wgmesh-ctl raw wg0 output-attr
expect_err "member counters in a request are refused" "Invalid argument" \
	"output only" wgmesh-ctl raw wg0 member-stats
expect_err "unknown attribute is refused" "" "" \
	wgmesh-ctl raw wg0 unknown-attr
expect_err "ifindex and ifname together are refused" "Invalid argument" \
	"not both" wgmesh-ctl raw wg0 both-devs
expect_err "request without a device is refused" "Invalid argument" \
	"missing WGMESH_A_IFINDEX or WGMESH_A_IFNAME" wgmesh-ctl raw wg0 no-dev
expect_out "failed requests left the live topology alone" "$want" \
	wgmesh-ctl show wg0
# Members come in any order; the dump gives each its own subnets.
ktap_test_result "SET with a peer before the controller" \
	wgmesh-ctl raw wg0 peer-first
show=$(wgmesh-ctl show wg0)
echo "$show" | sed 's/^/# /'
ktap_test_result "... the dump gives each member its own subnet" \
	eval 'grep -qx "controller id=0x3bf7 .* subnets=192.168.7.0/24" <<< "$show" &&
	      grep -qx "peer id=0x00000005 .* subnets=172.27.88.0/24" <<< "$show"'

# 10,000 peers: ~240 KiB, several PEERS nests; time is wall clock under TCG.
# replaced: the 10,000-peer set, then its replace in under 3 s,
# dumped back whole with generation 9
replaced()
{
	local t0 t1 t2 out

	t0=$(now_ms)
	run wgmesh-ctl set wg0 --prefix $P --self 0x3bf7 --generation 8 \
		--random-peers 10000:1 || return 1
	t1=$(now_ms)
	run wgmesh-ctl set wg0 --prefix $P --self 0x3bf7 --generation 9 \
		--random-peers 10000:2 || return 1
	t2=$(now_ms)
	ktap_print_msg "10,000-peer set took $((t1 - t0)) ms, replace took $((t2 - t1)) ms (TCG)"
	out=$(wgmesh-ctl show wg0)
	[ "$(echo "$out" | head -1 | grep -o 'generation=[0-9]* ')" = "generation=9 " ] &&
		echo "$out" | head -1 | grep -q ' peers=10000 ' &&
		[ "$(echo "$out" | grep -c '^peer ')" -eq 10000 ] &&
		[ $((t2 - t1)) -lt 3000 ]
}
ktap_expect "10,000-peer replace: dumped back whole, generation 9, < 3 s under TCG" replaced

# The largest policy (64 groups, every pair) and 100,000 members: every
# dump fits libmnl's default 4 KiB receive buffer.
ktap_test_result "set 100,000 peers, every group allowed to every group" \
	wgmesh-ctl set wg0 --prefix $P --self 0x3bf7 --generation 10 \
	--random-peers 100000:3 --allow-all
out=$(wgmesh-ctl --rcvbuf 4096 show wg0)
ktap_print_msg "$(echo "$out" | head -n 1 | cut -c 1-160)..."
ktap_expect "GET_TOPOLOGY through a 4 KiB buffer: 100,000 peers, 2,080 pairs" \
	[ "$(echo "$out" | grep -c '^peer ')" = 100000 -a \
	  "$(echo "$out" | head -n 1 | tr ',' '\n' | grep -c -- '-')" = 2080 ]
out=$(wgmesh-ctl --rcvbuf 4096 stats wg0)
ktap_expect "GET_STATS through a 4 KiB buffer: the device and 100,001 members" \
	[ "$(echo "$out" | grep -c '^peer .*drop_packets=0$')" = 100000 -a \
	  "$(echo "$out" | grep -c '^device .* drop_crossing=0\( \|$\)')" = 1 ]

# A dump whose topology is replaced after detach + attach + set (the new
# snapshot is again the first of its device) must be flagged.
run wgmesh-ctl detach wg0
run wgmesh-ctl attach wg0
run wgmesh-ctl set wg0 --prefix $P --self 0x3bf7 --random-peers 2000:4
ktap_test_result "a dump across detach, attach and set is flagged NLM_F_DUMP_INTR" \
	wgmesh-ctl race wg0

# CAP_NET_ADMIN over the device's own netns is enough: a user namespace
# root can attach a WireGuard device in a netns it owns, with at most
# WGMESH_MAX_MEMBERS_USERNS members (the send buffer is raised so that the
# cap, not the buffer, is what stops it).
wmem_max=$(sysctl -n net.core.wmem_max)
run sysctl -qw net.core.wmem_max=16777216
# shellcheck disable=SC2016
userns='ip link add wg9 type wireguard && wgmesh-ctl attach wg9 &&
	wgmesh-ctl set wg9 --prefix fdeb:f20c:: --self 1 --random-peers "$1" &&
	wgmesh-ctl show wg9 | head -n 1'
ktap_test_result "user-namespace root attaches in its own netns, 16,383 peers" \
	unshare -U -r -n bash -c "$userns" - 16383
expect_err "user-namespace root cannot set 16,385 members" \
	"Argument list too long" "limit WGMESH_MAX_MEMBERS_USERNS" \
	unshare -U -r -n bash -c "$userns" - 16384
run sysctl -qw net.core.wmem_max="$wmem_max"

ktap_test_result "detach wg0" wgmesh-ctl detach wg0
expect_err "detach again gives ENOENT" "No such file or directory" \
	"not attached" wgmesh-ctl detach wg0
ktap_test_result "rmmod wgmesh" rmmod wgmesh
run ip link del wg0
ktap_finished
