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
#include "subnet.h"

/*
 * What the policy reads of a member (wgmesh_policy()). The distinct values
 * among the members are kept once more, in t->classes, and each table
 * slot and subnet slot names its member's: a decision then reads no
 * member, one cache miss less per address once the members outgrow the
 * caches. At most WGMESH_CLASSES (24 KiB, which stay cached); members
 * with further values say WGMESH_CLASS_NONE and are read instead.
 */
struct wgmesh_class {
	u64 groups;
	/* Groups this member may talk to under default deny: the union of
	 * the allow rows of its own groups, so the check is one AND.
	 */
	u64 reach;
	u32 flags;
};

#define WGMESH_CLASSES		1024
#define WGMESH_CLASS_BITS	11
#define WGMESH_CLASS_NONE	(BIT(WGMESH_CLASS_BITS) - 1)

/*
 * A member: 32 bytes, one read for a lookup. Its subnets are those of
 * t->subnets that name it (in member order: see wgmesh_subnet_at()).
 */
struct wgmesh_member {
	struct wgmesh_class class;
	u32 id;
	__be32 ipv4;		/* 0: none */
};

/*
 * A table slot: the member's id next to its index in the member array + 1
 * (0 = empty) and its class, so that a lookup reads only the table (at
 * 100k peers, every read of a member is a cache miss). Members and
 * classes both fit: WGMESH_MAX_CONTROLLERS + WGMESH_MAX_PEERS < 2^21.
 */
struct wgmesh_slot {
	u32 id;
	u32 idx : 32 - WGMESH_CLASS_BITS;
	u32 class : WGMESH_CLASS_BITS;
};

/*
 * Open addressing with linear probing over a table exactly twice the size
 * of its keys, so at most half full whatever their number: a power of two
 * would take up to four slots a key (262,144 for 100,000 peers, 21 bytes a
 * peer more). At least 64 slots (512 bytes), so that a small mesh's keys
 * rarely share a probe run. The seed is random per snapshot so nobody can
 * aim addresses at one long probe run.
 */
struct wgmesh_table {
	struct wgmesh_slot *slots;
	u32 size;
	u32 seed;
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
	struct wgmesh_table ipv4_table;	/* by IPv4 address, host order */
	struct wgmesh_subnets subnets;
	struct wgmesh_class *classes;	/* n_classes, named by slots */
	u32 n_classes;
	u32 n_ctrls;
	u32 n_peers;
	u32 seq;	/* module-wide unique, for dump consistency */
	u32 flags;
	u32 self_id;
	u32 self;	/* this controller's index in members[] */
	__be16 self_ctrl;	/* self_id as an address holds it */
	__be32 ipv4_prefix;	/* the mesh IPv4 range; ipv4_len 0: none */
	u8 ipv4_len;
	/* An exit user owns an IPv6 subnet: the namespace needs the exit
	 * path's PRE_ROUTING hook (device.c).
	 */
	bool exit6;
};

/* Member counters copied from the snapshot a new one replaces. */
struct wgmesh_carry {
	struct wgmesh_topology *old;	/* referenced, NULL: nothing to carry */
	u32 *from;		/* per new member: old index + 1, or 0 */
	struct wgmesh_member_stats *base;	/* what was copied */
};

/* What an address is to the mesh; members from CONTROLLER on. */
enum wgmesh_addr_kind {
	WGMESH_ADDR_OUTSIDE,	/* in neither the mesh nor a member's subnet */
	WGMESH_ADDR_UNKNOWN,	/* in the /40 or IPv4 range, not a member's */
	WGMESH_ADDR_CONTROLLER,	/* a controller itself: ::1, its IPv4 */
	WGMESH_ADDR_PEER,	/* a peer: in its /96s, its IPv4 */
	WGMESH_ADDR_SUBNET,	/* in a subnet routed to a member */
};

