// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of derive.c: what "wgmesh up" wants a controller's and a
 * peer's interface to be, checked against the addressing notes' examples
 * (instance "vpn") and clan-core's role configuration, and the preshared
 * keys both ends of a pair derive.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#include "lib/derive.h"
#include "lib/psk.h"
#include "lib/resolve.h"
#include "ktap.h"
#include "vpn_topology.h"


static bool is_prefix(const struct nlrt_prefix *p, const char *a, int len)
{
	struct in6_addr x;

	inet_pton(AF_INET6, a, &x);
	return p->len == len && !memcmp(&p->addr, &x, sizeof(x));
}

static bool has_ip(const struct wg_peer *p, const char *a, int cidr)
{
	struct in6_addr x;

	inet_pton(AF_INET6, a, &x);
	for (size_t i = 0; i < p->n_ips; i++)
		if (p->ips[i].family == AF_INET6 && p->ips[i].cidr == cidr &&
		    !memcmp(&p->ips[i].ip6, &x, sizeof(x)))
			return true;
	return false;
}

static const struct wg_peer *peer_of(const struct wg_device *d, int last)
{
	for (size_t i = 0; i < d->n_peers; i++)
		if (d->peers[i].public_key[31] == last)
			return &d->peers[i];
	return NULL;
}

/*
 * Preshared keys: the two machines of a pair derive the same key, the one
 * of psk_derive(), and every pair its own; without a secret, none.
 */
static void preshared_keys(const struct wgmesh_topology *t)
{
	const uint8_t secret[WG_KEY_LEN] = { 1, 2, 3 };
	uint8_t priv[WG_KEY_LEN] = { 7 }, want[WG_KEY_LEN];
	struct mesh_self c1 = { .ctrl = &t->controllers[0] };
	struct mesh_self p1 = { .peer = &t->peers[0] };
	struct mesh_state a, b;
	const struct wg_peer *ab, *ba, *other;
	char err[512];

	if (mesh_desired(t, c1, priv, secret, &a, err, sizeof(err)) ||
	    mesh_desired(t, p1, priv, secret, &b, err, sizeof(err))) {
		printf("Bail out! %s\n", err);
		exit(1);
	}
	ab = peer_of(&a.wg, 3);		/* controller1's entry of peer1 */
	ba = peer_of(&b.wg, 1);		/* peer1's entry of controller1 */
	other = peer_of(&a.wg, 2);	/* controller1's entry of controller2 */
	psk_derive(want, secret, "vpn", t->controllers[0].public_key,
		   t->peers[0].public_key);
	ktap_ok(ab && ba && ab->set_preshared_key && ba->set_preshared_key &&
		!sodium_is_zero(ab->preshared_key, WG_KEY_LEN) &&
		!memcmp(ab->preshared_key, ba->preshared_key, WG_KEY_LEN),
		"psk: controller1 and peer1 derive the same key for their pair");
	ktap_ok(ab && !memcmp(ab->preshared_key, want, WG_KEY_LEN),
		"psk: it is psk_derive(secret, Name, the two public keys)");
	ktap_ok(ab && other && memcmp(ab->preshared_key, other->preshared_key,
				      WG_KEY_LEN),
		"psk: another pair has another key");
	mesh_state_free(&a);
	mesh_state_free(&b);
	if (mesh_desired(t, c1, priv, NULL, &a, err, sizeof(err)))
		exit(1);
	ab = peer_of(&a.wg, 3);
	ktap_ok(ab && ab->set_preshared_key &&
		sodium_is_zero(ab->preshared_key, WG_KEY_LEN),
		"psk: without a secret, no key, and that matters (set)");
	mesh_state_free(&a);
}

/* A peer whose controller is its exit: all of IPv4 there, two halves routed. */
static void exit_peer(void)
{
	static const char text[] =
		"[Mesh]\nName = vpn\nIPv4 = 10.128.0.0/16\n"
		"[Controller controller1]\nEndpoint = 192.0.2.1\nExit = yes\n"
		"PublicKey = AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAE=\n"
		"[Peer peer1]\nExit = controller1\n"
		"PublicKey = AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAM=\n";
	uint8_t priv[WG_KEY_LEN] = { 7 };
	struct wgmesh_topology *t;
	const struct wg_peer *p;
	struct mesh_state s;
	bool all = false, range = false;
	size_t halves = 0;
	char err[512];

	if (wgmesh_topology_parse(text, sizeof(text) - 1, "t.conf", &t, err,
				  sizeof(err)) ||
	    mesh_desired(t, (struct mesh_self){ .peer = &t->peers[0] }, priv,
			 NULL, &s, err, sizeof(err))) {
		printf("Bail out! %s\n", err);
		exit(1);
	}
	p = peer_of(&s.wg, 1);
	for (size_t i = 0; p && i < p->n_ips; i++) {
		all |= p->ips[i].family == AF_INET && !p->ips[i].cidr;
		range |= p->ips[i].family == AF_INET && p->ips[i].cidr == 16;
	}
	for (size_t i = 0; i < s.n_routes; i++)
		halves += s.routes[i].family == AF_INET && s.routes[i].len == 1;
	ktap_ok(all && !range && halves == 2,
		"exit: the controller's entry carries 0.0.0.0/0 (not the "
		"range), routes 0.0.0.0/1 and 128.0.0.0/1");
	mesh_state_free(&s);
	wgmesh_topology_free(t);
}

