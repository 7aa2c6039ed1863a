# SPDX-License-Identifier: GPL-2.0
#
# mesh.sh: build small wgmesh meshes out of network namespaces, with plain
# ip(8) and wg(8), for the wgmesh.ko VM selftests (selftests/test_module_*.sh).
# Source selftests/lib/ktap.sh first.
#
# One network namespace per machine, as WireGuard's netns.sh does. Every wg0
# is created in the "underlay" namespace and then moved into its machine's
# namespace: WireGuard keeps its UDP socket in the namespace the device was
# created in, so all tunnels run over 127.0.0.1 of the underlay, and each
# machine's namespace holds only its wg0 (and whatever a test adds).
#
#   ┌──────────── wgm-<name> ───────────┐        ┌────── wgm-underlay ──────┐
#   │ wg0  <subnet>:<suffix>/56 (peer)  │─ UDP ──│ lo 127.0.0.1:<port> per  │
#   │      <subnet>::1/40 (controller)  │        │ machine                  │
#   └───────────────────────────────────┘        └──────────────────────────┘
#
# Addressing follows shared addressing notes with hand-chosen ids, so the
# tests need no CLI and no hashing:
#   mesh               fd12:3456::/40        (bytes fd 12 34 56 00)
#   controller id C    fd12:3456:<C>00::/56  (bytes 5..6 = C, byte 7 = 0)
#   controller address <subnet>::1
#   peer id P (32 bit) <subnet>:<P>::/96     the peer's /96 in that subnet
#   peer address       <subnet>:<P>:0:1      (interface id = P, then 0:1)
# A controller's wg0 has <subnet>::1/40 and one WireGuard peer per peer with
# AllowedIPs = that peer's /96 in EVERY controller subnet, and one per other
# controller with AllowedIPs = its /56. A peer's wg0 has AllowedIPs = the
# controllers' /56s, exactly like clan-core's configuration. Endpoints are set
# on both sides so that a controller can reach a peer that never spoke yet.

MESH_PREFIX=fd12:3456
MESH_NET=fd12:3456::/40
MESH_NS_PREFIX=wgm-
MESH_UNDERLAY=${MESH_NS_PREFIX}underlay
MESH_NEXT_PORT=20001

declare -A MESH_ROLE=() MESH_ID=() MESH_PORT=() MESH_PUB=() MESH_KEY=()
MESH_CTRLS=()
MESH_MACHINES=()
MESH_DMESG_START=0

