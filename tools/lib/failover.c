// SPDX-License-Identifier: GPL-2.0
/* Controller failover decisions, see failover.h. */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sodium.h>

#include "failover.h"

void failover_init(struct failover_ctrl *c, double now, bool dead)
{
	c->dead = dead;
	c->last_heard = dead ? now - 1e9 : now;
	c->streak_start = now;
}

/* Longest silence that still continues a run of answers. */
static double max_gap(const struct failover_params *p)
{
	return 2 * p->interval;
}

void failover_heard(struct failover_ctrl *c, const struct failover_params *p,
		    double now)
{
	if (now - c->last_heard > max_gap(p))
		c->streak_start = now;
	if (now > c->last_heard)
		c->last_heard = now;
}

void failover_paused(struct failover_ctrl *c, double gap, double now)
{
	c->last_heard = c->last_heard + gap < now ? c->last_heard + gap : now;
	if (c->streak_start + gap < c->last_heard)
		c->streak_start += gap;
	else
		c->streak_start = c->last_heard;
}

enum failover_change failover_check(struct failover_ctrl *c,
				    const struct failover_params *p,
				    double now)
{
	double silent = now - c->last_heard;

	if (!c->dead && silent >= p->dead_after) {
		c->dead = true;
		return FAILOVER_DIED;
	}
	if (c->dead && silent <= max_gap(p) &&
	    c->last_heard - c->streak_start >= p->alive_after) {
		c->dead = false;
		return FAILOVER_RETURNED;
	}
	return FAILOVER_SAME;
}

/* The rendezvous weight of @cand for @dead. */
static uint64_t weight(const char *dead, const char *cand)
{
	crypto_hash_sha256_state st;
	uint8_t h[crypto_hash_sha256_BYTES];
	uint64_t w = 0;

	crypto_hash_sha256_init(&st);
	crypto_hash_sha256_update(&st, (const uint8_t *)dead, strlen(dead) + 1);
	crypto_hash_sha256_update(&st, (const uint8_t *)cand, strlen(cand));
	crypto_hash_sha256_final(&st, h);
	for (int i = 0; i < 8; i++)
		w = w << 8 | h[i];
	return w;
}

long failover_choose(const char *const *names, const bool *dead, size_t n,
		     size_t who)
{
	uint64_t best_w = 0;
	long best = -1;

	for (size_t i = 0; i < n; i++) {
		uint64_t w;

		if (i == who || dead[i])
			continue;
		w = weight(names[who], names[i]);
		/* Ties (never seen in practice) go to the first name. */
		if (best < 0 || w > best_w ||
		    (w == best_w && strcmp(names[i], names[best]) < 0)) {
			best = (long)i;
			best_w = w;
		}
	}
	return best;
}

int failover_move(struct wg_peer *from, struct wg_peer *to,
		  const struct in6_addr *keep)
{
	struct wg_allowedip *ip;

	for (size_t i = 0; i < from->n_ips; i++) {
		ip = wg_peer_add_ip(to);
		if (!ip)
			return -ENOMEM;
		*ip = from->ips[i];
	}
	from->n_ips = 0;
	ip = wg_peer_add_ip(from);
	if (!ip)
		return -ENOMEM;
	memset(ip, 0, sizeof(*ip));
	ip->family = AF_INET6;
	ip->cidr = 128;
	ip->ip6 = *keep;
	return 0;
}

static bool same_ip(const struct wg_allowedip *a, const struct wg_allowedip *b)
{
	size_t len = a->family == AF_INET6 ? sizeof(a->ip6) : sizeof(a->ip4);

	return a->family == b->family && a->cidr == b->cidr &&
	       !memcmp(&a->ip6, &b->ip6, len);
}

int failover_take(struct wg_peer *from, struct wg_peer *to,
		  const struct wg_allowedip *ip)
{
	struct wg_allowedip *n;

	for (size_t i = 0; i < from->n_ips; i++) {
		if (!same_ip(&from->ips[i], ip))
			continue;
		n = wg_peer_add_ip(to);
		if (!n)
			return -ENOMEM;
		*n = from->ips[i];
		from->ips[i] = from->ips[--from->n_ips];
		return 1;
	}
	return 0;
}
