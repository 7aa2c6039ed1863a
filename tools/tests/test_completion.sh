#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# completion/wgmesh.bash completes what the CLI takes: commands, options,
# files, machine names from the topology file on the line, commands after
# help. Run once on its own and once under bash-completion's helpers
# (_init_completion, _filedir) when they are installed.
# (Like every KTAP test here, no `set -e`: a failed check goes on to the next.)

set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
. "$here/../../selftests/lib/ktap.sh"

WGMESH=${WGMESH:-$here/build/wgmesh}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# the completion calls `wgmesh`: the build under test
mkdir -p "$tmp/bin" "$tmp/dir"
ln -s "$(cd "$(dirname "$WGMESH")" && pwd)/$(basename "$WGMESH")" "$tmp/bin/wgmesh"
PATH=$tmp/bin:$PATH
cat > "$tmp/dir/mesh.conf" <<EOT
[Mesh]
Name = vpn
[Controller ctrl1]
Endpoint = 192.0.2.1
PublicKey = AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE=
[ peer ]
[PEER  laptop-2 ]
PublicKey = AgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgI=
[Peer peer_1] # comment
PublicKey = BAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQ=
EOT
: > "$tmp/dir/mesh.key"

# complete LINE: the completions of LINE (the cursor at its end; a
# trailing space starts a new word), sorted, on one line
complete_line()
{
	local line=$1
	(
		cd "$tmp/dir" || exit 1
		# shellcheck disable=SC1090,SC1091
		[ -n "${with_bc:-}" ] && . "$with_bc"
		. "$here/../../completion/wgmesh.bash"
		read -r -a COMP_WORDS <<<"$line"
		[[ $line == *" " ]] && COMP_WORDS+=("")
		COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		COMP_LINE=$line
		COMP_POINT=${#line}
		_wgmesh wgmesh "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
		printf '%s\n' "${COMPREPLY[@]}" | sort | tr '\n' ' ' | sed 's/ $//'
	)
}

# expect LINE WANT: the completions of LINE are exactly WANT
expect()
{
	local got
	got=$(complete_line "$1")
	[ "$got" = "$2" ] && return 0
	ktap_print_msg "'$1<TAB>': got '$got', want '$2'"
	return 1
}

bc=/usr/share/bash-completion/bash_completion
ktap_print_header
ktap_set_plan 32

for with_bc in "" "$bc"; do
	how=${with_bc:+ (bash-completion)}
	if [ -n "$with_bc" ] && [ ! -r "$with_bc" ]; then
		for i in $(seq 16); do ktap_test_skip "completion$how $i" "bash-completion not installed"; done
		continue
	fi
	# the commands: the lines under "Commands:" up to the blank line
	ktap_expect "commands$how" expect "wgmesh " "$( { "$WGMESH" --help |
		awk '/^Commands:/ { c = 1; next } c && !NF { exit } c { print $1 }'
		printf -- '--help\n--version\n'; } | sort | tr '\n' ' ' | sed 's/ $//')"
	ktap_expect "command prefix$how" expect "wgmesh ad" "addresses"
	ktap_expect "options of up, over both lines of its usage$how" expect "wgmesh up -" \
		"--dry-run --force --help --name --no-firewall --private-key-file --verbose -n -v"
	ktap_expect "a flag nested in another's brackets is a flag$how" \
		expect "wgmesh conf mesh.conf ctrl1 --embed-private-key -" \
		"--embed-private-key --help --private-key-file --qr"
	ktap_expect "options of check$how" expect "wgmesh check -" "--help --quiet -q"
	ktap_expect "options of watch, over its three usage lines$how" \
		expect "wgmesh watch mesh.conf -" \
		"--dead-after --events --help --interval --json --private-key-file --resolve-interval"
	ktap_expect "genpsk: --force, then FILE a file$how" \
		expect "wgmesh genpsk --force me" "mesh.conf mesh.key"
	ktap_expect "a FILE argument is a file$how" expect "wgmesh check me" "mesh.conf mesh.key"
	ktap_expect "conf's MACHINE: names from the file on the line$how" \
		expect "wgmesh conf mesh.conf " "ctrl1 laptop-2 peer_1"
	ktap_expect "up --name MACHINE: names from the file$how" \
		expect "wgmesh up mesh.conf --name p" "peer_1"
	ktap_expect "--private-key-file PATH is a file$how" \
		expect "wgmesh up mesh.conf --private-key-file mesh.k" "mesh.key"
	ktap_expect "reach's A and B: names from the file$how" \
		expect "wgmesh reach mesh.conf ctrl1 " "ctrl1 laptop-2 peer_1"
	ktap_expect "exec: the command after --$how" \
		expect "wgmesh exec mesh.conf -- wgmes" "wgmesh"
	ktap_expect "exec: then its files$how" \
		expect "wgmesh exec mesh.conf -- ls me" "mesh.conf mesh.key"
	ktap_expect "help COMMAND$how" expect "wgmesh help st" "status"
	ktap_expect "nothing after the last argument$how" expect "wgmesh check mesh.conf " ""
done

ktap_finished
