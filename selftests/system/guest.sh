#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The guest half of the booted-system test (selftests/system/run.sh): runs
# as root in a Debian 12 VM booted with systemd, from the payload disk
# (/mnt/payload: this script, lib/, the two .debs), at every boot.
#
#   boot 1: apt installs wgmesh and wgmesh-dkms offline; DKMS builds the
#           module for the running kernel; wgmesh@mesh is enabled and
#           started (with the /etc/hosts drop-in); two peers, network
#           namespaces with their own `wgmesh up`, ping the controller (this
#           system) and each other through it, with the preshared keys of
#           the mesh secret /etc/wgmesh/mesh.psk (root's, 0600, read by the
#           sandboxed service as it is); stop takes the interface and
#           the names away and leaves the unit inactive, not failed; a mesh
#           whose other controller's name does not resolve (up exits 3)
#           keeps its unit active; an exit with Table and FwMark
#           (wgmesh@gw) sets ip_forward, src_valid_mark and the exec
#           cgroup from inside the sandbox, and stop undoes them; then the
#           VM reboots.
#   boot 2: wgmesh@mesh came back by itself; the peers ping again;
#           `systemctl reload` applies a topology with a third peer without
#           renewing the handshakes of the other two, and adds its name;
#           apt purge leaves no interface, route, hosts block, module or
#           unit link; power off.
#
# Output: KTAP result and "# " lines on stdout (the virtio-serial port
# wgmesh.out; run.sh renumbers the results across both boots), the exit
# status of the last boot on the port wgmesh.status.
# (Like every KTAP test here, no `set -e`: a failed check goes on to the next.)
#
# wgmesh-plan: 53

set -uo pipefail

payload=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$payload/lib/ktap.sh"
. "$payload/lib/kernel.sh"

state=/var/lib/wgmesh-test
mkdir -p "$state"
phase=$(cat "$state/phase" 2>/dev/null || echo 1)
MESH=sysmesh		# the mesh's Name, Interface and Domain
conf=/etc/wgmesh/mesh.conf
psk=/etc/wgmesh/mesh.psk	# the mesh secret ([Mesh] PresharedKeyFile)
t0=$SECONDS

# finish: the exit status to run.sh, then power off
finish()
{
	local rc=0
	[ "$KTAP_CNT_FAIL" = 0 ] || rc=1
	ktap_print_msg "boot $phase done in $((SECONDS - t0))s"
	echo "$rc" > /dev/virtio-ports/wgmesh.status
	systemctl poweroff
	exit "$rc"
}

# bail TEXT: nothing after a failed setup step can be trusted
bail()
{
	echo "Bail out! $*"
	finish
}

# logged CMD...: run CMD logged, its output as "# " lines
logged()
{
	local rc
	echo "# \$ $*"
	"$@" > "$state/cmd.log" 2>&1
	rc=$?
	sed 's/^/# /' "$state/cmd.log"
	return $rc
}

# pubkey FILE: the public key of private key FILE
pubkey()
{
	wgmesh pubkey < "$1"
}

# write_conf PEER...: the topology: this machine as controller ctrl1
# reachable on the bridge at fd77::1, and PEERs
write_conf()
{
	local p
	{
		printf '[Mesh]\nName = %s\nPresharedKeyFile = %s\n\n' "$MESH" "$psk"
		printf '[Controller ctrl1]\nEndpoint = [fd77::1]:51820\nPublicKey = %s\n\n' \
			"$(pubkey /etc/wgmesh/mesh.key)"
		for p in "$@"; do
			printf '[Peer %s]\nPublicKey = %s\n\n' "$p" "$(pubkey "/root/$p.key")"
		done
	} > "$conf.new" && mv "$conf.new" "$conf"
}

