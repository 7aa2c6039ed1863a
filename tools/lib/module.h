/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The controller side of "wgmesh up"/"down": attach wgmesh.ko to the mesh
 * interface and push the topology and policy (through nl/mesh.h), or detach.
 */
#ifndef WGMESH_MODULE_H
#define WGMESH_MODULE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../nl/mesh.h"
#include "topology.h"

/*
 * Attach (an attached device is fine) and replace the topology with @t as
 * seen by controller @self, unless the live one already says the same
 * (*@pushed tells). 0, or -1 with one line in @err.
 */
int mesh_module_up(const struct wgmesh_topology *t,
		   const struct wgmesh_controller *self, const char *ifname,
		   bool *pushed, char *err, size_t errlen);

/* What mesh_module_up() would do. */
enum mesh_module_plan {
	MODULE_SAME,		/* attached with this topology: nothing */
	MODULE_PUSH,		/* attached: push the topology */
	MODULE_ATTACH,		/* loaded, not attached: attach and push */
	MODULE_LOAD,		/* not loaded: load, attach and push */
};

/*
 * What mesh_module_up() would do, changing nothing (it never loads the
 * module): a mesh_module_plan, or -1 with one line in @err.
 */
int mesh_module_diff(const struct wgmesh_topology *t,
		     const struct wgmesh_controller *self, const char *ifname,
		     char *err, size_t errlen);

/*
 * Detach @ifname if wgmesh.ko is loaded and has it attached (not loaded or
 * not attached is success: there is nothing to undo). 0, or -1 and @err.
 */
int mesh_module_down(const char *ifname, char *err, size_t errlen);

/* Is wgmesh.ko loaded? (never loads it) */
int mesh_module_loaded(void);

/*
 * The module's view of @ifname with its counters (GET_STATS): 0, 1 when
 * wgmesh.ko is not loaded or @ifname is not attached, or -1 with one line
 * in @err. Free @out with meshnl_state_free().
 */
int mesh_module_get(const char *ifname, struct meshnl_state *out, char *err,
		    size_t errlen);

#endif
