// SPDX-License-Identifier: GPL-2.0
/*
 * "wgmesh hosts [--install|--remove]": the mesh's /etc/hosts lines
 * (lib/hosts.c).
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>

#include "cli.h"
#include "lib/hosts.h"

static int change_block(const struct wgmesh_topology *t, bool remove)
{
	char path[PATH_MAX], err[WGMESH_ERR_LEN];
	int ret = remove ? hosts_remove(t->name, path, sizeof(path), err,
					sizeof(err)) :
		  hosts_install(t, path, sizeof(path), err, sizeof(err));

	if (ret < 0)
		return cli_err("%s%s", err, hosts_hint(errno, path));
	if (remove)
		cli_say("%s: wgmesh %s block %s", path, t->name,
			ret ? "not there" : "removed");
	else
		cli_say("%s: wgmesh %s block up to date", path, t->name);
	return 0;
}

static int cmd_hosts(int argc, char **argv)
{
	struct wgmesh_topology *t;
	bool install = false, remove = false;
	const struct cli_opt opts[] = {
		{ .name = "--install", .flag = &install },
		{ .name = "--remove", .flag = &remove },
		{ 0 }
	};
	int ret;

	if (cli_parse_load(&cli_hosts, argc, argv, opts, &t))
		return 1;
	if (install && remove)
		ret = cli_usage_err(&cli_hosts, "--install or --remove, not both");
	else if (install || remove)
		ret = change_block(t, remove);
	else if (hosts_write(stdout, t) || fflush(stdout))
		ret = cli_err("hosts: writing standard output failed");
	else
		ret = 0;
	wgmesh_topology_free(t);
	return ret;
}

const struct cli_cmd cli_hosts = {
	.name = "hosts", .run = cmd_hosts,
	.args = "[--install|--remove] FILE",
	.summary = "print the /etc/hosts lines of the mesh",
	.help = "Lines are \"<address> <machine>.<domain>\": controllers at ::1"
		" sorted by name,\nthen peers sorted by name at their address "
		"in their controller's subnet.\n--install writes them into a "
		"marked block of /etc/hosts ($" HOSTS_ENV " names\nanother "
		"file), --remove takes that block out (wgmesh down does too).\n"
		"Where /etc/hosts is read-only (NixOS), put the lines in the "
		"system's\nconfiguration (networking.extraHosts). With "
		"systemd-resolved, names in\n/etc/hosts are answered too "
		"(ReadEtcHosts=yes, its default).\n",
};
