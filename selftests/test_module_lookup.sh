#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Lookup selftest (VM): load the WGMESH_DEBUG build of wgmesh.ko, which at
# every load checks the O(1) member lookup, the policy verdict and the whole
# datapath decision against naive implementations over random meshes and
# addresses, and the counters' carry-over across a replace
# (kernel/selftest/lookup.c), and refuses to load on any mismatch. Three
# loads, three sets of random meshes. A production build carries no test
# code: it loads without printing any of it.

. "$(dirname "$0")/lib/ktap.sh"

ko=${WGMESH_KO:?WGMESH_KO is not set (run me with selftests/vm/run.sh)}
debug_ko=${WGMESH_KO_DEBUG:?WGMESH_KO_DEBUG is not set (run make modules-all)}
LOADS=3

# passed LOG: the selftest's four results are there, none failed
passed()
{
	grep -q ' ok 1 wgmesh_lookup_random_meshes$' <<< "$1" &&
		grep -q ' ok 2 wgmesh_lookup_duplicate_ids$' <<< "$1" &&
		grep -q ' ok 3 wgmesh_counters_carried_over$' <<< "$1" &&
		grep -q ' ok 4 wgmesh_lookup_classes$' <<< "$1" &&
		! grep -q 'not ok' <<< "$1"
}

ktap_print_header
ktap_set_plan $((LOADS * 3 + 1))

for i in $(seq $LOADS); do
	run dmesg -c >/dev/null
	ktap_test_result "load $i: the debug build loads (its selftest passed)" \
		insmod "$debug_ko"
	log=$(dmesg)
	echo "$log" | grep -E 'KTAP|ok [0-9]|wgmesh' | sed 's/^/# /'
	ktap_expect "load $i: lookup, policy, decision and counters agree with the naive ones" \
		passed "$log"
	ktap_test_result "load $i: rmmod" rmmod wgmesh
done
run dmesg -c >/dev/null
run insmod "$ko"
ktap_expect "the production build runs no selftest" ! grep -q KTAP <<< "$(dmesg)"
run rmmod wgmesh
ktap_finished
