// SPDX-License-Identifier: GPL-2.0
/*
 * Lookup selftest, in the spirit of WireGuard's allowedips selftest: random
 * meshes (controllers, peers, IPv4 addresses, IPv4 and IPv6 subnets of many
 * prefix lengths) and random addresses (members, subnets, near misses,
 * strangers), each classified by the O(1) lookups and by a naive scan that
 * follows the addressing rules literally (longest-prefix match by scanning
 * every subnet); the policy verdict likewise against a scan of the allowed
 * pairs, the whole datapath decision (wgmesh_decide(), wgmesh_decide4())
 * against the same rules spelled out, the lookup tables' layout, and the
 * counters' carry-over across a replace. Built into WGMESH_DEBUG builds
 * only, where it runs at every load, prints KTAP and fails the load on any
 * mismatch.
 */

#include <linux/slab.h>

#include "selftest/util.h"

#define ROUNDS 24
#define ADDRS_PER_ROUND 4096
#define PAIRS_PER_ROUND 4096

struct naive {
	u8 pairs[WGMESH_MAX_GROUPS * WGMESH_MAX_GROUPS][2];
	u32 n_pairs;
};

/* The longest subnet of @family holding @key, by scanning them all. */
static enum wgmesh_addr_kind
naive_subnet(const struct wgmesh_topology *t, u64 key, u8 family,
	     const struct wgmesh_member **m)
{
	const struct wgmesh_subnet *s, *best = NULL;
	u32 i;

	for (i = 0; i < t->subnets.n; i++) {
		s = wgmesh_subnet_at(&t->subnets, i);
		if (s->family == family && (!best || s->len > best->len) &&
		    wgmesh_subnet_contains(s->key, s->len, key))
			best = s;
	}
	if (!best)
		return WGMESH_ADDR_OUTSIDE;
	*m = &t->members[best->member];
	return WGMESH_ADDR_SUBNET;
}

static enum wgmesh_addr_kind
naive_classify(const struct wgmesh_topology *t, const struct in6_addr *a,
	       const struct wgmesh_member **m)
{
	static const u8 host1[8] = { 0, 0, 0, 0, 0, 0, 0, 1 };
	const struct wgmesh_member *c = NULL;
	u32 i, cid, pid;

	if (memcmp(a->s6_addr, t->prefix.s6_addr, 5))
		return naive_subnet(t, wgmesh_key6(a), AF_INET6, m);
	if (a->s6_addr[7] != 0)
		return WGMESH_ADDR_UNKNOWN;
	cid = a->s6_addr[5] * 256 + a->s6_addr[6];
	for (i = 0; i < t->n_ctrls; i++) {
		if (t->members[i].id == cid)
			c = &t->members[i];
	}
	if (!c)
		return WGMESH_ADDR_UNKNOWN;
	if (!memcmp(a->s6_addr + 8, host1, 8)) {
		*m = c;
		return WGMESH_ADDR_CONTROLLER;
	}
	pid = (a->s6_addr[8] << 24) | (a->s6_addr[9] << 16) |
	      (a->s6_addr[10] << 8) | a->s6_addr[11];
	for (i = t->n_ctrls; i < t->n_ctrls + t->n_peers; i++) {
		if (t->members[i].id == pid) {
			*m = &t->members[i];
			return WGMESH_ADDR_PEER;
		}
	}
	return WGMESH_ADDR_UNKNOWN;
}

static enum wgmesh_addr_kind
naive_classify4(const struct wgmesh_topology *t, __be32 a,
		const struct wgmesh_member **m)
{
	u32 i, range = ntohl(t->ipv4_prefix);

	if (!t->ipv4_len ||
	    (ntohl(a) >> (32 - t->ipv4_len)) != (range >> (32 - t->ipv4_len)))
		return naive_subnet(t, wgmesh_key4(a), AF_INET, m);
	for (i = 0; i < t->n_ctrls + t->n_peers; i++) {
		if (t->members[i].ipv4 == a) {
			*m = &t->members[i];
			return i < t->n_ctrls ? WGMESH_ADDR_CONTROLLER :
			       WGMESH_ADDR_PEER;
		}
	}
	return WGMESH_ADDR_UNKNOWN;
}

