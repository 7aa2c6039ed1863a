/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Routed subnets: the IPv4 and IPv6 prefixes the mesh routes to members,
 * and their longest-prefix match.
 *
 * One hash table holds every subnet, keyed by family, prefix length and
 * the masked prefix; a lookup probes it once per prefix length in use in
 * the address's family, longest first. Its cost follows the number of
 * distinct prefix lengths (a handful: /24 and /64 LANs, a few others),
 * never the number of subnets or members. IPv6 subnets are at most /64,
 * so every key is 64 bits: an IPv4 prefix sits in the upper half.
 *
 * A Bloom filter (two bits in one u64 word per subnet, 32 bits a subnet)
 * answers most probes for a length the address has no subnet of without
 * touching the table, and without a branch the CPU cannot predict, at the
 * cost of a one-multiply hash. A
 * slot is one u64 holding a tag (more bits of the hash: a probe past
 * another subnet's slot stops there), the owner's member index and the
 * subnet's index: the check of the subnet itself and the read of its
 * owner do not wait on each other.
 *
 * Memory: 16 bytes of subnet, one and a half 8-byte slots (positions are
 * a multiply-shift of the hash, not a mask, so any table size works) and
 * 4 bytes of filter a subnet: 32 bytes in all.
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

struct wgmesh_subnet {
	u64 key;	/* the prefix, host order, host bits zero */
	u32 member;	/* index of its owner in the member array */
	u8 len;		/* prefix length */
	u8 family;	/* AF_INET or AF_INET6 */
};

/* A slot: tag << 42 | member << 21 | subnet index + 1; 0 when empty. */
#define WGMESH_SUBNET_IDX_BITS 21
#define WGMESH_SUBNET_IDX_MASK GENMASK_ULL(20, 0)
#define WGMESH_SUBNET_MEMBER_SHIFT 21
#define WGMESH_SUBNET_MEMBER_MASK GENMASK_ULL(20, 0)
#define WGMESH_SUBNET_TAG_SHIFT 42

struct wgmesh_subnets {
	struct wgmesh_subnet *v;	/* grouped by member, in member order */
	u64 *slots;
	u64 *filter;
	u32 n;
	u32 size;			/* 1.5 * n slots (at least 2) */
	u32 n_words;			/* of filter, n / 2 (at least 1) */
	u64 seed;
	/* Prefix lengths in use, longest first, per family. */
	u8 lens4[WGMESH_SUBNET_LEN_MAX4];
	u8 lens6[WGMESH_SUBNET_LEN_MAX6];
	u8 n_lens4;
	u8 n_lens6;
};

int wgmesh_subnets_alloc(struct wgmesh_subnets *sn, u32 n);
int wgmesh_subnets_build(struct wgmesh_subnets *sn, u32 *dup);
void wgmesh_subnets_free(struct wgmesh_subnets *sn);
bool wgmesh_subnet_contains(u64 key, u8 len, u64 addr);

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

static inline u64 wgmesh_subnet_hash(const struct wgmesh_subnets *sn, u64 key,
				     u8 len, u8 family)
{
	u64 h = key ^ sn->seed ^ ((u64)len << 8 | family);

	/* A 64-bit finalizer: the tag comes from the low bits, and an IPv4
	 * key has nothing in its low half.
	 */
	h ^= h >> 32;
	h *= 0xd6e8feb86659fd93ULL;
	h ^= h >> 32;
	h *= 0xd6e8feb86659fd93ULL;
	return h ^ (h >> 32);
}

/*
 * The filter's hash: a fold and one multiply, enough to pick a word and
 * two bits; the table's finalizer is computed only for the lengths the
 * filter lets through.
 */
static inline u64 wgmesh_subnet_fhash(const struct wgmesh_subnets *sn,
				      u64 key, u8 len, u8 family)
{
	u64 x = key ^ sn->seed ^ ((u64)len << 8 | family);

	return (x ^ (x >> 32)) * 0x9e3779b97f4a7c15ULL;
}

static inline u32 wgmesh_subnet_pos(const struct wgmesh_subnets *sn, u64 h)
{
	return ((h >> 32) * sn->size) >> 32;
}

static inline u64 wgmesh_subnet_tag(u64 h)
{
	return h & GENMASK_ULL(63 - WGMESH_SUBNET_TAG_SHIFT, 0);
}

/* The filter word for filter hash @h, and the two bits of it (*@bits). */
static inline u64 *wgmesh_subnet_word(const struct wgmesh_subnets *sn, u64 h,
				      u64 *bits)
{
	*bits = BIT_ULL((h >> 20) & 63) | BIT_ULL((h >> 26) & 63);
	return &sn->filter[((h >> 32) * sn->n_words) >> 32];
}

/*
 * The member owning the longest subnet of @family that holds @addr (a key
 * as wgmesh_key4() or wgmesh_key6() make it): its index + 1, or 0.
 */
static inline u32 wgmesh_subnet_find(const struct wgmesh_subnets *sn,
				     u64 addr, u8 family)
{
	const u8 *lens = family == AF_INET ? sn->lens4 : sn->lens6;
	u8 n_lens = family == AF_INET ? sn->n_lens4 : sn->n_lens6;
	const struct wgmesh_subnet *s;
	u64 key, h, slot, bits;
	u32 i, pos;

	for (i = 0; i < n_lens; i++) {
		key = addr & wgmesh_mask(lens[i]);
		/* The last length gets probed either way. */
		if (i + 1 < n_lens &&
		    (*wgmesh_subnet_word(sn, wgmesh_subnet_fhash(sn, key,
								  lens[i],
								  family),
					 &bits) & bits) != bits)
			continue;
		h = wgmesh_subnet_hash(sn, key, lens[i], family);
		for (pos = wgmesh_subnet_pos(sn, h); (slot = sn->slots[pos]);
		     pos = pos + 1 == sn->size ? 0 : pos + 1) {
			if (slot >> WGMESH_SUBNET_TAG_SHIFT !=
			    wgmesh_subnet_tag(h))
				continue;
			s = &sn->v[(slot & WGMESH_SUBNET_IDX_MASK) - 1];
			if (s->key == key && s->len == lens[i] &&
			    s->family == family)
				return ((slot >> WGMESH_SUBNET_MEMBER_SHIFT) &
					WGMESH_SUBNET_MEMBER_MASK) + 1;
		}
	}
	return 0;
}

#endif /* _WGMESH_SUBNET_H */
