#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The wgmesh CLI end to end: help, errors, check (and its policy
# warnings), reach, addresses, hosts, conf (and --qr, decoded back with
# zbarimg), genkey/pubkey interoperating with wg(8) both ways, genkey
# and genpsk keeping existing keys (genpsk never printing), escaped
# control characters, the privilege check of up/down/status and "up
# --dry-run" without root. $WGMESH is the ASan+UBSan
# build (make test sets it); $WGMESH_PLAIN, the real binary, is also run
# under valgrind when valgrind is installed.

here=$(cd "$(dirname "$0")" && pwd)
. "$here/../../selftests/lib/ktap.sh"

WGMESH=${WGMESH:-$here/build/wgmesh}
WGMESH_PLAIN=${WGMESH_PLAIN:-$here/../wgmesh}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

ktap_print_header
ktap_set_plan 58

K1=AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE=
K2=AgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgI=
K4=BAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQ=
(umask 077; wg genkey > "$tmp/peer1.key" 2>/dev/null || "$WGMESH" genkey > "$tmp/peer1.key")
K3=$("$WGMESH" pubkey < "$tmp/peer1.key")
cat > "$tmp/mesh.conf" <<EOT
[Mesh]
Name = vpn
[Controller controller1]
Endpoint = 192.0.2.1
PublicKey = $K1
Groups = servers
[Controller controller2]
Endpoint = [2001:db8::2]:4000
PublicKey = $K2
[Peer peer1]
PublicKey = $K3
Controller = controller1
Groups = admins
[Peer peer2]
PublicKey = $K4
Controller = controller2
Isolated = true
[Policy]
Default = deny
Allow = admins <-> servers
EOT

# expect_fail DESC 'first stderr line' CMD...: exit 1, that exact first line.
expect_fail()
{
	local desc=$1 want=$2 rc
	shift 2
	echo "# \$ $*" >&2
	"$@" > "$tmp/out" 2> "$tmp/err"
	rc=$?
	if [ $rc -eq 1 ] && [ "$(head -n1 "$tmp/err")" = "$want" ]; then
		ktap_test_pass "$desc"
	else
		ktap_print_msg "exit $rc, stderr: $(head -n1 "$tmp/err")"
		ktap_print_msg "want exit 1, stderr: $want"
		ktap_test_fail "$desc"
	fi
}

# lists_commands: --help names every command
lists_commands()
{
	local out c
	out=$(run "$WGMESH" --help) || return 1
	for c in addresses check conf down genkey genpsk help hosts pubkey reach status up; do
		grep -q "^  $c " <<< "$out" || return 1
	done
}
ktap_expect "--help lists every command" lists_commands
ktap_expect "--version" grep -q '^wgmesh [0-9]' <(run "$WGMESH" --version)
ktap_expect "help conf prints its usage" \
	grep -q '^usage: wgmesh conf FILE MACHINE' <(run "$WGMESH" help conf | head -n1)

expect_fail "unknown command" "wgmesh: unknown command 'frob'" "$WGMESH" frob
ktap_expect "unknown command prints the usage" grep -q '^usage: wgmesh <command>' "$tmp/err"
expect_fail "unknown option" "wgmesh addresses: unknown option '--frob'" \
	"$WGMESH" addresses --frob "$tmp/mesh.conf"
ktap_expect "unknown option prints the command's usage" \
	grep -q '^usage: wgmesh addresses \[--json\] FILE' "$tmp/err"
expect_fail "missing argument" "wgmesh conf: missing MACHINE" "$WGMESH" conf "$tmp/mesh.conf"
expect_fail "extra argument" "wgmesh hosts: unexpected argument 'x'" "$WGMESH" hosts "$tmp/mesh.conf" x
expect_fail "help of an unknown command" "wgmesh: unknown command 'nope'" "$WGMESH" help nope