# ns NAME: the namespace of machine NAME
ns()
{
	echo "$MESH_NS_PREFIX$1"
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

# hex4 N: N as the lower-case hex of one address group
hex4()
{
	printf '%x' $(($1 & 0xffff))
}

# mesh_subnet_of CTRL_ID: "fd12:3456:X:Y" (first four groups of the /56)
mesh_subnet_of()
{
	local id=$(($1))
	echo "$MESH_PREFIX:$(hex4 $((id >> 8))):$(hex4 $(((id & 0xff) << 8)))"
}

# mesh_subnet CTRL: the /56 of controller CTRL
mesh_subnet()
{
	echo "$(mesh_subnet_of "${MESH_ID[$1]}")::/56"
}

# mesh_addr NAME [CTRL]: NAME's mesh address (a peer's in CTRL's subnet,
# default the first controller)
mesh_addr()
{
	local n=$1 c=${2:-${MESH_CTRLS[0]}} p
	if [ "${MESH_ROLE[$n]}" = ctrl ]; then
		echo "$(mesh_subnet_of "${MESH_ID[$n]}")::1"
		return
	fi
	p=$((MESH_ID[$n]))
	echo "$(mesh_subnet_of "${MESH_ID[$c]}"):$(hex4 $((p >> 16))):$(hex4 $p):0:1"
}

# mesh_net96 PEER CTRL: PEER's /96 in CTRL's subnet
mesh_net96()
{
	local p=$((MESH_ID[$1]))
	echo "$(mesh_subnet_of "${MESH_ID[$2]}"):$(hex4 $((p >> 16))):$(hex4 $p)::/96"
}

# mesh_allowed_of_peer PEER: the peer's /96 in every controller subnet
mesh_allowed_of_peer()
{
	local c out=
	for c in "${MESH_CTRLS[@]}"; do
		out+=${out:+,}$(mesh_net96 "$1" "$c")
	done
	echo "$out"
}

# mesh_ctrl_subnets: every controller's /56, comma separated
mesh_ctrl_subnets()
{
	local c out=
	for c in "${MESH_CTRLS[@]}"; do
		out+=${out:+,}$(mesh_subnet "$c")
	done
	echo "$out"
}

mesh_cleanup()
{
	local n pids
	set +e
	for n in "${MESH_MACHINES[@]}" underlay; do
		pids=$(ip netns pids "$(ns "$n")" 2>/dev/null)
		# shellcheck disable=SC2086
		[ -n "$pids" ] && kill $pids 2>/dev/null
	done
	for n in "${MESH_MACHINES[@]}" underlay; do
		ip netns del "$(ns "$n")" 2>/dev/null
	done
	[ -n "$MESH_TMP" ] && rm -rf "$MESH_TMP"
}

# mesh_init: start a mesh: underlay namespace, cleanup on exit
mesh_init()
{
	ktap_need ip wg
	[ "$(id -u)" = 0 ] || { ktap_plan 1; ktap_skip "${0##*/}" "needs root"; exit 4; }
	# /var/run/netns must be shared for ip netns to work in a bare VM
	mkdir -p /var/run/netns
	export WG_HIDE_KEYS=never LANG=C
	MESH_DMESG_START=$(dmesg | wc -l)
	MESH_TMP=$(mktemp -d) || ktap_bail "mktemp -d"
	trap mesh_cleanup EXIT
	local n
	for n in $(ip netns list 2>/dev/null | awk '{print $1}'); do
		case $n in "$MESH_NS_PREFIX"*) ip netns del "$n";; esac
	done
	# WireGuard and veth are modules in the test kernels
	run modprobe -q wireguard
	run modprobe -q veth
	run ip netns add "$MESH_UNDERLAY" || ktap_bail "ip netns add $MESH_UNDERLAY"
	run ip -n "$MESH_UNDERLAY" link set lo up || ktap_bail "underlay lo up"
}

# mesh_machine NAME ROLE ID: namespace + wg0 (created in the underlay, moved
# into NAME's namespace) with a fresh key and its own listen port
mesh_machine()
{
	local n=$1 role=$2 id=$3 nsn
	nsn=$(ns "$n")
	MESH_ROLE[$n]=$role
	MESH_ID[$n]=$id
	MESH_PORT[$n]=$MESH_NEXT_PORT
	MESH_NEXT_PORT=$((MESH_NEXT_PORT + 1))
	MESH_MACHINES+=("$n")
	# keys in files: no /dev/fd needed (bare initramfs), mode 600 for wg(8)
	MESH_KEY[$n]=$MESH_TMP/$n.key
	(umask 077 && wg genkey > "${MESH_KEY[$n]}") || ktap_bail "wg genkey"
	MESH_PUB[$n]=$(wg pubkey < "${MESH_KEY[$n]}") || ktap_bail "wg pubkey"
	run ip netns add "$nsn" || ktap_bail "ip netns add $nsn"
	ip_batch "$MESH_UNDERLAY" <<-EOF || ktap_bail "$n: create wg0 in the underlay"
	link add dev wg0 type wireguard
	link set dev wg0 netns $nsn
	EOF
	nx "$n" wg set wg0 private-key "${MESH_KEY[$n]}" listen-port "${MESH_PORT[$n]}" ||
		ktap_bail "$n: wg set private-key"
}

# mesh_controller NAME ID: a controller with controller id ID (16 bit)
mesh_controller()
{
	mesh_machine "$1" ctrl "$2"
	MESH_CTRLS+=("$1")
	# addresses are used at once: nodad
	ip_batch "$(ns "$1")" <<-EOF || ktap_bail "$1: address wg0"
	link set lo up
	addr add $(mesh_addr "$1")/40 dev wg0 nodad
	link set wg0 up
	EOF
}

