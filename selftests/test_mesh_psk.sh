#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Preshared keys (issue 17) on the clan-core scenario of selftests/lib/clan.sh,
# every machine configured only by "wgmesh up" with one topology file whose
# [Mesh] PresharedKeyFile is /etc/wgmesh/wg-test-one.psk. Each machine has
# its own copy of that file: "ip netns exec" mounts /etc/netns/clan-NAME/wgmesh
# over /etc/wgmesh, as a real machine has its own /etc.
#   - same secret: both ends of every pair hold the same key in WireGuard,
#     not none, one key per pair, and the one README's construction gives
#     (computed in the shell by lib/psk.sh, checked against README's vector);
#     handshakes complete and pings are answered;
#   - peer3 with another secret: no handshake with either controller, its
#     pings are lost, while the others still reach each other;
#   - a new secret on every machine and "up": every pair re-keyed (up says
#     "preshared keys +0 ~N -0"), peer3 joins, fresh handshakes work;
#   - PresharedKeyFile removed and "up": every key gone ("(none)"), up says
#     "-N", fresh handshakes work without;
#   - conf --embed-private-key writes the very keys up set; nothing else
#     prints a secret or a derived key: every output of genpsk, up (-v
#     included), status, status --json, check and conf without the flag is
#     searched for each secret and key, base64 and hex.
#
# wgmesh-timeout: 600

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/lib/ktap.sh"
. "$here/lib/clan.sh"
. "$here/lib/psk.sh"

clan_init
ktap_need base64 od sha256sum

ktap_print_header
ktap_set_plan 52

PSK_FILE=/etc/wgmesh/wg-test-one.psk
OUTS=$CLAN_DIR/outputs	# every output searched for secrets at the end
CLAN_CAPTURE_LOG=$OUTS	# clan_capture appends every output to it
KEYS=$CLAN_DIR/keys	# every secret and derived key seen, base64


# up NAME [ARGS...]: NAME's "wgmesh up", captured
up()
{
	local m=$1
	shift
	clan_capture ip netns exec "$(ns "$m")" wgmesh up "$CLAN_TOPO" \
		--private-key-file "$CLAN_DIR/$m.key" "$@"
}

# secret_to NAME FILE: FILE becomes NAME's /etc/wgmesh/wg-test-one.psk
secret_to()
{
	local d
	d=/etc/netns/$(ns "$1")/wgmesh
	mkdir -p "$d" && run cp "$2" "$d/wg-test-one.psk" && chmod 600 "$d/wg-test-one.psk"
}

# new_secret FILE: a new mesh secret in FILE, remembered in $KEYS
new_secret()
{
	rm -f "$1"
	clan_capture wgmesh genpsk "$1"
	[ "$rc" = 0 ] || ktap_exit_fail_msg "wgmesh genpsk $1"
	cat "$1" >> "$KEYS"
}

# psk_of NAME OTHER: the preshared key NAME's WireGuard holds for OTHER
psk_of()
{
	ip netns exec "$(ns "$1")" wg show "$CLAN_IF" preshared-keys |
		awk -v k="${CLAN_PUB[$2]}" '$1 == k { print $2 }'
}

# handshake_of NAME OTHER: NAME's latest handshake with OTHER (epoch s)
handshake_of()
{
	ip netns exec "$(ns "$1")" wg show "$CLAN_IF" latest-handshakes |
		awk -v k="${CLAN_PUB[$2]}" '$1 == k { print $2 }'
}

# n_peers NAME: how many WireGuard peers NAME has
n_peers()
{
	ip netns exec "$(ns "$1")" wg show "$CLAN_IF" peers | grep -c .
}

# PAIRS: every pair of the mesh once (controllers pair with every machine,
# peers only with controllers), as A:B words
PAIRS=(ctrl1:ctrl2)
for c in "${CLAN_CTRLS[@]}"; do
	for p in "${CLAN_PEERS[@]}"; do
		PAIRS+=("$c:$p")
	done
done

