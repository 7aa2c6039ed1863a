// SPDX-License-Identifier: GPL-2.0
/*
 * Topology snapshots: built once per SET_TOPOLOGY outside the datapath,
 * published with RCU, never modified afterwards.
 */

#include <linux/log2.h>
#include <linux/random.h>
#include <linux/slab.h>

#include "topology.h"

struct wgmesh_topology *wgmesh_topology_alloc(u32 n_ctrls, u32 n_peers)
{
	struct wgmesh_topology *t;

	t = kzalloc(sizeof(*t), GFP_KERNEL);
	if (!t)
		return NULL;
	t->ctrls = kvcalloc(max(n_ctrls, 1U), sizeof(*t->ctrls), GFP_KERNEL);
	t->peers = kvcalloc(max(n_peers, 1U), sizeof(*t->peers), GFP_KERNEL);
	if (!t->ctrls || !t->peers) {
		wgmesh_topology_free(t);
		return NULL;
	}
	t->n_ctrls = n_ctrls;
	t->n_peers = n_peers;
	return t;
}

void wgmesh_topology_free(struct wgmesh_topology *t)
{
	u32 i;

	if (!t)
		return;
	if (t->ctrls) {
		for (i = 0; i < t->n_ctrls; i++)
			wgmesh_member_stats_put(t->ctrls[i].stats);
	}
	if (t->peers) {
		for (i = 0; i < t->n_peers; i++)
			wgmesh_member_stats_put(t->peers[i].stats);
	}
	kvfree(t->ctrl_table.slots);
	kvfree(t->peer_table.slots);
	kvfree(t->ctrls);
	kvfree(t->peers);
	kfree(t);
}

static void free_rcu(struct rcu_head *rcu)
{
	wgmesh_topology_free(container_of(rcu, struct wgmesh_topology, rcu));
}

/* Frees @t once no datapath reader can still see it. */
void wgmesh_topology_free_rcu(struct wgmesh_topology *t)
{
	if (t)
		call_rcu(&t->rcu, free_rcu);
}

bool wgmesh_prefix_valid(const struct in6_addr *prefix)
{
	return prefix->s6_addr[0] == 0xfd && !prefix->s6_addr[4] &&
	       !prefix->s6_addr[5] && !prefix->s6_addr[6] &&
	       !prefix->s6_addr[7] && !prefix->s6_addr32[2] &&
	       !prefix->s6_addr32[3];
}

/* Returns the index of an earlier member with the same id, or -1. */
static int table_build(struct wgmesh_table *tab,
		       const struct wgmesh_member *members, u32 n, u32 *dup)
{
	u32 i, h, size = roundup_pow_of_two(max(2 * n, 16U));

	tab->slots = kvcalloc(size, sizeof(*tab->slots), GFP_KERNEL);
	if (!tab->slots)
		return -ENOMEM;
	tab->mask = size - 1;
	tab->bits = ilog2(size);
	tab->seed = get_random_u32();
	for (i = 0; i < n; i++) {
		for (h = wgmesh_table_hash(tab, members[i].id) & tab->mask;
		     tab->slots[h].idx; h = (h + 1) & tab->mask) {
			if (tab->slots[h].id == members[i].id) {
				*dup = i;
				return -EEXIST;
			}
		}
		tab->slots[h].id = members[i].id;
		tab->slots[h].idx = i + 1;
	}
	return 0;
}

/*
 * Builds the lookup tables and the per-member reach masks of a filled-in
 * snapshot. On -EEXIST, *dup_is_ctrl and *dup_index name the second member
 * carrying an id already seen.
 */
int wgmesh_topology_build(struct wgmesh_topology *t, bool *dup_is_ctrl,
			  u32 *dup_index)
{
	u64 reach;
	u32 i;
	int g, ret;

	*dup_is_ctrl = true;
	ret = table_build(&t->ctrl_table, t->ctrls, t->n_ctrls, dup_index);
	if (ret)
		return ret;
	*dup_is_ctrl = false;
	ret = table_build(&t->peer_table, t->peers, t->n_peers, dup_index);
	if (ret)
		return ret;

	for (i = 0; i < t->n_ctrls + t->n_peers; i++) {
		struct wgmesh_member *m = i < t->n_ctrls ? &t->ctrls[i] :
					  &t->peers[i - t->n_ctrls];

		reach = 0;
		for (g = 0; g < WGMESH_MAX_GROUPS; g++) {
			if (m->groups & BIT_ULL(g))
				reach |= t->allow[g];
		}
		m->reach = reach;
	}
	return 0;
}

static int adopt(struct wgmesh_member *m, const struct wgmesh_member *old)
{
	if (old) {
		refcount_inc(&old->stats->ref);
		m->stats = old->stats;
		return 0;
	}
	m->stats = wgmesh_member_stats_new();
	return m->stats ? 0 : -ENOMEM;
}

/*
 * Gives every member of @t its counters: those of the same member in @old
 * (the live snapshot, stable under the caller's RTNL) or fresh ones.
 */
int wgmesh_topology_adopt_stats(struct wgmesh_topology *t,
				const struct wgmesh_topology *old)
{
	const struct wgmesh_member *o;
	u32 i;
	int ret;

	for (i = 0; i < t->n_ctrls; i++) {
		o = old ? wgmesh_table_find(&old->ctrl_table, old->ctrls,
					    t->ctrls[i].id) : NULL;
		ret = adopt(&t->ctrls[i], o);
		if (ret)
			return ret;
	}
	for (i = 0; i < t->n_peers; i++) {
		o = old ? wgmesh_table_find(&old->peer_table, old->peers,
					    t->peers[i].id) : NULL;
		ret = adopt(&t->peers[i], o);
		if (ret)
			return ret;
	}
	return 0;
}
