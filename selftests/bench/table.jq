# SPDX-License-Identifier: GPL-2.0
#
# table.jq: prints build/bench/results.json (run.sh) as a text table.
# Every figure is "median [min..max]" over the runs.

def fmt:
	if . == null then "-"
	elif (. | type) != "number" then tostring
	elif . >= 100 then (. | round | tostring)
	else (. * 100 | round / 100 | tostring) end;
def pad($n): tostring | if length >= $n then . + " " else . + (" " * ($n - length)) end;
def spread: if . == null or .median == null then "-"
	else "\(.median | fmt) [\(.min | fmt)..\(.max | fmt)]" end;
def verdict($name):
	(.targets[] | select(.name == $name)) as $t
	| if $t.met == null then "(no data)"
	  elif $t.met then "ok (target \($t.want))"
	  else "MISSED (target \($t.want))" end;
def ratio_cell: if . == null then "-" else
	"\(.ratio | fmt) [\(.ratio_paired.min // null | fmt)..\(.ratio_paired.max // null | fmt)]" end;

def kernel_table:
	"== kernel \(.kernel) (\(.cpus) vCPU TCG guest on \(.cpu)), \(.rounds) rounds of \(.iperf_seconds) s, median [min..max] ==",
	"",
	"\("peer A -> controller -> peer B" | pad(34))\("(a) wgmesh.ko" | pad(22))\("(b) ip6_forward" | pad(22))\("(a)/(b) [per round]" | pad(22))",
	"\("  TCP Mbit/s" | pad(34))\(.forwarding.tcp_mbit.a | spread | pad(22))\(.forwarding.tcp_mbit.b | spread | pad(22))\(.forwarding.tcp_mbit | ratio_cell | pad(22))\(verdict("forwarding TCP ratio (a)/(b)"))",
	"\("  UDP 64-byte packets/s received" | pad(34))\(.forwarding.udp64_pps.a | spread | pad(22))\(.forwarding.udp64_pps.b | spread | pad(22))\(.forwarding.udp64_pps | ratio_cell | pad(22))\(verdict("forwarding UDP-64 pps ratio (a)/(b)"))",
	"",
	"\("peer A -> controller ::1 (local)" | pad(34))\("module attached" | pad(22))\("module detached" | pad(22))\("on/off [per round]" | pad(22))",
	"\("  TCP Mbit/s" | pad(34))\(.local.tcp_mbit.on | spread | pad(22))\(.local.tcp_mbit.off | spread | pad(22))\(.local.tcp_mbit | ratio_cell | pad(22))\(verdict("local TCP, module on vs off"))",
	"",
	"control plane",
	"\("  push of 10,000 peers, ms" | pad(34))\(.push_10k_ms | spread | pad(66))\(verdict("push of 10,000 peers (ms)"))",
	(.mem_bytes_per_peer | to_entries[] |
	 "\("  module memory per peer, \(.key) vCPU" | pad(34))\(.value | spread | pad(22))(memory cgroup of the SET, 100,000 peers: slab \(.value.slab), vmalloc \(.value.vmalloc), per-cpu \(.value.percpu))"),
	"\("    target <= 128 B" | pad(34))1 vCPU: \(verdict("module memory per peer at 100,000 peers, 1 vCPU (bytes)")); 2 vCPUs: \(verdict("module memory per peer at 100,000 peers, 2 vCPUs (bytes)"))",
	"\("  100,000-peer SET: RTNL held, %" | pad(34))\(.rtnl_held_pct | spread | pad(22))of \(.rtnl_set_ms | spread) ms (ftrace)  \(verdict("RTNL held during a 100,000-peer SET (% of its time)"))",
	"\("  longest RCU callback (softirq), us" | pad(34))\(.rcu_callback_max_us | fmt | pad(22))\(verdict("longest RCU callback of the module at 100,000 peers (us)"))",
	"\("  module functions, us" | pad(34))\(.module_fn_us | to_entries | map("\(.key): median \(.value.median_us), max \(.value.max_us) (\(.value.calls) calls)") | join("; "))",
	(if (.up | length) > 0 then
		"\("  wgmesh up, 1,000-peer controller" | pad(34))first run, ms: \(.up.first | spread) (peers \(.up.first.changed | join(",")))",
		"\("" | pad(34))re-run, one peer's key changed, ms: \(.up.rerun // null | spread) (peers \(.up.rerun.changed // [] | join(","))) \(verdict("wgmesh up re-run, one peer changed: WireGuard peers touched"))",
		"\("" | pad(34))re-run, nothing changed, ms: \(.up.same // null | spread) (peers \(.up.same.changed // [] | join(",")))"
	 else "\("  wgmesh up, 1,000-peer controller" | pad(34))not measured (see the VM log)" end),
	"",
	(if (.scale | length) > 0 then
		"\("decision cost, ns/packet" | pad(34))\(.scale.hot.rows | map("\(.peers) peers" | pad(22)) | add)100k/10",
		(.scale | to_entries[] |
		 "\("  \(.key) set, in-module" | pad(34))\(.value.rows | map({median: .ns_median, min: .ns_min, max: .ns_max} | spread | pad(22)) | add)\(.value.ratio_max_over_min_peers | fmt | pad(6))",
		 "\("    snapshot build, us" | pad(34))\(.value.rows | map(.build_us | fmt | pad(22)) | add)" )
	 else "decision cost: not measured (module built without WGMESH_BENCH=1)" end),
	(if (.scale | length) > 0 then
		"  100k/10 hot: \(verdict("decision cost 100k/10 peers, hot set")); random: \(verdict("decision cost 100k/10 peers, random set")); subnet: \(verdict("decision cost 100k/10 subnets, one /24 each")); subnet8: \(verdict("decision cost 100k/10 subnets, 8 prefix lengths"))"
	 else empty end),
	"";

def native_table:
	if . == null then "native decision cost: not measured"
	elif .error then "native decision cost: not measured (\(.error))"
	else
		"== native, host CPU (\(.cpu)), userspace build of kernel/topology.[ch], ns/packet, median [min..max] ==",
		(.rows | group_by(.mode)[] |
		 "\("  \(.[0].mode) set" | pad(34))\(sort_by(.peers) | map("\(.peers):" + ({median: .ns_median, min: .ns_min, max: .ns_max} | spread) | pad(22)) | add)"),
		(.modes | to_entries[] |
		 "  \(.key): < 50 ns at 100,000: \(.value.verdict_ns) (\(.value.ns_100k | fmt)); 100k/10 <= 1.2: \(.value.verdict_ratio) (\(.value.ratio | fmt))"),
		""
	end;

(.kernels[] | kernel_table), (.native | native_table)
