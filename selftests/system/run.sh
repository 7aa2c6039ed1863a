#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# run.sh: the booted-system test. Boots a real Debian 12 system (systemd
# as init, the Debian 6.1 cloud kernel with its headers) in qemu from a
# disk image, installs the two packages of `make deb` with apt there and
# runs guest.sh through two boots: DKMS builds the module, wgmesh@mesh
# brings up the controller, peers in network namespaces ping through it,
# a reboot brings the mesh back by itself, `systemctl reload` keeps
# unchanged sessions, apt purge leaves nothing behind. KTAP on stdout.
#
#   selftests/system/run.sh [-t SECONDS] [-v] [-d DIR]
#
#   -t SECONDS   kill the VM after this long (default 2400)
#   -v           also stream the VM's serial console to stderr
#   -d DIR       where the .debs are (default build/deb, from `make deb`)
#
# `make check-system` builds the packages and runs it. The image is built
# by mkimage.sh into build/system/ (mmdebstrap from the host's apt
# sources: several minutes) and reused while mkimage.sh and the files it
# puts in the image are unchanged; each run boots a fresh qcow2 overlay of
# it, with the packages and guest.sh on a second disk. Not part of `make
# check`: the run takes minutes under TCG.

set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
. "$repo/selftests/lib/ktap.sh"
build=${WGMESH_BUILD:-$repo/build}/system
debs=$repo/build/deb
timeout=2400
verbose=0

# die TEXT: one line on stderr, exit 1
die()
{
	echo "run.sh: $*" >&2
	exit 1
}

while getopts t:vd:h opt; do
	case $opt in
	t) timeout=$OPTARG ;;
	v) verbose=1 ;;
	d) debs=$OPTARG ;;
	*) sed -n '12,16s/^# \{0,1\}//p' "${BASH_SOURCE[0]}" >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ $# = 0 ] || die "unexpected argument '$1' (see -h)"

command -v qemu-system-x86_64 >/dev/null || die "qemu-system-x86_64 not found (make deps-system)"
command -v qemu-img >/dev/null || die "qemu-img not found (make deps-system)"
command -v mke2fs >/dev/null || die "mke2fs not found (make deps-system)"
version=$(sed -n 's/^#define WGMESH_VERSION "\(.*\)"/\1/p' "$repo/kernel/version.h")
deb_cli=$debs/wgmesh_${version}_amd64.deb
deb_dkms=$debs/wgmesh-dkms_${version}_all.deb
[ -f "$deb_cli" ] && [ -f "$deb_dkms" ] || die "no $deb_cli or $deb_dkms (run 'make deb')"

ktap_print_header
plan=$(sed -n 's/^# wgmesh-plan: *\([0-9]\+\).*/\1/p' "$here/guest.sh")
ktap_set_plan $((plan + 2))
t_start=$SECONDS

# ---------------------------------------------------------------- image
# One image build at a time; a run already booted keeps the image it
# opened (mkimage.sh replaces the files, never rewrites them).
mkdir -p "$build"
want=$("$here/mkimage.sh" --inputs)
t=$SECONDS
built=$( {
	flock 9
	if [ -s "$build/rootfs.raw" ] && [ "$(cat "$build/inputs" 2>/dev/null)" = "$want" ]; then
		echo cached
	elif nice "$here/mkimage.sh" "$build" > "$build/mkimage.log" 2>&1; then
		echo built
	else
		echo failed
	fi
} 9> "$build/lock" )
case $built in
cached) ktap_test_pass "Debian 12 image (cached: $(cat "$build/kver"))" ;;
built) ktap_test_pass "Debian 12 image (built in $((SECONDS - t))s: $(cat "$build/kver"))" ;;
*)
	sed 's/^/# /' "$build/mkimage.log" | tail -n 40
	ktap_test_fail "Debian 12 image"
	ktap_exit_fail_msg "no image (log: $build/mkimage.log)"
	;;
esac

