#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Lookup selftest (VM): load wgmesh.ko with run_selftest=1, which checks the
# O(1) member lookup and policy verdict against a naive implementation over
# random meshes and addresses (kernel/selftest/lookup.c) and refuses to
# load on any mismatch. Three loads, three sets of random meshes.

. "$(dirname "$0")/lib/ktap.sh"

ko=${WGMESH_KO:?WGMESH_KO is not set (run me with selftests/vm/run.sh)}
LOADS=3

ktap_print_header
ktap_set_plan $((LOADS * 3))

for i in $(seq $LOADS); do
	run dmesg -C
	ktap_test_result "load $i: insmod run_selftest=1 succeeds" \
		insmod "$ko" run_selftest=1
	log=$(dmesg)
	echo "$log" | grep -E 'KTAP|ok [0-9]|wgmesh' | sed 's/^/# /'
	if echo "$log" | grep -q ' ok 1 wgmesh_lookup_random_meshes$' &&
	   echo "$log" | grep -q ' ok 2 wgmesh_lookup_duplicate_ids$' &&
	   ! echo "$log" | grep -q 'not ok'; then
		ktap_test_pass "load $i: fast lookup and policy agree with the naive ones"
	else
		ktap_test_fail "load $i: fast lookup and policy agree with the naive ones"
	fi
	ktap_test_result "load $i: rmmod" rmmod wgmesh
done
ktap_finished
