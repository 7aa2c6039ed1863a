# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash source-path=SCRIPTDIR
#
# ctl.sh: wgmesh.ko driven through selftests/wgmesh-ctl for the meshes of
# mesh.sh: load the module, attach it to a controller's wg0, give it the
# whole mesh as its topology, read its counters.

# Policy of a member for mesh_topology: MESH_GROUPS[name] = group mask (e.g.
# 0x1), MESH_ISOLATED[name] = 1; MESH_SKIP[name] = 1 leaves it out.
declare -A MESH_GROUPS=() MESH_ISOLATED=() MESH_SKIP=() MESH_GENS=()
MESH_GEN=0

# mesh_load_module: the module tests' wgmesh.ko, $WGMESH_KO
mesh_load_module()
{
	: "${WGMESH_KO:?WGMESH_KO is not set}"
	load_wgmesh
}

# mesh_member_arg NAME: NAME's --controller/--peer argument for wgmesh-ctl set
mesh_member_arg()
{
	local n=$1 spec
	if [ "${MESH_ROLE[$n]}" = ctrl ]; then
		spec=$(printf '0x%04x' $((MESH_ID[$n])))
		[ -n "${MESH_GROUPS[$n]}" ] && spec+=":${MESH_GROUPS[$n]}"
		echo "--controller $spec"
	else
		spec=$(printf '0x%08x' $((MESH_ID[$n])))
		if [ -n "${MESH_GROUPS[$n]}${MESH_ISOLATED[$n]}" ]; then
			spec+=":${MESH_GROUPS[$n]:-0}"
			[ -n "${MESH_ISOLATED[$n]}" ] && spec+=":isolated"
		fi
		echo "--peer $spec"
	fi
}

# mesh_topology CTRL [wgmesh-ctl set ARGS...]: replace CTRL's topology with
# every machine of the mesh (and their MESH_GROUPS/MESH_ISOLATED), bumping
# the generation (MESH_GENS[CTRL] = the one CTRL got); extra ARGS such as
# --default-deny --allow 0-1 are appended
mesh_topology()
{
	local c=$1 n args=()
	shift
	MESH_GEN=$((MESH_GEN + 1))
	# shellcheck disable=SC2034 # read by the tests
	MESH_GENS[$c]=$MESH_GEN
	args=(--prefix "$MESH_PREFIX::" --self "$(printf '0x%04x' $((MESH_ID[$c])))"
	      --generation "$MESH_GEN")
	for n in "${MESH_MACHINES[@]}"; do
		case ${MESH_ROLE[$n]} in ctrl | peer) ;; *) continue ;; esac
		[ -n "${MESH_SKIP[$n]}" ] && continue
		# shellcheck disable=SC2207
		args+=($(mesh_member_arg "$n"))
	done
	nx "$c" wgmesh-ctl set wg0 "${args[@]}" "$@"
}

# mesh_attach CTRL: attach wgmesh to CTRL's wg0 and load the whole mesh
mesh_attach()
{
	nx "$1" wgmesh-ctl attach wg0 && mesh_topology "$1"
}

# mesh_stats CTRL WHO: the stats line of WHO (device, or a machine's name)
mesh_stats()
{
	local c=$1 who=$2 sel
	case ${MESH_ROLE[$who]} in
	ctrl) sel="--member c:$(printf '0x%04x' $((MESH_ID[$who])))" ;;
	peer) sel="--member p:$(printf '0x%08x' $((MESH_ID[$who])))" ;;
	*) sel=--device ;;
	esac
	# shellcheck disable=SC2086
	nx "$c" wgmesh-ctl stats wg0 $sel
}

# mesh_stat CTRL WHO KEY: one counter (device or member WHO) on CTRL's wg0
mesh_stat()
{
	mesh_stats "$1" "$2" | tr ' ' '\n' | sed -n "s/^$3=\([0-9]*\)$/\1/p" | head -n 1
}

# mesh_drops CTRL WHO REASON: "DEVICE MEMBER": CTRL's device count of drops
# for REASON (drop_REASON) and its count of all drops blamed on member WHO
# (members keep only the total, drop_packets), for check_drops
mesh_drops()
{
	echo "$(mesh_stat "$1" device "drop_$3") $(mesh_stat "$1" "$2" drop_packets)"
}

# check_drops DESC CTRL WHO REASON BEFORE N: since BEFORE (from mesh_drops),
# CTRL counted at least N more drops for REASON, and at least N more blamed
# on WHO (N = 0: exactly none more of either)
check_drops()
{
	local desc=$1 c=$2 who=$3 reason=$4 before=$5 n=$6 now dd dm
	now=$(mesh_drops "$c" "$who" "$reason")
	dd=$((${now% *} - ${before% *}))
	dm=$((${now#* } - ${before#* }))
	if { [ "$n" = 0 ] && [ "$dd" = 0 ] && [ "$dm" = 0 ]; } ||
	   { [ "$n" != 0 ] && [ "$dd" -ge "$n" ] && [ "$dm" -ge "$n" ]; }; then
		ktap_test_pass "$desc"
	else
		ktap_print_msg "drop_$reason +$dd on the device, +$dm blamed on $who, want ${n/#0/exactly 0} each"
		ktap_test_fail "$desc"
	fi
}
