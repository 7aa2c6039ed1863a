#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# mkimage.sh OUTDIR: a bootable Debian 12 root filesystem for the booted-
# system test (selftests/system/run.sh), built with mmdebstrap from the
# host's own apt sources:
#
#   OUTDIR/rootfs.raw   ext4 image (sparse), systemd as init, the current
#                       Debian 12 6.1 cloud kernel with its headers, dkms
#                       and everything the two wgmesh packages depend on,
#                       so that `apt install ./*.deb` works offline
#   OUTDIR/vmlinuz, OUTDIR/initrd.img   that kernel and its initramfs,
#                       copied out of the image to boot it with qemu -kernel
#   OUTDIR/kver         that kernel's release
#   OUTDIR/inputs       the hash of this script and of the files it puts
#                       in the image: run.sh rebuilds the image only when
#                       it changes (image_inputs)
#
# The image runs wgmesh-system-test.service at every boot: it mounts the
# disk labelled WGMESH-PAYLOAD (the packages and the test's guest half,
# made fresh by run.sh for every run) and runs its guest.sh, whose output
# goes to the virtio-serial port wgmesh.out.

set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# image_inputs DIR: the hash of everything the image is made from
image_inputs()
{
	cat "$1/mkimage.sh" "$1/wgmesh-system-test.service" "$1/wgmesh-system-test" |
		sha256sum | cut -d' ' -f1
}
[ "${1:-}" = --inputs ] && { image_inputs "$here"; exit 0; }

die()
{
	echo "mkimage.sh: $*" >&2
	exit 1
}

out=${1:?usage: mkimage.sh OUTDIR | --inputs}
[ "$(id -u)" = 0 ] || die "must run as root (mmdebstrap --mode=root, mke2fs -d)"
command -v mmdebstrap >/dev/null || die "mmdebstrap not found (run 'make deps')"
command -v mke2fs >/dev/null || die "mke2fs not found (apt-get install e2fsprogs)"

# The host's apt sources (deb822 or one-line), so the image comes from the
# mirror this machine already uses.
sources=
for f in /etc/apt/sources.list.d/debian.sources /etc/apt/sources.list; do
	[ -s "$f" ] && { sources=$f; break; }
done
[ -n "$sources" ] || die "no /etc/apt/sources.list.d/debian.sources or /etc/apt/sources.list"

# What the test needs in the booted system; the wgmesh packages' own
# dependencies (libmnl0, libnftables1, libqrencode4, libsodium23, dkms: what `dpkg-deb -f
# build/deb/*.deb Depends` names) are here so that apt installs them
# offline.
pkgs=(systemd systemd-sysv udev dbus kmod procps iproute2 iputils-ping
	wireguard-tools libmnl0 libnftables1 libqrencode4 libsodium23 dkms initramfs-tools
	linux-image-cloud-amd64 linux-headers-cloud-amd64)

mkdir -p "$out"
work=$(mktemp -d "$out/mkimage.XXXXXX")
trap 'rm -rf "$work"' EXIT
root=$work/root

echo "mkimage.sh: mmdebstrap bookworm into $root" >&2
# shellcheck disable=SC2016 # the hooks' $1 is mmdebstrap's root directory
mmdebstrap --mode=root --variant=minbase --format=directory \
	--include="$(IFS=,; echo "${pkgs[*]}")" \
	--dpkgopt='path-exclude=/usr/share/doc/*' \
	--dpkgopt='path-exclude=/usr/share/man/*' \
	--dpkgopt='path-exclude=/usr/share/locale/*' \
	--customize-hook='echo ctrl1 > "$1/etc/hostname"' \
	--customize-hook='printf "127.0.0.1 localhost\n::1 localhost\n" > "$1/etc/hosts"' \
	--customize-hook='echo "/dev/vda / ext4 rw,errors=remount-ro 0 1" > "$1/etc/fstab"' \
	--customize-hook='passwd --root "$1" -d root' \
	--customize-hook="upload $here/wgmesh-system-test.service /etc/systemd/system/wgmesh-system-test.service" \
	--customize-hook="upload $here/wgmesh-system-test /usr/local/sbin/wgmesh-system-test" \
	--customize-hook='chmod 755 "$1/usr/local/sbin/wgmesh-system-test"' \
	--customize-hook='chroot "$1" systemctl enable wgmesh-system-test.service' \
	--customize-hook='chroot "$1" systemctl mask apt-daily.timer apt-daily-upgrade.timer e2scrub_all.timer fstrim.timer' \
	bookworm "$root" "$sources"

kver=$(find "$root/lib/modules" -mindepth 1 -maxdepth 1 -printf '%f\n' | sort -V | tail -n 1)
[ -n "$kver" ] && [ -f "$root/boot/vmlinuz-$kver" ] && [ -f "$root/boot/initrd.img-$kver" ] ||
	die "no kernel and initramfs in the image"
[ -d "$root/usr/src/linux-headers-$kver" ] || die "no headers for $kver in the image"
cp "$root/boot/vmlinuz-$kver" "$work/vmlinuz"
cp "$root/boot/initrd.img-$kver" "$work/initrd.img"

echo "mkimage.sh: mke2fs -d $root ($kver)" >&2
rm -f "$work/rootfs.raw"
mke2fs -q -t ext4 -L wgmesh-root -d "$root" "$work/rootfs.raw" 4G

mv "$work/rootfs.raw" "$work/vmlinuz" "$work/initrd.img" "$out/"
echo "$kver" > "$out/kver"
image_inputs "$here" > "$out/inputs"
echo "mkimage.sh: $out/rootfs.raw ready ($kver)" >&2
