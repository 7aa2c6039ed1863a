# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash source-path=SCRIPTDIR
#
# clan.sh: the clan-core scenario (issue 5), shared by test_mesh_clan.sh,
# test_mesh_update.sh and demo.sh. Source selftests/lib/ktap.sh first; the
# machines' namespaces are lib/netns.sh's, named clan-<machine> (ns, nx).
#
# Instance wg-test-one; controllers ctrl1 and ctrl2; peers peer1 and peer3
# designated to ctrl1, peer2 to ctrl2. Every machine is a network namespace
# with one veth to the "underlay" namespace, which routes between them
# (forwarding is turned on in the underlay namespace only; no machine's
# sysctls are touched). Every machine is configured only by
# "wgmesh up" with the same topology file and its own key file, and gets its
# /etc/hosts block from "wgmesh hosts --install".
#
#                       ┌───────── clan-underlay ─────────┐
#                       │ u-ctrl1 10.77.1.1/24 ... u-peer3 │
#                       └──┬─────┬─────┬─────┬─────┬───────┘
#   eth0 10.77.N.2/24      ctrl1 ctrl2 peer1 peer2 peer3   (clan-<name>)
#        fd77:N::2/64
#                          └─ wg-test-one: created by wgmesh up ─┘
#
# The underlay has IPv4 (10.77.N.2/24) and IPv6 (fd77:N::2/64; the
# underlay namespace routes both). ctrl1's endpoint is the host name
# ctrl1.underlay (resolved by up to fd77:1::2 through the namespace's
# /etc/hosts), ctrl2's the bracketed IPv6 literal [fd77:2::2]:51820. (Both
# in one family: a controller reaching the other over IPv4 would make
# WireGuard roam the other's endpoint away from the configured one, which
# the next up would then set back.)

CLAN_MESH=wg-test-one
CLAN_IF=wg-test-one
CLAN_CTRLS=(ctrl1 ctrl2)
CLAN_PEERS=(peer1 peer2 peer3)
CLAN_MACHINES=(ctrl1 ctrl2 peer1 peer2 peer3)
declare -A CLAN_CTRL_OF=([peer1]=ctrl1 [peer2]=ctrl2 [peer3]=ctrl1)
declare -A CLAN_NUM=([ctrl1]=1 [ctrl2]=2 [peer1]=3 [peer2]=4 [peer3]=5)
declare -A CLAN_PUB=()
declare -A WATCH_PID=()	# clan_watch: the pid of each machine's watch
CLAN_DIR=${CLAN_DIR:-/tmp/clan}
CLAN_TOPO=$CLAN_DIR/topology.conf
NS_PREFIX=clan-
# shellcheck source=netns.sh
. "${BASH_SOURCE[0]%/*}/netns.sh"
# shellcheck source=checks.sh
. "${BASH_SOURCE[0]%/*}/checks.sh"
CLAN_UNDERLAY=$(ns underlay)
CLAN_MTU=1380

# clan_init: a test of the scenario: skip without its tools, clean up at exit
clan_init()
{
	ktap_need wgmesh ip wg ping
	trap clan_cleanup EXIT
}

# clan_underlay: the namespaces, their veths and the IPv4 underlay
clan_underlay()
{
	local m n nsn
	run ip netns add "$CLAN_UNDERLAY" || ktap_exit_fail_msg "ip netns add"
	run ip -n "$CLAN_UNDERLAY" link set lo up
	# IPv4 routing between the machines, in the underlay namespace only.
	run ip netns exec "$CLAN_UNDERLAY" sh -c 'echo 1 > /proc/sys/net/ipv4/ip_forward; echo 1 > /proc/sys/net/ipv6/conf/all/forwarding'
	# Name resolution from files only (no DNS in the VM).
	[ -e /etc/nsswitch.conf ] || echo "hosts: files" > /etc/nsswitch.conf
	# With IPv4 a name has two lines: glibc reads past the first only
	# with "multi on" (Debian's /etc/host.conf; the bare VM has none).
	[ -e /etc/host.conf ] || echo "multi on" > /etc/host.conf
	for m in "${CLAN_MACHINES[@]}"; do
		n=${CLAN_NUM[$m]}
		nsn=$(ns "$m")
		run ip netns add "$nsn" || ktap_exit_fail_msg "ip netns add $nsn"
		run ip -n "$nsn" link set lo up
		run ip link add "u-$m" netns "$CLAN_UNDERLAY" type veth \
			peer name eth0 netns "$nsn" || ktap_exit_fail_msg "veth for $m"
		run ip -n "$CLAN_UNDERLAY" addr add "10.77.$n.1/24" dev "u-$m"
		run ip -n "$CLAN_UNDERLAY" link set "u-$m" up
		run ip -n "$nsn" addr add "10.77.$n.2/24" dev eth0
		run ip -n "$nsn" link set eth0 up
		run ip -n "$nsn" route add default via "10.77.$n.1"
		run ip -n "$CLAN_UNDERLAY" addr add "fd77:$n::1/64" dev "u-$m" nodad
		run ip -n "$nsn" addr add "fd77:$n::2/64" dev eth0 nodad
		run ip -n "$nsn" -6 route add default via "fd77:$n::1"
		# The namespace's own /etc/hosts (ip netns exec bind-mounts it).
		mkdir -p "/etc/netns/$nsn"
		printf '127.0.0.1 localhost\n::1 localhost\nfd77:1::2 ctrl1.underlay\n' \
			> "/etc/netns/$nsn/hosts"
	done
}

