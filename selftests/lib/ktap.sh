# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash source-path=SCRIPTDIR
#
# KTAP output for shell selftests. The names and behaviour are those of
# the kernel's tools/testing/selftests/kselftest/ktap_helpers.sh, so a test
# written against this file runs unchanged against that one (extensions
# are marked below):
#
#   ktap_print_header                 "TAP version 13"
#   ktap_set_plan N                   "1..N"
#   ktap_test_pass DESC               "ok N DESC"
#   ktap_test_fail DESC               "not ok N DESC"
#   ktap_test_skip DESC [REASON]      "ok N DESC # SKIP [REASON]"
#   ktap_test_result DESC CMD...      pass when CMD succeeds
#   ktap_print_msg TEXT...            "# TEXT"
#   ktap_skip_all REASON              "1..0 # SKIP REASON" (then exit 4)
#   ktap_exit_fail_msg TEXT...        "Bail out! TEXT", totals, exit 1
#   ktap_finished                     totals; exit 0 only when nothing
#                                     failed and every planned test ran
#
# Extensions: "run CMD..." logs a command ("# $ CMD" on stderr) before
# running it, and ktap_test_result logs CMD that way; a CMD of "! CMD..."
# passes when CMD fails; both return 1 when the test failed; ktap_expect
# DESC CMD... checks a condition and says which one failed; ktap_need CMD... skips the whole test when a tool
# is missing.

KTAP_TESTNO=1
KTAP_CNT_PASS=0
KTAP_CNT_FAIL=0
KTAP_CNT_SKIP=0

KSFT_PASS=0
KSFT_FAIL=1
KSFT_SKIP=4

KSFT_NUM_TESTS=0

ktap_print_header()
{
	echo "TAP version 13"
}

ktap_print_msg()
{
	echo "# $*"
}

ktap_set_plan()
{
	KSFT_NUM_TESTS=$1
	echo "1..$KSFT_NUM_TESTS"
}

ktap_skip_all()
{
	echo "1..0 # SKIP $*"
}

# __ktap_test RESULT DESC [DIRECTIVE]: one numbered result line
__ktap_test()
{
	echo "$1 $KTAP_TESTNO $2${3:+ # $3}"
	KTAP_TESTNO=$((KTAP_TESTNO + 1))
}

ktap_test_pass()
{
	__ktap_test ok "$1"
	KTAP_CNT_PASS=$((KTAP_CNT_PASS + 1))
}

ktap_test_fail()
{
	__ktap_test "not ok" "$1"
	KTAP_CNT_FAIL=$((KTAP_CNT_FAIL + 1))
}

# ktap_test_skip DESC [REASON]
ktap_test_skip()
{
	__ktap_test ok "$1" "SKIP${2:+ $2}"
	KTAP_CNT_SKIP=$((KTAP_CNT_SKIP + 1))
}

# run CMD...: log the command, then run it; returns its status.
run()
{
	echo "# \$ $*" >&2
	"$@"
}

# __ktap_eval LOG CMD...: CMD's status, inverted for "! CMD..."; CMD goes
# through run when LOG is 1
__ktap_eval()
{
	local log=$1
	shift
	if [ "$1" = "!" ]; then
		shift
		! __ktap_eval "$log" "$@"
	elif [ "$log" = 1 ]; then
		run "$@"
	else
		"$@"
	fi
}

# ktap_test_result DESC CMD...: one test that passes when CMD (logged)
# succeeds, or with "! CMD..." when it fails; returns 1 when it failed.
ktap_test_result()
{
	local desc=$1
	shift
	if __ktap_eval 1 "$@"; then
		ktap_test_pass "$desc"
	else
		ktap_test_fail "$desc"
		return 1
	fi
}

# ktap_expect DESC CMD...: like ktap_test_result for a condition rather
# than an action (CMD is not logged; "[ "$got" = 3 ]", a shell function,
# "! grep -q ..."): on failure a diagnostic line shows CMD with its
# arguments expanded, so the description is written once.
ktap_expect()
{
	local desc=$1
	shift
	if __ktap_eval 0 "$@"; then
		ktap_test_pass "$desc"
	else
		ktap_print_msg "failed: $*"
		ktap_test_fail "$desc"
		return 1
	fi
}

ktap_print_totals()
{
	echo "# Totals: pass:$KTAP_CNT_PASS fail:$KTAP_CNT_FAIL xfail:0 xpass:0 skip:$KTAP_CNT_SKIP error:0"
}

# ktap_exit_fail_msg TEXT: a setup step failed; nothing after it can be
# trusted.
ktap_exit_fail_msg()
{
	echo "Bail out! $*"
	ktap_print_totals
	exit "$KSFT_FAIL"
}

# ktap_need CMD...: skip the whole test (exit 4) if a tool is missing.
ktap_need()
{
	local c

	for c in "$@"; do
		if ! command -v "$c" >/dev/null 2>&1; then
			ktap_print_header
			ktap_skip_all "${0##*/}: $c not found"
			exit "$KSFT_SKIP"
		fi
	done
}

ktap_finished()
{
	ktap_print_totals
	if [ "$KTAP_CNT_FAIL" -eq 0 ] &&
	   [ $((KTAP_CNT_PASS + KTAP_CNT_SKIP)) -eq "$KSFT_NUM_TESTS" ]; then
		exit "$KSFT_PASS"
	fi
	exit "$KSFT_FAIL"
}
