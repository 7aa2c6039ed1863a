/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The difference between a mesh interface as it is and as the topology
 * wants it, so that "wgmesh up" changes only what differs: peers that did
 * not change are never sent to the kernel (their sessions and handshakes
 * live on), removed peers get WGPEER_F_REMOVE_ME, and addresses and routes
 * are added and deleted one by one. Pure logic, no netlink.
 */
#ifndef WGMESH_PLAN_H
#define WGMESH_PLAN_H

#include "../nl/rt.h"
#include "../nl/wg.h"

/* A mesh interface: its WireGuard side, IPv6 addresses, wgmesh routes. */
struct mesh_state {
	struct wg_device wg;
	struct nlrt_prefix *addrs;
	size_t n_addrs, cap_addrs;
	struct nlrt_prefix *routes;
	size_t n_routes, cap_routes;
	uint32_t mtu;		/* desired: 0 = leave alone */
};

struct mesh_plan {
	/* Only what changes: send with nlwg_set() if wg_changed. */
	struct wg_device wg;
	bool wg_changed;
	size_t peers_added, peers_changed, peers_removed;
	/* Of the peers that stay: preshared keys set, changed, removed. */
	size_t psk_added, psk_changed, psk_removed;
	struct nlrt_prefix *addr_add, *addr_del, *route_add, *route_del;
	size_t n_addr_add, n_addr_del, n_route_add, n_route_del;
	uint32_t mtu;		/* new MTU, 0 = unchanged */
};

/*
 * Compute the changes turning @cur into @want. In @want, a peer without an
 * endpoint (sa_family 0) leaves the current one alone (controllers learn
 * peers' endpoints from handshakes), wg.set_listen_port says whether the
 * listen port matters, and a peer's set_preshared_key whether its
 * preshared key does (then all zero means none: one that is set is
 * removed). A peer whose preshared key differs is a changed peer: it is
 * sent with the new key. 0, or -ENOMEM.
 */
int mesh_plan(const struct mesh_state *cur, const struct mesh_state *want,
	      struct mesh_plan *plan);
void mesh_plan_free(struct mesh_plan *plan);
void mesh_state_free(struct mesh_state *s);

/*
 * *@out = the prefixes of @a missing from @b, each once (malloc'ed; NULL
 * when @a is empty). 0, or -ENOMEM.
 */
int mesh_prefix_minus(const struct nlrt_prefix *a, size_t na,
		      const struct nlrt_prefix *b, size_t nb,
		      struct nlrt_prefix **out, size_t *n);

/* The same set of allowed IPs, in any order. */
bool wg_ips_equal(const struct wg_peer *a, const struct wg_peer *b);

/* Same address, port and family (IPv6: scope id too). */
bool wg_endpoint_equal(const union wg_endpoint *a, const union wg_endpoint *b);

#endif
