# SPDX-License-Identifier: GPL-2.0
#
# native.jq: the host run of native/decide-bench ("mode=..." lines, read
# with jq -R -s) as JSON with the native targets: < 50 ns per decision at
# 100,000 peers and a 100k/10 ratio <= 1.2.

def num: (tonumber? // .);
def rec:
	[split(" ")[] | select(test("^[a-z_]+="))
	 | capture("^(?<k>[a-z_]+)=(?<v>.*)$") | {(.k): (.v | num)}] | add;
def row($m; $p): (.rows | map(select(.mode == $m and .peers == $p)) | .[0]);
def ratio($m): (row($m; 100000).ns_median / row($m; 10).ns_median) * 10000 | round / 10000;
def verdict(c): if c then "ok" else "MISSED" end;

{rows: (split("\n") | map(select(length > 0) | rec
	| {mode, peers, ns_median, ns_min, ns_max, build_us, runs, pkts}))}
| if (.rows | length) == 0 then {error: "no results"} else . end
| if .error then . else
	.ratio_hot = ratio("hot") | .ratio_random = ratio("random")
	| .verdict_hot = verdict(row("hot"; 100000).ns_median < 50)
	| .verdict_random = verdict(row("random"; 100000).ns_median < 50)
	| .verdict_ratio_hot = verdict(.ratio_hot <= 1.2)
	| .verdict_ratio_random = verdict(.ratio_random <= 1.2)
	| .cpu = $cpu
  end
