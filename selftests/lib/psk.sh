# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# psk.sh: README's "Preshared keys" construction computed in the shell,
# apart from wgmesh's C code (tools/lib/psk.c), so that the keys wgmesh
# gives WireGuard can be checked against the documentation:
#
#   PRK = HMAC-SHA256(key = "wgmesh psk v1", S)
#   PSK = HMAC-SHA256(key = PRK, Name || min(A, B) || max(A, B) || 0x01)
#
# Only base64, od and sha256sum (busybox has all three) and bash
# arithmetic; nothing here prints a key unless asked for it.

# psk_hex: stdin's bytes as lowercase hex, one line
psk_hex()
{
	od -An -v -tx1 | tr -d ' \n'
}

# psk_unhex HEX: the bytes HEX stands for, on stdout
psk_unhex()
{
	# shellcheck disable=SC2059 # the format is only \xHH escapes
	printf "$(sed 's/../\\x&/g' <<< "$1")"
}

# psk_hmac KEYHEX MSGHEX: HMAC-SHA256 (RFC 2104) in hex; KEYHEX at most 64
# bytes, as both keys of the construction are
psk_hmac()
{
	local k=$1 msg=$2 i x ipad="" opad="" inner
	while [ ${#k} -lt 128 ]; do
		k+=00
	done
	# printf -v: no subshell per byte (each costs under TCG)
	for ((i = 0; i < 128; i += 2)); do
		printf -v x '%02x' $((0x${k:i:2} ^ 0x36))
		ipad+=$x
		printf -v x '%02x' $((0x${k:i:2} ^ 0x5c))
		opad+=$x
	done
	inner=$(psk_unhex "$ipad$msg" | sha256sum | cut -c1-64)
	psk_unhex "$opad$inner" | sha256sum | cut -c1-64
}

# psk_derive_sh SECRET NAME A B: the preshared key (base64) of the pair of
# public keys A and B (base64, either order) in mesh NAME, from the mesh
# secret SECRET (base64)
psk_derive_sh()
{
	local s a b name prk LC_ALL=C
	s=$(base64 -d <<< "$1" | psk_hex)
	name=$(printf '%s' "$2" | psk_hex)
	a=$(base64 -d <<< "$3" | psk_hex)
	b=$(base64 -d <<< "$4" | psk_hex)
	[ ${#s} = 64 ] && [ ${#a} = 64 ] && [ ${#b} = 64 ] || return 1
	# memcmp order: equal-length lowercase hex compares the same in C
	if [[ $a > $b ]]; then
		local t=$a
		a=$b b=$t
	fi
	prk=$(psk_hmac "$(printf '%s' 'wgmesh psk v1' | psk_hex)" "$s")
	psk_unhex "$(psk_hmac "$prk" "$name$a${b}01")" | base64
}

# psk_vector_ok: psk_derive_sh gives README's vector (S = bytes 0..31,
# Name wg-test-one, ctrl1's and peer1's keys of the table)
psk_vector_ok()
{
	local got
	got=$(psk_derive_sh AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8= \
		wg-test-one 6c477hy/3TFSFdjPkfXpsQVVDUWOrOWvxJY6DozGOhM= \
		QN4h95qrsqvf2h0nV7czkARncTITnuZIFlrE+YY10BQ=)
	[ "$got" = NDX77MVC+ZUcZofyOB0gwap2Zj640kNSTj/Rw6e+l9M= ]
}
