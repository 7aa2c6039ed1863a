#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# wgmesh conf output accepted by the real wg (VM): for every machine of a
# two-controller mesh, the config stripped of wg-quick's own keys goes
# into a real WireGuard device with "wg setconf", and "wg showconf" must
# give back exactly the same interface and peers (AllowedIPs, endpoints,
# keepalive, listen port, private key). The Address lines must apply with
# ip(8), and the PostUp line, run as wg-quick would, must set the key.

. "$(dirname "$0")/lib/ktap.sh"

tmp=$(mktemp -d)
trap 'ip link del wgmconf 2>/dev/null; rm -rf "$tmp"' EXIT

ktap_plan 14

if ! command -v wgmesh > /dev/null; then
	ktap_fail "wgmesh is built (run 'make -C tools')"
	ktap_finish
fi
ktap_check "modprobe wireguard" modprobe wireguard

for m in ctrl1 ctrl2 peer1 peer2; do
	wgmesh genkey "$tmp/$m.key" || ktap_fail "genkey $m"
	eval "pub_$m=\$(wgmesh pubkey < \"\$tmp/$m.key\")"
done
cat > "$tmp/mesh.conf" <<EOT
[Mesh]
Name = wg-test-one
MTU = 1400
[Controller ctrl1]
Endpoint = 192.0.2.1
PublicKey = $pub_ctrl1
[Controller ctrl2]
Endpoint = [2001:db8::2]:4000
PublicKey = $pub_ctrl2
Port = 51821
[Peer peer1]
PublicKey = $pub_peer1
Controller = ctrl1
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

for m in ctrl1 ctrl2 peer1 peer2; do
	ip link del wgmconf 2>/dev/null
	run wgmesh conf "$tmp/mesh.conf" $m --private-key-file "$tmp/$m.key" \
		--embed-private-key > "$tmp/$m.conf" || { ktap_fail "conf $m"; continue; }
	strip_conf "$tmp/$m.conf" > "$tmp/$m.stripped"
	if run ip link add wgmconf type wireguard &&
	   run wg setconf wgmconf "$tmp/$m.stripped"; then
		ktap_ok "$m: wg setconf accepts the stripped conf"
	else
		ktap_fail "$m: wg setconf accepts the stripped conf"
		continue
	fi
	run wg showconf wgmconf > "$tmp/$m.shown"
	# Peers have no fixed port: the kernel picks one, ignore it there.
	droplp=
	grep -q '^ListenPort' "$tmp/$m.stripped" || droplp=1
	canon "$tmp/$m.stripped" $droplp > "$tmp/$m.want"
	canon "$tmp/$m.shown" $droplp > "$tmp/$m.got"
	grep -v PrivateKey "$tmp/$m.want" | sed 's/^/# want: /'
	# The interface part must be compared too, not only the peers.
	if grep -q '^IF PrivateKey = ' "$tmp/$m.want" &&
	   grep -q ' AllowedIPs = ' "$tmp/$m.want" &&
	   diff -u "$tmp/$m.want" "$tmp/$m.got" >&2; then
		ktap_ok "$m: wg showconf gives back the same configuration"
	else
		ktap_fail "$m: wg showconf gives back the same configuration"
	fi
	ok=1
	for a in $(sed -n 's/^Address = //p' "$tmp/$m.conf"); do
		run ip -6 addr add "$a" dev wgmconf nodad || ok=0
		ip -6 addr show dev wgmconf | grep -q "inet6 $a " || ok=0
	done
	mtu=$(sed -n 's/^MTU = //p' "$tmp/$m.conf")
	run ip link set wgmconf mtu "$mtu" up || ok=0
	[ $ok = 1 ] && ktap_ok "$m: its Address lines and MTU apply" ||
		ktap_fail "$m: its Address lines and MTU apply"
done

# Default mode: no PrivateKey in the file; PostUp, run as wg-quick does
# (%i = interface), loads it from the key file.
ip link del wgmconf 2>/dev/null
run wgmesh conf "$tmp/mesh.conf" peer1 --private-key-file "$tmp/peer1.key" > "$tmp/p.conf"
postup=$(sed -n 's/^PostUp = //p' "$tmp/p.conf")
if ! grep -q PrivateKey "$tmp/p.conf" && run ip link add wgmconf type wireguard &&
   run wg setconf wgmconf <(strip_conf "$tmp/p.conf") &&
   run bash -c "${postup//%i/wgmconf}" &&
   [ "$(wg show wgmconf private-key)" = "$(cat "$tmp/peer1.key")" ]; then
	ktap_ok "PostUp sets the private key from its file"
else
	ktap_fail "PostUp sets the private key from its file"
fi
ip link del wgmconf
ktap_finish
