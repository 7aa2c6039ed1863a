// SPDX-License-Identifier: GPL-2.0
/*
 * Diff of a mesh interface's current and wanted state, see plan.h.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#include "plan.h"

bool wg_endpoint_equal(const union wg_endpoint *a, const union wg_endpoint *b)
{
	if (a->sa.sa_family != b->sa.sa_family)
		return false;
	switch (a->sa.sa_family) {
	case AF_INET:
		return a->sin.sin_port == b->sin.sin_port &&
		       a->sin.sin_addr.s_addr == b->sin.sin_addr.s_addr;
	case AF_INET6:
		return a->sin6.sin6_port == b->sin6.sin6_port &&
		       a->sin6.sin6_scope_id == b->sin6.sin6_scope_id &&
		       !memcmp(&a->sin6.sin6_addr, &b->sin6.sin6_addr,
			       sizeof(a->sin6.sin6_addr));
	}
	return true;
}

static int ip_cmp(const void *pa, const void *pb)
{
	const struct wg_allowedip *a = pa, *b = pb;
	size_t len = a->family == AF_INET6 ? sizeof(a->ip6) : sizeof(a->ip4);

	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	if (a->cidr != b->cidr)
		return a->cidr < b->cidr ? -1 : 1;
	return memcmp(&a->ip6, &b->ip6, len);
}

bool wg_ips_equal(const struct wg_peer *a, const struct wg_peer *b)
{
	struct wg_allowedip *x, *y;
	bool eq;

	if (a->n_ips != b->n_ips)
		return false;
	if (!a->n_ips)
		return true;
	x = malloc(a->n_ips * sizeof(*x));
	y = malloc(b->n_ips * sizeof(*y));
	if (!x || !y) {
		free(x);
		free(y);
		return false;	/* treated as changed: resent, still right */
	}
	memcpy(x, a->ips, a->n_ips * sizeof(*x));
	memcpy(y, b->ips, b->n_ips * sizeof(*y));
	qsort(x, a->n_ips, sizeof(*x), ip_cmp);
	qsort(y, b->n_ips, sizeof(*y), ip_cmp);
	eq = true;
	for (size_t i = 0; i < a->n_ips && eq; i++)
		eq = !ip_cmp(&x[i], &y[i]);
	free(x);
	free(y);
	return eq;
}

/* Queue @want (or the fields that differ from @cur) into the plan. */
static int plan_peer(struct mesh_plan *plan, const struct wg_peer *cur,
		     const struct wg_peer *want)
{
	bool ep = want->endpoint.sa.sa_family &&
		  (!cur || !wg_endpoint_equal(&cur->endpoint, &want->endpoint));
	bool ka = !cur || cur->keepalive != want->keepalive;
	bool ips = !cur || !wg_ips_equal(cur, want);
	bool had = cur && !sodium_is_zero(cur->preshared_key, WG_KEY_LEN);
	bool has = !sodium_is_zero(want->preshared_key, WG_KEY_LEN);
	bool psk = want->set_preshared_key &&
		   (cur ? sodium_memcmp(cur->preshared_key, want->preshared_key,
					WG_KEY_LEN) != 0 : has);
	struct wg_peer *p;

	if (!ep && !ka && !ips && !psk)
		return 0;
	p = wg_device_add_peer(&plan->wg);
	if (!p)
		return -ENOMEM;
	memcpy(p->public_key, want->public_key, WG_KEY_LEN);
	if (ep) {
		p->endpoint = want->endpoint;
		p->set_endpoint = true;
	}
	if (ka) {
		p->keepalive = want->keepalive;
		p->set_keepalive = true;
	}
	if (psk) {
		memcpy(p->preshared_key, want->preshared_key, WG_KEY_LEN);
		p->set_preshared_key = true;
		if (cur) {
			plan->psk_added += !had;
			plan->psk_changed += had && has;
			plan->psk_removed += !has;
		}
	}
	if (ips) {
		p->flags |= WGPEER_F_REPLACE_ALLOWEDIPS;
		p->set_ips = true;
		if (want->n_ips) {
			p->ips = malloc(want->n_ips * sizeof(*p->ips));
			if (!p->ips)
				return -ENOMEM;
			memcpy(p->ips, want->ips, want->n_ips * sizeof(*p->ips));
			p->n_ips = p->cap_ips = want->n_ips;
		}
	}
	if (cur)
		plan->peers_changed++;
	else
		plan->peers_added++;
	plan->wg_changed = true;
	return 0;
}

