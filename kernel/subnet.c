// SPDX-License-Identifier: GPL-2.0
/*
 * Routed subnets: building the table of a snapshot (see subnet.h).
 */

#include <linux/bits.h>
#include <linux/build_bug.h>
#include <linux/math.h>
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
	sn->filter = wgmesh_zalloc_array(sn->n_words, sizeof(*sn->filter));
	if (!sn->v || !sn->slots || !sn->filter) {
		wgmesh_subnets_free(sn);
		return -ENOMEM;
	}
	return 0;
}

void wgmesh_subnets_free(struct wgmesh_subnets *sn)
{
	kvfree(sn->v);
	kvfree(sn->slots);
	kvfree(sn->filter);
	sn->v = NULL;
	sn->slots = NULL;
	sn->filter = NULL;
}

/* Does the prefix @key/@len hold @addr (both keys of one family)? */
bool wgmesh_subnet_contains(u64 key, u8 len, u64 addr)
{
	return (addr & wgmesh_mask(len)) == key;
}

static int cmp_desc(const void *a, const void *b)
{
	return *(const u8 *)b - *(const u8 *)a;
}

/* The distinct prefix lengths of @family, longest first. */
static u8 lengths(const struct wgmesh_subnets *sn, u8 family, u8 *lens)
{
	u64 seen[2] = { 0, 0 };
	u8 n = 0;
	u32 i;

	for (i = 0; i < sn->n; i++) {
		u8 len = sn->v[i].len;

		if (sn->v[i].family != family ||
		    seen[len / 64] & BIT_ULL(len % 64))
			continue;
		seen[len / 64] |= BIT_ULL(len % 64);
		lens[n++] = len;
	}
	sort(lens, n, 1, cmp_desc, NULL);
	return n;
}

/*
 * Indexes the filled-in subnets. -EEXIST when two have the same family,
 * length and prefix (*@dup: the second one's index).
 */
int wgmesh_subnets_build(struct wgmesh_subnets *sn, u32 *dup)
{
	const struct wgmesh_subnet *s, *o;
	u64 h, bits;
	u32 i, pos;

	BUILD_BUG_ON(WGMESH_MAX_SUBNETS_TOTAL >= WGMESH_SUBNET_IDX_MASK);
	BUILD_BUG_ON(WGMESH_MAX_CONTROLLERS + WGMESH_MAX_PEERS >
		     WGMESH_SUBNET_MEMBER_MASK);
	sn->seed = get_random_u64();
	memset(sn->slots, 0, sn->size * sizeof(*sn->slots));
	memset(sn->filter, 0, sn->n_words * sizeof(*sn->filter));
	for (i = 0; i < sn->n; i++) {
		s = &sn->v[i];
		h = wgmesh_subnet_hash(sn, s->key, s->len, s->family);
		for (pos = wgmesh_subnet_pos(sn, h); sn->slots[pos];
		     pos = pos + 1 == sn->size ? 0 : pos + 1) {
			o = &sn->v[(sn->slots[pos] &
				    WGMESH_SUBNET_IDX_MASK) - 1];
			if (o->key == s->key && o->len == s->len &&
			    o->family == s->family) {
				*dup = i;
				return -EEXIST;
			}
		}
		sn->slots[pos] =
			wgmesh_subnet_tag(h) << WGMESH_SUBNET_TAG_SHIFT |
			(u64)s->member << WGMESH_SUBNET_MEMBER_SHIFT | (i + 1);
		*wgmesh_subnet_word(sn, wgmesh_subnet_fhash(sn, s->key, s->len,
							    s->family),
				    &bits) |= bits;
	}
	sn->n_lens4 = lengths(sn, AF_INET, sn->lens4);
	sn->n_lens6 = lengths(sn, AF_INET6, sn->lens6);
	return 0;
}
