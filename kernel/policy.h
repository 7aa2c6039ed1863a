/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Input policies of the wgmesh family, generated from wgmesh.yaml into
 * policy.c by ynl-regen.sh; the sizes here must agree with that file (the
 * compiler checks them).
 */

#ifndef _WGMESH_POLICY_H
#define _WGMESH_POLICY_H

#include <net/netlink.h>

#include "uapi/wgmesh.h"

extern const struct nla_policy
wgmesh_allow_nl_policy[WGMESH_ALLOW_A_MASK + 1];
extern const struct nla_policy
wgmesh_member_nl_policy[WGMESH_MEMBER_A_STATS + 1];
extern const struct nla_policy
wgmesh_stats_nl_policy[WGMESH_STATS_A_DROP_CROSSING + 1];

extern const struct nla_policy
wgmesh_attach_nl_policy[WGMESH_A_IFNAME + 1];
extern const struct nla_policy
wgmesh_detach_nl_policy[WGMESH_A_IFNAME + 1];
extern const struct nla_policy
wgmesh_set_topology_nl_policy[WGMESH_A_ALLOW + 1];
extern const struct nla_policy
wgmesh_get_topology_nl_policy[WGMESH_A_IFNAME + 1];
extern const struct nla_policy
wgmesh_get_stats_nl_policy[WGMESH_A_IFNAME + 1];

#endif /* _WGMESH_POLICY_H */
