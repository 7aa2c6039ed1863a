// SPDX-License-Identifier: GPL-2.0
/*
 * wgmesh: in-kernel mesh policy and forwarding for WireGuard controllers.
 */

#include <linux/module.h>

static int __init wgmesh_init(void)
{
	return 0;
}

static void __exit wgmesh_exit(void)
{
}

module_init(wgmesh_init);
module_exit(wgmesh_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("WireGuard mesh policy and forwarding");
MODULE_VERSION("0.1");
