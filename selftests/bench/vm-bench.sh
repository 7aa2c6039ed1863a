#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# vm-bench.sh: the guest half of `make bench` (selftests/bench/run.sh boots
# the VM and turns what this prints into a table and JSON). Runs as root in
# a fresh VM; prints one "@bench ..." line per measurement, everything else
# is log. It never fails on a slow number, only on a broken setup.
#
#  ┌ wgm-a ──────────┐     ┌ wgm-ctrl ──────────────┐     ┌ wgm-b ──────────┐
#  │ wg0 0x11111111  │─────│ wg0 id 0x0001 ::1/40   │─────│ wg0 0x22222222  │
#  │ iperf3 client   │     │ (a) wgmesh.ko attached,│     │ iperf3 server   │
#  └─────────────────┘     │     forwarding=0       │     └─────────────────┘
#                          │ (b) detached,          │
#                          │     forwarding=1       │
#                          └────────────────────────┘
#  (every wg0 has its UDP socket on 127.0.0.1 in wgm-underlay, see lib/mesh.sh)
#
# Measurements, each repeated BENCH_ROUNDS times with the two setups
# alternating (a b b a a b ...) so that drift hits both alike:
#   fwd   a -> ctrl -> b: TCP throughput and 64-byte UDP packet rate
#   local a -> ctrl ::1: TCP throughput with and without the module attached
#   push  wgmesh-ctl set with --random-peers 10000, wall time
#   mem   what a 100,000-peer topology adds to the memory cgroup that set it
#         (the module charges everything a topology takes to its sender)
#   locks ftrace of a 100,000-peer SET: how long it holds RTNL; and the
#         longest any module function runs in softirq (hooks, RCU callback)
#         while such topologies are replaced and detached under traffic
#   scale the in-module decision microbenchmark (kernel/selftest/bench.c),
#         when $WGMESH_KO was built with WGMESH_BENCH=1
#   up    `wgmesh up` of a 1,000-peer controller, first run and re-run
#         (bench/up-bench.sh, topology files in $BENCH_UP_DIR)
#   icount  a -> ctrl -> b closed-loop 64-byte UDP (udpping, acks back the
#         same way) in bursts of each of $BENCH_ICOUNT_BURSTS, between the
#         markers of one window each; bench/icount.sh boots the VM under
#         -icount with the counting plugin, which writes the counts on the
#         host (not part of the default set: it needs that VM)
#         With $BENCH_ICOUNT/icount_span.ko, loaded in ctrl for those
#         windows, each window also counts the span of ctrl's forwarding
#         alone (bench/icount/span.c).
#         BENCH_ICOUNT_CASES ("fwd local drop") selects that one, the
#         local case (a -> ctrl's own address and back, ping-pong, module
#         attached: local-on, or not: local-off) and/or the drop
#         case: ctrl's topology default-deny with no allow pair, a sends
#         one-way datagrams to b (udpping -o), ctrl drops each by policy,
#         with wgmesh.ko and nobody subscribed to its drop events
#         (drop-quiet), with a listener (wgmesh-ctl events: drop-listen),
#         and with $BENCH_ICOUNT/wgmesh-noevents.ko, the same module built
#         WGMESH_NO_EVENTS=1 (drop-off), alternating per round
#
# Environment: BENCH_ROUNDS (default 5), BENCH_SECS (iperf3 seconds, 3),
# BENCH_ONLY (space-separated subset of: fwd local push mem locks scale up
# icount); for icount BENCH_ICOUNT (the directory holding udpping),
# BENCH_ICOUNT_N (datagrams per window, 512), BENCH_ICOUNT_BURSTS (burst
# sizes, each W or W:COUNT; "1 32"), BENCH_ICOUNT_CASES ("fwd local drop"),
# BENCH_ICOUNT_LOCAL_N (datagrams per local window, 1024),
# BENCH_ICOUNT_DROP_N (datagrams per drop window, 1024) and
# BENCH_ICOUNT_PROFILE=1 (print the
# kernel's text symbols as "@ksym ADDR NAME" lines for icount-profile.sh).

