// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of lib/report.c: what "up -v" and "up --dry-run" print for a
 * plan, and the counts and settings of up's summary line (MTU and listen
 * port changes included, which once went unreported).
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#include "lib/derive.h"
#include "lib/keys.h"
#include "lib/report.h"
#include "lib/resolve.h"
#include "ktap.h"
#include "shows_key.h"
#include "vpn_topology.h"


/* @p into @d, allowed IPs and all. */
static struct wg_peer *copy_peer(struct wg_device *d, const struct wg_peer *p)
{
	struct wg_peer *c = wg_device_add_peer(d);

	memcpy(c->public_key, p->public_key, WG_KEY_LEN);
	c->endpoint = p->endpoint;
	c->keepalive = p->keepalive;
	for (size_t i = 0; i < p->n_ips; i++)
		*wg_peer_add_ip(c) = p->ips[i];
	return c;
}

static char *run(void (*fn)(FILE *, const void *), const void *arg)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	fn(f, arg);
	fclose(f);
	return text;
}

struct ctx {
	const struct wgmesh_topology *t;
	const struct mesh_state *cur;
	const struct mesh_plan *plan;
	bool link_up;
};

static void changes(FILE *f, const void *arg)
{
	const struct ctx *c = arg;

	report_changes(f, c->t, c->cur, c->plan, c->link_up);
}

static void counts(FILE *f, const void *arg)
{
	const struct ctx *c = arg;

	report_counts(f, c->plan, c->link_up);
}

static bool has_line(const char *text, const char *line)
{
	size_t n = strlen(line);

	for (const char *p = text; p; p = strchr(p, '\n'), p = p ? p + 1 : p)
		if (!strncmp(p, line, n) && (p[n] == '\n' || !p[n]))
			return true;
	ktap_diag("missing line '%s'", line);
	return false;
}

/*
 * Preshared keys: a peer's line says that its key is set, changed or
 * removed, the summary counts them, and no key is ever printed.
 */
static void preshared_keys(const struct wgmesh_topology *t,
			   const struct mesh_state *want0)
{
	struct mesh_state want = { 0 }, cur = { 0 };
	uint8_t k1[WG_KEY_LEN], k2[WG_KEY_LEN];
	struct mesh_plan plan;
	char *text, *sum;
	struct ctx c;

	memset(k1, 0x5a, sizeof(k1));
	memset(k2, 0xa5, sizeof(k2));
	strcpy(cur.wg.ifname, "vpn");
	strcpy(want.wg.ifname, "vpn");
	/* want: every peer with k2; cur: controller2 with k1, peer1 none, peer2 absent. */
	for (size_t i = 0; i < want0->wg.n_peers; i++) {
		const struct wg_peer *w = &want0->wg.peers[i];
		struct wg_peer *p = copy_peer(&want.wg, w);

		p->set_preshared_key = true;
		memcpy(p->preshared_key, k2, WG_KEY_LEN);
		if (w->public_key[31] == 4)
			continue;
		p = copy_peer(&cur.wg, w);
		if (w->public_key[31] == 2)
			memcpy(p->preshared_key, k1, WG_KEY_LEN);
	}
	mesh_plan(&cur, &want, &plan);
	c = (struct ctx){ .t = t, .cur = &cur, .plan = &plan, .link_up = true };
	text = run(changes, &c);
	sum = run(counts, &c);
	ktap_ok(has_line(text, "  ~ peer controller2 (controller): preshared key changed") &&
		has_line(text, "  ~ peer peer1 (peer): preshared key set") &&
		has_line(text, "  + peer peer2 (peer): allowed-ips "
			 "fdeb:f20c:3b:f700:3b21:3ced::/96, "
			 "fdeb:f20c:c1:aa00:3b21:3ced::/96, keepalive 25, "
			 "preshared key"),
		"preshared keys: set, changed, and with a new peer");
	ktap_ok(!strcmp(sum, "peers +1 ~2 -0, addresses +0 -0, routes +0 -0, "
			"preshared keys +1 ~1 -0"),
		"preshared keys in the summary: %s", sum);
	ktap_ok(!shows_key(text, k1) && !shows_key(text, k2) && !shows_key(sum, k1) &&
		!shows_key(sum, k2), "no preshared key is printed");
	free(text);
	free(sum);
	mesh_plan_free(&plan);

	for (size_t i = 0; i < want.wg.n_peers; i++)
		memset(want.wg.peers[i].preshared_key, 0, WG_KEY_LEN);
	mesh_plan(&cur, &want, &plan);
	text = run(changes, &c);
	sum = run(counts, &c);
	ktap_ok(has_line(text, "  ~ peer controller2 (controller): preshared key removed") &&
		strstr(sum, ", preshared keys +0 ~0 -1") && !shows_key(text, k1),
		"a removed preshared key: %s", sum);
	free(text);
	free(sum);
	mesh_plan_free(&plan);
	mesh_state_free(&cur);
	mesh_state_free(&want);
}

