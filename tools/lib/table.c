// SPDX-License-Identifier: GPL-2.0
/*
 * The policy routing rules of a machine with Table: see table.h.
 */
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <linux/rtnetlink.h>

#include "addr.h"
#include "array.h"
#include "table.h"

struct rules {
	struct nlrt_rule *v;
	size_t n, cap;
};

static int push(struct rules *r, const struct nlrt_rule *x)
{
	struct nlrt_rule *slot = array_push(&r->v, &r->n, &r->cap,
					    sizeof(*slot));

	if (!slot)
		return -1;
	*slot = *x;
	return 0;
}

/* SEL lookup main suppress_prefixlength 0, then SEL lookup @table. */
static int pair(struct rules *r, const struct nlrt_rule *sel, uint32_t table)
{
	struct nlrt_rule x = *sel;

	x.pref = TABLE_PREF_SUPPRESS;
	x.table = RT_TABLE_MAIN;
	x.suppress = 0;
	if (push(r, &x))
		return -1;
	x.pref = TABLE_PREF_LOOKUP;
	x.table = table;
	x.suppress = -1;
	return push(r, &x);
}

static void prefix(struct nlrt_prefix *p, int family, const void *addr,
		   uint8_t len)
{
	memset(p, 0, sizeof(*p));
	p->family = (uint8_t)family;
	memcpy(&p->addr, addr, family == AF_INET ? 4 : 16);
	p->len = len;
}

int table_rules(const struct wgmesh_topology *t, const struct wgmesh_owned *o,
		bool controller, const struct nlrt_prefix *addrs,
		size_t n_addrs, struct nlrt_rule **out, size_t *n)
{
	struct rules r = { 0 };
	struct nlrt_rule sel;

	*out = NULL;
	*n = 0;
	if (!o->table)
		return 0;
	for (int f = 0; f < 2 && o->fwmark; f++) {
		memset(&sel, 0, sizeof(sel));
		sel.family = f ? AF_INET6 : AF_INET;
		sel.src.family = sel.dst.family = sel.family;
		sel.fwmark = o->fwmark;
		if (pair(&r, &sel, o->table))
			goto oom;
	}
	for (size_t i = 0; i < n_addrs; i++) {
		int family = nlrt_family(&addrs[i]);

		memset(&sel, 0, sizeof(sel));
		sel.family = (uint8_t)family;
		sel.dst.family = sel.family;
		prefix(&sel.src, family, &addrs[i].addr,
		       family == AF_INET ? 32 : 128);
		if (pair(&r, &sel, o->table))
			goto oom;
	}
	for (size_t i = 0; i < o->n_subnets; i++) {
		const struct wgmesh_subnet *s = &o->subnets[i];

		memset(&sel, 0, sizeof(sel));
		sel.family = (uint8_t)s->family;
		sel.dst.family = sel.family;
		prefix(&sel.src, s->family, s->addr, s->len);
		if (pair(&r, &sel, o->table))
			goto oom;
	}
	if (controller) {
		struct in6_addr mesh;
		uint32_t v4 = htonl(t->ipv4_prefix);

		wgmesh_mesh_prefix(t->name, &mesh);
		memset(&sel, 0, sizeof(sel));
		sel.family = AF_INET6;
		sel.src.family = AF_INET6;
		prefix(&sel.dst, AF_INET6, &mesh, WGMESH_MESH_PLEN);
		sel.pref = TABLE_PREF_TO;
		sel.table = o->table;
		sel.suppress = -1;
		if (push(&r, &sel))
			goto oom;
		if (t->ipv4_len) {
			sel.family = AF_INET;
			sel.src.family = AF_INET;
			prefix(&sel.dst, AF_INET, &v4, t->ipv4_len);
			if (push(&r, &sel))
				goto oom;
		}
	}
	*out = r.v;
	*n = r.n;
	return 0;
oom:
	free(r.v);
	return -1;
}

static bool same_selector(const struct nlrt_rule *a, const struct nlrt_rule *b)
{
	struct nlrt_rule x = *a;

	x.pref = b->pref;
	x.table = b->table;
	x.suppress = b->suppress;
	return nlrt_rule_equal(&x, b);
}

bool table_rule_ours(const struct nlrt_rule *cur, size_t n_cur, size_t i,
		     uint32_t table)
{
	const struct nlrt_rule *r = &cur[i];

	if (r->table == table)
		return true;
	if (r->table != RT_TABLE_MAIN || r->suppress != 0 ||
	    r->pref != TABLE_PREF_SUPPRESS)
		return false;
	for (size_t j = 0; j < n_cur; j++)
		if (cur[j].table == table && cur[j].pref == TABLE_PREF_LOOKUP &&
		    same_selector(&cur[j], r))
			return true;
	return false;
}

static int push_index(size_t **v, size_t *n, size_t *cap, size_t i)
{
	size_t *slot = array_push(v, n, cap, sizeof(*slot));

	if (!slot)
		return -1;
	*slot = i;
	return 0;
}

int table_plan(const struct nlrt_rule *cur, size_t n_cur,
	       const struct nlrt_rule *want, size_t n_want, uint32_t table,
	       const uint32_t *stale, size_t n_stale, struct table_plan *p)
{
	size_t cap_add = 0, cap_del = 0;

	memset(p, 0, sizeof(*p));
	for (size_t i = 0; i < n_cur; i++) {
		bool ours = table && table_rule_ours(cur, n_cur, i, table);
		bool wanted = false;

		for (size_t k = 0; !ours && k < n_stale; k++)
			ours = stale[k] != RT_TABLE_MAIN && stale[k] != table &&
			       table_rule_ours(cur, n_cur, i, stale[k]);
		if (!ours)
			continue;
		for (size_t j = 0; j < n_want && !wanted; j++)
			wanted = nlrt_rule_equal(&cur[i], &want[j]);
		/* A suppress rule that another table's rule needs stays. */
		if (!wanted && push_index(&p->del, &p->n_del, &cap_del, i))
			goto oom;
	}
	for (size_t j = 0; j < n_want; j++) {
		bool have = false;

		for (size_t i = 0; i < n_cur && !have; i++)
			have = nlrt_rule_equal(&cur[i], &want[j]);
		if (!have && push_index(&p->add, &p->n_add, &cap_add, j))
			goto oom;
	}
	return 0;
oom:
	table_plan_free(p);
	return -1;
}

void table_plan_free(struct table_plan *p)
{
	free(p->add);
	free(p->del);
	memset(p, 0, sizeof(*p));
}
