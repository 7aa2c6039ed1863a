// SPDX-License-Identifier: GPL-2.0
/*
 * wgmesh status [IFACE] [--file FILE] [--json] [--check]
 *
 * One line per member the interface knows: name, role, mesh address,
 * endpoint, latest handshake age, rx/tx bytes (from WireGuard) and, on a
 * controller with wgmesh.ko attached, packets forwarded and dropped from
 * that member; then the module's device totals with drops per reason.
 * Roles and module ids come from the AllowedIPs (a /96 is a peer, a /56 a
 * controller); names from FILE when given, else a short public key (in
 * JSON: null, next to the full key). Problems (lib/health.h) are listed;
 * --check prints only them and exits 2 when there are any.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "status.h"
#include "lib/addr.h"
#include "lib/health.h"
#include "lib/keys.h"
#include "lib/module.h"
#include "lib/owner.h"
#include "lib/resolve.h"
#include "lib/topology.h"
#include "nl/rt.h"
#include "nl/wg.h"

/* The shape of --json: bump when a key changes meaning or goes away. */
#define STATUS_JSON_VERSION 1

struct status_args {
	const char *ifname;
	const char *file;
	bool json, check;
};

/* What a member is, as far as this machine can tell. */
struct member {
	char name[WGMESH_NAME_MAX + 1];
	bool named;			/* name from the file, not a key */
	const char *role;		/* "controller", "peer", "?" */
	bool controller;
	uint32_t id;			/* module id, when role known */
	struct in6_addr addr;		/* mesh address, when known */
	bool has_addr;
	uint32_t ipv4;			/* from the file; 0: none/unknown */
	const struct meshnl_member *st;	/* its counters, when attached */
};

