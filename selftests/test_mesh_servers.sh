#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The server mesh of issue 11: a hand-made wg-quick full mesh moved to
# wgmesh, with IPv4 and two routed LANs. Every machine is a network
# namespace configured only by "wgmesh up" (and "hosts --install") with one
# topology file:
#
#   c1, c2, c3   controllers with public endpoints (10.88.N.2:51820)
#   home         peer homed at c1, routes the home LAN 172.27.88.0/24 and
#                fdc1:d89e:b128:13a6::/64 to the host homelan
#   office       peer homed at c2, routes 172.27.126.0/24 and
#                fdc1:d89e:b128:13a7::/64 to the host officelan
#
#   homelan ── home ═╗                       ╔═ office ── officelan
#                    ╚═ c1 ══════ c2 ═══════╝
#                        ╚═══ c3 ═══╝     (═ WireGuard over the underlay)
#
# Checks: names over IPv4 and IPv6 between every pair; LAN to LAN through
# two controller hops, forwarded in the kernel with the controllers'
# forwarding sysctls at 0; spoofed sources, policy, TTL, PMTU and
# destinations outside the mesh; subnets withdrawn; up's forwarding and
# accept_ra warnings.
#
# wgmesh-timeout: 420

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/lib/ktap.sh"
NS_PREFIX=srv-
. "$here/lib/netns.sh"
. "$here/lib/checks.sh"
. "$here/lib/underlay.sh"

MESH=srv
IF=srv
DIR=/tmp/srv
TOPO=$DIR/srv.conf
CTRLS=(c1 c2 c3)
PEERS=(home office)
MACHINES=(c1 c2 c3 home office)
declare -A NUM=([c1]=1 [c2]=2 [c3]=3 [home]=4 [office]=5)
declare -A PUB=()
declare -A LAN4=([home]=172.27.88 [office]=172.27.126)
declare -A LAN6=([home]=fdc1:d89e:b128:13a6 [office]=fdc1:d89e:b128:13a7)
UNDERLAY=$(ns underlay)

cleanup()
{
	ns_del_all
	for m in "${MACHINES[@]}"; do
		rm -rf "/etc/netns/$(ns "$m")"
	done
}

ktap_need wgmesh ip wg ping
trap cleanup EXIT
ktap_print_header
ktap_set_plan 75

# ---- the machines: underlay, LANs, keys ----
mkdir -p /var/run/netns "$DIR"
[ -e /etc/nsswitch.conf ] || echo "hosts: files" > /etc/nsswitch.conf
# A name has an IPv6 and an IPv4 line: glibc reads past the first only
# with "multi on" (Debian's /etc/host.conf says so; the bare VM has none).
[ -e /etc/host.conf ] || echo "multi on" > /etc/host.conf
underlay_init
for m in "${MACHINES[@]}"; do
	underlay_machine "$m" "${NUM[$m]}"
	mkdir -p "/etc/netns/$(ns "$m")"
	printf '127.0.0.1 localhost\n::1 localhost\n' > "/etc/netns/$(ns "$m")/hosts"
	underlay_key "$m"
done
# Each LAN: a host in its own namespace behind its router (the peer).
for r in "${PEERS[@]}"; do
	h=${r}lan
	run ip netns add "$(ns "$h")" || ktap_exit_fail_msg "ip netns add $h"
	run ip link add lan0 netns "$(ns "$r")" type veth peer name eth0 netns "$(ns "$h")"
	ip_batch "$(ns "$r")" <<-EOT || ktap_exit_fail_msg "$r: lan0"
	addr add ${LAN4[$r]}.1/24 dev lan0
	addr add ${LAN6[$r]}::1/64 dev lan0 nodad
	link set lan0 up
	EOT
	ip_batch "$(ns "$h")" <<-EOT || ktap_exit_fail_msg "$h: eth0"
	link set lo up
	addr add ${LAN4[$r]}.2/24 dev eth0
	addr add ${LAN6[$r]}::2/64 dev eth0 nodad
	link set eth0 up
	route add default via ${LAN4[$r]}.1
	route add default via ${LAN6[$r]}::1
	EOT
done

# topology [SUBNETS_OF_OFFICE [EXTRA...]]: write the file
topology()
{
	local office=${1:-${LAN4[office]}.0/24, ${LAN6[office]}::/64} l
	shift
	{
		printf '[Mesh]\nName = %s\nIPv4 = 10.128.0.0/16\nMTU = 1400\n' "$MESH"
		for c in "${CTRLS[@]}"; do
			printf '\n[Controller %s]\nEndpoint = 10.88.%s.2:51820\n' "$c" "${NUM[$c]}"
			printf 'PublicKey = %s\nGroups = servers\n' "${PUB[$c]}"
		done
		printf '\n[Peer home]\nPublicKey = %s\nController = c1\nGroups = home\n' "${PUB[home]}"
		printf 'Subnets = %s.0/24, %s::/64\n' "${LAN4[home]}" "${LAN6[home]}"
		printf '\n[Peer office]\nPublicKey = %s\nController = c2\nGroups = office\n' "${PUB[office]}"
		printf 'Subnets = %s\n' "$office"
		for l in "$@"; do
			echo "$l"
		done
	} > "$TOPO"
}