# ---------------------------------------------------------------- run disks
run=$(mktemp -d "$build/run.XXXXXX")
qpid=
cleanup()
{
	[ -n "$qpid" ] && kill "$qpid" 2>/dev/null
	rm -rf "$run"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

mkdir -p "$run/payload/lib"
cp "$here/guest.sh" "$run/payload/"
cp "$repo/selftests/lib/ktap.sh" "$repo/selftests/lib/kernel.sh" "$run/payload/lib/"
cp "$deb_cli" "$deb_dkms" "$run/payload/"
mke2fs -q -t ext4 -L WGMESH-PAYLOAD -d "$run/payload" "$run/payload.img" 64M > /dev/null
qemu-img create -q -f qcow2 -b "$build/rootfs.raw" -F raw "$run/root.qcow2"

# ---------------------------------------------------------------- boot
case ${WGMESH_ACCEL:-$(cat "$repo/build/vm/accel" 2>/dev/null || echo tcg)} in
kvm) accel=(-accel kvm -cpu host) ;;
*) accel=(-accel tcg,thread=multi -cpu Nehalem,+rdrand) ;;
esac
: > "$run/out"
: > "$run/status"
: > "$run/console"
# The guest's ports: wgmesh.out (KTAP) and wgmesh.status (exit status),
# each a file here.
ports=(-device virtio-serial-pci,id=vser)
for p in out status; do
	ports+=(-chardev "file,id=$p,path=$run/$p"
		-device "virtserialport,bus=vser.0,chardev=$p,name=wgmesh.$p")
done
# no_timer_check: as selftests/vm/run.sh, for TCG on a busy host. The
# soft-lockup and RCU-stall detectors are off: a whole system booting under
# TCG on this shared 2-core host had its initramfs's udev starved for 66 s
# (a "BUG: soft lockup" with no bug); a real hang still ends in the
# deadline, and every other splat still fails the test. timeout(1) kills
# the VM at the deadline (exit 137); it passes a TERM from cleanup on to
# qemu.
timeout -s KILL "$timeout" qemu-system-x86_64 "${accel[@]}" -smp 2 -m 2G \
	-nodefaults -no-user-config -display none \
	-kernel "$build/vmlinuz" -initrd "$build/initrd.img" \
	-append "root=/dev/vda rw console=ttyS0 mitigations=off no_timer_check nosoftlockup rcupdate.rcu_cpu_stall_suppress=1 systemd.show_status=0" \
	-drive "file=$run/root.qcow2,if=virtio,format=qcow2,discard=unmap" \
	-drive "file=$run/payload.img,if=virtio,format=raw,readonly=on" \
	-serial "file:$run/console" \
	-device virtio-rng-pci "${ports[@]}" \
	> "$run/qemu.log" 2>&1 &
qpid=$!
t_boot=$SECONDS
echo "# qemu: $(IFS=' '; echo "${accel[*]}"), 2 CPUs, 2G, kernel $(cat "$build/kver")"
[ "$verbose" = 1 ] && tail -s 0.2 -n +1 -f --pid="$qpid" "$run/console" >&2 &

# The guest's KTAP, renumbered into this stream as it arrives.
while IFS= read -r line; do
	case $line in
	"not ok "*) line=${line#not ok }; ktap_test_fail "${line#* }" ;;
	"ok "*)
		line=${line#ok }
		line=${line#* }
		if [[ $line == *"# SKIP"* ]]; then
			ktap_test_skip "${line%% # SKIP*}" "${line#*# SKIP}"
		else
			ktap_test_pass "$line"
		fi
		;;
	"#"*|"Bail out!"*) echo "$line" ;;
	"") ;;
	*) echo "# $line" ;;
	esac
done < <(tail -s 0.2 -n +1 -f --pid="$qpid" "$run/out")
qrc=0
wait "$qpid" 2>/dev/null || qrc=$?
qpid=

rc=$(tr -dc '0-9' < "$run/status")
echo "# VM: $((SECONDS - t_boot))s from first boot to power-off; test: $((SECONDS - t_start))s"
if [ "$qrc" = 137 ]; then
	ktap_test_fail "the VM powered off by itself within ${timeout}s"
elif [ -z "$rc" ]; then
	ktap_test_fail "the VM powered off by itself, reporting an exit status"
else
	ktap_test_pass "the VM powered off by itself after its second boot (guest exit $rc)"
fi
if [ "$KTAP_CNT_FAIL" != 0 ] || [ -z "$rc" ]; then
	echo "# ---- serial console (last 80 lines) ----"
	tail -n 80 "$run/console" | sed 's/^/# /'
	[ -s "$run/qemu.log" ] && sed 's/^/# qemu: /' "$run/qemu.log"
	cp "$run/console" "$build/console.log"
	echo "# full console: $build/console.log"
fi
ktap_finished
