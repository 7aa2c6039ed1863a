/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What one machine's mesh interface should look like, derived from the
 * topology alone (see README "Topology file" and wgquick.h for the same rules
 * in wg-quick form):
 *
 * Controller: <subnet>::1/40, route mesh /40, ListenPort = its Port; a
 * WireGuard peer per other controller (AllowedIPs its /56, Endpoint) and per
 * peer (its /96 in every controller subnet, no Endpoint).
 * Peer: <subnet>:<suffix>/56 and a route to each controller /56; one
 * WireGuard peer per controller (its /56, Endpoint). Keepalive 25 everywhere.
 *
 * With IPv4 and subnets, every machine also has <ipv4>/LEN and routes to
 * the range and to every other machine's subnets; what a machine owns is
 * homed at one controller (a controller at itself, a peer at its
 * designated one): in a controller's configuration the entry of a peer
 * designated to it holds that peer's IPv4/32 and subnets, and the entry of
 * another controller holds everything homed there; in a peer's, the entry
 * of its designated controller holds the whole range and every other
 * machine's subnets.
 */
#ifndef DERIVE_H
#define DERIVE_H

#include "plan.h"
#include "topology.h"

/* This machine: exactly one of ctrl and peer is set. */
struct mesh_self {
	const struct wgmesh_controller *ctrl;
	const struct wgmesh_peer *peer;
};

/*
 * Fill @out for @self (private key @priv). Controllers' endpoints are left
 * unset: resolve_mesh() (resolve.h) fills them in. Every WireGuard peer
 * gets the preshared key of its pair with @self derived from the mesh
 * secret @psk_secret (psk.h), or none (all zero) without one: either way
 * the key matters (set_preshared_key), so that one set by hand goes. 0, or
 * -1 with one line in @err.
 */
int mesh_desired(const struct wgmesh_topology *t, struct mesh_self self,
		 const uint8_t priv[WG_KEY_LEN],
		 const uint8_t *psk_secret, struct mesh_state *out,
		 char *err, size_t errlen);

/*
 * The routed global IPv6 prefixes (subnets in 2000::/3) of machine @i if
 * it is a peer using an exit: what its exit routes to and from the
 * outside, and what leaves through the mesh by default (README "Exits").
 * Fills @out (room for the machine's subnets) unless NULL; returns how
 * many.
 */
size_t mesh_exit6_prefixes(const struct wgmesh_topology *t, size_t i,
			     struct nlrt_prefix *out);

/* Name of @self. */
const char *mesh_self_name(struct mesh_self self);

#endif