# mesh_peer NAME ID CTRL...: a peer with peer id ID (32 bit) and one address
# in each listed controller's subnet; the whole mesh /40 is routed into wg0,
# WireGuard's AllowedIPs pick the controller.
mesh_peer()
{
	local n=$1 id=$2 c
	shift 2
	mesh_machine "$n" peer "$id"
	{
		echo "link set lo up"
		for c in "$@"; do
			echo "addr add $(mesh_addr "$n" "$c")/56 dev wg0 nodad"
		done
		echo "link set wg0 up"
		echo "route add $MESH_NET dev wg0 metric 2048"
	} | ip_batch "$(ns "$n")" || ktap_bail "$n: address wg0"
}

# mesh_connect PEER CTRL [PEER_ALLOWED [CTRL_ALLOWED]]: WireGuard peers on both
# sides. PEER_ALLOWED: what PEER accepts from CTRL (default every controller
# /56); CTRL_ALLOWED: what CTRL accepts from PEER (default PEER's /96 in every
# controller subnet). Call it after all controllers exist.
mesh_connect()
{
	local p=$1 c=$2
	local pa=${3:-$(mesh_ctrl_subnets)} ca=${4:-$(mesh_allowed_of_peer "$1")}
	nx "$p" wg set wg0 peer "${MESH_PUB[$c]}" endpoint "127.0.0.1:${MESH_PORT[$c]}" \
		allowed-ips "$pa" || ktap_bail "$p: wg peer $c"
	nx "$c" wg set wg0 peer "${MESH_PUB[$p]}" endpoint "127.0.0.1:${MESH_PORT[$p]}" \
		allowed-ips "$ca" || ktap_bail "$c: wg peer $p"
}

# mesh_connect_ctrls C1 C2: two controllers, each accepting the other's /56
mesh_connect_ctrls()
{
	nx "$1" wg set wg0 peer "${MESH_PUB[$2]}" endpoint "127.0.0.1:${MESH_PORT[$2]}" \
		allowed-ips "$(mesh_subnet "$2")" || ktap_bail "$1: wg peer $2"
	nx "$2" wg set wg0 peer "${MESH_PUB[$1]}" endpoint "127.0.0.1:${MESH_PORT[$1]}" \
		allowed-ips "$(mesh_subnet "$1")" || ktap_bail "$2: wg peer $1"
}

