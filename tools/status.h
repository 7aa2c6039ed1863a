/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What "wgmesh status" prints about one WireGuard device, apart from
 * reading it: so that tests can hold every output to what it may show
 * (never a private or preshared key).
 */
#ifndef WGMESH_STATUS_H
#define WGMESH_STATUS_H

#include "lib/topology.h"
#include "nl/wg.h"

enum status_mode {
	STATUS_TABLE,	/* the default */
	STATUS_JSON,	/* one interface of --json */
	STATUS_CHECK,	/* --check */
};

/*
 * Print device @d, as nlwg_get() reads it, to standard output as status
 * does in @mode, its members named from @t (NULL: none), with wgmesh.ko
 * neither loaded nor attached and no netlink. 0, or 1 once an error is
 * shown.
 */
int status_print_device(const struct wg_device *d,
			const struct wgmesh_topology *t, enum status_mode mode);

#endif /* WGMESH_STATUS_H */
