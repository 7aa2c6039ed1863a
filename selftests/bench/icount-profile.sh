#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# icount-profile.sh LOG OUT [TOP]: where the instructions of icount.sh's
# windows go, per function: the plugin's "tb ID VADDR NINSNS EXECS" lines
# (OUT, written with profile=1) mapped through the guest's text symbols
# (the "@ksym ADDR NAME" lines vm-bench.sh prints into LOG with
# BENCH_ICOUNT_PROFILE=1: /proc/kallsyms, wgmesh.ko's functions included as
# NAME[wgmesh]). Prints, per burst size, the TOP (default 30) functions by
# instructions per packet in (a) or (b), summed over the rounds, and
# (b)-(a); then the TOP functions by |(b)-(a)|. A block counts as a whole for the function it starts in;
# addresses below the first kernel symbol are user space ([user]).
# Windows of the drop case (modes drop-quiet, drop-listen, drop-off) get a
# table of their own: instructions per dropped packet by function in each
# mode, and the functions by |quiet-off| and by listen-quiet. Module
# functions are named by the symbols of the module loaded last: drop-off's
# windows ran another build of it, so compare kernel functions there, and
# the row "wgmesh.ko (all functions)", their sum.

#
# icount-profile.sh --sums LOG OUT: instead, one line per window for
# icount.sh's JSON:
#
#   sums WINDOW module=N span_excluded=E chacha_simd=C
#
# N: the window's instructions in wgmesh.ko's functions; C: in the SIMD
# ChaCha20 code (0: every packet of the window took the generic code, see
# README: 6.12's bimodal windows); E: those of its
# forwarding spans (icount/span.c, "span" lines) in the functions that
# only run there because an interrupt, a timer or the scheduler landed in
# a span: the names matching $EXCLUDED below (kernel entry, hard and soft
# interrupt handling, timers and clock reads, the scheduler, RCU's
# per-tick work), so that the span figure keeps forwarding alone.

# Keep in step with README (Performance): what a span's figure excludes.
EXCLUDED='^(asm_|sysvec_|__sysvec_|irq_|__irq_|irqentry_|handle_|common_interrupt|do_softirq|__do_softirq|invoke_softirq|raise_softirq|__raise_softirq|hrtimer_|__hrtimer_|tick_|timekeeping_|ktime_get|read_tsc|native_sched_clock|sched_clock|lapic_|clockevents_|update_process_times|update_wall_time|run_local_timers|run_posix_cpu_timers|scheduler_tick|account_|cpuacct_|rcu_sched_clock_irq|rcu_note|rcu_pending|rcu_core|__schedule|schedule|preempt_schedule|try_to_wake_up|ttwu_|wake_up|__wake_up|psi_|update_curr|update_load_avg|__update_load_avg|update_cfs|update_rq_clock|enqueue_|dequeue_|check_preempt|resched_curr|task_tick|perf_event_task_tick|trigger_load_balance|calc_global_load|x86_pmu|native_apic|apic_)'

sums=0
if [ "${1:-}" = --sums ]; then
	sums=1
	shift
fi
log=${1:?usage: icount-profile.sh [--sums] LOG OUT [TOP]}
out=${2:?usage: icount-profile.sh [--sums] LOG OUT [TOP]}
top=${3:-30}

# windows: ID MODE W SENT BURSTS
windows=$(sed -n 's/^@bench icount //p' "$log" | awk '{
	for (i = 1; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2] }
	print f["window"], f["mode"], f["w"], f["sent"], f["bursts"] }')
[ -n "$windows" ] || { echo "icount-profile: no windows in $log" >&2; exit 1; }
grep -q '^@ksym ' "$log" || { echo "icount-profile: no @ksym lines in $log" >&2; exit 1; }

# merged: "ADDR 0 NAME" per symbol, "ADDR 1 WINDOW INSNS" per profiled
# block, "ADDR 2 WINDOW INSNS" per block in a span, by address (16 hex
# digits: sorting them as strings sorts them as numbers), a symbol before
# the blocks at its address
merged()
{
	{
		sed -n 's/^@ksym \([0-9a-f]\{16\}\) \(.*\)/\1 0 \2/p' "$log"
		awk '$1 == "tb" { print $3, 1, $2, $4 * $5 }
		     $1 == "span" { print $3, 2, $2, $4 * $5 }' "$out"
	} | LC_ALL=C sort -k1,1 -k2,2n
}

if [ "$sums" = 1 ]; then
	merged | awk -v excluded="$EXCLUDED" '
		$2 == 0 {
			sym = $3; mod = sym ~ /\[wgmesh\]$/; ex = sym ~ excluded
			simd = sym ~ /^chacha_[0-9]*block_xor_(ssse3|avx)/
			next
		}
		{ w[$3] = 1 }
		$2 == 1 && mod { m[$3] += $4 }
		$2 == 1 && simd { c[$3] += $4 }
		$2 == 2 && ex { e[$3] += $4 }
		END {
			for (i in w)
				printf "sums %s module=%d span_excluded=%d chacha_simd=%d\n", i, m[i], e[i], c[i]
		}'
	exit 0
fi

