// SPDX-License-Identifier: GPL-2.0
/*
 * The wanted state of a machine's mesh interface, see derive.h.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <arpa/inet.h>

#include "addr.h"
#include "array.h"
#include "derive.h"
#include "psk.h"

const char *mesh_self_name(struct mesh_self self)
{
	return self.ctrl ? self.ctrl->name : self.peer->name;
}

static int add_prefix(struct nlrt_prefix **v, size_t *n, size_t *cap,
		      const struct in6_addr *a, uint8_t len)
{
	struct nlrt_prefix *p = array_push(v, n, cap, sizeof(*p));

	if (!p)
		return -1;
	p->addr = *a;
	p->len = len;
	return 0;
}

static int add_ip(struct wg_peer *p, const struct in6_addr *a, uint8_t cidr)
{
	struct wg_allowedip *ip = wg_peer_add_ip(p);

	if (!ip)
		return -1;
	ip->family = AF_INET6;
	ip->cidr = cidr;
	ip->ip6 = *a;
	wgmesh_prefix_mask(&ip->ip6, cidr);
	return 0;
}

static int add_ip4(struct wg_peer *p, uint32_t a, uint8_t cidr)
{
	struct wg_allowedip *ip = wg_peer_add_ip(p);

	if (!ip)
		return -1;
	ip->family = AF_INET;
	ip->cidr = cidr;
	ip->ip4.s_addr = htonl(a);
	return 0;
}

static int add_subnet_ip(struct wg_peer *p, const struct wgmesh_subnet *s)
{
	struct wg_allowedip *ip = wg_peer_add_ip(p);

	if (!ip)
		return -1;
	ip->family = (uint16_t)s->family;
	ip->cidr = s->len;
	memcpy(&ip->ip6, s->addr, s->family == AF_INET ? 4 : 16);
	return 0;
}

static void prefix4(struct nlrt_prefix *p, uint32_t a, uint8_t len)
{
	memset(p, 0, sizeof(*p));
	p->family = AF_INET;
	p->len = len;
	a = htonl(a);
	memcpy(&p->addr, &a, 4);
}

static int add_prefix4(struct nlrt_prefix **v, size_t *n, size_t *cap,
		       uint32_t a, uint8_t len)
{
	struct nlrt_prefix *p = array_push(v, n, cap, sizeof(*p));

	if (!p)
		return -1;
	prefix4(p, a, len);
	return 0;
}

static int add_subnet_route(struct mesh_state *out,
			    const struct wgmesh_subnet *s)
{
	struct nlrt_prefix *p = array_push(&out->routes, &out->n_routes,
					   &out->cap_routes, sizeof(*p));

	if (!p)
		return -1;
	memset(p, 0, sizeof(*p));
	p->family = (uint8_t)s->family;
	p->len = s->len;
	memcpy(&p->addr, s->addr, s->family == AF_INET ? 4 : 16);
	return 0;
}

/* Machine @i's IPv4 address and subnets, as AllowedIPs of @p. */
static int owned_ips(const struct wgmesh_topology *t, size_t i,
		     struct wg_peer *p)
{
	const struct wgmesh_owned *o = wgmesh_machine_owned(t, i);

	if (t->ipv4_len && add_ip4(p, o->ipv4, 32))
		return -1;
	for (size_t j = 0; j < o->n_subnets; j++)
		if (add_subnet_ip(p, &o->subnets[j]))
			return -1;
	return 0;
}

/*
 * IPv4 and subnets on @self's side (machine index @si): its address in the
 * range, and routes to the range and to every other machine's subnets.
 */
static int owned_local(const struct wgmesh_topology *t, size_t si,
		       struct mesh_state *out)
{
	const struct wgmesh_owned *o = wgmesh_machine_owned(t, si);

	if (t->ipv4_len &&
	    (add_prefix4(&out->addrs, &out->n_addrs, &out->cap_addrs,
			 o->ipv4, t->ipv4_len) ||
	     add_prefix4(&out->routes, &out->n_routes, &out->cap_routes,
			 t->ipv4_prefix, t->ipv4_len)))
		return -1;
	for (size_t i = 0; i < t->n_controllers + t->n_peers; i++) {
		const struct wgmesh_owned *m = wgmesh_machine_owned(t, i);

		if (i == si)
			continue;
		for (size_t j = 0; j < m->n_subnets; j++)
			if (add_subnet_route(out, &m->subnets[j]))
				return -1;
	}
	return 0;
}

