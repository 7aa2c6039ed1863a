// SPDX-License-Identifier: GPL-2.0
/* The policy's meaning for two machines, and rules without effect. */
#include <stdio.h>
#include <string.h>

#include "policy.h"

/* The groups and isolation of machine @name; false when there is none. */
static bool machine(const struct wgmesh_topology *t, const char *name,
		    bool *ctrl, uint64_t *groups, bool *isolated)
{
	const struct wgmesh_controller *c = wgmesh_topology_controller(t, name);
	const struct wgmesh_peer *p = c ? NULL : wgmesh_topology_peer(t, name);

	if (!c && !p)
		return false;
	*ctrl = c;
	*groups = c ? c->groups : p->groups;
	*isolated = p && p->isolated;
	return true;
}

int policy_reach(const struct wgmesh_topology *t, const char *a,
		 const char *b, struct policy_verdict *v)
{
	bool a_ctrl, b_ctrl, a_iso, b_iso;
	uint64_t ga, gb;

	memset(v, 0, sizeof(*v));
	if (!machine(t, a, &a_ctrl, &ga, &a_iso) ||
	    !machine(t, b, &b_ctrl, &gb, &b_iso))
		return -1;
	v->allowed = true;
	if (!strcmp(a, b)) {
		v->why = POLICY_SELF;
	} else if (b_ctrl) {
		v->why = POLICY_TO_CONTROLLER;
	} else if (a_ctrl) {
		v->why = POLICY_FROM_CONTROLLER;
	} else if (a_iso || b_iso) {
		v->allowed = false;
		v->why = POLICY_ISOLATED;
		v->isolated = a_iso ? a : b;
	} else if (!t->policy.present) {
		v->why = POLICY_NO_POLICY;
	} else if (t->policy.default_allow) {
		v->why = POLICY_DEFAULT_ALLOW;
	} else {
		v->allowed = false;
		v->why = POLICY_DEFAULT_DENY;
		/* Pairs work both ways: the first rule (in the file) decides. */
		for (size_t i = 0; i < t->policy.n_allow; i++) {
			const struct wgmesh_allow *r = &t->policy.allow[i];
			uint64_t x = 1ull << r->a, y = 1ull << r->b;

			if (((ga & x) && (gb & y)) || ((ga & y) && (gb & x))) {
				v->allowed = true;
				v->why = POLICY_ALLOW;
				v->rule = r;
				break;
			}
		}
	}
	return 0;
}

/* "g1, g2" or "no group" into @buf. */
static const char *group_list(const struct wgmesh_topology *t, uint64_t g,
			      char *buf, size_t len)
{
	size_t o = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < t->n_groups && o < len; i++)
		if (g & 1ull << i)
			o += (size_t)snprintf(buf + o, len - o, "%s%s",
					      o ? ", " : "", t->groups[i]);
	if (!o)
		snprintf(buf, len, "no group");
	return buf;
}

static uint64_t groups_of(const struct wgmesh_topology *t, const char *name)
{
	bool ctrl, iso;
	uint64_t g = 0;

	machine(t, name, &ctrl, &g, &iso);
	return g;
}

const char *policy_explain(const struct wgmesh_topology *t, const char *a,
			   const char *b, const struct policy_verdict *v,
			   char *buf, size_t len)
{
	char ga[512], gb[512];

	switch (v->why) {
	case POLICY_SELF:
		snprintf(buf, len, "allowed: the same machine");
		break;
	case POLICY_TO_CONTROLLER:
		snprintf(buf, len, "allowed: %s is a controller, whose ::1 is "
			 "always reachable (delivered by %s itself, never "
			 "policed)", b, b);
		break;
	case POLICY_FROM_CONTROLLER:
		snprintf(buf, len, "allowed: %s is a controller: it reaches "
			 "every peer directly, and what a controller sends is "
			 "not policed", a);
		break;
	case POLICY_ISOLATED:
		snprintf(buf, len, "denied: %s is isolated: it only reaches "
			 "controllers", v->isolated);
		break;
	case POLICY_NO_POLICY:
		snprintf(buf, len, "allowed: no [Policy]: every member may "
			 "talk to every member");
		break;
	case POLICY_DEFAULT_ALLOW:
		snprintf(buf, len, "allowed: Default = allow");
		break;
	case POLICY_ALLOW:
		snprintf(buf, len, "allowed: Allow = %s <-> %s (%s:%u)",
			 t->groups[v->rule->a], t->groups[v->rule->b], t->file,
			 v->rule->line);
		break;
	case POLICY_DEFAULT_DENY:
		snprintf(buf, len, "denied: Default = deny, and no Allow pairs "
			 "a group of %s (%s) with one of %s (%s)", a,
			 group_list(t, groups_of(t, a), ga, sizeof(ga)), b,
			 group_list(t, groups_of(t, b), gb, sizeof(gb)));
		break;
	}
	return buf;
}

