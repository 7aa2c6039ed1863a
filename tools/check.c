// SPDX-License-Identifier: GPL-2.0
/* "wgmesh check": validate a topology file. */
#include <stdio.h>

#include "cli.h"
#include "lib/addr.h"
#include "lib/policy.h"
#include "lib/topology.h"

static void warn_rule(void *ctx, unsigned int line, const char *msg)
{
	const struct wgmesh_topology *t = ctx;

	/* Like the errors, "FILE:LINE: ...", and the line says warning. */
	(void)cli_err("%s:%u: warning: %s", t->file, line, msg);
}

static int cmd_check(int argc, char **argv)
{
	char ipv4[64] = "", sub[64] = "", addr[16];
	struct wgmesh_topology *t;
	size_t subnets = 0;
	bool quiet = false;
	const struct cli_opt opts[] = {
		{ .name = "--quiet", .alias = "-q", .flag = &quiet },
		{ 0 }
	};

	if (cli_parse_load(&cli_check, argc, argv, opts, &t))
		return 1;
	policy_lint(t, warn_rule, t);
	for (size_t i = 0; i < t->n_controllers + t->n_peers; i++)
		subnets += wgmesh_machine_owned(t, i)->n_subnets;
	if (t->ipv4_len)
		snprintf(ipv4, sizeof(ipv4), ", IPv4 %s/%u",
			 wgmesh_ipv4_str(t->ipv4_prefix, addr), t->ipv4_len);
	if (subnets)
		snprintf(sub, sizeof(sub), ", %zu subnet%s", subnets,
			 subnets == 1 ? "" : "s");
	if (!quiet)
		cli_say("%s: mesh %s is valid: %zu controller%s, %zu peer%s, "
		       "%zu group%s%s%s", t->file, t->name, t->n_controllers,
		       t->n_controllers == 1 ? "" : "s", t->n_peers,
		       t->n_peers == 1 ? "" : "s", t->n_groups,
		       t->n_groups == 1 ? "" : "s", ipv4, sub);
	wgmesh_topology_free(t);
	return 0;
}

const struct cli_cmd cli_check = {
	.name = "check", .run = cmd_check,
	.args = "[-q|--quiet] FILE",
	.summary = "validate a topology file; exit 0 when it is valid",
	.help = "Checks syntax, references, duplicate names and keys, address "
		"collisions\n(controller ids, peer /96s, IPv4 addresses), "
		"subnet overlaps and the policy. "
		"Errors are FILE:LINE: what.\nAn Allow rule that cannot have "
		"an effect gets a warning line on stderr\n(FILE:LINE: warning: "
		"...) and the file is still valid: under Default = allow,\n"
		"repeating an earlier pair, or without two different "
		"non-isolated peers on\nits sides (the policy decides only "
		"between peers: see help reach).\n"
		"Exit status: 0 valid, 1 not.\n",
};
