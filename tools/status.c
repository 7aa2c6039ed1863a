// SPDX-License-Identifier: GPL-2.0
/*
 * wgmesh status [IFACE] [--file FILE] [--json]
 *
 * One line per member the interface knows: name, role, mesh address,
 * endpoint, latest handshake age, rx/tx bytes (from WireGuard) and, on a
 * controller with wgmesh.ko attached, packets forwarded and dropped from
 * that member; then the module's device totals with drops per reason.
 * Roles and module ids come from the AllowedIPs (a /96 is a peer, a /56 a
 * controller); names from FILE when given, else a short public key.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "lib/addr.h"
#include "lib/keys.h"
#include "lib/module.h"
#include "lib/topology.h"
#include "nl/rt.h"
#include "nl/wg.h"

struct status_args {
	const char *ifname;
	const char *file;
	bool json;
};

/* What a member is, as far as this machine can tell. */
struct member {
	char name[WGMESH_NAME_MAX + 1];
	const char *role;		/* "controller", "peer", "?" */
	bool controller;
	uint32_t id;			/* module id, when role known */
	struct in6_addr addr;		/* mesh address, when known */
	bool has_addr;
	const struct meshnl_member *st;	/* its counters, when attached */
};

static void name_of(const struct wgmesh_topology *t, const uint8_t *key,
		    char *out, size_t len)
{
	const struct wgmesh_controller *c = NULL;
	const struct wgmesh_peer *p = NULL;
	char b64[WGMESH_KEY_B64_LEN + 1];

	if (t && wgmesh_topology_find_key(t, key, &c, &p)) {
		snprintf(out, len, "%s", c ? c->name : p->name);
		return;
	}
	wgmesh_key_to_base64(key, b64);
	snprintf(out, len, "%.10s...", b64);
}

/* A member of public key @key, named from @t, its role not known yet. */
static void member_init(struct member *m, const struct wgmesh_topology *t,
			const uint8_t *key)
{
	memset(m, 0, sizeof(*m));
	m->role = "?";
	name_of(t, key, m->name, sizeof(m->name));
}

static void classify(const struct wgmesh_topology *t, const struct wg_peer *p,
		     struct member *m)
{
	const struct wgmesh_controller *c = NULL;
	const struct wgmesh_peer *pe = NULL;

	member_init(m, t, p->public_key);
	for (size_t i = 0; i < p->n_ips; i++) {
		const struct wg_allowedip *ip = &p->ips[i];
		const uint8_t *b = ip->ip6.s6_addr;

		if (ip->family != AF_INET6)
			continue;
		if (ip->cidr == WGMESH_SUBNET_PLEN) {
			m->role = "controller";
			m->controller = true;
			m->id = (uint32_t)b[5] << 8 | b[6];
			m->addr = ip->ip6;
			m->addr.s6_addr[15] = 1;
			m->has_addr = true;
			break;
		}
		if (ip->cidr == WGMESH_PEER_PLEN) {
			m->role = "peer";
			m->id = (uint32_t)b[8] << 24 | (uint32_t)b[9] << 16 |
				(uint32_t)b[10] << 8 | b[11];
			m->addr = ip->ip6;
			m->has_addr = !t;	/* refined below from the file */
			break;
		}
	}
	/* The file knows the peer's full address in its controller's subnet. */
	if (t && wgmesh_topology_find_key(t, p->public_key, &c, &pe) == 2) {
		wgmesh_peer_addr(t->name, t->controllers[pe->controller].name,
				 pe->name, &m->addr);
		m->has_addr = true;
	}
}

static void endpoint_str(const union wg_endpoint *e, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];

	if (e->sa.sa_family == AF_INET) {
		inet_ntop(AF_INET, &e->sin.sin_addr, a, sizeof(a));
		snprintf(buf, len, "%s:%u", a, ntohs(e->sin.sin_port));
	} else if (e->sa.sa_family == AF_INET6) {
		inet_ntop(AF_INET6, &e->sin6.sin6_addr, a, sizeof(a));
		snprintf(buf, len, "[%s]:%u", a, ntohs(e->sin6.sin6_port));
	} else {
		snprintf(buf, len, "-");
	}
}

static long long handshake_age(const struct wg_peer *p)
{
	long long age;

	if (!p->handshake_sec)
		return -1;
	age = (long long)time(NULL) - p->handshake_sec;
	return age < 0 ? 0 : age;	/* the clock stepped back */
}

static const struct meshnl_member *find_stats(const struct meshnl_state *s,
					      const struct member *m)
{
	const struct meshnl_member *v = m->controller ? s->topo.ctrls :
					s->topo.peers;
	size_t n = m->controller ? s->topo.n_ctrls : s->topo.n_peers;

	if (m->role[0] == '?')
		return NULL;
	for (size_t i = 0; i < n; i++)
		if (v[i].id == m->id)
			return &v[i];
	return NULL;
}

static void json_counters(const uint64_t *c)
{
	const char *sep = "";

	printf("{");
	for (int i = 0; i <= WGMESH_STATS_A_MAX; i++) {
		if (!meshnl_stat_names[i])
			continue;
		printf("%s\"%s\": %llu", sep, meshnl_stat_names[i],
		       (unsigned long long)c[i]);
		sep = ", ";
	}
	printf("}");
}