static int naive_policy(const struct wgmesh_topology *t, const struct naive *nv,
			const struct wgmesh_member *s, bool s_ctrl,
			const struct wgmesh_member *d, bool d_ctrl)
{
	u32 i;

	if (s_ctrl || d_ctrl)
		return 0;
	if ((s->class.flags & WGMESH_MEMBER_F_ISOLATED) ||
	    (d->class.flags & WGMESH_MEMBER_F_ISOLATED))
		return WGMESH_CTR_DROP_ISOLATED;
	if (!(t->flags & WGMESH_F_DEFAULT_DENY))
		return 0;
	for (i = 0; i < nv->n_pairs; i++) {
		u64 a = BIT_ULL(nv->pairs[i][0]), b = BIT_ULL(nv->pairs[i][1]);

		if (((s->class.groups & a) && (d->class.groups & b)) ||
		    ((s->class.groups & b) && (d->class.groups & a)))
			return 0;
	}
	return WGMESH_CTR_DROP_POLICY;
}

/* This controller's ::1, spelled out. */
static bool naive_is_self(const struct wgmesh_topology *t,
			  const struct in6_addr *a)
{
	struct in6_addr self = t->prefix;

	self.s6_addr[5] = t->self_id >> 8;
	self.s6_addr[6] = t->self_id & 0xff;
	self.s6_addr[15] = 1;
	return !memcmp(a, &self, sizeof(self));
}

/* The rules of uapi/wgmesh.h once both ends are classified. */
static enum wgmesh_ctr naive_verdict(const struct wgmesh_topology *t,
				     const struct naive *nv,
				     enum wgmesh_addr_kind sk, bool s_self,
				     const struct wgmesh_member *s,
				     enum wgmesh_addr_kind dk, bool d_self,
				     const struct wgmesh_member *d)
{
	const struct wgmesh_member *me = NULL;
	int ctr;
	u32 i;

	for (i = 0; i < t->n_ctrls; i++) {
		if (t->members[i].id == t->self_id)
			me = &t->members[i];
	}
	if (sk == WGMESH_ADDR_OUTSIDE || sk == WGMESH_ADDR_UNKNOWN || s_self ||
	    (sk == WGMESH_ADDR_SUBNET && s == me))
		return WGMESH_CTR_DROP_SPOOFED;
	if (d_self || (dk == WGMESH_ADDR_SUBNET && d == me))
		return WGMESH_CTR_LOCAL_PACKETS;
	if (dk == WGMESH_ADDR_OUTSIDE)
		return WGMESH_CTR_DROP_OUTSIDE;
	if (dk == WGMESH_ADDR_UNKNOWN)
		return WGMESH_CTR_DROP_UNKNOWN;
	ctr = naive_policy(t, nv, s, sk == WGMESH_ADDR_CONTROLLER, d,
			   dk == WGMESH_ADDR_CONTROLLER);
	return ctr ? ctr : WGMESH_CTR_FWD_PACKETS;
}

static enum wgmesh_ctr naive_decide(const struct wgmesh_topology *t,
				    const struct naive *nv,
				    const struct in6_addr *saddr,
				    const struct in6_addr *daddr)
{
	const struct wgmesh_member *s = NULL, *d = NULL;
	enum wgmesh_addr_kind sk, dk;
	enum wgmesh_ctr v;

	sk = naive_classify(t, saddr, &s);
	dk = naive_classify(t, daddr, &d);
	v = naive_verdict(t, nv, sk, naive_is_self(t, saddr), s, dk,
			  naive_is_self(t, daddr), d);
	/* An exit user's routed global prefix to a global address. */
	if (v == WGMESH_CTR_DROP_OUTSIDE && sk == WGMESH_ADDR_SUBNET &&
	    (s->class.flags & WGMESH_MEMBER_F_EXIT) &&
	    saddr->s6_addr[0] >> 5 == 1 && daddr->s6_addr[0] >> 5 == 1)
		return WGMESH_CTR_EXIT_TX_PACKETS;
	return v;
}

