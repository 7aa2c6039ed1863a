/* SPDX-License-Identifier: GPL-2.0 */
/*
 * An immutable snapshot of the mesh topology and its O(1) lookups.
 */

#ifndef _WGMESH_TOPOLOGY_H
#define _WGMESH_TOPOLOGY_H

#include <linux/hash.h>
#include <linux/in6.h>
#include <linux/rcupdate.h>
#include <linux/refcount.h>
#include <linux/types.h>
#include <linux/workqueue.h>

#include "stats.h"

struct wgmesh_member {
	u64 groups;
	/* Groups this member may talk to under default deny: the union of
	 * the allow rows of its own groups, so the check is one AND.
	 */
	u64 reach;
	u32 id;
	u32 flags;
};

/*
 * A table slot: the member's id next to its index in the member array + 1
 * (0 = empty), so a probe reads only the table and the member array is
 * touched once, on a hit (at 100k peers, every read of a member is a cache
 * miss).
 */
struct wgmesh_slot {
	u32 id;
	u32 idx;
};

/*
 * Open addressing with linear probing over a power-of-two table at most
 * half full. The seed is random per snapshot so nobody can aim addresses
 * at one long probe run.
 */
struct wgmesh_table {
	struct wgmesh_slot *slots;
	u32 mask;
	u32 seed;
	u32 bits;
};

/*
 * Published with RCU by the device (device.c), which holds one reference;
 * SET_TOPOLOGY holds another while it carries counters over. The last
 * reference goes in process context, after a grace period.
 */
struct wgmesh_topology {
	refcount_t ref;
	struct rcu_work free_work;
	struct in6_addr prefix;
	u64 generation;
	u64 allow[WGMESH_MAX_GROUPS];
	/* Controllers first, then peers; stats[i] counts for members[i]. */
	struct wgmesh_member *members;
	struct wgmesh_member_stats *stats;
	struct wgmesh_table ctrl_table;
	struct wgmesh_table peer_table;
	u32 n_ctrls;
	u32 n_peers;
	u32 seq;	/* module-wide unique, for dump consistency */
	u32 flags;
	u32 self_id;
};

/* Member counters copied from the snapshot a new one replaces. */
struct wgmesh_carry {
	struct wgmesh_topology *old;	/* referenced, NULL: nothing to carry */
	u32 *from;		/* per new member: old index + 1, or 0 */
	struct wgmesh_member_stats *base;	/* what was copied */
};

enum wgmesh_addr_kind {
	WGMESH_ADDR_OUTSIDE,	/* not in the mesh /40 */
	WGMESH_ADDR_UNKNOWN,	/* in the /40, not a member address */
	WGMESH_ADDR_CONTROLLER,	/* a known controller's ::1 */
	WGMESH_ADDR_PEER,	/* in a known peer's /96 under a known /56 */
};

struct wgmesh_topology *wgmesh_topology_alloc(u32 n_ctrls, u32 n_peers);
void wgmesh_topology_put(struct wgmesh_topology *t);
void wgmesh_topology_put_rcu(struct wgmesh_topology *t);
int wgmesh_topology_build(struct wgmesh_topology *t, u32 *dup_index);
bool wgmesh_prefix_valid(const struct in6_addr *prefix);

int wgmesh_topology_carry_start(struct wgmesh_carry *c,
				struct wgmesh_topology *t,
				struct wgmesh_topology *old);
void wgmesh_topology_carry_finish(struct wgmesh_carry *c,
				  struct wgmesh_topology *t);
void wgmesh_topology_carry_abort(struct wgmesh_carry *c,
				 struct wgmesh_topology *t);

int wgmesh_topology_init(void);
void wgmesh_topology_uninit(void);

static inline struct wgmesh_member_stats *
wgmesh_member_stats(const struct wgmesh_topology *t,
		    const struct wgmesh_member *m)
{
	return &t->stats[m - t->members];
}

static inline bool wgmesh_is_ctrl(const struct wgmesh_topology *t,
				  const struct wgmesh_member *m)
{
	return m < t->members + t->n_ctrls;
}

static inline u32 wgmesh_table_hash(const struct wgmesh_table *tab, u32 id)
{
	return hash_32(id ^ tab->seed, tab->bits);
}

static inline const struct wgmesh_member *
wgmesh_table_find(const struct wgmesh_table *tab,
		  const struct wgmesh_member *members, u32 id)
{
	const struct wgmesh_slot *slot;
	u32 i = wgmesh_table_hash(tab, id) & tab->mask;

	for (;;) {
		slot = &tab->slots[i];
		if (!slot->idx)
			return NULL;
		if (slot->id == id)
			return &members[slot->idx - 1];
		i = (i + 1) & tab->mask;
	}
}

static inline const struct wgmesh_member *
wgmesh_find_ctrl(const struct wgmesh_topology *t, u32 id)
{
	return wgmesh_table_find(&t->ctrl_table, t->members, id);
}