cd "$(dirname "$0")/.." || exit 1
# shellcheck source=../lib/ktap.sh
. lib/ktap.sh
# shellcheck source=../lib/mesh.sh
. lib/mesh.sh

ROUNDS=${BENCH_ROUNDS:-5}
SECS=${BENCH_SECS:-3}
ONLY=${BENCH_ONLY:-fwd local push mem locks scale up}

want()
{
	[[ " $ONLY " == *" $1 "* ]]
}

# emit FIELDS...: one result line for run.sh
emit()
{
	echo "@bench $*"
}

# now_us: microseconds since the epoch (busybox date has no %N)
now_us()
{
	echo "${EPOCHREALTIME/./}"
}

ktap_need wgmesh-ctl iperf3 jq
mesh_init
emit "info kernel=$(uname -r) cpus=$(nproc) rounds=$ROUNDS secs=$SECS" \
	"cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1 | tr ' ' '_')"

mesh_star ctrl 0x0001 a 0x11111111 b 0x22222222
B=$(mesh_addr b)
CTRL=$(mesh_addr ctrl)
mesh_load_module || ktap_exit_fail_msg "insmod $WGMESH_KO"

# setup a|b|on|off: (a) module attached + topology, forwarding off; (b) module
# detached, forwarding on; on/off: module attached or not, forwarding off
MOD_ON=0
setup()
{
	local fwd=0 mod=1
	case $1 in b) fwd=1 mod=0 ;; off) mod=0 ;; esac
	if [ "$mod" = 1 ] && [ "$MOD_ON" = 0 ]; then
		mesh_attach ctrl >/dev/null || ktap_exit_fail_msg "attach wgmesh on ctrl"
		MOD_ON=1
	elif [ "$mod" = 0 ] && [ "$MOD_ON" = 1 ]; then
		# what the module did while attached: proof that (a) went through it
		nx ctrl wgmesh-ctl stats wg0 --device 2>/dev/null | tr ' ' '\n' |
			grep -E '^(rx|local|fwd|tx)_packets=|^drop_.*=[1-9]' | tr '\n' ' ' |
			sed 's/^/# ctrl wgmesh stats before detach: /; s/$/\n/' >&2
		nx ctrl wgmesh-ctl detach wg0 || ktap_exit_fail_msg "detach wgmesh on ctrl"
		MOD_ON=0
	fi
	nx ctrl sysctl -qw net.ipv6.conf.all.forwarding=$fwd ||
		ktap_exit_fail_msg "ctrl: forwarding=$fwd"
}

# server NAME DST: a persistent iperf3 server in NAME on DST (one per
# namespace: starting one per run costs seconds under TCG)
declare -A SERVER=()
server()
{
	[ -n "${SERVER[$1]:-}" ] && kill -0 "${SERVER[$1]}" 2>/dev/null && return 0
	nx "$1" iperf3 -s -B "$2" >/dev/null 2>&1 &
	SERVER[$1]=$!
	wait_listen "$1" 5201
}

# iperf SERVER CLIENT DST tcp|udp: one iperf3 run; prints Mbit/s (tcp) or
# received packets/s (udp), or nothing when the run failed
iperf()
{
	local s=$1 c=$2 dst=$3 kind=$4 out args=()
	[ "$kind" = udp ] && args=(-u -l 64 -b 2G)
	server "$s" "$dst" || return 1
	# stdout only: the JSON (nx logs the command on stderr)
	out=$(nx "$c" timeout $((SECS + 20)) iperf3 -6 -c "$dst" -t "$SECS" -J "${args[@]}")
	if ! echo "$out" | jq -e .end.sum_received >/dev/null 2>&1; then
		echo "$out" | tail -n 5 | sed 's/^/# iperf3: /' >&2
		# a server left in a bad state by a failed run: start afresh
		kill "${SERVER[$s]}" 2>/dev/null
		wait_gone "${SERVER[$s]}" 2
		SERVER[$s]=
		return 1
	fi
	if [ "$kind" = tcp ]; then
		echo "$out" | jq -r '.end.sum_received.bits_per_second / 1e6 | . * 100 | round / 100' 2>/dev/null
	else
		# the server's view: packets that arrived, over the run's time
		echo "$out" | jq -r '.end.sum as $s | (($s.packets - $s.lost_packets) / $s.seconds) | round' 2>/dev/null
	fi
}