/* This machine: name and role from the file, else from its own key. */
static void self_of(const struct wgmesh_topology *t, const struct wg_device *d,
		    struct member *self)
{
	const struct wgmesh_controller *c = NULL;
	const struct wgmesh_peer *p = NULL;

	member_init(self, t, d->public_key);
	if (!t || !wgmesh_topology_find_key(t, d->public_key, &c, &p))
		return;
	self->controller = c;
	self->role = c ? "controller" : "peer";
	if (c)
		wgmesh_controller_addr(t->name, c->name, &self->addr);
	else
		wgmesh_peer_addr(t->name, t->controllers[p->controller].name,
				 p->name, &self->addr);
	self->has_addr = true;
}

static void print_table(const struct wg_device *d, const struct member *self,
			const struct member *mem, const struct meshnl_state *st,
			bool attached)
{
	char addr[INET6_ADDRSTRLEN], ep[INET6_ADDRSTRLEN + 10], age[32];
	char b64[WGMESH_KEY_B64_LEN + 1];

	wgmesh_key_to_base64(d->public_key, b64);
	printf("interface %s: %s (%s)", d->ifname, self->name, self->role);
	if (self->has_addr)
		printf(" %s", wgmesh_addr_str(&self->addr, addr));
	if (d->listen_port)
		printf(", listening on %u", d->listen_port);
	printf(", public key %s\n", b64);
	if (attached)
		printf("wgmesh.ko attached, %s, generation %llu\n",
		       st->has_topology ? "topology set" : "no topology",
		       (unsigned long long)st->topo.generation);
	printf("  %-16s %-10s %-39s %-23s %-10s %12s %12s", "NAME", "ROLE",
	       "ADDRESS", "ENDPOINT", "HANDSHAKE", "RX", "TX");
	if (attached)
		printf(" %10s %10s", "FORWARDED", "DROPPED");
	printf("\n");
	for (size_t i = 0; i < d->n_peers; i++) {
		const struct wg_peer *p = &d->peers[i];
		const struct member *m = &mem[i];
		long long a = handshake_age(p);

		endpoint_str(&p->endpoint, ep, sizeof(ep));
		if (a < 0)
			snprintf(age, sizeof(age), "never");
		else
			snprintf(age, sizeof(age), "%llds ago", a);
		printf("  %-16s %-10s %-39s %-23s %-10s %12llu %12llu",
		       m->name, m->role,
		       m->has_addr ? wgmesh_addr_str(&m->addr, addr) : "-",
		       ep, age, (unsigned long long)p->rx_bytes,
		       (unsigned long long)p->tx_bytes);
		if (attached && m->st)
			printf(" %10llu %10llu",
			       (unsigned long long)
			       m->st->stats[WGMESH_STATS_A_FWD_PACKETS],
			       (unsigned long long)
			       m->st->stats[WGMESH_STATS_A_DROP_PACKETS]);
		else if (attached)
			printf(" %10s %10s", "-", "-");
		printf("\n");
	}
	if (!attached)
		return;
	printf("forwarded %llu packets (%llu bytes), delivered %llu, passed %llu; dropped:",
	       (unsigned long long)st->dev_stats[WGMESH_STATS_A_FWD_PACKETS],
	       (unsigned long long)st->dev_stats[WGMESH_STATS_A_FWD_BYTES],
	       (unsigned long long)st->dev_stats[WGMESH_STATS_A_LOCAL_PACKETS],
	       (unsigned long long)st->dev_stats[WGMESH_STATS_A_PASS_PACKETS]);
	/* The reasons: every drop_* counter but their sum. */
	for (int i = 0; i <= WGMESH_STATS_A_MAX; i++)
		if (i != WGMESH_STATS_A_DROP_PACKETS && meshnl_stat_names[i] &&
		    !strncmp(meshnl_stat_names[i], "drop_", 5))
			printf(" %s %llu", meshnl_stat_names[i] + 5,
			       (unsigned long long)st->dev_stats[i]);
	printf("\n");
}