# pair_keys SECRET PAIR...: both ends of each PAIR hold the same key, the
# one the shell derives from SECRET (base64); each pair's key differs from
# every other's. Keys seen go to $KEYS, mismatches are shown.
declare -A SEEN
pair_keys()
{
	local secret=$1 pair a b ka kb want ok=0
	shift
	SEEN=()
	for pair in "$@"; do
		a=${pair%:*} b=${pair#*:}
		ka=$(psk_of "$a" "$b") kb=$(psk_of "$b" "$a")
		want=$(psk_derive_sh "$secret" "$CLAN_MESH" "${CLAN_PUB[$a]}" "${CLAN_PUB[$b]}")
		echo "$ka" >> "$KEYS"
		echo "$want" >> "$KEYS"
		if [ "$ka" != "$kb" ] || [ "$ka" != "$want" ] || [ -n "${SEEN[$ka]:-}" ] ||
		   [ ${#ka} != 44 ] || [ "$ka" = "(none)" ] ||
		   [ "$ka" = AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA= ]; then
			ktap_print_msg "$a-$b: $a holds '$ka', $b holds '$kb', README's construction gives '$want'${SEEN[$ka]:+, and ${SEEN[$ka]} has that key too}"
			ok=1
		fi
		SEEN[$ka]=$a-$b
	done
	return $ok
}

# no_keys: no WireGuard peer of any machine has a preshared key
no_keys()
{
	local m ks ok=0
	for m in "${CLAN_MACHINES[@]}"; do
		ks=$(ip netns exec "$(ns "$m")" wg show "$CLAN_IF" preshared-keys | cut -f2 | sort -u)
		if [ "$ks" != "(none)" ]; then
			ktap_print_msg "$m still has preshared keys"
			ok=1
		fi
	done
	return $ok
}

# fresh_handshake NAME CTRL: NAME's interface made anew (down, up) completes
# a new handshake with CTRL, which answers its pings
fresh_handshake()
{
	local t0 hs
	t0=$(date +%s)
	clan_capture ip netns exec "$(ns "$1")" wgmesh down "$CLAN_TOPO"
	[ "$rc" = 0 ] || return 1
	up "$1"
	[ "$rc" = 0 ] && clan_hosts "$1" > /dev/null || return 1
	clan_ping_retry "$1" "$2" || return 1
	hs=$(handshake_of "$2" "$1")
	echo "# $2's latest handshake with $1: $hs (down/up at $t0)"
	[ -n "$hs" ] && [ "$hs" -ge "$t0" ]
}

# rekeyed NAME: the last up on NAME changed the key of each of its peers
rekeyed()
{
	local n
	n=$(n_peers "$1")
	[ "$rc" = 0 ] && text_has "$out" ", preshared keys +0 ~$n -0\(,\|$\)"
}

# ---- the mesh with one secret, but peer3 holds another ----
: > "$OUTS"
: > "$KEYS"
ktap_expect "the shell's HKDF gives README's vector" psk_vector_ok
clan_underlay
clan_keys
mkdir -p /etc/wgmesh
new_secret "$CLAN_DIR/one.psk"
new_secret "$CLAN_DIR/other.psk"
one=$(cat "$CLAN_DIR/one.psk")
other=$(cat "$CLAN_DIR/other.psk")
ktap_expect "genpsk printed nothing, and the two secrets differ" \
	eval '[ "$one" != "$other" ] && ! grep -q . "$OUTS"'
for m in ctrl1 ctrl2 peer1 peer2; do
	secret_to "$m" "$CLAN_DIR/one.psk"
done
secret_to peer3 "$CLAN_DIR/other.psk"
CLAN_PSK=$PSK_FILE
clan_topology
load_wgmesh || ktap_exit_fail_msg "loading wgmesh.ko"
for m in "${CLAN_MACHINES[@]}"; do
	up "$m"
	[ "$rc" = 0 ] || ktap_exit_fail_msg "wgmesh up on $m"
	clan_hosts "$m" > /dev/null || ktap_exit_fail_msg "wgmesh hosts --install on $m"
done

# ---- (a) the same secret: the same key at both ends, README's ----
SAME=()
for pair in "${PAIRS[@]}"; do
	[[ $pair == *peer3 ]] || SAME+=("$pair")
done
ktap_expect "same secret: both ends of each of ${#SAME[@]} pairs hold README's key, one per pair" \
	pair_keys "$one" "${SAME[@]}"
ktap_expect "a controller has a key for each of its 4 peers" \
	eval '[ "$(ip netns exec clan-ctrl1 wg show "$CLAN_IF" preshared-keys | cut -f2 | grep -vc "^(none)$")" = 4 ]'
for pair in peer1:ctrl1 peer1:ctrl2 peer2:ctrl2 ctrl1:ctrl2; do
	a=${pair%:*} b=${pair#*:}
	ktap_expect "same secret: $a reaches $b over the mesh" clan_ping_retry "$a" "$b"
	ktap_expect "... after a handshake at both ends" \
		eval '[ "$(handshake_of $a $b)" -gt 0 ] && [ "$(handshake_of $b $a)" -gt 0 ]'
done
check_ping "same secret: peer1 reaches peer2 through the controllers" peer1 "peer2.$CLAN_MESH" -6 -c 3 -i 0.2 -w 10

# ---- (b) peer3's other secret: no handshake, the others unaffected ----
# other_keys: peer3's keys are the other secret's, its controllers' the one
other_keys()
{
	local c ok=0 want
	for c in ctrl1 ctrl2; do
		want=$(psk_derive_sh "$other" "$CLAN_MESH" "${CLAN_PUB[$c]}" "${CLAN_PUB[peer3]}")
		echo "$want" >> "$KEYS"
		[ "$(psk_of peer3 "$c")" = "$want" ] || ok=1
		[ "$(psk_of "$c" peer3)" != "$want" ] || ok=1
	done
	return $ok
}
ktap_expect "other secret: peer3 holds its keys, which its controllers do not" other_keys
check_ping_lost "other secret: peer3's pings to ctrl1 are lost" peer3 "ctrl1.$CLAN_MESH" -6 -c 4 -i 1 -W 1
check_ping_lost "other secret: peer3's pings to ctrl2 are lost" peer3 "ctrl2.$CLAN_MESH" -6 -c 2 -i 1 -W 1
ktap_expect "other secret: no handshake completed at either end of peer3's pairs" \
	eval '[ "$(handshake_of peer3 ctrl1)$(handshake_of ctrl1 peer3)$(handshake_of peer3 ctrl2)$(handshake_of ctrl2 peer3)" = 0000 ]'
ktap_expect "... while peer1 still reaches ctrl1 and peer2" \
	eval 'clan_ping_retry peer1 ctrl1 && clan_ping_retry peer1 peer2'

# ---- status, check and conf while the mesh has a secret ----
clan_capture ip netns exec clan-ctrl1 wgmesh status --file "$CLAN_TOPO"
ktap_expect "status on a controller: exit 0, its members listed" \
	eval '[ $rc = 0 ] && text_has "$out" peer1 peer3'
clan_capture ip netns exec clan-peer3 wgmesh status --json --file "$CLAN_TOPO"
ktap_expect "status --json on peer3: exit 0, one object" \
	eval '[ $rc = 0 ] && text_has "$out" "^{\"version\": 1"'
clan_capture wgmesh check "$CLAN_TOPO"
ktap_expect "check: the topology with PresharedKeyFile is valid" \
	eval '[ $rc = 0 ] && text_has "$out" "mesh wg-test-one is valid"'
clan_capture ip netns exec clan-peer1 wgmesh conf "$CLAN_TOPO" peer1 \
	--private-key-file "$CLAN_DIR/peer1.key"
ktap_expect "conf without --embed-private-key: refused, nothing on stdout" \
	eval '[ $rc = 1 ] && [ -z "$out" ] && text_has "$err" "has preshared keys (PresharedKeyFile)"'
# conf_keys FILE: "PUBLIC PRESHARED" of each [Peer] of wg-quick config FILE
conf_keys()
{
	awk -F' = ' '/^\[/ { pub = "" } $1 == "PublicKey" { pub = $2 }
		$1 == "PresharedKey" { print pub "\t" $2 }' "$1" | sort
}
# conf_is_up NAME: conf --embed-private-key (in NAME's namespace: NAME's
# own secret) gives each peer the key up set, and every peer has one
conf_is_up()
{
	local f=$CLAN_DIR/$1.conf
	run ip netns exec "$(ns "$1")" wgmesh conf "$CLAN_TOPO" "$1" \
		--private-key-file "$CLAN_DIR/$1.key" --embed-private-key > "$f" || return 1
	[ "$(grep -c '^\[Peer\]' "$f")" = "$(n_peers "$1")" ] &&
	[ "$(grep -c '^PresharedKey = ' "$f")" = "$(n_peers "$1")" ] &&
	diff <(conf_keys "$f") <(ip netns exec "$(ns "$1")" wg show "$CLAN_IF" preshared-keys | sort) > /dev/null
}
for m in "${CLAN_MACHINES[@]}"; do
	ktap_expect "$m: conf --embed-private-key writes the keys up set" conf_is_up "$m"
done

# ---- (c) a new secret on every machine: every pair re-keyed ----
declare -A OLD
for pair in "${PAIRS[@]}"; do
	OLD[$pair]=$(psk_of "${pair%:*}" "${pair#*:}")
done
new_secret "$CLAN_DIR/new.psk"
new=$(cat "$CLAN_DIR/new.psk")
for m in "${CLAN_MACHINES[@]}"; do
	secret_to "$m" "$CLAN_DIR/new.psk"
done
for m in "${CLAN_MACHINES[@]}"; do
	if [ "$m" = ctrl1 ]; then
		up "$m" -v
		vout=$out
	else
		up "$m"
	fi
	ktap_expect "new secret: up on $m re-keys its $(n_peers "$m") peers and says so" rekeyed "$m"
done
ktap_expect "up -v names each re-keyed peer, never the key" \
	eval '[ "$(grep -c "^  ~ peer [a-z0-9]* (\(controller\|peer\)): preshared key changed$" <<< "$vout")" = 4 ]'
ktap_expect "new secret: both ends of all ${#PAIRS[@]} pairs hold README's key, one per pair" \
	pair_keys "$new" "${PAIRS[@]}"
# all_changed: no pair kept its key
all_changed()
{
	local pair
	for pair in "${PAIRS[@]}"; do
		[ "$(psk_of "${pair%:*}" "${pair#*:}")" != "${OLD[$pair]}" ] || return 1
	done
}
ktap_expect "every pair's key changed" all_changed
for c in ctrl1 ctrl2; do
	ktap_expect "new secret: peer3 now reaches $c, a handshake at both ends" \
		eval 'clan_ping_retry peer3 $c && [ "$(handshake_of peer3 $c)" -gt 0 ] && [ "$(handshake_of $c peer3)" -gt 0 ]'
done
ktap_expect "new secret: a fresh peer1 handshakes with ctrl1" fresh_handshake peer1 ctrl1
ktap_expect "new secret: a fresh peer2 handshakes with ctrl2" fresh_handshake peer2 ctrl2
up ctrl1
ktap_expect "up again: nothing to re-key" \
	eval '[ $rc = 0 ] && text_has "$out" "peers +0 ~0 -0" && ! text_has "$out" "preshared"'
clan_capture ip netns exec clan-peer3 wgmesh status --json
clan_capture ip netns exec clan-ctrl2 wgmesh status --check --file "$CLAN_TOPO"

# ---- (d) PresharedKeyFile removed: every key cleared ----
CLAN_PSK=
clan_topology
for m in "${CLAN_MACHINES[@]}"; do
	up "$m"
	n=$(n_peers "$m")
	ktap_expect "no PresharedKeyFile: up on $m removes the keys of its $n peers and says so" \
		eval '[ $rc = 0 ] && text_has "$out" ", preshared keys +0 ~0 -$n\(,\|$\)"'
done
ktap_expect "no PresharedKeyFile: wg show has (none) for every peer of every machine" no_keys
ktap_expect "no PresharedKeyFile: a fresh peer1 handshakes with ctrl1" fresh_handshake peer1 ctrl1
ktap_expect "no PresharedKeyFile: a fresh peer3 handshakes with ctrl2" fresh_handshake peer3 ctrl2
clan_capture ip netns exec clan-peer1 wgmesh conf "$CLAN_TOPO" peer1 \
	--private-key-file "$CLAN_DIR/peer1.key"
ktap_expect "no PresharedKeyFile: conf without the flag works, no PresharedKey" \
	eval '[ $rc = 0 ] && text_has "$out" "^\[Peer\]" && ! text_has "$out" PresharedKey'

# ---- (e) no secret, no derived key in any output ----
# leaks: each secret and key of $KEYS, base64 and hex, searched in $OUTS
leaks()
{
	local k pat=$CLAN_DIR/patterns n
	: > "$pat"
	for k in $(grep -v '^(none)$' "$KEYS" | sort -u); do
		echo "$k" >> "$pat"
		base64 -d <<< "$k" | psk_hex >> "$pat"
		echo >> "$pat"
	done
	n=$(grep -c . "$pat")
	echo "# searching $(grep -c . "$OUTS") lines of output for $n secrets and keys (base64 and hex)"
	[ "$n" -ge 20 ] || return 1
	! grep -n -F -f "$pat" "$OUTS"
}
ktap_expect "the outputs searched hold up's summaries, -v's lines and status's JSON" \
	grep -q -e 'preshared keys +0 ~4 -0' -e 'preshared key changed' -e '"version": 1' "$OUTS"
ktap_expect "no secret nor derived key in any output of genpsk, up, status, check, conf" leaks

check_dmesg_clean
ktap_finished
