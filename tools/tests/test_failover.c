// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the failover logic of "wgmesh watch" (lib/failover.c):
 * when a controller counts as dead and as alive again (hysteresis: a
 * flapping controller stays dead), which controller stands in for a dead
 * one (the same on every machine, never a dead one), and what moves in
 * the AllowedIPs.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#include "lib/failover.h"
#include "lib/plan.h"
#include "ktap.h"

static const struct failover_params P = {
	.interval = 2, .dead_after = 8, .alive_after = 8,
};

/* Probes answered every @step s from @from to @to; returns the change. */
static enum failover_change answer(struct failover_ctrl *c, double from,
				   double to, double step)
{
	enum failover_change ch = FAILOVER_SAME, x;

	for (double t = from; t <= to; t += step) {
		failover_heard(c, &P, t);
		x = failover_check(c, &P, t);
		if (x != FAILOVER_SAME)
			ch = x;
	}
	return ch;
}

/* Silence from @from to @to, checked every 2 s: the first change. */
static enum failover_change silence(struct failover_ctrl *c, double from,
				    double to, double *when)
{
	for (double t = from; t <= to; t += 2) {
		enum failover_change x = failover_check(c, &P, t);

		if (x != FAILOVER_SAME) {
			*when = t;
			return x;
		}
	}
	return FAILOVER_SAME;
}

static void test_detection(void)
{
	struct failover_ctrl c;
	enum failover_change ch;
	double when = -1;

	failover_init(&c, 0, false);
	ktap_ok(answer(&c, 0, 100, 2) == FAILOVER_SAME && !c.dead,
		"answering every probe: alive, no change");
	ch = silence(&c, 101, 130, &when);
	ktap_ok(ch == FAILOVER_DIED && when - 100 >= 8 && when - 100 <= 10 && c.dead,
		"silent from t=100: dead at t=%.0f (within dead-after + interval)",
		when);
	ktap_ok(silence(&c, when + 2, 200, &when) == FAILOVER_SAME && c.dead,
		"still silent: stays dead, no second change");
}

static void test_pause(void)
{
	enum failover_change ch;
	struct failover_ctrl c;
	double when = -1;

	failover_init(&c, 0, false);
	answer(&c, 0, 100, 2);
	/* watch stalled from t=100 to t=130: no tick, then it runs again */
	failover_paused(&c, 30, 130);
	ktap_ok(failover_check(&c, &P, 130) == FAILOVER_SAME && !c.dead,
		"watch itself stalled for 30 s: not a silence, still alive");
	ktap_ok(answer(&c, 132, 140, 2) == FAILOVER_SAME && !c.dead,
		"... and answering after it: alive, no change");
	ch = silence(&c, 141, 170, &when);
	ktap_ok(ch == FAILOVER_DIED && when - 140 >= 8 && when - 140 <= 10,
		"silent after the stall: dead at t=%.0f, dead-after as before",
		when);
	failover_paused(&c, 5, 175);
	ktap_ok(failover_check(&c, &P, 175) == FAILOVER_SAME && c.dead,
		"a stall while dead: stays dead");
	failover_init(&c, 0, false);
	failover_heard(&c, &P, 50);
	failover_paused(&c, 20, 55);
	ktap_ok(c.last_heard == 55 && c.streak_start <= c.last_heard,
		"a stall never moves the last answer past now (%.0f)",
		c.last_heard);
}

static void test_hysteresis(void)
{
	struct failover_ctrl c;
	enum failover_change ch = FAILOVER_SAME;
	double when = -1;
	int changes = 0;

	failover_init(&c, 0, true);
	ktap_ok(answer(&c, 10, 16, 2) == FAILOVER_SAME && c.dead,
		"dead, answers for 6 s (< alive-after 8): still dead");
	ktap_ok(answer(&c, 18, 18, 2) == FAILOVER_RETURNED && !c.dead,
		"answers for 8 s without a gap: alive");

	/* Flapping: up 4 s, down 6 s, forever: dies once, never returns. */
	failover_init(&c, 0, false);
	for (double t = 0; t < 200; t += 10) {
		ch = answer(&c, t, t + 4, 2);
		if (ch != FAILOVER_SAME)
			changes++;
		ch = silence(&c, t + 6, t + 8, &when);
		if (ch != FAILOVER_SAME)
			changes++;
	}
	ktap_ok(changes == 0 && !c.dead,
		"up 4 s / down 6 s: never dead (dead-after 8), no change");

	failover_init(&c, 0, false);
	changes = 0;
	for (double t = 0; t < 200; t += 16) {
		if (answer(&c, t, t + 4, 2) != FAILOVER_SAME)
			changes++;
		if (silence(&c, t + 6, t + 14, &when) != FAILOVER_SAME)
			changes++;
	}
	ktap_ok(changes == 1 && c.dead,
		"up 4 s / down 10 s: dead once, never back (%d changes)",
		changes);

	failover_init(&c, 0, true);
	answer(&c, 0, 6, 2);
	silence(&c, 8, 12, &when);	/* a gap longer than two intervals */
	ktap_ok(answer(&c, 14, 20, 2) == FAILOVER_SAME && c.dead,
		"a gap restarts the streak: 6 s after it, still dead");
	ktap_ok(answer(&c, 22, 22, 2) == FAILOVER_RETURNED,
		"8 s after the gap: alive");
}

