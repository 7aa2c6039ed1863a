/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The cgroup of "wgmesh exec" (README "Per-VPN routing tables"): a cgroup
 * v2 directory owned by wgmesh, CGROUP_DIR/net-<network namespace
 * inode>/<mesh> below CGROUP_ROOT, which must be the cgroup2 hierarchy
 * (the unified layout: nft resolves "socket cgroupv2" paths there only).
 * "up" creates it on a machine with Table and FwMark, "down" removes it.
 * nftables marks the packets of every socket created in it ("socket
 * cgroupv2 level CGROUP_LEVEL"); exec moves itself there and runs the
 * command, whose children inherit the cgroup. One per mesh and network
 * namespace: the same mesh name in two namespaces (tests) does not share.
 */
#ifndef WGMESH_CGROUP_H
#define WGMESH_CGROUP_H

#include <stddef.h>

#define CGROUP_ROOT	"/sys/fs/cgroup"
#define CGROUP_DIR	"wgmesh"
#define CGROUP_LEVEL	3

/* CGROUP_ROOT when it is cgroup2: 0, 1 when not, -1 (@err). */
int cgroup_root(char *buf, size_t len, char *err, size_t errlen);
/* @mesh's cgroup below the root ("wgmesh/net-N/<mesh>"): 0 or -1 (@err). */
int cgroup_rel(const char *mesh, char *buf, size_t len, char *err,
	       size_t errlen);
/* Create it (and its parents): 0, 1 without cgroup2, -1 (@err). */
int cgroup_make(const char *root, const char *rel, char *err, size_t errlen);
/* Remove it (then its parents if empty): 0 also if gone, -1 (@err). */
int cgroup_unmake(const char *root, const char *rel, char *err,
		  size_t errlen);
/* Move this process into it: 0 or -1 (@err). */
int cgroup_enter(const char *root, const char *rel, char *err,
		 size_t errlen);

#endif