merged | awk -v windows="$windows" -v top="$top" '
BEGIN {
	n = split(windows, l, "\n")
	for (i = 1; i <= n; i++) {
		split(l[i], f, " ")
		mode[f[1]] = f[2]; w[f[1]] = f[3]
		if (f[2] ~ /^[ab]$/) {
			sent[f[2], f[3]] += f[4]; ws[f[3]] = 1
			# forwarded: the datagrams and one ack per burst
			fwd[f[2], f[3]] += f[4] + f[5]
		} else if (f[2] ~ /^local-/) {
			lsent[f[2]] += f[4]
		}
	}
	sym = "[user]"
}
$2 == 0 { sym = $3; next }
$2 == 2 && ($3 in mode) && mode[$3] ~ /^[ab]$/ {
	sc[w[$3], sym, mode[$3]] += $4; ssyms[w[$3], sym] = 1
	next
}
$2 == 2 { next }
($3 in mode) && mode[$3] ~ /^local-/ {
	lc[sym, mode[$3]] += $4; lsyms[sym] = 1
	if (sym ~ /\[wgmesh\]$/) {
		lc["wgmesh.ko (all functions)", mode[$3]] += $4
		lsyms["wgmesh.ko (all functions)"] = 1
	}
	next
}
($3 in mode) && mode[$3] ~ /^drop-/ {
	dc[sym, mode[$3]] += $4; dsyms[sym] = 1
	# the module as a whole: right whichever build ran
	if (sym ~ /\[wgmesh\]$/) {
		dc["wgmesh.ko (all functions)", mode[$3]] += $4
		dsyms["wgmesh.ko (all functions)"] = 1
	}
	next
}
($3 in mode) { c[w[$3], sym, mode[$3]] += $4; syms[sym] = 1 }
function per(s, m) { return dsent[m] ? dc[s, m] / dsent[m] : 0 }
function drop_table(title, key,    s, q, l, o, k) {
	printf "-- drop: %s --\n", title
	cmd = "sort -k2,2nr -t\"\t\" | head -n " top
	for (s in dsyms) {
		q = per(s, "drop-quiet"); l = per(s, "drop-listen"); o = per(s, "drop-off")
		if (key == "max")
			k = q > l ? q : l
		else if (key == "qo")
			k = q - o < 0 ? o - q : q - o
		else
			k = l - q < 0 ? q - l : l - q
		if (k < 0.05)
			continue
		printf "%-44s\t%d\t%9.1f %9.1f %9.1f %9.1f %9.1f\n", s, k * 10, q, l, o, l - q, q - o | cmd
	}
	close(cmd)
}
END {
	for (i = 1; i <= n; i++) {
		split(l[i], f, " ")
		if (f[2] ~ /^drop-/)
			dsent[f[2]] += f[4]
	}
	if (length(dsent)) {
		printf "\n== drop: instructions per dropped packet by function (quiet: no listener, listen: a listener, off: WGMESH_NO_EVENTS=1) ==\n"
		printf "%-44s %9s %9s %9s %9s %9s\n", "function", "quiet", "listen", "off", "l-q", "q-o"
		drop_table("top by quiet or listen", "max")
		drop_table("largest |quiet-off|", "qo")
		drop_table("largest |listen-quiet|", "lq")
	}
	if (length(lsent)) {
		printf "\n== local: instructions per round trip a -> controller -> a by function (on: wgmesh.ko attached, off: not) ==\n"
		printf "%-44s %10s %10s %10s\n", "function", "on", "off", "on-off"
		cmd = "sort -k2,2nr -t\"\t\" | head -n " top
		for (s in lsyms) {
			a = lsent["local-on"] ? lc[s, "local-on"] / lsent["local-on"] : 0
			b = lsent["local-off"] ? lc[s, "local-off"] / lsent["local-off"] : 0
			d = a - b
			if (d == 0)
				continue
			printf "%-44s\t%d\t%10.1f %10.1f %10.1f\n", s, (d < 0 ? -d : d) * 10, a, b, d | cmd
		}
		close(cmd)
	}
	for (x in ws) {
		printf "\n== W=%s: the controller'"'"'s forwarding spans (icount/span.c) by function, per forwarded packet (a: wgmesh.ko, b: ip6_forward) ==\n", x
		printf "%-44s %10s %10s %10s\n", "function", "(a)", "(b)", "(b)-(a)"
		cmd = "sort -k2,2nr -t\"\t\" | head -n " top
		for (k in ssyms) {
			split(k, kk, SUBSEP)
			if (kk[1] != x)
				continue
			s = kk[2]
			a = fwd["a", x] ? sc[x, s, "a"] / fwd["a", x] : 0
			b = fwd["b", x] ? sc[x, s, "b"] / fwd["b", x] : 0
			printf "%-44s\t%d\t%10.1f %10.1f %10.1f\n", s, (a > b ? a : b) * 10, a, b, b - a | cmd
		}
		close(cmd)
		printf "\n== W=%s: instructions per packet by function (a: wgmesh.ko, b: ip6_forward) ==\n", x
		printf "%-44s %10s %10s %10s\n", "function", "(a)", "(b)", "(b)-(a)"
		cmd = "sort -k2,2nr -t\"\t\" | head -n " top
		for (s in syms) {
			a = sent["a", x] ? c[x, s, "a"] / sent["a", x] : 0
			b = sent["b", x] ? c[x, s, "b"] / sent["b", x] : 0
			if (a == 0 && b == 0)
				continue
			printf "%-44s\t%d\t%10.1f %10.1f %10.1f\n", s, (a > b ? a : b) * 10, a, b, b - a | cmd
		}
		close(cmd)
		printf "-- W=%s: largest differences |(b)-(a)| --\n", x
		for (s in syms) {
			a = sent["a", x] ? c[x, s, "a"] / sent["a", x] : 0
			b = sent["b", x] ? c[x, s, "b"] / sent["b", x] : 0
			d = b - a
			if (d == 0)
				continue
			printf "%-44s\t%d\t%10.1f %10.1f %10.1f\n", s, (d < 0 ? -d : d) * 10, a, b, d | cmd
		}
		close(cmd)
	}
}' | sed 's/\t[0-9]*\t/ /'
