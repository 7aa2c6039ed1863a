/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What "wgmesh up" changes (or, with --dry-run, would change), in words:
 * one line per peer, address, route and setting (-v and --dry-run), and the
 * counts and settings of its summary line. Pure: it reads a plan (plan.h)
 * and the states it was computed from.
 */
#ifndef WGMESH_REPORT_H
#define WGMESH_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "plan.h"
#include "topology.h"

/* What a plan does besides peers, addresses and routes. */
struct report_settings {
	bool mtu;		/* MTU changes to plan->mtu */
	bool listen_port;	/* listen port changes */
	bool private_key;	/* private key set or changed */
	bool link_up;		/* the link is brought up */
};

/* The settings @plan changes; @link_up: the link is up now. */
struct report_settings report_settings(const struct mesh_plan *plan,
				       bool link_up);

/*
 * One line per change of @plan to @f, each indented by two spaces and
 * starting "+ ", "- " or "~ ": peers (named from @t, else by public key)
 * with what changes, addresses, routes, then settings. A preshared key is
 * only ever said to be there, set, changed or removed; a private key is
 * shown by its public key.
 */
void report_changes(FILE *f, const struct wgmesh_topology *t,
		    const struct mesh_state *cur, const struct mesh_plan *plan,
		    bool link_up);

/*
 * "peers +A ~C -R, addresses +A -D, routes +A -D" and then ", preshared
 * keys +S ~C -R" (of the peers that stay: set, changed, removed; when any),
 * ", mtu N", ", listen port N", ", private key", ", link up" for the
 * settings that change, to @f (no newline).
 */
void report_counts(FILE *f, const struct mesh_plan *plan, bool link_up);

#endif /* WGMESH_REPORT_H */
