#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# wgmesh conf output accepted by the real wg (VM): for every machine of a
# two-controller mesh, the config stripped of wg-quick's own keys goes
# into a real WireGuard device with "wg setconf", and "wg showconf" must
# give back exactly the same interface and peers (AllowedIPs, endpoints,
# keepalive, listen port, private key). The Address lines must apply with
# ip(8), and the PostUp line, run as wg-quick would, must set the key.
# With a mesh secret ([Mesh] PresharedKeyFile), conf refuses to write a
# configuration without --embed-private-key, and with it gives each [Peer]
# the PresharedKey README's construction gives (computed apart from wgmesh
# by lib/psk.sh), which wg setconf takes as it is.

. "$(dirname "$0")/lib/ktap.sh"
. "$(dirname "$0")/lib/psk.sh"

tmp=$(mktemp -d)
trap 'ip link del wgmconf 2>/dev/null; rm -rf "$tmp"' EXIT

ktap_print_header
ktap_set_plan 24

if ! command -v wgmesh > /dev/null; then
	ktap_test_fail "wgmesh is built (run 'make -C tools')"
	ktap_finished
fi
ktap_test_result "modprobe wireguard" modprobe wireguard

for m in ctrl1 ctrl2 peer1 peer2; do
	wgmesh genkey "$tmp/$m.key" || ktap_test_fail "genkey $m"
	eval "pub_$m=\$(wgmesh pubkey < \"\$tmp/$m.key\")"
done
cat > "$tmp/mesh.conf" <<EOT
[Mesh]
Name = wg-test-one
MTU = 1400
IPv4 = 10.128.0.0/16
[Controller ctrl1]
Endpoint = 192.0.2.1
PublicKey = $pub_ctrl1
[Controller ctrl2]
Endpoint = [2001:db8::2]:4000
PublicKey = $pub_ctrl2
Port = 51821
Subnets = 192.168.50.0/24
[Peer peer1]
PublicKey = $pub_peer1
Controller = ctrl1
Subnets = 172.27.88.0/24, fdc1:d89e:b128:13a6::/64
[Peer peer2]
PublicKey = $pub_peer2
Controller = ctrl2
EOT
run cat "$tmp/mesh.conf" | sed 's/^/# /'

# strip: what wg-quick strip removes (its own keys, comments).
strip_conf()
{
	grep -v -E '^[[:space:]]*(#|$)' "$1" |
		grep -v -i -E '^(Address|DNS|MTU|Table|PreUp|PostUp|PreDown|PostDown|SaveConfig)[[:space:]]*='
}