# clan_keys: one private key file per machine (mode 0600) and its public key
clan_keys()
{
	local m
	mkdir -p "$CLAN_DIR"
	for m in "${CLAN_MACHINES[@]}"; do
		rm -f "$CLAN_DIR/$m.key"
		run wgmesh genkey "$CLAN_DIR/$m.key" >/dev/null || ktap_exit_fail_msg "genkey $m"
		CLAN_PUB[$m]=$(wgmesh pubkey < "$CLAN_DIR/$m.key") || ktap_exit_fail_msg "pubkey $m"
	done
}

# clan_topology [EXTRA...]: write the topology file; EXTRA lines are
# appended verbatim (e.g. a [Policy] section). CLAN_SKIP_PEER omits a peer;
# CLAN_PSK, when set, is the [Mesh] PresharedKeyFile.
clan_topology()
{
	local p
	{
		echo "# the clan-core scenario of wgmesh issue 5"
		echo "[Mesh]"
		echo "Name = $CLAN_MESH"
		echo "MTU = $CLAN_MTU"
		[ -n "${CLAN_IPV4:-}" ] && echo "IPv4 = $CLAN_IPV4"
		[ -n "${CLAN_PSK:-}" ] && echo "PresharedKeyFile = $CLAN_PSK"
		echo
		echo "[Controller ctrl1]"
		echo "Endpoint = ctrl1.underlay:51820"
		echo "PublicKey = ${CLAN_PUB[ctrl1]}"
		[ -n "${CLAN_GROUPS_ctrl1:-}" ] && echo "Groups = $CLAN_GROUPS_ctrl1"
		echo
		echo "[Controller ctrl2]"
		echo "Endpoint = [fd77:2::2]:51820"
		echo "PublicKey = ${CLAN_PUB[ctrl2]}"
		[ -n "${CLAN_GROUPS_ctrl2:-}" ] && echo "Groups = $CLAN_GROUPS_ctrl2"
		for p in "${CLAN_PEERS[@]}"; do
			[ "$p" = "${CLAN_SKIP_PEER:-}" ] && continue
			local g="CLAN_GROUPS_$p"
			echo
			echo "[Peer $p]"
			echo "PublicKey = ${CLAN_PUB[$p]}"
			echo "Controller = ${CLAN_CTRL_OF[$p]}"
			[ -n "${!g:-}" ] && echo "Groups = ${!g}"
		done
		local l
		for l in "$@"; do
			echo "$l"
		done
	} > "$CLAN_TOPO.tmp" && mv "$CLAN_TOPO.tmp" "$CLAN_TOPO"
}

# clan_up NAME: "wgmesh up" in NAME's namespace with its own key file
clan_up()
{
	nx "$1" wgmesh up "$CLAN_TOPO" --private-key-file "$CLAN_DIR/$1.key"
}

# clan_capture CMD...: run CMD (logged, the "# $ CMD" line kept on stderr);
# $rc its status, $out its stdout and $err its stderr, both shown as
# comments and, when CLAN_CAPTURE_LOG names a file, appended to it (for
# tests that search every output afterwards)
clan_capture()
{
	run "$@" > "$CLAN_DIR/out" 2> "$CLAN_DIR/err"
	rc=$?
	grep '^# \$ ' "$CLAN_DIR/err" >&2
	out=$(cat "$CLAN_DIR/out")
	err=$(grep -v '^# \$ ' "$CLAN_DIR/err")
	[ -z "${CLAN_CAPTURE_LOG:-}" ] ||
		{ echo "$out"; echo "$err"; } >> "$CLAN_CAPTURE_LOG"
	[ -z "$out" ] || echo "$out" | sed 's/^/#   /'
	[ -z "$err" ] || echo "$err" | sed 's/^/#   2> /'
}

# clan_hosts NAME: "wgmesh hosts --install" into NAME's /etc/hosts
clan_hosts()
{
	WGMESH_HOSTS=/etc/netns/$(ns "$1")/hosts nx "$1" wgmesh hosts --install "$CLAN_TOPO"
}

