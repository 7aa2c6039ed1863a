#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# up-bench.sh DIR: times `wgmesh up` on the controller of a 1,000-peer mesh
# (DIR: mesh.conf, mesh-changed.conf with one peer's key replaced, ctrl.key;
# run.sh generates them on the host with wgmesh genkey/pubkey). Sourced
# helpers and emit() come from vm-bench.sh, which calls it with wgmesh.ko
# loaded. Per round: first run on a fresh namespace, an unchanged re-run,
# a re-run with the one changed peer.

dir=${1:?usage: up-bench.sh DIR}
rounds=${BENCH_UP_ROUNDS:-3}
name=$(sed -n 's/^Name = //p' "$dir/mesh.conf" | head -n 1)
npeers=$(grep -c '^\[Peer ' "$dir/mesh.conf")

# up_once FILE: run wgmesh up in wgm-upbench; prints "MICROSECONDS SUMMARY"
up_once()
{
	local t0 t1 out
	t0=${EPOCHREALTIME/./}
	out=$(ip netns exec wgm-upbench wgmesh up "$1" --name ctrl1 \
		--private-key-file "$dir/ctrl.key" 2>&1) || {
		echo "# wgmesh up $1 failed: $out" >&2
		return 1
	}
	t1=${EPOCHREALTIME/./}
	echo "# $out" >&2
	# "...: peers +N ~N -N, addresses ..., routes ..." -> "+N/~N/-N"
	echo "$((t1 - t0)) $(echo "$out" | sed -n 's/.*peers \(+[0-9]*\) \(~[0-9]*\) \(-[0-9]*\).*/\1\/\2\/\3/p' | head -n 1)"
}

for ((r = 1; r <= rounds; r++)); do
	ip netns del wgm-upbench 2>/dev/null
	run ip netns add wgm-upbench || { echo "# ip netns add failed"; exit 1; }
	ip -n wgm-upbench link set lo up
	for step in first:mesh.conf same:mesh.conf rerun:mesh-changed.conf; do
		res=$(up_once "$dir/${step#*:}") || break
		emit "up run=${step%%:*} round=$r peers=$npeers ms=$((${res%% *} / 1000)).$(printf '%03d' $((${res%% *} % 1000))) changed=${res#* }"
	done
	if [ "$r" = 1 ]; then
		n=$(ip netns exec wgm-upbench wg show "$name" peers 2>/dev/null | wc -l)
		echo "# $name has $n WireGuard peers after the re-run"
	fi
	ip netns exec wgm-upbench wgmesh down "$dir/mesh.conf" >/dev/null 2>&1 ||
		ip -n wgm-upbench link del "$name" 2>/dev/null
	ip netns del wgm-upbench
done
