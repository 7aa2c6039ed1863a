// SPDX-License-Identifier: GPL-2.0
/*
 * Topology checks that need the whole file: duplicate names and keys,
 * address clashes (controller ids, peer /96s), the mesh's own settings,
 * peers' controllers, groups and policy; then machines are sorted.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "addr.h"
#include "topology_parser.h"

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sort the groups by name and turn first-seen ids into sorted bits. */
static int resolve_groups(struct parser *p)
{
	struct wgmesh_topology *t = p->t;
	unsigned int map[WGMESH_MAX_GROUPS];

	memcpy(t->groups, p->groups, p->n_groups * sizeof(char *));
	t->n_groups = p->n_groups;
	qsort(t->groups, t->n_groups, sizeof(char *), cmp_str);
	for (size_t i = 0; i < p->n_groups; i++)
		for (size_t j = 0; j < t->n_groups; j++)
			if (t->groups[j] == p->groups[i])
				map[i] = (unsigned int)j;
	/* Ownership moved to t->groups. */
	memset(p->groups, 0, sizeof(p->groups));

	for (size_t i = 0; i < t->n_controllers + t->n_peers; i++) {
		bool ctrl = i < t->n_controllers;
		struct pending *pd = ctrl ? &p->pc[i] :
				     &p->pp[i - t->n_controllers];
		uint64_t *bits = ctrl ? &t->controllers[i].groups :
				 &t->peers[i - t->n_controllers].groups;

		for (size_t g = 0; g < p->n_groups; g++)
			if (pd->group_ids & 1ull << g)
				*bits |= 1ull << map[g];
	}

	for (size_t i = 0; i < p->n_allow; i++) {
		int a = wgmesh_topology_group(t, p->allow[i].a);
		int b = wgmesh_topology_group(t, p->allow[i].b);

		if (a < 0 || b < 0)
			return fail_at(p, p->allow[i].line, "unknown group '%s'"
				       " in Allow: no machine is in it",
				       a < 0 ? p->allow[i].a : p->allow[i].b);
	}
	if (p->n_allow) {
		t->policy.allow = calloc(p->n_allow, sizeof(*t->policy.allow));
		if (!t->policy.allow)
			return oom(p);
	}
	for (size_t i = 0; i < p->n_allow; i++) {
		t->policy.allow[i].a = (unsigned int)
			wgmesh_topology_group(t, p->allow[i].a);
		t->policy.allow[i].b = (unsigned int)
			wgmesh_topology_group(t, p->allow[i].b);
		t->policy.allow[i].line = p->allow[i].line;
	}
	t->policy.n_allow = p->n_allow;
	return 0;
}

static int check_mesh(struct parser *p)
{
	struct wgmesh_topology *t = p->t;

	if (!p->mesh_seen)
		return fail_at(p, 0, "no [Mesh] section");
	if (!t->name)
		return fail_at(p, p->mesh_line, "[Mesh] has no Name");
	if (!t->port)
		t->port = WGMESH_DEFAULT_PORT;
	if (!t->domain && set_str(p, &t->domain, t->name))
		return -1;
	if (!t->interface) {
		if (strlen(t->name) > WGMESH_IFNAME_MAX)
			return fail_at(p, p->name_line, "Name '%s' is longer "
				       "than %d bytes and cannot be the "
				       "interface name: set Interface",
				       t->name, WGMESH_IFNAME_MAX);
		if (set_str(p, &t->interface, t->name))
			return -1;
	}
	if (!t->n_controllers)
		return fail_at(p, 0, "no [Controller] section: a mesh needs "
			       "at least one controller");
	if (p->policy_seen && !p->policy_default)
		return fail_at(p, p->policy_line, "[Policy] has no Default: "
			       "write Default = allow or Default = deny");
	if (wgmesh_watch_dead_after_ms(t) < 2 * wgmesh_watch_interval_ms(t))
		return fail_at(p, p->dead_after_line ? p->dead_after_line :
			       p->probe_line, "DeadAfter (%g s) must be at "
			       "least two ProbeIntervals (%g s)",
			       wgmesh_watch_dead_after_ms(t) / 1000.0,
			       2 * wgmesh_watch_interval_ms(t) / 1000.0);
	return 0;
}

