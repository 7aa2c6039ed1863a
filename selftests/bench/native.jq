# SPDX-License-Identifier: GPL-2.0
#
# native.jq: the host run of native/decide-bench ("mode=..." lines, read
# with jq -R -s) as JSON with the native targets, per mode (hot, random:
# peers' /96s; subnet: one IPv4 /24 a peer; subnet8: IPv6 subnets of 8
# prefix lengths): < 50 ns per decision at 100,000 peers (subnets) and a
# 100k/10 ratio <= 1.2.

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
	. as $all
	| .modes = ([.rows[].mode] | unique | map(. as $m | {($m): {
		ns_100k: ($all | row($m; 100000).ns_median),
		ratio: ($all | ratio($m)),
		verdict_ns: verdict(($all | row($m; 100000).ns_median) < 50),
		verdict_ratio: verdict(($all | ratio($m)) <= 1.2)}}) | add)
	| .cpu = $cpu
  end
