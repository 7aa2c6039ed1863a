// SPDX-License-Identifier: GPL-2.0
/* "wgmesh check": validate a topology file, and the loader commands share. */
#include <string.h>

#include "cmd.h"
#include "topology.h"

int wgmesh_cmd_load(const char *file, struct wgmesh_topology **t)
{
	char err[WGMESH_ERR_LEN];

	if (wgmesh_topology_load(file, t, err, sizeof(err))) {
		wgmesh_err("%s", err);
		return -1;
	}
	return 0;
}

static int cmd_check(int argc, char **argv)
{
	struct wgmesh_topology *t;
	bool quiet = false;
	const char *file = NULL;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-q") || !strcmp(argv[i], "--quiet"))
			quiet = true;
		else if (argv[i][0] == '-' && argv[i][1])
			return wgmesh_usage_err("check", "unknown option '%s'",
						argv[i]);
		else if (!file)
			file = argv[i];
		else
			return wgmesh_usage_err("check", "unexpected argument "
						"'%s'", argv[i]);
	}
	if (!file)
		return wgmesh_usage_err("check", "missing FILE");
	if (wgmesh_cmd_load(file, &t))
		return 1;
	if (!quiet)
		printf("%s: mesh %s is valid: %zu controller%s, %zu peer%s, "
		       "%zu group%s\n", t->file, t->name, t->n_controllers,
		       t->n_controllers == 1 ? "" : "s", t->n_peers,
		       t->n_peers == 1 ? "" : "s", t->n_groups,
		       t->n_groups == 1 ? "" : "s");
	wgmesh_topology_free(t);
	return 0;
}

WGMESH_COMMAND(check, "check", cmd_check, "[-q] FILE",
	       "validate a topology file; exit 0 when it is valid",
	       "Checks syntax, references, duplicate names and keys, address "
	       "collisions\n(controller ids, peer /96s) and the policy. "
	       "Errors are FILE:LINE: what.\n");
