// SPDX-License-Identifier: GPL-2.0
/*
 * Topology snapshots: built once per SET_TOPOLOGY outside the datapath and
 * outside RTNL, published with RCU, never modified afterwards (but for
 * their counters). Allocated as alloc.h says.
 */

#include <linux/bitops.h>
#include <linux/build_bug.h>
#include <linux/log2.h>
#include <linux/random.h>

#include "alloc.h"
#include "topology.h"

/* Frees snapshots in process context: 10^5 members take a while. */
static struct workqueue_struct *free_wq;

struct wgmesh_topology *wgmesh_topology_alloc(u32 n_ctrls, u32 n_peers,
					      u32 n_subnets)
{
	u32 n = n_ctrls + n_peers;
	struct wgmesh_topology *t;

	t = kzalloc(sizeof(*t), WGMESH_GFP);
	if (!t)
		return NULL;
	refcount_set(&t->ref, 1);
	t->members = wgmesh_zalloc_array(n, sizeof(*t->members));
	t->stats = wgmesh_zalloc_array(n, sizeof(*t->stats));
	if (!t->members || !t->stats ||
	    wgmesh_subnets_alloc(&t->subnets, n_subnets)) {
		wgmesh_topology_put(t);
		return NULL;
	}
	t->n_ctrls = n_ctrls;
	t->n_peers = n_peers;
	return t;
}

static void topology_free(struct wgmesh_topology *t)
{
	kvfree(t->ctrl_table.slots);
	kvfree(t->peer_table.slots);
	kvfree(t->ipv4_table.slots);
	wgmesh_subnets_free(&t->subnets);
	kvfree(t->classes);
	kvfree(t->members);
	kvfree(t->stats);
	kfree(t);
}

/* Process context only: the last reference frees the snapshot. */
void wgmesh_topology_put(struct wgmesh_topology *t)
{
	might_sleep();
	if (t && refcount_dec_and_test(&t->ref))
		topology_free(t);
}

static void put_work(struct work_struct *work)
{
	wgmesh_topology_put(container_of(to_rcu_work(work),
					 struct wgmesh_topology, free_work));
}

/*
 * Drops a reference once no datapath reader can still see @t; callable
 * where sleeping is not (the netdevice notifier holds RTNL, and waiting
 * for a grace period there would stall every other RTNL user).
 */
void wgmesh_topology_put_rcu(struct wgmesh_topology *t)
{
	if (!t)
		return;
	INIT_RCU_WORK(&t->free_work, put_work);
	queue_rcu_work(free_wq, &t->free_work);
}

/* Out of line: see wgmesh_classify_subnet(). */
const struct wgmesh_subnet *
wgmesh_find_subnet(const struct wgmesh_topology *t, u64 key, u8 family)
{
	return wgmesh_subnet_find(&t->subnets, key, family);
}

bool wgmesh_prefix_valid(const struct in6_addr *prefix)
{
	return prefix->s6_addr[0] == 0xfd && !prefix->s6_addr[4] &&
	       !prefix->s6_addr[5] && !prefix->s6_addr[6] &&
	       !prefix->s6_addr[7] && !prefix->s6_addr32[2] &&
	       !prefix->s6_addr32[3];
}

static u32 key_id(const struct wgmesh_member *m)
{
	return m->id;
}

static u32 key_ipv4(const struct wgmesh_member *m)
{
	return ntohl(m->ipv4);
}

/*
 * Indexes members [@first, @first + @n) into @tab by @key (members whose
 * key is 0 are left out when @skip_zero), each with its class from
 * @class. On -EEXIST, *@dup is the index of the second member carrying a
 * key already seen.
 */
static int table_build(struct wgmesh_table *tab,
		       const struct wgmesh_member *members, const u16 *class,
		       u32 first, u32 n,
		       u32 (*key)(const struct wgmesh_member *m),
		       bool skip_zero, u32 *dup)
{
	u32 i, h, k, size = max(2 * n, 64U);

	kvfree(tab->slots);	/* a build may be run again (the selftest) */
	tab->slots = wgmesh_zalloc_array(size, sizeof(*tab->slots));
	if (!tab->slots)
		return -ENOMEM;
	tab->size = size;
	tab->seed = get_random_u32();
	for (i = first; i < first + n; i++) {
		k = key(&members[i]);
		if (!k && skip_zero)
			continue;
		for (h = wgmesh_table_hash(tab, k);
		     tab->slots[h].idx; h = wgmesh_table_next(tab, h)) {
			if (tab->slots[h].id == k) {
				*dup = i;
				return -EEXIST;
			}
		}
		tab->slots[h].id = k;
		tab->slots[h].idx = i + 1;
		tab->slots[h].class = class[i];
	}
	return 0;
}

