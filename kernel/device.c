// SPDX-License-Identifier: GPL-2.0
/*
 * Attached devices live in a per-namespace list, changed only under RTNL.
 * A device detaches itself when it is unregistered, which includes moving
 * to another namespace, so it never waits for us to let go of it.
 */

#include <linux/rtnetlink.h>
#include <linux/slab.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>
#include <net/rtnetlink.h>

#include "device.h"
#include "hook.h"

struct wgmesh_net {
	struct list_head devs;
};

static unsigned int wgmesh_net_id __read_mostly;

static struct list_head *devs_of(struct net *net)
{
	return &((struct wgmesh_net *)net_generic(net, wgmesh_net_id))->devs;
}

/* Called under RTNL. */
struct wgmesh_dev *wgmesh_dev_find(struct net *net, int ifindex)
{
	struct wgmesh_dev *wd;

	ASSERT_RTNL();
	list_for_each_entry(wd, devs_of(net), list) {
		if (wd->dev->ifindex == ifindex)
			return wd;
	}
	return NULL;
}

static bool is_wireguard(const struct net_device *dev)
{
	return dev->rtnl_link_ops && dev->rtnl_link_ops->kind &&
	       !strcmp(dev->rtnl_link_ops->kind, "wireguard");
}

int wgmesh_dev_attach(struct net_device *dev, struct netlink_ext_ack *extack)
{
	struct net *net = dev_net(dev);
	struct wgmesh_dev *wd;
	int ret;

	ASSERT_RTNL();
	if (!is_wireguard(dev)) {
		NL_SET_ERR_MSG(extack, "device is not a WireGuard device");
		return -EOPNOTSUPP;
	}
	if (wgmesh_dev_find(net, dev->ifindex)) {
		NL_SET_ERR_MSG(extack, "device is already attached");
		return -EEXIST;
	}

	wd = kzalloc(sizeof(*wd), GFP_KERNEL);
	if (!wd)
		return -ENOMEM;
	wd->stats = wgmesh_pcpu_stats_alloc();
	if (!wd->stats) {
		ret = -ENOMEM;
		goto err_free_wd;
	}
	wd->dev = dev;
	wgmesh_hook_init_ops(&wd->ops, wd);
	ret = nf_register_net_hook(net, &wd->ops);
	if (ret) {
		NL_SET_ERR_MSG(extack, "cannot register the netfilter ingress hook");
		goto err_free_stats;
	}
	netdev_hold(dev, &wd->dev_tracker, GFP_KERNEL);
	list_add(&wd->list, devs_of(net));
	return 0;

err_free_stats:
	free_percpu(wd->stats);
err_free_wd:
	kfree(wd);
	return ret;
}

static void free_dev_rcu(struct rcu_head *rcu)
{
	struct wgmesh_dev *wd = container_of(rcu, struct wgmesh_dev, rcu);

	free_percpu(wd->stats);
	kfree(wd);
}

/* Called under RTNL. The hook may still run on other CPUs until a grace
 * period passes: it only touches @wd, its stats and its topology, all
 * freed through RCU.
 */
void wgmesh_dev_detach(struct wgmesh_dev *wd)
{
	struct wgmesh_topology *t;

	ASSERT_RTNL();
	list_del(&wd->list);
	nf_unregister_net_hook(dev_net(wd->dev), &wd->ops);
	t = rtnl_dereference(wd->topo);
	RCU_INIT_POINTER(wd->topo, NULL);
	wgmesh_topology_free_rcu(t);
	netdev_put(wd->dev, &wd->dev_tracker);
	call_rcu(&wd->rcu, free_dev_rcu);
}

/* Called under RTNL; @t already holds its counters. */
void wgmesh_dev_set_topology(struct wgmesh_dev *wd, struct wgmesh_topology *t)
{
	struct wgmesh_topology *old = rtnl_dereference(wd->topo);

	ASSERT_RTNL();
	t->seq = ++wd->seq;
	rcu_assign_pointer(wd->topo, t);
	wgmesh_topology_free_rcu(old);
}

static int netdev_event(struct notifier_block *nb, unsigned long event,
			void *ptr)
{
	struct net_device *dev = netdev_notifier_info_to_dev(ptr);
	struct wgmesh_dev *wd;

	if (event != NETDEV_UNREGISTER)
		return NOTIFY_DONE;
	wd = wgmesh_dev_find(dev_net(dev), dev->ifindex);
	if (wd && wd->dev == dev)
		wgmesh_dev_detach(wd);
	return NOTIFY_DONE;
}

static struct notifier_block netdev_notifier = {
	.notifier_call = netdev_event,
};

static int __net_init net_init(struct net *net)
{
	INIT_LIST_HEAD(devs_of(net));
	return 0;
}

static void __net_exit net_exit(struct net *net)
{
	struct wgmesh_dev *wd, *tmp;

	rtnl_lock();
	list_for_each_entry_safe(wd, tmp, devs_of(net), list)
		wgmesh_dev_detach(wd);
	rtnl_unlock();
}

static struct pernet_operations pernet_ops = {
	.init = net_init,
	.exit = net_exit,
	.id = &wgmesh_net_id,
	.size = sizeof(struct wgmesh_net),
};

int wgmesh_device_init(void)
{
	int ret;

	ret = register_pernet_device(&pernet_ops);
	if (ret)
		return ret;
	ret = register_netdevice_notifier(&netdev_notifier);
	if (ret)
		goto err_unregister_pernet;
	return 0;

err_unregister_pernet:
	unregister_pernet_device(&pernet_ops);
	return ret;
}

/*
 * Unregistering the notifier replays NETDEV_UNREGISTER for every device,
 * which detaches them all; the pernet exit then only catches stragglers.
 * rcu_barrier() waits for our RCU callbacks before the module text goes.
 */
void wgmesh_device_uninit(void)
{
	unregister_netdevice_notifier(&netdev_notifier);
	unregister_pernet_device(&pernet_ops);
	rcu_barrier();
}