/* What wgmesh_topology_build() found wrong, for the error message. */
enum wgmesh_build_err {
	WGMESH_BUILD_DUP_ID,		/* @index: the member */
	WGMESH_BUILD_DUP_IPV4,		/* @index: the member */
	WGMESH_BUILD_DUP_SUBNET,	/* @index: the subnet */
};

struct wgmesh_topology *wgmesh_topology_alloc(u32 n_ctrls, u32 n_peers,
					      u32 n_subnets);
void wgmesh_topology_put(struct wgmesh_topology *t);
void wgmesh_topology_put_rcu(struct wgmesh_topology *t);
int wgmesh_topology_build(struct wgmesh_topology *t,
			  enum wgmesh_build_err *what, u32 *index);
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

/*
 * The first slot of @id's run: the hash's high bits (the well-mixed ones
 * of a multiplicative hash) scaled to the table's size by a multiplication
 * rather than a mask, so that the size need not be a power of two.
 */
static inline u32 wgmesh_table_hash(const struct wgmesh_table *tab, u32 id)
{
	return ((u64)__hash_32(id ^ tab->seed) * tab->size) >> 32;
}

/* The slot after @i, wrapping around. */
static inline u32 wgmesh_table_next(const struct wgmesh_table *tab, u32 i)
{
	return likely(i + 1 < tab->size) ? i + 1 : 0;
}

/*
 * The slot of @id in @tab (*@slot), if any. A bool rather than a pointer
 * that may be NULL: the callers then test no pointer on a hit.
 */
static __always_inline bool
wgmesh_table_probe(const struct wgmesh_table *tab, u32 id,
		   const struct wgmesh_slot **slot)
{
	u32 i = wgmesh_table_hash(tab, id);

	for (;; i = wgmesh_table_next(tab, i)) {
		*slot = &tab->slots[i];
		if (!(*slot)->idx)
			return false;
		if ((*slot)->id == id)
			return true;
	}
}

