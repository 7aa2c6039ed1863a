# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Bash completion for wgmesh(8), installed as
# $(datarootdir)/bash-completion/completions/wgmesh.
#
# The commands and their options come from the CLI itself (`wgmesh --help`,
# the usage of `wgmesh help CMD`), so they never fall behind it. What a
# word is comes from that usage too: after an option or at a positional
# argument named FILE or PATH, files; MACHINE (and reach's A and B), the
# machine names ([Controller X] and [Peer X] headers) of the topology file
# given on the line (its FILE argument or --file); IFACE, WireGuard
# interfaces; COMMAND, the commands; after exec's "--", a command of the
# system and then its files.

# _wgmesh_machines FILE: the machine names of topology FILE
_wgmesh_machines()
{
	[ -r "$1" ] || return 0
	sed -n 's/^[[:space:]]*\[[[:space:]]*\([Cc][Oo][Nn][Tt][Rr][Oo][Ll][Ll][Ee][Rr]\|[Pp][Ee][Ee][Rr]\)[[:space:]]\{1,\}\([A-Za-z0-9_-]\{1,\}\)[[:space:]]*\].*/\2/p' "$1"
}

# _wgmesh_usage CMD: what the usage of CMD takes (its first paragraph,
# which may go on over indented lines), one line each: "opt NAME VALUE"
# (VALUE "-" for a flag) and "pos KIND" in order. An option's value is the
# word after it inside its brackets ("[--name MACHINE]"); an option that
# only makes sense with another nests in its brackets
# ("[--embed-private-key [--qr]]") and is an option of its own.
_wgmesh_usage()
{
	wgmesh help "$1" 2>/dev/null | awk '
	!NF { exit }
	{ u = u " " $0 }
	END {
		sub(/^ *usage: wgmesh [^ ]+ ?/, "", u)
		n = split(u, t, " ")
		for (i = 1; i <= n; i++) {
			w = t[i]
			if (w == "<") {
				i++
				continue
			}
			closed = (w ~ /\]$/)
			gsub(/[][]/, "", w)
			if (w !~ /^-/) {
				print "pos", w
				continue
			}
			v = "-"
			if (!closed && i < n && t[i + 1] !~ /^[[-]/) {
				v = t[++i]
				gsub(/[][]/, "", v)
			}
			m = split(w, names, "|")
			for (j = 1; j <= m; j++)
				print "opt", names[j], v
		}
	}'
}

# _wgmesh_commands: the commands of `wgmesh --help`: the lines
# under "Commands:" up to the blank line that ends them
_wgmesh_commands()
{
	wgmesh --help 2>/dev/null |
		awk '/^Commands:/ { c = 1; next } c && !NF { c = 0 } c { print $1 }'
}

# _wgmesh_kind KIND FILE: the completions of a word of KIND ("FILE|IFACE"
# is both) into COMPREPLY; FILE is the topology given on the line
_wgmesh_kind()
{
	local kind words=() k
	for k in ${1//|/ }; do
		case $k in
		FILE|PATH|PRIVATE_KEY)
			if declare -F _filedir >/dev/null; then
				_filedir
			else
				mapfile -t -O "${#COMPREPLY[@]}" COMPREPLY < <(compgen -f -- "$cur")
			fi
			;;
		MACHINE|A|B) mapfile -t -O "${#words[@]}" words < <(_wgmesh_machines "$2") ;;
		IFACE)
			mapfile -t -O "${#words[@]}" words < <(ip -o link show type wireguard 2>/dev/null |
				awk -F': ' '{ sub(/@.*/, "", $2); print $2 }')
			;;
		COMMAND)
			mapfile -t -O "${#words[@]}" words < <(_wgmesh_commands)
			;;
		esac
	done
	[ ${#words[@]} -gt 0 ] &&
		mapfile -t -O "${#COMPREPLY[@]}" COMPREPLY < <(compgen -W "${words[*]}" -- "$cur")
	return 0
}

_wgmesh()
{
	local cur prev words cword
	if declare -F _init_completion >/dev/null; then
		_init_completion || return
	else
		words=("${COMP_WORDS[@]}")
		cword=$COMP_CWORD
		cur=${words[cword]}
		prev=${words[cword - 1]}
	fi
	COMPREPLY=()

	if [ "$cword" -eq 1 ]; then
		mapfile -t COMPREPLY < <(compgen -W "$(_wgmesh_commands) --help --version" -- "$cur")
		return 0
	fi

	local cmd=${words[1]} kind what value
	local -a opts=() optval=() pos=()
	# exec FILE|IFACE -- CMD [ARGS]: after "--", a command, then files.
	if [ "$cmd" = exec ]; then
		local j
		for ((j = 2; j < cword; j++)); do
			[ "${words[j]}" = -- ] || continue
			if [ $((j + 1)) -eq "$cword" ]; then
				mapfile -t COMPREPLY < <(compgen -c -- "$cur")
			else
				mapfile -t COMPREPLY < <(compgen -f -- "$cur")
			fi
			return 0
		done
	fi
	while read -r kind what value; do
		case $kind in
		opt) opts+=("$what"); [ "$value" != - ] && optval+=("$what=$value") ;;
		pos) pos+=("$what") ;;
		esac
	done < <(_wgmesh_usage "$cmd")

	# The words before the cursor: option values, positional arguments,
	# and the topology file among them.
	local i w n=0 file="" pending=""
	for ((i = 2; i < cword; i++)); do
		w=${words[i]}
		if [ -n "$pending" ]; then
			[ "$pending" = --file ] && file=$w
			pending=
			continue
		fi
		case $w in
		-*)
			for value in "${optval[@]}"; do
				[ "${value%%=*}" = "$w" ] && pending=$w
			done
			;;
		*)
			[ "${pos[n]:-}" != "${pos[n]#FILE}" ] && [ -z "$file" ] && file=$w
			n=$((n + 1))
			;;
		esac
	done

	for value in "${optval[@]}"; do
		if [ "${value%%=*}" = "$prev" ]; then
			_wgmesh_kind "${value#*=}" "$file"
			return 0
		fi
	done
	if [[ $cur == -* ]]; then
		mapfile -t COMPREPLY < <(compgen -W "${opts[*]} --help" -- "$cur")
		return 0
	fi
	[ "$n" -lt "${#pos[@]}" ] && _wgmesh_kind "${pos[n]}" "$file"
	return 0
}

complete -F _wgmesh wgmesh