/*
 * Per group: its policed members (peers, and controllers with Subnets:
 * their subnets are policed like a peer's), the non-isolated ones and the
 * first of those (a machine index, controllers first).
 */
struct group_peers {
	size_t peers, open;
	size_t first;
};

static void count_peers(const struct wgmesh_topology *t,
			struct group_peers g[WGMESH_MAX_GROUPS])
{
	memset(g, 0, WGMESH_MAX_GROUPS * sizeof(*g));
	for (size_t i = 0; i < t->n_controllers + t->n_peers; i++) {
		bool ctrl = i < t->n_controllers;
		const struct wgmesh_peer *p = ctrl ? NULL :
					      &t->peers[i - t->n_controllers];
		uint64_t groups = ctrl ? t->controllers[i].groups : p->groups;

		if (ctrl && !t->controllers[i].owned.n_subnets)
			continue;
		for (size_t k = 0; k < t->n_groups; k++) {
			if (!(groups & 1ull << k))
				continue;
			g[k].peers++;
			if (p && p->isolated)
				continue;
			if (!g[k].open++)
				g[k].first = i;
		}
	}
}

/*
 * Why rule @r pairs no two different non-isolated peers, into @buf; false
 * when it does pair some.
 */
static bool no_pair(const struct wgmesh_topology *t,
		    const struct group_peers *g, const struct wgmesh_allow *r,
		    char *buf, size_t len)
{
	const struct group_peers *x = &g[r->a], *y = &g[r->b];

	for (int side = 0; side < 2; side++) {
		unsigned int k = side ? r->b : r->a;

		if (!g[k].peers) {
			snprintf(buf, len, "group %s has no peers, only "
				 "controllers without Subnets, and controllers "
				 "are not policed (a controller's own addresses "
				 "are always reachable and what a controller "
				 "sends is not policed)", t->groups[k]);
			return true;
		}
		if (!g[k].open) {
			snprintf(buf, len, "the peers of group %s are all "
				 "isolated (they only reach controllers)",
				 t->groups[k]);
			return true;
		}
	}
	if (x->open == 1 && y->open == 1 && x->first == y->first) {
		snprintf(buf, len, "its only peer on both sides is %s",
			 wgmesh_machine_name(t, x->first));
		return true;
	}
	return false;
}

size_t policy_lint(const struct wgmesh_topology *t,
		   void (*warn)(void *ctx, unsigned int line, const char *msg),
		   void *ctx)
{
	const struct wgmesh_policy *p = &t->policy;
	struct group_peers g[WGMESH_MAX_GROUPS];
	char why[512], msg[1024];
	size_t n = 0;

	count_peers(t, g);
	for (size_t i = 0; i < p->n_allow; i++) {
		const struct wgmesh_allow *r = &p->allow[i];
		const struct wgmesh_allow *dup = NULL;

		for (size_t j = 0; j < i && !dup; j++)
			if ((p->allow[j].a == r->a && p->allow[j].b == r->b) ||
			    (p->allow[j].a == r->b && p->allow[j].b == r->a))
				dup = &p->allow[j];
		if (p->default_allow)
			snprintf(why, sizeof(why), "with Default = allow every "
				 "member may already talk to every member");
		else if (dup)
			snprintf(why, sizeof(why), "the same pair as line %u",
				 dup->line);
		else if (!no_pair(t, g, r, why, sizeof(why)))
			continue;
		snprintf(msg, sizeof(msg), "Allow = %s <-> %s has no effect: %s",
			 t->groups[r->a], t->groups[r->b], why);
		warn(ctx, r->line, msg);
		n++;
	}
	return n;
}
