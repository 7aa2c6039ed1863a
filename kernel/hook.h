/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The datapath: a netfilter netdev ingress hook on each attached device,
 * and a forward hook per namespace at the border between the mesh and the
 * host's other interfaces.
 */

#ifndef _WGMESH_HOOK_H
#define _WGMESH_HOOK_H

#include <linux/list.h>
#include <linux/netfilter.h>

struct wgmesh_dev;

void wgmesh_hook_init_ops(struct nf_hook_ops *ops, struct wgmesh_dev *wd);
void wgmesh_border_init_ops(struct nf_hook_ops *ops, struct list_head *devs);

#endif /* _WGMESH_HOOK_H */
