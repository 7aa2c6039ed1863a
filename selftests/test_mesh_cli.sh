#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The CLI in everyday use (issue 15), on the clan-core scenario of
# selftests/lib/clan.sh with groups and a default-deny policy:
#   - "wgmesh reach" agrees with what the mesh does, pair by pair, and
#     "check" warns about the rule that cannot have an effect;
#   - "up -v" and "up --dry-run" name what changes (MTU and listen port
#     included) and a dry run changes nothing; without root it says so;
#   - "status": one JSON object with a version, problems when a
#     controller's module is detached, "--check" exits 2 until up repairs it;
#   - "up" refuses an interface it did not create (unless --force), and a
#     renamed Interface takes the old interface down; "down" refuses a
#     foreign interface too;
#   - a controller host name that does not resolve: everything else is
#     configured, one warning, exit 3; retried like wg when the failure is
#     temporary, until it resolves or WG_ENDPOINT_RESOLUTION_RETRIES runs out;
#   - "down" removes the hosts block (with a hint when the file is
#     read-only), never shows a module error on a peer, and a machine
#     missing from the file is told so.
#
# wgmesh-timeout: 600

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/lib/ktap.sh"
. "$here/lib/clan.sh"

clan_init
ktap_need su

ktap_print_header
ktap_set_plan 64

CLAN_GROUPS_ctrl1=infra
CLAN_GROUPS_ctrl2=infra
CLAN_GROUPS_peer1=lab
CLAN_GROUPS_peer3=lab
CLAN_GROUPS_peer2=office
POLICY=("" "[Policy]" "Default = deny" "Allow = lab <-> lab" "Allow = infra <-> office")

clan_underlay
clan_keys
clan_topology "${POLICY[@]}"
load_wgmesh || ktap_exit_fail_msg "loading wgmesh.ko"
for m in "${CLAN_MACHINES[@]}"; do
	clan_up "$m" || ktap_exit_fail_msg "wgmesh up on $m"
	clan_hosts "$m" || ktap_exit_fail_msg "wgmesh hosts --install on $m"
done
orig=$CLAN_DIR/orig.conf
cp "$CLAN_TOPO" "$orig"

# up_file NAME FILE [ARGS...]: wgmesh up FILE in NAME's namespace, captured
up_file()
{
	local m=$1 f=$2
	shift 2
	clan_capture ip netns exec "$(ns "$m")" wgmesh up "$f" --private-key-file "$CLAN_DIR/$m.key" "$@"
}
# is RC OUT_PATTERN...: the last clan_capture exited RC and its stdout has each
is()
{
	local want=$1
	shift
	[ "$rc" = "$want" ] && text_has "$out" "$@"
}
# err_is LINES PATTERN...: stderr has LINES lines, matching each PATTERN
err_is()
{
	local lines=$1
	shift
	[ "$(grep -c . <<< "$err")" = "$lines" ] && text_has "$err" "$@"
}

# ---- policy: check's warning, reach against the mesh ----
clan_capture wgmesh check "$CLAN_TOPO"
ktap_expect "check: valid (exit 0), warns about 'infra <-> office' (controllers only)" \
	is 0 "mesh wg-test-one is valid"
ktap_expect "check's warning names the file, line and why" err_is 1 \
	"^wgmesh: $CLAN_TOPO:[0-9]*: warning: Allow = infra <-> office has no effect: group infra has no peers, only controllers"

