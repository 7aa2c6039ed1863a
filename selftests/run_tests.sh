#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# run_tests.sh: run every wgmesh test and print one KTAP stream whose last
# line is "N passed, N failed, N skipped".
#
#   selftests/run_tests.sh [--tests 'NAME...'] [--kernels 'LINE...']
#
# NAMEs pick tests: "unit" is `make -C tools test` (host), "smoke" is
# selftests/test_smoke.sh, globs work ("module_*"). LINEs pick kernels:
# 6.1, 6.12 or a full release (default: "6.1 6.12"). TESTS and KERNELS in
# the environment do the same.
#
# Each selftests/test_*.sh runs once per kernel in a fresh VM through
# vm/run.sh, unless it carries the line "# wgmesh-test: host": then it runs
# on the host with KERNEL (the line) and KVER set and starts its VMs
# itself. "# wgmesh-timeout: SECS" in a test raises its timeout (default
# 300 s). Every top-level "ok"/"not ok" line of every program counts, and
# is renumbered and prefixed with the kernel and test name; a program that
# exits non-zero without a failing line (crash, timeout, splat), reports
# fewer results than it planned, or reports none counts as one failure.
#
# WGMESH_KROOT (a kernel staging root, see vm/run.sh --kroot) makes LINEs
# and releases name the kernels there; WGMESH_TIMEOUT_SCALE=N multiplies
# every test's timeout (slow debug kernels); WGMESH_SKIP_HOST_TESTS=REASON
# reports the host tests as skipped with REASON instead of running them.

set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
. "$here/lib/kernel.sh"

tests=${TESTS:-}
kernels=${KERNELS:-6.1 6.12}
while [ $# -gt 0 ]; do
	case $1 in
	--tests) tests=$2; shift 2 ;;
	--kernels) kernels=$2; shift 2 ;;
	-h|--help) sed -n '4,26s/^# \{0,1\}//p' "$0"; exit 0 ;;
	*) echo "run_tests.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
	esac
done

scale=${WGMESH_TIMEOUT_SCALE:-1}
case $scale in
''|*[!0-9]*|0) echo "run_tests.sh: WGMESH_TIMEOUT_SCALE must be a positive integer, not '$scale'" >&2; exit 2 ;;
esac
kroot=${WGMESH_KROOT:-}

logdir=$(mktemp -d "${TMPDIR:-/tmp}/wgmesh-tests.XXXXXX")
trap 'rm -rf "$logdir"' EXIT

n=0
pass=0
fail=0
skip=0
failed=()

# wanted NAME: whether the --tests filter selects NAME.
wanted()
{
	local pat
	local -
	set -f	# the names are patterns, not file globs
	[ -z "$tests" ] && return 0
	for pat in $tests; do
		pat=${pat#test_}
		pat=${pat%.sh}
		# shellcheck disable=SC2053
		[[ $1 == $pat ]] && return 0
	done
	return 1
}

# result OK|NOTOK|SKIP LABEL TEXT: one synthetic top-level result.
result()
{
	n=$((n + 1))
	case $1 in
	OK) pass=$((pass + 1)); echo "ok $n $2: $3" ;;
	SKIP) skip=$((skip + 1)); echo "ok $n $2: $3 # SKIP" ;;
	*) fail=$((fail + 1)); failed+=("$2"); echo "not ok $n $2: $3" ;;
	esac
}

# run_program LABEL CMD...: run one test program, stream its output as part
# of the overall KTAP stream and count its results.
run_program()
{
	local label=$1 stats=$logdir/stats rc t0 t1 secs p f s plan
	shift
	echo "# ---- $label: $* ----"
	t0=$EPOCHREALTIME
	"$@" < /dev/null 2>&1 | awk -v pre="$label: " -v n="$n" -v stats="$stats" '
	{
		line = $0
		if (line ~ /^not ok( |$)/) {
			st = "not ok"; rest = substr(line, 7)
		} else if (line ~ /^ok( |$)/) {
			st = "ok"; rest = substr(line, 3)
		} else {
			if (line ~ /^1\.\.[0-9]+/) {
				v = line; sub(/^1\.\./, "", v); plan += v + 0
			}
			if (line ~ /^#/ || line == "")
				print line
			else
				print "# " line
			fflush()
			next
		}
		sub(/^[ \t]+/, "", rest)
		sub(/^[0-9]+[ \t]*/, "", rest)
		sub(/^-[ \t]*/, "", rest)
		n++
		if (st == "not ok")
			f++
		else if (rest ~ /#[ \t]*[Ss][Kk][Ii][Pp]/)
			s++
		else
			p++
		print st " " n " " pre rest
		fflush()
	}
	END { printf "%d %d %d %d\n", p, f, s, plan > stats }'
	rc=${PIPESTATUS[0]}
	t1=$EPOCHREALTIME
	secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')
	read -r p f s plan < "$stats"
	n=$((n + p + f + s))
	pass=$((pass + p))
	fail=$((fail + f))
	skip=$((skip + s))
	[ "$f" -gt 0 ] && failed+=("$label")
	if [ "$rc" != 0 ] && [ "$rc" != 4 ] && [ "$f" = 0 ]; then
		case $rc in
		124) result NOTOK "$label" "timed out" ;;
		125) result NOTOK "$label" "VM died without an exit status" ;;
		*) result NOTOK "$label" "exited $rc (crash or kernel splat, see above)" ;;
		esac
	elif [ "$rc" = 4 ] && [ $((p + f + s)) = 0 ]; then
		result SKIP "$label" "skipped (exit 4)"
	elif [ $((p + f + s)) = 0 ]; then
		result NOTOK "$label" "reported no result"
	elif [ $((p + f + s)) -lt "$plan" ]; then
		result NOTOK "$label" "reported $((p + f + s)) of $plan planned results"
	fi
	echo "# $label: exit $rc, $p passed, $f failed, $s skipped, ${secs}s"
}

echo "TAP version 13"

if wanted unit; then
	if [ -f "$repo/tools/Makefile" ] &&
	   make -s -C "$repo/tools" -n test >/dev/null 2>&1; then
		run_program "host unit" make -s --no-print-directory -C "$repo/tools" test
	else
		echo "# no 'make -C tools test' yet: no unit tests"
	fi
fi

for k in $kernels; do
	if [ -n "$kroot" ]; then
		kver=$(resolve_kroot_kver "$kroot" "$k")
	else
		kver=$(resolve_kver "$k")
	fi
	for t in "$here"/test_*.sh; do
		[ -e "$t" ] || continue
		name=$(basename "$t" .sh)
		name=${name#test_}
		wanted "$name" || continue
		label="$k $name"
		if [ -z "$kver" ]; then
			result NOTOK "$label" "kernel $k is not installed (run 'make deps')"
			continue
		fi
		tmo=$(sed -n 's/^# wgmesh-timeout: *\([0-9]\+\).*/\1/p' "$t" | head -n 1)
		if grep -q '^# wgmesh-test: host' "$t"; then
			if [ -n "${WGMESH_SKIP_HOST_TESTS:-}" ]; then
				result SKIP "$label" "host test: $WGMESH_SKIP_HOST_TESTS"
				continue
			fi
			run_program "$label" env KERNEL="$k" KVER="$kver" \
				timeout -k 10 "$((${tmo:-600} * scale))" "$t"
		else
			run_program "$label" "$here/vm/run.sh" -k "$kver" \
				-t "$((${tmo:-300} * scale))" -- "selftests/$(basename "$t")"
		fi
	done
done

echo "1..$n"
for f in "${failed[@]+"${failed[@]}"}"; do
	echo "# FAILED: $f"
done
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" = 0 ]