static enum wgmesh_ctr naive_decide4(const struct wgmesh_topology *t,
				     const struct naive *nv, __be32 saddr,
				     __be32 daddr)
{
	const struct wgmesh_member *s = NULL, *d = NULL;
	enum wgmesh_addr_kind sk, dk;
	enum wgmesh_ctr v;
	__be32 self = 0;
	u32 i;

	for (i = 0; i < t->n_ctrls; i++) {
		if (t->members[i].id == t->self_id)
			self = t->members[i].ipv4;
	}
	sk = naive_classify4(t, saddr, &s);
	dk = naive_classify4(t, daddr, &d);
	v = naive_verdict(t, nv, sk, self && saddr == self, s, dk,
			  self && daddr == self, d);
	/* An exit user's own address to the outside: the host's NAT. */
	if (v == WGMESH_CTR_DROP_OUTSIDE && sk == WGMESH_ADDR_PEER &&
	    (s->class.flags & WGMESH_MEMBER_F_EXIT))
		return WGMESH_CTR_LOCAL_PACKETS;
	return v;
}

static u64 random_groups(u32 n_groups)
{
	u64 g = 0;
	u32 i, n = rnd(3);

	for (i = 0; i < n; i++)
		g |= BIT_ULL(rnd(n_groups));
	return g;
}

/*
 * A random subnet of either family, of up to 8 lengths per family (only
 * the 4 longest when @lng: a short prefix drawn twice repeats too often).
 */
static void random_subnet(struct wgmesh_subnet *s, u32 member, bool lng)
{
	static const u8 lens4[] = { 8, 12, 16, 20, 24, 26, 28, 32 };
	static const u8 lens6[] = { 16, 32, 40, 48, 52, 56, 60, 64 };
	u32 l = lng ? 4 + rnd(4) : rnd(8);

	s->member = member;
	s->family = rnd(2) ? AF_INET : AF_INET6;
	s->len = s->family == AF_INET ? lens4[l] : lens6[l];
	/* 172.16/12 and 2001:db8::/32 only: nested prefixes are common. */
	if (s->family == AF_INET)
		s->key = (0xac100000ULL | rnd(1 << 20)) << 32;
	else
		s->key = 0x20010db800000000ULL | get_random_u32();
	s->key &= wgmesh_mask(s->len);
}

/* Subnets, IPv4 addresses (distinct: a bijection), and a range /16. */
static void random_ipv4(struct wgmesh_topology *t)
{
	u32 i, n = t->n_ctrls + t->n_peers, k = get_random_u32() | 1;
	u32 c = get_random_u32(), next = 0;

	t->ipv4_len = 16;
	t->ipv4_prefix = htonl(0x0a000000 | rnd(256) << 16);
	for (i = 0; i < n; i++) {
		if (rnd(8))
			t->members[i].ipv4 = htonl(ntohl(t->ipv4_prefix) |
						   ((i * k + c) & 0xffff));
		while (next < t->subnets.n && (rnd(2) || i == n - 1))
			random_subnet(&t->subnets.v[next++], i, false);
	}
}

static struct wgmesh_topology *random_topology(struct naive *nv)
{
	u32 n_ctrls = 1 + rnd(64), n_peers = rnd(3) ? rnd(4096) : rnd(16);
	u32 n_groups = 1 + rnd(WGMESH_MAX_GROUPS), i, dup, tries;
	u32 n_subnets = rnd(3) ? rnd(n_ctrls + n_peers) : 0;
	/* Sometimes more distinct classes than WGMESH_CLASSES. */
	bool wide = !rnd(4);
	enum wgmesh_build_err what;
	struct wgmesh_topology *t;
	int ret;

	t = wgmesh_topology_alloc(n_ctrls, n_peers, n_subnets);
	if (!t)
		return NULL;
	random_ids(t);
	t->flags = rnd(2) ? WGMESH_F_DEFAULT_DENY : 0;