static inline const struct wgmesh_member *
wgmesh_table_find(const struct wgmesh_table *tab,
		  const struct wgmesh_member *members, u32 id)
{
	const struct wgmesh_slot *slot;

	if (!wgmesh_table_probe(tab, id, &slot))
		return NULL;
	return &members[(size_t)slot->idx - 1];
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

/*
 * The class of @m, whose slot (table or subnet) names class @class: the
 * copy in t->classes, so that the member is not read, unless there is none.
 */
static __always_inline const struct wgmesh_class *
wgmesh_class_of(const struct wgmesh_topology *t,
		const struct wgmesh_member *m, u32 class)
{
	return likely(class != WGMESH_CLASS_NONE) ? &t->classes[class] :
						    &m->class;
}

/*
 * The member of @id in @tab, if any, and its class (*@c), read from the
 * slot: the member itself is not read.
 */
static __always_inline bool
wgmesh_table_lookup(const struct wgmesh_topology *t,
		    const struct wgmesh_table *tab, u32 id,
		    const struct wgmesh_member **m,
		    const struct wgmesh_class **c)
{
	const struct wgmesh_slot *slot;

	if (!wgmesh_table_probe(tab, id, &slot))
		return false;
	*m = &t->members[(size_t)slot->idx - 1];
	*c = wgmesh_class_of(t, *m, slot->class);
	return true;
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

const struct wgmesh_subnet *
wgmesh_find_subnet(const struct wgmesh_topology *t, u64 key, u8 family);

/*
 * The member whose subnet of @family holds @key, if any, and its class
 * (*@c): the copy the slot names, so that the member is not read. The
 * probes are a call away (wgmesh_find_subnet()): the hook forwards the
 * mesh's own addresses most, and keeps no frame for them.
 */
static __always_inline enum wgmesh_addr_kind
wgmesh_classify_subnet(const struct wgmesh_topology *t, u64 key, u8 family,
		       const struct wgmesh_member **m,
		       const struct wgmesh_class **c)
{
	const struct wgmesh_subnet *s = wgmesh_find_subnet(t, key, family);

	if (!s)
		return WGMESH_ADDR_OUTSIDE;
	*m = &t->members[s->member];
	*c = wgmesh_class_of(t, *m, s->class);
	return WGMESH_ADDR_SUBNET;
}

/*
 * Whether @a, a peer's address, lies in another controller's /56 than this
 * one's: forwarding it stands in for that controller (TAKEOVER_PACKETS).
 */
static inline bool wgmesh_is_takeover(const struct wgmesh_topology *t,
				      const struct in6_addr *a)
{
	return wgmesh_in_prefix(t, a) &&
	       ((a->s6_addr[5] << 8) | a->s6_addr[6]) != t->self_id;
}

/* A controller's own address in its /56 (@c) is the controller. */
static __always_inline bool
wgmesh_classify_ctrl_host(const struct wgmesh_member *c,
			  const struct in6_addr *a,
			  const struct wgmesh_member **m,
			  const struct wgmesh_class **cl)
{
	if (!wgmesh_is_ctrl_host(a))
		return false;
	*m = c;
	*cl = &c->class;
	return true;
}

/*
 * The member owning IPv6 address @a, if any, and its class (*@cl); O(1):
 * at most two table lookups inside the mesh /40, a probe per prefix
 * length in use outside. *@away: @a is a peer's address in another
 * controller's /56 than this one's (else untouched). Always inline:
 * called with the addresses of the caller's locals, it would make the
 * hook keep them in memory.
 */
static __always_inline enum wgmesh_addr_kind
__wgmesh_classify(const struct wgmesh_topology *t, const struct in6_addr *a,
		  const struct wgmesh_member **m,
		  const struct wgmesh_class **cl, bool *away)
{
	const struct wgmesh_member *c;
	__be16 ctrl;

	if (!wgmesh_in_prefix(t, a))
		return wgmesh_classify_subnet(t, wgmesh_key6(a), AF_INET6, m,
					      cl);
	if (a->s6_addr[7])
		return WGMESH_ADDR_UNKNOWN;
	/* Most of what a controller sees is in its own /56: no probe. */
	memcpy(&ctrl, &a->s6_addr[5], sizeof(ctrl));	/* unaligned */
	if (likely(ctrl == t->self_ctrl)) {
		if (wgmesh_classify_ctrl_host(&t->members[t->self], a, m, cl))
			return WGMESH_ADDR_CONTROLLER;
	} else {
		c = wgmesh_find_ctrl(t, ntohs(ctrl));
		if (!c)
			return WGMESH_ADDR_UNKNOWN;
		if (wgmesh_classify_ctrl_host(c, a, m, cl))
			return WGMESH_ADDR_CONTROLLER;
		*away = true;
	}
	if (!wgmesh_table_lookup(t, &t->peer_table, ntohl(a->s6_addr32[2]), m,
				 cl))
		return WGMESH_ADDR_UNKNOWN;
	return WGMESH_ADDR_PEER;
}

static __always_inline enum wgmesh_addr_kind
wgmesh_classify(const struct wgmesh_topology *t, const struct in6_addr *a,
		const struct wgmesh_member **m, const struct wgmesh_class **cl)
{
	bool away;

	return __wgmesh_classify(t, a, m, cl, &away);
}

static inline bool wgmesh_in_ipv4_range(const struct wgmesh_topology *t,
					__be32 a)
{
	return t->ipv4_len &&
	       !((ntohl(a) ^ ntohl(t->ipv4_prefix)) &
		 (u32)(wgmesh_mask(t->ipv4_len) >> 32));
}

/*
 * The member owning IPv4 address @a, if any, and its class (*@c): one
 * probe or subnet lookup.
 */
static inline enum wgmesh_addr_kind
wgmesh_classify4(const struct wgmesh_topology *t, __be32 a,
		 const struct wgmesh_member **m, const struct wgmesh_class **c)
{
	if (!wgmesh_in_ipv4_range(t, a))
		return wgmesh_classify_subnet(t, wgmesh_key4(a), AF_INET, m, c);
	if (!wgmesh_table_lookup(t, &t->ipv4_table, ntohl(a), m, c))
		return WGMESH_ADDR_UNKNOWN;
	return wgmesh_is_ctrl(t, *m) ? WGMESH_ADDR_CONTROLLER :
				       WGMESH_ADDR_PEER;
}

/*
 * Whether a member of class @s may send to one of class @d (both already
 * classified; the booleans say which addresses are a controller itself).
 * A controller's own address is never policed: over IPv6 such traffic
 * never transits a controller, and IPv4 (homed at one controller) must
 * mean the same. A controller's subnets are policed like anyone's.
 * Returns 0 or the drop counter.
 */
static inline int wgmesh_policy(const struct wgmesh_topology *t,
				const struct wgmesh_class *s, bool s_ctrl,
				const struct wgmesh_class *d, bool d_ctrl)
{
	if (s_ctrl || d_ctrl)
		return 0;
	if ((s->flags | d->flags) & WGMESH_MEMBER_F_ISOLATED)
		return WGMESH_CTR_DROP_ISOLATED;
	if ((t->flags & WGMESH_F_DEFAULT_DENY) && !(s->reach & d->groups))
		return WGMESH_CTR_DROP_POLICY;
	return 0;
}

/* This controller's own subnets are its own, as its addresses are. */
static inline bool wgmesh_is_self_subnet(const struct wgmesh_topology *t,
					 enum wgmesh_addr_kind k,
					 const struct wgmesh_member *m)
{
	return k == WGMESH_ADDR_SUBNET && m == &t->members[t->self];
}

/*
 * The verdict on a packet from the tunnel once its source is known to be a
 * member's but this controller's (kind @sk, class @s) and its destination
 * is classified (kind @dk, member @d, class @dc) and not this controller
 * itself.
 */
static inline enum wgmesh_ctr
wgmesh_verdict(const struct wgmesh_topology *t, enum wgmesh_addr_kind sk,
	       const struct wgmesh_class *s, enum wgmesh_addr_kind dk,
	       const struct wgmesh_member *d, const struct wgmesh_class *dc)
{
	int ctr;

	if (wgmesh_is_self_subnet(t, dk, d))
		return WGMESH_CTR_LOCAL_PACKETS;
	if (dk == WGMESH_ADDR_OUTSIDE)
		return WGMESH_CTR_DROP_OUTSIDE;
	if (dk == WGMESH_ADDR_UNKNOWN)
		return WGMESH_CTR_DROP_UNKNOWN;
	ctr = wgmesh_policy(t, s, sk == WGMESH_ADDR_CONTROLLER, dc,
			    dk == WGMESH_ADDR_CONTROLLER);
	return ctr ? ctr : WGMESH_CTR_FWD_PACKETS;
}

/* Global unicast (2000::/3): the only IPv6 an exit carries, both ways. */
static inline bool wgmesh_is_global6(const struct in6_addr *a)
{
	return (a->s6_addr[0] & 0xe0) == 0x20;
}

/*
 * Whether IPv6 address @a, of kind @k and its owner's class @c, is in a
 * routed global prefix of a peer that uses this controller as its exit:
 * a subnet of a peer flagged WGMESH_MEMBER_F_EXIT (never a controller's),
 * in 2000::/3.
 */
static inline bool wgmesh_exit_user6(enum wgmesh_addr_kind k,
				     const struct wgmesh_class *c,
				     const struct in6_addr *a)
{
	return k == WGMESH_ADDR_SUBNET && (c->flags & WGMESH_MEMBER_F_EXIT) &&
	       wgmesh_is_global6(a);
}

/*
 * The datapath's decision for an IPv6 packet from @saddr to @daddr that
 * came out of the tunnel, shared by the hook (kernel/hook.c) and the
 * benchmark (kernel/selftest/bench.c) so that the benchmark times exactly
 * this code. Returns WGMESH_CTR_LOCAL_PACKETS (deliver to this host, or
 * its own subnets), WGMESH_CTR_FWD_PACKETS (send on to *@d),
 * WGMESH_CTR_EXIT_TX_PACKETS (from an exit user's routed global prefix to
 * a global address outside the mesh: route it out) or the drop counter.
 * *@s is the source member unless the verdict is WGMESH_CTR_DROP_SPOOFED;
 * *@d is meaningful only for forwarding, as is *@takeover: the destination
 * is a peer's address in another controller's /56, which this one stands
 * in for (WGMESH_CTR_TAKEOVER_PACKETS).
 */
static __always_inline enum wgmesh_ctr
wgmesh_decide(const struct wgmesh_topology *t, const struct in6_addr *saddr,
	      const struct in6_addr *daddr, const struct wgmesh_member **s,
	      const struct wgmesh_member **d, bool *takeover)
{
	const struct wgmesh_class *sc, *dc;
	enum wgmesh_addr_kind sk, dk;
	bool away = false;

	sk = wgmesh_classify(t, saddr, s, &sc);
	/* Nothing from the tunnel may claim to be this controller (its
	 * ::1 in its own /56) or its LAN: either is classified as its own.
	 * A peer never is.
	 */
	if (sk < WGMESH_ADDR_CONTROLLER ||
	    (sk != WGMESH_ADDR_PEER && *s == &t->members[t->self]))
		return WGMESH_CTR_DROP_SPOOFED;
	dk = __wgmesh_classify(t, daddr, d, &dc, &away);
	*takeover = away;
	if (dk == WGMESH_ADDR_CONTROLLER && *d == &t->members[t->self])
		return WGMESH_CTR_LOCAL_PACKETS;
	if (dk == WGMESH_ADDR_OUTSIDE && wgmesh_exit_user6(sk, sc, saddr) &&
	    wgmesh_is_global6(daddr))
		return WGMESH_CTR_EXIT_TX_PACKETS;
	return wgmesh_verdict(t, sk, sc, dk, *d, dc);
}

/*
 * Whether the owner of the IPv4 source address (kind @sk, class @s) may
 * send from it to the outside through this controller: a peer flagged
 * WGMESH_MEMBER_F_EXIT, from its own mesh IPv4 address (not a subnet).
 */
static inline bool wgmesh_exit_user4(enum wgmesh_addr_kind sk,
				     const struct wgmesh_class *s)
{
	return sk == WGMESH_ADDR_PEER && (s->flags & WGMESH_MEMBER_F_EXIT);
}

/*
 * The same for IPv4, where one more destination is delivered locally: the
 * outside, for a member that may use this controller as its exit (the
 * kernel's IPv4 forwarding and the host's NAT take it from there).
 */
static inline enum wgmesh_ctr
wgmesh_decide4(const struct wgmesh_topology *t, __be32 saddr, __be32 daddr,
	       const struct wgmesh_member **s, const struct wgmesh_member **d)
{
	__be32 self = t->members[t->self].ipv4;
	const struct wgmesh_class *sc, *dc;
	enum wgmesh_addr_kind sk, dk;

	sk = wgmesh_classify4(t, saddr, s, &sc);
	if (sk < WGMESH_ADDR_CONTROLLER || (self && saddr == self) ||
	    wgmesh_is_self_subnet(t, sk, *s))
		return WGMESH_CTR_DROP_SPOOFED;
	if (self && daddr == self)
		return WGMESH_CTR_LOCAL_PACKETS;
	dk = wgmesh_classify4(t, daddr, d, &dc);
	if (dk == WGMESH_ADDR_OUTSIDE && wgmesh_exit_user4(sk, sc))
		return WGMESH_CTR_LOCAL_PACKETS;
	return wgmesh_verdict(t, sk, sc, dk, *d, dc);
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