/* A member of public key @key, named from @t, its role not known yet. */
static void member_init(struct member *m, const struct wgmesh_topology *t,
			const uint8_t *key)
{
	const struct wgmesh_controller *c = NULL;
	const struct wgmesh_peer *p = NULL;
	char b64[WGMESH_KEY_B64_LEN + 1];

	memset(m, 0, sizeof(*m));
	m->role = "?";
	m->named = t && wgmesh_topology_find_key(t, key, &c, &p);
	if (m->named) {
		snprintf(m->name, sizeof(m->name), "%s", c ? c->name : p->name);
		if (t->ipv4_len)
			m->ipv4 = c ? c->owned.ipv4 : p->owned.ipv4;
		return;
	}
	wgmesh_key_to_base64(key, b64);
	snprintf(m->name, sizeof(m->name), "%.10s...", b64);
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

/* One interface as status shows it. */
struct iface {
	struct wg_device d;
	struct member self;
	struct member *mem;		/* one per WireGuard peer */
	char alias[256];
	const char *mesh;		/* from the alias or the file, or NULL */
	struct meshnl_state st;
	bool attached;
	struct health health;
};

/*
 * This machine: name and role from the file, else its role from its
 * addresses (a controller holds <subnet>::1/40, a peer /56s).
 */
static void self_of(const struct wgmesh_topology *t, struct nls *rt,
		    struct iface *f)
{
	const struct wgmesh_controller *c = NULL;
	const struct wgmesh_peer *p = NULL;
	struct member *self = &f->self;
	struct nlrt_prefix *a = NULL;
	size_t n = 0;

	member_init(self, t, f->d.public_key);
	if (t && wgmesh_topology_find_key(t, f->d.public_key, &c, &p)) {
		self->controller = c;
		self->role = c ? "controller" : "peer";
		if (c)
			wgmesh_controller_addr(t->name, c->name, &self->addr);
		else
			wgmesh_peer_addr(t->name,
					 t->controllers[p->controller].name,
					 p->name, &self->addr);
		self->has_addr = true;
		return;
	}
	if (!rt || nlrt_addr_list(rt, f->d.ifindex, &a, &n))
		return;
	for (size_t i = 0; i < n; i++) {
		const uint8_t *b = a[i].addr.s6_addr;
		bool one = !memcmp(b + 8, "\0\0\0\0\0\0\0\1", 8);

		if (nlrt_family(&a[i]) != AF_INET6 || b[0] != 0xfd || (a[i].len != WGMESH_MESH_PLEN &&
				     a[i].len != WGMESH_SUBNET_PLEN))
			continue;
		self->controller = a[i].len == WGMESH_MESH_PLEN && one;
		self->role = self->controller ? "controller" : "peer";
		self->addr = a[i].addr;
		self->has_addr = true;
		if (self->controller)
			break;
	}
	free(a);
}

static void print_table(const struct iface *f, bool named)
{
	char addr[INET6_ADDRSTRLEN], ep[INET6_ADDRSTRLEN + 10], age[32];
	char b64[WGMESH_KEY_B64_LEN + 1], ifname[4 * IF_NAMESIZE];
	const struct meshnl_state *st = &f->st;
	const struct wg_device *d = &f->d;
	const struct member *self = &f->self;

	wgmesh_key_to_base64(d->public_key, b64);
	printf("interface %s: %s (%s)", cli_escape(d->ifname, ifname,
						   sizeof(ifname)),
	       self->name, self->role);
	if (self->has_addr)
		printf(" %s", wgmesh_addr_str(&self->addr, addr));
	if (self->ipv4)
		printf(" %s", wgmesh_ipv4_str(self->ipv4, addr));
	if (f->mesh)
		printf(", mesh %s", f->mesh);
	if (d->listen_port)
		printf(", listening on %u", d->listen_port);
	printf(", public key %s\n", b64);
	for (size_t i = 0; i < f->health.n; i++)
		printf("problem: %s\n", f->health.v[i].message);
	if (f->health.more)
		printf("problem: %zu more\n", f->health.more);
	if (f->attached)
		printf("wgmesh.ko attached, %s, generation %llu\n",
		       st->has_topology ? "topology set" : "no topology",
		       (unsigned long long)st->topo.generation);
	if (!named && d->n_peers)
		printf("(names are shortened public keys: --file FILE names "
		       "them)\n");
	printf("  %-16s %-10s %-39s %-23s %-10s %12s %12s", "NAME", "ROLE",
	       "ADDRESS", "ENDPOINT", "HANDSHAKE", "RX", "TX");
	if (f->attached)
		printf(" %10s %10s", "FORWARDED", "DROPPED");
	printf("\n");
	for (size_t i = 0; i < d->n_peers; i++) {
		const struct wg_peer *p = &d->peers[i];
		const struct member *m = &f->mem[i];
		long long a = handshake_age(p);

		resolve_endpoint_str(&p->endpoint, ep, sizeof(ep));
		if (a < 0)
			snprintf(age, sizeof(age), "never");
		else
			snprintf(age, sizeof(age), "%llds ago", a);
		printf("  %-16s %-10s %-39s %-23s %-10s %12llu %12llu",
		       m->name, m->role,
		       m->has_addr ? wgmesh_addr_str(&m->addr, addr) : "-",
		       ep, age, (unsigned long long)p->rx_bytes,
		       (unsigned long long)p->tx_bytes);
		if (f->attached && m->st)
			printf(" %10llu %10llu",
			       (unsigned long long)
			       m->st->stats[WGMESH_STATS_A_FWD_PACKETS],
			       (unsigned long long)
			       m->st->stats[WGMESH_STATS_A_DROP_PACKETS]);
		else if (f->attached)
			printf(" %10s %10s", "-", "-");
		printf("\n");
	}
	if (!f->attached)
		return;
	printf("forwarded %llu packets (%llu bytes; %llu for other controllers), delivered %llu, passed %llu; dropped:",
	       (unsigned long long)st->dev_stats[WGMESH_STATS_A_FWD_PACKETS],
	       (unsigned long long)st->dev_stats[WGMESH_STATS_A_FWD_BYTES],
	       (unsigned long long)st->dev_stats[WGMESH_STATS_A_TAKEOVER_PACKETS],
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

/* A JSON string, or null. */
static void json_str_or_null(const char *s)
{
	if (s)
		cli_json_str(s);
	else
		printf("null");
}

/* "role" and "name" of a member: null when not known. */
static void json_who(const struct member *m)
{
	printf("\"name\": ");
	json_str_or_null(m->named ? m->name : NULL);
	printf(", \"role\": ");
	json_str_or_null(m->role[0] == '?' ? NULL : m->role);
}

/* One interface: see README "status --json" for the shape. */
static void print_json(const struct iface *f, bool loaded)
{
	char addr[INET6_ADDRSTRLEN], ep[INET6_ADDRSTRLEN + 10];
	char b64[WGMESH_KEY_B64_LEN + 1];
	const struct meshnl_state *st = &f->st;
	const struct wg_device *d = &f->d;
	const struct member *self = &f->self;

	wgmesh_key_to_base64(d->public_key, b64);
	printf("{\"interface\": ");
	cli_json_str(d->ifname);
	printf(", \"mesh\": ");
	json_str_or_null(f->mesh);
	printf(", ");
	json_who(self);
	printf(", \"address\": ");
	json_str_or_null(self->has_addr ? wgmesh_addr_str(&self->addr, addr) :
			 NULL);
	printf(", \"ipv4\": ");
	json_str_or_null(self->ipv4 ? wgmesh_ipv4_str(self->ipv4, addr) : NULL);
	printf(", \"listen_port\": %u, \"public_key\": \"%s\"", d->listen_port,
	       b64);
	printf(",\n \"module\": {\"loaded\": %s, \"attached\": %s, "
	       "\"topology\": %s, \"generation\": ", loaded ? "true" : "false",
	       f->attached ? "true" : "false",
	       f->attached && st->has_topology ? "true" : "false");
	if (f->attached && st->has_topology)
		printf("%llu", (unsigned long long)st->topo.generation);
	else
		printf("null");
	printf(", \"stats\": ");
	if (f->attached)
		json_counters(st->dev_stats);
	else
		printf("null");
	printf("},\n \"problems\": [");
	for (size_t i = 0; i < f->health.n; i++) {
		printf("%s{\"code\": \"%s\", \"message\": ", i ? ", " : "",
		       f->health.v[i].code);
		cli_json_str(f->health.v[i].message);
		printf("}");
	}
	printf("],\n \"members\": [");
	for (size_t i = 0; i < d->n_peers; i++) {
		const struct wg_peer *p = &d->peers[i];
		const struct member *m = &f->mem[i];
		long long a = handshake_age(p);

		wgmesh_key_to_base64(p->public_key, b64);
		resolve_endpoint_str(&p->endpoint, ep, sizeof(ep));
		printf("%s\n  {", i ? "," : "");
		json_who(m);
		printf(", \"address\": ");
		json_str_or_null(m->has_addr ? wgmesh_addr_str(&m->addr, addr) :
				 NULL);
		printf(", \"ipv4\": ");
		json_str_or_null(m->ipv4 ? wgmesh_ipv4_str(m->ipv4, addr) :
				 NULL);
		printf(", \"public_key\": \"%s\", \"endpoint\": ", b64);
		json_str_or_null(p->endpoint.sa.sa_family ? ep : NULL);
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
	printf("]}");
}

/* --check: one line, "IFACE: ok" or its problems. */
static void print_check(const struct iface *f)
{
	char ifname[4 * IF_NAMESIZE];

	printf("%s: ", cli_escape(f->d.ifname, ifname, sizeof(ifname)));
	if (!f->health.n)
		printf("ok");
	for (size_t i = 0; i < f->health.n; i++)
		printf("%s%s", i ? "; " : "", f->health.v[i].message);
	if (f->health.more)
		printf("; %zu more", f->health.more);
	printf("\n");
}

/*
 * What status says about the device in @f, once read: its members named
 * from @t, their roles and counters, the problems. @rt (NULL: none) reads
 * this machine's addresses when @t does not name it; @loaded: wgmesh.ko
 * is loaded. 0, or 1 once an error is shown.
 */
static int describe(const struct wgmesh_topology *t, struct nls *rt,
		    struct iface *f, bool loaded)
{
	struct health_input h = { 0 };

	f->mesh = owner_mesh(f->alias);
	if (!f->mesh && t)
		f->mesh = t->name;
	f->mem = calloc(f->d.n_peers + 1, sizeof(*f->mem));
	if (!f->mem)
		return cli_err("out of memory");
	self_of(t, rt, f);
	for (size_t i = 0; i < f->d.n_peers; i++) {
		classify(t, &f->d.peers[i], &f->mem[i]);
		f->mem[i].st = f->attached ? find_stats(&f->st, &f->mem[i]) :
			       NULL;
	}
	h.controller = f->self.controller;
	h.role_known = f->self.role[0] != '?';
	h.not_in_file = t && !f->self.named;
	h.module_loaded = loaded;
	h.attached = f->attached;
	h.has_topology = f->st.has_topology;
	health_interface(&h, &f->health);
	for (size_t i = 0; i < f->d.n_peers; i++)
		if (f->mem[i].controller && !f->d.peers[i].endpoint.sa.sa_family)
			health_no_endpoint(&f->health, f->mem[i].name);
	return 0;
}

/* Gather what status says about @ifname. 0, or 1 once an error is shown. */
static int gather(struct nlwg *wg, struct nls *rt, const char *ifname,
		  const struct wgmesh_topology *t, struct iface *f)
{
	char err[WGMESH_ERR_LEN];
	struct nlrt_link link;
	int ret;

	if (nlwg_get(wg, ifname, &f->d))
		return cli_err("%s", wg->s.err);
	if (!nlrt_link_get(rt, ifname, &link))
		memcpy(f->alias, link.alias, sizeof(f->alias));
	ret = mesh_module_get(ifname, &f->st, err, sizeof(err));
	if (ret < 0)
		return cli_err("%s", err);
	f->attached = !ret;
	return describe(t, rt, f, mesh_module_loaded());
}

/* One interface in the form @mode asks for. */
static void print_iface(const struct iface *f, const struct wgmesh_topology *t,
			enum status_mode mode, bool loaded)
{
	if (mode == STATUS_JSON)
		print_json(f, loaded);
	else if (mode == STATUS_CHECK)
		print_check(f);
	else
		print_table(f, t != NULL);
}

int status_print_device(const struct wg_device *d,
			const struct wgmesh_topology *t, enum status_mode mode)
{
	struct iface f = { .d = *d };
	int ret = describe(t, NULL, &f, false);

	if (!ret)
		print_iface(&f, t, mode, false);
	free(f.mem);
	return ret;
}

/* Show @ifname; *@problems counts what it found. 0, or 1 on error. */
static int status_one(struct nlwg *wg, struct nls *rt, const char *ifname,
		      const struct wgmesh_topology *t,
		      const struct status_args *a, size_t *problems)
{
	struct iface f = { 0 };
	int ret = gather(wg, rt, ifname, t, &f);

	if (!ret) {
		*problems += f.health.n + f.health.more;
		print_iface(&f, t, a->json ? STATUS_JSON : a->check ?
			    STATUS_CHECK : STATUS_TABLE, mesh_module_loaded());
	}
	free(f.mem);
	meshnl_state_free(&f.st);
	wg_device_free(&f.d);
	return ret;
}

static int cmd_status(int argc, char **argv)
{
	struct wgmesh_topology *t = NULL;
	char (*names)[16] = NULL, (*listed)[16] = NULL, one[1][16];
	struct status_args a = { 0 };
	const struct cli_opt opts[] = {
		{ .name = "--json", .flag = &a.json },
		{ .name = "--check", .flag = &a.check },
		{ .name = "--file", .value = &a.file, .needs = "a FILE" },
		{ 0 }
	};
	struct nlwg wg = { 0 };
	struct nls rt = { 0 };
	size_t n = 0, problems = 0;
	int rc = 0;

	if (cli_parse(&cli_status, argc, argv, opts, &a.ifname, 1))
		return CLI_FAILED;
	if (cli_need_net_admin(&cli_status, "read WireGuard interfaces"))
		return CLI_FAILED;
	if (a.file && cli_load(a.file, &t))
		return CLI_FAILED;
	if (!a.ifname && t)
		a.ifname = t->interface;
	if (nlrt_open(&rt)) {
		rc = cli_err("%s", rt.err);
	} else if (!a.ifname) {
		/* Every WireGuard interface. */
		if (nlrt_link_list(&rt, "wireguard", &listed, &n))
			rc = cli_err("%s", rt.err);
		names = listed;
	} else if (!nlrt_ifindex(a.ifname)) {
		rc = cli_err("%s: no such interface", a.ifname);
	} else {
		snprintf(one[0], sizeof(one[0]), "%s", a.ifname);
		names = one;
		n = 1;
	}
	if (!rc && nlwg_open(&wg))
		rc = cli_err("%s", wg.s.err);
	if (!rc && a.json)
		printf("{\"version\": %d, \"interfaces\": [",
		       STATUS_JSON_VERSION);
	for (size_t i = 0; !rc && i < n; i++) {
		if (a.json && i)
			printf(",\n");
		else if (a.json)
			printf("\n");
		else if (i && !a.check)
			printf("\n");
		rc |= status_one(&wg, &rt, names[i], t, &a, &problems);
	}
	if (!rc && a.json)
		printf("]}\n");
	if (wg.s.nl)
		nlwg_close(&wg);
	if (rt.nl)
		nls_close(&rt);
	free(listed);
	wgmesh_topology_free(t);
	if (rc)
		return CLI_FAILED;
	return a.check && problems ? CLI_NO : CLI_OK;
}

const struct cli_cmd cli_status = {
	.name = "status", .run = cmd_status,
	.args = "[IFACE] [--file FILE] [--json] [--check]",
	.summary = "show the members of a mesh interface and their traffic",
	.help = "IFACE defaults to FILE's Interface, else every WireGuard interface.\n"
		"FILE maps public keys to machine names. On a controller with\n"
		"wgmesh.ko attached, FORWARDED/DROPPED count packets from each\n"
		"member, and a last line gives the device totals per drop reason.\n"
		"Problems get a line each: a controller without wgmesh.ko attached,\n"
		"the module without a topology, a controller member without an\n"
		"endpoint, a key not in FILE. --json prints one object, {\"version\": 1,\n"
		"\"interfaces\": [...]} (README: status --json). --check prints one\n"
		"line per interface, \"IFACE: ok\" or its problems.\n"
		"Needs root or CAP_NET_ADMIN.\n"
		"Exit status: 0 (--check: no problem), 1 error, 2 --check found\n"
		"problems.\n",
};