# check: valid, with a warning for the rule about controllers only
ktap_test_result "check accepts a valid file" "$WGMESH" check -q "$tmp/mesh.conf"
# warns_rule: check names the rule that cannot have an effect, and why
warns_rule()
{
	"$WGMESH" check "$tmp/mesh.conf" > "$tmp/out" 2> "$tmp/err" &&
	[ "$(cat "$tmp/err")" = "wgmesh: $tmp/mesh.conf:20: warning: Allow = admins <-> servers has no effect: group servers has no peers, only controllers without Subnets, and controllers are not policed (a controller's own addresses are always reachable and what a controller sends is not policed)" ] &&
	grep -q "mesh vpn is valid" "$tmp/out"
}
ktap_expect "check warns (exit 0) about a rule only controllers are in" warns_rule
printf '[Mesh]\nName = vpn\n[Controller c1]\nEndpoint = h\nPublicKey = %s\nFoo = 1\n' "$K1" > "$tmp/bad.conf"
expect_fail "check names file and line" "wgmesh: $tmp/bad.conf:6: unknown key 'Foo' in [Controller]" \
	"$WGMESH" check "$tmp/bad.conf"
ktap_expect "a parse error is one line" [ "$(wc -l < "$tmp/err")" -eq 1 ]
expect_fail "missing file" "wgmesh: $tmp/none.conf: No such file or directory" "$WGMESH" check "$tmp/none.conf"
printf '[Mesh]\nName = v\033[2J\x9b\n' > "$tmp/ctl.conf"
expect_fail "control characters in a message are escaped" \
	"wgmesh: $tmp/ctl.conf:2: bad mesh Name 'v\\x1b[2J\\x9b': use letters, digits, '-' and '_' (not first '-')" \
	"$WGMESH" check "$tmp/ctl.conf"
ktap_expect "no raw control character reaches the terminal" \
	[ "$(tr -d '\n' < "$tmp/err" | LC_ALL=C grep -c '[[:cntrl:]]')" = 0 ]

# reach: the answer, the rule that decides, and the exit status
# reach_is A B STATUS TEXT: "reach A B" exits STATUS and prints TEXT
reach_is()
{
	local out rc
	out=$(run "$WGMESH" reach "$tmp/mesh.conf" "$1" "$2")
	rc=$?
	echo "# $out"
	[ "$rc" = "$3" ] && [ "$out" = "$1 -> $2: $4" ]
}
ktap_expect "reach: a controller's ::1 is always reachable (exit 0)" \
	reach_is peer2 controller2 0 "allowed: controller2 is a controller, whose ::1 is always reachable (delivered by controller2 itself, never policed)"
ktap_expect "reach: an isolated peer is denied (exit 2)" \
	reach_is peer1 peer2 2 "denied: peer2 is isolated: it only reaches controllers"
ktap_expect "reach: a controller's own traffic is not policed" \
	reach_is controller1 peer2 0 "allowed: controller1 is a controller: it reaches every peer directly, and what a controller sends is not policed"
expect_fail "reach: an unknown machine" "wgmesh: $tmp/mesh.conf: no machine named 'nobody'" \
	"$WGMESH" reach "$tmp/mesh.conf" peer1 nobody

# addresses --json is valid JSON with the notes' example addresses.
if command -v jq > /dev/null; then
	jsonq() { jq -r "$1" "$2"; }
elif command -v python3 > /dev/null; then
	jsonq() { python3 -c 'import json,sys; d=json.load(open(sys.argv[2])); print(eval(sys.argv[1]))' "$3" "$2"; }
fi
# json_ok: addresses --json has the example's prefixes, flags and policy
json_ok()
{
	run "$WGMESH" addresses --json "$tmp/mesh.conf" > "$tmp/json" &&
	[ "$(jsonq '.machines[] | select(.name=="peer1") | .addresses[1].prefix' "$tmp/json" \
	     '[m for m in d["machines"] if m["name"]=="peer1"][0]["addresses"][1]["prefix"]')" = \
	  "fdeb:f20c:c1:aa00:6987:50a0::/96" ] &&
	[ "$(jsonq '.prefix' "$tmp/json" 'd["prefix"]')" = "fdeb:f20c::/40" ] &&
	[ "$(jsonq '[.machines[] | select(.isolated) | .name] | join(",")' "$tmp/json" \
	     '",".join(m["name"] for m in d["machines"] if m["isolated"])')" = peer2 ] &&
	[ "$(jsonq '.machines[] | select(.name=="peer1") | .groups | join(",")' "$tmp/json" \
	     '",".join([m for m in d["machines"] if m["name"]=="peer1"][0]["groups"])')" = admins ] &&
	[ "$(jsonq '.policy.default + " " + (.policy.allow[0] | join("<->"))' "$tmp/json" \
	     'd["policy"]["default"] + " " + "<->".join(d["policy"]["allow"][0])')" = "deny admins<->servers" ]
}
if ! command -v jq > /dev/null && ! command -v python3 > /dev/null; then
	ktap_test_skip "addresses --json" "neither jq nor python3 is installed"