/* Whether @o holds a global IPv6 prefix (2000::/3) an exit can route. */
static bool has_global6(const struct wgmesh_owned *o)
{
	for (size_t j = 0; j < o->n_subnets; j++)
		if (o->subnets[j].family == AF_INET6 &&
		    (o->subnets[j].addr[0] & 0xe0) == 0x20)
			return true;
	return false;
}

/*
 * Exit gateways carry IPv4 (with [Mesh] IPv4) and the routed global IPv6
 * prefixes of their users (README "Exits"). A peer's IPv4 and subnets are
 * homed at its designated controller: only there does WireGuard accept
 * them from the peer, so that is the only exit the peer can use.
 */
static int check_exits(struct parser *p)
{
	struct wgmesh_topology *t = p->t;

	for (size_t i = 0; i < t->n_peers; i++) {
		struct wgmesh_peer *pe = &t->peers[i];
		const struct pending *pd = &p->pp[i];
		const struct wgmesh_controller *c;
		size_t j;

		if (!pd->exit)
			continue;
		for (j = 0; j < t->n_controllers; j++)
			if (!strcmp(t->controllers[j].name, pd->exit))
				break;
		if (j == t->n_controllers)
			return fail_at(p, pd->exit_line, "peer %s: unknown "
				       "exit controller '%s'", pe->name,
				       pd->exit);
		c = &t->controllers[j];
		if (!c->exit)
			return fail_at(p, pd->exit_line, "peer %s: controller "
				       "%s is no exit (it needs Exit = yes)",
				       pe->name, c->name);
		if (j != pe->controller)
			return fail_at(p, pd->exit_line, "peer %s: Exit = %s "
				       "must be its Controller (%s): its IPv4 "
				       "is homed there", pe->name, c->name,
				       t->controllers[pe->controller].name);
		if (!t->ipv4_len && !has_global6(&pe->owned))
			return fail_at(p, pd->exit_line, "peer %s: Exit = %s "
				       "carries nothing for it: no [Mesh] IPv4 "
				       "and no global IPv6 prefix (2000::/3) in "
				       "its Subnets", pe->name, c->name);
		pe->exit = true;
	}
	return 0;
}

/* FwMark selects the routing table of Table: alone it means nothing. */
static int check_tables(struct parser *p)
{
	const struct wgmesh_topology *t = p->t;

	for (size_t i = 0; i < t->n_controllers + t->n_peers; i++) {
		const struct wgmesh_owned *o = i < t->n_controllers ?
			&t->controllers[i].owned :
			&t->peers[i - t->n_controllers].owned;
		const char *name = i < t->n_controllers ?
			t->controllers[i].name :
			t->peers[i - t->n_controllers].name;

		if (o->fwmark && !o->table)
			return fail_at(p, o->fwmark_line, "%s: FwMark needs "
				       "Table (the routing table that marked "
				       "packets use)", name);
	}
	return 0;
}

static int check_machines(struct parser *p)
{
	struct wgmesh_topology *t = p->t;

	for (size_t i = 0; i < t->n_controllers; i++) {
		struct wgmesh_controller *c = &t->controllers[i];

		if (!p->pc[i].key_line)
			return fail_at(p, c->line, "controller %s has no "
				       "PublicKey", c->name);
		if (!c->endpoint_host)
			return fail_at(p, c->line, "controller %s has no "
				       "Endpoint", c->name);
		if (!p->pc[i].port_set)
			c->port = t->port;
		if (!p->pc[i].firewall_set)
			c->no_firewall = t->no_firewall;
		if (!c->endpoint_port)
			c->endpoint_port = c->port;
	}
	for (size_t i = 0; i < t->n_peers; i++) {
		struct wgmesh_peer *pe = &t->peers[i];
		struct pending *pd = &p->pp[i];
		size_t j;

		if (!pd->key_line)
			return fail_at(p, pe->line, "peer %s has no PublicKey",
				       pe->name);
		if (!pd->controller) {
			if (t->n_controllers > 1)
				return fail_at(p, pe->line, "peer %s has no "
					       "Controller: required with "
					       "several controllers", pe->name);
			pe->controller = 0;
			continue;
		}
		for (j = 0; j < t->n_controllers; j++)
			if (!strcmp(t->controllers[j].name, pd->controller))
				break;
		if (j == t->n_controllers)
			return fail_at(p, pd->controller_line, "peer %s: "
				       "unknown controller '%s'", pe->name,
				       pd->controller);
		pe->controller = j;
	}
	return check_exits(p) || check_tables(p);
}