static void print_json(const struct wg_device *d, const struct member *self,
		       const struct member *mem, const struct meshnl_state *st,
		       bool attached)
{
	char addr[INET6_ADDRSTRLEN], ep[INET6_ADDRSTRLEN + 10];
	char b64[WGMESH_KEY_B64_LEN + 1];

	wgmesh_key_to_base64(d->public_key, b64);
	printf("{\"interface\": ");
	cli_json_str(d->ifname);
	printf(", \"name\": ");
	cli_json_str(self->name);
	printf(", \"role\": \"%s\", \"address\": ", self->role);
	if (self->has_addr)
		cli_json_str(wgmesh_addr_str(&self->addr, addr));
	else
		printf("null");
	printf(", \"listen_port\": %u, \"public_key\": \"%s\"", d->listen_port,
	       b64);
	if (attached) {
		printf(", \"module\": {\"topology\": %s, \"generation\": %llu, \"stats\": ",
		       st->has_topology ? "true" : "false",
		       (unsigned long long)st->topo.generation);
		json_counters(st->dev_stats);
		printf("}");
	} else {
		printf(", \"module\": null");
	}
	printf(", \"members\": [");
	for (size_t i = 0; i < d->n_peers; i++) {
		const struct wg_peer *p = &d->peers[i];
		const struct member *m = &mem[i];
		long long a = handshake_age(p);

		wgmesh_key_to_base64(p->public_key, b64);
		endpoint_str(&p->endpoint, ep, sizeof(ep));
		printf("%s\n  {\"name\": ", i ? "," : "");
		cli_json_str(m->name);
		printf(", \"role\": \"%s\", \"address\": ", m->role);
		if (m->has_addr)
			cli_json_str(wgmesh_addr_str(&m->addr, addr));
		else
			printf("null");
		printf(", \"public_key\": \"%s\", \"endpoint\": ", b64);
		if (p->endpoint.sa.sa_family)
			cli_json_str(ep);
		else
			printf("null");
		printf(", \"latest_handshake\": %lld, \"handshake_age\": ",
		       (long long)p->handshake_sec);
		if (a < 0)
			printf("null");
		else
			printf("%lld", a);
		printf(", \"rx_bytes\": %llu, \"tx_bytes\": %llu, \"stats\": ",
		       (unsigned long long)p->rx_bytes,
		       (unsigned long long)p->tx_bytes);
		if (m->st)
			json_counters(m->st->stats);
		else
			printf("null");
		printf("}");
	}
	printf("]}\n");
}

static int status_one(struct nlwg *wg, const char *ifname,
		      const struct wgmesh_topology *t, bool json)
{
	struct meshnl_state st = { 0 };
	char err[WGMESH_ERR_LEN];
	struct member self, *mem;
	struct wg_device d;
	int attached;

	if (nlwg_get(wg, ifname, &d))
		return cli_err("%s", wg->s.err);
	attached = mesh_module_get(ifname, &st, err, sizeof(err));
	if (attached < 0) {
		wg_device_free(&d);
		return cli_err("%s", err);
	}
	attached = !attached;
	mem = calloc(d.n_peers + 1, sizeof(*mem));
	if (!mem) {
		wg_device_free(&d);
		meshnl_state_free(&st);
		return cli_err("out of memory");
	}
	self_of(t, &d, &self);
	for (size_t i = 0; i < d.n_peers; i++) {
		classify(t, &d.peers[i], &mem[i]);
		mem[i].st = attached ? find_stats(&st, &mem[i]) : NULL;
	}
	if (json)
		print_json(&d, &self, mem, &st, attached);
	else
		print_table(&d, &self, mem, &st, attached);
	free(mem);
	meshnl_state_free(&st);
	wg_device_free(&d);
	return 0;
}

static int cmd_status(int argc, char **argv)
{
	struct wgmesh_topology *t = NULL;
	char (*names)[16] = NULL;
	struct status_args a = { 0 };
	const struct cli_opt opts[] = {
		{ .name = "--json", .flag = &a.json },
		{ .name = "--file", .value = &a.file },
		{ 0 }
	};
	struct nlwg wg;
	struct nls rt;
	size_t n = 0;
	int rc = 0;

	if (cli_parse(&cli_status, argc, argv, opts, &a.ifname, 1))
		return 1;
	if (a.file && cli_load(a.file, &t))
		return 1;
	if (!a.ifname && t)
		a.ifname = t->interface;
	if (!a.ifname) {
		/* Every WireGuard interface. */
		if (nlrt_open(&rt)) {
			wgmesh_topology_free(t);
			return cli_err("%s", rt.err);
		}
		if (nlrt_link_list(&rt, "wireguard", &names, &n))
			rc = cli_err("%s", rt.err);
		nls_close(&rt);
	} else if (!nlrt_ifindex(a.ifname)) {
		rc = cli_err("%s: no such interface", a.ifname);
	}
	if (!rc && nlwg_open(&wg)) {
		rc = cli_err("%s", wg.s.err);
	} else if (!rc) {
		if (a.ifname) {
			rc = status_one(&wg, a.ifname, t, a.json);
		} else {
			if (a.json)
				printf("[");
			for (size_t i = 0; i < n; i++) {
				if (a.json && i)
					printf(",\n");
				else if (i)
					printf("\n");
				rc |= status_one(&wg, names[i], t, a.json);
			}
			if (a.json)
				printf("]\n");
		}
		nlwg_close(&wg);
	}
	free(names);
	wgmesh_topology_free(t);
	return rc;
}

const struct cli_cmd cli_status = {
	.name = "status", .run = cmd_status,
	.args = "[IFACE] [--file FILE] [--json]",
	.summary = "show the members of a mesh interface and their traffic",
	.help = "IFACE defaults to FILE's Interface, else every WireGuard interface.\n"
		"FILE maps public keys to machine names. On a controller with\n"
		"wgmesh.ko attached, FORWARDED/DROPPED count packets from each\n"
		"member, and a last line gives the device totals per drop reason.\n",
};
