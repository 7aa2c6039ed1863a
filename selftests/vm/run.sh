#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# run.sh: run one command as root in a fresh VM booting a Debian test kernel.
#
#   selftests/vm/run.sh [options] -- CMD [ARG...]
#   selftests/vm/run.sh [options] -c 'SHELL CODE'
#
#   -k KERNEL    kernel release or line: 6.1, 6.12 or a full `uname -r`
#                (default: newest installed 6.1 cloud kernel)
#   -t SECONDS   kill the guest after this long (default 120); exit 124
#   --ko PATH    the wgmesh.ko to give the guest as $WGMESH_KO
#                (default: build/<kver>/wgmesh.ko, see `make modules-all`)
#   -e VAR=VAL   set VAR in the guest (repeatable)
#   --add SRC:DST  copy a host file or directory to DST in the guest
#   --smp N / --mem SIZE  guest CPUs (default 2) and memory (default 1G)
#   -v           also stream the guest console to stderr
#   --kroot DIR  boot DIR/boot/vmlinuz-<kver> with the modules of
#                DIR/lib/modules/<kver> instead of /boot and /lib/modules
#                (a modules_install INSTALL_MOD_PATH=DIR staging root, e.g.
#                build/debug-kernel/current/root); -k 6.12 then also matches
#                a kernel there that is no cloud kernel
#   --wrap PROG  run the command in the guest as `PROG CMD...` (PROG:
#                relative to the repo, e.g. selftests/debug/guest.sh)
#   --machine TYPE  qemu's -machine (default: qemu's, pc)
#   --tcg-thread single|multi  TCG threading (default single: all vCPUs
#                in one host thread; multi: one host thread per vCPU, which
#                qemu 7.2 gets wrong: see the accelerator below)
#   --qemu-arg ARG  one more qemu argument (repeatable), after run.sh's own,
#                e.g. --qemu-arg -icount --qemu-arg shift=0,sleep=off
#
# WGMESH_KROOT, WGMESH_VM_WRAP, WGMESH_VM_MEM, WGMESH_VM_MACHINE and
# WGMESH_VM_TCG_THREAD set the defaults of --kroot, --wrap, --mem,
# --machine and --tcg-thread; WGMESH_VM_QEMU_ARGS holds more qemu
# arguments (split at blanks), before those of --qemu-arg;
# WGMESH_DEBUG_LANE and WGMESH_TIMEOUT_SCALE are passed on to the guest
# when set.
#
# The guest: busybox + bash, ip, wg, ping, iperf3, ... (see mkinitramfs.sh),
# the repo's tools/ and selftests/ at /wgmesh (cwd), PATH starting with
# /wgmesh/tools:/wgmesh/selftests, $KVER = uname -r, $WGMESH_KO, and from
# `make modules-all` $WGMESH_KO_DEBUG (the WGMESH_DEBUG=1 build) and
# $WGMESH_KMOD (the directory of the selftests' helper modules).
#
# The command's stdout+stderr, exit status and the guest's kernel log come
# back over virtio-serial. Output is streamed to stdout while the guest
# runs. Exit status: the command's; 124 on timeout; 125 if the guest died
# without reporting one; 1 if the command passed but the kernel log shows a
# splat (lib/kernel.sh: Oops, BUG:, WARNING:, KASAN...). On any failure the
# console log and the guest kernel log are printed to stderr.
#
# Uses virtme-ng (vng) instead when it is installed (WGMESH_VNG=0 to avoid).
# Acceleration: KVM only when a time-bounded probe boot succeeds (cached in
# build/vm/accel); WGMESH_ACCEL=tcg|kvm forces one.

set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
. "$here/../lib/kernel.sh"
build=${WGMESH_BUILD:-$repo/build}

kernel=6.1
timeout=120
ko=
smp=2
mem=${WGMESH_VM_MEM:-1G}
kroot=${WGMESH_KROOT:-}
wrap=${WGMESH_VM_WRAP:-}
machine=${WGMESH_VM_MACHINE:-}
tcg_thread=${WGMESH_VM_TCG_THREAD:-single}
verbose=0
script=
envs=()
adds=()
read -r -a qemu_args <<< "${WGMESH_VM_QEMU_ARGS:-}"

