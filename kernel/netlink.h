/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The wgmesh generic netlink family (ABI: uapi/wgmesh.h).
 */

#ifndef _WGMESH_NETLINK_H
#define _WGMESH_NETLINK_H

int wgmesh_genl_init(void);
void wgmesh_genl_uninit(void);

#endif /* _WGMESH_NETLINK_H */