static bool has_prefix(const struct nlrt_prefix *v, size_t n,
		       const struct nlrt_prefix *p)
{
	for (size_t i = 0; i < n; i++)
		if (v[i].len == p->len &&
		    nlrt_family(&v[i]) == nlrt_family(p) &&
		    !memcmp(&v[i].addr, &p->addr, sizeof(p->addr)))
			return true;
	return false;
}

int mesh_prefix_minus(const struct nlrt_prefix *a, size_t na,
			const struct nlrt_prefix *b, size_t nb,
			struct nlrt_prefix **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	if (!na)
		return 0;
	*out = malloc(na * sizeof(**out));
	if (!*out)
		return -ENOMEM;
	for (size_t i = 0; i < na; i++)
		if (!has_prefix(b, nb, &a[i]) && !has_prefix(*out, *n, &a[i]))
			(*out)[(*n)++] = a[i];
	return 0;
}

int mesh_plan(const struct mesh_state *cur, const struct mesh_state *want,
	      struct mesh_plan *plan)
{
	const struct wg_device *c = &cur->wg, *w = &want->wg;
	int ret;

	memset(plan, 0, sizeof(*plan));
	memcpy(plan->wg.ifname, w->ifname, sizeof(plan->wg.ifname));
	if (w->has_private_key &&
	    (!c->has_private_key ||
	     sodium_memcmp(c->private_key, w->private_key, WG_KEY_LEN))) {
		memcpy(plan->wg.private_key, w->private_key, WG_KEY_LEN);
		plan->wg.has_private_key = true;
		plan->wg_changed = true;
	}
	if (w->set_listen_port && c->listen_port != w->listen_port) {
		plan->wg.listen_port = w->listen_port;
		plan->wg.set_listen_port = true;
		plan->wg_changed = true;
	}
	/* Removals first: the kernel then never holds both old and new. */
	for (size_t i = 0; i < c->n_peers; i++) {
		struct wg_peer *p;

		if (wg_device_find_peer(w, c->peers[i].public_key))
			continue;
		p = wg_device_add_peer(&plan->wg);
		if (!p)
			goto nomem;
		memcpy(p->public_key, c->peers[i].public_key, WG_KEY_LEN);
		p->flags = WGPEER_F_REMOVE_ME;
		plan->peers_removed++;
		plan->wg_changed = true;
	}
	for (size_t i = 0; i < w->n_peers; i++) {
		ret = plan_peer(plan,
				wg_device_find_peer(c, w->peers[i].public_key),
				&w->peers[i]);
		if (ret)
			goto nomem;
	}
	if (mesh_prefix_minus(want->addrs, want->n_addrs, cur->addrs, cur->n_addrs,
			 &plan->addr_add, &plan->n_addr_add) ||
	    mesh_prefix_minus(cur->addrs, cur->n_addrs, want->addrs, want->n_addrs,
			 &plan->addr_del, &plan->n_addr_del) ||
	    mesh_prefix_minus(want->routes, want->n_routes, cur->routes,
			 cur->n_routes, &plan->route_add, &plan->n_route_add) ||
	    mesh_prefix_minus(cur->routes, cur->n_routes, want->routes,
			 want->n_routes, &plan->route_del, &plan->n_route_del))
		goto nomem;
	if (want->mtu && want->mtu != cur->mtu)
		plan->mtu = want->mtu;
	return 0;
nomem:
	mesh_plan_free(plan);
	return -ENOMEM;
}

void mesh_plan_free(struct mesh_plan *plan)
{
	wg_device_free(&plan->wg);
	free(plan->addr_add);
	free(plan->addr_del);
	free(plan->route_add);
	free(plan->route_del);
	memset(plan, 0, sizeof(*plan));
}

void mesh_state_free(struct mesh_state *s)
{
	wg_device_free(&s->wg);
	free(s->addrs);
	free(s->routes);
	memset(s, 0, sizeof(*s));
}
