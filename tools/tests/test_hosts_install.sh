#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# "wgmesh hosts --install" on real files ($WGMESH_HOSTS): the block goes in
# through a new file renamed over the old one (new inode, same mode), the
# rest stays byte for byte, an up-to-date file is not rewritten at all, and
# a damaged block is refused with one line, leaving the file alone.

here=$(cd "$(dirname "$0")" && pwd)
. "$here/../../selftests/lib/ktap.sh"

WGMESH=${WGMESH:-$here/build/wgmesh}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

ktap_plan 8

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

WGMESH_HOSTS=$hosts run "$WGMESH" hosts --install "$tmp/mesh.conf" >/dev/null
rc=$?
want=$(cat "$tmp/orig"; echo "# BEGIN wgmesh vpn"; "$WGMESH" hosts "$tmp/mesh.conf"; echo "# END wgmesh vpn")
[ $rc = 0 ] && [ "$(cat "$hosts")" = "$want" ] &&
	ktap_ok "block appended after the existing lines, which are kept" ||
	ktap_fail "block appended after the existing lines, which are kept (rc $rc)"
[ "$(stat -c %a "$hosts")" = 640 ] && [ "$(stat -c %i "$hosts")" != "$ino" ] &&
	ktap_ok "replaced by rename (new inode), mode 0640 kept" ||
	ktap_fail "replaced by rename (new inode), mode 0640 kept"

ino=$(stat -c %i "$hosts")
WGMESH_HOSTS=$hosts run "$WGMESH" hosts --install "$tmp/mesh.conf" >/dev/null
[ $? = 0 ] && [ "$(stat -c %i "$hosts")" = "$ino" ] && [ "$(cat "$hosts")" = "$want" ] &&
	ktap_ok "up-to-date file left alone" ||
	ktap_fail "up-to-date file left alone"

# A changed mesh: only the block changes, lines after it survive.
echo "10.0.0.1 after" >> "$hosts"
sed -i 's/^PublicKey = AgIC/PublicKey = AwMD/; s/^\[Peer peer1\]/[Peer peer7]/' "$tmp/mesh.conf"
WGMESH_HOSTS=$hosts run "$WGMESH" hosts --install "$tmp/mesh.conf" >/dev/null
want=$(cat "$tmp/orig"; echo "# BEGIN wgmesh vpn"; "$WGMESH" hosts "$tmp/mesh.conf"; echo "# END wgmesh vpn"; echo "10.0.0.1 after")
[ "$(cat "$hosts")" = "$want" ] && grep -q peer7 "$hosts" && ! grep -q peer1 "$hosts" &&
	ktap_ok "block rewritten in place, lines after it kept" ||
	ktap_fail "block rewritten in place, lines after it kept"

# BEGIN without END: refused, file untouched, one line naming the file.
printf '127.0.0.1 localhost\n# BEGIN wgmesh vpn\nfd00::1 x\n' > "$hosts"
cp "$hosts" "$tmp/damaged"
err=$(WGMESH_HOSTS=$hosts "$WGMESH" hosts --install "$tmp/mesh.conf" 2>&1)
rc=$?
echo "# $err"
[ $rc = 1 ] && [ "$(wc -l <<< "$err")" = 1 ] && grep -q "$hosts" <<< "$err" &&
	cmp -s "$hosts" "$tmp/damaged" &&
	ktap_ok "unterminated block refused with one line, file unchanged" ||
	ktap_fail "unterminated block refused with one line, file unchanged (rc $rc)"

# No file yet: created 0644; no temporary files left behind anywhere.
rm -f "$hosts"
WGMESH_HOSTS=$hosts run "$WGMESH" hosts --install "$tmp/mesh.conf" >/dev/null
[ $? = 0 ] && [ "$(stat -c %a "$hosts")" = 644 ] && grep -q '^# END wgmesh vpn$' "$hosts" &&
	ktap_ok "missing hosts file created with mode 0644" ||
	ktap_fail "missing hosts file created with mode 0644"
# Through a symlink: the target is replaced, the link stays a link.
mkdir "$tmp/etc"
mv "$hosts" "$tmp/etc/hosts.real"
ln -s etc/hosts.real "$hosts"
echo "192.0.2.7 mine" >> "$tmp/etc/hosts.real"
sed -i 's/^\[Peer peer7\]/[Peer peer8]/' "$tmp/mesh.conf"
WGMESH_HOSTS=$hosts run "$WGMESH" hosts --install "$tmp/mesh.conf" >/dev/null
[ -L "$hosts" ] && grep -q '^192.0.2.7 mine$' "$tmp/etc/hosts.real" &&
	grep -q ' peer8.vpn$' "$tmp/etc/hosts.real" &&
	ktap_ok "a symlinked hosts file: target rewritten, link kept" ||
	ktap_fail "a symlinked hosts file: target rewritten, link kept"
left=$(ls "$tmp" "$tmp/etc" | grep -c wgmesh-)
[ "$left" = 0 ] && ktap_ok "no temporary file left behind" ||
	ktap_fail "no temporary file left behind ($left)"

ktap_finish