else
	ktap_expect "addresses --json" json_ok
fi
run "$WGMESH" addresses "$tmp/mesh.conf" > "$tmp/out"
ktap_expect "addresses table" grep -Eq \
	'^peer2 +peer +controller2\* +fdeb:f20c:c1:aa00:3b21:3ced:3e:89b3 +fdeb:f20c:c1:aa00:3b21:3ced::/96$' "$tmp/out"

# hosts
printf '%s\n' "fdeb:f20c:3b:f700::1 controller1.vpn" "fdeb:f20c:c1:aa00::1 controller2.vpn" \
	"fdeb:f20c:3b:f700:6987:50a0:9b93:4337 peer1.vpn" "fdeb:f20c:c1:aa00:3b21:3ced:3e:89b3 peer2.vpn" > "$tmp/want"
run "$WGMESH" hosts "$tmp/mesh.conf" > "$tmp/out"
ktap_expect "hosts" cmp -s "$tmp/out" "$tmp/want"

# conf: PostUp by default, embedding only on request and only from a 0600 file.
# postup_only: the key is loaded by PostUp, never in the output
postup_only()
{
	run "$WGMESH" conf "$tmp/mesh.conf" peer1 --private-key-file "$tmp/peer1.key" > "$tmp/out" &&
	grep -qx "PostUp = wg set %i private-key $tmp/peer1.key" "$tmp/out" &&
	! grep -q PrivateKey "$tmp/out"
}
ktap_expect "conf loads the key with PostUp, never embeds it by default" postup_only
run "$WGMESH" conf "$tmp/mesh.conf" peer1 --private-key-file "$tmp/peer1.key" --embed-private-key > "$tmp/out"
ktap_expect "conf --embed-private-key" grep -qx "PrivateKey = $(cat "$tmp/peer1.key")" "$tmp/out"
chmod 644 "$tmp/peer1.key"
expect_fail "conf refuses a world-readable key file" \
	"wgmesh: private key file $tmp/peer1.key has mode 0644: it must not be accessible by group or others (chmod 600)" \
	"$WGMESH" conf "$tmp/mesh.conf" peer1 --private-key-file "$tmp/peer1.key" --embed-private-key
ktap_expect "a failed conf prints nothing on stdout" [ ! -s "$tmp/out" ]
chmod 600 "$tmp/peer1.key"
expect_fail "conf --qr needs --embed-private-key" \
	"wgmesh conf: --qr needs --embed-private-key: the WireGuard apps import the private key with the configuration" \
	"$WGMESH" conf "$tmp/mesh.conf" peer1 --private-key-file "$tmp/peer1.key" --qr
