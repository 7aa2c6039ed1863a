// SPDX-License-Identifier: GPL-2.0
/*
 * A pernet device init that fails on demand (echo 1 > .../parameters/fail),
 * as a tunnel module's can under memory pressure: setup_net() then rolls
 * back, unregistering loopback in a namespace where the inits registered
 * after this one never ran. selftests/test_module_lifecycle.sh loads it
 * before wgmesh.ko to prove wgmesh's netdevice notifier survives that.
 */

#include <linux/module.h>
#include <net/net_namespace.h>

static bool fail;
module_param(fail, bool, 0644);
MODULE_PARM_DESC(fail, "make every new network namespace fail to set up");

static int __net_init netns_fail_init(struct net *net)
{
	return READ_ONCE(fail) ? -ENOMEM : 0;
}

static struct pernet_operations netns_fail_ops = {
	.init = netns_fail_init,
};

static int __init netns_fail_mod_init(void)
{
	return register_pernet_device(&netns_fail_ops);
}

static void __exit netns_fail_mod_exit(void)
{
	unregister_pernet_device(&netns_fail_ops);
}

module_init(netns_fail_mod_init);
module_exit(netns_fail_mod_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("wgmesh selftest: network namespaces that fail to set up");