#define CLASS_INDEX_BITS (ilog2(WGMESH_CLASSES) + 1)

/*
 * The class of @m's values in t->classes, added if new (@index: a hash of
 * the classes so far, class + 1 per bucket); WGMESH_CLASS_NONE when
 * WGMESH_CLASSES are in use and @m's values are none of them.
 */
static u16 class_find(struct wgmesh_topology *t, u16 *index,
		      const struct wgmesh_member *m)
{
	u32 mask = BIT(CLASS_INDEX_BITS) - 1, h;
	const struct wgmesh_class *c = &m->class, *o;

	for (h = hash_64(c->groups ^ rol64(c->reach, 21) ^ c->flags,
			 CLASS_INDEX_BITS);
	     index[h]; h = (h + 1) & mask) {
		o = &t->classes[index[h] - 1];
		if (o->groups == c->groups && o->reach == c->reach &&
		    o->flags == c->flags)
			return index[h] - 1;
	}
	if (t->n_classes == WGMESH_CLASSES)
		return WGMESH_CLASS_NONE;
	t->classes[t->n_classes] = *c;
	index[h] = ++t->n_classes;
	return t->n_classes - 1;
}

/*
 * Collects the members' distinct classes into t->classes, after the reach
 * masks (part of a class), and returns each member's (the caller frees
 * the array with kvfree()), or NULL.
 */
static u16 *classes_build(struct wgmesh_topology *t)
{
	u32 i, n = t->n_ctrls + t->n_peers;
	u16 *index, *class;

	kvfree(t->classes);	/* a build may be run again (the selftest) */
	t->n_classes = 0;
	t->classes = wgmesh_zalloc_array(min_t(u32, n, WGMESH_CLASSES),
					 sizeof(*t->classes));
	index = kcalloc(BIT(CLASS_INDEX_BITS), sizeof(*index), WGMESH_GFP);
	class = wgmesh_zalloc_array(n, sizeof(*class));
	if (t->classes && index && class) {
		for (i = 0; i < n; i++)
			class[i] = class_find(t, index, &t->members[i]);
	} else {
		kvfree(class);
		class = NULL;
	}
	kfree(index);
	return class;
}

/*
 * Builds the lookup tables, the per-member reach masks and the classes of
 * a filled-in snapshot. On -EEXIST, *@what says which duplicate and
 * *@index (in the member array, or the subnet array) which one came
 * second. Members' IPv4 addresses must lie in the mesh range (the caller
 * checked it).
 */
int wgmesh_topology_build(struct wgmesh_topology *t,
			  enum wgmesh_build_err *what, u32 *index)
{
	u32 i, n = t->n_ctrls + t->n_peers;
	struct wgmesh_subnet *s;
	u16 *class;
	u64 reach;
	int g, ret;

	BUILD_BUG_ON(sizeof(struct wgmesh_member) != 32);
	BUILD_BUG_ON(sizeof(struct wgmesh_slot) != 8);
	BUILD_BUG_ON(WGMESH_CLASSES >= WGMESH_CLASS_NONE);
	BUILD_BUG_ON(WGMESH_MAX_CONTROLLERS + WGMESH_MAX_PEERS >=
		     BIT(32 - WGMESH_CLASS_BITS));

	t->self_ctrl = htons(t->self_id);
	for (i = 0; i < n; i++) {
		struct wgmesh_member *m = &t->members[i];

		reach = 0;
		for (g = 0; g < WGMESH_MAX_GROUPS; g++) {
			if (m->class.groups & BIT_ULL(g))
				reach |= t->allow[g];
		}
		m->class.reach = reach;
	}
	class = classes_build(t);
	if (!class)
		return -ENOMEM;

	*what = WGMESH_BUILD_DUP_ID;
	ret = table_build(&t->ctrl_table, t->members, class, 0, t->n_ctrls,
			  key_id, false, index);
	if (!ret)
		ret = table_build(&t->peer_table, t->members, class,
				  t->n_ctrls, t->n_peers, key_id, false, index);
	if (ret)
		goto out;
	*what = WGMESH_BUILD_DUP_IPV4;
	ret = table_build(&t->ipv4_table, t->members, class, 0, n, key_ipv4,
			  true, index);
	if (ret)
		goto out;

