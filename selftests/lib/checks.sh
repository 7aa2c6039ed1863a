# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash source-path=SCRIPTDIR
#
# checks.sh: checks that each report one KTAP result (lib/ktap.sh) about
# machines in network namespaces (lib/netns.sh): pings that must or must
# not be answered, counter deltas, TCP throughput, the forwarding sysctl,
# a clean kernel log; and predicates for ktap_expect.

# shellcheck source=kernel.sh
. "${BASH_SOURCE[0]%/*}/kernel.sh"

# dmesg lines before the test started (mesh_init sets it)
CHECK_DMESG_START=0

# capture CMD...: run CMD (logged); its status in $rc, its output (stdout
# and stderr, without run's "# $ ..." line) in $out, shown as comments
capture()
{
	out=$(run "$@" 2>&1)
	rc=$?
	out=$(grep -v '^# \$ ' <<< "$out")
	echo "$out" | sed 's/^/#   /'
}

# load_wgmesh: $WGMESH_KO (the build under test) loaded, unless wgmesh.ko
# already is; without WGMESH_KO nothing (up's request for the genl family
# loads an installed one); insmod's status
load_wgmesh()
{
	[ -e /sys/module/wgmesh ] || [ -z "${WGMESH_KO:-}" ] || run insmod "$WGMESH_KO"
}

# check_ping DESC NAME DST [-c COUNT] [PING ARGS]: passes when each of the
# COUNT echoes got its reply (default 3 echoes 0.2 s apart). Give a
# deadline (-w), not -W: once some replies came, iputils waits only two RTTs
# for the last one, which a busy TCG guest often exceeds; with -w iputils
# may send extra echoes while it waits, hence the count by sequence number.
check_ping()
{
	local desc=$1 n=$2 dst=$3 count=1 out got a prev=
	shift 3
	[ $# -gt 0 ] || set -- -c 3 -i 0.2 -w 5
	for a in "$@"; do
		[ "$prev" = -c ] && count=$a
		prev=$a
	done
	out=$(nx "$n" ping "$@" "$dst" 2>&1)
	echo "$out" | sed 's/^/#   /'
	got=$(echo "$out" | ping_answered "$count")
	if [ "$got" = "$count" ]; then
		ktap_test_pass "$desc"
	else
		ktap_print_msg "expected replies to all $count echoes, got $got"
		ktap_test_fail "$desc"
	fi
}

# check_ping_lost DESC NAME DST [PING ARGS]: passes when no echo got a
# reply and at least one was sent
check_ping_lost()
{
	local desc=$1 n=$2 dst=$3 r tx rx
	shift 3
	[ $# -gt 0 ] || set -- -c 2 -i 0.2 -W 1
	r=$(ping_count "$n" "$dst" "$@")
	tx=${r% *} rx=${r#* }
	if [ -n "$tx" ] && [ "$tx" -gt 0 ] && [ "$rx" = 0 ]; then
		ktap_test_pass "$desc"
	else
		ktap_print_msg "expected no reply, got ${rx:-?} of ${tx:-?}"
		ktap_test_fail "$desc"
	fi
}

# check_delta DESC BEFORE AFTER OP N: passes when (AFTER - BEFORE) OP N,
# with OP one of -eq -ge -gt -le
check_delta()
{
	local desc=$1 b=$2 a=$3 op=$4 want=$5
	if [ -n "$b" ] && [ -n "$a" ] && test "$((a - b))" "$op" "$want"; then
		ktap_test_pass "$desc"
	else
		ktap_print_msg "counter went from '$b' to '$a': delta $((${a:-0} - ${b:-0})), want $op $want"
		ktap_test_fail "$desc"
	fi
}

# check_no_forwarding NAME: the machine's global IPv6 forwarding is off
check_no_forwarding()
{
	local v
	v=$(nx "$1" sysctl -n net.ipv6.conf.all.forwarding)
	if [ "$v" = 0 ]; then
		ktap_test_pass "$1: net.ipv6.conf.all.forwarding is 0"
	else
		ktap_test_fail "$1: net.ipv6.conf.all.forwarding is '$v', want 0"
	fi
}

# check_dmesg_clean: no kernel splat since CHECK_DMESG_START (call it
# last: it also reports how long the test took, to keep each file short
# under TCG)
check_dmesg_clean()
{
	local splat
	ktap_print_msg "elapsed since start: ${SECONDS} s"
	splat=$(dmesg | tail -n +$((CHECK_DMESG_START + 1)) | kernel_splat)
	if [ -z "$splat" ]; then
		ktap_test_pass "no kernel splat in dmesg"
	else
		echo "$splat" | sed 's/^/# dmesg: /'
		ktap_test_fail "no kernel splat in dmesg"
	fi
}

# check_iperf DESC SERVER CLIENT DST [IPERF3 CLIENT ARGS]: a 2 s TCP iperf3
# run from CLIENT to the server started in SERVER on DST (-R: the other
# way); passes when iperf3 succeeds and the receiver got at least 256 KBytes
#
# In the debug lane (WGMESH_DEBUG_LANE) the run lasts WGMESH_TIMEOUT_SCALE
# times longer: its KASAN and lockdep kernel under TCG carries a few
# hundred Kbit/s with round trips of 100-300 ms, so a TCP flow that
# recovers from Packet Too Big as it should still moves only about 150
# KBytes in 2 s. The bar stays 256 KBytes: a stalled flow still fails.
check_iperf()
{
	local desc=$1 s=$2 c=$3 dst=$4 pid out rc kb scale=1
	shift 4
	[ -z "${WGMESH_DEBUG_LANE:-}" ] || scale=${WGMESH_TIMEOUT_SCALE:-1}
	nx "$s" iperf3 -s -1 -B "$dst" >/dev/null 2>&1 &
	pid=$!
	wait_listen "$s" 5201
	out=$(nx "$c" timeout $((30 * scale)) iperf3 -c "$dst" -t $((2 * scale)) "$@" 2>&1)
	rc=$?
	echo "$out" | sed 's/^/#   /'
	kb=$(echo "$out" | awk '/receiver/ {
		for (i = 2; i <= NF; i++) {
			if ($i == "Bytes") { print $(i - 1) / 1024; exit }
			if ($i == "KBytes") { print $(i - 1); exit }
			if ($i == "MBytes") { print $(i - 1) * 1024; exit }
			if ($i == "GBytes") { print $(i - 1) * 1048576; exit }
		} }')
	wait_gone "$pid" 5 || kill "$pid" 2>/dev/null
	if [ "$rc" = 0 ] && awk -v k="${kb:-0}" 'BEGIN { exit !(k >= 256) }'; then
		ktap_test_pass "$desc (${kb} KBytes)"
	else
		ktap_print_msg "iperf3 exit $rc, receiver got '${kb}' KBytes, want >= 256"
		ktap_test_fail "$desc"
	fi
}

# text_has TEXT PATTERN...: TEXT has a line matching each (grep) PATTERN;
# for ktap_expect DESC text_has "$out" PATTERN...
text_has()
{
	local text=$1 p
	shift
	for p in "$@"; do
		grep -q -- "$p" <<< "$text" || return 1
	done
}
