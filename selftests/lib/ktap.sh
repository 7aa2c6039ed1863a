# SPDX-License-Identifier: GPL-2.0
#
# KTAP output for shell selftests, in the spirit of kselftest's
# ktap_helpers.sh. Source it, call ktap_plan N, report each test with
# ktap_ok/ktap_fail/ktap_skip (or ktap_check CMD...), and end with
# ktap_finish, which exits 0 only when nothing failed.
#
# Every command a test runs should go through "run" so that the log shows
# exactly what happened (commands go to stderr prefixed with "# $ ").

KTAP_N=0
KTAP_PASS=0
KTAP_FAIL=0
KTAP_SKIP=0

ktap_plan()
{
	echo "TAP version 13"
	echo "1..$1"
}

ktap_ok()
{
	KTAP_N=$((KTAP_N + 1)); KTAP_PASS=$((KTAP_PASS + 1))
	echo "ok $KTAP_N $*"
}

ktap_fail()
{
	KTAP_N=$((KTAP_N + 1)); KTAP_FAIL=$((KTAP_FAIL + 1))
	echo "not ok $KTAP_N $*"
}

# ktap_skip DESCRIPTION REASON
ktap_skip()
{
	KTAP_N=$((KTAP_N + 1)); KTAP_SKIP=$((KTAP_SKIP + 1))
	echo "ok $KTAP_N $1 # SKIP $2"
}

# ktap_diag TEXT: a diagnostic line
ktap_diag()
{
	echo "# $*"
}

# run CMD...: log the command, then run it; returns its status.
run()
{
	echo "# \$ $*" >&2
	"$@"
}

# ktap_check DESCRIPTION CMD...: one test that passes when CMD succeeds.
ktap_check()
{
	local desc=$1
	shift
	if run "$@"; then
		ktap_ok "$desc"
	else
		ktap_fail "$desc"
	fi
}

# ktap_check_fails DESCRIPTION CMD...: passes when CMD fails.
ktap_check_fails()
{
	local desc=$1
	shift
	if run "$@"; then
		ktap_fail "$desc"
	else
		ktap_ok "$desc"
	fi
}

# ktap_bail REASON: a setup step failed; nothing after it can be trusted.
ktap_bail()
{
	echo "Bail out! $*"
	exit 1
}

# ktap_need CMD...: skip the whole test (exit 4) if a tool is missing.
ktap_need()
{
	local c

	for c in "$@"; do
		if ! command -v "$c" >/dev/null 2>&1; then
			ktap_plan 1
			ktap_skip "${0##*/}" "$c not found"
			exit 4
		fi
	done
}

ktap_finish()
{
	echo "# Totals: pass:$KTAP_PASS fail:$KTAP_FAIL xfail:0 xpass:0 skip:$KTAP_SKIP error:0"
	[ "$KTAP_FAIL" -eq 0 ] || exit 1
	exit 0
}
