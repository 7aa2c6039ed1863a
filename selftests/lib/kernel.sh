# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash source-path=SCRIPTDIR
#
# kernel.sh: facts about kernels that the host scripts (Makefile,
# run_tests.sh, vm/run.sh, bench/run.sh) and the guest tests share, each
# in one place. Plain bash, no other library needed.
#
#   resolve_kver KERNEL     the release to build for and boot
#   resolve_kroot_kver ROOT KERNEL  the same in a kernel staging root
#   kernel_splat FILE...    the lines of a kernel log that show a splat

# The test kernels are Debian's cloud kernels (KFLAVOUR overrides it, as
# in the top-level Makefile).
KERNEL_FLAVOUR=${KFLAVOUR:-cloud-amd64}

# Whatever in a kernel log means the kernel went wrong: an oops, BUG or
# WARNING (refcount_t: saturation and underflow come with one), KASAN, a
# call trace, or a device whose references are never dropped.
KERNEL_SPLAT_RE='Oops|BUG:|WARNING:|KASAN|Call Trace|refcount_t:|unregister_netdevice: waiting'

# resolve_kver KERNEL: KERNEL when it is a full release that is installed
# (its /boot/vmlinuz-* or its /usr/src/linux-headers-*); for a line such
# as 6.1, the newest installed release of that line and flavour. Prints
# nothing when there is none.
resolve_kver()
{
	local k=$1

	if [ -e "/boot/vmlinuz-$k" ] || [ -d "/usr/src/linux-headers-$k" ]; then
		echo "$k"
		return
	fi
	# shellcheck disable=SC2012
	ls -d /boot/vmlinuz-"$k".*-"$KERNEL_FLAVOUR" \
		/usr/src/linux-headers-"$k".*-"$KERNEL_FLAVOUR" 2>/dev/null |
		sed 's|.*/vmlinuz-||; s|.*/linux-headers-||' | sort -uV | tail -n 1 || true
}

# resolve_kroot_kver ROOT KERNEL: the same for the kernels of a staging
# root (modules_install INSTALL_MOD_PATH=ROOT, its image in ROOT/boot, see
# vm/run.sh --kroot), of any flavour: KERNEL when ROOT/boot/vmlinuz-KERNEL
# exists, else the newest release of that line there.
resolve_kroot_kver()
{
	local root=$1 k=$2

	if [ -e "$root/boot/vmlinuz-$k" ]; then
		echo "$k"
		return
	fi
	# shellcheck disable=SC2012
	ls -d "$root"/boot/vmlinuz-"$k".* 2>/dev/null |
		sed 's|.*/vmlinuz-||' | sort -V | tail -n 1 || true
}

# kernel_splat FILE...: print the splat lines of kernel logs (stdin when
# no FILE); true when there is one.
kernel_splat()
{
	grep -hE "$KERNEL_SPLAT_RE" "$@"
}

# dmesg_splat: print the splat lines of the running kernel's log; true
# when there is one
dmesg_splat()
{
	dmesg | kernel_splat
}
