/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Private to the topology parser: topology.c reads the file into this
 * state, topology_check.c validates and resolves it once it is all read.
 */
#ifndef WGMESH_TOPOLOGY_PARSER_H
#define WGMESH_TOPOLOGY_PARSER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "topology.h"

enum section { SEC_NONE, SEC_MESH, SEC_CONTROLLER, SEC_PEER, SEC_POLICY };

/* Per machine data that is only resolved once the whole file is read. */
struct pending {
	unsigned int key_line;		/* PublicKey line, 0 if none */
	char *controller;		/* peers: Controller value */
	unsigned int controller_line;
	char *exit;			/* peers: Exit value */
	unsigned int exit_line;		/* Exit given (either kind) */
	unsigned int port_set;		/* controllers: Port given */
	unsigned int firewall_set;	/* controllers: Firewall given */
	uint64_t group_ids;		/* indices into parser.groups */
};

struct allow_name {
	char *a, *b;
	unsigned int line;
};

struct parser {
	struct wgmesh_topology *t;
	char *err;
	size_t errlen;
	unsigned int line;

	enum section sec;
	unsigned int seen;		/* keys seen in this section */
	bool mesh_seen, policy_seen, policy_default;
	unsigned int mesh_line, name_line, policy_line;
	unsigned int ipv4_line, ipv4_public_line;	/* in [Mesh] */
	unsigned int probe_line, dead_after_line;	/* in [Mesh] */

	struct pending *pc, *pp;	/* parallel to controllers/peers */
	size_t cap_c, cap_p, cap_pc, cap_pp;	/* of the four arrays */

	char *groups[WGMESH_MAX_GROUPS];	/* first-seen order */
	size_t n_groups;

	struct allow_name *allow;
	size_t n_allow, cap_allow;
};

/*
 * Put "FILE:LINE: message" (or "FILE: message" for line 0) in the
 * parser's error buffer; returns -1.
 */
int wgmesh_parse_fail(struct parser *p, unsigned int line, const char *fmt,
		      ...) __attribute__((format(printf, 3, 4)));

#define fail_at(p, line, ...) wgmesh_parse_fail(p, line, __VA_ARGS__)
#define fail(p, ...) wgmesh_parse_fail(p, (p)->line, __VA_ARGS__)

static inline int oom(struct parser *p)
{
	return fail(p, "out of memory");
}

static inline int set_str(struct parser *p, char **dst, const char *s)
{
	*dst = strdup(s);
	return *dst ? 0 : oom(p);
}

/*
 * Once the whole file is read: names, the mesh, references, keys and
 * address clashes, groups and policy; then sort the machines by name.
 */
int wgmesh_topology_check(struct parser *p);

/* topology_ip.c: the IPv4 and Subnets keys, and their checks. */
int wgmesh_parse_ipv4_range(struct parser *p, const char *v);
int wgmesh_parse_ipv4_public(struct parser *p, const char *v);
int wgmesh_parse_ipv4(struct parser *p, struct wgmesh_owned *o, const char *v);
int wgmesh_parse_subnets(struct parser *p, struct wgmesh_owned *o, char *v);
int wgmesh_topology_check_ip(struct parser *p);

#endif /* WGMESH_TOPOLOGY_PARSER_H */
