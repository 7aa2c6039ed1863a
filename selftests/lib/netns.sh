# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash source-path=SCRIPTDIR
#
# netns.sh: one network namespace per machine, named $NS_PREFIX<machine>
# (mesh.sh uses "wgm-", clan.sh "clan-"), and what the tests do with
# them: run commands inside, read counters, wait for processes and
# listeners, count ping replies, tear them down. Source lib/ktap.sh first.

NS_PREFIX=${NS_PREFIX:-wgm-}

# ns NAME: the namespace of machine NAME
ns()
{
	echo "$NS_PREFIX$1"
}

# nx NAME CMD...: run CMD in machine NAME's namespace, logged
nx()
{
	local n=$1
	shift
	run ip netns exec "$(ns "$n")" "$@"
}

# ip_batch NSNAME: run the ip(8) commands read from stdin in namespace
# NSNAME with one "ip -batch" (each process costs ~0.3 s under TCG), logging
# every line as the command it stands for
ip_batch()
{
	local nsn=$1 cmds line
	cmds=$(cat)
	while IFS= read -r line; do
		echo "# \$ ip -n $nsn $line" >&2
	done <<<"$cmds"
	ip -n "$nsn" -batch - <<<"$cmds"
}

# ns_del_all: delete every namespace named $NS_PREFIX*, killing what runs
# inside first
ns_del_all()
{
	local n pids
	for n in $(ip netns list 2>/dev/null | awk '{print $1}'); do
		case $n in "$NS_PREFIX"*) ;; *) continue ;; esac
		pids=$(ip netns pids "$n" 2>/dev/null)
		# shellcheck disable=SC2086
		[ -n "$pids" ] && kill $pids 2>/dev/null
		ip netns del "$n" 2>/dev/null
	done
	return 0
}

# wait_gone PID SECS: wait up to SECS for PID to exit; 0 if it did
wait_gone()
{
	local pid=$1 i
	for ((i = 0; i < $2 * 10; i++)); do
		kill -0 "$pid" 2>/dev/null || return 0
		sleep 0.1
	done
	return 1
}

# ns_kill NAME: kill every process in NAME's namespace and wait for them
ns_kill()
{
	local pids pid
	pids=$(ip netns pids "$(ns "$1")" 2>/dev/null)
	[ -n "$pids" ] || return 0
	# shellcheck disable=SC2086
	kill $pids 2>/dev/null
	for pid in $pids; do
		wait_gone "$pid" 2 || kill -9 "$pid" 2>/dev/null
	done
	return 0
}

# wait_for FILE TEXT SECS: wait up to SECS for a line of FILE with TEXT
# (a fixed string, not a pattern)
wait_for()
{
	local i
	for ((i = 0; i < $3 * 10; i++)); do
		grep -qF -- "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

# wait_listen NAME PORT: wait up to 5 s for a TCP listener on PORT in NAME
wait_listen()
{
	local i
	for ((i = 0; i < 50; i++)); do
		ip netns exec "$(ns "$1")" netstat -ltn 2>/dev/null | grep -q ":$2 " && return 0
		sleep 0.1
	done
	return 1
}

# snmp6 NAME COUNTER: a /proc/net/snmp6 counter in NAME's namespace
snmp6()
{
	ip netns exec "$(ns "$1")" awk -v k="$2" '$1 == k { print $2 }' /proc/net/snmp6
}

# snmp4 NAME GROUP COUNTER: a /proc/net/snmp counter ("Icmp InEchos")
snmp4()
{
	ip netns exec "$(ns "$1")" awk -v g="$2:" -v k="$3" '
		$1 == g && !names { for (i = 2; i <= NF; i++) col[$i] = i; names = 1; next }
		$1 == g && names { print $col[k]; exit }' /proc/net/snmp
}

# link_stat NAME DEV tx_packets|rx_packets|...: a device counter
link_stat()
{
	ip netns exec "$(ns "$1")" cat "/sys/class/net/$2/statistics/$3"
}

# ping_count NAME DST [PING ARGS]: ping from NAME, print "sent received"
# (works with busybox and iputils ping: both print "N packets transmitted,
# M [packets ]received")
ping_count()
{
	local n=$1 dst=$2 out
	shift 2
	out=$(nx "$n" ping "$@" "$dst" 2>&1)
	echo "$out" | sed 's/^/#   /' >&2
	echo "$out" | sed -n 's/^\([0-9]*\) packets transmitted, \([0-9]*\) \(packets \)\{0,1\}received.*/\1 \2/p'
}

# ping_answered COUNT < PING OUTPUT: how many of the first COUNT echoes got
# a reply (distinct sequence numbers of reply lines: iputils counts from
# icmp_seq=1, busybox from seq=0; error lines such as "From X icmp_seq=1
# Time exceeded" have no "bytes from")
ping_answered()
{
	awk -v count="$1" '
		/bytes from/ && match($0, /(icmp_)?seq=[0-9]+/) {
			f = substr($0, RSTART, RLENGTH)
			base = (f ~ /^icmp_/) ? 1 : 0
			sub(/.*=/, "", f)
			f += 0
			if (f >= base && f < base + count)
				seen[f] = 1
		}
		END { n = 0; for (k in seen) n++; print n }'
}