static struct wg_peer *add_peer(struct wg_device *d, const uint8_t *key)
{
	struct wg_peer *p = wg_device_add_peer(d);

	if (!p)
		return NULL;
	memcpy(p->public_key, key, WG_KEY_LEN);
	p->keepalive = WGMESH_KEEPALIVE;
	p->set_keepalive = true;
	p->set_ips = true;
	return p;
}

/*
 * Controller @ci as seen by machine @si. The endpoint is left to
 * resolve_mesh() (lib/resolve.c). Besides its /56, the entry carries what
 * is homed at @ci: seen from a controller, @ci's own IPv4 and subnets and
 * those of the peers designated to it; seen from a peer designated to it,
 * the whole IPv4 range and every other machine's subnets.
 */
static int controller_peer(const struct wgmesh_topology *t, size_t si,
			   size_t ci, struct wg_device *d)
{
	const struct wgmesh_controller *c = &t->controllers[ci];
	struct wg_peer *p = add_peer(d, c->public_key);
	size_t n = t->n_controllers + t->n_peers;
	struct in6_addr a;

	if (!p)
		return -ENOMEM;
	wgmesh_controller_subnet(t->name, c->name, &a);
	if (add_ip(p, &a, WGMESH_SUBNET_PLEN))
		return -ENOMEM;
	if (si < t->n_controllers) {
		for (size_t i = 0; i < n; i++)
			if (wgmesh_machine_home(t, i) == ci &&
			    owned_ips(t, i, p))
				return -ENOMEM;
		return 0;
	}
	if (wgmesh_machine_home(t, si) != ci)
		return 0;
	/*
	 * A peer using its controller as exit sends it all of IPv4, and
	 * takes all of IPv6 from it when it has a global prefix: the replies
	 * the exit routes to that prefix come from anywhere.
	 */
	if (t->peers[si - t->n_controllers].exit) {
		if (t->ipv4_len && add_ip4(p, 0, 0))
			return -ENOMEM;
		if (mesh_exit6_prefixes(t, si, NULL) &&
		    add_ip(p, &in6addr_any, 0))
			return -ENOMEM;
	} else if (t->ipv4_len &&
		   add_ip4(p, t->ipv4_prefix, t->ipv4_len)) {
		return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		const struct wgmesh_owned *o = wgmesh_machine_owned(t, i);

		for (size_t j = 0; i != si && j < o->n_subnets; j++)
			if (add_subnet_ip(p, &o->subnets[j]))
				return -ENOMEM;
	}
	return 0;
}

/* Peer @pi as seen by controller @si: its /96s, and what it owns if homed at @si. */
static int peer_peer(const struct wgmesh_topology *t, size_t si, size_t pi,
		     struct wg_device *d)
{
	const struct wgmesh_peer *peer = &t->peers[pi];
	struct wg_peer *p = add_peer(d, peer->public_key);
	struct in6_addr a;

	if (!p)
		return -ENOMEM;
	for (size_t i = 0; i < t->n_controllers; i++) {
		wgmesh_peer_prefix(t->name, t->controllers[i].name, peer->name,
				   &a);
		if (add_ip(p, &a, WGMESH_PEER_PLEN))
			return -ENOMEM;
	}
	if (peer->controller == si &&
	    owned_ips(t, t->n_controllers + pi, p))
		return -ENOMEM;
	return 0;
}

/*
 * Each peer's preshared key, once the peer array is complete (so that it
 * never moves with keys in it).
 */
static void preshared_keys(const struct wgmesh_topology *t,
			   struct mesh_self self, const uint8_t *secret,
			   struct wg_device *d)
{
	const uint8_t *pub = self.ctrl ? self.ctrl->public_key :
			     self.peer->public_key;

	for (size_t i = 0; i < d->n_peers; i++) {
		struct wg_peer *p = &d->peers[i];

		p->set_preshared_key = true;
		if (secret)
			psk_derive(p->preshared_key, secret, t->name, pub,
				   p->public_key);
	}
}

size_t mesh_exit6_prefixes(const struct wgmesh_topology *t, size_t i,
			     struct nlrt_prefix *out)
{
	const struct wgmesh_owned *o = wgmesh_machine_owned(t, i);
	size_t n = 0;

