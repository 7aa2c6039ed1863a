/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What a topology's [Policy] means for two machines, and which of its
 * rules cannot mean anything. The rules are wgmesh.ko's (kernel/topology.h,
 * wgmesh_decide() and wgmesh_policy()) applied to the mesh "wgmesh up"
 * builds, where every controller has every other member as a WireGuard
 * peer:
 *
 *   - a packet to a controller's ::1 reaches that controller directly and
 *     is delivered by it, never policed: every controller is reachable by
 *     every member, isolated peers included;
 *   - what a controller sends goes straight to the member it is for (it
 *     has them all as WireGuard peers), so no controller forwards it and
 *     it is not policed either;
 *   - what a peer sends to another peer goes through a controller, which
 *     decides: an isolated peer on either side: dropped; no [Policy] or
 *     Default = allow: forwarded; Default = deny: forwarded only if a group
 *     of one and a group of the other form an Allow pair (both ways).
 *
 * So the policy decides between peers only; groups of controllers never
 * matter. There is no direction and no port: the module enforces pairs of
 * groups, both ways, for all traffic.
 */
#ifndef WGMESH_POLICY_H
#define WGMESH_POLICY_H

#include <stdbool.h>
#include <stddef.h>

#include "topology.h"

enum policy_why {
	POLICY_SELF,		/* A and B are one machine */
	POLICY_TO_CONTROLLER,	/* B is a controller: its ::1 always answers */
	POLICY_FROM_CONTROLLER,	/* A is a controller: not policed */
	POLICY_ISOLATED,	/* a peer of the two is isolated: denied */
	POLICY_NO_POLICY,	/* no [Policy] section: allowed */
	POLICY_DEFAULT_ALLOW,	/* Default = allow: allowed */
	POLICY_ALLOW,		/* an Allow rule pairs their groups */
	POLICY_DEFAULT_DENY,	/* Default = deny and no rule: denied */
};

struct policy_verdict {
	bool allowed;
	enum policy_why why;
	const struct wgmesh_allow *rule;	/* POLICY_ALLOW: the first */
	const char *isolated;		/* POLICY_ISOLATED: that peer's name */
};

/*
 * May machine @a talk to machine @b? 0 with @v filled, or -1 when @a or @b
 * is not a machine of @t.
 */
int policy_reach(const struct wgmesh_topology *t, const char *a,
		 const char *b, struct policy_verdict *v);

/* "allowed: ..." or "denied: ...": why, in one line, into @buf. */
const char *policy_explain(const struct wgmesh_topology *t, const char *a,
			   const char *b, const struct policy_verdict *v,
			   char *buf, size_t len);

/*
 * Call @warn(@ctx, LINE, MESSAGE) for every Allow rule that cannot have an
 * effect: under Default = allow, the same pair as an earlier rule, or no
 * two different non-isolated peers on its two sides. Returns how many.
 */
size_t policy_lint(const struct wgmesh_topology *t,
		   void (*warn)(void *ctx, unsigned int line, const char *msg),
		   void *ctx);

#endif /* WGMESH_POLICY_H */