topology
sed 's/^/# /' "$TOPO"
capture wgmesh check "$TOPO"
ktap_expect "check: valid, IPv4 range and 4 subnets" text_has "$out" "IPv4 10.128.0.0/16, 4 subnets"
load_wgmesh || ktap_exit_fail_msg "loading wgmesh.ko"

# home routes its LAN before turning forwarding on: up says so, one line a
# problem, and changes no sysctl.
capture up home
ktap_expect "up on home: applied (exit 0)" [ "$rc" = 0 ]
ktap_expect "up on home warns that net.ipv4.ip_forward is 0" \
	text_has "$out" "^wgmesh: warning: this machine routes IPv4 subnets but net.ipv4.ip_forward is 0"
ktap_expect "up on home warns that net.ipv6.conf.all.forwarding is 0" \
	text_has "$out" "^wgmesh: warning: this machine routes IPv6 subnets but net.ipv6.conf.all.forwarding is 0"
ktap_expect "up on home names eth0's accept_ra=1 and the fix accept_ra=2" \
	text_has "$out" "^wgmesh: warning: eth0: accept_ra=1 would ignore router advertisements.*net.ipv6.conf.eth0.accept_ra=2$"
ktap_expect "up on home changed no sysctl" \
	[ "$(nx home sysctl -n net.ipv4.ip_forward net.ipv6.conf.all.forwarding net.ipv6.conf.eth0.accept_ra | tr -d '\n')" = 001 ]
# The admin turns forwarding on: now the accept_ra trap is what is left.
run nx home sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
capture up home
ktap_expect "forwarding on: up warns that eth0 ignores router advertisements" \
	text_has "$out" "^wgmesh: warning: eth0: accept_ra=1 ignores router advertisements"
ktap_expect "forwarding on: no forwarding warning any more" \
	eval '! text_has "$out" "forwarding is 0"'
for r in "${PEERS[@]}"; do
	run nx "$r" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1 \
		net.ipv6.conf.eth0.accept_ra=2 net.ipv6.conf.lan0.accept_ra=0
done
capture up home
ktap_expect "accept_ra=2: up on home says nothing more" eval '! text_has "$out" warning'

for m in "${MACHINES[@]}"; do
	up "$m" >/dev/null || ktap_exit_fail_msg "wgmesh up on $m"
	WGMESH_HOSTS=/etc/netns/$(ns "$m")/hosts nx "$m" wgmesh hosts --install "$TOPO" >/dev/null ||
		ktap_exit_fail_msg "hosts --install on $m"
done

# ---- what up installed ----
v4_home=$(v4 home)
v4_office=$(v4 office)
v4_c1=$(v4 c1)
# addresses_of M: wg interface has its IPv4/16, routes proto 87 for the
# range and the other machines' subnets, none for its own
addresses_of()
{
	local m=$1 a r
	a=$(ip -n "$(ns "$m")" -4 addr show dev "$IF")
	r=$(ip -n "$(ns "$m")" route show proto 87; ip -n "$(ns "$m")" -6 route show proto 87)
	echo "$r" | sed 's/^/#   /'
	text_has "$a" "inet $(v4 "$m")/16 " && text_has "$r" "^10.128.0.0/16 dev $IF" || return 1
	for p in "${PEERS[@]}"; do
		if [ "$p" = "$m" ]; then
			! text_has "$r" "^${LAN4[$p]}.0/24" || return 1
		else
			text_has "$r" "^${LAN4[$p]}.0/24 dev $IF" "^${LAN6[$p]}::/64 dev $IF" || return 1
		fi
	done
}
for m in "${MACHINES[@]}"; do
	ktap_expect "$m: IPv4 address and routes (protocol 87) of both families" addresses_of "$m"
done
# allowed OF KEY: the AllowedIPs of KEY's entry on OF
allowed()
{
	nx "$1" wg show "$IF" allowed-ips | grep -F "$2" | cut -f2
}
a=$(allowed c1 "${PUB[home]}")
ktap_expect "c1: home (homed here) carries its IPv4 and LAN prefixes" \
	text_has "$a" "$v4_home/32" "${LAN4[home]}.0/24" "${LAN6[home]}::/64"
