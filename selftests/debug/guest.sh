#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# guest.sh CMD...: in the debug lane's VM (vm/run.sh --wrap), run CMD and
# then fail when the kernel found a leak: an object kmemleak lists, or a
# device or netns reference the refcount trackers report. KASAN, lockdep
# and sleeping-in-atomic reports need nothing here: vm/run.sh fails on
# every splat in the kernel log.
#
# kmemleak lists an object once two scans in a row found no pointer to it
# and it is older than 5 s (the first scan of an object only records its
# checksum). So before CMD: wait 5 s, scan twice and `clear`, which stops
# the objects found so far (boot-time false positives, none of the test's
# doing) from ever being reported; after CMD: wait 5 s, scan twice and
# read the list. A leak appears as one more "not ok" result after CMD's,
# followed by the list, and makes the exit status non-zero.

set -uo pipefail

kml=/sys/kernel/debug/kmemleak
min_age=5

# run CMD...: log the command, then run it.
run()
{
	echo "# \$ $*" >&2
	"$@"
}

kmemleak()
{
	echo "# \$ echo $1 > $kml" >&2
	echo "$1" > "$kml"
}

# settle: wait until what exists now is old enough for kmemleak, then scan
# twice.
settle()
{
	run sleep "$min_age" && kmemleak scan && kmemleak scan
}

[ $# -gt 0 ] || { echo "usage: guest.sh CMD..." >&2; exit 2; }
[ -e "$kml" ] || mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
if [ ! -w "$kml" ]; then
	echo "not ok 1 debug lane: $kml exists (kernel built with kmemleak)"
	exit 1
fi
t0=$SECONDS
if ! settle || ! kmemleak clear; then
	echo "not ok 1 debug lane: kmemleak works (it turns itself off on errors: see the kernel log)"
	exit 1
fi
echo "# debug lane: kmemleak cleared after boot in $((SECONDS - t0))s" >&2

"$@"
rc=$?

t0=$SECONDS
leaks=0
if settle; then
	report=$(cat "$kml")
	leaks=$(printf '%s\n' "$report" | grep -c '^unreferenced object')
	echo "# debug lane: kmemleak scanned after the test in $((SECONDS - t0))s" >&2
	if [ "$leaks" -gt 0 ]; then
		echo "not ok 1 debug lane: kmemleak: $leaks unreferenced objects after $*"
		printf '%s\n' "$report" | sed 's/^/# /'
	else
		echo "# debug lane: kmemleak lists no unreferenced object" >&2
	fi
else
	leaks=1
	echo "not ok 1 debug lane: kmemleak scan after $* (kmemleak off: see the kernel log)"
fi

refs=$(dmesg | grep -E -A 12 'ref_tracker: |waiting for .* to become free' || true)
if [ -n "$refs" ]; then
	leaks=$((leaks + 1))
	echo "not ok 1 debug lane: device or netns references leaked (refcount tracker)"
	printf '%s\n' "$refs" | sed 's/^/# /'
fi

if [ "$leaks" -gt 0 ] && { [ "$rc" = 0 ] || [ "$rc" = 4 ]; }; then
	rc=1
fi
exit "$rc"
