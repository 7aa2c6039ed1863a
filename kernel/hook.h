/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The datapath: a receive handler on each attached device (its
 * rx_handler_data is the struct wgmesh_dev), a netfilter forward hook per
 * namespace at the border between the mesh and the host's other
 * interfaces, and a netfilter pre-routing hook per namespace for what an
 * exit brings in (IPv6 for its users' routed global prefixes).
 */

#ifndef _WGMESH_HOOK_H
#define _WGMESH_HOOK_H

#include <linux/list.h>
#include <linux/netdevice.h>
#include <linux/netfilter.h>

rx_handler_result_t wgmesh_rx_handler(struct sk_buff **pskb);
void wgmesh_border_init_ops(struct nf_hook_ops *ops, struct list_head *devs);
void wgmesh_exit_in_init_ops(struct nf_hook_ops *ops, struct list_head *devs);

#endif /* _WGMESH_HOOK_H */