	nv->n_pairs = rnd(2 * n_groups);
	for (i = 0; i < nv->n_pairs; i++) {
		nv->pairs[i][0] = rnd(n_groups);
		nv->pairs[i][1] = rnd(n_groups);
		t->allow[nv->pairs[i][0]] |= BIT_ULL(nv->pairs[i][1]);
		t->allow[nv->pairs[i][1]] |= BIT_ULL(nv->pairs[i][0]);
	}
	for (i = 0; i < n_ctrls + n_peers; i++) {
		t->members[i].class.groups = wide ? get_random_u64() :
						    random_groups(n_groups);
		if (i >= n_ctrls)
			t->members[i].class.flags =
				(rnd(5) ? 0 : WGMESH_MEMBER_F_ISOLATED) |
				(rnd(3) ? 0 : WGMESH_MEMBER_F_EXIT);
	}
	random_ipv4(t);
	/* A random subnet may repeat another: draw it again. */
	for (tries = 0; tries < 10000; tries++) {
		ret = wgmesh_topology_build(t, &what, &dup);
		if (ret != -EEXIST || what != WGMESH_BUILD_DUP_SUBNET)
			break;
		random_subnet(&t->subnets.v[dup], t->subnets.v[dup].member,
			      true);
	}
	if (ret) {
		pr_err("selftest: random topology: build error %d (%d, %u)\n",
		       ret, what, dup);
		wgmesh_topology_put(t);
		return NULL;
	}
	t->self = wgmesh_find_ctrl(t, t->self_id) - t->members;
	return t;
}

/* Whether class @class of @t holds exactly @m's values. */
static bool same_class(const struct wgmesh_topology *t, u32 class,
		       const struct wgmesh_member *m)
{
	const struct wgmesh_class *c = wgmesh_class_of(t, m, class);

	return (class == WGMESH_CLASS_NONE || class < t->n_classes) &&
	       c->groups == m->class.groups && c->reach == m->class.reach &&
	       c->flags == m->class.flags;
}

/*
 * The table layout: every member in exactly one slot, each slot's id that
 * of the member it points to and its class the member's, at most half
 * the slots used.
 */
static bool check_table(const struct wgmesh_topology *t,
			const struct wgmesh_table *tab, u32 first, u32 n)
{
	const struct wgmesh_member *members = t->members;
	u32 i, used = 0;

	for (i = 0; i < tab->size; i++) {
		const struct wgmesh_slot *slot = &tab->slots[i];

		if (!slot->idx)
			continue;
		if (slot->idx <= first || slot->idx > first + n ||
		    members[slot->idx - 1].id != slot->id ||
		    !same_class(t, slot->class, &members[slot->idx - 1]))
			return false;
		used++;
	}
	if (used != n || used > tab->size / 2)
		return false;
	for (i = first; i < first + n; i++) {
		if (wgmesh_table_find(tab, members, members[i].id) !=
		    &members[i])
			return false;
	}
	return true;
}

/* An address inside a random subnet of @family, if there is one. */
static bool subnet_addr(struct wgmesh_topology *t, u8 family, u64 *key)
{
	const struct wgmesh_subnet *s;
	u32 i;

	for (i = 0; i < 8 && t->subnets.n; i++) {
		s = wgmesh_subnet_at(&t->subnets, rnd(t->subnets.n));
		if (s->family != family)
			continue;
		*key = s->key | ((((u64)get_random_u32() << 32) |
				  get_random_u32()) & ~wgmesh_mask(s->len));
		return true;
	}
	return false;
}

static void random_addr(struct wgmesh_topology *t, struct in6_addr *a)
{
	u64 key;

	switch (rnd(5)) {
	case 0:		/* a member */
		member_addr(t, a, 4);
		break;
	case 1:		/* a member with one bit flipped */
		member_addr(t, a, 4);
		a->s6_addr[rnd(16)] ^= 1 << rnd(8);
		break;
	case 2:		/* anything inside the mesh /40 */
		get_random_bytes(a, sizeof(*a));
		memcpy(a->s6_addr, t->prefix.s6_addr, 5);
		if (rnd(2))
			a->s6_addr[7] = 0;
		break;
	case 3:		/* inside a subnet */
		get_random_bytes(a, sizeof(*a));
		if (subnet_addr(t, AF_INET6, &key))
			put_unaligned_be64(key, a->s6_addr);
		break;
	default:
		get_random_bytes(a, sizeof(*a));
	}
}

