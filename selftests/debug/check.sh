#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# check.sh: the debug-kernel lane (make check-debug): every VM selftest on
# a 6.12 kernel built with KASAN, lockdep, kmemleak and the net debug
# checks, failing on any report.
#
#   selftests/debug/check.sh [--tests 'NAME...']
#   selftests/debug/check.sh --run [vm/run.sh options] -- CMD [ARG...]
#
# Steps, each command logged:
#  1. kernel.sh builds the debug kernel, once (build/debug-kernel/<key>/);
#  2. wgmesh.ko, its debug build and the selftests' helper modules are
#     built against it (W=1, warnings are errors) into build/<its
#     release>/ as make modules-all lays them out; the CLI and test
#     helpers as usual;
#  3. run_tests.sh runs the tests (NAMEs as its --tests; default: every
#     selftests/test_*.sh, no host unit tests) on that kernel with
#       WGMESH_KROOT          the kernel's staging root: boot it
#       WGMESH_VM_WRAP        selftests/debug/guest.sh: kmemleak after
#                             each test, leaked device references
#       WGMESH_VM_MEM=2G      KASAN's shadow, lockdep's and kmemleak's tables
#       WGMESH_VM_MACHINE=q35 its ACPI tables route PCI interrupts with a
#                             static _PRT; the pc machine's _PRT is an AML
#                             loop this kernel runs into ACPI's 30 s loop
#                             timeout, once per virtio device (a minute
#                             of every boot)
#       WGMESH_TIMEOUT_SCALE=4  every test's timeout times 4: KASAN and
#                             lockdep make the guest several times slower
#       WGMESH_DEBUG_LANE=1   in the guest: tests may run longer here
#       WGMESH_SKIP_HOST_TESTS  host tests (test_dkms.sh) are skipped: they
#                             build against installed kernel packages
#     WGMESH_VM_MEM, _MACHINE and WGMESH_TIMEOUT_SCALE
#     already set are kept.
# --run boots the same VM for one command instead (timeout 120 s times
# the scale unless -t is given), e.g.
#   selftests/debug/check.sh --run -- selftests/test_smoke.sh
# The output and exit status are run_tests.sh's (run.sh's with --run).

set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
build=${WGMESH_BUILD:-$repo/build}

die()
{
	echo "check.sh: $*" >&2
	exit 1
}

# run CMD...: log the command, then run it.
run()
{
	echo "# \$ $*" >&2
	"$@"
}

mode=tests
tests=${TESTS:-}
case ${1:-} in
--tests) tests=${2:?--tests needs a list}; shift 2 ;;
--run) mode=run; shift ;;
-h|--help) sed -n '4,43s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"; exit 0 ;;
"") ;;
*) die "unknown argument '$1' (see --help)" ;;
esac
[ "$mode" = run ] || [ $# = 0 ] || die "unexpected argument '$1' (see --help)"

# 1. The kernel (cached).
key=$("$here/kernel.sh" --key)
kver=$(run "$here/kernel.sh")
kdir=$build/debug-kernel/$key
[ -s "$kdir/release" ] || die "kernel.sh did not finish build/debug-kernel/$key"

# 2. What `make modules-all` builds for a cloud kernel, against its build
# tree: wgmesh.ko, its WGMESH_DEBUG=1 build (debug/wgmesh.ko, for
# test_module_lookup.sh) and the selftests' helper modules (kmod/); then the
# CLI and the test helpers.
kmake=(make -s -C "$kdir/obj" W=1 KCFLAGS=-Werror)
out=$build/$kver
run mkdir -p "$out/src" "$out/debug/src" "$out/kmod"
run cp -ru "$repo/Kbuild" "$repo/kernel" "$out/src/"
run cp -ru "$repo/Kbuild" "$repo/kernel" "$out/debug/src/"
run cp -ru "$repo/selftests/kmod/." "$out/kmod/"
run "${kmake[@]}" M="$out/src" modules
run cp "$out/src/wgmesh.ko" "$out/wgmesh.ko"
run "${kmake[@]}" M="$out/debug/src" WGMESH_DEBUG=1 modules
run cp "$out/debug/src/wgmesh.ko" "$out/debug/wgmesh.ko"
run "${kmake[@]}" M="$out/kmod" modules
run make -s -C "$repo" selftests

# 3. The tests.
export WGMESH_KROOT=$kdir/root
export WGMESH_VM_WRAP=selftests/debug/guest.sh
export WGMESH_VM_MEM=${WGMESH_VM_MEM:-2G}
export WGMESH_VM_MACHINE=${WGMESH_VM_MACHINE:-q35}
export WGMESH_TIMEOUT_SCALE=${WGMESH_TIMEOUT_SCALE:-4}
export WGMESH_DEBUG_LANE=1
export WGMESH_SKIP_HOST_TESTS="builds against installed kernel packages; make check runs it"
echo "# debug lane: $kver from build/debug-kernel/$key, memory $WGMESH_VM_MEM," \
	"machine $WGMESH_VM_MACHINE," \
	"timeouts x$WGMESH_TIMEOUT_SCALE, kmemleak after each test" >&2

# run.sh's default timeout (120 s) is about what this kernel takes to boot
# and settle kmemleak: scaled as the tests' are, a -t given wins.
if [ "$mode" = run ]; then
	exec "$repo/selftests/vm/run.sh" -k "$kver" -t $((120 * WGMESH_TIMEOUT_SCALE)) "$@"
fi
if [ -z "$tests" ]; then
	for t in "$repo"/selftests/test_*.sh; do
		t=${t##*/test_}
		tests+="${tests:+ }${t%.sh}"
	done
fi
echo "# \$ selftests/run_tests.sh --tests '$tests' --kernels $kver" >&2
exec "$repo/selftests/run_tests.sh" --tests "$tests" --kernels "$kver"