ktap_expect "conf --qr without the key prints nothing" [ ! -s "$tmp/out" ]
# qr2pbm: the terminal QR code on stdin as a PBM image, 8 pixels a module
qr2pbm()
{
	python3 -c '
import re, sys
glyph = {"\u2588": (0, 0), "\u2580": (0, 1), "\u2584": (1, 0), " ": (1, 1)}
rows = []
for line in sys.stdin.read().splitlines():
    line = re.sub(r"\x1b\[[0-9;]*m", "", line)
    rows += [[glyph[c][0] for c in line], [glyph[c][1] for c in line]]
print("P1\n%d %d" % (8 * len(rows[0]), 8 * len(rows)))
for r in rows:
    print(("".join(str(v) * 8 for v in r) + "\n") * 8, end="")'
}
# qr_decodes: zbarimg reads back exactly the configuration --embed gives
qr_decodes()
{
	run "$WGMESH" conf "$tmp/mesh.conf" peer1 --private-key-file "$tmp/peer1.key" \
		--embed-private-key --qr | qr2pbm > "$tmp/qr.pbm" &&
	[ "$(zbarimg -q --raw --nodbus "$tmp/qr.pbm" 2>/dev/null)" = \
	  "$("$WGMESH" conf "$tmp/mesh.conf" peer1 --private-key-file "$tmp/peer1.key" --embed-private-key)" ]
}
if command -v zbarimg > /dev/null && command -v python3 > /dev/null; then
	ktap_expect "conf --qr: a QR code of the configuration (decoded by zbarimg)" qr_decodes
else
	ktap_test_skip "conf --qr decoded by zbarimg" "zbarimg or python3 is not installed (make deps)"
fi

# conf with a mesh secret: PresharedKey = only with --embed-private-key,
# the secret itself never. (PresharedKeyFile is relative to the topology's
# directory.)
"$WGMESH" genpsk "$tmp/mesh.psk"
sed 's|^Name = vpn$|Name = vpn\nPresharedKeyFile = mesh.psk|' "$tmp/mesh.conf" > "$tmp/psk.conf"
expect_fail "conf with PresharedKeyFile needs --embed-private-key" \
	"wgmesh: conf: mesh vpn has preshared keys (PresharedKeyFile): they are only written with --embed-private-key, which embeds peer1's secrets" \
	"$WGMESH" conf "$tmp/psk.conf" peer1 --private-key-file "$tmp/peer1.key"
ktap_expect "a refused conf prints nothing" [ ! -s "$tmp/out" ]
# conf_psk: one PresharedKey per [Peer], right after its PublicKey, and
# no trace of the secret
conf_psk()
{
	run "$WGMESH" conf "$tmp/psk.conf" peer1 --private-key-file "$tmp/peer1.key" \
		--embed-private-key > "$tmp/out" &&
	[ "$(grep -c '^\[Peer\]$' "$tmp/out")" = 2 ] &&
	[ "$(grep -A1 '^PublicKey = ' "$tmp/out" | grep -cE '^PresharedKey = [A-Za-z0-9+/]{43}=$')" = 2 ] &&
	! grep -qF "$(cat "$tmp/mesh.psk")" "$tmp/out"
}
ktap_expect "conf --embed-private-key writes each pair's PresharedKey" conf_psk
# secrets_nowhere: with a mesh secret, no other output (stdout or stderr)
# of any command holds it or a key derived from it (those conf just wrote)
secrets_nowhere()
{
	local pat out args
	pat=$( { cat "$tmp/mesh.psk"; sed -n 's/^PresharedKey = //p' "$tmp/out"; } | grep .)
	[ "$(wc -l <<< "$pat")" = 3 ] || return 1
	for args in "check $tmp/psk.conf" "addresses $tmp/psk.conf" "addresses --json $tmp/psk.conf" \
		    "hosts $tmp/psk.conf" "reach $tmp/psk.conf peer1 controller1" \
		    "conf $tmp/psk.conf peer1 --private-key-file $tmp/peer1.key" \
		    "conf $tmp/psk.conf controller1 --embed-private-key --private-key-file $tmp/peer1.key" \
		    "help conf"; do
		out=$("$WGMESH" $args 2>&1)
		if grep -qF -- "$pat" <<< "$out"; then
			echo "# wgmesh $args printed a key"
			return 1
		fi
	done
}
ktap_expect "no other command prints the secret or a derived key" secrets_nowhere

# Keys: both directions with wg, and nothing world-readable.
# same_pubkey KEY: wg pubkey and wgmesh pubkey agree on KEY
same_pubkey()
{
	[ -n "$1" ] && [ "$(wg pubkey <<< "$1")" = "$(run "$WGMESH" pubkey <<< "$1")" ]
}
# interoperate: keys of either tool have the same public key in both
interoperate()
{
	same_pubkey "$(run "$WGMESH" genkey)" && same_pubkey "$(wg genkey)"
}
if command -v wg > /dev/null; then
	ktap_expect "genkey/pubkey interoperate with wg genkey/wg pubkey" interoperate