/*
 * Uniqueness checks sort references to the machines instead of comparing
 * every pair, so that a mesh of 100,000 peers still loads in a blink. Of
 * all clashing pairs, the one whose second member comes first in the file
 * is reported, at that member's line.
 */
struct ref {
	const void *key;
	size_t idx;		/* controllers first, then peers */
	unsigned int line;
};

struct clash {
	int (*cmp)(const void *a, const void *b);
	size_t first, second;	/* indices into the ref array */
};

static int ref_cmp(const void *a, const void *b, void *arg)
{
	const struct ref *x = a, *y = b;
	const struct clash *c = arg;
	int d = c->cmp(x->key, y->key);

	return d ? d : (x->line > y->line) - (x->line < y->line);
}

static bool find_clash(struct ref *r, size_t n, struct clash *c)
{
	bool found = false;

	qsort_r(r, n, sizeof(*r), ref_cmp, c);
	for (size_t i = 1, start = 0; i < n; i++) {
		if (c->cmp(r[i - 1].key, r[i].key)) {
			start = i;
			continue;
		}
		if (i == start + 1 && (!found || r[i].line < r[c->second].line)) {
			c->first = start;
			c->second = i;
			found = true;
		}
	}
	return found;
}

static int cmp_name(const void *a, const void *b)
{
	return strcasecmp(a, b);
}

static int cmp_key(const void *a, const void *b)
{
	return memcmp(a, b, WGMESH_KEY_LEN);
}

static int cmp_id(const void *a, const void *b)
{
	const uint16_t *x = a, *y = b;

	return (*x > *y) - (*x < *y);
}

static int cmp_prefix96(const void *a, const void *b)
{
	return memcmp(a, b, 4);	/* the top half of the interface id */
}

static const char *role(const struct wgmesh_topology *t, size_t idx)
{
	return idx < t->n_controllers ? "controller" : "peer";
}

static const char *name_of(const struct wgmesh_topology *t, size_t idx)
{
	return idx < t->n_controllers ? t->controllers[idx].name :
	       t->peers[idx - t->n_controllers].name;
}

static struct ref *machine_refs(struct parser *p)
{
	struct wgmesh_topology *t = p->t;
	struct ref *r = calloc(t->n_controllers + t->n_peers + 1, sizeof(*r));

	if (!r) {
		oom(p);
		return NULL;
	}
	for (size_t i = 0; i < t->n_controllers + t->n_peers; i++) {
		r[i].idx = i;
		r[i].key = name_of(t, i);
		r[i].line = i < t->n_controllers ? t->controllers[i].line :
			    t->peers[i - t->n_controllers].line;
	}
	return r;
}

/* Machine names are unique, ignoring case: they become host names. */
static int check_names(struct parser *p)
{
	struct wgmesh_topology *t = p->t;
	struct clash c = { .cmp = cmp_name };
	struct ref *r = machine_refs(p);
	int ret = 0;

	if (!r)
		return -1;
	if (find_clash(r, t->n_controllers + t->n_peers, &c)) {
		const struct ref *a = &r[c.first], *b = &r[c.second];

		if (!strcmp(role(t, a->idx), role(t, b->idx)))
			ret = fail_at(p, b->line, "duplicate %s '%s' (first "
				      "defined at line %u)", role(t, b->idx),
				      name_of(t, b->idx), a->line);
		else
			ret = fail_at(p, b->line, "'%s' is both a %s (line %u)"
				      " and a %s", name_of(t, b->idx),
				      role(t, a->idx), a->line,
				      role(t, b->idx));
	}
	free(r);
	return ret;
}