static __be32 random_addr4(struct wgmesh_topology *t)
{
	const struct wgmesh_member *m = &t->members[rnd(t->n_ctrls +
							t->n_peers)];
	u64 key;

	switch (rnd(5)) {
	case 0:		/* a member */
		return m->ipv4;
	case 1:		/* a member with one bit flipped */
		return m->ipv4 ^ htonl(BIT(rnd(32)));
	case 2:		/* inside the range */
		return t->ipv4_prefix | htonl(rnd(0x10000));
	case 3:		/* inside a subnet */
		if (subnet_addr(t, AF_INET, &key))
			return htonl(key >> 32);
		fallthrough;
	default:
		return (__force __be32)get_random_u32();
	}
}

/*
 * Whether fast kind @fk, member @fm and class @fc agree with naive kind
 * @nk and member @nm: the class must hold the member's own values.
 */
static bool same_owner(enum wgmesh_addr_kind fk,
		       const struct wgmesh_member *fm,
		       const struct wgmesh_class *fc, enum wgmesh_addr_kind nk,
		       const struct wgmesh_member *nm)
{
	if (fk != nk)
		return false;
	return fk < WGMESH_ADDR_CONTROLLER ||
	       (fm == nm && fc->groups == nm->class.groups &&
		fc->reach == nm->class.reach && fc->flags == nm->class.flags);
}

/* The fast lookups and the naive ones agree on single addresses. */
static bool check_classify(struct wgmesh_topology *t)
{
	const struct wgmesh_member *fm, *nm;
	const struct wgmesh_class *fc;
	enum wgmesh_addr_kind fk, nk;
	struct in6_addr a;
	__be32 a4;
	u32 i;

	for (i = 0; i < ADDRS_PER_ROUND; i++) {
		random_addr(t, &a);
		fm = NULL;
		nm = NULL;
		fk = wgmesh_classify(t, &a, &fm, &fc);
		nk = naive_classify(t, &a, &nm);
		if (!same_owner(fk, fm, fc, nk, nm)) {
			pr_err("selftest: %pI6c: fast %d/%p, naive %d/%p\n",
			       &a, fk, fm, nk, nm);
			return false;
		}
		a4 = random_addr4(t);
		fm = NULL;
		nm = NULL;
		fk = wgmesh_classify4(t, a4, &fm, &fc);
		nk = naive_classify4(t, a4, &nm);
		if (!same_owner(fk, fm, fc, nk, nm)) {
			pr_err("selftest: %pI4: fast %d/%p, naive %d/%p\n",
			       &a4, fk, fm, nk, nm);
			return false;
		}
	}
	return true;
}

/* Both decisions, fast and naive, over random pairs of addresses. */
static bool check_decide(struct wgmesh_topology *t, const struct naive *nv)
{
	const struct wgmesh_member *s, *d;
	enum wgmesh_ctr fv, nv_ctr;
	struct in6_addr a, b;
	bool takeover;
	__be32 a4, b4;
	u32 i;

	for (i = 0; i < PAIRS_PER_ROUND; i++) {
		if (rnd(2))
			member_addr(t, &a, 4);
		else
			random_addr(t, &a);
		if (rnd(2))
			member_addr(t, &b, 4);
		else
			random_addr(t, &b);
		if (!rnd(16))
			b = a;
		s = NULL;
		d = NULL;
		fv = wgmesh_decide(t, &a, &b, &s, &d, &takeover);
		nv_ctr = naive_decide(t, nv, &a, &b);
		if (fv != nv_ctr) {
			pr_err("selftest: decision %pI6c -> %pI6c: fast %d, naive %d\n",
			       &a, &b, fv, nv_ctr);
			return false;
		}
		if (fv == WGMESH_CTR_FWD_PACKETS &&
		    takeover != (!wgmesh_is_ctrl(t, d) &&
				 wgmesh_is_takeover(t, &b))) {
			pr_err("selftest: decision %pI6c -> %pI6c: takeover %d\n",
			       &a, &b, takeover);
			return false;
		}
		a4 = random_addr4(t);
		b4 = rnd(16) ? random_addr4(t) : a4;
		fv = wgmesh_decide4(t, a4, b4, &s, &d);
		nv_ctr = naive_decide4(t, nv, a4, b4);
		if (fv != nv_ctr) {
			pr_err("selftest: decision %pI4 -> %pI4: fast %d, naive %d\n",
			       &a4, &b4, fv, nv_ctr);
			return false;
		}
	}
	return true;
}

