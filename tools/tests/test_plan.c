// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the "wgmesh up" diff planner (plan.c): what an up sends to
 * the kernel for a fresh interface, an unchanged one, and a changed one.
 * The rule that matters most: a peer that did not change is never sent
 * (that would be harmless for keys but the contract is "only the
 * difference"), and nothing ever asks for WGDEVICE_F_REPLACE_PEERS.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#include "lib/plan.h"
#include "ktap.h"

static void key(uint8_t *k, int seed)
{
	memset(k, seed, WG_KEY_LEN);
}

static void ip6(struct wg_peer *p, const char *text, int cidr)
{
	struct wg_allowedip *a = wg_peer_add_ip(p);

	a->family = AF_INET6;
	a->cidr = cidr;
	inet_pton(AF_INET6, text, &a->ip6);
}

static struct wg_peer *peer(struct wg_device *d, int seed)
{
	struct wg_peer *p = wg_device_add_peer(d);

	key(p->public_key, seed);
	p->keepalive = 25;
	p->set_keepalive = true;
	p->set_ips = true;
	return p;
}

static void endpoint(struct wg_peer *p, const char *ip4, int port)
{
	p->endpoint.sin.sin_family = AF_INET;
	p->endpoint.sin.sin_port = htons(port);
	inet_pton(AF_INET, ip4, &p->endpoint.sin.sin_addr);
	p->set_endpoint = true;
}

static void prefix(struct nlrt_prefix **v, size_t *n, const char *t, int len)
{
	*v = realloc(*v, (*n + 1) * sizeof(**v));
	inet_pton(AF_INET6, t, &(*v)[*n].addr);
	(*v)[(*n)++].len = len;
}

/* A controller's wanted state: 2 peers and 1 other controller. */
static void wanted(struct mesh_state *w)
{
	struct wg_peer *p;

	memset(w, 0, sizeof(*w));
	strcpy(w->wg.ifname, "wg-test-one");
	key(w->wg.private_key, 1);
	w->wg.has_private_key = true;
	w->wg.listen_port = 51820;
	w->wg.set_listen_port = true;
	p = peer(&w->wg, 10);		/* other controller */
	ip6(p, "fd00:0:0:200::", 56);
	endpoint(p, "10.0.2.2", 51820);
	p = peer(&w->wg, 11);		/* peer A */
	ip6(p, "fd00:0:0:100:aaaa:aaaa::", 96);
	ip6(p, "fd00:0:0:200:aaaa:aaaa::", 96);
	p = peer(&w->wg, 12);		/* peer B */
	ip6(p, "fd00:0:0:100:bbbb:bbbb::", 96);
	ip6(p, "fd00:0:0:200:bbbb:bbbb::", 96);
	prefix(&w->addrs, &w->n_addrs, "fd00:0:0:100::1", 40);
	prefix(&w->routes, &w->n_routes, "fd00::", 40);
	w->mtu = 1400;
}

/* What the kernel reports once @w is applied (peers in another order,
 * allowed IPs reversed, endpoints learned for peers). */
static void applied(struct mesh_state *c, const struct mesh_state *w)
{
	memset(c, 0, sizeof(*c));
	c->wg = w->wg;
	c->wg.peers = NULL;
	c->wg.n_peers = c->wg.cap_peers = 0;
	for (size_t i = w->wg.n_peers; i-- > 0;) {
		const struct wg_peer *src = &w->wg.peers[i];
		struct wg_peer *p = wg_device_add_peer(&c->wg);

		memcpy(p->public_key, src->public_key, WG_KEY_LEN);
		memcpy(p->preshared_key, src->preshared_key, WG_KEY_LEN);
		p->keepalive = src->keepalive;
		p->endpoint = src->endpoint;
		if (!p->endpoint.sa.sa_family) {
			p->endpoint.sin.sin_family = AF_INET;
			p->endpoint.sin.sin_port = htons(40000 + i);
		}
		for (size_t j = src->n_ips; j-- > 0;)
			*wg_peer_add_ip(p) = src->ips[j];
		p->rx_bytes = 1000;
	}
	for (size_t i = 0; i < w->n_addrs; i++)
		prefix(&c->addrs, &c->n_addrs, "::", 0), c->addrs[i] = w->addrs[i];
	for (size_t i = 0; i < w->n_routes; i++)
		prefix(&c->routes, &c->n_routes, "::", 0), c->routes[i] = w->routes[i];
	c->mtu = w->mtu;
}

static const struct wg_peer *plan_peer(const struct mesh_plan *p, int seed)
{
	uint8_t k[WG_KEY_LEN];

	key(k, seed);
	for (size_t i = 0; i < p->wg.n_peers; i++)
		if (!memcmp(p->wg.peers[i].public_key, k, WG_KEY_LEN))
			return &p->wg.peers[i];
	return NULL;
}

static void test_fresh(void)
{
	struct mesh_state cur = { 0 }, want;
	struct mesh_plan p;
	const struct wg_peer *c;

	wanted(&want);
	cur.mtu = 1420;
	ktap_ok(!mesh_plan(&cur, &want, &p), "fresh: plan computed");
	ktap_ok(p.wg_changed && p.wg.has_private_key && p.wg.set_listen_port &&
	      p.wg.listen_port == 51820, "fresh: private key and port set");
	ktap_ok(p.peers_added == 3 && p.peers_changed == 0 &&
	      p.peers_removed == 0 && p.wg.n_peers == 3,
	      "fresh: every peer added");
	c = plan_peer(&p, 10);
	ktap_ok(c && c->set_endpoint && c->set_keepalive && c->keepalive == 25 &&
	      c->set_ips && c->n_ips == 1 &&
	      c->flags == WGPEER_F_REPLACE_ALLOWEDIPS,
	      "fresh: controller peer has endpoint, keepalive, its /56");
	c = plan_peer(&p, 11);
	ktap_ok(c && !c->set_endpoint && c->n_ips == 2,
	      "fresh: peer without endpoint gets none");
	ktap_ok(p.n_addr_add == 1 && p.n_addr_del == 0 && p.n_route_add == 1 &&
	      p.n_route_del == 0 && p.mtu == 1400,
	      "fresh: address, route and MTU added");
	mesh_plan_free(&p);
	mesh_state_free(&want);
}

static void test_unchanged(void)
{
	struct mesh_state cur, want;
	struct mesh_plan p;

	wanted(&want);
	applied(&cur, &want);
	ktap_ok(!mesh_plan(&cur, &want, &p), "unchanged: plan computed");
	ktap_ok(!p.wg_changed && p.wg.n_peers == 0 && !p.wg.has_private_key &&
	      !p.wg.set_listen_port,
	      "unchanged: nothing sent to WireGuard (order and learned endpoints ignored)");
	ktap_ok(!p.n_addr_add && !p.n_addr_del && !p.n_route_add &&
	      !p.n_route_del && !p.mtu, "unchanged: no address, route or MTU change");
	mesh_plan_free(&p);
	mesh_state_free(&cur);
	mesh_state_free(&want);
}

static void test_changes(void)
{
	struct mesh_state cur, want;
	const struct wg_peer *c;
	struct mesh_plan p;

	wanted(&want);
	applied(&cur, &want);
	/* Peer B (12) leaves, C (13) joins, A (11) gets a third /96. */
	free(want.wg.peers[2].ips);
	want.wg.peers[2] = want.wg.peers[--want.wg.n_peers];
	memset(&want.wg.peers[want.wg.n_peers], 0, sizeof(want.wg.peers[0]));
	ip6(&want.wg.peers[1], "fd00:0:0:300:aaaa:aaaa::", 96);
	ip6(peer(&want.wg, 13), "fd00:0:0:100:cccc:cccc::", 96);
	/* The other controller moved; its endpoint changes, nothing else. */
	endpoint(&want.wg.peers[0], "10.0.9.2", 51820);
	/* A new listen port and key. */
	want.wg.listen_port = 51821;
	key(want.wg.private_key, 2);
	/* Address moves, route stays, one extra route. */
	want.addrs[0].addr.s6_addr[15] = 2;
	prefix(&want.routes, &want.n_routes, "fd01::", 40);

	ktap_ok(!mesh_plan(&cur, &want, &p), "changes: plan computed");
	ktap_ok(p.peers_added == 1 && p.peers_changed == 2 &&
	      p.peers_removed == 1 && p.wg.n_peers == 4,
	      "changes: 1 added, 2 changed, 1 removed");
	c = plan_peer(&p, 12);
	ktap_ok(c && c->flags == WGPEER_F_REMOVE_ME && !c->set_ips &&
	      !c->set_endpoint && !c->set_keepalive,
	      "changes: removed peer only has REMOVE_ME");
	ktap_ok(p.wg.peers[0].flags == WGPEER_F_REMOVE_ME,
	      "changes: removals are sent before additions");
	c = plan_peer(&p, 11);
	ktap_ok(c && c->flags == WGPEER_F_REPLACE_ALLOWEDIPS && c->n_ips == 3 &&
	      !c->set_endpoint && !c->set_keepalive,
	      "changes: allowed IPs replaced as a whole, nothing else");
	c = plan_peer(&p, 10);
	ktap_ok(c && c->set_endpoint && !c->set_ips && !c->flags &&
	      !c->set_keepalive && ntohl(c->endpoint.sin.sin_addr.s_addr) ==
	      0x0a000902, "changes: moved endpoint alone is updated");
	c = plan_peer(&p, 13);
	ktap_ok(c && c->set_ips && c->n_ips == 1, "changes: new peer added");
	ktap_ok(p.wg.has_private_key && p.wg.set_listen_port &&
	      p.wg.listen_port == 51821, "changes: new key and port");
	ktap_ok(p.n_addr_add == 1 && p.n_addr_del == 1 &&
	      p.addr_add[0].addr.s6_addr[15] == 2 &&
	      p.addr_del[0].addr.s6_addr[15] == 1,
	      "changes: address replaced");
	ktap_ok(p.n_route_add == 1 && p.n_route_del == 0 &&
	      p.route_add[0].addr.s6_addr[1] == 1,
	      "changes: only the new route added");
	mesh_plan_free(&p);
	mesh_state_free(&cur);
	mesh_state_free(&want);
}

static void test_keepalive_and_gone(void)
{
	struct mesh_state cur, want;
	const struct wg_peer *c;
	struct mesh_plan p;

	wanted(&want);
	applied(&cur, &want);
	want.wg.peers[2].keepalive = 0;
	want.mtu = 0;
	cur.mtu = 9000;
	ktap_ok(!mesh_plan(&cur, &want, &p), "keepalive: plan computed");
	c = plan_peer(&p, 12);
	ktap_ok(p.wg.n_peers == 1 && c && c->set_keepalive && !c->keepalive &&
	      !c->set_ips && !c->flags, "keepalive: only the keepalive sent");
	ktap_ok(!p.mtu, "keepalive: MTU 0 leaves the device's MTU alone");
	mesh_plan_free(&p);

	/* An empty topology side removes every peer, address and route. */
	mesh_state_free(&want);
	memset(&want, 0, sizeof(want));
	strcpy(want.wg.ifname, "wg-test-one");
	ktap_ok(!mesh_plan(&cur, &want, &p), "empty: plan computed");
	ktap_ok(p.peers_removed == 3 && p.n_addr_del == 1 && p.n_route_del == 1 &&
	      !p.wg.has_private_key, "empty: everything removed, key kept");
	mesh_plan_free(&p);
	mesh_state_free(&cur);
}

static void test_endpoint_equal(void)
{
	union wg_endpoint a = { 0 }, b = { 0 };

	ktap_ok(wg_endpoint_equal(&a, &b), "endpoint: none equals none");
	a.sin6.sin6_family = AF_INET6;
	a.sin6.sin6_port = htons(1);
	inet_pton(AF_INET6, "2001:db8::1", &a.sin6.sin6_addr);
	b = a;
	ktap_ok(wg_endpoint_equal(&a, &b), "endpoint: same IPv6");
	b.sin6.sin6_port = htons(2);
	ktap_ok(!wg_endpoint_equal(&a, &b), "endpoint: other port differs");
	b = a;
	b.sin6.sin6_addr.s6_addr[15] = 2;
	ktap_ok(!wg_endpoint_equal(&a, &b), "endpoint: other address differs");
	b.sin.sin_family = AF_INET;
	ktap_ok(!wg_endpoint_equal(&a, &b), "endpoint: other family differs");
}

/* Every peer of @w with a preshared key of bytes @seed + its index (0: none). */
static void psks(struct mesh_state *w, int seed)
{
	for (size_t i = 0; i < w->wg.n_peers; i++) {
		memset(w->wg.peers[i].preshared_key, seed ? seed + (int)i : 0,
		       WG_KEY_LEN);
		w->wg.peers[i].set_preshared_key = true;
	}
}

/* Every peer of @p carries only a preshared key, of bytes @seed + i. */
static bool only_psks(const struct mesh_plan *p, int seed)
{
	bool ok = p->wg.n_peers == 3;

	for (size_t i = 0; ok && i < p->wg.n_peers; i++) {
		const struct wg_peer *c = &p->wg.peers[i];
		uint8_t want[WG_KEY_LEN];

		memset(want, seed ? seed + (c->public_key[0] - 10) : 0,
		       WG_KEY_LEN);
		ok = c->set_preshared_key && !c->set_ips && !c->flags &&
		     !c->set_endpoint && !c->set_keepalive &&
		     !memcmp(c->preshared_key, want, WG_KEY_LEN);
	}
	return ok;
}

/* A changed preshared key is a changed peer, and only the key is sent. */
static void test_preshared_keys(void)
{
	struct mesh_state cur, want, empty = { 0 };
	struct mesh_plan p;

	wanted(&want);
	psks(&want, 100);
	ktap_ok(!mesh_plan(&empty, &want, &p) && p.peers_added == 3 &&
		p.wg.peers[0].set_preshared_key &&
		p.wg.peers[0].preshared_key[0] == 100 &&
		!p.psk_added && !p.psk_changed && !p.psk_removed,
		"psk: new peers are added with their preshared keys");
	mesh_plan_free(&p);
	applied(&cur, &want);
	ktap_ok(!mesh_plan(&cur, &want, &p) && !p.wg_changed && !p.wg.n_peers,
		"psk: the same preshared keys read back: nothing sent");
	mesh_plan_free(&p);

	psks(&want, 200);	/* another mesh secret */
	ktap_ok(!mesh_plan(&cur, &want, &p) && p.peers_changed == 3 &&
		p.psk_changed == 3 && !p.psk_added && !p.psk_removed &&
		only_psks(&p, 200),
		"psk: a new secret changes every peer, by its key alone");
	mesh_plan_free(&p);

	psks(&want, 0);		/* PresharedKeyFile gone */
	ktap_ok(!mesh_plan(&cur, &want, &p) && p.peers_changed == 3 &&
		p.psk_removed == 3 && !p.psk_added && !p.psk_changed &&
		only_psks(&p, 0),
		"psk: without a secret, keys set on the interface are removed");
	mesh_plan_free(&p);
	mesh_state_free(&cur);

	applied(&cur, &want);	/* read back: all zero */
	psks(&want, 100);
	ktap_ok(!mesh_plan(&cur, &want, &p) && p.psk_added == 3 &&
		!p.psk_changed && !p.psk_removed && only_psks(&p, 100),
		"psk: a first secret sets every key");
	mesh_plan_free(&p);
	mesh_state_free(&cur);

	psks(&want, 0);
	ktap_ok(!mesh_plan(&empty, &want, &p) && p.peers_added == 3 &&
		!p.wg.peers[0].set_preshared_key,
		"psk: no key for a new peer: none sent");
	mesh_plan_free(&p);

	applied(&cur, &want);
	psks(&cur, 50);		/* keys someone else set... */
	for (size_t i = 0; i < want.wg.n_peers; i++)
		want.wg.peers[i].set_preshared_key = false;
	ktap_ok(!mesh_plan(&cur, &want, &p) && !p.wg_changed,
		"psk: without set_preshared_key, the key does not matter");
	mesh_plan_free(&p);
	mesh_state_free(&cur);
	mesh_state_free(&want);
}

int main(void)
{
	if (sodium_init() < 0)
		return 1;
	ktap_plan(29 + 7);
	test_fresh();
	test_unchanged();
	test_changes();
	test_keepalive_and_gone();
	test_endpoint_equal();
	test_preshared_keys();
	return ktap_finish();
}