else
	ktap_test_skip "genkey/pubkey interoperate with wg" "wg is not installed"
fi
# private_file: genkey FILE makes a new FILE 0600 under umask 022, holding
# a key
private_file()
{
	(umask 022; run "$WGMESH" genkey "$tmp/new.key") &&
	[ "$(stat -c %a "$tmp/new.key")" = 600 ] && "$WGMESH" pubkey < "$tmp/new.key" > /dev/null
}
ktap_expect "genkey FILE creates it 0600 under umask 022" private_file
# kept: genkey refuses an existing FILE, naming it, and leaves it alone
printf '%0100d\n' 0 > "$tmp/old.key"
chmod 644 "$tmp/old.key"
cp -p "$tmp/old.key" "$tmp/old.copy"
expect_fail "genkey refuses an existing FILE, naming it" \
	"wgmesh: genkey: $tmp/old.key exists: not overwritten (it may be a machine's key); use --force to replace it" \
	"$WGMESH" genkey "$tmp/old.key"
ktap_expect "genkey left the existing FILE as it was" cmp -s "$tmp/old.key" "$tmp/old.copy"
# forced: --force replaces it with a key, made 0600
forced()
{
	run "$WGMESH" genkey --force "$tmp/old.key" && [ "$(stat -c %a "$tmp/old.key")" = 600 ] &&
	"$WGMESH" pubkey < "$tmp/old.key" > /dev/null
}
ktap_expect "genkey --force replaces an old FILE with a key, mode 0600" forced
# private_stdout: genkey > FILE makes FILE 0600 and says so
private_stdout()
{
	(umask 022; run "$WGMESH" genkey > "$tmp/redirected.key" 2> "$tmp/err") &&
	[ "$(stat -c %a "$tmp/redirected.key")" = 600 ] && grep -q "made the output file private" "$tmp/err"
}
ktap_expect "genkey > FILE makes a world-readable FILE private, with a warning" private_stdout
# genpsk: the mesh secret, as carefully as a private key, and never printed
# psk_file: genpsk FILE makes a new FILE 0600 under umask 022 holding 32
# bytes in base64, and prints nothing
psk_file()
{
	(umask 022; "$WGMESH" genpsk "$tmp/new.psk" > "$tmp/out" 2> "$tmp/err") &&
	[ "$(stat -c %a "$tmp/new.psk")" = 600 ] && [ ! -s "$tmp/out" ] && [ ! -s "$tmp/err" ] &&
	[ "$(head -c 44 "$tmp/new.psk" | base64 -d | wc -c)" = 32 ] &&
	[ "$(wc -c < "$tmp/new.psk")" = 45 ]
}
ktap_expect "genpsk FILE creates it 0600 under umask 022, prints nothing" psk_file
cp -p "$tmp/new.psk" "$tmp/new.psk.copy"
expect_fail "genpsk refuses an existing FILE, naming it" \
	"wgmesh: genpsk: $tmp/new.psk exists: not overwritten (it may be a mesh's secret, which all its preshared keys come from); use --force to replace it" \
	"$WGMESH" genpsk "$tmp/new.psk"
ktap_expect "genpsk left the existing FILE as it was" cmp -s "$tmp/new.psk" "$tmp/new.psk.copy"
# psk_forced: --force writes a new secret, made 0600
psk_forced()
{
	chmod 640 "$tmp/new.psk" &&
	run "$WGMESH" genpsk --force "$tmp/new.psk" && [ "$(stat -c %a "$tmp/new.psk")" = 600 ] &&
	! cmp -s "$tmp/new.psk" "$tmp/new.psk.copy"
}
ktap_expect "genpsk --force replaces FILE with a new secret, mode 0600" psk_forced
expect_fail "genpsk never prints: FILE is required" \
	"wgmesh genpsk: missing FILE (the mesh secret is never printed)" "$WGMESH" genpsk