# mesh_outside CTRL: an "outside" namespace behind a veth of CTRL:
# CTRL's veth0 2001:db8::2/64, outside's veth0 2001:db8::1/64 (and a route
# back to the mesh, so anything leaked would even be answered)
# shellcheck disable=SC2034
MESH_OUTSIDE_ADDR=2001:db8::1
mesh_outside()
{
	local c=$1
	MESH_ROLE[outside]=outside
	MESH_MACHINES+=(outside)
	run ip netns add "$(ns outside)" || ktap_bail "ip netns add $(ns outside)"
	ip_batch "$(ns "$c")" <<-EOF || ktap_bail "$c: veth0 to outside"
	link add veth0 type veth peer name veth0 netns $(ns outside)
	addr add 2001:db8::2/64 dev veth0 nodad
	link set veth0 up
	EOF
	ip_batch "$(ns outside)" <<-EOF || ktap_bail "outside: veth0"
	link set lo up
	addr add 2001:db8::1/64 dev veth0 nodad
	link set veth0 up
	route add $MESH_NET via 2001:db8::2
	EOF
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

# snmp6 NAME COUNTER: a /proc/net/snmp6 counter in NAME's namespace
snmp6()
{
	ip netns exec "$(ns "$1")" awk -v k="$2" '$1 == k { print $2 }' /proc/net/snmp6
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

# ktap_ping DESC NAME DST [-c COUNT] [PING ARGS]: passes when each of the
# COUNT echoes got its reply (default 3 echoes 0.2 s apart). Give a
# deadline (-w), not -W: once some replies came, iputils waits only two RTTs
# for the last one, which a busy TCG guest often exceeds; with -w iputils
# may send extra echoes while it waits, hence the count by sequence number.
ktap_ping()
{
	local desc=$1 n=$2 dst=$3 count=1 out got a prev=
	shift 3
	[ $# -gt 0 ] || set -- -c 3 -i 0.2 -w 5
	for a in "$@"; do
		[ "$prev" = -c ] && count=$a
		prev=$a
	done
	out=$(nx "$n" ping "$@" "$dst" 2>&1)
	echo "$out" | sed 's/^/#   /'
	got=$(echo "$out" | ping_answered "$count")
	if [ "$got" = "$count" ]; then
		ktap_ok "$desc"
	else
		ktap_diag "expected replies to all $count echoes, got $got"
		ktap_fail "$desc"
	fi
}

# ktap_ping_lost DESC NAME DST [PING ARGS]: passes when no echo got a reply
# and at least one was sent
ktap_ping_lost()
{
	local desc=$1 n=$2 dst=$3 r tx rx
	shift 3
	[ $# -gt 0 ] || set -- -c 2 -i 0.2 -W 1
	r=$(ping_count "$n" "$dst" "$@")
	tx=${r% *} rx=${r#* }
	if [ -n "$tx" ] && [ "$tx" -gt 0 ] && [ "$rx" = 0 ]; then
		ktap_ok "$desc"
	else
		ktap_diag "expected no reply, got ${rx:-?} of ${tx:-?}"
		ktap_fail "$desc"
	fi
}

# ktap_delta DESC BEFORE AFTER OP N: passes when (AFTER - BEFORE) OP N, with
# OP one of -eq -ge -gt -le
ktap_delta()
{
	local desc=$1 b=$2 a=$3 op=$4 want=$5
	if [ -n "$b" ] && [ -n "$a" ] && test "$((a - b))" "$op" "$want"; then
		ktap_ok "$desc"
	else
		ktap_diag "counter went from '$b' to '$a': delta $((${a:-0} - ${b:-0})), want $op $want"
		ktap_fail "$desc"
	fi
}

# ktap_no_forwarding CTRL: the controller's global IPv6 forwarding is off
ktap_no_forwarding()
{
	local v
	v=$(nx "$1" sysctl -n net.ipv6.conf.all.forwarding)
	if [ "$v" = 0 ]; then
		ktap_ok "$1: net.ipv6.conf.all.forwarding is 0"
	else
		ktap_fail "$1: net.ipv6.conf.all.forwarding is '$v', want 0"
	fi
}

# ktap_dmesg_clean: no kernel splat since mesh_init (call it last: it also
# reports how long the test took, to keep each file short under TCG)
ktap_dmesg_clean()
{
	local splat
	ktap_diag "elapsed since start: ${SECONDS} s"
	splat=$(dmesg | tail -n +$((MESH_DMESG_START + 1)) |
		grep -E 'Oops|BUG:|WARNING:|KASAN|Call Trace|refcount_t:|unregister_netdevice: waiting')
	if [ -z "$splat" ]; then
		ktap_ok "no kernel splat in dmesg"
	else
		echo "$splat" | sed 's/^/# dmesg: /'
		ktap_fail "no kernel splat in dmesg"
	fi
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

# --- wgmesh.ko through selftests/wgmesh-ctl ---------------------------------

# Policy of a member for mesh_topology: MESH_GROUPS[name] = group mask (e.g.
# 0x1), MESH_ISOLATED[name] = 1; MESH_SKIP[name] = 1 leaves it out.
declare -A MESH_GROUPS=() MESH_ISOLATED=() MESH_SKIP=() MESH_GENS=()
MESH_GEN=0

# mesh_load_module: insmod $WGMESH_KO unless wgmesh is already loaded
mesh_load_module()
{
	grep -q '^wgmesh ' /proc/modules && return 0
	run insmod "${WGMESH_KO:?WGMESH_KO is not set}"
}

# mesh_member_arg NAME: NAME's --controller/--peer argument for wgmesh-ctl set
mesh_member_arg()
{
	local n=$1 spec
	if [ "${MESH_ROLE[$n]}" = ctrl ]; then
		spec=$(printf '0x%04x' $((MESH_ID[$n])))
		[ -n "${MESH_GROUPS[$n]}" ] && spec+=":${MESH_GROUPS[$n]}"
		echo "--controller $spec"
	else
		spec=$(printf '0x%08x' $((MESH_ID[$n])))
		if [ -n "${MESH_GROUPS[$n]}${MESH_ISOLATED[$n]}" ]; then
			spec+=":${MESH_GROUPS[$n]:-0}"
			[ -n "${MESH_ISOLATED[$n]}" ] && spec+=":isolated"
		fi
		echo "--peer $spec"
	fi
}

# mesh_topology CTRL [wgmesh-ctl set ARGS...]: replace CTRL's topology with
# every machine of the mesh (and their MESH_GROUPS/MESH_ISOLATED), bumping
# the generation (MESH_GENS[CTRL] = the one CTRL got); extra ARGS such as
# --default-deny --allow 0-1 are appended
mesh_topology()
{
	local c=$1 n args=()
	shift
	MESH_GEN=$((MESH_GEN + 1))
	# shellcheck disable=SC2034 # read by the tests
	MESH_GENS[$c]=$MESH_GEN
	args=(--prefix "$MESH_PREFIX::" --self "$(printf '0x%04x' $((MESH_ID[$c])))"
	      --generation "$MESH_GEN")
	for n in "${MESH_MACHINES[@]}"; do
		case ${MESH_ROLE[$n]} in ctrl | peer) ;; *) continue ;; esac
		[ -n "${MESH_SKIP[$n]}" ] && continue
		# shellcheck disable=SC2207
		args+=($(mesh_member_arg "$n"))
	done
	nx "$c" wgmesh-ctl set wg0 "${args[@]}" "$@"
}

# mesh_attach CTRL: attach wgmesh to CTRL's wg0 and load the whole mesh
mesh_attach()
{
	nx "$1" wgmesh-ctl attach wg0 && mesh_topology "$1"
}

# mesh_stats CTRL WHO: the stats line of WHO (device, or a machine's name)
mesh_stats()
{
	local c=$1 who=$2 sel
	case ${MESH_ROLE[$who]} in
	ctrl) sel="--member c:$(printf '0x%04x' $((MESH_ID[$who])))" ;;
	peer) sel="--member p:$(printf '0x%08x' $((MESH_ID[$who])))" ;;
	*) sel=--device ;;
	esac
	# shellcheck disable=SC2086
	nx "$c" wgmesh-ctl stats wg0 $sel
}

# mesh_stat CTRL WHO KEY: one counter (device or member WHO) on CTRL's wg0
mesh_stat()
{
	mesh_stats "$1" "$2" | tr ' ' '\n' | sed -n "s/^$3=\([0-9]*\)$/\1/p" | head -n 1
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

# ktap_iperf DESC SERVER CLIENT DST [IPERF3 CLIENT ARGS]: a 2 s TCP iperf3
# run from CLIENT to the server started in SERVER on DST (-R: the other way);
# passes when iperf3 succeeds and the receiver got at least 256 KBytes
ktap_iperf()
{
	local desc=$1 s=$2 c=$3 dst=$4 pid out rc kb
	shift 4
	nx "$s" iperf3 -s -1 -B "$dst" >/dev/null 2>&1 &
	pid=$!
	wait_listen "$s" 5201
	out=$(nx "$c" timeout 30 iperf3 -c "$dst" -t 2 "$@" 2>&1)
	rc=$?
	echo "$out" | sed 's/^/#   /'
	kb=$(echo "$out" | awk '/receiver/ {
		for (i = 2; i <= NF; i++) {
			if ($i == "Bytes") { print $(i - 1) / 1024; exit }
			if ($i == "KBytes") { print $(i - 1); exit }
			if ($i == "MBytes") { print $(i - 1) * 1024; exit }
			if ($i == "GBytes") { print $(i - 1) * 1048576; exit }
		} }')
	wait_gone "$pid" 5 || kill "$pid" 2>/dev/null
	if [ "$rc" = 0 ] && awk -v k="${kb:-0}" 'BEGIN { exit !(k >= 256) }'; then
		ktap_ok "$desc (${kb} KBytes)"
	else
		ktap_diag "iperf3 exit $rc, receiver got '${kb}' KBytes, want >= 256"
		ktap_fail "$desc"
	fi
}
