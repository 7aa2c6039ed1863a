# SPDX-License-Identifier: GPL-2.0
#
# aggregate.jq: turns the "@bench ..." lines of one VM run (vm-bench.sh,
# prefix stripped, read with jq -R -s) into one JSON object per kernel:
# every figure as {median, min, max, n, runs} and each target with its
# verdict. $kernel names the run if the guest printed no info line.

def num: (tonumber? // .);
def rec:
	split(" ") as $w
	| {section: $w[0]}
	  + ([$w[1:][] | select(test("^[a-z_]+="))
	      | capture("^(?<k>[a-z_]+)=(?<v>.*)$") | {(.k): (.v | num)}] | add // {});
def median:
	sort | if length == 0 then null
	       elif length % 2 == 1 then .[(length - 1) / 2]
	       else (.[length / 2 - 1] + .[length / 2]) / 2 end;
def stats: {median: median, min: min, max: max, n: length, runs: .};
def round2: if . == null then null else . * 100 | round / 100 end;
def round4: if . == null then null else . * 10000 | round / 10000 end;
def div($a; $b): if $a == null or $b == null or $b == 0 then null else $a / $b end;

# paired per-round ratios of mode $m1 over mode $m2 in records $x
def paired($x; $m1; $m2):
	[$x | group_by(.round)[]
	 | (map(select(.mode == $m1).value) | .[0]) as $a
	 | (map(select(.mode == $m2).value) | .[0]) as $b
	 | select($a != null and $b != null and $b != 0) | $a / $b];

def compare($x; $m1; $m2):
	($x | map(select(.mode == $m1).value) | stats) as $s1
	| ($x | map(select(.mode == $m2).value) | stats) as $s2
	| (paired($x; $m1; $m2) | map(round4)) as $p
	| {($m1): $s1, ($m2): $s2,
	   ratio: (div($s1.median; $s2.median) | round4),
	   ratio_paired: ($p | if length > 0 then {median: median, min: min, max: max} else null end)};

def scale_of($s; $m):
	([$s[] | select(.mode == $m)
	  | {peers, ns_median, ns_min, ns_max, build_us, runs, pkts}]
	 | sort_by(.peers)) as $rows
	| {($m): {rows: $rows,
		  ratio_max_over_min_peers:
			(div($rows[-1].ns_median; $rows[0].ns_median) | round4)}};

(split("\n") | map(select(length > 0) | rec)) as $r
| ($r | map(select(.section == "info")) | .[0] // {}) as $info
| ($r | map(select(.section == "fwd"))) as $fwd
| ($r | map(select(.section == "local"))) as $local
| ($r | map(select(.section == "scale"))) as $scale
| {
	kernel: ($info.kernel // $kernel),
	cpus: $info.cpus,
	cpu: (($info.cpu // "") | gsub("_"; " ")),
	rounds: $info.rounds,
	iperf_seconds: $info.secs,
	complete: ($r | any(.section == "done")),
	forwarding: {
		tcp_mbit: compare($fwd | map(select(.kind == "tcp")); "a"; "b"),
		udp64_pps: compare($fwd | map(select(.kind == "udp")); "a"; "b")
	},
	local: {
		tcp_mbit: compare($local | map(select(.kind == "tcp")); "on"; "off")
	},
	push_10k_ms: ($r | map(select(.section == "push").us / 1000) | stats),
	# per vCPU count: one VM boot of 2 vCPUs, one of 1 (run.sh)
	mem_bytes_per_peer: ($r | map(select(.section == "mem")) | group_by(.cpus)
		| map({(.[0].cpus | tostring): ((map(.bytes_per_peer) | stats)
			+ {slab: (map(.slab_b) | median), vmalloc: (map(.vmalloc_b) | median),
			   percpu: (map(.percpu_b) | median)})}) | add // {}),
	rtnl_held_pct: ($r | map(select(.section == "locks" and .kind == "rtnl").pct) | stats),
	rtnl_set_ms: ($r | map(select(.section == "locks" and .kind == "rtnl").total_us / 1000) | stats),
	rcu_callback_max_us: ($r | map(select(.section == "locks" and .kind == "fn"
		and .fn == "free_dev_rcu").max_us) | max),
	module_fn_us: ($r | map(select(.section == "locks" and .kind == "fn"))
		| map({(.fn): {max_us: .max_us, median_us: .median_us, calls: .calls}})
		| add // {}),
	scale: ([$scale[] | .mode] | unique | map(scale_of($scale; .)) | add // {}),
	up: ($r | map(select(.section == "up")) | group_by(.run)
	     | map({(.[0].run): ((map(.ms) | stats)
			       + {changed: (map(.changed | tostring) | unique)})})
	     | add // {})
}
| .targets = [
	{name: "forwarding TCP ratio (a)/(b)", want: ">= 1.0",
	 value: .forwarding.tcp_mbit.ratio},
	{name: "forwarding UDP-64 pps ratio (a)/(b)", want: ">= 1.0",
	 value: .forwarding.udp64_pps.ratio},
	{name: "local TCP, module on vs off", want: ">= 0.98",
	 value: .local.tcp_mbit.ratio},
	{name: "push of 10,000 peers (ms)", want: "< 1000",
	 value: (.push_10k_ms.median | round2)},
	{name: "module memory per peer at 100,000 peers, 1 vCPU (bytes)",
	 want: "<= 128", value: .mem_bytes_per_peer["1"].median},
	{name: "module memory per peer at 100,000 peers, 2 vCPUs (bytes)",
	 want: "<= 128", value: .mem_bytes_per_peer["2"].median},
	{name: "RTNL held during a 100,000-peer SET (% of its time)",
	 want: "< 10", value: (.rtnl_held_pct.median | round2)},
	{name: "longest RCU callback of the module at 100,000 peers (us)",
	 want: "< 1000", value: .rcu_callback_max_us},
	{name: "wgmesh up re-run, one peer changed: WireGuard peers touched",
	 want: "<= 2", value: (.up.rerun.changed // null
		| if . == null or length != 1 then null
		  else .[0] | [scan("[0-9]+") | tonumber] | add end)},
	{name: "decision cost 100k/10 peers, hot set", want: "<= 1.2",
	 value: .scale.hot.ratio_max_over_min_peers},
	{name: "decision cost 100k/10 peers, random set", want: "<= 1.2",
	 value: .scale.random.ratio_max_over_min_peers},
	{name: "decision cost 100k/10 subnets, one /24 each", want: "<= 1.2",
	 value: .scale.subnet.ratio_max_over_min_peers},
	{name: "decision cost 100k/10 subnets, 8 prefix lengths", want: "<= 1.2",
	 value: .scale.subnet8.ratio_max_over_min_peers}
  ]
  | .targets |= map(. + {met: (if .value == null then null
	elif .want | startswith(">= ") then .value >= (.want[3:] | tonumber)
	elif .want | startswith("<= ") then .value <= (.want[3:] | tonumber)
	elif .want | startswith("< ") then .value < (.want[2:] | tonumber)
	else null end)})
