/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Parsing and checking requests of the wgmesh family beyond its policies.
 */

#ifndef _WGMESH_PARSE_H
#define _WGMESH_PARSE_H

#include <net/genetlink.h>

#include "topology.h"

/* Refuses a top-level attribute given twice (but for the lists). */
int wgmesh_reject_repeats(const struct nlmsghdr *nlh,
			  struct netlink_ext_ack *extack);

/* A new, unpublished snapshot from a SET_TOPOLOGY request, or ERR_PTR. */
struct wgmesh_topology *wgmesh_parse_topology(struct genl_info *info);

#endif /* _WGMESH_PARSE_H */