int main(void)
{
	uint8_t priv[WG_KEY_LEN] = { 7 }, other[WG_KEY_LEN] = { 9 };
	struct mesh_state want, cur = { 0 };
	struct wgmesh_topology *t;
	struct resolve_pending *pending;
	struct mesh_self self = { 0 };
	struct mesh_plan plan;
	size_t n_pending;
	char err[512], *text;
	struct wg_peer *p;
	struct ctx c;

	if (sodium_init() < 0 ||
	    wgmesh_topology_parse(vpn_topology, sizeof(vpn_topology) - 1,
				  "t.conf", &t, err, sizeof(err))) {
		printf("Bail out! %s\n", err);
		return 1;
	}
	ktap_plan(11 + 4);
	self.ctrl = wgmesh_topology_controller(t, "controller1");
	if (mesh_desired(t, self, priv, NULL, &want, err, sizeof(err)) ||
	    resolve_mesh(t, self, &want.wg, &pending, &n_pending)) {
		printf("Bail out! %s\n", err);
		return 1;
	}

	/* The live interface: controller2 roamed, peer1 without keepalive,
	 * peer2 missing, a stranger, another key, port, MTU and address. */
	strcpy(cur.wg.ifname, "vpn");
	memcpy(cur.wg.private_key, other, WG_KEY_LEN);
	cur.wg.has_private_key = true;
	cur.wg.listen_port = 51000;
	cur.mtu = 1420;
	for (size_t i = 0; i < want.wg.n_peers; i++) {
		const struct wg_peer *w = &want.wg.peers[i];

		if (w->public_key[31] == 4)
			continue;	/* peer2 */
		p = copy_peer(&cur.wg, w);
		if (w->public_key[31] == 2)
			resolve_endpoint("2001:db8::9", 1, &p->endpoint, err,
					 sizeof(err));
		if (w->public_key[31] == 3)
			p->keepalive = 0;
	}
	p = wg_device_add_peer(&cur.wg);
	memset(p->public_key, 0x77, WG_KEY_LEN);
	cur.addrs = calloc(2, sizeof(*cur.addrs));
	cur.addrs[0] = want.addrs[0];
	inet_pton(AF_INET6, "fd00::5", &cur.addrs[1].addr);
	cur.addrs[1].len = 64;
	cur.n_addrs = 2;

	ktap_ok(!mesh_plan(&cur, &want, &plan), "plan computed");
	c = (struct ctx){ .t = t, .cur = &cur, .plan = &plan, .link_up = true };
	text = run(changes, &c);
	ktap_ok(has_line(text, "  + peer peer2 (peer): allowed-ips "
			 "fdeb:f20c:3b:f700:3b21:3ced::/96, "
			 "fdeb:f20c:c1:aa00:3b21:3ced::/96, keepalive 25"),
		"an added peer, named, with its allowed IPs and keepalive");
	ktap_ok(has_line(text, "  ~ peer controller2 (controller): endpoint "
			 "[2001:db8::2]:51821 (was [2001:db8::9]:1)"),
		"a roamed endpoint set back, saying what it was");
	ktap_ok(has_line(text, "  ~ peer peer1 (peer): keepalive 25 (was 0)"),
		"a changed keepalive, only that");
	ktap_ok(has_line(text, "  - peer d3d3d3d3d3d3d3d3d3d3d3d3d3d3d3d3d3d3d3d3d3c="
			 ": not in t.conf"), "a removed peer by its key");
	ktap_ok(has_line(text, "  - address fd00::5/64") &&
		has_line(text, "  + route fdeb:f20c::/40"),
		"addresses and routes, each on its line");
	ktap_ok(has_line(text, "  ~ mtu 1400 (was 1420)") &&
		has_line(text, "  ~ listen port 51820 (was 51000)"),
		"MTU and listen port changes are reported");
	ktap_ok(strstr(text, "  ~ private key (public key ") &&
		!strstr(text, "BwAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="),
		"a new private key: only its public key is shown");
	ktap_ok(!strstr(text, "link up"), "a link already up is not reported");
	free(text);
	text = run(counts, &c);
	ktap_ok(!strcmp(text, "peers +1 ~2 -1, addresses +0 -1, routes +1 -0, "
			"mtu 1400, listen port 51820, private key"),
		"summary counts and settings: %s", text);
	free(text);
	mesh_plan_free(&plan);
	mesh_state_free(&cur);

	/* Nothing differs: nothing to say. */
	memset(&cur, 0, sizeof(cur));
	cur.wg = want.wg;
	cur.addrs = want.addrs;
	cur.n_addrs = want.n_addrs;
	cur.routes = want.routes;
	cur.n_routes = want.n_routes;
	cur.mtu = want.mtu;
	mesh_plan(&cur, &want, &plan);
	c.cur = &cur;
	text = run(changes, &c);
	ktap_ok(!*text, "an unchanged interface: no line");
	free(text);
	mesh_plan_free(&plan);
	preshared_keys(t, &want);
	mesh_state_free(&want);
	wgmesh_topology_free(t);
	return ktap_finish();
}
