/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The controller side of "wgmesh up"/"down": attach wgmesh.ko to the mesh
 * interface and push the topology and policy (through meshnl), or detach.
 */
#ifndef WGMESH_UPMOD_H
#define WGMESH_UPMOD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "topology.h"

/*
 * Attach (an attached device is fine) and replace the topology with @t as
 * seen by controller @self, unless the live one already says the same
 * (*@pushed tells). 0, or -1 with one line in @err.
 */
int mesh_module_up(const struct wgmesh_topology *t,
		   const struct wgmesh_controller *self, const char *ifname,
		   bool *pushed, char *err, size_t errlen);

/*
 * Detach @ifname if wgmesh.ko is loaded and has it attached (not loaded or
 * not attached is success: there is nothing to undo). 0, or -1 and @err.
 */
int mesh_module_down(const char *ifname, char *err, size_t errlen);

/* Is wgmesh.ko loaded? (never loads it) */
int mesh_module_loaded(void);

/* Counters of WGMESH_CMD_GET_STATS, indexed by WGMESH_STATS_A_*. */
#define MESH_NSTATS 22
struct mesh_member_stats {
	bool controller;
	uint32_t id;		/* controller id or peer id (uapi) */
	uint64_t c[MESH_NSTATS];
};

struct mesh_stats {
	bool topology;		/* a topology is set */
	uint64_t generation;
	uint64_t dev[MESH_NSTATS];
	struct mesh_member_stats *m;
	size_t n;
};

/*
 * Counter name ("fwd_packets") of c[@i], NULL for none. (meshnl.h cannot be
 * included next to cmd.h: the uapi's enum wgmesh_cmd clashes with struct
 * wgmesh_cmd.)
 */
const char *mesh_stat_name(int i);

/*
 * Read the module's counters for @ifname. Returns 0, 1 when wgmesh.ko is
 * not loaded or @ifname is not attached, or -1 with one line in @err.
 */
int mesh_module_stats(const char *ifname, struct mesh_stats *out, char *err,
		      size_t errlen);
void mesh_stats_free(struct mesh_stats *s);

#endif
