// SPDX-License-Identifier: GPL-2.0
/*
 * Attached devices live in a per-namespace list that the datapath and the
 * dumps read under RCU and that changes only under RTNL. A device detaches
 * itself when it is unregistered, which includes moving to another
 * namespace, so it never waits for us to let go of it.
 *
 * The per-namespace state is a pernet *subsystem*: its init runs before
 * loopback exists and its exit after every device of the namespace is
 * gone, so no netdevice event ever meets a namespace without it (a pernet
 * device's init may not have run when a failed namespace setup unregisters
 * loopback).
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
	/* Registered while devs is not empty: drops what the kernel would
	 * forward into or out of an attached device.
	 */
	struct nf_hook_ops border;
	/* The outside's IPv6 for exit users' prefixes. It sees every IPv6
	 * packet the namespace receives, so it is registered only while a
	 * device's snapshot has such a prefix (exit_in_sync()).
	 */
	struct nf_hook_ops exit_in;
	bool exit_in_on;
};

static unsigned int wgmesh_net_id __read_mostly;

static struct wgmesh_net *wgmesh_net(struct net *net)
{
	return net_generic(net, wgmesh_net_id);
}

/* Called under RTNL. */
struct wgmesh_dev *wgmesh_dev_find(const struct net_device *dev)
{
	struct wgmesh_dev *wd;

	ASSERT_RTNL();
	list_for_each_entry(wd, &wgmesh_net(dev_net(dev))->devs, list) {
		if (wd->dev == dev)
			return wd;
	}
	return NULL;
}

/* Called under rcu_read_lock(). */
struct wgmesh_dev *wgmesh_dev_find_rcu(struct net *net, int ifindex)
{
	struct wgmesh_dev *wd;

	list_for_each_entry_rcu(wd, &wgmesh_net(net)->devs, list) {
		if (wd->dev->ifindex == ifindex)
			return wd;
	}
	return NULL;
}

/* The datapath's lookup, under rcu_read_lock(); @dev may be NULL. */
struct wgmesh_dev *wgmesh_dev_lookup_rcu(const struct list_head *devs,
					 const struct net_device *dev)
{
	struct wgmesh_dev *wd;

	list_for_each_entry_rcu(wd, devs, list) {
		if (wd->dev == dev)
			return wd;
	}
	return NULL;
}

/*
 * Under RTNL: registers @wn's exit_in hook if @want (an exit user's IPv6
 * about to be published), or if any attached device's snapshot has one,
 * and unregisters it otherwise.
 */
static int exit_in_sync(struct net *net, struct wgmesh_net *wn, bool want)
{
	const struct wgmesh_topology *t;
	struct wgmesh_dev *wd;
	int ret;

	ASSERT_RTNL();
	list_for_each_entry(wd, &wn->devs, list) {
		t = rtnl_dereference(wd->topo);
		want |= t && t->exit6;
	}
	if (want == wn->exit_in_on)
		return 0;
	if (want) {
		ret = nf_register_net_hook(net, &wn->exit_in);
		if (ret)
			return ret;
	} else {
		nf_unregister_net_hook(net, &wn->exit_in);
	}
	wn->exit_in_on = want;
	return 0;
}

static bool is_wireguard(const struct net_device *dev)
{
	return dev->rtnl_link_ops && dev->rtnl_link_ops->kind &&
	       !strcmp(dev->rtnl_link_ops->kind, "wireguard");
}

int wgmesh_dev_attach(struct net_device *dev, struct netlink_ext_ack *extack)
{
	struct wgmesh_net *wn = wgmesh_net(dev_net(dev));
	bool first = list_empty(&wn->devs);
	struct wgmesh_dev *wd;
	int ret;

	ASSERT_RTNL();
	if (!is_wireguard(dev)) {
		NL_SET_ERR_MSG(extack, "device is not a WireGuard device");
		return -EOPNOTSUPP;
	}
	if (wgmesh_dev_find(dev)) {
		NL_SET_ERR_MSG(extack, "device is already attached");
		return -EEXIST;
	}

	wd = kzalloc(sizeof(*wd), GFP_KERNEL_ACCOUNT);
	if (!wd)
		return -ENOMEM;
	wd->stats = wgmesh_pcpu_stats_alloc();
	if (!wd->stats) {
		ret = -ENOMEM;
		goto err_free_wd;
	}
	ret = wgmesh_events_alloc(&wd->events);
	if (ret)
		goto err_free_stats;
	wd->dev = dev;
	/* Only bonding, team and Open vSwitch would take a WireGuard
	 * device's receive handler (bridges, macvlan and ipvlan want
	 * Ethernet): such a device is not the mesh's to forward on.
	 */
	ret = netdev_rx_handler_register(dev, wgmesh_rx_handler, wd);
	if (ret) {
		NL_SET_ERR_MSG(extack, "device already has a receive handler (is it a bond, team or Open vSwitch port?)");
		goto err_free_events;
	}
	if (first) {
		ret = nf_register_net_hook(dev_net(dev), &wn->border);
		if (ret) {
			NL_SET_ERR_MSG(extack, "cannot register the netfilter forward hook");
			goto err_unregister_rx_handler;
		}
	}
	netdev_hold(dev, &wd->dev_tracker, GFP_KERNEL);
	list_add_rcu(&wd->list, &wn->devs);
	return 0;

err_unregister_rx_handler:
	/* Waits for the handlers running on other CPUs, with @wd. */
	netdev_rx_handler_unregister(dev);
err_free_events:
	wgmesh_events_free(&wd->events);
err_free_stats:
	free_percpu(wd->stats);
err_free_wd:
	kfree(wd);
	return ret;
}

