#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The man pages stay true to the CLI. man/wgmesh.8 has one ".It Cm NAME"
# item under COMMANDS per command of `wgmesh --help`, and inside it every
# option of `wgmesh help NAME` (as "Fl -name" / "Fl q") and no other; its
# OPTIONS are the global ones. Both pages pass `mandoc -T lint -W warning`,
# and every example topology in man/wgmesh.conf.5 passes `wgmesh check`
# without a warning.
# A failure says what is missing where.
# (Like every KTAP test here, no `set -e`: a failed check goes on to the next.)

set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
. "$here/../../selftests/lib/ktap.sh"

WGMESH=${WGMESH:-$here/build/wgmesh}
man=$here/../../man
page=$man/wgmesh.8
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# options TEXT: the options named in TEXT (--long and -s), one per line
options()
{
	grep -oE '(^|[^A-Za-z0-9_/.-])--?[A-Za-z][A-Za-z0-9-]*' <<<"$1" |
		sed 's/^[^-]*//' | sort -u
}

# man_item CMD: the mdoc source of CMD's item under COMMANDS in wgmesh.8
man_item()
{
	awk -v cmd="$1" '
		/^\.Sh / { in_cmds = ($2 == "COMMANDS"); item = 0; next }
		in_cmds && /^\.It Cm / { item = ($3 == cmd) }
		item { print }' "$page"
}

# man_options MDOC: the options an mdoc text names with Fl
man_options()
{
	grep -oE '(^|[ 	])Fl[ 	]+-?[A-Za-z][A-Za-z0-9-]*' <<<"$1" |
		sed -E 's/.*Fl[ 	]+/-/' | sort -u
}

# compare WHAT CLI_OPTS MAN_OPTS WHERE: every option on both sides, or one
# diagnostic line per option missing on one side
compare()
{
	local what=$1 cli=$2 mano=$3 where=$4 o ok=0
	for o in $cli; do
		grep -qxF -- "$o" <<<"$mano" && continue
		ktap_print_msg "wgmesh.8: $o of $what (in \`wgmesh help${what#wgmesh}\`) is missing: add it as '.Fl ${o#-}' $where"
		ok=1
	done
	for o in $mano; do
		grep -qxF -- "$o" <<<"$cli" && continue
		ktap_print_msg "wgmesh.8: $o of $what is documented $where but \`wgmesh help${what#wgmesh}\` has no such option: remove it or add it to the CLI's usage"
		ok=1
	done
	return $ok
}

# the commands: the lines under "Commands:" up to the blank line
mapfile -t cmds < <("$WGMESH" --help | awk '/^Commands:/ { c = 1; next } c && !NF { exit } c { print $1 }')
mapfile -t man_cmds < <(awk '/^\.Sh / { c = ($2 == "COMMANDS") } c && /^\.It Cm / { print $3 }' "$page")
mapfile -t examples < <(awk '/^\.Bd -literal/ { n++; on = 1; next } /^\.Ed/ { on = 0 }
	on && /^\[Mesh\]/ { print n }' "$man/wgmesh.conf.5" | sort -u)

ktap_print_header
ktap_set_plan $((4 + 2 * ${#cmds[@]} + ${#examples[@]}))

# lint PAGE: mandoc's warnings and errors
lint()
{
	local out
	out=$(mandoc -T lint -W warning "$1" 2>&1) && return 0
	echo "$out" | sed 's/^/# /'
	return 1
}
for p in wgmesh.8 wgmesh.conf.5; do
	if command -v mandoc >/dev/null; then
		ktap_test_result "mandoc -T lint man/$p" lint "$man/$p"
	else
		ktap_test_skip "mandoc -T lint man/$p" "mandoc not installed (make deps)"
	fi
done

# the global options: those of `wgmesh --help`, plus -h and -V, which it
# accepts without listing
global=$(printf '%s\n%s\n' "$(options "$("$WGMESH" --help | sed -n '1,2p')")" "-h
-V" | sort -u)
man_global=$(man_options "$(awk '/^\.Sh / { o = ($2 == "OPTIONS") } o' "$page")")
# check DESC CMD...: a test whose CMD prints its own diagnostics (its
# arguments are lists: ktap_expect would print them across lines)
check()
{
	local desc=$1
	shift
	if "$@"; then ktap_test_pass "$desc"; else ktap_test_fail "$desc"; fi
}
check "wgmesh.8 OPTIONS are the global options" \
	compare "wgmesh" "$global" "$man_global" "under .Sh OPTIONS"

# every command documented, nothing else
no_stray()
{
	local c ok=0
	for c in "${man_cmds[@]}"; do
		printf '%s\n' "${cmds[@]}" | grep -qxF -- "$c" && continue
		ktap_print_msg "wgmesh.8: '.It Cm $c' under COMMANDS is no command of \`wgmesh --help\`: remove it"
		ok=1
	done
	return $ok
}
check "wgmesh.8 COMMANDS has no command the CLI lacks" no_stray

for c in "${cmds[@]}"; do
	item=$(man_item "$c")
	if [ -z "$item" ]; then
		ktap_print_msg "wgmesh.8: command '$c' (in \`wgmesh --help\`) has no '.It Cm $c' item under .Sh COMMANDS: add one with its options"
		ktap_test_fail "wgmesh.8 documents $c"
		ktap_test_fail "wgmesh.8 documents the options of $c"
		continue
	fi
	ktap_test_pass "wgmesh.8 documents $c"
	cli=$(options "$("$WGMESH" help "$c")")
	check "wgmesh.8 documents the options of $c" \
		compare "wgmesh $c" "$cli" "$(man_options "$item")" "under '.It Cm $c'"
done

# valid_quietly FILE: FILE is valid and check has nothing to say, not even
# a warning (an example with a rule that has no effect teaches the wrong
# thing)
valid_quietly()
{
	local out
	out=$("$WGMESH" check -q "$1" 2>&1) && [ -z "$out" ] && return 0
	echo "$out" | sed 's/^/# /'
	return 1
}

# every example topology of wgmesh.conf(5) is valid, without warnings
for n in "${examples[@]}"; do
	awk -v n="$n" '/^\.Bd -literal/ { i++; on = (i == n); next } /^\.Ed/ { on = 0 }
		on' "$man/wgmesh.conf.5" > "$tmp/example$n.conf"
	ktap_test_result "wgmesh.conf.5 example $n is a valid topology, no warning" \
		valid_quietly "$tmp/example$n.conf"
done

ktap_finished
