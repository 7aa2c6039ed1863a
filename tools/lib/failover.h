/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Controller failover for "wgmesh watch", pure logic (no netlink, no
 * clock): when a controller is dead, when it is alive again, which live
 * controller stands in for it, and what moves in AllowedIPs.
 *
 * A controller is heard when it answers a probe, when the rx bytes of its
 * WireGuard entry rose, or when its latest handshake is recent. It is dead
 * once nothing was heard for dead_after seconds, and alive again (the
 * hysteresis) only after it was heard without a gap longer than two probe
 * intervals for alive_after seconds, so a flapping controller keeps its
 * /56 moved instead of moving it back and forth. Time the watcher itself
 * did not run counts neither way (failover_paused()).
 *
 * The stand-in is a rendezvous choice: of the live controllers, the one
 * with the largest SHA-256("dead\0candidate") (first 8 bytes, big endian).
 * Every machine that sees the same controllers dead picks the same one,
 * and the dead controllers' subnets spread over the live ones.
 */
#ifndef WGMESH_FAILOVER_H
#define WGMESH_FAILOVER_H

#include <stdbool.h>
#include <stddef.h>
#include <netinet/in.h>

#include "../nl/wg.h"

struct failover_params {
	double interval;	/* between probes */
	double dead_after;	/* nothing heard this long: dead */
	double alive_after;	/* dead, heard without a gap this long: alive */
};

struct failover_ctrl {
	bool dead;
	double last_heard;	/* monotonic seconds */
	double streak_start;	/* first answer of the current run */
};

enum failover_change {
	FAILOVER_SAME,
	FAILOVER_DIED,
	FAILOVER_RETURNED,
};

/* Start @c at @now, dead or alive (a dead one needs a full streak). */
void failover_init(struct failover_ctrl *c, double now, bool dead);

/* Something of @c was heard at @now. */
void failover_heard(struct failover_ctrl *c, const struct failover_params *p,
		    double now);

/*
 * The watcher itself did not run for @gap seconds before @now (a stalled
 * or overloaded machine, a slow re-apply): nothing could be heard then,
 * so that time is not the controller's silence. Shifts the last answer
 * and the current run by @gap (never past @now).
 */
void failover_paused(struct failover_ctrl *c, double gap, double now);

/* Whether @c died or returned at @now; updates c->dead. */
enum failover_change failover_check(struct failover_ctrl *c,
				    const struct failover_params *p,
				    double now);

/*
 * The live controller (index into @names, @n of them, @dead[i] for each)
 * that stands in for dead controller @who, or -1 when none is alive.
 */
long failover_choose(const char *const *names, const bool *dead, size_t n,
		     size_t who);

/*
 * Move what @from (a dead controller's entry) carries to @to (its stand-in),
 * leaving @from with only @keep/128 (the dead controller's ::1, so that
 * probes still go to it directly and tell when it is back). 0, or -ENOMEM.
 */
int failover_move(struct wg_peer *from, struct wg_peer *to,
		  const struct in6_addr *keep);

/*
 * Move @ip from @from to @to if @from holds it (a controller's view: what
 * a dead controller's entry carried for a peer homed there, its IPv4
 * address and subnets, goes to that peer's own entry on the stand-in and
 * to the stand-in's entry elsewhere). 1 moved, 0 not there, -ENOMEM.
 */
int failover_take(struct wg_peer *from, struct wg_peer *to,
		  const struct wg_allowedip *ip);

#endif