# measure SECTION KIND MODE1 MODE2 SERVER CLIENT DST: ROUNDS alternating runs
measure()
{
	local sec=$1 kind=$2 m1=$3 m2=$4 s=$5 c=$6 dst=$7 r m v order
	for ((r = 1; r <= ROUNDS; r++)); do
		# a b, b a, a b, ...: each setup runs first half of the time
		if ((r % 2)); then order="$m1 $m2"; else order="$m2 $m1"; fi
		for m in $order; do
			setup "$m"
			v=$(iperf "$s" "$c" "$dst" "$kind")
			if [ -n "$v" ] && [ "$v" != null ]; then
				emit "$sec kind=$kind mode=$m round=$r value=$v"
			else
				echo "# $sec $kind $m round $r: iperf3 failed"
			fi
		done
	done
}

if want fwd; then
	# a warm-up run on each path (first handshakes, caches)
	setup a; iperf b a "$B" tcp >/dev/null
	setup b; iperf b a "$B" tcp >/dev/null
	measure fwd tcp a b b a "$B"
	measure fwd udp a b b a "$B"
fi

if want local; then
	measure local tcp on off ctrl a "$CTRL"
fi

# cg_stat KEY: a memory.stat field (bytes) of the benchmark's cgroup
CG=/sys/fs/cgroup/wgmesh-bench
cg_stat()
{
	awk -v k="$1" '$1 == k { print $2 }' "$CG/memory.stat"
}

# in_cg CMD...: CMD in the benchmark's memory cgroup
in_cg()
{
	(echo "$BASHPID" > "$CG/cgroup.procs" && "$@")
}

ctl_set()
{
	nx ctrl wgmesh-ctl set wg0 --prefix "$MESH_PREFIX::" --self 0x0001 "$@"
}

if want push || want mem; then
	setup on
fi

if want push; then
	for ((r = 1; r <= ROUNDS; r++)); do
		ctl_set --random-peers 10:$r >/dev/null || ktap_exit_fail_msg "small topology"
		t0=$(now_us)
		ctl_set --random-peers "10000:$r" >/dev/null ||
			ktap_exit_fail_msg "push of 10000 peers"
		t1=$(now_us)
		n=$(nx ctrl wgmesh-ctl show wg0 | head -n 1 | sed -n 's/.* peers=\([0-9]*\).*/\1/p')
		[ "$n" -ge 10000 ] || ktap_exit_fail_msg "after the push: peers=$n, want 10000"
		emit "push peers=10000 round=$r us=$((t1 - t0))"
	done
fi

if want mem; then
	mountpoint -q /sys/fs/cgroup || mount -t cgroup2 none /sys/fs/cgroup
	echo +memory > /sys/fs/cgroup/cgroup.subtree_control
	mkdir -p "$CG"
	for ((r = 1; r <= 3; r++)); do
		in_cg ctl_set --random-peers 10:$r >/dev/null ||
			ktap_exit_fail_msg "small topology"
		c0=$(cat "$CG/memory.current")
		s0=$(($(cg_stat slab) + 0)) v0=$(($(cg_stat vmalloc) + 0))
		p0=$(($(cg_stat percpu) + 0))
		# SET frees the snapshot it replaced before it returns
		in_cg ctl_set --random-peers "100000:$r" >/dev/null ||
			ktap_exit_fail_msg "push of 100000 peers"
		c1=$(cat "$CG/memory.current")
		s1=$(($(cg_stat slab) + 0)) v1=$(($(cg_stat vmalloc) + 0))
		p1=$(($(cg_stat percpu) + 0))
		emit "mem peers=100000 round=$r bytes_per_peer=$(((c1 - c0) / 99990))" \
			"slab_b=$(((s1 - s0) / 99990)) vmalloc_b=$(((v1 - v0) / 99990))" \
			"percpu_b=$(((p1 - p0) / 99990)) cpus=$(nproc)"
	done
	in_cg ctl_set --random-peers 10:1 >/dev/null
fi