a=$(allowed c1 "${PUB[office]}")
ktap_expect "c1: office (homed at c2) carries only its /96s" eval '! text_has "$a" "10.128\|172.27\|fdc1"'
a=$(allowed c1 "${PUB[c2]}")
ktap_expect "c1: c2's entry carries c2's and office's IPv4 and office's LAN" \
	text_has "$a" "$(v4 c2)/32" "$v4_office/32" "${LAN4[office]}.0/24" "${LAN6[office]}::/64"
a=$(allowed home "${PUB[c1]}")
ktap_expect "home: c1 carries the IPv4 range and office's LAN, not its own" \
	eval 'text_has "$a" "10.128.0.0/16" "${LAN4[office]}.0/24" "${LAN6[office]}::/64" && ! text_has "$a" "${LAN4[home]}"'
a=$(allowed home "${PUB[c2]}")
ktap_expect "home: c2 carries only its /56" eval '! text_has "$a" "10.128\|172.27\|fdc1"'
for m in home c1; do
	capture up "$m"
	ktap_expect "up on $m again changes nothing" text_has "$out" "peers +0 ~0 -0, addresses +0 -0, routes +0 -0"
done
ktap_expect "up on c1 again: the module's topology (IPv4, subnets) is unchanged" \
	text_has "$out" "topology unchanged"
capture wgmesh hosts "$TOPO"
ktap_expect "hosts: an IPv4 line after each IPv6 line" \
	text_has "$out" "^$v4_c1 c1.$MESH$" "^$v4_home home.$MESH$"

# ---- traffic ----
# ping_retry SRC ARGS...: up to 5 tries (first packets wait for handshakes)
ping_retry()
{
	local s=$1 i
	shift
	for i in 1 2 3 4 5; do
		nx "$s" ping -c 1 -W 2 "$@" >/dev/null 2>&1 && return 0
	done
	nx "$s" ping -c 1 -W 2 "$@" 2>&1 | sed 's/^/#   /'
	return 1
}
for c in "${CTRLS[@]}"; do
	for p in "${PEERS[@]}"; do
		ping_retry "$p" -6 "$c.$MESH"
	done
done
for s in "${MACHINES[@]}"; do
	for d in "${MACHINES[@]}"; do
		[ "$s" = "$d" ] && continue
		ok=1
		ping_retry "$s" -4 "$d.$MESH" || ok=0
		ping_retry "$s" -6 "$d.$MESH" || ok=0
		ktap_expect "$s -> $d.$MESH over IPv4 and IPv6" [ $ok = 1 ]
	done
done

dev_stat()	# dev_stat CTRL KEY: a device counter of CTRL's wgmesh.ko
{
	nx "$1" wgmesh status --json "$IF" | grep -o "\"$2\": [0-9]*" | head -1 | grep -o '[0-9]*$'
}
f1=$(dev_stat c1 fwd_packets)
f2=$(dev_stat c2 fwd_packets)
check_ping "homelan -> officelan over IPv4 (c1, c2 hops)" homelan "${LAN4[office]}.2"
check_ping "homelan -> officelan over IPv6" homelan "${LAN6[office]}::2"
check_ping "officelan -> homelan over IPv4" officelan "${LAN4[home]}.2"
check_ping "officelan -> homelan over IPv6" officelan "${LAN6[home]}::2"
check_delta "c1 forwarded the LAN traffic in the kernel" "$f1" "$(dev_stat c1 fwd_packets)" -ge 12
check_delta "c2 forwarded the LAN traffic in the kernel" "$f2" "$(dev_stat c2 fwd_packets)" -ge 12
for c in "${CTRLS[@]}"; do
	fw=$(nx "$c" sysctl -n net.ipv4.ip_forward net.ipv6.conf.all.forwarding | tr -d '\n')
	ktap_expect "$c: net.ipv4.ip_forward and net.ipv6.conf.all.forwarding stay 0" [ "$fw" = 00 ]
done

# TTL 1 from home to office expires at c1: Time Exceeded from c1's IPv4.
capture nx home ping -4 -c 1 -W 2 -t 1 "$v4_office"
ktap_expect "TTL 1 home -> office: Time Exceeded from c1 ($v4_c1)" \
	text_has "$out" "From $v4_c1 .*Time to live exceeded"

# PMTU: c1's tunnel narrowed to 1280 by hand, a DF 1348-byte packet.
run ip -n "$(ns c1)" link set "$IF" mtu 1280
t0=$(dev_stat c1 drop_toobig)
capture nx home ping -4 -c 2 -i 0.3 -W 2 -M do -s 1320 "$v4_office"
check_delta "c1 dropped the oversized DF packet (toobig)" "$t0" "$(dev_stat c1 drop_toobig)" -ge 1
capture ip -n "$(ns home)" -4 route get "$v4_office"
ktap_expect "home learned the path MTU 1280 from Fragmentation Needed" text_has "$out" "mtu 1280"
capture up c1
ktap_expect "up on c1 puts the mesh MTU back and says so" text_has "$out" "mtu 1400"

