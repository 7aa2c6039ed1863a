/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the lookup selftest (lookup.c) and the decision benchmark (bench.c)
 * both need: random numbers, distinct member ids and member addresses.
 */

#ifndef _WGMESH_SELFTEST_UTIL_H
#define _WGMESH_SELFTEST_UTIL_H

#include <linux/random.h>

#include "topology.h"

static inline u32 rnd(u32 n)
{
	return n ? get_random_u32() % n : 0;
}

static inline struct wgmesh_member *ctrl_of(struct wgmesh_topology *t, u32 i)
{
	return &t->members[i];
}

static inline struct wgmesh_member *peer_of(struct wgmesh_topology *t, u32 i)
{
	return &t->members[t->n_ctrls + i];
}

/*
 * Distinct random ids for every member: i -> i * odd + offset is a
 * bijection modulo 2^bits; a peer never gets id 0. Also picks a random
 * mesh prefix and makes a random controller this machine.
 */
static inline void random_ids(struct wgmesh_topology *t)
{
	u32 i, k, c;

	get_random_bytes(&t->prefix.s6_addr[1], 3);
	t->prefix.s6_addr[0] = 0xfd;
	k = get_random_u32() | 1;
	c = get_random_u32();
	for (i = 0; i < t->n_ctrls; i++)
		ctrl_of(t, i)->id = (i * k + c) & 0xffff;
	t->self_id = ctrl_of(t, rnd(t->n_ctrls))->id;
	k = get_random_u32() | 1;
	c = get_random_u32() | 1;	/* i = 0 never maps to id 0 */
	for (i = 0; i < t->n_peers; i++) {
		peer_of(t, i)->id = (i + 1) * k + c;
		if (!peer_of(t, i)->id)
			peer_of(t, i)->id = c;
	}
}

/*
 * A random peer's address in a random controller's subnet, or, one time in
 * @ctrl_one_in (always without peers), a random controller's ::1.
 */
static inline void member_addr(struct wgmesh_topology *t, struct in6_addr *a,
			       u32 ctrl_one_in)
{
	const struct wgmesh_member *c = ctrl_of(t, rnd(t->n_ctrls));

	*a = t->prefix;
	a->s6_addr[5] = c->id >> 8;
	a->s6_addr[6] = c->id & 0xff;
	if (!t->n_peers || !rnd(ctrl_one_in)) {
		a->s6_addr[15] = 1;
		return;
	}
	a->s6_addr32[2] = htonl(peer_of(t, rnd(t->n_peers))->id);
	a->s6_addr32[3] = (__force __be32)get_random_u32();
}

#endif /* _WGMESH_SELFTEST_UTIL_H */