# canon FILE [drop-listen-port]: one sorted line per setting, AllowedIPs
# split, peers keyed by public key, so order does not matter.
canon()
{
	awk -v droplp="$2" -F' = ' '
		BEGIN { n = 0 }
		/^\[Interface\]/ { sec = "IF"; next }
		/^\[Peer\]/ { sec = "PEER"; n++; next }
		/^[[:space:]]*(#|$)/ { next }
		{
			if (sec == "IF" && $1 == "ListenPort" && droplp) next
			if (sec == "PEER" && $1 == "PublicKey") key[n] = $2
			line[n, ++cnt[n]] = $1 " = " $2
		}
		END {
			for (i = 0; i <= n; i++)
				for (j = 1; j <= cnt[i]; j++) {
					split(line[i, j], kv, " = ")
					if (kv[1] == "AllowedIPs") {
						c = split(kv[2], ips, ", ")
						for (k = 1; k <= c; k++)
							print (i ? key[i] : "IF") " AllowedIPs = " ips[k]
					} else {
						print (i ? key[i] : "IF") " " line[i, j]
					}
				}
		}' "$1" | sort
}

# setconf FILE: a new device wgmconf configured from FILE by wg setconf
setconf()
{
	run ip link add wgmconf type wireguard && run wg setconf wgmconf "$1"
}

# same_conf WANT GOT: the canonical configurations are equal (a diff
# shows how they are not), the interface part included
same_conf()
{
	grep -q '^IF PrivateKey = ' "$1" && grep -q ' AllowedIPs = ' "$1" &&
		diff -u "$1" "$2" >&2
}

for m in ctrl1 ctrl2 peer1 peer2; do
	ip link del wgmconf 2>/dev/null
	run wgmesh conf "$tmp/mesh.conf" $m --private-key-file "$tmp/$m.key" \
		--embed-private-key > "$tmp/$m.conf" || { ktap_test_fail "conf $m"; continue; }
	strip_conf "$tmp/$m.conf" > "$tmp/$m.stripped"
	ktap_expect "$m: wg setconf accepts the stripped conf" \
		setconf "$tmp/$m.stripped" || continue
	run wg showconf wgmconf > "$tmp/$m.shown"
	# Peers have no fixed port: the kernel picks one, ignore it there.
	droplp=
	grep -q '^ListenPort' "$tmp/$m.stripped" || droplp=1
	canon "$tmp/$m.stripped" $droplp > "$tmp/$m.want"
	canon "$tmp/$m.shown" $droplp > "$tmp/$m.got"
	grep -v PrivateKey "$tmp/$m.want" | sed 's/^/# want: /'
	# The interface part must be compared too, not only the peers.
	ktap_expect "$m: wg showconf gives back the same configuration" \
		same_conf "$tmp/$m.want" "$tmp/$m.got"
	ok=1
	for a in $(sed -n 's/^Address = //p' "$tmp/$m.conf"); do
		run ip addr add "$a" dev wgmconf nodad || ok=0
		ip addr show dev wgmconf | grep -qE "inet6? $a " || ok=0
	done
	mtu=$(sed -n 's/^MTU = //p' "$tmp/$m.conf")
	run ip link set wgmconf mtu "$mtu" up || ok=0
	ktap_expect "$m: its Address lines and MTU apply" [ $ok = 1 ]
done

# Default mode: no PrivateKey in the file; PostUp, run as wg-quick does
# (%i = interface), loads it from the key file.
ip link del wgmconf 2>/dev/null
run wgmesh conf "$tmp/mesh.conf" peer1 --private-key-file "$tmp/peer1.key" > "$tmp/p.conf"
# postup_sets_key: no key in the file, and its PostUp sets peer1's
postup_sets_key()
{
	local postup
	postup=$(sed -n 's/^PostUp = //p' "$tmp/p.conf")
	! grep -q PrivateKey "$tmp/p.conf" && setconf <(strip_conf "$tmp/p.conf") &&
		run bash -c "${postup//%i/wgmconf}" &&
		[ "$(wg show wgmconf private-key)" = "$(cat "$tmp/peer1.key")" ]
}
ktap_expect "PostUp sets the private key from its file" postup_sets_key
ip link del wgmconf

# ---- preshared keys: the mesh secret, a file next to the topology ----
ktap_expect "the shell's HKDF gives README's vector" psk_vector_ok
run wgmesh genpsk "$tmp/mesh.psk" || ktap_test_fail "genpsk"
secret=$(cat "$tmp/mesh.psk")
sed 's/^Name = wg-test-one$/&\nPresharedKeyFile = mesh.psk/' "$tmp/mesh.conf" > "$tmp/psk.conf"
run wgmesh conf "$tmp/psk.conf" peer1 --private-key-file "$tmp/peer1.key" \
	> "$tmp/out" 2> "$tmp/err"
rc=$?
sed 's/^/# 2> /' "$tmp/err"
ktap_expect "conf without --embed-private-key: refused, no PresharedKey written" \
	eval '[ $rc = 1 ] && [ ! -s "$tmp/out" ] && grep -q "PresharedKeyFile" "$tmp/err"'

# conf_keys FILE: "PUBLIC<TAB>PRESHARED" of each [Peer] of FILE, sorted
conf_keys()
{
	awk -F' = ' '/^\[/ { pub = "" } $1 == "PublicKey" { pub = $2 }
		$1 == "PresharedKey" { print pub "\t" $2 }' "$1" | sort
}
# readme_keys M FILE: every [Peer] of FILE has one PresharedKey, the one
# README's construction gives for the pair M, peer
readme_keys()
{
	local m=$1 f=$2 pub psk want self n ok=0
	self=$(eval "echo \$pub_$m")
	n=$(grep -c '^\[Peer\]' "$f")
	[ "$n" -gt 0 ] && [ "$(grep -c '^PresharedKey = ' "$f")" = "$n" ] || return 1
	while IFS=$'\t' read -r pub psk; do
		want=$(psk_derive_sh "$secret" wg-test-one "$self" "$pub")
		[ "$psk" = "$want" ] || { echo "# $m-$pub: conf wrote $psk, README gives $want"; ok=1; }
	done < <(conf_keys "$f")
	return $ok
}
# wg_keys FILE: wg setconf takes FILE stripped, and wg shows each peer's
# PresharedKey of FILE back
wg_keys()
{
	ip link del wgmconf 2>/dev/null
	setconf <(strip_conf "$1") &&
		diff <(conf_keys "$1") <(wg show wgmconf preshared-keys | sort) >&2
}
for m in ctrl1 ctrl2 peer1 peer2; do
	run wgmesh conf "$tmp/psk.conf" $m --private-key-file "$tmp/$m.key" \
		--embed-private-key > "$tmp/$m.psk.conf" || ktap_test_fail "conf $m with a secret"
	ktap_expect "$m: each [Peer] has the PresharedKey README's construction gives" \
		readme_keys $m "$tmp/$m.psk.conf"
	ktap_expect "$m: wg setconf takes them, wg show gives each back" \
		wg_keys "$tmp/$m.psk.conf"
done
ip link del wgmconf 2>/dev/null
ktap_finished