static bool check_round(struct naive *nv)
{
	struct wgmesh_topology *t;
	bool ok = true;

	t = random_topology(nv);
	if (!t) {
		pr_err("selftest: cannot build a random topology\n");
		return false;
	}
	if (!check_table(t, &t->ctrl_table, 0, t->n_ctrls) ||
	    !check_table(t, &t->peer_table, t->n_ctrls, t->n_peers)) {
		pr_err("selftest: inconsistent lookup table (%u controllers, %u peers)\n",
		       t->n_ctrls, t->n_peers);
		ok = false;
	}
	ok = ok && check_classify(t) && check_decide(t, nv);
	wgmesh_topology_put(t);
	return ok;
}

static bool check_duplicates(void)
{
	struct wgmesh_topology *t = wgmesh_topology_alloc(2, 300, 2);
	enum wgmesh_build_err what;
	u32 i, dup = 0;
	bool ok;
	int ret;

	if (!t)
		return false;
	ctrl_of(t, 0)->id = 7;
	ctrl_of(t, 1)->id = 8;
	for (i = 0; i < 300; i++)
		peer_of(t, i)->id = i + 1;
	peer_of(t, 299)->id = 123;
	ret = wgmesh_topology_build(t, &what, &dup);
	ok = ret == -EEXIST && what == WGMESH_BUILD_DUP_ID && dup == 2 + 299;
	peer_of(t, 299)->id = 1000;
	peer_of(t, 5)->ipv4 = htonl(0x0a000005);
	peer_of(t, 9)->ipv4 = htonl(0x0a000005);
	ret = wgmesh_topology_build(t, &what, &dup);
	ok = ok && ret == -EEXIST && what == WGMESH_BUILD_DUP_IPV4 &&
	     dup == 2 + 9;
	peer_of(t, 9)->ipv4 = 0;
	for (i = 0; i < 2; i++) {
		t->subnets.v[i].family = AF_INET;
		t->subnets.v[i].len = 24;
		t->subnets.v[i].key = 0xac1b5800ULL << 32;
	}
	ret = wgmesh_topology_build(t, &what, &dup);
	ok = ok && ret == -EEXIST && what == WGMESH_BUILD_DUP_SUBNET &&
	     dup == 1;
	wgmesh_topology_put(t);
	return ok;
}

/*
 * Members with more distinct classes than WGMESH_CLASSES: the first ones
 * get a class each (the controller shares the first peer's), the rest
 * are read from their member, and every member still classifies with its
 * own values, by its subnet and by its table slot.
 */
static bool check_classes(void)
{
	u32 i, n = WGMESH_CLASSES + 100, dup;
	const struct wgmesh_class *c;
	const struct wgmesh_member *m;
	enum wgmesh_build_err what;
	struct wgmesh_topology *t;
	bool ok;

	t = wgmesh_topology_alloc(1, n, n);
	if (!t)
		return false;
	ctrl_of(t, 0)->id = 1;
	for (i = 0; i < n; i++) {
		peer_of(t, i)->id = i + 1;
		/* The last ten repeat the first ten's values. */
		peer_of(t, i)->class.groups = i % (n - 10);
		t->subnets.v[i].member = 1 + i;
		t->subnets.v[i].family = AF_INET;
		t->subnets.v[i].len = 24;
		t->subnets.v[i].key = (0x0a000000ULL + (i << 8)) << 32;
	}
	ok = !wgmesh_topology_build(t, &what, &dup) &&
	     t->n_classes == WGMESH_CLASSES &&
	     wgmesh_subnet_at(&t->subnets, n - 1)->class == 9 &&
	     wgmesh_subnet_at(&t->subnets, n - 11)->class ==
	     WGMESH_CLASS_NONE && check_table(t, &t->peer_table, 1, n);
	for (i = 0; ok && i < n; i++) {
		ok = wgmesh_classify4(t, htonl(0x0a000001 + (i << 8)), &m,
				      &c) == WGMESH_ADDR_SUBNET &&
		     m == peer_of(t, i) && c->groups == m->class.groups;
	}
	wgmesh_topology_put(t);
	return ok;
}