expect_fail "genpsk never prints: not to standard output" \
	"wgmesh genpsk: FILE cannot be standard output: the mesh secret is never printed" \
	"$WGMESH" genpsk -
ktap_expect "genpsk refused: nothing on standard output" [ ! -s "$tmp/out" ]
expect_fail "pubkey rejects garbage" \
	"wgmesh: pubkey: standard input is not a private key (44 characters of base64)" \
	"$WGMESH" pubkey <<< "garbage"

# Privileges: checked first, said plainly. As nobody (setpriv), in a network
# namespace of our own when we may make one.
netns=
unshare -n true 2>/dev/null && netns="unshare -n"
nobody="setpriv --reuid=65534 --regid=65534 --clear-groups"
for c in "up $tmp/mesh.conf" "down vpn" "status"; do
	expect_fail "${c%% *} as nobody: needs root or CAP_NET_ADMIN" \
		"wgmesh ${c%% *}: needs root or CAP_NET_ADMIN (to $(case $c in up*) echo configure network interfaces ;; down*) echo remove network interfaces ;; *) echo read WireGuard interfaces ;; esac))" \
		$nobody "$WGMESH" $c
done
# has_lines TEXT LINE...: TEXT has each LINE, whole
has_lines()
{
	local text=$1 l
	shift
	for l in "$@"; do
		grep -qxF -- "$l" <<< "$text" || { echo "# missing: $l"; return 1; }
	done
}
# dry_run: up --dry-run as nobody prints the plan of a new interface, with
# a key file nobody owns
dry_run()
{
	local out
	chmod 755 "$tmp"
	cp "$tmp/peer1.key" "$tmp/nobody.key"
	chown 65534 "$tmp/nobody.key"
	out=$(run $netns $nobody "$WGMESH" up "$tmp/mesh.conf" --private-key-file "$tmp/nobody.key" --dry-run) || return 1
	echo "$out" | sed 's/^/# /'
	has_lines "$out" "  + interface vpn, alias wgmesh:vpn" \
		"  + peer controller1 (controller): allowed-ips fdeb:f20c:3b:f700::/56, endpoint 192.0.2.1:51820, keepalive 25" \
		"  + address fdeb:f20c:3b:f700:6987:50a0:9b93:4337/56" \
		"  + route fdeb:f20c:c1:aa00::/56" \
		"dry run: vpn: peer1 (peer) would be created: peers +2 ~0 -0, addresses +2 -0, routes +2 -0, private key, link up" &&
	! grep -qF "$(cat "$tmp/peer1.key")" <<< "$out"
}
if command -v setpriv > /dev/null; then
	ktap_expect "up --dry-run without root: the plan, never the private key" dry_run
else
	ktap_test_skip "up --dry-run without root" "setpriv is not installed"
fi
# no_key_but_public TEXT: the only base64 keys in TEXT are the topology's public keys
no_key_but_public()
{
	local k
	for k in $(grep -oE '[A-Za-z0-9+/]{43}=' <<< "$1"); do
		grep -qxF -- "PublicKey = $k" "$tmp/psk.conf" || { echo "# a key: $k"; return 1; }
	done
}
# dry_run_psk: up --dry-run as nobody with a mesh secret: each new peer
# with its preshared key, which is never printed
dry_run_psk()
{
	local out
	cp "$tmp/mesh.psk" "$tmp/nobody.psk"
	chown 65534 "$tmp/nobody.psk"
	sed -i 's|^PresharedKeyFile = .*|PresharedKeyFile = nobody.psk|' "$tmp/psk.conf"
	out=$(run $netns $nobody "$WGMESH" up "$tmp/psk.conf" --private-key-file "$tmp/nobody.key" --dry-run -v 2>&1) || return 1
	sed -i 's|^PresharedKeyFile = .*|PresharedKeyFile = mesh.psk|' "$tmp/psk.conf"
	echo "$out" | sed 's/^/# /'
	has_lines "$out" \
		"  + peer controller1 (controller): allowed-ips fdeb:f20c:3b:f700::/56, endpoint 192.0.2.1:51820, keepalive 25, preshared key" \
		"  + peer controller2 (controller): allowed-ips fdeb:f20c:c1:aa00::/56, endpoint [2001:db8::2]:4000, keepalive 25, preshared key" &&
	! grep -qF "$(cat "$tmp/mesh.psk")" <<< "$out" && no_key_but_public "$out"
}
if command -v setpriv > /dev/null; then
	ktap_expect "up --dry-run with PresharedKeyFile: each peer's preshared key, never printed" dry_run_psk
