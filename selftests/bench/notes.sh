#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# notes.sh RESULTS.JSON: after the table, one line per missed target saying
# what limits it (from what the numbers themselves show), and what is and
# is not comparable.

f=${1:?usage: notes.sh RESULTS.JSON}

jq -r '
def fmt: if . == null then "-" else (. * 100 | round / 100 | tostring) end;
(.kernels[] | .kernel as $k | . as $r | .targets[] | select(.met == false) |
 "MISSED [\($k)] \(.name): \(.value | fmt), target \(.want). " +
 (if (.name | startswith("forwarding")) or (.name | startswith("local")) then
	(if .name | startswith("local") then $r.local.tcp_mbit
	 elif .name | contains("TCP") then $r.forwarding.tcp_mbit
	 else $r.forwarding.udp64_pps end) as $x
	| ([$x[] | objects | select(.min != null and .min > 0) | .max / .min] | max // 0) as $noise
	| "Per-round ratios span \($x.ratio_paired.min | fmt)..\($x.ratio_paired.max | fmt)" +
	  (if (($x.ratio_paired.min // 1) < 1 and ($x.ratio_paired.max // 0) > 1) or $noise > 1.5
	   then "; one setup alone varies \($noise | fmt)x between rounds of the same boot (an emulated CPU shared with other work, WireGuard crypto in TCG dominating every packet on both paths), so this run cannot tell a real cost from noise; rerun on a quiet machine or with more rounds (-r)."
	   else ": consistently lower with little noise; the module adds the ingress hook and its decision to every packet, measured in the same boot." end)
  elif .name | startswith("push") then
	"Dominated by emulation (TCG): building the netlink message in wgmesh-ctl and parsing it in the kernel, ~\(($r.push_10k_ms.median // 0) / 10000 * 1000 | round) us per peer."
  elif .name | contains("hot") then
	"The lookup is O(1): per packet two hash-table probe runs and two member reads at every size (the expected probe length follows the table load factor, 0.25-0.5 by construction, not the mesh size). What grows is where those reads land: 256 active members of a 100,000-peer mesh spread over ~500 pages of member array and table (TLB and L1/L2 misses), while a 10-peer mesh fits in a few cache lines."
  elif .name | contains("subnets") then
	"Each address costs one hash probe per prefix length in use (one here for the /24s, up to eight for the IPv6 lengths, most answered by the Bloom filter), then the owner: constant work whose reads land in a 3 MB subnet table and member array at 100,000, in a few cache lines at 10; under TCG each guest TLB miss is a software page walk."
  elif .name | contains("random") then
	"Every packet reads two random members of a 3 MB member array and a 1 MB table: cache and TLB misses, not the algorithm; under TCG each guest TLB miss costs a software page walk in qemu, which exaggerates it further."
  else "" end)),
(.native | select(. != null and .error == null) | .modes | to_entries
 | map(select(.value.verdict_ns == "MISSED" or .value.verdict_ratio == "MISSED")) |
 if length == 0 then "native: all native targets met."
 else .[] | "native \(.key): \(.value.ns_100k | fmt) ns at 100,000 (\(.value.verdict_ns)), 100k/10 \(.value.ratio | fmt) (\(.value.verdict_ratio)): " +
  (if .key == "subnet8" then "up to 8 filter words and one table run per address (one per prefix length in use, longest first), each a random read in a 100,000-subnet table: the probes stay constant, their cache misses do not."
   else "the same code on the host CPU; the growth at 100,000 is cache and TLB misses (MBs of snapshot), the per-packet accesses stay constant." end) end),
"comparable: ratios measured in the same VM boot (a/b alternated round by round), and native ns/packet; not comparable: absolute throughput, packet rates and ns under TCG (no KVM here), which are 10-100x slower than hardware and shared with whatever else runs on this 2-core machine."
' "$f"