# tracefs DIR: where ftrace lives in this guest
tracefs()
{
	local d
	for d in /sys/kernel/tracing /sys/kernel/debug/tracing; do
		[ -w "$d/current_tracer" ] && { echo "$d"; return 0; }
	done
	mount -t tracefs nodev /sys/kernel/tracing 2>/dev/null &&
		echo /sys/kernel/tracing
}

# graph T "FUNC..." "TRACED...": function_graph from each FUNC, recording
# only the TRACED functions (so that 100,000 parse_member() calls do not
# overflow the buffer); the tracer's options exist only once it is current
graph()
{
	local t=$1 f
	echo 0 > "$t/tracing_on"
	echo function_graph > "$t/current_tracer"
	echo > "$t/set_graph_function"
	for f in $2; do
		echo "$f" >> "$t/set_graph_function"
	done
	echo > "$t/set_ftrace_filter"
	for f in $3; do
		echo "$f" >> "$t/set_ftrace_filter"
	done
	echo funcgraph-abstime > "$t/trace_options"
	echo nofuncgraph-irqs > "$t/trace_options"
	echo 16384 > "$t/buffer_size_kb"
	echo > "$t/trace"
	echo 1 > "$t/tracing_on"
}

# dur(): the duration in us of a function_graph line, -1 when it has none
AWK_DUR='function dur(   i) {
	for (i = 1; i < NF; i++)
		if ($(i + 1) == "us" && $i ~ /^[0-9.]+$/)
			return $i
	return -1
}
'

if want locks && T=$(tracefs); then
	setup on
	ctl_set --random-peers 10:1 >/dev/null
	# RTNL in a 100,000-peer SET: from rtnl_lock()'s return to
	# rtnl_unlock()'s, against the whole request (set_topology_doit).
	graph "$T" set_topology_doit "set_topology_doit rtnl_lock rtnl_unlock"
	for ((r = 1; r <= 3; r++)); do
		ctl_set --random-peers "100000:$r" >/dev/null ||
			ktap_exit_fail_msg "push of 100000 peers"
	done
	echo 0 > "$T/tracing_on"
	awk "$AWK_DUR"'
		# the function column: after the last "|"
		function fn() { return substr($0, match($0, /\|[^|]*$/) + 1) }
		/set_topology_doit.*\{/ { start = 1; held = 0; lock = 0 }
		# rtnl_lock() returns: a leaf line (entry time + duration), or
		# the closing line of one that slept (its own time)
		start && / rtnl_lock\(\);/ { lock = $1 + dur() / 1e6 }
		start && /\} \/\* rtnl_lock \*\// { lock = $1 }
		start && / rtnl_unlock\(\);/ { held = $1 + dur() / 1e6 - lock }
		start && /\} \/\* rtnl_unlock \*\// { held = $1 - lock }
		start && fn() ~ /^  \}/ {
			total = dur() / 1e6
			if (total > 0 && lock > 0)
				printf "locks kind=rtnl held_us=%d total_us=%d pct=%.2f\n", held * 1e6, total * 1e6, 100 * held / total
			start = 0
		}' "$T/trace" | while read -r line; do emit "$line"; done
	# Softirq: the module's RCU callback (free_dev_rcu) and its hooks,
	# while 100,000-peer snapshots are replaced and a device is detached
	# under traffic; the snapshot frees run in a worker (put_work),
	# reported alongside. Wall time under TCG: a hook's maximum also
	# catches the host descheduling the vCPU, its median does not.
	f="wgmesh_hook wgmesh_border_hook free_dev_rcu put_work"
	graph "$T" "$f" "$f"
	nx a ping -c 200 -i 0.01 "$B" >/dev/null 2>&1 &
	for ((r = 1; r <= 2; r++)); do
		ctl_set --random-peers "100000:$((r + 10))" >/dev/null
	done
	nx ctrl wgmesh-ctl detach wg0 && MOD_ON=0
	wait
	sleep 1
	echo 0 > "$T/tracing_on"
	awk "$AWK_DUR"'
		match($0, /(wgmesh_hook|wgmesh_border_hook|free_dev_rcu|put_work)/) {
			f = substr($0, RSTART, RLENGTH); d = dur()
			if (d >= 0) {
				v[f, n[f]++] = d
				if (d > max[f])
					max[f] = d
			}
		}
		END {
			for (f in n) {
				# the median by counting: n is a few hundred
				for (i = 0; i < n[f]; i++) {
					below = 0
					for (j = 0; j < n[f]; j++)
						below += v[f, j] < v[f, i]
					if (below <= n[f] / 2)
						med = v[f, i]
				}
				printf "locks kind=fn fn=%s calls=%d max_us=%.1f median_us=%.1f\n", f, n[f], max[f], med
			}
		}' \
		"$T/trace" | while read -r line; do emit "$line"; done
	echo nop > "$T/current_tracer"
	echo > "$T/set_ftrace_filter"
	echo > "$T/set_graph_function"
	setup on
