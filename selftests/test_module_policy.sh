#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# wgmesh.ko policy: default allow, isolated peers, groups in a default-deny
# mesh, and a policy replace taking effect at once.
#
#  ┌ wgm-a ──────────┐  ┌ wgm-b ──────────┐  ┌ wgm-c ──────────┐  ┌ wgm-d ──────────┐
#  │ wg0 0x11111111  │  │ wg0 0x22222222  │  │ wg0 0x33333333  │  │ wg0 0x44444444  │
#  │ ...:1111:1111:  │  │ ...:2222:2222:  │  │ ...:3333:3333:  │  │ ...:4444:4444:  │
#  │   0:1/56        │  │   0:1/56        │  │   0:1/56        │  │   0:1/56        │
#  └───────┬─────────┘  └───────┬─────────┘  └───────┬─────────┘  └───────┬─────────┘
#          └──────────────┬─────┴────────────────────┴────────────────────┘
#                ┌ wgm-ctrl1 ──────────────────────────┐
#                │ wg0 id 0x0001, fd12:3456:0:100::1/40 │
#                │ net.ipv6.conf.all.forwarding=0       │
#                └──────────────────────────────────────┘
#  (every wg0 has its UDP socket on 127.0.0.1 in wgm-underlay, see lib/mesh.sh)
#
# 1. default allow, d isolated: a, b, c talk; d reaches only ctrl1's ::1,
#    in both directions, counted as drop_isolated on the sender.
# 2. default deny, groups a=0 b=1 c=2 d=0, allow {0,1}: a <-> b only; same
#    group is not enough without {0,0}; ::1 is never policed; drop_policy.
# 3. allow {0,0} added: a <-> d; 4. back to default allow: a <-> c.

cd "$(dirname "$0")" || exit 1
. lib/ktap.sh
. lib/mesh.sh

ktap_need wgmesh-ctl ping
ktap_print_header
ktap_set_plan 32
mesh_init

mesh_star ctrl1 0x0001 a 0x11111111 b 0x22222222 c 0x33333333 d 0x44444444
A=$(mesh_addr a)
B=$(mesh_addr b)
C=$(mesh_addr c)
D=$(mesh_addr d)
CTRL1=$(mesh_addr ctrl1)

check_no_forwarding ctrl1
# Handshakes first, so that a lost ping below means a drop, not a slow start.
for p in a b c d; do
	check_ping "plain WireGuard: $p reaches ctrl1 ::1" $p "$CTRL1"
done
ktap_test_result "load wgmesh.ko" mesh_load_module

# 1. default allow, d isolated
MESH_ISOLATED[d]=1
ktap_test_result "ctrl1: attach, default allow, d isolated" mesh_attach ctrl1
check_ping "default allow: a reaches b" a "$B"
check_ping "default allow: b reaches c" b "$C"
check_ping "isolated d reaches ctrl1 ::1" d "$CTRL1"
iso_d=$(mesh_drops ctrl1 d isolated)
check_ping_lost "isolated d does not reach a" d "$A"
check_drops "ctrl1 counts d's echoes to a as drop_isolated" ctrl1 d isolated "$iso_d" 2
iso_a=$(mesh_drops ctrl1 a isolated)
check_ping_lost "a does not reach isolated d" a "$D"
check_drops "ctrl1 counts a's echoes to d as drop_isolated" ctrl1 a isolated "$iso_a" 2

# 2. default deny with groups
unset 'MESH_ISOLATED[d]'
MESH_GROUPS[a]=0x1
MESH_GROUPS[b]=0x2
MESH_GROUPS[c]=0x4
MESH_GROUPS[d]=0x1
ktap_test_result "ctrl1: default deny, a=0 b=1 c=2 d=0, allow 0-1" \
	mesh_topology ctrl1 --default-deny --allow 0-1
show=$(nx ctrl1 wgmesh-ctl show wg0)
echo "$show" | sed 's/^/#   /'
ktap_expect "ctrl1 reports default-deny, allow=0-1 and the new generation" \
	eval '[[ $show == *flags=default-deny* && $show == *allow=0-1* &&
	      $show == *"generation=${MESH_GENS[ctrl1]} "* ]]'
check_ping "default deny: a (group 0) reaches b (group 1)" a "$B"
check_ping "default deny: b reaches a (pairs are symmetric)" b "$A"
pol_a=$(mesh_drops ctrl1 a policy)
check_ping_lost "default deny: a does not reach c (group 2)" a "$C"
check_drops "ctrl1 counts a's echoes to c as drop_policy" ctrl1 a policy "$pol_a" 2
pol_c=$(mesh_drops ctrl1 c policy)
check_ping_lost "default deny: c does not reach b" c "$B"
check_drops "ctrl1 counts c's echoes to b as drop_policy" ctrl1 c policy "$pol_c" 2
check_ping_lost "default deny: a does not reach d (same group, no 0-0 pair)" a "$D"
check_ping "default deny: c still reaches ctrl1 ::1 (never policed)" c "$CTRL1"
iso_d=$(mesh_drops ctrl1 d isolated)
check_ping "d no longer isolated: d reaches b (group 0 -> 1)" d "$B"
check_drops "d's echoes to b are dropped neither as isolated nor otherwise" \
	ctrl1 d isolated "$iso_d" 0

# 3. allow {0,0} too
ktap_test_result "ctrl1: default deny, allow 0-0 and 0-1" \
	mesh_topology ctrl1 --default-deny --allow 0-0 --allow 0-1
check_ping "allow 0-0: a reaches d" a "$D"
check_ping_lost "allow 0-0: a still does not reach c" a "$C"

# 4. back to clan-core's default allow
MESH_GROUPS=()
ktap_test_result "ctrl1: default allow again" mesh_topology ctrl1
check_ping "default allow: a reaches c again" a "$C"
check_dmesg_clean
ktap_finished
