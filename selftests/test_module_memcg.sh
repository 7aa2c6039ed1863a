#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# wgmesh.ko and untrusted users (VM): an unprivileged user who owns a user
# and a network namespace may attach wgmesh to a WireGuard device there
# and set topologies. Everything a topology takes is charged to that
# user's memory cgroup: with a small memory.max, a topology that does not
# fit fails with ENOMEM (nobody is OOM-killed, no warning is logged), a
# small one still works, and the charge comes and goes with the topology.
# And what a peer costs stays within its budget: at most 128 bytes at
# 100,000 peers, whatever the number of CPUs (make bench reports the same
# figure for 1 and 2 vCPUs).
#
#   root: cgroup2 at /sys/fs/cgroup, memory controller, cgroup "wgmesh"
#   └─ uid 65534 (su) in "wgmesh" ─ unshare -U -r -n ─ wg9, attached
#
# The big request is built first (wgmesh-ctl --hold), then the limit is
# set just above what the cgroup uses, then it is sent: only the kernel's
# allocations can then exceed the limit.

cd "$(dirname "$0")" || exit 1
. lib/ktap.sh
. lib/checks.sh

ko=${WGMESH_KO:?WGMESH_KO is not set (run me with selftests/vm/run.sh)}
cg=/sys/fs/cgroup/wgmesh
hold=$(mktemp -d)
chmod 0777 "$hold"

ktap_need wgmesh-ctl su unshare
ktap_print_header
ktap_set_plan 10
CHECK_DMESG_START=$(dmesg | wc -l)

run modprobe wireguard
ktap_test_result "insmod wgmesh.ko" insmod "$ko"
mountpoint -q /sys/fs/cgroup || run mount -t cgroup2 none /sys/fs/cgroup
run sh -c 'echo +memory > /sys/fs/cgroup/cgroup.subtree_control'
run mkdir -p "$cg"
# The send buffer must not be what stops 16,000 members here.
run sysctl -qw net.core.wmem_max=16777216

# What the user runs, in its own namespaces (as files: nobody's shell
# cannot take nested quoting well): first a small topology, the big one
# (held until the test has set the limit) and the small one again; then,
# with no limit, small, big, small, reading the cgroup's usage each time.
printf '%s\n' 'set -x' \
	'P="--prefix fdeb:f20c:: --self 1"' \
	'ip link add wg9 type wireguard && wgmesh-ctl attach wg9 || exit 10' \
	'wgmesh-ctl set wg9 $P --generation 1 --random-peers 10 || exit 11' \
	'wgmesh-ctl --hold "$1" set wg9 $P --generation 2 --random-peers 16000' \
	'echo "big=$?"' \
	'wgmesh-ctl set wg9 $P --generation 3 --random-peers 10' \
	'echo "small=$?"' \
	'wgmesh-ctl show wg9 | head -n 1' > "$hold/limited.sh"
printf '%s\n' 'set -x' \
	'P="--prefix fdeb:f20c:: --self 1"' \
	'ip link add wg9 type wireguard && wgmesh-ctl attach wg9 || exit 10' \
	'wgmesh-ctl set wg9 $P --random-peers 10 || exit 11' \
	'cat "$2/memory.current" > "$1/before"' \
	'wgmesh-ctl set wg9 $P --random-peers 16000 || exit 12' \
	'cat "$2/memory.current" > "$1/big"' \
	'wgmesh-ctl set wg9 $P --random-peers 10 || exit 13' \
	'cat "$2/memory.current" > "$1/after"' > "$hold/charge.sh"
