#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# "wgmesh hosts --install" on real files ($WGMESH_HOSTS): the block goes in
# through a new file renamed over the old one (new inode, same mode), the
# rest stays byte for byte, an up-to-date file is not rewritten at all, and
# a damaged block is refused with one line, leaving the file alone;
# "--remove" takes the block out again.

here=$(cd "$(dirname "$0")" && pwd)
. "$here/../../selftests/lib/ktap.sh"

WGMESH=${WGMESH:-$here/build/wgmesh}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

ktap_print_header
ktap_set_plan 11

cat > "$tmp/mesh.conf" <<'EOT'
[Mesh]
Name = vpn
[Controller controller1]
Endpoint = 192.0.2.1
PublicKey = AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE=
[Peer peer1]
PublicKey = AgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgI=
EOT
hosts=$tmp/hosts
printf '127.0.0.1 localhost\n::1 localhost\n192.0.2.9 other\n' > "$hosts"
chmod 0640 "$hosts"
cp "$hosts" "$tmp/orig"
ino=$(stat -c %i "$hosts")

# install_hosts: wgmesh hosts --install into $hosts
install_hosts()
{
	WGMESH_HOSTS=$hosts run "$WGMESH" hosts --install "$tmp/mesh.conf" >/dev/null
}
# expected [AFTER]: the original lines, the block, then AFTER
expected()
{
	cat "$tmp/orig"
	echo "# BEGIN wgmesh vpn"
	"$WGMESH" hosts "$tmp/mesh.conf"
	echo "# END wgmesh vpn"
	[ -z "$1" ] || echo "$1"
}
# is_expected [AFTER]: $hosts holds expected's lines
is_expected()
{
	[ "$(cat "$hosts")" = "$(expected "$@")" ]
}

# appended: the first install appends the block after the existing lines
appended() { install_hosts && is_expected; }
ktap_expect "block appended after the existing lines, which are kept" appended
# renamed: a new inode, the old mode
renamed()
{
	[ "$(stat -c %a "$hosts")" = 640 ] && [ "$(stat -c %i "$hosts")" != "$ino" ]
}
ktap_expect "replaced by rename (new inode), mode 0640 kept" renamed

# left_alone: an install with nothing to change keeps the very file
left_alone()
{
	local ino
	ino=$(stat -c %i "$hosts")
	install_hosts && [ "$(stat -c %i "$hosts")" = "$ino" ] && is_expected
}
ktap_expect "up-to-date file left alone" left_alone

# A changed mesh: only the block changes, lines after it survive.
echo "10.0.0.1 after" >> "$hosts"
sed -i 's/^PublicKey = AgIC/PublicKey = AwMD/; s/^\[Peer peer1\]/[Peer peer7]/' "$tmp/mesh.conf"
install_hosts
rewritten() { is_expected "10.0.0.1 after" && grep -q peer7 "$hosts" && ! grep -q peer1 "$hosts"; }
ktap_expect "block rewritten in place, lines after it kept" rewritten

# BEGIN without END: refused, file untouched, one line naming the file.
printf '127.0.0.1 localhost\n# BEGIN wgmesh vpn\nfd00::1 x\n' > "$hosts"
cp "$hosts" "$tmp/damaged"
# refused: one error line naming the file, exit 1, the file as it was
refused()
{
	local err rc
	err=$(WGMESH_HOSTS=$hosts "$WGMESH" hosts --install "$tmp/mesh.conf" 2>&1)
	rc=$?
	echo "# $err"
	[ $rc = 1 ] && [ "$(wc -l <<< "$err")" = 1 ] && grep -q "$hosts" <<< "$err" &&
		cmp -s "$hosts" "$tmp/damaged"
}
ktap_expect "unterminated block refused with one line, file unchanged" refused

# No file yet: created 0644; no temporary files left behind anywhere.
rm -f "$hosts"
created() { install_hosts && [ "$(stat -c %a "$hosts")" = 644 ] && grep -q '^# END wgmesh vpn$' "$hosts"; }
ktap_expect "missing hosts file created with mode 0644" created
# Through a symlink: the target is replaced, the link stays a link.
mkdir "$tmp/etc"
mv "$hosts" "$tmp/etc/hosts.real"
ln -s etc/hosts.real "$hosts"
echo "192.0.2.7 mine" >> "$tmp/etc/hosts.real"
sed -i 's/^\[Peer peer7\]/[Peer peer8]/' "$tmp/mesh.conf"
install_hosts
through_link()
{
	[ -L "$hosts" ] && grep -q '^192.0.2.7 mine$' "$tmp/etc/hosts.real" &&
		grep -q ' peer8.vpn$' "$tmp/etc/hosts.real"
}
ktap_expect "a symlinked hosts file: target rewritten, link kept" through_link
ktap_expect "no temporary file left behind" [ "$(ls "$tmp" "$tmp/etc" | grep -c wgmesh-)" = 0 ]

# --remove: the block goes, the rest stays; again: nothing to remove.
# removed: --remove says so and leaves exactly the other lines
removed()
{
	local out
	out=$(WGMESH_HOSTS=$hosts run "$WGMESH" hosts --remove "$tmp/mesh.conf") &&
	[ "$out" = "$tmp/etc/hosts.real: wgmesh vpn block removed" ] &&
	! grep -q wgmesh "$tmp/etc/hosts.real" && grep -q '^192.0.2.7 mine$' "$tmp/etc/hosts.real" &&
	[ -L "$hosts" ]
}
ktap_expect "hosts --remove takes the block out, keeps the rest" removed
# removed_again: a second --remove changes nothing and says so
removed_again()
{
	local out ino
	ino=$(stat -c %i "$tmp/etc/hosts.real")
	out=$(WGMESH_HOSTS=$hosts "$WGMESH" hosts --remove "$tmp/mesh.conf") &&
	[ "$out" = "$tmp/etc/hosts.real: wgmesh vpn block not there" ] &&
	[ "$(stat -c %i "$tmp/etc/hosts.real")" = "$ino" ]
}
ktap_expect "hosts --remove without a block: not rewritten" removed_again
# both: --install and --remove together are a usage error
both()
{
	! WGMESH_HOSTS=$hosts "$WGMESH" hosts --install --remove "$tmp/mesh.conf" 2> "$tmp/err" &&
	grep -q -- "--install or --remove, not both" "$tmp/err"
}
ktap_expect "hosts --install --remove is refused" both

ktap_finished
