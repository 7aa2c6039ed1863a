// SPDX-License-Identifier: GPL-2.0
/* "wgmesh hosts [--install]": the mesh's /etc/hosts lines (lib/hosts.c). */
#include <limits.h>
#include <stdio.h>

#include "cli.h"
#include "lib/hosts.h"

static int install_block(const struct wgmesh_topology *t)
{
	char path[PATH_MAX], err[WGMESH_ERR_LEN];

	if (hosts_install(t, path, sizeof(path), err, sizeof(err)))
		return cli_err("%s", err);
	printf("%s: wgmesh %s block up to date\n", path, t->name);
	return 0;
}

static int cmd_hosts(int argc, char **argv)
{
	struct wgmesh_topology *t;
	bool install = false;
	const struct cli_opt opts[] = {
		{ .name = "--install", .flag = &install },
		{ 0 }
	};
	int ret;

	if (cli_parse_load(&cli_hosts, argc, argv, opts, &t))
		return 1;
	if (install)
		ret = install_block(t);
	else if (hosts_write(stdout, t) || fflush(stdout))
		ret = cli_err("hosts: writing standard output failed");
	else
		ret = 0;
	wgmesh_topology_free(t);
	return ret;
}

const struct cli_cmd cli_hosts = {
	.name = "hosts", .run = cmd_hosts,
	.args = "[--install] FILE",
	.summary = "print the /etc/hosts lines of the mesh",
	.help = "Lines are \"<address> <machine>.<domain>\": controllers at ::1"
		" sorted by name,\nthen peers sorted by name at their address "
		"in their controller's subnet.\n--install writes them into a "
		"marked block of /etc/hosts.\n",
};
