#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# icount.sh: the deterministic part of `make bench` (issue 13): guest
# instructions per forwarded packet, counted by a qemu TCG plugin, instead
# of wall-clock rates that swing with the host's load under TCG.
#
#   selftests/bench/icount.sh [-k "6.1 6.12"] [-r ROUNDS] [-n COUNT]
#                             [-b "1:1024 32:16384"] [-c "fwd drop"]
#                             [--drop-n COUNT] [--exact] [--no-profile]
#
#   -k KERNELS  kernel lines or releases (default 6.1 6.12; $KERNELS too)
#   -r ROUNDS   windows per setup and burst size (default 3)
#   -n COUNT    64-byte datagrams per window where -b gives none (1024)
#   -b BURSTS   burst sizes W[:COUNT] (default "1:1024 32:16384": ping-pong
#               and throughput-like)
#   -c CASES    which cases (default "fwd local drop"; $BENCH_ICOUNT_CASES
#               too):
#               fwd   the forwarding comparison below
#               local a -> the controller's own address and back
#                     (ping-pong): wgmesh.ko attached (local-on) or not
#                     (local-off), forwarding off
#               drop  instructions per datagram a controller drops by
#                     policy (default-deny, no allow pair): with wgmesh.ko
#                     and nobody subscribed to its drop events
#                     (drop-quiet), with a listener (drop-listen), and with
#                     the same sources built WGMESH_NO_EVENTS=1, no events
#                     code at all (drop-off); one way, udpping -o
#   --drop-n N  datagrams per drop window (default 1024)
#   --exact     count every instruction (plugin exact=1) instead of per
#               block: slower, exact across exceptions
#   --no-profile  do not attribute each window's instructions to functions
#               (by default: build/bench/<kver>/icount-profile.txt,
#               icount-profile.sh; the hook and span figures need it; it
#               adds no guest instruction, only host time)
#
# Per kernel one VM boot: one vCPU, single-threaded TCG, -icount
# shift=0,align=off,sleep=off and icount/icount.so (the plugin). In it
# vm-bench.sh (BENCH_ONLY=icount) builds the bench's a -> ctrl -> b
# WireGuard topology and runs udpping between the plugin's markers, with
# (a) wgmesh.ko attached and IPv6 forwarding off and (b) the module detached
# and forwarding on, alternated. A window's count is every instruction the
# guest executed in it (both peers, the controller, the acks, softirqs,
# timer interrupts), over the datagrams sent: instructions per packet.
# Prints a table, writes build/bench/icount.json (the plugin's output and the
# guest's log: build/bench/<kver>/icount.out, icount-vm.log). Targets are
# reported ok or MISSED, never failed; the exit status is non-zero only when
# a kernel produced no measurement.
#
# The drop case (-c drop) boots the same way: a sends COUNT datagrams to b
# one by one (udpping -o, 1 ms apart, the last 100 ms inside the window),
# ctrl drops each by policy; the three modes alternate per round, the
# module reloaded for drop-off. Per packet: every instruction of the guest
# over the datagrams sent, as above; what matters is the difference
# between the modes. --profile attributes module functions correctly only
# in the windows of the build loaded last (drop-off swaps the module).

set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
. "$here/../lib/kernel.sh"
out=${WGMESH_BUILD:-$repo/build}/bench
io=$out/icount
kernels=${KERNELS:-6.1 6.12}
rounds=3
count=1024
bursts="1:1024 32:16384"
icount_flags=shift=0,align=off,sleep=off
plugin_args=,profile=1
profile=1
cases=${BENCH_ICOUNT_CASES:-fwd local drop}
drop_n=1024

usage()
{
	sed -n '4,35s/^# \{0,1\}//p' "${BASH_SOURCE[0]}" >&2
	exit 2
}