	/* The subnets are indexed as copies: their classes first. */
	t->exit6 = false;
	for (i = 0; i < t->subnets.n; i++) {
		s = &t->subnets.v[i];
		s->class = class[s->member];
		t->exit6 |= s->family == AF_INET6 &&
			    (t->members[s->member].class.flags &
			     WGMESH_MEMBER_F_EXIT);
	}
	*what = WGMESH_BUILD_DUP_SUBNET;
	ret = wgmesh_subnets_build(&t->subnets, index);
out:
	kvfree(class);
	return ret;
}

static const struct wgmesh_member *
find_same(const struct wgmesh_topology *old, const struct wgmesh_topology *t,
	  const struct wgmesh_member *m)
{
	return wgmesh_is_ctrl(t, m) ? wgmesh_find_ctrl(old, m->id) :
				      wgmesh_find_peer(old, m->id);
}

/*
 * Before @t replaces @old (referenced by the caller, which passes it on to
 * @c): gives each member of @t the counters of the same member (same kind
 * and id) in @old, and remembers what it copied. No lock is needed: @old
 * is immutable but for its counters, and @t is not published yet.
 */
int wgmesh_topology_carry_start(struct wgmesh_carry *c,
				struct wgmesh_topology *t,
				struct wgmesh_topology *old)
{
	u32 i, j, n = t->n_ctrls + t->n_peers;
	const struct wgmesh_member_stats *from;
	const struct wgmesh_member *o;

	memset(c, 0, sizeof(*c));
	if (!old)
		return 0;
	c->from = wgmesh_zalloc_array(n, sizeof(*c->from));
	c->base = wgmesh_zalloc_array(n, sizeof(*c->base));
	if (!c->from || !c->base) {
		kvfree(c->from);
		kvfree(c->base);
		wgmesh_topology_put(old);
		return -ENOMEM;
	}
	c->old = old;
	for (i = 0; i < n; i++) {
		o = find_same(old, t, &t->members[i]);
		if (!o)
			continue;
		c->from[i] = o - old->members + 1;
		from = wgmesh_member_stats(old, o);
		for (j = 0; j < WGMESH_MCTR_NUM; j++) {
			s64 v = atomic64_read(&from->ctr[j]);

			atomic64_set(&c->base[i].ctr[j], v);
			atomic64_set(&t->stats[i].ctr[j], v);
		}
	}
	return 0;
}

/*
 * After @t was published in place of c->old and a grace period has passed
 * (nobody counts into c->old any more): adds what c->old counted since
 * wgmesh_topology_carry_start(), so no packet goes uncounted, and drops
 * the reference on c->old. With @t NULL it only cleans up.
 */
void wgmesh_topology_carry_finish(struct wgmesh_carry *c,
				  struct wgmesh_topology *t)
{
	const struct wgmesh_member_stats *from;
	u32 i, j;

	if (!c->old)
		return;
	for (i = 0; t && i < t->n_ctrls + t->n_peers; i++) {
		if (!c->from[i])
			continue;
		from = &c->old->stats[c->from[i] - 1];
		for (j = 0; j < WGMESH_MCTR_NUM; j++)
			atomic64_add(atomic64_read(&from->ctr[j]) -
				     atomic64_read(&c->base[i].ctr[j]),
				     &t->stats[i].ctr[j]);
	}
	kvfree(c->from);
	kvfree(c->base);
	wgmesh_topology_put(c->old);
	c->old = NULL;
}

/*
 * The snapshot @t was to replace is gone (the device was detached or
 * attached anew meanwhile): @t starts from zero instead.
 */
void wgmesh_topology_carry_abort(struct wgmesh_carry *c,
				 struct wgmesh_topology *t)
{
	if (!c->old)
		return;
	memset(t->stats, 0, (t->n_ctrls + t->n_peers) * sizeof(*t->stats));
	wgmesh_topology_carry_finish(c, NULL);
}

int wgmesh_topology_init(void)
{
	free_wq = alloc_workqueue("wgmesh", WQ_UNBOUND, 0);
	return free_wq ? 0 : -ENOMEM;
}

/* After rcu_barrier(): every queued free has reached the workqueue. */
void wgmesh_topology_uninit(void)
{
	destroy_workqueue(free_wq);
}
