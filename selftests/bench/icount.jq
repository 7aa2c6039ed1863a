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
# generic: every packet of the window took the generic ChaCha20 code (no
# instruction in the SIMD code: profile), which 6.12 does for a whole
# window when a reused skb buffer crosses a page (README); such windows
# measure where the allocator put a buffer, not the path compared
| def simd_only: if ([.[] | select(.generic)] | length) > 0 and
		 ([.[] | select(.generic | not)] | length) > 0
	then map(select(.generic | not)) else . end;
[.[] | select(.insns != null and .sent > 0) | . + {per_packet: (.insns / .sent),
	generic: (.chacha_simd != null and .chacha_simd == 0)}
	| . + {span_ok: (.span != null and .span_starts > 0 and .span_starts == .span_stops and .span_stray == 0)}
	| if .span_ok then . + {span_pp: ((.span - (.span_excluded // 0)) / .span_starts)} else . end
	# hook: wgmesh.ko's instructions per packet it handled: per forwarded
	# packet (datagrams and one ack per burst), per local datagram
	| if .module == null then .
	  elif (.mode | startswith("local")) then . + {module_pp: (.module / .sent)}
	  else . + {module_pp: (.module / (.sent + .bursts))} end] as $ok
| {
	kernel: $kernel,
	runs: $runs,
	bursts: [$ok | map(select(.mode == "a" or .mode == "b")) | group_by(.w)[] | . as $g | ($g[0].w) as $w
		# the whole-packet figures from the SIMD windows of each
		# setup when it has both kinds (generic windows counted apart)
		| ([$g[] | select(.mode == "a")] | simd_only) as $wa
		| ([$g[] | select(.mode == "b")] | simd_only) as $wb
		| ([$wa[] | .per_packet] | stats) as $a
		| ([$wb[] | .per_packet] | stats) as $b
		| $wa as $ra
		| ($wb | map({key: (.round | tostring), value: .per_packet}) | from_entries) as $rb
		# the controller's forwarding alone (icount/span.c): span
		# instructions, less what interrupts, timers and the scheduler
		# ran inside (profile), over the spans (one per forwarded
		# packet); only from windows whose spans all closed
		| ([$g[] | select(.mode == "a" and .span_ok) | .span_pp] | stats) as $sa
		| ([$g[] | select(.mode == "b" and .span_ok) | .span_pp] | stats) as $sb
		| ([$g[] | select(.mode == "a" and .module != null) | .module_pp] | stats) as $ma
		| {
			w: $w, a: $a, b: $b,
			span: {a: $sa, b: $sb,
			       ratio: (if $sa and $sb then $sb.median / $sa.median else null end),
			       excluded_a: ([$g[] | select(.mode == "a" and .span_ok) | .span_excluded / .span_starts] | median),
			       excluded_b: ([$g[] | select(.mode == "b" and .span_ok) | .span_excluded / .span_starts] | median),
			       unclosed: ([$g[] | select(.span != null and (.span_ok | not))] | length)},
			hook: $ma,
			generic: {a: ([$g[] | select(.mode == "a" and .generic)] | length),
				  b: ([$g[] | select(.mode == "b" and .generic)] | length)},
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
			 met: ((.retries + .lost) == 0)},
			{name: "forwarding share (b)/(a)", want: ">= 2.0", value: .span.ratio,
			 met: (if .span.ratio == null then null else .span.ratio >= 2.0 end)},
			{name: "forwarding share spread", want: "< 1%", value: ([.span.a.spread, .span.b.spread] | max),
			 met: (if .span.a == null or .span.b == null then null else ([.span.a.spread, .span.b.spread] | max) < 0.01 end)},
			{name: "hook instructions per forwarded packet", want: "<= 150", value: .hook.median,
			 met: (if .hook == null then null else .hook.median <= 150 end)}
		]]
	,
	local: ([$ok[] | select(.mode | startswith("local-"))] as $l
		| if ($l | length) == 0 then null else
		([$l[] | select(.mode == "local-on")] | simd_only) as $won
		| ([$l[] | select(.mode == "local-off")] | simd_only) as $woff
		| ([$won[] | .per_packet] | stats) as $on
		| ([$woff[] | .per_packet] | stats) as $off
		| ($won + $woff | group_by(.round) | map(map({key: .mode, value: .per_packet}) | from_entries)) as $rounds
		| {
			on: $on, off: $off,
			more: (if $on and $off then $on.median / $off.median - 1 else null end),
			more_paired: ([$rounds[] | select(.["local-on"] and .["local-off"])
				| .["local-on"] / .["local-off"] - 1] | stats),
			hook: ([$l[] | select(.mode == "local-on" and .module != null) | .module_pp] | stats),
			generic: {on: ([$l[] | select(.mode == "local-on" and .generic)] | length),
				  off: ([$l[] | select(.mode == "local-off" and .generic)] | length)},
			retries: ([$l[] | .retries] | add), lost: ([$l[] | .lost] | add)
		}
		| .targets = [
			{name: "local delivery, attached vs detached", want: "<= +0.5%", value: .more,
			 met: (if .more == null then null else .more <= 0.005 end)},
			{name: "local spread", want: "< 1%", value: ([.on.spread, .off.spread] | max),
			 met: (if .on == null or .off == null then null else ([.on.spread, .off.spread] | max) < 0.01 end)},
			{name: "hook instructions per local packet", want: "(reported)", value: .hook.median, met: null}
		]
		end),
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
			generic: ([$d[] | select(.generic)] | length),
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