while [ $# -gt 0 ]; do
	case $1 in
	-k) kernels=${2:?}; shift 2 ;;
	-r) rounds=${2:?}; shift 2 ;;
	-n) count=${2:?}; shift 2 ;;
	-b) bursts=${2:?}; shift 2 ;;
	-c) cases=${2:?}; shift 2 ;;
	--drop-n) drop_n=${2:?}; shift 2 ;;
	--exact) plugin_args+=,exact=1; shift ;;
	--profile) shift ;;
	--no-profile) plugin_args=${plugin_args//,profile=1/}; profile=0; shift ;;
	-h|--help) usage ;;
	*) echo "icount: unknown argument $1" >&2; usage ;;
	esac
done
unset MAKEFLAGS MFLAGS MAKELEVEL

command -v jq >/dev/null || { echo "icount: jq not found (make deps)" >&2; exit 1; }
cd "$repo" || exit 1
make -s -C "$here" icount IO="$io" >/dev/null || { echo "icount: building the plugin failed" >&2; exit 1; }

# noevents_ko KVER: wgmesh.ko of these sources built WGMESH_NO_EVENTS=1
# into $out/KVER/noevents/ (a private copy, as run.sh's bench_ko); prints
# its path, nothing when the build failed
noevents_ko()
{
	local kver=$1 src=$out/$1/noevents/src log=$out/$1/noevents/build.log
	rm -rf "$src"
	mkdir -p "$src"
	cp -r Kbuild kernel "$src/"
	find "$src" \( -name '*.o' -o -name '*.cmd' -o -name '*.ko' \) -delete
	if make -s -C "/usr/src/linux-headers-$kver" M="$src" WGMESH_NO_EVENTS=1 modules \
		>"$log" 2>&1; then
		echo "$src/wgmesh.ko"
	else
		echo "icount: $kver: the WGMESH_NO_EVENTS=1 build failed (see $log): no drop-off" >&2
	fi
}

# span_ko KVER: icount_span.ko (icount/span.c), the span markers around
# the controller's forwarding, built for KVER into $out/KVER/span/; prints
# its path, nothing when the build failed
span_ko()
{
	local src=$out/$1/span log=$out/$1/span/build.log
	rm -rf "$src"
	mkdir -p "$src"
	cp "$here/icount/Kbuild" "$here/icount/span.c" "$here/icount/mark.h" "$src/"
	if make -s -C "/usr/src/linux-headers-$1" M="$src" modules >"$log" 2>&1; then
		echo "$src/icount_span.ko"
	else
		echo "icount: $1: building icount_span.ko failed (see $log): no forwarding spans" >&2
	fi
}

# join LOG OUT [SUMS]: one JSON object per window, the guest's "@bench
# icount" line joined with the plugin's "window ID insns N ..." line and
# the profile's "sums ID module=N span_excluded=E chacha_simd=C"
# (icount-profile.sh)
join_windows()
{
	awk -v sums="${3:-}" '
		BEGIN {
			while (sums != "" && (getline line < sums) > 0) {
				split(line, f, "[ =]")
				prof[f[2]] = sprintf(",\"module\":%s,\"span_excluded\":%s,\"chacha_simd\":%s", f[4], f[6], f[8])
			}
		}
		FNR == NR {
			if ($1 == "window" && $3 == "insns") {
				insns[$2] = $4
				if ($5 == "span")
					span[$2] = sprintf(",\"span\":%s,\"span_starts\":%s,\"span_stops\":%s,\"span_stray\":%s", $6, $8, $10, $12)
			}
			next
		}
		$1 == "@bench" && $2 == "icount" {
			delete f
			for (i = 3; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2] }
			printf "{\"mode\":\"%s\",\"w\":%d,\"round\":%d,\"window\":%d,", f["mode"], f["w"], f["round"], f["window"]
			printf "\"sent\":%d,\"bursts\":%d,\"retries\":%d,\"lost\":%d,\"insns\":%s%s%s}\n", \
				f["sent"], f["bursts"], f["retries"], f["lost"], \
				(f["window"] in insns) ? insns[f["window"]] : "null", span[f["window"]], prof[f["window"]]
		}' "$2" "$1"
}

