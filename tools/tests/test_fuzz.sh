#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A bounded run of every libFuzzer harness in tools/fuzz (the topology
# parser; the firewall's ruleset reader and its batches) as part of the
# unit tests: WGMESH_FUZZ_SECONDS each (default 15), starting from the
# committed corpus, new inputs in a temporary directory. `make fuzz` runs
# them longer. A crash, leak, timeout or broken invariant is a failure
# that names the input libFuzzer saved.

set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
. "$here/../../selftests/lib/ktap.sh"

tools=$here/..
secs=${WGMESH_FUZZ_SECONDS:-15}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fuzzers=$(cd "$tools" && ls fuzz/fuzz_*.c | sed 's/\.c$//')

ktap_print_header
ktap_set_plan $(($(wc -w <<<"$fuzzers") + 1))

if ! command -v "${FUZZ_CC:-clang}" >/dev/null; then
	ktap_test_fail "the fuzzers build (${FUZZ_CC:-clang} is missing: make deps)"
	ktap_finished
fi
ktap_test_result "the fuzzers build" make -s -C "$tools" fuzzers

for f in $fuzzers; do
	n=${f#fuzz/fuzz_}
	corpus=$tools/fuzz/corpus
	[ "$n" = topology ] || corpus=$corpus-$n
	dict=$tools/fuzz/$n.dict
	mkdir -p "$tmp/$n"
	echo "# \$ $f -max_total_time=$secs $tmp/$n ${corpus#"$tools"/}"
	(cd "$tmp" && "$tools/$f" -max_total_time="$secs" -max_len=4096 \
		-timeout=10 -rss_limit_mb=1024 \
		$([ -f "$dict" ] && echo "-dict=$dict") \
		"$tmp/$n" "$corpus") > "$tmp/$n.log" 2>&1
	rc=$?
	grep -E '^(Done|==[0-9]+==|SUMMARY)|Test unit written' "$tmp/$n.log" |
		sed 's/^/# /'
	if [ "$rc" != 0 ]; then
		for c in "$tmp"/crash-* "$tmp"/leak-* "$tmp"/timeout-* "$tmp"/oom-*; do
			[ -e "$c" ] || continue
			cp "$c" "$tools/fuzz/" &&
				echo "# kept as tools/fuzz/$(basename "$c")"
		done
	fi
	ktap_test_result "$f: ${secs} s of fuzzing, no crash, leak or broken invariant" \
		test "$rc" = 0
done
ktap_finished