fi

if want scale; then
	if [ -w /sys/module/wgmesh/parameters/bench ]; then
		start=$(dmesg | wc -l)
		t0=$(now_us)
		echo 21 > /sys/module/wgmesh/parameters/bench ||
			echo "# the decision microbenchmark failed"
		echo "# microbenchmark took $((($(now_us) - t0) / 1000)) ms"
		dmesg | tail -n +$((start + 1)) | sed -n 's/.*bench: \(mode=.*\)/\1/p' |
			while read -r line; do emit "scale $line"; done
	else
		echo "# $WGMESH_KO has no bench parameter (build it with WGMESH_BENCH=1)"
	fi
fi

if want up; then
	if [ -f "${BENCH_UP_DIR:-/nonexistent}/mesh.conf" ] && command -v wgmesh >/dev/null; then
		setup on	# module loaded; the mesh of the other sections is left alone
		# shellcheck source=up-bench.sh
		. bench/up-bench.sh "$BENCH_UP_DIR"
	else
		echo "# wgmesh up not measured: no topology in BENCH_UP_DIR or no wgmesh"
	fi
fi

if want icount; then
	ICOUNT_N=${BENCH_ICOUNT_N:-512}
	udpping=${BENCH_ICOUNT:-/nonexistent}/udpping
	[ -x "$udpping" ] || ktap_exit_fail_msg "icount: no $udpping"
	# udpping_server NAME ADDR: udpping's server in NAME on ADDR, its pid
	# in $spid, once it listens
	udpping_server()
	{
		nx "$1" "$udpping" -s "$2" -f &
		spid=$!
		for ((i = 0; i < 50; i++)); do
			ip netns exec "$(ns "$1")" netstat -lun 2>/dev/null | grep -q ':7777 ' && break
			sleep 0.1
		done
	}
	# both ends SCHED_FIFO: a burst is batched the same way every time
	udpping_server b "$B"
	CASES=${BENCH_ICOUNT_CASES:-fwd local drop}
	[[ " $CASES " == *" fwd "* ]] || BENCH_ICOUNT_BURSTS=none
	# The span markers around ctrl's forwarding (icount/span.c): loaded
	# for the fwd windows only, since a datagram ctrl does not forward
	# (the drop and local cases) would leave its span open.
	SPAN_KO=$BENCH_ICOUNT/icount_span.ko
	if [ "${BENCH_ICOUNT_BURSTS:-}" != none ]; then
		if [ -f "$SPAN_KO" ]; then
			# where a batch's next packet resumes its span:
			# ip6_forward(), after the transmit of the one before
			# (mark.h, ICOUNT_ADDR_MAGIC)
			fwd_at=$(awk '$3 == "ip6_forward" { print $1; exit }' /proc/kallsyms)
			run "$BENCH_ICOUNT/icount-mark" resume "$fwd_at" ||
				ktap_exit_fail_msg "icount-mark resume '$fwd_at' (ip6_forward)"
			nx ctrl insmod "$SPAN_KO" dev=wg0 port=7777 ||
				ktap_exit_fail_msg "insmod $SPAN_KO in ctrl"
			# its symbols now, while loaded: the dump at the end
			# comes after its rmmod, and its blocks would go to
			# the symbol before them (another module's)
			[ "${BENCH_ICOUNT_PROFILE:-0}" = 1 ] &&
				awk '$2 ~ /^[tT]$/ && $4 == "[icount_span]" { print "@ksym", $1, $3 $4 }' /proc/kallsyms
		else
			echo "# no $SPAN_KO: no forwarding spans"
		fi
	fi
	# A first pass of each setup, not reported (window 0): the first
	# window after boot counted 1-5 % fewer instructions in (a) than the
	# later ones, all of it scheduler and workqueue work (fewer kworker
	# wake-ups while the pool settles); and the first after the span
	# markers came 9 instructions a span higher (what runs once).
	for m in a b; do
		[ "${BENCH_ICOUNT_BURSTS:-}" = none ] && break
		setup "$m"
		nx a "$udpping" -c "$B" -n 1024 -w 1 -W 64 -i 0 -f >/dev/null
	done
	# window ids: 1, 2, ... in the order of the "icount" lines
	win=0
	for wn in ${BENCH_ICOUNT_BURSTS:-1 32}; do
		[ "$wn" = none ] && continue
		# W or W:COUNT
		w=${wn%%:*} n=$ICOUNT_N
		[ "$w" = "$wn" ] || n=${wn#*:}
		for ((r = 1; r <= ROUNDS; r++)); do
			if ((r % 2)); then order="a b"; else order="b a"; fi
			for m in $order; do
				setup "$m"
				# let what the setup deferred (RCU callbacks, work
				# items) run before the window, not in it; idle
				# costs no wall time under -icount sleep=off
				sleep 1
				win=$((win + 1))
				v=$(nx a "$udpping" -c "$B" -n "$n" -w "$w" -W 64 -i "$win" -f) ||
					{ echo "# icount $m w=$w round $r: udpping failed"; continue; }
				emit "icount mode=$m w=$w round=$r window=$win n=$n $v"
			done
		done
	done
	kill "$spid" 2>/dev/null
	wait "$spid" 2>/dev/null
	grep -q '^icount_span ' /proc/modules && run rmmod icount_span
	if [[ " $CASES " == *" local "* ]]; then
		# a -> ctrl's own address and back: ping-pong, the module
		# attached (local-on: its hook sees each datagram come in and
		# lets it through to the socket) or not (local-off),
		# forwarding off in both
		udpping_server ctrl "$CTRL"
		LN=${BENCH_ICOUNT_LOCAL_N:-1024}
		for m in on off; do
			setup "$m"
			nx a "$udpping" -c "$CTRL" -n 1024 -w 1 -W 64 -i 0 -f >/dev/null
		done
		for ((r = 1; r <= ROUNDS; r++)); do
			if ((r % 2)); then order="on off"; else order="off on"; fi
			for m in $order; do
				setup "$m"
				sleep 1
				win=$((win + 1))
				v=$(nx a "$udpping" -c "$CTRL" -n "$LN" -w 1 -W 64 -i "$win" -f) ||
					{ echo "# icount local-$m round $r: udpping failed"; continue; }
				emit "icount mode=local-$m w=1 round=$r window=$win n=$LN $v"
			done
		done
		setup on
		kill "$spid" 2>/dev/null
		wait "$spid" 2>/dev/null
	fi
	if [[ " $CASES " == *" drop "* ]]; then
		# drop_module ev|noev: which build of wgmesh.ko is loaded and
		# attached to ctrl's wg0, with a default-deny topology that
		# allows nothing: every datagram from a to b is a policy drop
		DROP_KO=
		drop_module()
		{
			local ko=$WGMESH_KO
			[ "$1" = noev ] && ko=$BENCH_ICOUNT/wgmesh-noevents.ko
			[ "$DROP_KO" = "$ko" ] && return 0
			if [ "$MOD_ON" = 1 ]; then
				nx ctrl wgmesh-ctl detach wg0 || ktap_exit_fail_msg "detach wgmesh on ctrl"
				MOD_ON=0
			fi
			run rmmod wgmesh || ktap_exit_fail_msg "rmmod wgmesh"
			run insmod "$ko" || ktap_exit_fail_msg "insmod $ko"
			nx ctrl wgmesh-ctl attach wg0 || ktap_exit_fail_msg "attach wgmesh on ctrl"
			MOD_ON=1
			mesh_topology ctrl --default-deny >/dev/null ||
				ktap_exit_fail_msg "default-deny topology on ctrl"
			DROP_KO=$ko
		}
		drop_modes="drop-quiet drop-listen"
		if [ -f "$BENCH_ICOUNT/wgmesh-noevents.ko" ]; then
			drop_modes+=" drop-off"
		else
			echo "# no $BENCH_ICOUNT/wgmesh-noevents.ko: no drop-off mode"
		fi
		nx ctrl sysctl -qw net.ipv6.conf.all.forwarding=0
		DN=${BENCH_ICOUNT_DROP_N:-1024}
		# 200 us apart: one datagram is through both ends (~50,000
		# instructions, 50 us of -icount shift=0 time) before the next,
		# and the timers of everything else in the guest that fire in a
		# window stay few. The window ends 1.1 s after the last one
		# (-D): the module sends drop events at most once a second, so
		# drop-listen's windows include the flush that reports them.
		GAP=${BENCH_ICOUNT_DROP_GAP:-200}
		lpid=
		# warm-up of each module (handshake, caches), not reported
		for m in noev ev; do
			[[ " $drop_modes " == *" drop-off "* ]] || [ "$m" = ev ] || continue
			drop_module "$m"
			nx a "$udpping" -c "$B" -o -n 256 -w 1 -W 16 -S 200 -i 0 -f >/dev/null
		done
		read -ra modes <<<"$drop_modes"
		for ((r = 1; r <= ROUNDS; r++)); do
			# rotate the order each round, so that every mode runs
			# after each other one; the 1 s idle before a window
			# lets what a module swap deferred run outside it
			order=("${modes[@]:$(((r - 1) % ${#modes[@]}))}" "${modes[@]:0:$(((r - 1) % ${#modes[@]}))}")
			for m in "${order[@]}"; do
				case $m in
				drop-off) drop_module noev ;;
				*) drop_module ev ;;
				esac
				if [ "$m" = drop-listen ]; then
					# ip netns exec execs it: $! is the listener
					echo "# \$ ip netns exec $(ns ctrl) wgmesh-ctl events wg0 &" >&2
					ip netns exec "$(ns ctrl)" wgmesh-ctl events wg0 >/tmp/icount-events.out &
					lpid=$!
				fi
				d0=$(nx ctrl wgmesh-ctl stats wg0 --device 2>/dev/null | tr ' ' '\n' | sed -n 's/^drop_policy=//p')
				sleep 1
				win=$((win + 1))
				v=$(nx a "$udpping" -c "$B" -o -n "$DN" -w 1 -W 16 -S "$GAP" -D 1100 -i "$win" -f)
				rc=$?
				d1=$(nx ctrl wgmesh-ctl stats wg0 --device 2>/dev/null | tr ' ' '\n' | sed -n 's/^drop_policy=//p')
				if [ -n "$lpid" ]; then
					kill "$lpid"
					wait "$lpid"
					lpid=
					echo "# listener: $(cat /tmp/icount-events.out)"
				fi
				[ "$rc" = 0 ] || { echo "# icount $m round $r: udpping failed"; continue; }
				# the 16 warm-up datagrams and the window's: all
				# policy drops, or the case measures something else
				echo "# ctrl drop_policy +$((${d1:-0} - ${d0:-0})) in window $win ($m)"
				[ "$((${d1:-0} - ${d0:-0}))" = "$((DN + 16))" ] ||
					echo "# WARNING: window $win: not every datagram was a policy drop"
				emit "icount mode=$m w=1 round=$r window=$win n=$DN $v"
			done
		done
		if [ "${BENCH_ICOUNT_PROFILE:-0}" = 1 ] && [ -n "$DROP_KO" ]; then
			echo "# profile: module symbols are those of $DROP_KO"
		fi
	fi
	if [ "${BENCH_ICOUNT_PROFILE:-0}" = 1 ]; then
		# the text symbols, for icount-profile.sh on the host
		awk '$2 ~ /^[tT]$/ { print "@ksym", $1, $3 ($4 == "" ? "" : $4) }' /proc/kallsyms
	fi
fi

emit "done"