clan_handshakes
# agrees S D: "wgmesh reach FILE S D" says allowed (0) exactly when S
# reaches D by ping (denied: 2, and one ping gets no answer)
agrees()
{
	local said
	said=$(wgmesh reach "$CLAN_TOPO" "$1" "$2")
	case $? in
	0) echo "# $said"; clan_ping_retry "$1" "$2" ;;
	2) echo "# $said"; ! clan_ping "$1" "$2" ;;
	*) return 1 ;;
	esac
}
for pair in $(clan_pairs); do
	s=${pair%:*} d=${pair#*:}
	ktap_expect "reach $s $d agrees with the mesh" agrees "$s" "$d"
done

# ---- up -v, --dry-run: every change named, nothing changed by a dry run ----
mtu_of() { ip -n "$(ns "$1")" -o link show "$CLAN_IF" | grep -o 'mtu [0-9]*' | cut -d' ' -f2; }
up_file ctrl1 "$CLAN_TOPO" -v
ktap_expect "up -v with nothing to do: the summary alone" \
	[ "$rc $out" = "0 wg-test-one: ctrl1 (controller): peers +0 ~0 -0, addresses +0 -0, routes +0 -0, topology unchanged" ]
sed "s/^MTU = .*/MTU = 1300/" "$orig" > "$CLAN_DIR/mtu.conf"
up_file peer1 "$CLAN_DIR/mtu.conf" --dry-run
ktap_expect "up --dry-run names the MTU change and says it is a dry run" \
	is 0 '^  ~ mtu 1300 (was 1380)$' \
	'^dry run: wg-test-one: peer1 (peer): peers +0 ~0 -0, addresses +0 -0, routes +0 -0, mtu 1300$'
ktap_expect "up --dry-run changed nothing" [ "$(mtu_of peer1)" = 1380 ]
up_file peer1 "$CLAN_DIR/mtu.conf"
ktap_expect "up applies and reports the MTU change" \
	is 0 'routes +0 -0, mtu 1300$'
ktap_expect "the interface has the new MTU" [ "$(mtu_of peer1)" = 1300 ]
up_file peer1 "$orig" -v
ktap_expect "and back: up -v names it" is 0 '^  ~ mtu 1380 (was 1300)$' ', mtu 1380$'
awk '/^\[Controller ctrl2\]/ { print; print "Port = 51821"; next } { print }' "$orig" > "$CLAN_DIR/port.conf"
up_file ctrl2 "$CLAN_DIR/port.conf" -n
ktap_expect "dry run on a controller: listen port change, topology unchanged" \
	is 0 '^  ~ listen port 51821 (was 51820)$' 'listen port 51821, topology unchanged$'
up_file ctrl2 "$CLAN_DIR/port.conf"
ktap_expect "up reports the listen port change it applied" \
	is 0 'routes +0 -0, listen port 51821, topology unchanged$'
ktap_expect "WireGuard listens on the new port" \
	[ "$(ip netns exec clan-ctrl2 wg show "$CLAN_IF" listen-port)" = 51821 ]
up_file ctrl2 "$orig"
ktap_expect "and back to 51820" is 0 'listen port 51820, topology unchanged$'
cp "$CLAN_DIR/peer1.key" "$CLAN_DIR/nobody.key"
chown nobody "$CLAN_DIR/nobody.key"
chmod 755 "$CLAN_DIR"
clan_capture ip netns exec clan-peer1 su -s /bin/bash nobody -c \
	"/wgmesh/tools/wgmesh up $CLAN_TOPO --private-key-file $CLAN_DIR/nobody.key --dry-run"
ktap_expect "dry run without root on an existing interface: says what it needs" \
	eval '[ $rc = 1 ] && err_is 1 "^wgmesh: wg-test-one: reading its WireGuard state needs root or CAP_NET_ADMIN$"'

# ---- status: one JSON shape, problems, --check ----
clan_capture ip netns exec clan-ctrl1 wgmesh status --file "$CLAN_TOPO" --json
json=$(tr -d '\n' <<< "$out")
ktap_expect "status --json: one object with a version, interfaces, no problem" \
	text_has "$json" '^{"version": 1, "interfaces": \[{"interface": "wg-test-one", "mesh": "wg-test-one", "name": "ctrl1", "role": "controller"' \
	'"module": {"loaded": true, "attached": true, "topology": true, "generation": [0-9]*' \
	'"problems": \[\], *"members": \[' '}\]}$'
clan_capture ip netns exec clan-ctrl1 wgmesh status --check
ktap_expect "status --check on a healthy controller: ok, exit 0" is 0 '^wg-test-one: ok$'
run ip netns exec clan-ctrl1 wgmesh-ctl detach "$CLAN_IF"
clan_capture ip netns exec clan-ctrl1 wgmesh status --check
ktap_expect "module detached: status --check exits 2 and says what is wrong" \
	is 2 '^wg-test-one: a controller without wgmesh.ko attached'
clan_capture ip netns exec clan-ctrl1 wgmesh status --json
ktap_expect "... and the JSON lists it as module_not_attached" \
	is 0 '"problems": \[{"code": "module_not_attached", "message": "a controller without wgmesh.ko attached' \
	'"module": {"loaded": true, "attached": false, "topology": false, "generation": null, "stats": null}'
clan_capture ip netns exec clan-ctrl1 wgmesh status
ktap_expect "... and the table shows the problem" is 0 '^problem: a controller without wgmesh.ko attached'
clan_up ctrl1 | grep -q 'topology pushed$'
clan_capture ip netns exec clan-ctrl1 wgmesh status --check
ktap_expect "up attached it again: status --check ok" is 0 '^wg-test-one: ok$'
clan_capture ip netns exec clan-peer2 wgmesh status --json
ktap_expect "status --json without FILE: members unnamed (null), full public keys" \
	is 0 "{\"name\": null, \"role\": \"controller\", \"address\": \"[0-9a-f:]*::1\", \"ipv4\": null, \"public_key\": \"${CLAN_PUB[ctrl1]}\""

# ---- ownership: foreign interfaces, a renamed Interface ----
run ip netns add clan-x
mkdir -p /etc/netns/clan-x
cp /etc/netns/clan-ctrl1/hosts /etc/netns/clan-x/hosts
run ip -n clan-x link add "$CLAN_IF" type wireguard
run ip -n clan-x addr add 10.9.9.9/24 dev "$CLAN_IF"
run ip netns exec clan-x wg set "$CLAN_IF" peer "${CLAN_PUB[peer1]}" allowed-ips 10.9.9.0/24
clan_capture ip netns exec clan-x wgmesh up "$CLAN_TOPO" --private-key-file "$CLAN_DIR/peer3.key"
# untouched: the foreign interface kept its peer and address
untouched()
{
	ip netns exec clan-x wg show "$CLAN_IF" peers | grep -qxF "${CLAN_PUB[peer1]}" &&
		ip -n clan-x addr show dev "$CLAN_IF" | grep -q 10.9.9.9
}
ktap_expect "up refuses an interface wgmesh did not create, one line naming it" \
	eval '[ $rc = 1 ] && err_is 1 "^wgmesh: wg-test-one: exists and was not created by wgmesh (no alias .wgmesh:wg-test-one.; wg-quick.s?)"'
ktap_expect "... and leaves it untouched" untouched
clan_capture ip netns exec clan-x wgmesh up "$CLAN_TOPO" --private-key-file "$CLAN_DIR/peer3.key" --force
ktap_expect "up --force takes it over and marks it" \
	eval '[ $rc = 0 ] && text_has "$out" "^wg-test-one: taken over (--force), now marked .wgmesh:wg-test-one.$" && ip -n clan-x link show "$CLAN_IF" | grep -q "alias wgmesh:wg-test-one"'
run ip -n clan-x link add wgq type wireguard
clan_capture ip netns exec clan-x wgmesh down wgq
ktap_expect "down refuses a WireGuard interface wgmesh did not create" \
	eval '[ $rc = 1 ] && err_is 1 "^wgmesh: wgq: not created by wgmesh" && ip -n clan-x link show wgq > /dev/null'
clan_capture ip netns exec clan-x wgmesh down wgq --force
ktap_expect "down --force removes it" eval '[ $rc = 0 ] && ! ip -n clan-x link show wgq > /dev/null 2>&1'
run ip netns del clan-x

sed "s/^Name = .*/&\nInterface = wg-renamed/" "$orig" > "$CLAN_DIR/renamed.conf"
up_file peer1 "$CLAN_DIR/renamed.conf"
# renamed: the old interface is gone, the new one has the addresses and
# routes, and the mesh still works through it
renamed()
{
	! ip -n clan-peer1 link show "$CLAN_IF" > /dev/null 2>&1 &&
	[ "$(ip -n clan-peer1 -6 addr show dev wg-renamed scope global | grep -c inet6)" = 2 ] &&
	[ "$(ip -n clan-peer1 -6 route show dev wg-renamed proto 87 | wc -l)" = 2 ] &&
	clan_ping_retry peer1 ctrl1
}
ktap_expect "renamed Interface: up says it removed the old interface" \
	is 0 '^wg-test-one: removed (the previous interface of mesh wg-test-one)$' \
	'^wg-renamed: peer1 (peer) created:'
ktap_expect "... which is gone; the new one carries the mesh" renamed
up_file peer1 "$orig"
ktap_expect "and back: wg-renamed removed, wg-test-one created" \
	is 0 '^wg-renamed: removed (the previous interface' '^wg-test-one: peer1 (peer) created:'

# ---- a controller name that does not resolve ----
sed 's/^Endpoint = \[fd77:2::2\]:51820$/Endpoint = ctrl2.underlay:51820/' "$orig" > "$CLAN_DIR/bad.conf"
run ip netns exec clan-peer2 wgmesh down "$CLAN_TOPO" > /dev/null
up_file peer2 "$CLAN_DIR/bad.conf"
ktap_expect "unresolvable controller name on a first up: exit 3, partly applied" \
	is 3 '^wg-test-one: peer2 (peer) created: peers +2 ~0 -0, addresses +2 -0, routes +2 -0, .*, endpoint unresolved: ctrl2$'
ktap_expect "one warning line naming the controller and the name" \
	err_is 1 '^wgmesh: warning: controller ctrl2: cannot resolve ctrl2.underlay (.*): endpoint left unset$'
# configured: all but ctrl2's endpoint is there, and ctrl1 is reachable
configured()
{
	local eps
	eps=$(ip netns exec clan-peer2 wg show "$CLAN_IF" endpoints)
	echo "$eps" | sed 's/^/#   /'
	text_has "$eps" "^${CLAN_PUB[ctrl1]}	\[fd77:1::2\]:51820$" "^${CLAN_PUB[ctrl2]}	(none)$" &&
	[ "$(ip -n clan-peer2 -6 addr show dev "$CLAN_IF" scope global | grep -c inet6)" = 2 ] &&
	[ "$(ip -n clan-peer2 -6 route show dev "$CLAN_IF" proto 87 | wc -l)" = 2 ] &&
	clan_hosts peer2 > /dev/null && clan_ping_retry peer2 ctrl1
}
ktap_expect "everything else configured: ctrl1's endpoint set, ctrl1 reachable" configured
clan_capture ip netns exec clan-peer2 wgmesh status --check --file "$CLAN_TOPO"
ktap_expect "status --check: exit 2, ctrl2 has no endpoint" \
	is 2 '^wg-test-one: controller ctrl2 has no endpoint'
up_file ctrl1 "$CLAN_DIR/bad.conf"
ktap_expect "on the other controller: exit 3, the known endpoint stays" \
	eval '[ $rc = 3 ] && err_is 1 "^wgmesh: warning: controller ctrl2: cannot resolve ctrl2.underlay (.*): endpoint stays \[fd77:2::2\]:51820$" && text_has "$out" "topology unchanged, endpoint unresolved: ctrl2$"'
ktap_expect "... and it still reaches ctrl2 and forwards peer1 -> peer3" \
	eval 'clan_ping_retry ctrl1 ctrl2 && clan_ping_retry peer1 peer3'

# A temporary failure (no DNS server answers: nsswitch tries dns after
# files) is retried; the name resolving later ends it with exit 0.
[ -e /etc/resolv.conf ] || : > /etc/resolv.conf
echo "hosts: files dns" > /etc/netns/clan-peer2/nsswitch.conf
echo "nameserver 127.0.0.1" > /etc/netns/clan-peer2/resolv.conf
run ip netns exec clan-peer2 wgmesh down "$CLAN_IF" > /dev/null
ip netns exec clan-peer2 env WG_ENDPOINT_RESOLUTION_RETRIES=8 wgmesh up "$CLAN_DIR/bad.conf" \
	--private-key-file "$CLAN_DIR/peer2.key" > "$CLAN_DIR/retry.out" 2> "$CLAN_DIR/retry.err" &
pid=$!
for _ in $(seq 200); do
	grep -q 'cannot resolve' "$CLAN_DIR/retry.err" && break
	sleep 0.1
done
echo "fd77:2::2 ctrl2.underlay" >> /etc/netns/clan-peer2/hosts
wait $pid
rc=$?
sed 's/^/#   /' "$CLAN_DIR/retry.out" "$CLAN_DIR/retry.err"
ktap_expect "a temporary failure is retried (warning says so)" \
	text_has "$(cat "$CLAN_DIR/retry.err")" \
	'^wgmesh: warning: controller ctrl2: cannot resolve ctrl2.underlay (Temporary failure in name resolution): endpoint left unset; retrying (WG_ENDPOINT_RESOLUTION_RETRIES=8)$'
ktap_expect "once it resolves, the endpoint is set and up exits 0" \
	eval '[ $rc = 0 ] && text_has "$(cat "$CLAN_DIR/retry.out")" "^wg-test-one: controller ctrl2: ctrl2.underlay resolved to \[fd77:2::2\]:51820 (retry [0-9]*)$" && ip netns exec clan-peer2 wg show "$CLAN_IF" endpoints | grep -qF "${CLAN_PUB[ctrl2]}	[fd77:2::2]:51820"'
sed -i '/ctrl2.underlay/d' /etc/netns/clan-peer2/hosts
run ip netns exec clan-peer2 wgmesh down "$CLAN_IF" > /dev/null
start=$(date +%s)
clan_capture ip netns exec clan-peer2 env WG_ENDPOINT_RESOLUTION_RETRIES=1 wgmesh up \
	"$CLAN_DIR/bad.conf" --private-key-file "$CLAN_DIR/peer2.key"
took=$(($(date +%s) - start))
ktap_expect "retries run out (WG_ENDPOINT_RESOLUTION_RETRIES=1): exit 3 after the wait (${took}s)" \
	eval '[ $rc = 3 ] && [ $took -ge 1 ] && text_has "$out" "endpoint unresolved: ctrl2$"'
clan_capture ip netns exec clan-peer2 env WG_ENDPOINT_RESOLUTION_RETRIES=never wgmesh up "$CLAN_DIR/bad.conf"
ktap_expect "a bad WG_ENDPOINT_RESOLUTION_RETRIES: exit 1, one line" \
	eval '[ $rc = 1 ] && err_is 1 "WG_ENDPOINT_RESOLUTION_RETRIES=.never."'
rm -f /etc/netns/clan-peer2/nsswitch.conf /etc/netns/clan-peer2/resolv.conf
run ip netns exec clan-peer2 wgmesh down "$CLAN_IF" > /dev/null
clan_up peer2 > /dev/null && clan_hosts peer2 > /dev/null
clan_up ctrl1 > /dev/null

# ---- messages, down and the hosts block ----
CLAN_SKIP_PEER=peer3 clan_topology "${POLICY[@]}"
cp "$CLAN_TOPO" "$CLAN_DIR/nopeer3.conf"
cp "$orig" "$CLAN_TOPO"
up_file peer3 "$CLAN_DIR/nopeer3.conf"
ktap_expect "a machine not in the file is told exactly that" \
	eval '[ $rc = 1 ] && err_is 1 "^wgmesh: this machine is not in $CLAN_DIR/nopeer3.conf: no machine there has the public key ${CLAN_PUB[peer3]//+/.} of $CLAN_DIR/peer3.key"'
clan_capture ip netns exec clan-peer3 wgmesh down "$CLAN_TOPO"
hosts3=/etc/netns/clan-peer3/hosts
ktap_expect "down on a peer (module loaded on this host): no module error, exit 0" \
	eval '[ $rc = 0 ] && [ -z "$err" ] && text_has "$out" "^wg-test-one: removed$"'
ktap_expect "down removed the hosts block, kept the other lines" \
	eval '! grep -q wgmesh $hosts3 && grep -qx "fd77:1::2 ctrl1.underlay" $hosts3 && text_has "$out" "^/etc/hosts: wgmesh wg-test-one block removed$"'
clan_capture ip netns exec clan-ctrl2 wgmesh down "$CLAN_IF"
ktap_expect "down IFACE finds the mesh from the interface's mark for its hosts block" \
	eval '[ $rc = 0 ] && ! grep -q wgmesh /etc/netns/clan-ctrl2/hosts'

# A read-only hosts file: install fails with the hint, down says it stays.
# (busybox's env would run its own ip: env goes after ip netns exec)
mkdir -p /tmp/ro
run mount -t tmpfs tmpfs /tmp/ro
cp /etc/netns/clan-peer1/hosts /tmp/ro/hosts
sed '/^# BEGIN wgmesh/,/^# END wgmesh/d' /tmp/ro/hosts > /tmp/ro/plain
run mount -o remount,ro /tmp/ro
clan_capture env WGMESH_HOSTS=/tmp/ro/plain wgmesh hosts --install "$orig"
ktap_expect "hosts --install on a read-only file: exit 1, one line with the NixOS hint" \
	eval '[ $rc = 1 ] && err_is 1 "^wgmesh: /tmp/ro/plain: Read-only file system (read-only: on NixOS put the lines of .wgmesh hosts FILE. in networking.extraHosts instead)$"'
clan_capture ip netns exec clan-peer1 env WGMESH_HOSTS=/tmp/ro/hosts wgmesh down "$orig"
ktap_expect "down with a read-only hosts file: interface removed, warning, exit 3" \
	eval '[ $rc = 3 ] && text_has "$out" "^wg-test-one: removed$" && err_is 1 "^wgmesh: warning: .*Read-only file system (read-only: on NixOS.*: its wgmesh wg-test-one block stays$"'
run umount /tmp/ro

ktap_finished