/* Public keys, controller ids and peer /96s must all be unique. */
static int check_collisions(struct parser *p)
{
	struct wgmesh_topology *t = p->t;
	size_t nc = t->n_controllers, n = nc + t->n_peers;
	uint16_t *ids = calloc(nc + 1, sizeof(*ids));
	uint8_t (*sfx)[WGMESH_SUFFIX_LEN] = calloc(t->n_peers + 1,
						   sizeof(*sfx));
	struct ref *r = machine_refs(p);
	struct clash c;
	int ret = -1;

	if (!r)
		goto out;
	if (!ids || !sfx) {
		oom(p);
		goto out;
	}

	for (size_t i = 0; i < n; i++) {
		r[i].key = i < nc ? t->controllers[i].public_key :
			   t->peers[i - nc].public_key;
		r[i].line = i < nc ? p->pc[i].key_line : p->pp[i - nc].key_line;
	}
	c = (struct clash){ .cmp = cmp_key };
	if (find_clash(r, n, &c)) {
		const struct ref *a = &r[c.first], *b = &r[c.second];

		fail_at(p, b->line, "%s %s has the same PublicKey as %s %s "
			"(line %u)", role(t, b->idx), name_of(t, b->idx),
			role(t, a->idx), name_of(t, a->idx), a->line);
		goto out;
	}

	for (size_t i = 0; i < nc; i++) {
		ids[i] = wgmesh_controller_id(t->controllers[i].name);
		r[i] = (struct ref){ .key = &ids[i], .idx = i,
				     .line = t->controllers[i].line };
	}
	c = (struct clash){ .cmp = cmp_id };
	if (find_clash(r, nc, &c)) {
		const struct ref *a = &r[c.first], *b = &r[c.second];

		fail_at(p, b->line, "controllers %s (line %u) and %s have the "
			"same controller id %04x, so the same /56: rename one",
			name_of(t, a->idx), a->line, name_of(t, b->idx),
			ids[b->idx]);
		goto out;
	}

	for (size_t i = 0; i < t->n_peers; i++) {
		const struct wgmesh_peer *pe = &t->peers[i];

		wgmesh_peer_suffix(pe->name, sfx[i]);
		if (wgmesh_peer_suffix_reserved(sfx[i])) {
			fail_at(p, pe->line, "peer %s: its /96 would contain "
				"the controllers' ::1: rename it", pe->name);
			goto out;
		}
		r[i] = (struct ref){ .key = sfx[i], .idx = nc + i,
				     .line = pe->line };
	}
	c = (struct clash){ .cmp = cmp_prefix96 };
	if (find_clash(r, t->n_peers, &c)) {
		const struct ref *a = &r[c.first], *b = &r[c.second];
		const uint8_t *s = b->key;

		fail_at(p, b->line, "peers %s (line %u) and %s have the same /96"
			" (interface ids both start %02x%02x:%02x%02x): rename "
			"one", name_of(t, a->idx), a->line, name_of(t, b->idx),
			s[0], s[1], s[2], s[3]);
		goto out;
	}
	ret = 0;
out:
	free(r);
	free(ids);
	free(sfx);
	return ret;
}

static int cmp_ctrl(const void *a, const void *b)
{
	return strcmp(((const struct wgmesh_controller *)a)->name,
		      ((const struct wgmesh_controller *)b)->name);
}

static int cmp_peer(const void *a, const void *b)
{
	return strcmp(((const struct wgmesh_peer *)a)->name,
		      ((const struct wgmesh_peer *)b)->name);
}

/* Sort machines by name; peers refer to their controller by index. */
static int sort_machines(struct parser *p)
{
	struct wgmesh_topology *t = p->t;
	char **names = calloc(t->n_controllers, sizeof(*names));

	if (!names)
		return oom(p);
	for (size_t i = 0; i < t->n_controllers; i++)
		names[i] = t->controllers[i].name;
	qsort(t->controllers, t->n_controllers, sizeof(*t->controllers),
	      cmp_ctrl);
	for (size_t i = 0; i < t->n_peers; i++) {
		const char *name = names[t->peers[i].controller];

		for (size_t j = 0; j < t->n_controllers; j++)
			if (t->controllers[j].name == name)
				t->peers[i].controller = j;
	}
	free(names);
	if (t->n_peers)
		qsort(t->peers, t->n_peers, sizeof(*t->peers), cmp_peer);
	return 0;
}

int wgmesh_topology_check(struct parser *p)
{
	if (check_names(p) || check_mesh(p) || check_machines(p) ||
	    check_collisions(p) || wgmesh_topology_check_ip(p) ||
	    resolve_groups(p) || sort_machines(p))
		return -1;
	return 0;
}