	if (i < t->n_controllers || !t->peers[i - t->n_controllers].exit)
		return 0;
	for (size_t j = 0; j < o->n_subnets; j++) {
		const struct wgmesh_subnet *sn = &o->subnets[j];

		if (sn->family != AF_INET6 || (sn->addr[0] & 0xe0) != 0x20)
			continue;
		if (out) {
			memset(&out[n], 0, sizeof(out[n]));
			out[n].family = AF_INET6;
			out[n].len = sn->len;
			memcpy(&out[n].addr, sn->addr, 16);
		}
		n++;
	}
	return n;
}

int mesh_desired(const struct wgmesh_topology *t, struct mesh_self self,
		 const uint8_t priv[WG_KEY_LEN],
		 const uint8_t *psk_secret, struct mesh_state *out,
		 char *err, size_t errlen)
{
	struct wg_device *d = &out->wg;
	struct in6_addr a;

	memset(out, 0, sizeof(*out));
	snprintf(d->ifname, sizeof(d->ifname), "%s", t->interface);
	memcpy(d->private_key, priv, WG_KEY_LEN);
	d->has_private_key = true;
	out->mtu = t->mtu;
	if (self.ctrl) {
		size_t si = (size_t)(self.ctrl - t->controllers);

		d->listen_port = self.ctrl->port;
		d->set_listen_port = true;
		wgmesh_controller_addr(t->name, self.ctrl->name, &a);
		if (add_prefix(&out->addrs, &out->n_addrs, &out->cap_addrs,
			       &a, WGMESH_MESH_PLEN))
			goto fail;
		wgmesh_mesh_prefix(t->name, &a);
		if (add_prefix(&out->routes, &out->n_routes, &out->cap_routes,
			       &a, WGMESH_MESH_PLEN))
			goto fail;
		if (owned_local(t, si, out))
			goto fail;
		for (size_t i = 0; i < t->n_controllers; i++) {
			if (i == si)
				continue;
			if (controller_peer(t, si, i, d))
				goto fail;
		}
		for (size_t i = 0; i < t->n_peers; i++)
			if (peer_peer(t, si, i, d))
				goto fail;
		preshared_keys(t, self, psk_secret, d);
		return 0;
	}
	if (owned_local(t, t->n_controllers +
			(size_t)(self.peer - t->peers), out))
		goto fail;
	/*
	 * Its exit: the two halves of IPv4, which win over the machine's own
	 * default route without replacing it (and lose to the host routes
	 * that keep the controllers' endpoints outside the tunnel).
	 */
	if (self.peer->exit && t->ipv4_len && !self.peer->owned.table &&
	    (add_prefix4(&out->routes, &out->n_routes, &out->cap_routes,
			 0, 1) ||
	     add_prefix4(&out->routes, &out->n_routes, &out->cap_routes,
			 0x80000000u, 1)))
		goto fail;
	/*
	 * In a table of its own (Table), the default routes themselves, of
	 * both families: what is marked or confined (wgmesh exec) never
	 * falls through to main's default route. IPv6 that the exit does not
	 * carry (no routed global prefix of the machine's) ends at the exit's
	 * AllowedIPs or its wgmesh.ko, dropped, never outside the tunnel.
	 */
	if (self.peer->exit && self.peer->owned.table &&
	    (add_prefix4(&out->routes, &out->n_routes, &out->cap_routes,
			 0, 0) ||
	     add_prefix(&out->routes, &out->n_routes, &out->cap_routes,
			&in6addr_any, 0)))
		goto fail;
	for (size_t i = 0; i < t->n_controllers; i++) {
		const struct wgmesh_controller *c = &t->controllers[i];

		wgmesh_peer_addr(t->name, c->name, self.peer->name, &a);
		if (add_prefix(&out->addrs, &out->n_addrs, &out->cap_addrs,
			       &a, WGMESH_SUBNET_PLEN))
			goto fail;
		wgmesh_controller_subnet(t->name, c->name, &a);
		if (add_prefix(&out->routes, &out->n_routes, &out->cap_routes,
			       &a, WGMESH_SUBNET_PLEN))
			goto fail;
		if (controller_peer(t, t->n_controllers +
				    (size_t)(self.peer - t->peers), i, d))
			goto fail;
	}
	preshared_keys(t, self, psk_secret, d);
	return 0;
fail:
	snprintf(err, errlen, "out of memory");
	mesh_state_free(out);
	return -1;
}
