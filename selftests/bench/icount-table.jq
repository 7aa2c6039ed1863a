# SPDX-License-Identifier: GPL-2.0
#
# icount-table.jq: build/bench/icount.json (icount.sh) as a text table.

def fmt: if . == null then "-" else (. | round | tostring) end;
def pct: if . == null then "-" else (. * 10000 | round / 100 | tostring) + "%" end;
def r1: if . == null then "-" else (. * 10 | round / 10 | tostring) end;
def r3: if . == null then "-" else (. * 1000 | round / 1000 | tostring) end;
def pad($n): tostring | if length >= $n then . + " " else . + (" " * ($n - length)) end;
def verdict($name):
	(.targets[] | select(.name == $name)) as $t
	| if $t.met == null then "(no data)" elif $t.met then "ok" else "MISSED" end;

(if ([.kernels[].bursts[]] | length) == 0 then "== instructions per packet (deterministic): \(.method) ==" else
"== instructions per packet (deterministic): \(.method) ==",
"   a -> controller -> b, 64-byte UDP, closed loop (udpping): bursts of W, one ack per burst back the same way;",
"   every instruction of the guest in the window (both peers, controller, acks, softirq, timers) / datagrams",
"",
"\("kernel" | pad(28))\("W" | pad(4))\("(a) wgmesh.ko" | pad(16))\("(b) ip6_forward" | pad(17))\("(b)-(a)" | pad(9))\("(b)/(a) [per round]" | pad(30))\("spread a / b" | pad(26))retries+lost",
(.kernels[] | .kernel as $k | .bursts[] |
	"\($k | pad(28))\(.w | pad(4))\(.a.median | fmt | pad(16))\(.b.median | fmt | pad(17))\(.delta | fmt | pad(9))\("\(.ratio | r3) [\(.ratio_paired.min | r3)..\(.ratio_paired.max | r3)] \(verdict("instructions per packet (b)/(a)"))" | pad(30))\("\(.a.spread | pct) / \(.b.spread | pct) \(verdict("spread over repeats"))" | pad(26))\(.retries + .lost) \(verdict("retries and lost datagrams"))\(if (.generic.a + .generic.b) > 0 then "  (generic ChaCha20 windows left out: a \(.generic.a), b \(.generic.b))" else "" end)"),
"",
"targets: (b)/(a) >= 1.0 at every W on both kernels; spread (max-min)/min over repeats < 1%; no retries or losses",
"   (a window whose packets all took the generic ChaCha20 code, 6.12's buffer placement, is left out when its setup has others)",
"",
"== the controller's forwarding alone: instructions per forwarded packet from its first ingress hook to its egress hook (icount/span.c),",
"   less interrupt, timer and scheduler functions inside (icount-profile.sh EXCLUDED); hook: wgmesh.ko's own functions (profile) ==",
"",
"\("kernel" | pad(28))\("W" | pad(4))\("(a) wgmesh.ko" | pad(16))\("(b) ip6_forward" | pad(17))\("(b)/(a)" | pad(16))\("spread a / b" | pad(26))\("excluded a / b" | pad(16))hook (a), per forwarded packet",
(.kernels[] | .kernel as $k | .bursts[] |
	"\($k | pad(28))\(.w | pad(4))\(.span.a.median | r1 | pad(16))\(.span.b.median | r1 | pad(17))\("\(.span.ratio | r3) \(verdict("forwarding share (b)/(a)"))" | pad(16))\("\(.span.a.spread | pct) / \(.span.b.spread | pct) \(verdict("forwarding share spread"))" | pad(26))\("\(.span.excluded_a | r1) / \(.span.excluded_b | r1)" | pad(16))\(.hook.median | r1) \(verdict("hook instructions per forwarded packet"))\(if .span.unclosed > 0 then "  (\(.span.unclosed) windows with unclosed spans left out)" else "" end)"),
"",
"targets: forwarding share (b)/(a) >= 2.0; hook <= 150 instructions per forwarded packet"
end),
(if ([.kernels[] | select(.local != null)] | length) == 0 then empty else
"",
"== local delivery: a -> the controller's own address and back, 64-byte UDP ping-pong, per round trip ==",
"",
"\("kernel" | pad(28))\("on: attached" | pad(15))\("off: detached" | pad(15))\("on/off-1 [per round]" | pad(34))\("spread on / off" | pad(26))hook (on), per local packet",
(.kernels[] | select(.local != null) | .kernel as $k | .local |
	"\($k | pad(28))\(.on.median | fmt | pad(15))\(.off.median | fmt | pad(15))\("\(.more | pct) [\(.more_paired.min | pct)..\(.more_paired.max | pct)] \(verdict("local delivery, attached vs detached"))" | pad(34))\("\(.on.spread | pct) / \(.off.spread | pct) \(verdict("local spread"))" | pad(26))\(.hook.median | r1)\(if (.generic.on + .generic.off) > 0 then "  (generic ChaCha20 windows left out: on \(.generic.on), off \(.generic.off))" else "" end)"),
"",
"target: attached at most 0.5% more instructions per round trip than detached"
end),
(if ([.kernels[] | select(.drop != null)] | length) == 0 then empty else
"",
"== instructions per dropped packet: a -> controller, one-way 64-byte UDP (udpping -o), dropped by policy (default-deny) ==",
"   quiet: wgmesh.ko, nobody subscribed to drop events; listen: a listener (wgmesh-ctl events); off: built WGMESH_NO_EVENTS=1",
"",
"\("kernel" | pad(28))\("quiet" | pad(10))\("listen" | pad(10))\("off" | pad(10))\("listen-quiet" | pad(14))\("quiet-off [per round]" | pad(26))\("spread q / l / o" | pad(24))verdict",
(.kernels[] | select(.drop != null) | .kernel as $k | .drop |
	"\($k | pad(28))\(.quiet.median | fmt | pad(10))\(.listen.median | fmt | pad(10))\(.off.median | fmt | pad(10))\(.listen_minus_quiet | r3 | pad(14))\("\(.quiet_minus_off | r3) [\(.quiet_minus_off_paired.min | r3)..\(.quiet_minus_off_paired.max | r3)]" | pad(26))\("\(.quiet.spread | pct) / \(.listen.spread | pct) / \(.off.spread | pct)" | pad(24))\(verdict("drop without listener vs events compiled out"))\(if .generic > 0 then "  (\(.generic) generic ChaCha20 windows)" else "" end)"),
"",
"target: |quiet-off| within the spread (max-min) of the off windows: nothing measurable in the whole guest while nobody listens;",
"   --profile attributes it per function (build/bench/<kver>/icount-profile.txt: netlink_has_listeners, wgmesh.ko (all functions))"
end)
