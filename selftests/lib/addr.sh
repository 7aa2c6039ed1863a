# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash source-path=SCRIPTDIR
#
# addr.sh: the mesh's addresses for the hand-built meshes of mesh.sh,
# following the project's addressing with hand-chosen ids (so the tests
# need no CLI and no hashing):
#
#   mesh               fd12:3456::/40        (bytes fd 12 34 56 00)
#   controller id C    fd12:3456:<C>00::/56  (bytes 5..6 = C, byte 7 = 0)
#   controller address <subnet>::1
#   peer id P (32 bit) <subnet>:<P>::/96     the peer's /96 in that subnet
#   peer address       <subnet>:<P>:0:1      (interface id = P, then 0:1)
#
# Machines are looked up in mesh.sh's MESH_ROLE, MESH_ID and MESH_CTRLS.

MESH_PREFIX=fd12:3456
MESH_NET=fd12:3456::/40

# hex4 N: N as the lower-case hex of one address group
hex4()
{
	printf '%x' $(($1 & 0xffff))
}

# mesh_subnet_of CTRL_ID: "fd12:3456:X:Y" (first four groups of the /56)
mesh_subnet_of()
{
	local id=$(($1))
	echo "$MESH_PREFIX:$(hex4 $((id >> 8))):$(hex4 $(((id & 0xff) << 8)))"
}

# mesh_subnet CTRL: the /56 of controller CTRL
mesh_subnet()
{
	echo "$(mesh_subnet_of "${MESH_ID[$1]}")::/56"
}

# mesh_addr NAME [CTRL]: NAME's mesh address (a peer's in CTRL's subnet,
# default the first controller)
mesh_addr()
{
	local n=$1 c=${2:-${MESH_CTRLS[0]}} p
	if [ "${MESH_ROLE[$n]}" = ctrl ]; then
		echo "$(mesh_subnet_of "${MESH_ID[$n]}")::1"
		return
	fi
	p=$((MESH_ID[$n]))
	echo "$(mesh_subnet_of "${MESH_ID[$c]}"):$(hex4 $((p >> 16))):$(hex4 $p):0:1"
}

# mesh_net96 PEER CTRL: PEER's /96 in CTRL's subnet
mesh_net96()
{
	local p=$((MESH_ID[$1]))
	echo "$(mesh_subnet_of "${MESH_ID[$2]}"):$(hex4 $((p >> 16))):$(hex4 $p)::/96"
}

# mesh_allowed_of_peer PEER: the peer's /96 in every controller subnet
mesh_allowed_of_peer()
{
	local c out=
	for c in "${MESH_CTRLS[@]}"; do
		out+=${out:+,}$(mesh_net96 "$1" "$c")
	done
	echo "$out"
}

# mesh_ctrl_subnets: every controller's /56, comma separated
mesh_ctrl_subnets()
{
	local c out=
	for c in "${MESH_CTRLS[@]}"; do
		out+=${out:+,}$(mesh_subnet "$c")
	done
	echo "$out"
}