int main(void)
{
	struct wgmesh_topology *t;
	struct mesh_state s;
	const struct wg_peer *p;
	uint8_t priv[WG_KEY_LEN] = { 7 };
	char err[512];
	struct mesh_self self = { 0 };
	struct resolve_pending *pending;
	size_t n_pending;

	if (sodium_init() < 0 ||
	    wgmesh_topology_parse(vpn_topology, sizeof(vpn_topology) - 1,
				  "t.conf", &t, err, sizeof(err))) {
		printf("Bail out! %s\n", err);
		return 1;
	}
	ktap_plan(14 + 4 + 1);

	self.ctrl = wgmesh_topology_controller(t, "controller1");
	ktap_ok(!mesh_desired(t, self, priv, NULL, &s, err, sizeof(err)),
	      "controller1: desired state computed");
	ktap_ok(s.n_addrs == 1 &&
	      is_prefix(&s.addrs[0], "fdeb:f20c:3b:f700::1", 40) &&
	      s.n_routes == 1 && is_prefix(&s.routes[0], "fdeb:f20c::", 40),
	      "controller1: ::1/40 and a route to the mesh /40");
	ktap_ok(s.wg.set_listen_port && s.wg.listen_port == 51820 &&
	      s.wg.has_private_key && s.wg.private_key[0] == 7 && s.mtu == 1400,
	      "controller1: its port, its key, the MTU");
	p = peer_of(&s.wg, 2);
	ktap_ok(s.wg.n_peers == 3 && p && p->n_ips == 1 &&
	      has_ip(p, "fdeb:f20c:c1:aa00::", 56) && p->keepalive == 25,
	      "controller1: controller2 with its /56, keepalive 25");
	ktap_ok(p && !p->endpoint.sa.sa_family && !p->set_endpoint,
	      "controller1: controller2's endpoint left to resolve_mesh()");
	ktap_ok(!resolve_mesh(t, self, &s.wg, &pending, &n_pending) &&
	      !n_pending && p->set_endpoint &&
	      p->endpoint.sa.sa_family == AF_INET6 &&
	      ntohs(p->endpoint.sin6.sin6_port) == 51821,
	      "controller1: controller2's [IPv6]:port endpoint resolved");
	p = peer_of(&s.wg, 3);
	ktap_ok(p && p->n_ips == 2 && has_ip(p, "fdeb:f20c:3b:f700:6987:50a0::", 96) &&
	      has_ip(p, "fdeb:f20c:c1:aa00:6987:50a0::", 96),
	      "controller1: peer1 with its /96 in both controller subnets");
	ktap_ok(p && !p->endpoint.sa.sa_family && p->keepalive == 25,
	      "controller1: peer1 without endpoint");
	mesh_state_free(&s);

	self.ctrl = NULL;
	self.peer = wgmesh_topology_peer(t, "peer1");
	ktap_ok(!mesh_desired(t, self, priv, NULL, &s, err, sizeof(err)),
	      "peer1: desired state computed");
	ktap_ok(s.n_addrs == 2 &&
	      is_prefix(&s.addrs[0], "fdeb:f20c:3b:f700:6987:50a0:9b93:4337", 56) &&
	      is_prefix(&s.addrs[1], "fdeb:f20c:c1:aa00:6987:50a0:9b93:4337", 56),
	      "peer1: one /56 address per controller subnet");
	ktap_ok(s.n_routes == 2 && is_prefix(&s.routes[0], "fdeb:f20c:3b:f700::", 56) &&
	      is_prefix(&s.routes[1], "fdeb:f20c:c1:aa00::", 56),
	      "peer1: a route to each controller /56");
	ktap_ok(!s.wg.set_listen_port && s.wg.n_peers == 2,
	      "peer1: no fixed port, one WireGuard peer per controller");
	ktap_ok(!resolve_mesh(t, self, &s.wg, &pending, &n_pending) &&
	      !n_pending, "peer1: both endpoints resolved");
	p = peer_of(&s.wg, 1);
	ktap_ok(p && p->endpoint.sa.sa_family == AF_INET &&
	      ntohs(p->endpoint.sin.sin_port) == 51820 &&
	      ntohl(p->endpoint.sin.sin_addr.s_addr) == 0xc0000201 &&
	      p->n_ips == 1 && has_ip(p, "fdeb:f20c:3b:f700::", 56),
	      "peer1: controller1 at 192.0.2.1:51820 (mesh port), its /56");
	mesh_state_free(&s);
	preshared_keys(t);
	wgmesh_topology_free(t);
	exit_peer();
	return ktap_finish();
}
