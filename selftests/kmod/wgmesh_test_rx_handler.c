// SPDX-License-Identifier: GPL-2.0
/*
 * Takes a device's receive handler on demand, as a bond, a team or Open
 * vSwitch would take a WireGuard device's: "echo wg0 > .../parameters/take"
 * (the device of the writer's network namespace, once loaded), "echo >
 * .../parameters/take" to give it back. selftests/test_module_netlink.sh
 * shows that wgmesh then refuses to attach, saying why, and that nothing
 * else takes an attached device's.
 */

#include <linux/module.h>
#include <linux/netdevice.h>
#include <linux/nsproxy.h>
#include <linux/rtnetlink.h>
#include <linux/string.h>
#include <net/net_namespace.h>

static struct net_device *taken;	/* under RTNL */

static rx_handler_result_t pass(struct sk_buff **pskb)
{
	return RX_HANDLER_PASS;
}

static void give_back(void)
{
	ASSERT_RTNL();
	if (taken)
		netdev_rx_handler_unregister(taken);
	taken = NULL;
}

static int take_set(const char *val, const struct kernel_param *kp)
{
	char name[IFNAMSIZ];
	struct net_device *dev;
	int ret = 0;

	strscpy(name, val, sizeof(name));
	strreplace(name, '\n', '\0');
	rtnl_lock();
	give_back();
	if (name[0]) {
		dev = __dev_get_by_name(current->nsproxy->net_ns, name);
		ret = dev ? netdev_rx_handler_register(dev, pass, NULL) :
			    -ENODEV;
		if (!ret)
			taken = dev;
	}
	rtnl_unlock();
	return ret;
}

static int take_get(char *buf, const struct kernel_param *kp)
{
	int n;

	rtnl_lock();
	n = sysfs_emit(buf, "%s\n", taken ? taken->name : "");
	rtnl_unlock();
	return n;
}

static const struct kernel_param_ops take_ops = {
	.set = take_set,
	.get = take_get,
};
module_param_cb(take, &take_ops, NULL, 0644);
MODULE_PARM_DESC(take, "device whose receive handler to hold (empty: none)");

/* A device that goes away gives its handler back with it. */
static int notify(struct notifier_block *nb, unsigned long event, void *ptr)
{
	if (event == NETDEV_UNREGISTER &&
	    netdev_notifier_info_to_dev(ptr) == taken)
		give_back();
	return NOTIFY_DONE;
}

static struct notifier_block notifier = {
	.notifier_call = notify,
};

static int __init rx_handler_mod_init(void)
{
	return register_netdevice_notifier(&notifier);
}

static void __exit rx_handler_mod_exit(void)
{
	rtnl_lock();
	give_back();
	rtnl_unlock();
	unregister_netdevice_notifier(&notifier);
}

module_init(rx_handler_mod_init);
module_exit(rx_handler_mod_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("wgmesh selftest: a device's receive handler, taken");
