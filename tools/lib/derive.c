// SPDX-License-Identifier: GPL-2.0
/*
 * The wanted state of a machine's mesh interface, see derive.h.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "addr.h"
#include "array.h"
#include "derive.h"

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

/* The endpoint is left to resolve_mesh() (lib/resolve.c). */
static int controller_peer(const struct wgmesh_topology *t,
			   const struct wgmesh_controller *c,
			   struct wg_device *d)
{
	struct wg_peer *p = add_peer(d, c->public_key);
	struct in6_addr a;

	if (!p)
		return -ENOMEM;
	wgmesh_controller_subnet(t->name, c->name, &a);
	if (add_ip(p, &a, WGMESH_SUBNET_PLEN))
		return -ENOMEM;
	return 0;
}

static int peer_peer(const struct wgmesh_topology *t,
		     const struct wgmesh_peer *peer, struct wg_device *d)
{
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
	return 0;
}

int mesh_desired(const struct wgmesh_topology *t, struct mesh_self self,
		 const uint8_t priv[WG_KEY_LEN], struct mesh_state *out,
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
		for (size_t i = 0; i < t->n_controllers; i++) {
			if (&t->controllers[i] == self.ctrl)
				continue;
			if (controller_peer(t, &t->controllers[i], d))
				goto fail;
		}
		for (size_t i = 0; i < t->n_peers; i++)
			if (peer_peer(t, &t->peers[i], d))
				goto fail;
		return 0;
	}
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
		if (controller_peer(t, c, d))
			goto fail;
	}
	return 0;
fail:
	snprintf(err, errlen, "out of memory");
	mesh_state_free(out);
	return -1;
}
