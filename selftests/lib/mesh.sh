# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash source-path=SCRIPTDIR
#
# mesh.sh: build small wgmesh meshes out of network namespaces, with plain
# ip(8) and wg(8), for the wgmesh.ko VM selftests (selftests/test_module_*.sh)
# and the benchmark. Source selftests/lib/ktap.sh first; this file brings
# in the rest of what such a test uses:
#
#   netns.sh   namespaces: ns, nx, ip_batch, ns_kill, snmp6, ping_count...
#   addr.sh    the mesh's addresses: mesh_addr, mesh_subnet, MESH_NET...
#   checks.sh  one KTAP result each: check_ping, check_delta, check_iperf...
#   ctl.sh     wgmesh.ko through wgmesh-ctl: mesh_attach, mesh_stat...
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
# A controller's wg0 has <subnet>::1/40 and one WireGuard peer per peer with
# AllowedIPs = that peer's /96 in EVERY controller subnet, and one per other
# controller with AllowedIPs = its /56. A peer's wg0 has AllowedIPs = the
# controllers' /56s, exactly like clan-core's configuration. Endpoints are set
# on both sides so that a controller can reach a peer that never spoke yet.

NS_PREFIX=wgm-
# shellcheck source=netns.sh
. "${BASH_SOURCE[0]%/*}/netns.sh"
# shellcheck source=addr.sh
. "${BASH_SOURCE[0]%/*}/addr.sh"
# shellcheck source=checks.sh
. "${BASH_SOURCE[0]%/*}/checks.sh"
# shellcheck source=ctl.sh
. "${BASH_SOURCE[0]%/*}/ctl.sh"

MESH_UNDERLAY=$(ns underlay)
MESH_NEXT_PORT=20001

declare -A MESH_ROLE=() MESH_ID=() MESH_PORT=() MESH_PUB=() MESH_KEY=()
MESH_CTRLS=()
MESH_MACHINES=()

mesh_cleanup()
{
	set +e
	ns_del_all
	[ -n "$MESH_TMP" ] && rm -rf "$MESH_TMP"
}

# mesh_init: start a mesh: underlay namespace, cleanup on exit
mesh_init()
{
	ktap_need ip wg
	if [ "$(id -u)" != 0 ]; then
		ktap_skip_all "${0##*/}: needs root"
		exit "$KSFT_SKIP"
	fi
	# /var/run/netns must be shared for ip netns to work in a bare VM
	mkdir -p /var/run/netns
	export WG_HIDE_KEYS=never LANG=C
	CHECK_DMESG_START=$(dmesg | wc -l)
	MESH_TMP=$(mktemp -d) || ktap_exit_fail_msg "mktemp -d"
	trap mesh_cleanup EXIT
	ns_del_all
	# WireGuard and veth are modules in the test kernels
	run modprobe -q wireguard
	run modprobe -q veth
	run ip netns add "$MESH_UNDERLAY" || ktap_exit_fail_msg "ip netns add $MESH_UNDERLAY"
	run ip -n "$MESH_UNDERLAY" link set lo up || ktap_exit_fail_msg "underlay lo up"
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
	(umask 077 && wg genkey > "${MESH_KEY[$n]}") || ktap_exit_fail_msg "wg genkey"
	MESH_PUB[$n]=$(wg pubkey < "${MESH_KEY[$n]}") || ktap_exit_fail_msg "wg pubkey"
	run ip netns add "$nsn" || ktap_exit_fail_msg "ip netns add $nsn"
	ip_batch "$MESH_UNDERLAY" <<-EOT || ktap_exit_fail_msg "$n: create wg0 in the underlay"
	link add dev wg0 type wireguard
	link set dev wg0 netns $nsn
	EOT
	nx "$n" wg set wg0 private-key "${MESH_KEY[$n]}" listen-port "${MESH_PORT[$n]}" ||
		ktap_exit_fail_msg "$n: wg set private-key"
}

# mesh_controller NAME ID: a controller with controller id ID (16 bit)
mesh_controller()
{
	mesh_machine "$1" ctrl "$2"
	MESH_CTRLS+=("$1")
	# addresses are used at once: nodad
	ip_batch "$(ns "$1")" <<-EOT || ktap_exit_fail_msg "$1: address wg0"
	link set lo up
	addr add $(mesh_addr "$1")/40 dev wg0 nodad
	link set wg0 up
	EOT
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
	} | ip_batch "$(ns "$n")" || ktap_exit_fail_msg "$n: address wg0"
}

# mesh_wg_peer NAME OTHER ALLOWED: OTHER as a WireGuard peer of NAME, at
# OTHER's underlay port
mesh_wg_peer()
{
	nx "$1" wg set wg0 peer "${MESH_PUB[$2]}" endpoint "127.0.0.1:${MESH_PORT[$2]}" \
		allowed-ips "$3" || ktap_exit_fail_msg "$1: wg peer $2"
}

# mesh_connect PEER CTRL [PEER_ALLOWED [CTRL_ALLOWED]]: WireGuard peers on both
# sides. PEER_ALLOWED: what PEER accepts from CTRL (default every controller
# /56); CTRL_ALLOWED: what CTRL accepts from PEER (default PEER's /96 in every
# controller subnet). Call it after all controllers exist.
mesh_connect()
{
	mesh_wg_peer "$1" "$2" "${3:-$(mesh_ctrl_subnets)}"
	mesh_wg_peer "$2" "$1" "${4:-$(mesh_allowed_of_peer "$1")}"
}

# mesh_connect_ctrls C1 C2: two controllers, each accepting the other's /56
mesh_connect_ctrls()
{
	mesh_wg_peer "$1" "$2" "$(mesh_subnet "$2")"
	mesh_wg_peer "$2" "$1" "$(mesh_subnet "$1")"
}

# mesh_star CTRL CTRL_ID [PEER PEER_ID]...: one controller and its peers,
# each peer connected to it
mesh_star()
{
	local c=$1
	mesh_controller "$c" "$2"
	shift 2
	while [ $# -ge 2 ]; do
		mesh_peer "$1" "$2" "$c"
		mesh_connect "$1" "$c"
		shift 2
	done
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
	run ip netns add "$(ns outside)" || ktap_exit_fail_msg "ip netns add $(ns outside)"
	ip_batch "$(ns "$c")" <<-EOT || ktap_exit_fail_msg "$c: veth0 to outside"
	link add veth0 type veth peer name veth0 netns $(ns outside)
	addr add 2001:db8::2/64 dev veth0 nodad
	link set veth0 up
	EOT
	ip_batch "$(ns outside)" <<-EOT || ktap_exit_fail_msg "outside: veth0"
	link set lo up
	addr add 2001:db8::1/64 dev veth0 nodad
	link set veth0 up
	route add $MESH_NET via 2001:db8::2
	EOT
}