usage()
{
	sed -n '4,43s/^# \{0,1\}//p' "${BASH_SOURCE[0]}" >&2
	exit 2
}

die()
{
	echo "run.sh: $*" >&2
	exit 125
}

while [ $# -gt 0 ]; do
	case $1 in
	-k) kernel=${2:?}; shift 2 ;;
	-t) timeout=${2:?}; shift 2 ;;
	--ko) ko=${2:?}; shift 2 ;;
	-e) envs+=("${2:?}"); shift 2 ;;
	--add) adds+=("${2:?}"); shift 2 ;;
	--smp) smp=${2:?}; shift 2 ;;
	--mem) mem=${2:?}; shift 2 ;;
	-v) verbose=1; shift ;;
	--kroot) kroot=${2:?}; shift 2 ;;
	--wrap) wrap=${2:?}; shift 2 ;;
	--machine) machine=${2:?}; shift 2 ;;
	--tcg-thread) tcg_thread=${2:?}; shift 2 ;;
	--qemu-arg) qemu_args+=("${2:?}"); shift 2 ;;
	-c) script=${2:?}; shift 2 ;;
	-h|--help) usage ;;
	--) shift; break ;;
	-*) echo "run.sh: unknown option $1" >&2; usage ;;
	*) break ;;
	esac
done
[ -n "$script" ] || [ $# -gt 0 ] || usage
if [ -n "$kroot" ]; then
	[ -d "$kroot/boot" ] || die "--kroot $kroot: no $kroot/boot"
	kroot=$(cd "$kroot" && pwd)
fi
if [ -n "$wrap" ] && [ "${wrap#/}" = "$wrap" ] && [ ! -x "$repo/$wrap" ]; then
	die "--wrap $wrap: no executable $repo/$wrap"
fi
case $tcg_thread in
single|multi) ;;
*) die "--tcg-thread must be single or multi, not '$tcg_thread'" ;;
esac

# The kernel: a full release stays, a line (6.1) becomes the newest
# installed cloud kernel of that line (with --kroot: the newest kernel of
# that line there).
if [ -n "$kroot" ]; then
	kver=$(resolve_kroot_kver "$kroot" "$kernel")
	[ -n "$kver" ] || die "no kernel in $kroot matches '$kernel' ($kroot/boot/vmlinuz-$kernel*)"
else
	kver=$(resolve_kver "$kernel")
	[ -n "$kver" ] || die "no installed kernel matches '$kernel' (/boot/vmlinuz-$kernel.*-$KERNEL_FLAVOUR; run 'make deps')"
fi
vmlinuz=$kroot/boot/vmlinuz-$kver
[ -r "$vmlinuz" ] || die "$vmlinuz is not readable"
default_ko=$build/$kver/wgmesh.ko
[ -n "$ko" ] || ko=$default_ko
if [ ! -f "$ko" ]; then
	echo "run.sh: warning: $ko does not exist (run 'make modules-all')" >&2
fi

