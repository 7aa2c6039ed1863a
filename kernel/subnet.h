/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Routed subnets: the IPv4 and IPv6 prefixes the mesh routes to members,
 * and their longest-prefix match.
 *
 * One open-addressing table holds every subnet, its slot the subnet
 * itself (prefix, length, family, owner and the owner's policy class: 16
 * bytes), so that a probe that hits answers from the one cache line it
 * reads, the policy included. IPv6 subnets are at most
 * /64, so every key is 64 bits: an IPv4 prefix sits in the upper half.
 *
 * A subnet's slot is found by hashing its prefix cut to an anchor length:
 * the anchors are some of the lengths in use, each covering its own
 * length and the next ones up to the following anchor, chosen longest
 * possible as long as at most WGMESH_SUBNET_CROWD subnets share one
 * anchor prefix (a run of slots). A lookup probes once per anchor of the
 * address's family, longest first, and takes the longest subnet of its
 * run that holds the address. Lengths that do not nest (a /48 per site
 * and its /56s, say, each site distinct) share one anchor: one probe for
 * them all; a length many subnets nest in (a /48 with many /64s) is an
 * anchor of its own, a probe of its own as before.
 *
 * A Bloom filter (two bits in one u64 word per anchor prefix, 32 bits a
 * subnet) answers most probes for an anchor the address has no subnet of
 * without touching the table, and without a branch the CPU cannot
 * predict; the last anchor is probed without it.
 *
 * Memory: one and a half 16-byte slots (positions are a multiply-shift of
 * the hash, not a mask, so any table size works), a 4-byte index of each
 * subnet's slot (the per-member lists, in member order) and 4 bytes of
 * filter a subnet: 32 bytes in all. The array the snapshot is filled in
 * with is freed once the table is built.
 */

#ifndef _WGMESH_SUBNET_H
#define _WGMESH_SUBNET_H

#include <linux/bits.h>
#include <linux/hash.h>
#include <linux/in.h>
#include <linux/in6.h>
#include <linux/socket.h>
#include <linux/types.h>

#include "compat.h"
#include "uapi/wgmesh.h"

#define WGMESH_SUBNET_LEN_MAX4 32
#define WGMESH_SUBNET_LEN_MAX6 64

/* A subnet, and a slot of the table: family 0 when the slot is empty. */
struct wgmesh_subnet {
	u64 key;	/* the prefix, host order, host bits zero */
	u32 member;	/* index of its owner in the member array */
	u8 len;		/* prefix length */
	u8 family;	/* AF_INET or AF_INET6 */
	u16 class;	/* its owner's policy class (see topology.h) */
};

/* At most this many subnets share an anchor prefix (see above). */
#define WGMESH_SUBNET_CROWD 4

struct wgmesh_subnets {
	/* Filled in by the caller, grouped by member in member order; freed
	 * (NULL) once built: wgmesh_subnet_at() reads them then.
	 */
	struct wgmesh_subnet *v;
	struct wgmesh_subnet *slots;
	u32 *pos;			/* subnet i is in slots[pos[i]] */
	u64 *filter;
	u32 n;
	u32 size;			/* 1.5 * n slots (at least 2) */
	u32 n_words;			/* of filter, n / 2 (at least 1) */
	u64 seed;
	/* Anchor lengths, longest first, per family. */
	u8 anchors4[WGMESH_SUBNET_LEN_MAX4];
	u8 anchors6[WGMESH_SUBNET_LEN_MAX6];
	u8 n_anchors4;
	u8 n_anchors6;
};

int wgmesh_subnets_alloc(struct wgmesh_subnets *sn, u32 n);
int wgmesh_subnets_build(struct wgmesh_subnets *sn, u32 *dup);
void wgmesh_subnets_free(struct wgmesh_subnets *sn);
bool wgmesh_subnet_contains(u64 key, u8 len, u64 addr);

/* Subnet @i (in member order) of a built table. */
static inline const struct wgmesh_subnet *
wgmesh_subnet_at(const struct wgmesh_subnets *sn, u32 i)
{
	return &sn->slots[sn->pos[i]];
}

static inline u64 wgmesh_key4(__be32 a)
{
	return (u64)ntohl(a) << 32;
}

static inline u64 wgmesh_key6(const struct in6_addr *a)
{
	return get_unaligned_be64(a->s6_addr);
}

static inline u64 wgmesh_mask(u8 len)
{
	return len ? ~0ULL << (64 - len) : 0;
}

/* The hash of anchor prefix @key of length @len. */
static inline u64 wgmesh_subnet_hash(const struct wgmesh_subnets *sn, u64 key,
				     u8 len, u8 family)
{
	u64 h = key ^ sn->seed ^ ((u64)len << 8 | family);

	/* A 64-bit finalizer: an IPv4 key has nothing in its low half. */
	h ^= h >> 32;
	h *= 0xd6e8feb86659fd93ULL;
	h ^= h >> 32;
	h *= 0xd6e8feb86659fd93ULL;
	return h ^ (h >> 32);
}

/* The first slot of hash @h's run: from its upper half. */
static inline u32 wgmesh_subnet_pos(const struct wgmesh_subnets *sn, u64 h)
{
	return ((h >> 32) * sn->size) >> 32;
}

/*
 * The filter word for hash @h (from its lower half), and the two bits of
 * it (*@bits, from the upper half).
 */
static inline u64 *wgmesh_subnet_word(const struct wgmesh_subnets *sn, u64 h,
				      u64 *bits)
{
	*bits = BIT_ULL((h >> 32) & 63) | BIT_ULL((h >> 38) & 63);
	return &sn->filter[((h & GENMASK_ULL(31, 0)) * sn->n_words) >> 32];
}

/*
 * The longest subnet of @family that holds @addr (a key as wgmesh_key4()
 * or wgmesh_key6() make it), or NULL.
 */
static inline const struct wgmesh_subnet *
wgmesh_subnet_find(const struct wgmesh_subnets *sn, u64 addr, u8 family)
{
	const u8 *anchors = family == AF_INET ? sn->anchors4 : sn->anchors6;
	u8 n = family == AF_INET ? sn->n_anchors4 : sn->n_anchors6;
	const struct wgmesh_subnet *s;
	u64 h, bits;
	u32 i, pos;
	u8 a;

	for (i = 0; i < n; i++) {
		a = anchors[i];
		h = wgmesh_subnet_hash(sn, addr & wgmesh_mask(a), a, family);
		/* The last anchor gets probed either way. */
		if (i + 1 < n &&
		    (*wgmesh_subnet_word(sn, h, &bits) & bits) != bits)
			continue;
		/* Its run: the subnets of this anchor holding @addr, longest
		 * first, with other anchors' subnets (a longer one that held
		 * @addr would have been found already).
		 */
		for (pos = wgmesh_subnet_pos(sn, h);
		     (s = &sn->slots[pos])->family;
		     pos = pos + 1 == sn->size ? 0 : pos + 1) {
			if (s->family == family && s->len >= a &&
			    (addr & wgmesh_mask(s->len)) == s->key)
				return s;
		}
	}
	return NULL;
}

#endif /* _WGMESH_SUBNET_H */