status=0
results=()
for k in $kernels; do
	kver=$(resolve_kver "$k")
	if [ -z "$kver" ]; then
		echo "icount: no installed kernel for '$k' (make deps)" >&2
		status=1
		continue
	fi
	d=$out/$kver
	mkdir -p "$d"
	rm -f "$d/icount.out"
	add_args=()
	if [[ " $cases " == *" drop "* ]]; then
		ko=$(noevents_ko "$kver")
		[ -n "$ko" ] && add_args=(--add "$ko:/wgmesh-icount/wgmesh-noevents.ko")
	fi
	if [[ " $cases " == *" fwd "* ]]; then
		ko=$(span_ko "$kver")
		[ -n "$ko" ] && add_args+=(--add "$ko:/wgmesh-icount/icount_span.ko")
	fi
	log=$d/icount-vm.log
	echo "icount: $kver: one VM boot, 1 vCPU, -icount $icount_flags (log: ${log#"$repo"/})" >&2
	t0=$(date +%s)
	selftests/vm/run.sh -k "$kver" -t 1200 --smp 1 --tcg-thread single \
		--qemu-arg -icount --qemu-arg "$icount_flags" \
		--qemu-arg -plugin --qemu-arg "file=$io/icount.so,out=$d/icount.out$plugin_args" \
		--add "$io/udpping:/wgmesh-icount/udpping" \
		--add "$io/icount-mark:/wgmesh-icount/icount-mark" "${add_args[@]}" \
		-e "BENCH_ICOUNT_CASES=$cases" -e "BENCH_ICOUNT_DROP_N=$drop_n" \
		-e BENCH_ONLY=icount -e "BENCH_ROUNDS=$rounds" -e BENCH_ICOUNT=/wgmesh-icount \
		-e "BENCH_ICOUNT_N=$count" -e "BENCH_ICOUNT_BURSTS=$bursts" \
		-e "BENCH_ICOUNT_PROFILE=$profile" \
		-- selftests/bench/vm-bench.sh >"$log" 2>&1
	rc=$?
	echo "icount: $kver: VM run took $(($(date +%s) - t0)) s, exit $rc" >&2
	if ! grep -q '^@bench icount ' "$log" || ! grep -q '^window .* insns ' "$d/icount.out" 2>/dev/null; then
		echo "icount: $kver: no measurements; last lines of $log:" >&2
		tail -n 30 "$log" >&2
		status=1
		continue
	fi
	sums=
	if [ "$profile" = 1 ]; then
		sums=$d/icount-sums.txt
		"$here/icount-profile.sh" --sums "$log" "$d/icount.out" >"$sums" || sums=
	fi
	join_windows "$log" "$d/icount.out" "$sums" |
		jq -s --arg kernel "$kver" -f "$here/icount.jq" >"$d/icount.json" || { status=1; continue; }
	results+=("$d/icount.json")
	if [ "$profile" = 1 ]; then
		"$here/icount-profile.sh" "$log" "$d/icount.out" >"$d/icount-profile.txt" &&
			echo "icount: $kver: profile in ${d#"$repo"/}/icount-profile.txt" >&2
	fi
done

jq -n --slurpfile k <(cat "${results[@]}" /dev/null) \
	--arg cmd "selftests/bench/icount.sh -r $rounds -n $count -b '$bursts' -c '$cases' --drop-n $drop_n${plugin_args:+ (plugin$plugin_args)}" \
	--arg date "$(date -u +%FT%TZ)" --arg commit "$(git rev-parse --short HEAD 2>/dev/null)" \
	--arg method "1 vCPU, tcg thread=single, -icount $icount_flags, plugin selftests/bench/icount" \
	'{command: $cmd, date: $date, commit: $commit, method: $method, kernels: $k}' \
	>"$out/icount.json"

echo
jq -r -f "$here/icount-table.jq" "$out/icount.json"
echo "icount: results in ${out#"$repo"/}/icount.json"
exit $status
