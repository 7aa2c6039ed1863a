// SPDX-License-Identifier: GPL-2.0
/*
 * wgmesh: in-kernel mesh policy and forwarding for WireGuard controllers.
 */

#include <linux/genetlink.h>
#include <linux/module.h>
#include <net/genetlink.h>

#include "device.h"
#include "events.h"
#include "netlink.h"
#include "topology.h"
#include "uapi/wgmesh.h"
#include "version.h"

static int __init wgmesh_init(void)
{
	int ret;

	/* A no-op but in WGMESH_DEBUG builds, as WireGuard's selftests. */
	ret = wgmesh_lookup_selftest();
	if (ret)
		return ret;
	ret = wgmesh_topology_init();
	if (ret)
		return ret;
	ret = wgmesh_events_init();
	if (ret)
		goto err_topology;
	ret = wgmesh_device_init();
	if (ret)
		goto err_events;
	ret = wgmesh_genl_init();
	if (ret)
		goto err_device;
	return 0;

err_device:
	wgmesh_device_uninit();
err_events:
	wgmesh_events_uninit();
err_topology:
	wgmesh_topology_uninit();
	return ret;
}

/*
 * The family goes first so no request can attach a device during exit (and
 * it closes the events group first, see events.c).
 */
static void __exit wgmesh_exit(void)
{
	wgmesh_genl_uninit();
	wgmesh_device_uninit();
	wgmesh_events_uninit();
	wgmesh_topology_uninit();
}

module_init(wgmesh_init);
module_exit(wgmesh_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("WireGuard mesh policy and forwarding");
MODULE_VERSION(WGMESH_VERSION);
MODULE_ALIAS_GENL_FAMILY(WGMESH_GENL_NAME);