chmod 0755 "$hold"/*.sh

# as_user SCRIPT: SCRIPT in the cgroup, as nobody, in new user and network
# namespaces, with the hold directory and the cgroup as arguments
as_user()
{
	echo "$BASHPID" > "$cg/cgroup.procs" &&
		exec su -s /bin/bash nobody -c \
			"unshare -U -r -n bash $hold/$1 $hold $cg"
}

out=$hold/out
as_user limited.sh > "$out" 2>&1 &
pid=$!
for _ in $(seq 300); do
	[ -e "$hold/ready" ] && break
	sleep 0.1
done
cur=$(cat "$cg/memory.current")
run sh -c "echo $((cur + 256 * 1024)) > $cg/memory.max"
ktap_print_msg "memory.current $cur, memory.max $(cat "$cg/memory.max")"
touch "$hold/go"
wait "$pid"
rc=$?
sed 's/^/#   /' "$out"
run cat "$cg/memory.events"

ktap_expect "the user's script ran to the end" [ "$rc" = 0 ]
ktap_expect "16,000 members over memory.max: ENOMEM" \
	text_has "$(cat "$out")" '^big=1$' 'Cannot allocate memory'
ktap_expect "a 10-member topology still applies under the same limit" \
	text_has "$(cat "$out")" '^small=0$' 'generation=3 .* peers=10 '
ktap_expect "nobody was OOM-killed" \
	[ "$(sed -n 's/^oom_kill //p' "$cg/memory.events")" = 0 ]

# The charge is the topology's: it comes with 16,000 members, goes with them.
run sh -c "echo max > $cg/memory.max"
(as_user charge.sh) 2>&1 | sed 's/^/#   /'
before=$(cat "$hold/before" 2>/dev/null)
big=$(cat "$hold/big" 2>/dev/null)
after=$(cat "$hold/after" 2>/dev/null)
ktap_print_msg "memory.current: ${before:-?} with 10 members, ${big:-?} with 16,000, ${after:-?} with 10 again"
ktap_expect "16,000 members are charged to the user's cgroup (>= 1.2 MB)" \
	[ "$((${big:-0} - ${before:-0}))" -ge $((16000 * 80)) ]
ktap_expect "and uncharged when the topology shrinks again" \
	[ "$((${big:-0} - ${after:-0}))" -ge $((16000 * 80)) ]

# The budget, as root (the user namespace cap is 16,384 members) in a
# cgroup of its own: 100,000 peers against 10, as make bench measures it,
# by memory.stat's slab, vmalloc and per-CPU: memory.current also moves
# with the pages the cgroup holds in reserve per CPU (up to 64 each),
# several bytes a peer at random here.
budget=/sys/fs/cgroup/wgmesh-budget

# kmem_of FILE: slab + vmalloc + percpu of the budget cgroup, into FILE
kmem_of()
{
	awk '$1 == "slab" || $1 == "vmalloc" || $1 == "percpu" { n += $2 }
	     END { print n + 0 }' "$budget/memory.stat" > "$1"
}

run mkdir -p "$budget"
(
	run sh -c "echo $BASHPID > $budget/cgroup.procs" &&
		run ip link add wg8 type wireguard &&
		run wgmesh-ctl attach wg8 &&
		run wgmesh-ctl set wg8 --prefix fdeb:f20c:: --self 1 \
			--random-peers 10 &&
		kmem_of "$hold/small" &&
		run wgmesh-ctl set wg8 --prefix fdeb:f20c:: --self 1 \
			--random-peers 100000 &&
		kmem_of "$hold/huge" &&
		run wgmesh-ctl show wg8 | head -n 1
) 2>&1 | sed 's/^/#   /'
small=$(cat "$hold/small" 2>/dev/null)
huge=$(cat "$hold/huge" 2>/dev/null)
per_peer=$(((${huge:-0} - ${small:-0}) / 99990))
ktap_print_msg "slab + vmalloc + percpu: ${small:-?} with 10 peers, ${huge:-?} with 100,000: $per_peer bytes a peer ($(nproc) CPUs)"
ktap_expect "100,000 peers are charged (members and counters: >= 88 bytes a peer)" \
	[ "$per_peer" -ge 88 ]
ktap_expect "and cost at most 128 bytes a peer" [ "$per_peer" -le 128 ]
run ip link del wg8

check_dmesg_clean
rm -rf "$hold"
ktap_finished
