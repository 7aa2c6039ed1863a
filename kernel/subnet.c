// SPDX-License-Identifier: GPL-2.0
/*
 * Routed subnets: building the table of a snapshot (see subnet.h).
 */

#include <linux/bits.h>
#include <linux/build_bug.h>
#include <linux/math.h>
#include <linux/minmax.h>
#include <linux/random.h>
#include <linux/sort.h>

#include "alloc.h"
#include "subnet.h"

/* Room for @n subnets, filled in by the caller before building. */
int wgmesh_subnets_alloc(struct wgmesh_subnets *sn, u32 n)
{
	memset(sn, 0, sizeof(*sn));
	sn->n = n;
	/* A slot always stays empty: a probe ends. */
	sn->size = max(n + n / 2, 2U);
	sn->n_words = max(DIV_ROUND_UP(n, 2), 1U);
	sn->v = wgmesh_zalloc_array(n, sizeof(*sn->v));
	sn->slots = wgmesh_zalloc_array(sn->size, sizeof(*sn->slots));
	sn->pos = wgmesh_zalloc_array(n, sizeof(*sn->pos));
	sn->filter = wgmesh_zalloc_array(sn->n_words, sizeof(*sn->filter));
	if (!sn->v || !sn->slots || !sn->pos || !sn->filter) {
		wgmesh_subnets_free(sn);
		return -ENOMEM;
	}
	return 0;
}

void wgmesh_subnets_free(struct wgmesh_subnets *sn)
{
	kvfree(sn->v);
	kvfree(sn->slots);
	kvfree(sn->pos);
	kvfree(sn->filter);
	sn->v = NULL;
	sn->slots = NULL;
	sn->pos = NULL;
	sn->filter = NULL;
}

/* Does the prefix @key/@len hold @addr (both keys of one family)? */
bool wgmesh_subnet_contains(u64 key, u8 len, u64 addr)
{
	return (addr & wgmesh_mask(len)) == key;
}

/* By family, then prefix, then length. */
static int cmp_subnet(const void *a, const void *b)
{
	const struct wgmesh_subnet *x = a, *y = b;

	if (x->family != y->family)
		return x->family < y->family ? -1 : 1;
	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	return x->len - y->len;
}

/*
 * The most subnets of @family, of lengths @lo to @hi, that share one /@lo
 * prefix. @s (@n of them) is sorted by cmp_subnet(), so they are next to
 * each other among those lengths.
 */
static u32 crowd(const struct wgmesh_subnet *s, u32 n, u8 family, u8 lo,
		 u8 hi)
{
	u64 mask = wgmesh_mask(lo), prev = 0;
	u32 i, run = 0, most = 0;

	for (i = 0; i < n; i++) {
		if (s[i].family != family || s[i].len < lo || s[i].len > hi)
			continue;
		if (!run || (s[i].key & mask) != prev) {
			prev = s[i].key & mask;
			run = 0;
		}
		most = max(most, ++run);
	}
	return most;
}

/*
 * The anchors of @family (into @out, longest first; their number
 * returned) and each length's anchor (@anchor_of[len]). @sorted: the
 * subnets sorted by cmp_subnet(), NULL if the family has one length or
 * none (nothing to sort).
 */
static u8 anchors(const struct wgmesh_subnets *sn,
		  const struct wgmesh_subnet *sorted, u8 family, u8 *out,
		  u8 *anchor_of)
{
	u8 len, max_len = family == AF_INET ? WGMESH_SUBNET_LEN_MAX4 :
					      WGMESH_SUBNET_LEN_MAX6;
	u8 n = 0, a = 0;

	for (len = 1; len <= max_len; len++) {
		if (!anchor_of[len])
			continue;
		if (!a || !sorted || crowd(sorted, sn->n, family, a, len) >
				     WGMESH_SUBNET_CROWD) {
			a = len;
			out[n++] = a;
		}
		anchor_of[len] = a;
	}
	for (len = 0; len < n / 2; len++)
		swap(out[len], out[n - 1 - len]);
	return n;
}

/*
 * Puts subnet @i in the first empty slot of its run (@of4, @of6: each
 * length's anchor); -EEXIST if the run holds it already.
 */
static int insert(struct wgmesh_subnets *sn, u32 i, const u8 *of4,
		  const u8 *of6)
{
	const struct wgmesh_subnet *s = &sn->v[i], *o;
	u8 a = s->family == AF_INET ? of4[s->len] : of6[s->len];
	u64 h, bits;
	u32 pos;

	h = wgmesh_subnet_hash(sn, s->key & wgmesh_mask(a), a, s->family);
	for (pos = wgmesh_subnet_pos(sn, h); sn->slots[pos].family;
	     pos = pos + 1 == sn->size ? 0 : pos + 1) {
		o = &sn->slots[pos];
		if (o->key == s->key && o->len == s->len &&
		    o->family == s->family)
			return -EEXIST;
	}
	sn->slots[pos] = *s;
	sn->pos[i] = pos;
	*wgmesh_subnet_word(sn, h, &bits) |= bits;
	return 0;
}

/*
 * Indexes the filled-in subnets, and frees them. -EEXIST when two have
 * the same family, length and prefix (*@dup: the second one's index);
 * they are kept then.
 */
int wgmesh_subnets_build(struct wgmesh_subnets *sn, u32 *dup)
{
	u8 of4[WGMESH_SUBNET_LEN_MAX4 + 1] = {};
	u8 of6[WGMESH_SUBNET_LEN_MAX6 + 1] = {};
	const struct wgmesh_subnet *s;
	u32 i, n4 = 0, n6 = 0;
	u8 len, *of;

	BUILD_BUG_ON(sizeof(struct wgmesh_subnet) != 16);
	sn->seed = get_random_u64();
	/* The lengths in use, then the anchors: the slots serve to sort. */
	for (i = 0; i < sn->n; i++) {
		s = &sn->v[i];
		of = s->family == AF_INET ? &of4[s->len] : &of6[s->len];
		if (!*of) {
			*of = 1;
			n4 += s->family == AF_INET;
			n6 += s->family != AF_INET;
		}
	}
	if (n4 > 1 || n6 > 1) {
		memcpy(sn->slots, sn->v, sn->n * sizeof(*sn->v));
		sort(sn->slots, sn->n, sizeof(*sn->slots), cmp_subnet, NULL);
	}
	sn->n_anchors4 = anchors(sn, n4 > 1 ? sn->slots : NULL, AF_INET,
				 sn->anchors4, of4);
	sn->n_anchors6 = anchors(sn, n6 > 1 ? sn->slots : NULL, AF_INET6,
				 sn->anchors6, of6);

	/* In order first, so that the second of two is the dup. */
	memset(sn->slots, 0, sn->size * sizeof(*sn->slots));
	for (i = 0; i < sn->n; i++) {
		if (insert(sn, i, of4, of6)) {
			*dup = i;
			return -EEXIST;
		}
	}
	/* Then longest first: in a run, a subnet comes before the shorter
	 * ones of its anchor prefix, and a lookup takes the first that holds
	 * the address.
	 */
	memset(sn->slots, 0, sn->size * sizeof(*sn->slots));
	memset(sn->filter, 0, sn->n_words * sizeof(*sn->filter));
	for (len = WGMESH_SUBNET_LEN_MAX6; len; len--) {
		if ((len > WGMESH_SUBNET_LEN_MAX4 || !of4[len]) && !of6[len])
			continue;
		for (i = 0; i < sn->n; i++) {
			if (sn->v[i].len == len)
				insert(sn, i, of4, of6);
		}
	}
	kvfree(sn->v);
	sn->v = NULL;
	return 0;
}