static void free_dev_work(struct work_struct *work)
{
	struct wgmesh_dev *wd = container_of(work, struct wgmesh_dev,
					     free_work);

	wgmesh_events_free(&wd->events);
	free_percpu(wd->stats);
	kfree(wd);
}

/*
 * No hook sees @wd any more, so none queues its flush again: cancelling
 * that (which may sleep) and freeing is left to wgmesh_wq.
 */
static void free_dev_rcu(struct rcu_head *rcu)
{
	struct wgmesh_dev *wd = container_of(rcu, struct wgmesh_dev, rcu);

	INIT_WORK(&wd->free_work, free_dev_work);
	queue_work(wgmesh_wq, &wd->free_work);
}

/*
 * Called under RTNL. The border and exit hooks may still run on other
 * CPUs until a grace period passes (the receive handler's unregistration
 * waits for one): they only touch @wd, its stats and its topology, all
 * freed through RCU. @wd->dev outlives them too: an unregistering device
 * is freed only after netdev_run_todo()'s rcu_barrier(), which waits for
 * free_dev_rcu().
 */
void wgmesh_dev_detach(struct wgmesh_dev *wd)
{
	struct net *net = dev_net(wd->dev);
	struct wgmesh_net *wn = wgmesh_net(net);

	ASSERT_RTNL();
	wgmesh_events_kill(&wd->events);
	list_del_rcu(&wd->list);
	netdev_rx_handler_unregister(wd->dev);
	if (list_empty(&wn->devs))
		nf_unregister_net_hook(net, &wn->border);
	/* Only unregisters: cannot fail. */
	exit_in_sync(net, wn, false);
	wgmesh_topology_put_rcu(rtnl_dereference(wd->topo));
	RCU_INIT_POINTER(wd->topo, NULL);
	netdev_put(wd->dev, &wd->dev_tracker);
	call_rcu(&wd->rcu, free_dev_rcu);
}

/*
 * Called under RTNL. On success @wd takes over the caller's reference on
 * @t, and the snapshot it replaces is returned in *@old with the device's
 * reference, which the caller drops once no reader can see it any more.
 * Fails only when @t needs the exit path's hook and it cannot be
 * registered; nothing changed then.
 */
int wgmesh_dev_publish(struct wgmesh_dev *wd, struct wgmesh_topology *t,
		       struct wgmesh_topology **old,
		       struct netlink_ext_ack *extack)
{
	static atomic_t seq = ATOMIC_INIT(0);
	struct net *net = dev_net(wd->dev);
	struct wgmesh_net *wn = wgmesh_net(net);
	int ret;

	ASSERT_RTNL();
	/* Before @t is seen: its exit users' IPv6 must find the hook. */
	ret = exit_in_sync(net, wn, t->exit6);
	if (ret) {
		NL_SET_ERR_MSG(extack, "cannot register the netfilter pre-routing hook");
		return ret;
	}
	*old = rtnl_dereference(wd->topo);
	/* Module-wide, so no other snapshot of any device has the same. */
	t->seq = atomic_inc_return(&seq) ?: atomic_inc_return(&seq);
	rcu_assign_pointer(wd->topo, t);
	/* After: unregisters it if nobody needs it any more. */
	exit_in_sync(net, wn, false);
	return 0;
}

static int netdev_event(struct notifier_block *nb, unsigned long event,
			void *ptr)
{
	struct net_device *dev = netdev_notifier_info_to_dev(ptr);
	struct wgmesh_dev *wd;

	if (event != NETDEV_UNREGISTER || !is_wireguard(dev))
		return NOTIFY_DONE;
	wd = wgmesh_dev_find(dev);
	if (wd)
		wgmesh_dev_detach(wd);
	return NOTIFY_DONE;
}

static struct notifier_block netdev_notifier = {
	.notifier_call = netdev_event,
};

static int __net_init net_init(struct net *net)
{
	struct wgmesh_net *wn = wgmesh_net(net);

	INIT_LIST_HEAD(&wn->devs);
	wgmesh_border_init_ops(&wn->border, &wn->devs);
	wgmesh_exit_in_init_ops(&wn->exit_in, &wn->devs);
	return 0;
}

/*
 * Devices are gone before a subsystem's exit runs, and each detached
 * itself on the way; this only catches what a bug would leave behind.
 */
static void __net_exit net_exit_batch_rtnl(struct list_head *net_list,
					   struct list_head *dev_kill_list)
{
	struct wgmesh_dev *wd, *tmp;
	struct net *net;

	list_for_each_entry(net, net_list, exit_list) {
		list_for_each_entry_safe(wd, tmp, &wgmesh_net(net)->devs, list)
			wgmesh_dev_detach(wd);
	}
}

static struct pernet_operations pernet_ops = {
	.init = net_init,
	.exit_batch_rtnl = net_exit_batch_rtnl,
	.id = &wgmesh_net_id,
	.size = sizeof(struct wgmesh_net),
};

int wgmesh_device_init(void)
{
	int ret;

	ret = register_pernet_subsys(&pernet_ops);
	if (ret)
		return ret;
	ret = register_netdevice_notifier(&netdev_notifier);
	if (ret)
		goto err_unregister_pernet;
	return 0;

err_unregister_pernet:
	unregister_pernet_subsys(&pernet_ops);
	return ret;
}

/*
 * Unregistering the notifier replays NETDEV_UNREGISTER for every device,
 * which detaches them all. rcu_barrier() then waits for our RCU callbacks
 * (and for the ones queueing snapshot frees) before the module text goes;
 * the device frees they queued run before wgmesh_events_uninit() returns.
 */
void wgmesh_device_uninit(void)
{
	unregister_netdevice_notifier(&netdev_notifier);
	unregister_pernet_subsys(&pernet_ops);
	rcu_barrier();
}