# Spoofing: home sends from office's IPv4 address. WireGuard on c1 drops
# it (not in home's AllowedIPs); with home's entry widened by hand to the
# whole range, wgmesh.ko drops a source that is no member's.
run ip -n "$(ns home)" addr add "$v4_office/32" dev lo
e0=$(link_stat c1 "$IF" rx_frame_errors)
capture nx home ping -4 -c 2 -i 0.3 -W 1 -I "$v4_office" "$v4_c1"
ktap_expect "home sending as office: no reply" text_has "$out" " 0 received"
check_delta "c1's WireGuard dropped it (AllowedIPs, rx_frame_errors)" "$e0" "$(link_stat c1 "$IF" rx_frame_errors)" -ge 2
run ip -n "$(ns home)" addr del "$v4_office/32" dev lo
# an address of the range that no machine has
for free in 10.128.0.99 10.128.0.98 10.128.0.97 10.128.0.96 10.128.0.95 10.128.0.94; do
	wgmesh addresses "$TOPO" | grep -q " $free " || break
done
run ip -n "$(ns home)" addr add "$free/32" dev lo
run nx c1 wg set "$IF" peer "${PUB[home]}" allowed-ips "$(allowed c1 "${PUB[home]}" | tr ' ' ','),10.128.0.0/16"
s0=$(dev_stat c1 drop_spoofed)
capture nx home ping -4 -c 2 -i 0.3 -W 1 -I "$free" "$(v4 c3)"
check_delta "wgmesh.ko on c1 counted the unowned source $free as spoofed" "$s0" "$(dev_stat c1 drop_spoofed)" -ge 2
run ip -n "$(ns home)" addr del "$free/32" dev lo

# Outside the mesh: home with a hand-made AllowedIPs = 0.0.0.0/0 towards c1
# (wg-quick users do that) sends to 192.0.2.1: dropped on c1, never routed.
run nx home wg set "$IF" peer "${PUB[c1]}" allowed-ips "$(allowed home "${PUB[c1]}" | tr ' ' ','),192.0.2.0/24"
run ip -n "$(ns home)" route add 192.0.2.0/24 dev "$IF"
o0=$(dev_stat c1 drop_outside)
u0=$(snmp4 c1 Ip ForwDatagrams)
capture nx home ping -4 -c 3 -i 0.3 -W 1 192.0.2.1
check_delta "c1 dropped IPv4 to 192.0.2.1 as outside the mesh" "$o0" "$(dev_stat c1 drop_outside)" -ge 3
check_delta "c1's stack forwarded none of it" "$u0" "$(snmp4 c1 Ip ForwDatagrams)" -eq 0
run ip -n "$(ns home)" route del 192.0.2.0/24 dev "$IF"
for m in home c1; do
	capture up "$m"
	ktap_expect "up on $m puts the hand-edited AllowedIPs back" text_has "$out" "peers +0 ~1 -0"
done

# Policy: servers may talk to everyone, home and office not to each other.
topology "" "" "[Policy]" "Default = deny" "Allow = servers <-> home" \
	"Allow = servers <-> office" "Allow = servers <-> servers"
for c in "${CTRLS[@]}"; do
	up "$c" >/dev/null || ktap_test_fail "up on $c with the policy"
done
p0=$(dev_stat c1 drop_policy)
check_ping_lost "policy: home -> office over IPv4 is blocked" home "$v4_office"
check_ping_lost "policy: homelan -> officelan is blocked" homelan "${LAN4[office]}.2"
check_ping_lost "policy: homelan -> officelan over IPv6 is blocked" homelan "${LAN6[office]}::2"
check_delta "c1 counted them as policy drops" "$p0" "$(dev_stat c1 drop_policy)" -ge 6
check_ping "policy: homelan -> c3 over IPv4 still works" homelan "$(v4 c3)"

# Withdrawing office's IPv6 subnet takes its routes and AllowedIPs away.
topology "${LAN4[office]}.0/24"
for m in "${MACHINES[@]}"; do
	up "$m" >/dev/null || ktap_test_fail "up on $m without office's IPv6 LAN"
done
gone()	# gone M: no route and no AllowedIPs for office's IPv6 LAN on M
{
	! ip -n "$(ns "$1")" -6 route show proto 87 | grep -q "${LAN6[office]}" &&
	! nx "$1" wg show "$IF" allowed-ips | grep -q "${LAN6[office]}"
}
for m in c1 c2 home office; do
	ktap_expect "$m: office's IPv6 LAN withdrawn (routes and AllowedIPs)" gone "$m"
done
check_ping_lost "homelan no longer reaches officelan over IPv6" homelan "${LAN6[office]}::2"
check_ping "homelan still reaches officelan over IPv4" homelan "${LAN4[office]}.2"

check_dmesg_clean
ktap_finished
