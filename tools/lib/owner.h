/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Which mesh owns a WireGuard interface. "wgmesh up" marks every interface
 * it creates with the link alias "wgmesh:<mesh Name>" (IFLA_IFALIAS, shown
 * by "ip link show"): the mark lives and dies with the interface, in its
 * own network namespace, so it survives any restart of the tool, needs no
 * state file that could go stale or be shared by namespaces, and a reboot,
 * which removes the interface, removes the mark with it.
 *
 * An unmarked interface that carries routes of wgmesh's protocol (87)
 * was made by a wgmesh from before the mark, and counts as this mesh's.
 */
#ifndef WGMESH_OWNER_H
#define WGMESH_OWNER_H

#include <stdbool.h>
#include <stddef.h>

#include "../nl/rt.h"

#define OWNER_PREFIX "wgmesh:"

enum owner {
	OWNER_THIS,		/* marked for this mesh */
	OWNER_LEGACY,		/* unmarked, with wgmesh's routes */
	OWNER_OTHER_MESH,	/* marked for another mesh */
	OWNER_FOREIGN,		/* not wgmesh's: wg-quick's, by hand... */
};

/* "wgmesh:<mesh>" into @buf (sizeof struct nlrt_link.alias is enough). */
void owner_alias(const char *mesh, char *buf, size_t len);

/* The mesh an alias names, or NULL when it is no wgmesh mark. */
const char *owner_mesh(const char *alias);

/* Who owns an interface with @alias (and wgmesh routes or not). */
enum owner owner_of(const char *alias, const char *mesh, bool wgmesh_routes);

/*
 * The WireGuard links of this namespace marked for @mesh, but for
 * @except: malloc'ed names in *@names. 0, or a negative errno with s->err.
 */
int owner_links(struct nls *s, const char *mesh, const char *except,
		char (**names)[16], size_t *n);

#endif /* WGMESH_OWNER_H */