/*
 * Counters carried over a replace: a member present in both keeps what it
 * counted before the copy and what the old snapshot counted after it; a
 * controller and a peer with the same id are different members; a new
 * member starts at zero.
 */
static bool check_carry(void)
{
	struct wgmesh_topology *old = wgmesh_topology_alloc(1, 2, 0);
	struct wgmesh_topology *t = wgmesh_topology_alloc(1, 2, 0);
	enum wgmesh_build_err what;
	struct wgmesh_carry c;
	bool ok = false;
	u32 dup;

	if (!old || !t)
		goto out;
	ctrl_of(old, 0)->id = 5;
	peer_of(old, 0)->id = 5;
	peer_of(old, 1)->id = 9;
	ctrl_of(t, 0)->id = 5;
	peer_of(t, 0)->id = 9;
	peer_of(t, 1)->id = 77;
	if (wgmesh_topology_build(old, &what, &dup) ||
	    wgmesh_topology_build(t, &what, &dup))
		goto out;
	atomic64_set(&old->stats[0].ctr[WGMESH_MCTR_TX_PACKETS], 3);
	atomic64_set(&old->stats[1].ctr[WGMESH_MCTR_TX_PACKETS], 100);
	atomic64_set(&old->stats[2].ctr[WGMESH_MCTR_FWD_BYTES], 1000);
	refcount_inc(&old->ref);	/* carry_finish() drops it */
	if (wgmesh_topology_carry_start(&c, t, old))
		goto out;
	/* Counted into the old snapshot between copy and grace period. */
	atomic64_add(2, &old->stats[2].ctr[WGMESH_MCTR_FWD_BYTES]);
	atomic64_add(1, &t->stats[1].ctr[WGMESH_MCTR_FWD_BYTES]);
	wgmesh_topology_carry_finish(&c, t);
	ok = atomic64_read(&t->stats[0].ctr[WGMESH_MCTR_TX_PACKETS]) == 3 &&
	     atomic64_read(&t->stats[1].ctr[WGMESH_MCTR_FWD_BYTES]) == 1003 &&
	     atomic64_read(&t->stats[1].ctr[WGMESH_MCTR_TX_PACKETS]) == 0 &&
	     atomic64_read(&t->stats[2].ctr[WGMESH_MCTR_FWD_BYTES]) == 0 &&
	     refcount_read(&old->ref) == 1;
out:
	wgmesh_topology_put(old);
	wgmesh_topology_put(t);
	return ok;
}

int wgmesh_lookup_selftest(void)
{
	struct naive *nv = kmalloc(sizeof(*nv), GFP_KERNEL);
	bool ok = true, dup_ok, carry_ok, classes_ok;
	int i;

	if (!nv)
		return -ENOMEM;
	pr_info("KTAP version 1\n");
	pr_info("1..4\n");
	for (i = 0; i < ROUNDS && ok; i++)
		ok = check_round(nv);
	kfree(nv);
	pr_info("%s 1 wgmesh_lookup_random_meshes\n", ok ? "ok" : "not ok");
	dup_ok = check_duplicates();
	pr_info("%s 2 wgmesh_lookup_duplicate_ids\n", dup_ok ? "ok" : "not ok");
	carry_ok = check_carry();
	pr_info("%s 3 wgmesh_counters_carried_over\n",
		carry_ok ? "ok" : "not ok");
	classes_ok = check_classes();
	pr_info("%s 4 wgmesh_lookup_classes\n", classes_ok ? "ok" : "not ok");
	return ok && dup_ok && carry_ok && classes_ok ? 0 : -EINVAL;
}