static inline const struct wgmesh_member *
wgmesh_find_peer(const struct wgmesh_topology *t, u32 id)
{
	return wgmesh_table_find(&t->peer_table, t->members, id);
}

static inline bool wgmesh_in_prefix(const struct wgmesh_topology *t,
				    const struct in6_addr *a)
{
	return a->s6_addr32[0] == t->prefix.s6_addr32[0] && !a->s6_addr[4];
}

static inline bool wgmesh_is_ctrl_host(const struct in6_addr *a)
{
	return !a->s6_addr32[2] && a->s6_addr32[3] == htonl(1);
}

static inline bool wgmesh_is_self(const struct wgmesh_topology *t,
				  const struct in6_addr *a)
{
	return wgmesh_in_prefix(t, a) && !a->s6_addr[7] &&
	       ((a->s6_addr[5] << 8) | a->s6_addr[6]) == t->self_id &&
	       wgmesh_is_ctrl_host(a);
}

/* The member owning @a, if any; O(1): at most two table lookups. */
static inline enum wgmesh_addr_kind
wgmesh_classify(const struct wgmesh_topology *t, const struct in6_addr *a,
		const struct wgmesh_member **m)
{
	const struct wgmesh_member *c, *p;

	if (!wgmesh_in_prefix(t, a))
		return WGMESH_ADDR_OUTSIDE;
	if (a->s6_addr[7])
		return WGMESH_ADDR_UNKNOWN;
	c = wgmesh_find_ctrl(t, (a->s6_addr[5] << 8) | a->s6_addr[6]);
	if (!c)
		return WGMESH_ADDR_UNKNOWN;
	if (wgmesh_is_ctrl_host(a)) {
		*m = c;
		return WGMESH_ADDR_CONTROLLER;
	}
	p = wgmesh_find_peer(t, ntohl(a->s6_addr32[2]));
	if (!p)
		return WGMESH_ADDR_UNKNOWN;
	*m = p;
	return WGMESH_ADDR_PEER;
}

/*
 * Whether member @s may send to member @d (both already classified; the
 * booleans say which are controllers). Returns 0 or the drop counter.
 */
static inline int wgmesh_policy(const struct wgmesh_topology *t,
				const struct wgmesh_member *s, bool s_ctrl,
				const struct wgmesh_member *d, bool d_ctrl)
{
	if (!s_ctrl && !d_ctrl &&
	    ((s->flags | d->flags) & WGMESH_MEMBER_F_ISOLATED))
		return WGMESH_CTR_DROP_ISOLATED;
	if ((t->flags & WGMESH_F_DEFAULT_DENY) && !(s->reach & d->groups))
		return WGMESH_CTR_DROP_POLICY;
	return 0;
}

/*
 * The datapath's decision for a packet from @saddr to @daddr that came out
 * of the tunnel, shared by the hook (kernel/hook.c) and the benchmark
 * (kernel/selftest/bench.c) so that the benchmark times exactly this code.
 * Returns WGMESH_CTR_LOCAL_PACKETS (deliver to this host),
 * WGMESH_CTR_FWD_PACKETS (send on to *@d) or the drop counter. *@s is the
 * source member unless the verdict is WGMESH_CTR_DROP_SPOOFED; *@d is set
 * only for forwarding.
 */
static inline enum wgmesh_ctr
wgmesh_decide(const struct wgmesh_topology *t, const struct in6_addr *saddr,
	      const struct in6_addr *daddr, const struct wgmesh_member **s,
	      const struct wgmesh_member **d)
{
	enum wgmesh_addr_kind sk, dk;
	int ctr;

	sk = wgmesh_classify(t, saddr, s);
	/* Nothing from the tunnel may claim to be this controller. */
	if (sk < WGMESH_ADDR_CONTROLLER || wgmesh_is_self(t, saddr))
		return WGMESH_CTR_DROP_SPOOFED;
	if (wgmesh_is_self(t, daddr))
		return WGMESH_CTR_LOCAL_PACKETS;
	dk = wgmesh_classify(t, daddr, d);
	if (dk == WGMESH_ADDR_OUTSIDE)
		return WGMESH_CTR_DROP_OUTSIDE;
	if (dk == WGMESH_ADDR_UNKNOWN)
		return WGMESH_CTR_DROP_UNKNOWN;
	ctr = wgmesh_policy(t, *s, sk == WGMESH_ADDR_CONTROLLER, *d,
			    dk == WGMESH_ADDR_CONTROLLER);
	return ctr ? ctr : WGMESH_CTR_FWD_PACKETS;
}

#ifdef WGMESH_DEBUG
int wgmesh_lookup_selftest(void);
#else
static inline int wgmesh_lookup_selftest(void)
{
	return 0;
}
#endif

#endif /* _WGMESH_TOPOLOGY_H */
