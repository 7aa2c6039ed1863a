#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# ynl-regen.sh [--check]: regenerate from kernel/wgmesh.yaml, with the
# kernel's own ynl-gen-c.py (Debian's linux-source-6.12), the two files the
# spec is the source of truth for:
#
#   kernel/uapi/wgmesh.h  everything after its documentation comment
#   kernel/policy.c       the input policies (the split ops ynl-gen-c also
#                         writes need 6.2+: netlink.c keeps 6.1's genl_ops)
#
# --check changes nothing and fails, with a diff, when either file differs
# from what the spec gives (make check runs it). Needs python3-yaml and
# python3-jsonschema, and the parts of the kernel source that `make ksrc`
# unpacks into build/linux-source-6.12 (done here when missing).

set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
check=0
[ "${1:-}" = --check ] && check=1

python=/usr/bin/python3
"$python" -c 'import yaml, jsonschema' 2>/dev/null ||
	{ echo "ynl-regen.sh: $python lacks yaml or jsonschema (run 'make deps')" >&2; exit 1; }
src=$repo/build/linux-source-6.12
make -s -C "$repo" ksrc

# ynl-gen-c wants the spec inside a kernel tree: give it a small one.
root=$(mktemp -d "${TMPDIR:-/tmp}/wgmesh-ynl.XXXXXX")
trap 'rm -rf "$root"' EXIT
mkdir -p "$root/Documentation/netlink/specs"
touch "$root/MAINTAINERS"
cp "$src"/Documentation/netlink/*.yaml "$root/Documentation/netlink/"
cp "$here/wgmesh.yaml" "$root/Documentation/netlink/specs/"
gen()
{
	(cd "$src/tools/net/ynl" && "$python" ynl-gen-c.py --spec \
		"$root/Documentation/netlink/specs/wgmesh.yaml" "$@")
}

# uapi: the hand-written documentation comment, then the generated enums
# without their "Do not edit" banner.
gen --mode uapi --header -o "$root/uapi.h" >/dev/null
awk '{ print } /^ \*\/$/ { exit }' "$here/uapi/wgmesh.h" > "$root/wgmesh.h"
tail -n +5 "$root/uapi.h" >> "$root/wgmesh.h"

# policy.c: the generated source up to its ops table, with our includes,
# every policy visible to netlink.c (declared in policy.h).
gen --mode kernel --source -o "$root/gen.c" >/dev/null
awk '/^\/\* Ops table for/ { exit } { print }' "$root/gen.c" |
	sed -e 's|^/\*\tDocumentation/netlink/specs/wgmesh.yaml \*/|/*\tkernel/wgmesh.yaml (kernel/ynl-regen.sh) */|' \
	    -e 's|^#include "gen.h"|#include "policy.h"|' \
	    -e 's|^#include <uapi/linux/wgmesh.h>|#include "uapi/wgmesh.h"|' \
	    -e 's|^static const struct nla_policy|const struct nla_policy|' |
	sed -e '${/^$/d}' > "$root/policy.c"

rc=0
for f in uapi/wgmesh.h policy.c; do
	new=$root/$(basename "$f")
	if [ "$check" = 1 ]; then
		if ! diff -u "$here/$f" "$new"; then
			echo "ynl-regen.sh: kernel/$f does not match kernel/wgmesh.yaml (run kernel/ynl-regen.sh)" >&2
			rc=1
		fi
	elif ! cmp -s "$here/$f" "$new"; then
		cp "$new" "$here/$f"
		echo "ynl-regen.sh: wrote kernel/$f"
	fi
done
exit "$rc"
