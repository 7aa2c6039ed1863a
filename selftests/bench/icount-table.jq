# SPDX-License-Identifier: GPL-2.0
#
# icount-table.jq: build/bench/icount.json (icount.sh) as a text table.

def fmt: if . == null then "-" else (. | round | tostring) end;
def pct: if . == null then "-" else (. * 10000 | round / 100 | tostring) + "%" end;
def r3: if . == null then "-" else (. * 1000 | round / 1000 | tostring) end;
def pad($n): tostring | if length >= $n then . + " " else . + (" " * ($n - length)) end;
def verdict($name):
	(.targets[] | select(.name == $name)) as $t
	| if $t.met == null then "(no data)" elif $t.met then "ok" else "MISSED" end;

"== instructions per packet (deterministic): \(.method) ==",
"   a -> controller -> b, 64-byte UDP, closed loop (udpping): bursts of W, one ack per burst back the same way;",
"   every instruction of the guest in the window (both peers, controller, acks, softirq, timers) / datagrams",
"",
"\("kernel" | pad(28))\("W" | pad(4))\("(a) wgmesh.ko" | pad(16))\("(b) ip6_forward" | pad(17))\("(b)-(a)" | pad(9))\("(b)/(a) [per round]" | pad(30))\("spread a / b" | pad(26))retries+lost",
(.kernels[] | .kernel as $k | .bursts[] |
	"\($k | pad(28))\(.w | pad(4))\(.a.median | fmt | pad(16))\(.b.median | fmt | pad(17))\(.delta | fmt | pad(9))\("\(.ratio | r3) [\(.ratio_paired.min | r3)..\(.ratio_paired.max | r3)] \(verdict("instructions per packet (b)/(a)"))" | pad(30))\("\(.a.spread | pct) / \(.b.spread | pct) \(verdict("spread over repeats"))" | pad(26))\(.retries + .lost) \(verdict("retries and lost datagrams"))"),
"",
"targets: (b)/(a) >= 1.0 at every W on both kernels; spread (max-min)/min over repeats < 1%; no retries or losses"