static void test_choose(void)
{
	const char *names[] = { "ctrl1", "ctrl2", "ctrl3", "ctrl4" };
	const char *rev[] = { "ctrl4", "ctrl3", "ctrl2", "ctrl1" };
	bool dead[4] = { true, false, false, false };
	bool rdead[4] = { false, false, false, true };
	bool all[4] = { true, true, true, true };
	long a, b, spread[4] = { 0 };
	char name[16];

	a = failover_choose(names, dead, 4, 0);
	b = failover_choose(rev, rdead, 4, 3);
	ktap_ok(a > 0 && b >= 0 && !strcmp(names[a], rev[b]),
		"the stand-in for ctrl1 is %s whatever the file's order",
		a > 0 ? names[a] : "none");
	dead[a] = true;
	b = failover_choose(names, dead, 4, 0);
	ktap_ok(b > 0 && b != a, "with %s dead too: another live one (%s)",
		names[a], b > 0 ? names[b] : "none");
	ktap_ok(failover_choose(names, all, 4, 0) == -1,
		"every controller dead: none");
	ktap_ok(failover_choose(names, dead, 1, 0) == -1,
		"a single controller: none");

	/* Many dead controllers spread over the 4 live ones. */
	for (int i = 0; i < 400; i++) {
		const char *n[5] = { name, "a", "b", "c", "d" };
		bool d[5] = { true, false, false, false, false };

		snprintf(name, sizeof(name), "dead%d", i);
		spread[failover_choose(n, d, 5, 0) - 1]++;
	}
	ktap_ok(spread[0] > 50 && spread[1] > 50 && spread[2] > 50 &&
		spread[3] > 50, "400 dead controllers spread: %ld %ld %ld %ld",
		spread[0], spread[1], spread[2], spread[3]);
}

static void ip6(struct wg_peer *p, const char *text, int cidr)
{
	struct wg_allowedip *a = wg_peer_add_ip(p);

	memset(a, 0, sizeof(*a));
	a->family = AF_INET6;
	a->cidr = cidr;
	inet_pton(AF_INET6, text, &a->ip6);
}

static void ip4(struct wg_peer *p, const char *text, int cidr)
{
	struct wg_allowedip *a = wg_peer_add_ip(p);

	memset(a, 0, sizeof(*a));
	a->family = AF_INET;
	a->cidr = cidr;
	inet_pton(AF_INET, text, &a->ip4);
}

static void test_move(void)
{
	struct wg_peer from = { 0 }, to = { 0 }, want_from = { 0 },
		       want_to = { 0 };
	struct in6_addr host;

	inet_pton(AF_INET6, "fd51:19c1:e:fb00::1", &host);
	ip6(&from, "fd51:19c1:e:fb00::", 56);
	ip4(&from, "10.128.0.0", 16);
	ip6(&to, "fd51:19c1:89:500::", 56);
	ip6(&want_from, "fd51:19c1:e:fb00::1", 128);
	ip6(&want_to, "fd51:19c1:89:500::", 56);
	ip6(&want_to, "fd51:19c1:e:fb00::", 56);
	ip4(&want_to, "10.128.0.0", 16);
	ktap_ok(!failover_move(&from, &to, &host) &&
		wg_ips_equal(&from, &want_from),
		"the dead controller's entry keeps only its ::1/128");
	ktap_ok(wg_ips_equal(&to, &want_to),
		"the stand-in's entry gets its /56 and the IPv4 range");
	free(from.ips);
	free(to.ips);
	free(want_from.ips);
	free(want_to.ips);
}

static void test_take(void)
{
	struct wg_peer dead = { 0 }, peer = { 0 }, want_dead = { 0 },
		       want_peer = { 0 };
	struct wg_allowedip ip = { .family = AF_INET, .cidr = 32 };

	ip6(&dead, "fd51:19c1:e:fb00::", 56);
	ip4(&dead, "10.128.177.190", 32);	/* the dead controller's */
	ip4(&dead, "10.128.186.180", 32);	/* a peer homed there */
	ip4(&dead, "172.27.88.0", 24);		/* that peer's subnet */
	ip6(&peer, "fd51:19c1:e:fb00:6987:50a0::", 96);
	inet_pton(AF_INET, "10.128.186.180", &ip.ip4);
	ktap_ok(failover_take(&dead, &peer, &ip) == 1 &&
		failover_take(&dead, &peer, &ip) == 0,
		"take: moves a peer's /32 once, then it is not there");
	inet_pton(AF_INET, "172.27.88.0", &ip.ip4);
	ip.cidr = 24;
	failover_take(&dead, &peer, &ip);
	ip6(&want_dead, "fd51:19c1:e:fb00::", 56);
	ip4(&want_dead, "10.128.177.190", 32);
	ip6(&want_peer, "fd51:19c1:e:fb00:6987:50a0::", 96);
	ip4(&want_peer, "10.128.186.180", 32);
	ip4(&want_peer, "172.27.88.0", 24);
	ktap_ok(wg_ips_equal(&dead, &want_dead) &&
		wg_ips_equal(&peer, &want_peer),
		"take: the peer's entry has its /32 and subnet, the dead "
		"controller's keeps its /56 and own address");
	free(dead.ips);
	free(peer.ips);
	free(want_dead.ips);
	free(want_peer.ips);
}

int main(void)
{
	if (sodium_init() < 0)
		return 1;
	ktap_plan(23);
	test_detection();
	test_pause();
	test_hysteresis();
	test_choose();
	test_move();
	test_take();
	return ktap_finish();
}
