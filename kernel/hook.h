/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The datapath: a netfilter netdev ingress hook on the attached device.
 */

#ifndef _WGMESH_HOOK_H
#define _WGMESH_HOOK_H

#include <linux/netfilter.h>

struct wgmesh_dev;

void wgmesh_hook_init_ops(struct nf_hook_ops *ops, struct wgmesh_dev *wd);

#endif /* _WGMESH_HOOK_H */