# clan_setup: underlay, keys, topology, module, every machine up with hosts
clan_setup()
{
	local m
	clan_underlay
	clan_keys
	clan_topology
	load_wgmesh || ktap_exit_fail_msg "loading wgmesh.ko"
	for m in "${CLAN_MACHINES[@]}"; do
		clan_up "$m" || ktap_exit_fail_msg "wgmesh up on $m"
		clan_hosts "$m" || ktap_exit_fail_msg "wgmesh hosts --install on $m"
	done
}

# clan_ping SRC DST [FAMILY]: SRC pings DST.wg-test-one (by name) once,
# quietly, over IPv6 (FAMILY -6, the default) or IPv4 (-4)
clan_ping()
{
	nx "$1" ping "${3:--6}" -c 1 -W 2 "$2.$CLAN_MESH" >/dev/null 2>&1
}

# clan_ping_retry SRC DST [FAMILY]: up to 5 tries (first packets wait for
# handshakes)
clan_ping_retry()
{
	local i
	for i in 1 2 3 4 5; do
		clan_ping "$1" "$2" "${3:--6}" && return 0
	done
	return 1
}

# clan_pairs: every ordered pair of different machines, as SRC:DST words
clan_pairs()
{
	local s d
	for s in "${CLAN_MACHINES[@]}"; do
		for d in "${CLAN_MACHINES[@]}"; do
			[ "$s" = "$d" ] || echo "$s:$d"
		done
	done
}

# clan_handshakes: every peer pings both controllers until answered, so
# that all first handshakes are done (quietly)
clan_handshakes()
{
	local p c
	for p in "${CLAN_PEERS[@]}"; do
		for c in "${CLAN_CTRLS[@]}"; do
			clan_ping_retry "$p" "$c" >/dev/null 2>&1
		done
	done
}

# clan_watch NAME: "wgmesh watch" in NAME's namespace, in the background
# (its pid in WATCH_PID[NAME]), everything it prints in a log that the
# watch_* functions read
clan_watch()
{
	local log=$CLAN_DIR/watch-$1.log
	echo "# \$ ip netns exec $(ns "$1") wgmesh watch $CLAN_TOPO --private-key-file $CLAN_DIR/$1.key > $log &" >&2
	ip netns exec "$(ns "$1")" wgmesh watch "$CLAN_TOPO" \
		--private-key-file "$CLAN_DIR/$1.key" > "$log" 2>&1 &
	WATCH_PID[$1]=$!
}

# watch_wait NAME TEXT SECS: wait until NAME's watch printed TEXT (fixed)
watch_wait()
{
	wait_for "$CLAN_DIR/watch-$1.log" "$2" "$3"
}

# watch_count NAME TEXT: how many lines NAME's watch printed with TEXT
watch_count()
{
	grep -cF -- "$2" "$CLAN_DIR/watch-$1.log"
}

# watch_log NAME: what NAME's watch printed, as comments
watch_log()
{
	sed "s/^/#   $1: /" "$CLAN_DIR/watch-$1.log"
}

# ping_gap LOG FROM TO: the longest time without a reply between FROM and
# TO (epoch seconds), from the "[epoch] 64 bytes from ..." lines of ping -D
ping_gap()
{
	awk -v from="$2" -v to="$3" '
		/bytes from/ { t = substr($1, 2, length($1) - 2) + 0
			if (t < from) { last = t; next }
			if (t > to) exit
			if (last && t - last > max) max = t - last
			last = t }
		END { if (last < to && to - last > max) max = to - last
			printf "%.2f\n", max }' "$1"
}

# timing_expect DESC CMD...: ktap_expect for a check of how long something
# took, but in the debug lane (KASAN and lockdep under TCG, ten times
# slower, stalling for seconds) a failure is a SKIP: there each step of a
# move or a failover takes seconds, flows stop longer than the normal
# lane's allowance and outlast WireGuard's REKEY_TIMEOUT (so sessions are
# renewed), for reasons that are the lane's. The normal lane holds them.
timing_expect()
{
	local desc=$1
	shift
	[ -n "${WGMESH_DEBUG_LANE:-}" ] || { ktap_expect "$desc" "$@"; return; }
	if "$@"; then
		ktap_test_pass "$desc"
	else
		ktap_test_skip "$desc" "timing, not held in the debug lane"
	fi
}

# clan_cleanup: remove every namespace (the VM is thrown away anyway)
clan_cleanup()
{
	local m
	ns_del_all
	for m in "${CLAN_MACHINES[@]}"; do
		rm -rf "/etc/netns/$(ns "$m")"
	done
}
