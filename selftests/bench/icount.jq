# SPDX-License-Identifier: GPL-2.0
#
# icount.jq: one kernel's windows (icount.sh, jq -s) -> summary per burst
# size: instructions per packet of (a) wgmesh.ko and (b) ip6_forward, the
# ratio (b)/(a) of the medians, per-round ratios, the spread over repeats;
# and for the drop case (modes drop-quiet, drop-listen, drop-off) the
# instructions per dropped packet of each mode and their differences.

def median: sort | if length == 0 then null
	elif length % 2 == 1 then .[length / 2 | floor]
	else (.[length / 2 - 1] + .[length / 2]) / 2 end;
def stats: if length == 0 then null else
	{median: median, min: min, max: max, n: length,
	 spread: (if min > 0 then (max - min) / min else null end)} end;

. as $runs
| [.[] | select(.insns != null and .sent > 0) | . + {per_packet: (.insns / .sent)}] as $ok
| {
	kernel: $kernel,
	runs: $runs,
	bursts: [$ok | map(select(.mode == "a" or .mode == "b")) | group_by(.w)[] | . as $g | ($g[0].w) as $w
		| ([$g[] | select(.mode == "a") | .per_packet] | stats) as $a
		| ([$g[] | select(.mode == "b") | .per_packet] | stats) as $b
		| [$g[] | select(.mode == "a")] as $ra
		| ([$g[] | select(.mode == "b")] | map({key: (.round | tostring), value: .per_packet}) | from_entries) as $rb
		| {
			w: $w, a: $a, b: $b,
			ratio: (if $a and $b then $b.median / $a.median else null end),
			ratio_paired: ([$ra[] | select($rb[.round | tostring]) | $rb[.round | tostring] / .per_packet] | stats),
			delta: (if $a and $b then $b.median - $a.median else null end),
			retries: ([$g[] | .retries] | add), lost: ([$g[] | .lost] | add)
		}
		| .targets = [
			{name: "instructions per packet (b)/(a)", want: ">= 1.0", value: .ratio,
			 met: (if .ratio == null then null else .ratio >= 1.0 end)},
			{name: "spread over repeats", want: "< 1%", value: ([.a.spread, .b.spread] | max),
			 met: (if .a == null or .b == null then null else ([.a.spread, .b.spread] | max) < 0.01 end)},
			{name: "retries and lost datagrams", want: "0", value: (.retries + .lost),
			 met: ((.retries + .lost) == 0)}
		]]
	,
	drop: ([$ok[] | select(.mode | startswith("drop-"))] as $d
		| if ($d | length) == 0 then null else
		([$d[] | select(.mode == "drop-quiet") | .per_packet] | stats) as $q
		| ([$d[] | select(.mode == "drop-listen") | .per_packet] | stats) as $l
		| ([$d[] | select(.mode == "drop-off") | .per_packet] | stats) as $o
		# per round: the modes of one round ran back to back
		| ($d | group_by(.round) | map(map({key: .mode, value: .per_packet}) | from_entries)) as $rounds
		| {
			quiet: $q, listen: $l, off: $o,
			listen_minus_quiet: (if $q and $l then $l.median - $q.median else null end),
			quiet_minus_off: (if $q and $o then $q.median - $o.median else null end),
			quiet_minus_off_paired: ([$rounds[] | select(.["drop-quiet"] and .["drop-off"])
				| .["drop-quiet"] - .["drop-off"]] | stats),
			listen_minus_quiet_paired: ([$rounds[] | select(.["drop-quiet"] and .["drop-listen"])
				| .["drop-listen"] - .["drop-quiet"]] | stats),
			sent: ([$d[] | .sent] | add)
		}
		| .targets = [
			# whole-guest counts move by more than the check costs
			# (buffer placement, timers: see README); the precise
			# figure is the profile's (icount.sh --profile)
			{name: "drop without listener vs events compiled out",
			 want: "|quiet-off| within off's spread (max-min)",
			 value: .quiet_minus_off,
			 met: (if .quiet_minus_off == null then null
				else (.quiet_minus_off | fabs) <= ($o.max - $o.min) end)}
		]
		end)
}
