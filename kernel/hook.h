/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The datapath: a netfilter netdev ingress hook on each attached device,
 * a forward hook per namespace at the border between the mesh and the
 * host's other interfaces, and a pre-routing hook per namespace for what
 * an exit brings in (IPv6 for its users' routed global prefixes).
 */

#ifndef _WGMESH_HOOK_H
#define _WGMESH_HOOK_H

#include <linux/list.h>
#include <linux/netfilter.h>

struct wgmesh_dev;

void wgmesh_hook_init_ops(struct nf_hook_ops *ops, struct wgmesh_dev *wd);
void wgmesh_border_init_ops(struct nf_hook_ops *ops, struct list_head *devs);
void wgmesh_exit_in_init_ops(struct nf_hook_ops *ops, struct list_head *devs);

#endif /* _WGMESH_HOOK_H */
