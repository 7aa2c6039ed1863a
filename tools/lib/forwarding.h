/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What a machine that owns subnets needs to forward the mesh into its LAN,
 * read from the sysctls (under @root, "/proc/sys" outside tests), as one
 * warning line per problem for "wgmesh up", which never changes a sysctl:
 *
 *  - IPv4 subnets: net.ipv4.ip_forward must be 1;
 *  - IPv6 subnets: net.ipv6.conf.all.forwarding must be 1, and then every
 *    interface with accept_ra=1 ignores router advertisements (Linux only
 *    accepts them on a forwarding interface with accept_ra=2), so it loses
 *    its RA-learned default route: each such interface is named, with the
 *    fix (accept_ra=2), whether forwarding is on yet or not.
 */
#ifndef WGMESH_FORWARDING_H
#define WGMESH_FORWARDING_H

#include <stddef.h>

#include "topology.h"

#define FORWARDING_ROOT "/proc/sys"

/*
 * Call @warn once per problem with a line naming the sysctl and the fix;
 * @mesh_if (the mesh interface) is never named. Returns how many.
 */
size_t forwarding_check(const struct wgmesh_owned *o, const char *root,
			const char *mesh_if,
			void (*warn)(void *ctx, const char *line), void *ctx);

#endif
