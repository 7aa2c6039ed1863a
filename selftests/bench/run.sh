#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# run.sh: `make bench`. Builds wgmesh.ko with the decision microbenchmark
# (WGMESH_BENCH=1) for each test kernel, runs vm-bench.sh in one VM boot
# per kernel, runs the native decision benchmark on the host, then prints
# a table and writes build/bench/results.json (raw logs next to it). The
# wall-clock figures are indicative (TCG timing follows the host's load);
# then icount.sh counts instructions per packet in one more boot per
# kernel (deterministic; table and build/bench/icount.json).
#
#   selftests/bench/run.sh [-k "6.1 6.12"] [-r ROUNDS] [-s SECS] [--only "fwd ..."]
#
#   -k KERNELS   kernel lines or releases to boot (default: 6.1 6.12, about
#                4.5 minutes each on this 2-core machine; $KERNELS too)
#   -r ROUNDS    repetitions of each VM measurement (default 4)
#   -s SECS      seconds per iperf3 run (default 3)
#   --only LIST  subset of: fwd local push mem locks scale up native icount
#                (mem is measured in a second, 1-vCPU boot too)
#
# Benchmarks print numbers, they never fail a build: a missed target is
# reported as MISSED, and the exit status is non-zero only when a VM run
# produced no measurement at all (a broken setup, not a slow number).

set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
. "$here/../lib/kernel.sh"
out=${WGMESH_BUILD:-$repo/build}/bench
kernels=${KERNELS:-6.1 6.12}
rounds=4
secs=3
only="fwd local push mem locks scale up native icount"

usage()
{
	sed -n '4,20s/^# \{0,1\}//p' "${BASH_SOURCE[0]}" >&2
	exit 2
}

while [ $# -gt 0 ]; do
	case $1 in
	-k) kernels=${2:?}; shift 2 ;;
	-r) rounds=${2:?}; shift 2 ;;
	-s) secs=${2:?}; shift 2 ;;
	--only) only=${2:?}; shift 2 ;;
	-h|--help) usage ;;
	*) echo "bench: unknown argument $1" >&2; usage ;;
	esac
done

# Flags of a calling make (`make -n bench-run` exports n) must not reach the
# kernel and helper builds below, or they silently build nothing.
unset MAKEFLAGS MFLAGS MAKELEVEL

command -v jq >/dev/null || { echo "bench: jq not found (make deps)" >&2; exit 1; }
mkdir -p "$out"
cd "$repo" || exit 1

# bench_ko KVER: build wgmesh.ko with WGMESH_BENCH=1 into $out/KVER/ from a
# private copy of the sources (never sharing objects with other builds);
# prints its path, or the regular build/KVER/wgmesh.ko when that fails
bench_ko()
{
	local kver=$1 src=$out/$1/src log=$out/$1/build.log
	rm -rf "$src"
	mkdir -p "$src"
	cp -r Kbuild kernel "$src/"
	find "$src" \( -name '*.o' -o -name '*.cmd' -o -name '*.ko' \) -delete
	if make -s -C "/usr/src/linux-headers-$kver" M="$src" WGMESH_BENCH=1 modules \
		>"$log" 2>&1 && cp "$src/wgmesh.ko" "$out/$kver/wgmesh.ko"; then
		echo "$out/$kver/wgmesh.ko"
	else
		echo "bench: WGMESH_BENCH=1 build for $kver failed (see $log);" \
			"no decision microbenchmark" >&2
		echo "build/$kver/wgmesh.ko"
	fi
}

# gen_up DIR: a 1,000-peer topology for `wgmesh up` on its controller, and
# the same with one peer's key replaced; real keys from wgmesh genkey and
# pubkey (kept: generating 1,000 keys takes a while on a loaded machine)
gen_up()
{
	local dir=$1 n=1000 i w=tools/wgmesh
	[ -x "$w" ] || return 1
	mkdir -p "$dir"
	if [ ! -s "$dir/keys" ] || [ "$(wc -l < "$dir/keys")" -lt $((n + 1)) ]; then
		echo "bench: generating $n peer keys for the wgmesh up benchmark" >&2
		for ((i = 0; i <= n; i++)); do
			"$w" genkey | "$w" pubkey || return 1
		done > "$dir/keys.tmp" && mv "$dir/keys.tmp" "$dir/keys"
	fi
	rm -f "$dir/ctrl.key"
	"$w" genkey "$dir/ctrl.key" >/dev/null || return 1
	{
		echo "# $n peers on one controller: selftests/bench/run.sh"
		echo "[Mesh]"
		echo "Name = wgbench"
		echo
		echo "[Controller ctrl1]"
		echo "Endpoint = 192.0.2.1"
		echo "PublicKey = $("$w" pubkey < "$dir/ctrl.key")"
		head -n "$n" "$dir/keys" | awk '{
			printf "\n[Peer peer%04d]\nPublicKey = %s\nController = ctrl1\n", NR, $1 }'
	} > "$dir/mesh.conf"
	# one peer changed: peer0500 gets the spare key
	awk -v k="$(tail -n 1 "$dir/keys")" '
		/^\[Peer / { p = $2 }
		p == "peer0500]" && /^PublicKey = / { $0 = "PublicKey = " k }
		{ print }' "$dir/mesh.conf" > "$dir/mesh-changed.conf"
	"$w" check "$dir/mesh.conf" >/dev/null && "$w" check "$dir/mesh-changed.conf" >/dev/null
}