# same_psk PEER: the service gave PEER a preshared key, the one PEER's own
# up gave the controller (the secret's, at both ends; the key not shown)
same_psk()
{
	local k
	k=$(wg show "$MESH" preshared-keys | awk -v p="$(pubkey "/root/$1.key")" '$1 == p { print $2 }')
	[ ${#k} = 44 ] && [ "$k" != "(none)" ] &&
		[ "$(ip netns exec "$1" wg show "$MESH" preshared-keys | cut -f2)" = "$k" ]
}

# addr NAME: NAME's mesh address, from `wgmesh hosts`
addr()
{
	wgmesh hosts "$conf" | awk -v h="$1.$MESH" '$2 == h { print $1 }'
}

# underlay: br0 with fd77::1 here; peer namespaces on it (fd77::N)
underlay()
{
	local p n=10
	ip link add br0 type bridge && ip link set br0 up &&
		ip addr add fd77::1/64 dev br0 nodad || return 1
	for p in "$@"; do
		n=$((n + 1))
		ip netns add "$p" &&
			ip link add "v-$p" type veth peer name eth0 netns "$p" &&
			ip link set "v-$p" master br0 up &&
			ip -n "$p" link set lo up &&
			ip -n "$p" link set eth0 up &&
			ip -n "$p" addr add "fd77::$n/64" dev eth0 nodad || return 1
	done
}

# peers_up PEER...: each peer's own `wgmesh up` in its namespace
peers_up()
{
	local p
	for p in "$@"; do
		logged ip netns exec "$p" wgmesh up "$conf" --name "$p" \
			--private-key-file "/root/$p.key" || return 1
	done
}

# pings FROM TO: FROM (a peer namespace or "ctrl1") pings TO's mesh address
pings()
{
	local to
	to=$(addr "$2")
	[ -n "$to" ] || return 1
	if [ "$1" = ctrl1 ]; then
		logged ping -6 -c 1 -w 15 "$to"
	else
		logged ip netns exec "$1" ping -6 -c 1 -w 15 "$to"
	fi
}

# handshake PEER: the latest handshake (seconds since the epoch) of PEER on
# this controller's interface
handshake()
{
	wg show "$MESH" latest-handshakes | awk -v k="$(pubkey "/root/$1.key")" '$1 == k { print $2 }'
}

if [ "$phase" = 1 ]; then
	ktap_print_msg "boot 1: $(uname -r), $(cat /etc/debian_version), PID 1 $(cat /proc/1/comm)"
	ktap_expect "booted Debian 12 with systemd as init" \
		eval '[ "$(cat /proc/1/comm)" = systemd ] && grep -q "^12\." /etc/debian_version'
	ktap_expect "the running kernel's headers are installed" test -d "/lib/modules/$(uname -r)/build"
	ktap_expect "no wgmesh.ko before the packages" eval '! modinfo wgmesh >/dev/null 2>&1'

	cp "$payload"/*.deb /tmp/
	t=$SECONDS
	ktap_expect "apt installs wgmesh and wgmesh-dkms (offline)" \
		logged env DEBIAN_FRONTEND=noninteractive apt-get install -y \
		/tmp/wgmesh_*.deb /tmp/wgmesh-dkms_*.deb || bail "the packages did not install"
	ktap_print_msg "apt install (DKMS build included): $((SECONDS - t))s"
	logged dkms status
	ktap_expect "DKMS built and installed wgmesh for $(uname -r)" \
		eval 'dkms status -m wgmesh -k "$(uname -r)" | grep -q ": installed"'
	ko=$(modinfo -n wgmesh 2>/dev/null)
	ktap_print_msg "module: $ko, version $(modinfo -F version wgmesh 2>/dev/null)"
	ktap_expect "modprobe finds it in /lib/modules/$(uname -r)/updates/dkms" \
		eval '[[ $ko == /lib/modules/$(uname -r)/updates/dkms/wgmesh.ko* ]]'

	umask 077
	ktap_test_result "wgmesh genkey the controller's and peers' keys, genpsk the secret" \
		eval 'wgmesh genkey /etc/wgmesh/mesh.key && wgmesh genkey /root/peer1.key &&
			wgmesh genkey /root/peer2.key && wgmesh genkey /root/peer3.key &&
			wgmesh genpsk "$psk"'
	umask 022
	write_conf peer1 peer2
	sed 's/^/# /' "$conf"
	ktap_test_result "the topology is valid" wgmesh check "$conf"
	# the names in /etc/hosts: the drop-in wgmesh(8) describes
	mkdir -p /etc/systemd/system/wgmesh@.service.d
	printf '%s\n' '[Service]' \
		'ExecStartPost=+/usr/sbin/wgmesh hosts --install /etc/wgmesh/%i.conf' \
		'ExecReload=+/usr/sbin/wgmesh hosts --install /etc/wgmesh/%i.conf' \
		'ExecStop=' 'ExecStop=+/usr/sbin/wgmesh down /etc/wgmesh/%i.conf' \
		> /etc/systemd/system/wgmesh@.service.d/hosts.conf
	systemctl daemon-reload
	ktap_expect "systemctl enable --now wgmesh@mesh" \
		logged systemctl enable --now wgmesh@mesh
	logged journalctl -q -o cat -u wgmesh@mesh
	ktap_expect "the kernel loaded wgmesh.ko for the sandboxed service" test -d /sys/module/wgmesh
	ktap_expect "interface $MESH has the controller's address" \
		eval 'ip -6 addr show dev "$MESH" | grep -q "$(addr ctrl1)/"'
	underlay peer1 peer2 || bail "the underlay (bridge, namespaces, veths) failed"
	ktap_test_result "peers peer1 and peer2 run their own wgmesh up" peers_up peer1 peer2
	ktap_test_result "peer1 pings the controller" pings peer1 ctrl1
	ktap_test_result "peer1 pings peer2 through the controller" pings peer1 peer2
	ktap_expect "the service read $psk: peer1's key is the same at both ends" same_psk peer1
	ktap_expect "the controller pings peer2 by its name in /etc/hosts" \
		logged ping -6 -c 1 -w 15 "peer2.$MESH"
	logged wgmesh status --file "$conf"

	# stop: wgmesh down, which also takes the names away
	ktap_expect "systemctl stop wgmesh@mesh" logged systemctl stop wgmesh@mesh
	logged journalctl -q -o cat -u wgmesh@mesh -n 4
	ktap_expect "stopped, not failed" eval '! systemctl -q is-failed wgmesh@mesh'
	ktap_expect "stop took the interface and its /etc/hosts block away" \
		eval '! ip link show "$MESH" >/dev/null 2>&1 && ! grep -q "^# BEGIN wgmesh $MESH" /etc/hosts'
	ktap_expect "systemctl start wgmesh@mesh" logged systemctl start wgmesh@mesh

	# a controller whose host name does not resolve: up applies the rest,
	# exits 3, and the unit stays active (SuccessExitStatus=3)
	umask 077
	wgmesh genkey /etc/wgmesh/odd.key
	umask 022
	printf '[Mesh]\nName = odd\nPort = 51821\n\n[Controller c1]\nEndpoint = [fd77::1]:51821\nPublicKey = %s\n\n[Controller c2]\nEndpoint = c2.invalid\nPublicKey = %s\n' \
		"$(pubkey /etc/wgmesh/odd.key)" "$(pubkey /root/peer3.key)" > /etc/wgmesh/odd.conf
	mkdir -p /etc/systemd/system/wgmesh@odd.service.d
	printf '[Service]\nEnvironment=WG_ENDPOINT_RESOLUTION_RETRIES=0\n' \
		> /etc/systemd/system/wgmesh@odd.service.d/retries.conf
	systemctl daemon-reload
	logged systemctl start wgmesh@odd
	logged journalctl -q -o cat -u wgmesh@odd
	ktap_expect "unresolvable c2.invalid: up warned and wgmesh@odd is active" \
		eval 'systemctl -q is-active wgmesh@odd &&
			journalctl -q -o cat -u wgmesh@odd | grep -q "warning: controller c2: cannot resolve c2.invalid"'
	ktap_expect "status --check reports c2's missing endpoint (exit 2)" \
		eval 'logged wgmesh status --check --file /etc/wgmesh/odd.conf; [ $? = 2 ] &&
			grep -q "controller c2 has no endpoint" "$state/cmd.log"'
	ktap_expect "wgmesh@odd stops, not failed, interface gone" \
		eval 'systemctl stop wgmesh@odd && ! systemctl -q is-failed wgmesh@odd && ! ip link show odd >/dev/null 2>&1'
	# an exit with its own routing table: from inside the sandbox, up
	# turns ip_forward and src_valid_mark on, records the holds under
	# /run/wgmesh and makes wgmesh exec's cgroup; down undoes all of it
	umask 077
	wgmesh genkey /etc/wgmesh/gw.key
	umask 022
	printf '[Mesh]\nName = gw\nPort = 51822\nIPv4 = 10.129.0.0/16\n\n[Controller c1]\nEndpoint = [fd77::1]:51822\nPublicKey = %s\nExit = yes\nTable = 1000\nFwMark = 4242\n\n[Peer p1]\nPublicKey = %s\nExit = c1\n' \
		"$(pubkey /etc/wgmesh/gw.key)" "$(pubkey /root/peer3.key)" > /etc/wgmesh/gw.conf
	# the exit's uplink: the interface of the IPv4 default route
	logged ip link add up0 type veth peer name up0p
	logged ip link set up0p up
	logged ip link set up0 up
	logged ip addr add 192.0.2.2/24 dev up0
	logged ip route add default via 192.0.2.1 dev up0
	fwd0=$(cat /proc/sys/net/ipv4/ip_forward)
	svm0=$(cat /proc/sys/net/ipv4/conf/all/src_valid_mark)
	logged systemctl start wgmesh@gw
	logged journalctl -q -o cat -u wgmesh@gw
	ktap_expect "Exit and Table: wgmesh@gw is active and up warned of nothing" \
		eval 'systemctl -q is-active wgmesh@gw &&
			! journalctl -q -o cat -u wgmesh@gw | grep -q "warning"'
	ktap_expect "... it turned ip_forward ($fwd0) and src_valid_mark ($svm0) on, holding both" \
		eval '[ "$fwd0" = 0 ] && [ "$svm0" = 0 ] &&
			[ "$(cat /proc/sys/net/ipv4/ip_forward)" = 1 ] &&
			[ "$(cat /proc/sys/net/ipv4/conf/all/src_valid_mark)" = 1 ] &&
			ls /run/wgmesh/ip_forward/net-*/gw /run/wgmesh/src_valid_mark/net-*/gw'
	ktap_expect "... made the fwmark rules and the exec cgroup, which wgmesh exec enters" \
		eval 'ip rule | grep -q "fwmark 0x1092 lookup 1000" &&
			ls -d /sys/fs/cgroup/wgmesh/net-*/gw &&
			logged wgmesh exec gw -- grep -q "/wgmesh/net-[0-9]*/gw\$" /proc/self/cgroup'
	ktap_expect "wgmesh@gw stops, not failed: sysctls back to 0, no hold, rule or cgroup left" \
		eval 'logged systemctl stop wgmesh@gw && ! systemctl -q is-failed wgmesh@gw &&
			[ "$(cat /proc/sys/net/ipv4/ip_forward)" = 0 ] &&
			[ "$(cat /proc/sys/net/ipv4/conf/all/src_valid_mark)" = 0 ] &&
			! ls /run/wgmesh/ip_forward/net-*/gw /run/wgmesh/src_valid_mark/net-*/gw 2>/dev/null &&
			! ip rule | grep -q "lookup 1000" &&
			! ls -d /sys/fs/cgroup/wgmesh/net-*/gw 2>/dev/null'
	logged journalctl -q -o cat -u wgmesh@gw -n 6
	logged ip link del up0
	ktap_print_msg "boot 1 done in $((SECONDS - t0))s: rebooting"
	echo 2 > "$state/phase"
	sync
	systemctl reboot
	exit 0
fi

ktap_print_msg "boot 2: $(uname -r)"
ktap_expect "wgmesh@mesh is active after the reboot, by itself" systemctl -q is-active wgmesh@mesh
logged journalctl -q -o cat -b -u wgmesh@mesh
ktap_expect "the kernel loaded wgmesh.ko again" test -d /sys/module/wgmesh
ktap_expect "interface $MESH is back with the controller's address" \
	eval 'ip -6 addr show dev "$MESH" | grep -q "$(addr ctrl1)/"'
ktap_expect "/etc/hosts has the mesh's block" grep -q "^# BEGIN wgmesh $MESH" /etc/hosts
underlay peer1 peer2 || bail "the underlay (bridge, namespaces, veths) failed"
ktap_test_result "peers come up again" peers_up peer1 peer2
ktap_test_result "peer1 pings the controller" pings peer1 ctrl1
ktap_test_result "peer2 pings peer1 through the controller" pings peer2 peer1
ktap_expect "after the reboot too, peer2's preshared key is the same at both ends" same_psk peer2

# reload: a third peer joins; the sessions of the other two are kept
sleep 2
h1=$(handshake peer1)
h2=$(handshake peer2)
logged wg show "$MESH" latest-handshakes
write_conf peer1 peer2 peer3
ktap_expect "systemctl reload wgmesh@mesh (peer3 added)" logged systemctl reload wgmesh@mesh
logged journalctl -q -o cat -b -u wgmesh@mesh
ktap_expect "up applied only the new peer (peers +1 ~0 -0)" \
	eval 'journalctl -q -o cat -b -u wgmesh@mesh | tail -n 3 | grep -q "peers +1 ~0 -0"'
ktap_expect "peer3 is on the interface" \
	eval 'wg show "$MESH" peers | grep -qxF "$(pubkey /root/peer3.key)"'
ktap_expect "reload put peer3's name into /etc/hosts" grep -q " peer3\.$MESH\$" /etc/hosts
underlay_peer3()
{
	ip netns add peer3 &&
		ip link add v-peer3 type veth peer name eth0 netns peer3 &&
		ip link set v-peer3 master br0 up && ip -n peer3 link set lo up &&
		ip -n peer3 link set eth0 up && ip -n peer3 addr add fd77::13/64 dev eth0 nodad
}
ktap_test_result "peer3 comes up" eval 'underlay_peer3 && peers_up peer3'
ktap_test_result "peer3 pings peer1 through the controller" pings peer3 peer1
ktap_test_result "peer1 still pings the controller" pings peer1 ctrl1
ktap_test_result "peer2 still pings the controller" pings peer2 ctrl1
logged wg show "$MESH" latest-handshakes
ktap_expect "peer1's handshake was not renewed ($h1)" eval '[ -n "$h1" ] && [ "$(handshake peer1)" = "$h1" ]'
ktap_expect "peer2's handshake was not renewed ($h2)" eval '[ -n "$h2" ] && [ "$(handshake peer2)" = "$h2" ]'

# purge: the peers (other machines) go first, then both packages
for p in peer1 peer2 peer3; do ip netns del "$p"; done
ktap_expect "apt purge wgmesh wgmesh-dkms" \
	logged env DEBIAN_FRONTEND=noninteractive apt-get purge -y wgmesh wgmesh-dkms
ktap_expect "no interface $MESH" eval '! ip link show "$MESH" >/dev/null 2>&1'
ktap_expect "no route of wgmesh (proto 87)" \
	eval '[ -z "$(ip -6 route show proto 87; ip -4 route show proto 87)" ]'
ktap_expect "no wgmesh block in /etc/hosts" eval '! grep -q wgmesh /etc/hosts'
ktap_expect "wgmesh.ko is not loaded" test ! -d /sys/module/wgmesh
ktap_expect "no wgmesh.ko, DKMS tree or source left" \
	eval '[ -z "$(find /lib/modules /var/lib/dkms /usr/src -name "wgmesh*" 2>/dev/null)" ]'
ktap_expect "no wgmesh@ unit active or enabled" \
	eval '! systemctl -q is-active wgmesh@mesh && [ -z "$(find /etc/systemd/system -name "wgmesh@*.service")" ]'
ktap_expect "the kernel log shows no splat" eval '! dmesg | kernel_splat'
finish