else
	ktap_test_skip "up --dry-run with PresharedKeyFile" "setpriv is not installed"
fi
chmod 640 "$tmp/mesh.psk"
expect_fail "up refuses a mesh secret that group may read" \
	"wgmesh: preshared key file $tmp/mesh.psk has mode 0640: it must not be accessible by group or others (chmod 600)" \
	$netns "$WGMESH" up "$tmp/psk.conf" --private-key-file "$tmp/peer1.key" -n
chmod 600 "$tmp/mesh.psk"
expect_fail "up names a missing mesh secret" \
	"wgmesh: preshared key file $tmp/none.psk: No such file or directory" \
	$netns "$WGMESH" up <(sed 's|^PresharedKeyFile = .*|PresharedKeyFile = '"$tmp"'/none.psk|' "$tmp/psk.conf") \
	--private-key-file "$tmp/peer1.key" -n
expect_fail "a bad WG_ENDPOINT_RESOLUTION_RETRIES is refused first" \
	"wgmesh: WG_ENDPOINT_RESOLUTION_RETRIES='soon': want a number of retries or 'infinity'" \
	env WG_ENDPOINT_RESOLUTION_RETRIES=soon "$WGMESH" up "$tmp/mesh.conf" -n

# The real binary under valgrind: no leaks, no errors.
if command -v valgrind > /dev/null; then
	vg="valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=all --show-leak-kinds=all"
	ok=1
	for args in "check $tmp/mesh.conf" "addresses --json $tmp/mesh.conf" "hosts $tmp/mesh.conf" \
		    "conf $tmp/mesh.conf controller1" "check $tmp/bad.conf" \
		    "reach $tmp/mesh.conf peer1 peer2" "check $tmp/ctl.conf"; do
		run $vg "$WGMESH_PLAIN" $args > /dev/null 2> "$tmp/vg"
		[ $? -eq 99 ] && { ok=0; cat "$tmp/vg" >&2; }
	done
	run $vg "$WGMESH_PLAIN" pubkey < "$tmp/peer1.key" > /dev/null 2> "$tmp/vg" || { ok=0; cat "$tmp/vg" >&2; }
	run $vg "$WGMESH_PLAIN" genkey "$tmp/vg.key" 2> "$tmp/vg" || { ok=0; cat "$tmp/vg" >&2; }
	run $vg "$WGMESH_PLAIN" genpsk "$tmp/vg.psk" 2> "$tmp/vg" || { ok=0; cat "$tmp/vg" >&2; }
	run $vg "$WGMESH_PLAIN" conf "$tmp/mesh.conf" peer1 --private-key-file "$tmp/peer1.key" \
		--embed-private-key > /dev/null 2> "$tmp/vg" || { ok=0; cat "$tmp/vg" >&2; }
	run $vg "$WGMESH_PLAIN" conf "$tmp/mesh.conf" peer1 --private-key-file "$tmp/peer1.key" \
		--embed-private-key --qr > /dev/null 2> "$tmp/vg" || { ok=0; cat "$tmp/vg" >&2; }
	run $vg "$WGMESH_PLAIN" conf "$tmp/psk.conf" peer1 --private-key-file "$tmp/peer1.key" \
		--embed-private-key > /dev/null 2> "$tmp/vg" || { ok=0; cat "$tmp/vg" >&2; }
	ktap_expect "wgmesh under valgrind: no leaks or errors" [ $ok = 1 ]
else
	ktap_test_skip "wgmesh under valgrind" "valgrind is not installed"
fi
ktap_finished