# helpers the guest runs
make -s -C selftests >/dev/null || echo "bench: make -C selftests failed" >&2
make -s -C tools >/dev/null || echo "bench: make -C tools failed" >&2

up_args=()
if [[ " $only " == *" up "* ]]; then
	if gen_up "$out/up"; then
		up_args=(--add "$out/up:/wgmesh-bench-up" -e BENCH_UP_DIR=/wgmesh-bench-up)
	else
		echo "bench: could not generate the wgmesh up topology (tools/wgmesh built?)" >&2
	fi
fi

status=0
results=()
# The wall-clock boot runs vm-bench.sh's sections but icount, which
# boots on its own (icount.sh); none of them wanted: no such boot.
vm_only=${only//icount/}
kernels_wall=
for s in fwd local push mem locks scale up; do
	[[ " $only " == *" $s "* ]] && kernels_wall=$kernels
done
for k in $kernels_wall; do
	kver=$(resolve_kver "$k")
	if [ -z "$kver" ]; then
		echo "bench: no installed kernel headers for '$k' (make deps)" >&2
		status=1
		continue
	fi
	mkdir -p "$out/$kver"
	ko=$(bench_ko "$kver")
	log=$out/$kver/vm.log
	echo "bench: $kver: one VM boot, $rounds rounds (log: ${log#"$repo"/})" >&2
	t0=$(date +%s)
	selftests/vm/run.sh -k "$kver" -t 600 --ko "$ko" "${up_args[@]}" \
		-e "BENCH_ROUNDS=$rounds" -e "BENCH_SECS=$secs" -e "BENCH_ONLY=$vm_only" \
		-- selftests/bench/vm-bench.sh >"$log" 2>&1
	rc=$?
	echo "bench: $kver: VM run took $(($(date +%s) - t0)) s, exit $rc" >&2
	if ! grep -q '^@bench ' "$log"; then
		echo "bench: $kver: no measurements; last lines of $log:" >&2
		tail -n 30 "$log" >&2
		status=1
		continue
	fi
	[ "$rc" = 0 ] || echo "bench: $kver: the VM run did not finish cleanly (exit $rc), results are partial" >&2
	# Memory per peer must not depend on the CPU count: once more on 1.
	log1=$out/$kver/vm-1cpu.log
	: > "$log1"
	if [[ " $only " == *" mem "* ]]; then
		echo "bench: $kver: memory per peer with 1 vCPU (log: ${log1#"$repo"/})" >&2
		selftests/vm/run.sh -k "$kver" -t 300 --smp 1 --ko "$ko" \
			-e BENCH_ROUNDS=1 -e BENCH_ONLY=mem \
			-- selftests/bench/vm-bench.sh >"$log1" 2>&1 ||
			echo "bench: $kver: the 1-vCPU run failed (see $log1)" >&2
	fi
	{ sed -n 's/^@bench //p' "$log"; sed -n 's/^@bench mem /mem /p' "$log1"; } |
		jq -R -s --arg kernel "$kver" -f "$here/aggregate.jq" >"$out/$kver/results.json" ||
		{ status=1; continue; }
	results+=("$out/$kver/results.json")
done

native=$out/native.json
rm -f "$native"
if [[ " $only " == *" native "* ]]; then
	cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
	echo "bench: native decision benchmark on the host ($cpu)" >&2
	if make -s -C "$here" native O="$out/native" >"$out/native-build.log" 2>&1; then
		"$out/native/decide-bench" 21 >"$out/native.log" 2>&1
		sed -n 's/^bench: \(mode=.*\)/\1/p' "$out/native.log" |
			jq -R -s --arg cpu "$cpu" -f "$here/native.jq" >"$native" || rm -f "$native"
	else
		jq -n --arg e "userspace build failed, see ${out#"$repo"/}/native-build.log" \
			'{error: $e}' >"$native"
	fi
fi

jq -n --slurpfile k <(cat "${results[@]}" /dev/null) \
	--slurpfile n <(cat "$native" 2>/dev/null) \
	--arg cmd "make bench" --arg date "$(date -u +%FT%TZ)" \
	--arg commit "$(git rev-parse --short HEAD 2>/dev/null)" \
	'{command: $cmd, date: $date, commit: $commit, kernels: $k, native: ($n[0] // null)}' \
	>"$out/results.json"

echo
echo "== wall clock (indicative: under TCG these follow the host's load and swing between runs) =="
jq -r -f "$here/table.jq" "$out/results.json"
"$here/notes.sh" "$out/results.json"
echo "bench: results in ${out#"$repo"/}/results.json"

if [[ " $only " == *" icount "* ]]; then
	echo
	rm -f "$out/icount.json"
	"$here/icount.sh" -k "$kernels" || status=1
	# results.json keeps every figure: the instruction counts under .icount
	if [ -s "$out/icount.json" ]; then
		jq --slurpfile i "$out/icount.json" '. + {icount: $i[0]}' "$out/results.json" \
			>"$out/results.json.new" && mv "$out/results.json.new" "$out/results.json"
		echo "bench: instruction counts added to ${out#"$repo"/}/results.json (.icount)"
	fi
fi
exit $status
