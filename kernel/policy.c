// SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause)
/* Do not edit directly, auto-generated from: */
/*	kernel/wgmesh.yaml (kernel/ynl-regen.sh) */
/* YNL-GEN kernel source */

#include <net/netlink.h>
#include <net/genetlink.h>

#include "policy.h"

#include "uapi/wgmesh.h"

/* Common nested types */
const struct nla_policy wgmesh_allow_nl_policy[WGMESH_ALLOW_A_MASK + 1] = {
	[WGMESH_ALLOW_A_GROUP] = NLA_POLICY_MAX(NLA_U32, 63),
	[WGMESH_ALLOW_A_MASK] = { .type = NLA_U64, },
};

const struct nla_policy wgmesh_member_nl_policy[WGMESH_MEMBER_A_SUBNET + 1] = {
	[WGMESH_MEMBER_A_ID] = { .type = NLA_U32, },
	[WGMESH_MEMBER_A_GROUPS] = { .type = NLA_U64, },
	[WGMESH_MEMBER_A_FLAGS] = NLA_POLICY_MASK(NLA_U32, 0x3),
	[WGMESH_MEMBER_A_STATS] = NLA_POLICY_NESTED(wgmesh_stats_nl_policy),
	[WGMESH_MEMBER_A_IPV4] = NLA_POLICY_EXACT_LEN(4),
	[WGMESH_MEMBER_A_SUBNET] = NLA_POLICY_NESTED(wgmesh_subnet_nl_policy),
};

const struct nla_policy wgmesh_stats_nl_policy[WGMESH_STATS_A_DROP_NOROUTE + 1] = {
	[WGMESH_STATS_A_RX_PACKETS] = { .type = NLA_U64, },
	[WGMESH_STATS_A_RX_BYTES] = { .type = NLA_U64, },
	[WGMESH_STATS_A_LOCAL_PACKETS] = { .type = NLA_U64, },
	[WGMESH_STATS_A_LOCAL_BYTES] = { .type = NLA_U64, },
	[WGMESH_STATS_A_FWD_PACKETS] = { .type = NLA_U64, },
	[WGMESH_STATS_A_FWD_BYTES] = { .type = NLA_U64, },
	[WGMESH_STATS_A_TX_PACKETS] = { .type = NLA_U64, },
	[WGMESH_STATS_A_TX_BYTES] = { .type = NLA_U64, },
	[WGMESH_STATS_A_PASS_PACKETS] = { .type = NLA_U64, },
	[WGMESH_STATS_A_DROP_PACKETS] = { .type = NLA_U64, },
	[WGMESH_STATS_A_DROP_SPOOFED] = { .type = NLA_U64, },
	[WGMESH_STATS_A_DROP_OUTSIDE] = { .type = NLA_U64, },
	[WGMESH_STATS_A_DROP_UNKNOWN] = { .type = NLA_U64, },
	[WGMESH_STATS_A_DROP_POLICY] = { .type = NLA_U64, },
	[WGMESH_STATS_A_DROP_ISOLATED] = { .type = NLA_U64, },
	[WGMESH_STATS_A_DROP_HOPLIMIT] = { .type = NLA_U64, },
	[WGMESH_STATS_A_DROP_TOOBIG] = { .type = NLA_U64, },
	[WGMESH_STATS_A_DROP_MALFORMED] = { .type = NLA_U64, },
	[WGMESH_STATS_A_DROP_XMIT] = { .type = NLA_U64, },
	[WGMESH_STATS_A_DROP_CROSSING] = { .type = NLA_U64, },
	[WGMESH_STATS_A_DROP_PROTO] = { .type = NLA_U64, },
	[WGMESH_STATS_A_TAKEOVER_PACKETS] = { .type = NLA_U64, },
	[WGMESH_STATS_A_EVENTS] = { .type = NLA_U64, },
	[WGMESH_STATS_A_EVENTS_LOST] = { .type = NLA_U64, },
	[WGMESH_STATS_A_EXIT_TX_PACKETS] = { .type = NLA_U64, },
	[WGMESH_STATS_A_EXIT_TX_BYTES] = { .type = NLA_U64, },
	[WGMESH_STATS_A_EXIT_RX_PACKETS] = { .type = NLA_U64, },
	[WGMESH_STATS_A_EXIT_RX_BYTES] = { .type = NLA_U64, },
	[WGMESH_STATS_A_DROP_NOROUTE] = { .type = NLA_U64, },
};

