#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# wgmesh-test: host
# wgmesh-timeout: 300
#
# The VM runner (vm/run.sh) itself: what the guest prints reaches the host
# byte for byte however much and however fast it is printed (several MB
# at once used to kill run.sh with SIGPIPE, exit 141, in the middle of a
# run), output that does not end a line is completed, and the command's
# exit status comes back.
#
# On the host (run_tests.sh sets KVER; by hand:
# `KVER=$(ls /lib/modules | grep ^6.12) selftests/test_vm_runner.sh`).

here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib/ktap.sh"

kver=${KVER:?KVER is not set (run me with selftests/run_tests.sh)}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

ktap_print_header
ktap_set_plan 5

# 6 MB in one burst: seq writes as fast as the guest can.
lines=900000
echo "# \$ vm/run.sh -k $kver -c 'seq 1 $lines'"
"$here/vm/run.sh" -k "$kver" -t 240 -c "seq 1 $lines" > "$tmp/out" 2> "$tmp/err"
rc=$?
echo "# exit $rc, $(stat -c %s "$tmp/out") bytes on stdout"
[ "$rc" = 0 ] || sed 's/^/# /' "$tmp/err" | tail -n 20
ktap_test_result "a 6 MB burst: run.sh exits 0 (not 141)" test "$rc" = 0
seq 1 "$lines" > "$tmp/want"
# same_bytes: the host received exactly what the guest printed
same_bytes()
{
	cmp "$tmp/want" "$tmp/out" | sed 's/^/# /'
	cmp -s "$tmp/want" "$tmp/out"
}
ktap_expect "a 6 MB burst arrives byte for byte ($(stat -c %s "$tmp/want") bytes)" same_bytes

echo "# \$ vm/run.sh -k $kver -c 'printf abc; exit 7'"
"$here/vm/run.sh" -k "$kver" -c 'printf abc; exit 7' > "$tmp/out" 2> "$tmp/err"
rc=$?
echo "# exit $rc, stdout: $(od -c "$tmp/out" | head -n 2 | tr '\n' ' ')"
ktap_test_result "the command's exit status comes back (7)" test "$rc" = 7
ktap_test_result "output without a final newline is completed" \
	test "$(cat "$tmp/out")" = abc -a "$(tail -c 1 "$tmp/out" | od -An -c | tr -d ' ')" = '\n'

# The streaming loop copies while the guest runs: a slow producer's lines
# arrive too, each once.
echo "# \$ vm/run.sh -k $kver -c 'for i in 1 2 3 4 5; do echo \$i; sleep 0.3; done'"
"$here/vm/run.sh" -k "$kver" -c 'for i in 1 2 3 4 5; do echo $i; sleep 0.3; done' \
	> "$tmp/out" 2> "$tmp/err"
rc=$?
ktap_test_result "a slow producer: each line once, in order (exit $rc)" \
	test "$rc" = 0 -a "$(tr '\n' ' ' < "$tmp/out")" = "1 2 3 4 5 "

ktap_finished
