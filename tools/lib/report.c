// SPDX-License-Identifier: GPL-2.0
/* What "wgmesh up" changes, in words: see report.h. */
#include <arpa/inet.h>
#include <string.h>

#include <sodium.h>

#include "keys.h"
#include "report.h"
#include "resolve.h"

struct report_settings report_settings(const struct mesh_plan *plan,
				       bool link_up)
{
	return (struct report_settings){
		.mtu = plan->mtu,
		.listen_port = plan->wg.set_listen_port,
		.private_key = plan->wg.has_private_key,
		.link_up = !link_up,
	};
}

/* "ctrl2 (controller)", "peer1 (peer)" or the public key. */
static void peer_name(FILE *f, const struct wgmesh_topology *t,
		      const uint8_t *key)
{
	const struct wgmesh_controller *c = NULL;
	const struct wgmesh_peer *p = NULL;
	char b64[WGMESH_KEY_B64_LEN + 1];

	if (t && wgmesh_topology_find_key(t, key, &c, &p)) {
		fprintf(f, "%s (%s)", c ? c->name : p->name,
			c ? "controller" : "peer");
		return;
	}
	wgmesh_key_to_base64(key, b64);
	fprintf(f, "%s", b64);
}

static void allowed_ips(FILE *f, const struct wg_peer *p)
{
	char a[INET6_ADDRSTRLEN];

	if (!p->n_ips)
		fprintf(f, "none");
	for (size_t i = 0; i < p->n_ips; i++) {
		const struct wg_allowedip *ip = &p->ips[i];

		inet_ntop(ip->family, ip->family == AF_INET6 ?
			  (const void *)&ip->ip6 : (const void *)&ip->ip4,
			  a, sizeof(a));
		fprintf(f, "%s%s/%u", i ? ", " : "", a, ip->cidr);
	}
}

/* The fields of plan peer @p, with what they were in @old (if any). */
static void peer_fields(FILE *f, const struct wg_peer *p,
			const struct wg_peer *old)
{
	char ep[INET6_ADDRSTRLEN + 10];
	const char *sep = ": ";

	if (p->set_ips) {
		fprintf(f, "%sallowed-ips ", sep);
		allowed_ips(f, p);
		if (old) {
			fprintf(f, " (was ");
			allowed_ips(f, old);
			fprintf(f, ")");
		}
		sep = ", ";
	}
	if (p->set_endpoint) {
		fprintf(f, "%sendpoint %s", sep,
			resolve_endpoint_str(&p->endpoint, ep, sizeof(ep)));
		if (old)
			fprintf(f, " (was %s)", resolve_endpoint_str(
				&old->endpoint, ep, sizeof(ep)));
		sep = ", ";
	}
	if (p->set_keepalive) {
		fprintf(f, "%skeepalive %u", sep, p->keepalive);
		if (old)
			fprintf(f, " (was %u)", old->keepalive);
		sep = ", ";
	}
	/* That it changes, never what it is. */
	if (p->set_preshared_key)
		fprintf(f, "%spreshared key%s", sep,
			!old ? "" :
			sodium_is_zero(p->preshared_key, WG_KEY_LEN) ? " removed" :
			sodium_is_zero(old->preshared_key, WG_KEY_LEN) ? " set" :
			" changed");
}

static void prefixes(FILE *f, char sign, const char *what,
		     const struct nlrt_prefix *v, size_t n)
{
	char buf[INET6_ADDRSTRLEN + 4];

	for (size_t i = 0; i < n; i++)
		fprintf(f, "  %c %s %s\n", sign, what,
			nlrt_prefix_str(&v[i], buf, sizeof(buf)));
}

void report_changes(FILE *f, const struct wgmesh_topology *t,
		    const struct mesh_state *cur, const struct mesh_plan *plan,
		    bool link_up)
{
	struct report_settings s = report_settings(plan, link_up);
	char b64[WGMESH_KEY_B64_LEN + 1];
	uint8_t pub[WG_KEY_LEN];

	for (size_t i = 0; i < plan->wg.n_peers; i++) {
		const struct wg_peer *p = &plan->wg.peers[i];
		const struct wg_peer *old =
			wg_device_find_peer(&cur->wg, p->public_key);
		bool removed = p->flags & WGPEER_F_REMOVE_ME;

		fprintf(f, "  %c peer ", removed ? '-' : old ? '~' : '+');
		peer_name(f, t, p->public_key);
		if (removed && t)
			fprintf(f, ": not in %s", t->file);
		else if (!removed)
			peer_fields(f, p, old);
		fputc('\n', f);
	}
	prefixes(f, '+', "address", plan->addr_add, plan->n_addr_add);
	prefixes(f, '-', "address", plan->addr_del, plan->n_addr_del);
	prefixes(f, '+', "route", plan->route_add, plan->n_route_add);
	prefixes(f, '-', "route", plan->route_del, plan->n_route_del);
	if (s.mtu)
		fprintf(f, "  ~ mtu %u (was %u)\n", plan->mtu, cur->mtu);
	if (s.listen_port)
		fprintf(f, "  ~ listen port %u (was %u)\n",
			plan->wg.listen_port, cur->wg.listen_port);
	if (s.private_key) {
		/* Only ever the public half. */
		if (wgmesh_key_public(pub, plan->wg.private_key))
			memset(pub, 0, sizeof(pub));
		wgmesh_key_to_base64(pub, b64);
		fprintf(f, "  ~ private key (public key %s)\n", b64);
	}
	if (s.link_up)
		fprintf(f, "  ~ link up\n");
}

void report_counts(FILE *f, const struct mesh_plan *plan, bool link_up)
{
	struct report_settings s = report_settings(plan, link_up);

	fprintf(f, "peers +%zu ~%zu -%zu, addresses +%zu -%zu, routes +%zu -%zu",
		plan->peers_added, plan->peers_changed, plan->peers_removed,
		plan->n_addr_add, plan->n_addr_del, plan->n_route_add,
		plan->n_route_del);
	if (plan->psk_added || plan->psk_changed || plan->psk_removed)
		fprintf(f, ", preshared keys +%zu ~%zu -%zu", plan->psk_added,
			plan->psk_changed, plan->psk_removed);
	if (s.mtu)
		fprintf(f, ", mtu %u", plan->mtu);
	if (s.listen_port)
		fprintf(f, ", listen port %u", plan->wg.listen_port);
	if (s.private_key)
		fprintf(f, ", private key");
	if (s.link_up)
		fprintf(f, ", link up");
}