const struct nla_policy wgmesh_subnet_nl_policy[WGMESH_SUBNET_A_PREFIX_LEN + 1] = {
	[WGMESH_SUBNET_A_IPV4] = NLA_POLICY_EXACT_LEN(4),
	[WGMESH_SUBNET_A_IPV6] = NLA_POLICY_EXACT_LEN(16),
	[WGMESH_SUBNET_A_PREFIX_LEN] = NLA_POLICY_RANGE(NLA_U32, 1, 64),
};

/* WGMESH_CMD_ATTACH - do */
const struct nla_policy wgmesh_attach_nl_policy[WGMESH_A_IFNAME + 1] = {
	[WGMESH_A_IFINDEX] = NLA_POLICY_MIN(NLA_U32, 1),
	[WGMESH_A_IFNAME] = { .type = NLA_NUL_STRING, .len = 15, },
};

/* WGMESH_CMD_DETACH - do */
const struct nla_policy wgmesh_detach_nl_policy[WGMESH_A_IFNAME + 1] = {
	[WGMESH_A_IFINDEX] = NLA_POLICY_MIN(NLA_U32, 1),
	[WGMESH_A_IFNAME] = { .type = NLA_NUL_STRING, .len = 15, },
};

/* WGMESH_CMD_SET_TOPOLOGY - do */
const struct nla_policy wgmesh_set_topology_nl_policy[WGMESH_A_IPV4_PREFIX_LEN + 1] = {
	[WGMESH_A_IFINDEX] = NLA_POLICY_MIN(NLA_U32, 1),
	[WGMESH_A_IFNAME] = { .type = NLA_NUL_STRING, .len = 15, },
	[WGMESH_A_PREFIX] = NLA_POLICY_EXACT_LEN(16),
	[WGMESH_A_SELF_ID] = { .type = NLA_U32, },
	[WGMESH_A_GENERATION] = { .type = NLA_U64, },
	[WGMESH_A_FLAGS] = NLA_POLICY_MASK(NLA_U32, 0x1),
	[WGMESH_A_CONTROLLER] = NLA_POLICY_NESTED(wgmesh_member_nl_policy),
	[WGMESH_A_PEER] = NLA_POLICY_NESTED(wgmesh_member_nl_policy),
	[WGMESH_A_ALLOW] = NLA_POLICY_NESTED(wgmesh_allow_nl_policy),
	[WGMESH_A_IPV4_PREFIX] = NLA_POLICY_EXACT_LEN(4),
	[WGMESH_A_IPV4_PREFIX_LEN] = NLA_POLICY_RANGE(NLA_U32, 1, 32),
};

/* WGMESH_CMD_GET_TOPOLOGY - dump */
const struct nla_policy wgmesh_get_topology_nl_policy[WGMESH_A_IFNAME + 1] = {
	[WGMESH_A_IFINDEX] = NLA_POLICY_MIN(NLA_U32, 1),
	[WGMESH_A_IFNAME] = { .type = NLA_NUL_STRING, .len = 15, },
};

/* WGMESH_CMD_GET_STATS - dump */
const struct nla_policy wgmesh_get_stats_nl_policy[WGMESH_A_IFNAME + 1] = {
	[WGMESH_A_IFINDEX] = NLA_POLICY_MIN(NLA_U32, 1),
	[WGMESH_A_IFNAME] = { .type = NLA_NUL_STRING, .len = 15, },
};
