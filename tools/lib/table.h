/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Per-VPN routing tables (README "Per-VPN routing tables"): with Table = N
 * a machine's mesh routes (and a peer's exit default route) go into
 * routing table N instead of main, and policy routing rules (protocol
 * NLRT_PROTO, so that "ip rule" tells them apart) send there
 *
 *   TABLE_PREF_SUPPRESS: SEL lookup main suppress_prefixlength 0
 *   TABLE_PREF_LOOKUP:   SEL lookup N
 *   TABLE_PREF_TO:       to PREFIX lookup N   (controllers: what they
 *                        forward, and what strict rp_filter checks)
 *
 * for each selector SEL: "fwmark M" (FwMark) and "from A" for each of
 * the machine's own mesh addresses (/128, /32) and subnets, per family.
 * The suppress rule first, as wg-quick does, lets main's more specific
 * routes (the LAN, a controller's endpoint) win over table N's default
 * route without letting main's default route win. Pure logic, no netlink.
 */
#ifndef WGMESH_TABLE_H
#define WGMESH_TABLE_H

#include "../nl/rt.h"
#include "topology.h"

#define TABLE_PREF_SUPPRESS	32760
#define TABLE_PREF_LOOKUP	32761
#define TABLE_PREF_TO		32762

/*
 * The rules that machine @o (a controller when @controller; its mesh
 * addresses @addrs, as on its interface) wants, malloc'ed into *@out
 * (none without Table). 0 or -1 when out of memory.
 */
int table_rules(const struct wgmesh_topology *t, const struct wgmesh_owned *o,
		bool controller, const struct nlrt_prefix *addrs,
		size_t n_addrs, struct nlrt_rule **out, size_t *n);

/*
 * Whether the live rule @cur[@i] (one of wgmesh's) belongs to table
 * @table: it looks up @table, or it is a suppress rule of main whose
 * selector a rule looking up @table in @cur has too.
 */
bool table_rule_ours(const struct nlrt_rule *cur, size_t n_cur, size_t i,
		     uint32_t table);

/* The wanted rules missing from @cur: indices into @want, in *@add. */
struct table_plan {
	size_t *add, n_add;	/* indices into want */
	size_t *del, n_del;	/* indices into cur */
};

/*
 * What turns the rules of @table in @cur into @want; rules of the other
 * tables in @stale (a table the interface's routes were in before) are
 * deleted too. 0 or -1 when out of memory.
 */
int table_plan(const struct nlrt_rule *cur, size_t n_cur,
	       const struct nlrt_rule *want, size_t n_want, uint32_t table,
	       const uint32_t *stale, size_t n_stale, struct table_plan *p);
void table_plan_free(struct table_plan *p);

#endif
