// SPDX-License-Identifier: GPL-2.0
/* "wgmesh reach FILE A B": may A talk to B, and which rule decides. */
#include <stdio.h>

#include "cli.h"
#include "lib/policy.h"

static int cmd_reach(int argc, char **argv)
{
	const char *args[3] = { NULL, NULL, NULL };	/* FILE A B */
	const struct cli_opt opts[] = { { 0 } };
	struct wgmesh_topology *t;
	struct policy_verdict v;
	char why[1024];
	int ret;

	if (cli_parse(&cli_reach, argc, argv, opts, args, 3))
		return CLI_FAILED;
	if (!args[2])
		return cli_usage_err(&cli_reach, "missing %s",
				     !args[0] ? "FILE, A and B" :
				     !args[1] ? "A and B" : "B");
	if (cli_load(args[0], &t))
		return CLI_FAILED;
	if (policy_reach(t, args[1], args[2], &v)) {
		ret = cli_err("%s: no machine named '%s'", t->file,
			      wgmesh_topology_controller(t, args[1]) ||
			      wgmesh_topology_peer(t, args[1]) ?
			      args[2] : args[1]);
	} else {
		cli_say("%s -> %s: %s", args[1], args[2],
			policy_explain(t, args[1], args[2], &v, why,
				       sizeof(why)));
		ret = v.allowed ? CLI_OK : CLI_NO;
	}
	wgmesh_topology_free(t);
	return ret;
}

const struct cli_cmd cli_reach = {
	.name = "reach", .run = cmd_reach,
	.args = "FILE A B",
	.summary = "say whether machine A may talk to machine B, and why",
	.help = "Applies the rules wgmesh.ko enforces: a controller's ::1 is "
		"always reachable\n(the controller delivers it, unpoliced); "
		"what a controller sends goes\nstraight to its destination and "
		"is not policed; between two peers, an\nisolated one is denied, "
		"then no [Policy] or Default = allow allows, and\nDefault = deny "
		"allows only when an Allow rule pairs a group of each (the\n"
		"first such rule in FILE is named). Pairs work both ways: there "
		"is no\ndirection and no port.\n"
		"Exit status: 0 allowed, 2 denied, 1 error.\n",
};