run=$(mktemp -d "${TMPDIR:-/tmp}/wgmesh-vm.XXXXXX")
qpid=
cleanup()
{
	[ -n "$qpid" ] && kill -9 "$qpid" 2>/dev/null
	rm -rf "$run"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# write_cmd FILE CMD...: the guest's command, as a bash script.
write_cmd()
{
	local file=$1
	shift
	{
		echo "# generated by run.sh"
		if [ -n "$script" ]; then
			printf '%s\n' "$script"
		else
			printf 'exec'
			printf ' %q' "$@"
			printf '\n'
		fi
	} > "$file"
}

# pass_env: export lines for the host variables the guest inherits.
pass_env()
{
	local v
	for v in WGMESH_DEBUG_LANE WGMESH_TIMEOUT_SCALE; do
		[ -z "${!v:-}" ] || printf 'export %q\n' "$v=${!v}"
	done
}

# ---------------------------------------------------------------- virtme-ng
if [ "${WGMESH_VNG:-1}" != 0 ] && [ -z "$kroot" ] && command -v vng >/dev/null; then
	[ ${#qemu_args[@]} = 0 ] || die "--qemu-arg/WGMESH_VM_QEMU_ARGS need the plain qemu runner (WGMESH_VNG=0)"
	write_cmd "$run/cmd" "$@"
	{
		echo "export WGMESH_KO=$(printf %q "$ko") KVER=\$(uname -r)"
		echo "export PATH=$(printf %q "$repo/tools:$repo/selftests"):\$PATH"
		pass_env
		for e in "${envs[@]+"${envs[@]}"}"; do printf 'export %q\n' "$e"; done
		echo "cd $(printf %q "$repo")"
		echo "${wrap:+$(printf '%q ' "$wrap")}bash $(printf %q "$run/cmd"); rc=\$?"
		echo "dmesg > $(printf %q "$run/dmesg"); exit \$rc"
	} > "$run/vng.sh"
	rc=0
	timeout -k 5 "$timeout" vng --run "$vmlinuz" --user root --cpus "$smp" \
		--memory "$mem" --rwdir "$run" --exec "bash $run/vng.sh" || rc=$?
	if [ -f "$run/dmesg" ] && kernel_splat "$run/dmesg" >/dev/null; then
		echo "run.sh: kernel splat in the guest kernel log:" >&2
		cat "$run/dmesg" >&2
		[ "$rc" != 0 ] || rc=1
	fi
	exit "$rc"
fi

# ---------------------------------------------------------------- initramfs
command -v qemu-system-x86_64 >/dev/null || die "qemu-system-x86_64 not found (run 'make deps')"

base=$build/vm/$kver/base.cpio
mkdir -p "$build/vm/$kver"
(
	flock 9
	stale=0
	for f in "$here/mkinitramfs.sh" "$here/init" "$kroot/lib/modules/$kver/modules.dep" \
		$(command -v bash ip wg ping iperf3 kmod ss tc tcpdump socat jq radvd); do
		[ "$f" -nt "$base" ] && stale=1
	done
	# The same release from another root (a rebuilt debug kernel).
	[ "$(cat "$base.src" 2>/dev/null || echo /)" = "${kroot:-/}" ] || stale=1
	if [ ! -s "$base" ] || [ "$stale" = 1 ]; then
		echo "run.sh: building initramfs for $kver" >&2
		"$here/mkinitramfs.sh" "$kver" "$base.$$" ${kroot:+"$kroot"} &&
			mv "$base.$$" "$base" || { rm -f "$base.$$"; exit 1; }
		cpio -it --quiet < "$base" | sed 's|^\./|/|' > "$base.list"
		echo "${kroot:-/}" > "$base.src"
	fi
) 9> "$build/vm/$kver/lock" || die "building the initramfs for $kver failed"

# The per-run payload: the repo's tools/ and selftests/ (with their built
# binaries), the module, the command, and libraries the payload's
# executables need that the base image lacks.
stage=$run/payload
mkdir -p "$stage/wgmesh" "$stage/wgmesh-run"
dirs=()
for d in tools selftests; do [ -d "$repo/$d" ] && dirs+=("$d"); done
# Host-only parts (fuzzers, sanitizer unit-test builds) stay out.
tar -C "$repo" -cf - --exclude='*.o' --exclude='*.d' --exclude='*.a' \
	--exclude='.*' --exclude=tools/fuzz --exclude=tools/tests \
	"${dirs[@]}" | tar -C "$stage/wgmesh" -xf -
if [ "$ko" = "$default_ko" ]; then
	guest_ko=/wgmesh/build/$kver/wgmesh.ko
else
	guest_ko=/wgmesh-run/wgmesh.ko
fi
if [ -f "$ko" ]; then
	mkdir -p "$stage$(dirname "$guest_ko")"
	cp "$ko" "$stage$guest_ko"
fi
# The debug build and the helper modules of `make modules-all`, if any.
guest_ko_debug=/wgmesh/build/$kver/debug/wgmesh.ko
guest_kmod=/wgmesh/build/$kver/kmod
if [ -f "$build/$kver/debug/wgmesh.ko" ]; then
	mkdir -p "$stage$(dirname "$guest_ko_debug")"
	cp "$build/$kver/debug/wgmesh.ko" "$stage$guest_ko_debug"
fi
for k in "$build/$kver/kmod"/*.ko; do
	[ -f "$k" ] || continue
	mkdir -p "$stage$guest_kmod"
	cp "$k" "$stage$guest_kmod/"
done
for a in "${adds[@]+"${adds[@]}"}"; do
	src=${a%%:*}
	dst=${a#*:}
	[ -e "$src" ] || die "--add: $src does not exist"
	mkdir -p "$stage$(dirname "$dst")"
	cp -a "$src" "$stage$dst"
done
find "$stage" -type f -perm -u+x -print0 | while IFS= read -r -d '' f; do
	{ ldd "$f" 2>/dev/null || true; } | awk '/=> \// { print $3 }'
done | sort -u | while read -r lib; do
	if ! grep -qxF "$lib" "$base.list" && [ ! -e "$stage$lib" ]; then
		mkdir -p "$stage$(dirname "$lib")"
		cp -L "$lib" "$stage$lib"
	fi
done
write_cmd "$stage/wgmesh-run/cmd" "$@"
if [ -n "$wrap" ]; then
	mv "$stage/wgmesh-run/cmd" "$stage/wgmesh-run/cmd.inner"
	printf 'exec %q bash /wgmesh-run/cmd.inner\n' "$wrap" > "$stage/wgmesh-run/cmd"
fi
{
	echo "export PATH=/wgmesh/tools:/wgmesh/selftests:/bin"
	echo "export WGMESH_KO=$guest_ko"
	echo "export WGMESH_KO_DEBUG=$guest_ko_debug WGMESH_KMOD=$guest_kmod"
	echo "export KVER=\$(uname -r)"
	echo "export TERM=dumb"
	pass_env
	for e in "${envs[@]+"${envs[@]}"}"; do printf 'export %q\n' "$e"; done
} > "$stage/wgmesh-run/env"
cat "$base" > "$run/initrd"
(cd "$stage" && find . -mindepth 1 -print0 | LC_ALL=C sort -z |
	cpio --null -o -H newc --owner=0:0 --quiet) >> "$run/initrd"

# ---------------------------------------------------------------- accel
probe_kvm()
{
	local cache=$build/vm/accel
	if [ -s "$cache" ]; then
		cat "$cache"
		return
	fi
	local accel=tcg
	if [ -r /dev/kvm ] && [ -w /dev/kvm ]; then
		# A kernel with no root panics at once; with working KVM that
		# takes about a second, a broken one hangs until the timeout.
		if timeout -k 2 10 qemu-system-x86_64 -accel kvm -cpu host -m 256 \
			-nodefaults -no-user-config -display none -no-reboot \
			-kernel "$vmlinuz" -append "console=ttyS0 panic=-1" \
			-serial "file:$run/kvm-probe.log" >/dev/null 2>&1 &&
		   grep -q 'Kernel panic' "$run/kvm-probe.log"; then
			accel=kvm
		fi
	fi
	echo "$accel" > "$cache"
	echo "$accel"
}

# TCG runs all vCPUs in one host thread by default. With a thread per vCPU
# a vCPU can still run a translated int3 that text_poke_bp() has already
# removed while the other vCPU flips a static key, and the kernel dies with
# "Oops: int3" (seen at boot in sched_clock_cpu(), when sched_clock is
# marked stable, in a make check run and in the debug lane). One thread
# costs make check's tests about 8% (module_forward and mesh_clan on 6.12:
# 82 s instead of 76 s).
accel=${WGMESH_ACCEL:-$(probe_kvm)}
case $accel in
kvm) accel_args=(-accel kvm -cpu host) ;;
tcg) accel_args=(-accel "tcg,thread=$tcg_thread" -cpu Nehalem,+rdrand) ;;
*) die "WGMESH_ACCEL must be kvm or tcg, not '$accel'" ;;
esac

# ---------------------------------------------------------------- boot
# no_timer_check: under TCG on a busy host the IO-APIC timer check can fail
# and panic the boot. The stall and lockup detectors get more time for the
# same reason (a real hang still ends in the run's timeout).
cmdline="console=ttyS0 panic=-1 loglevel=5 rdinit=/init mitigations=off"
cmdline+=" no_timer_check rcupdate.rcu_cpu_stall_timeout=60 watchdog_thresh=30"
: > "$run/out"
: > "$run/status"
: > "$run/dmesg"
: > "$run/console"
start=$EPOCHREALTIME
qemu-system-x86_64 "${accel_args[@]}" ${machine:+-machine "$machine"} \
	-smp "$smp" -m "$mem" \
	-nodefaults -no-user-config -display none -no-reboot \
	-kernel "$vmlinuz" -initrd "$run/initrd" \
	-append "$cmdline" \
	-serial "file:$run/console" \
	-device virtio-rng-pci \
	-device virtio-serial-pci,id=vser \
	-chardev "file,id=out,path=$run/out" \
	-device virtserialport,bus=vser.0,chardev=out,name=wgmesh.out \
	-chardev "file,id=status,path=$run/status" \
	-device virtserialport,bus=vser.0,chardev=status,name=wgmesh.status \
	-chardev "file,id=dmesg,path=$run/dmesg" \
	-device virtserialport,bus=vser.0,chardev=dmesg,name=wgmesh.dmesg \
	"${qemu_args[@]+"${qemu_args[@]}"}" \
	> "$run/qemu.log" 2>&1 &
qpid=$!

# Stream the guest's output as it arrives; after the guest is gone, print
# exactly what is left, so nothing depends on a tail process's timing.
printed=0
# flush_out: print what the guest wrote since the last call. One dd, no
# pipe: with `tail | head` under pipefail, head exiting after its count
# could SIGPIPE tail and run.sh died with 141 when the guest printed
# megabytes at once.
flush_out()
{
	local size
	size=$(stat -c %s "$run/out")
	if [ "$size" -gt "$printed" ]; then
		dd if="$run/out" iflag=skip_bytes,count_bytes skip="$printed" \
			count=$((size - printed)) bs=64K status=none
		printed=$size
	fi
}

if [ "$verbose" = 1 ]; then
	tail -s 0.1 -n +1 -f --pid="$qpid" "$run/console" >&2 &
fi

timed_out=0
deadline=$((SECONDS + timeout))
while kill -0 "$qpid" 2>/dev/null; do
	if [ "$SECONDS" -ge "$deadline" ]; then
		timed_out=1
		kill -9 "$qpid" 2>/dev/null
		break
	fi
	flush_out
	sleep 0.1
done
qrc=0
{ wait "$qpid"; } 2>/dev/null || qrc=$?
qpid=
flush_out
wait 2>/dev/null || true
elapsed=$(awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')

# Output that does not end a line would run into our messages.
[ -s "$run/out" ] && [ -n "$(tail -c 1 "$run/out")" ] && echo

# dump_logs [full]: the guest kernel log since init started (all of it
# with "full"), or the console when the guest sent no kernel log.
dump_logs()
{
	{
		if [ -s "$run/dmesg" ]; then
			echo "run.sh: ---- guest kernel log ($kver, $accel) ----"
			if [ "${1:-}" = full ]; then
				cat "$run/dmesg"
			else
				sed -n '/Run \/init as init process/,$p' "$run/dmesg"
			fi
		else
			echo "run.sh: ---- guest console ($kver, $accel) ----"
			cat "$run/console"
		fi
		if [ -s "$run/qemu.log" ]; then
			echo "run.sh: ---- qemu ----"
			cat "$run/qemu.log"
		fi
		echo "run.sh: ---- end ----"
	} >&2
}

if [ "$timed_out" = 1 ]; then
	echo "run.sh: timeout: guest killed after ${timeout}s ($kver)" >&2
	dump_logs
	exit 124
fi
rc=$(tr -dc '0-9' < "$run/status")
if [ -z "$rc" ]; then
	echo "run.sh: guest ($kver) died without reporting an exit status (qemu exit $qrc)" >&2
	dump_logs
	exit 125
fi
if kernel_splat "$run/dmesg" "$run/console" >/dev/null; then
	echo "run.sh: kernel splat in the guest ($kver) kernel log" >&2
	dump_logs full
	[ "$rc" != 0 ] || rc=1
	exit "$rc"
fi
if [ "$rc" != 0 ] && [ "$rc" != 4 ]; then
	echo "run.sh: command exited $rc in the guest ($kver)" >&2
	dump_logs
fi
[ "${WGMESH_VM_TIME:-0}" = 1 ] && echo "run.sh: $kver $accel ${elapsed}s" >&2
exit "$rc"
