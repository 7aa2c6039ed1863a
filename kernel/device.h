/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Attached WireGuard devices: attach, detach, their topology and their
 * lifecycle.
 */

#ifndef _WGMESH_DEVICE_H
#define _WGMESH_DEVICE_H

#include <linux/list.h>
#include <linux/netdevice.h>
#include <linux/netfilter.h>

#include "events.h"
#include "stats.h"
#include "topology.h"

struct wgmesh_dev {
	struct list_head list;		/* per netns; RCU, changed under RTNL */
	struct net_device *dev;
	netdevice_tracker dev_tracker;
	struct wgmesh_topology __rcu *topo;	/* written under RTNL */
	struct wgmesh_pcpu_stats __percpu *stats;
	struct wgmesh_events events;
	struct rcu_head rcu;
	struct work_struct free_work;	/* after the grace period */
};

struct wgmesh_dev *wgmesh_dev_find(const struct net_device *dev);
struct wgmesh_dev *wgmesh_dev_find_rcu(struct net *net, int ifindex);
struct wgmesh_dev *wgmesh_dev_lookup_rcu(const struct list_head *devs,
					 const struct net_device *dev);
int wgmesh_dev_attach(struct net_device *dev, struct netlink_ext_ack *extack);
void wgmesh_dev_detach(struct wgmesh_dev *wd);
int wgmesh_dev_publish(struct wgmesh_dev *wd, struct wgmesh_topology *t,
		       struct wgmesh_topology **old,
		       struct netlink_ext_ack *extack);

int wgmesh_device_init(void);
void wgmesh_device_uninit(void);

#endif /* _WGMESH_DEVICE_H */
