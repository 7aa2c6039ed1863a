#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make install / make uninstall into a DESTDIR: the files where the GNU
# directory variables put them, the version from kernel/version.h in the
# binary and in dkms.conf, a systemd unit that `systemd-analyze verify`
# accepts, and nothing left after uninstall. (That DKMS builds the
# installed module tree is selftests/test_dkms.sh.)
# (Like every KTAP test here, no `set -e`: a failed check goes on to the next.)

set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
. "$repo/selftests/lib/ktap.sh"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
dest=$tmp/root
version=$(sed -n 's/^#define WGMESH_VERSION "\(.*\)"/\1/p' "$repo/kernel/version.h")
dirs=(prefix=/usr sysconfdir=/etc systemdunitdir=/lib/systemd/system)

ktap_print_header
ktap_set_plan 9

# quiet_make ARGS...: make in the repository, its output shown on failure
quiet_make()
{
	make -s --no-print-directory -C "$repo" "$@" > "$tmp/make.log" 2>&1 && return 0
	sed 's/^/# /' "$tmp/make.log"
	return 1
}
ktap_test_result "make install DESTDIR=... prefix=/usr" quiet_make install DESTDIR="$dest" "${dirs[@]}"

# the installed files, one per line, sorted, DESTDIR stripped
installed()
{
	(cd "$dest" && find . ! -type d | sed 's|^\.||' | LC_ALL=C sort)
}
want=$(
	{
		printf '%s\n' /usr/sbin/wgmesh /usr/share/man/man8/wgmesh.8 \
			/usr/share/man/man5/wgmesh.conf.5 \
			/usr/share/bash-completion/completions/wgmesh \
			/lib/systemd/system/wgmesh@.service \
			/lib/systemd/system/wgmesh-watch@.service \
			"/usr/src/wgmesh-$version/dkms.conf" "/usr/src/wgmesh-$version/Kbuild"
		(cd "$repo" && ls kernel/*.[ch] kernel/uapi/*.h kernel/selftest/*.[ch]) |
			sed "s|^|/usr/src/wgmesh-$version/|"
	} | LC_ALL=C sort)
same_files()
{
	[ "$(installed)" = "$want" ] && return 0
	diff <(echo "$want") <(installed) | sed -n 's/^</# missing:/p; s/^>/# unexpected:/p'
	return 1
}
ktap_expect "the CLI, man pages, completion, unit and DKMS sources, nothing else" same_files
ktap_expect "/etc/wgmesh exists" test -d "$dest/etc/wgmesh"
ktap_expect "the installed wgmesh is version $version" \
	eval '[ "$("$dest/usr/sbin/wgmesh" --version)" = "wgmesh $version" ]'
ktap_expect "dkms.conf has PACKAGE_VERSION=\"$version\"" \
	grep -qx "PACKAGE_VERSION=\"$version\"" "$dest/usr/src/wgmesh-$version/dkms.conf"

unit=$dest/lib/systemd/system/wgmesh@.service
ktap_expect "the unit runs the installed /usr/sbin/wgmesh" \
	eval 'grep -q "^ExecStart=/usr/sbin/wgmesh up /etc/wgmesh/%i.conf" "$unit"'
ktap_expect "the watch unit runs the installed /usr/sbin/wgmesh" \
	grep -q "^ExecStart=/usr/sbin/wgmesh watch /etc/wgmesh/%i.conf" \
	"$dest/lib/systemd/system/wgmesh-watch@.service"
# verify: the units as installed, but running the staged binary
verify()
{
	local out u
	mkdir -p "$tmp/units"
	for u in wgmesh@.service wgmesh-watch@.service; do
		sed "s|/usr/sbin/wgmesh|$dest/usr/sbin/wgmesh|" \
			"$dest/lib/systemd/system/$u" > "$tmp/units/$u"
	done
	out=$(systemd-analyze verify --man=no "$tmp/units/wgmesh@mesh.service" \
		"$tmp/units/wgmesh-watch@mesh.service" 2>&1) &&
		[ -z "$out" ] && return 0
	echo "$out" | sed 's/^/# /'
	return 1
}
if command -v systemd-analyze >/dev/null; then
	ktap_test_result "systemd-analyze verify wgmesh@mesh.service wgmesh-watch@mesh.service" verify
else
	ktap_test_skip "systemd-analyze verify wgmesh@mesh.service wgmesh-watch@mesh.service" "systemd-analyze not installed"
fi

ktap_test_result "make uninstall leaves no file" \
	eval 'quiet_make uninstall DESTDIR="$dest" "${dirs[@]}" && [ -z "$(installed)" ]'

ktap_finished
