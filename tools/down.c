// SPDX-License-Identifier: GPL-2.0
/*
 * wgmesh down FILE|IFACE: detach wgmesh.ko from the mesh interface (if it
 * is attached) and delete the interface. FILE names the interface through
 * its Interface (default: the mesh Name).
 */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "lib/module.h"
#include "lib/topology.h"
#include "nl/rt.h"

static int down(const char *ifname)
{
	char err[WGMESH_ERR_LEN];
	struct nlrt_link link;
	struct nls rt;
	int rc = 1;

	if (!nlrt_ifindex(ifname))
		return cli_err("%s: no such interface", ifname);
	if (nlrt_open(&rt))
		return cli_err("%s", rt.err);
	/* Never delete anything but a WireGuard device ("down eth0"). */
	if (nlrt_link_get(&rt, ifname, &link))
		cli_err("%s", rt.err);
	else if (strcmp(link.kind, "wireguard"))
		cli_err("%s: not a WireGuard device (kind '%s'), left alone",
			   ifname, link.kind);
	else if (mesh_module_down(ifname, err, sizeof(err)))
		cli_err("%s", err);
	else if (nlrt_link_delete(&rt, ifname))
		cli_err("%s", rt.err);
	else
		rc = 0;
	nls_close(&rt);
	if (!rc)
		printf("%s: removed\n", ifname);
	return rc;
}

static int cmd_down(int argc, char **argv)
{
	struct wgmesh_topology *t;
	struct stat st;
	int rc;

	if (argc != 2 || (argv[1][0] == '-' && argv[1][1]))
		return cli_usage_err(&cli_down, argc < 2 ? "missing FILE or IFACE" :
					argc > 2 ? "too many arguments" :
					"unknown option");
	/* A file is a topology; anything else an interface name. */
	if (stat(argv[1], &st) || !S_ISREG(st.st_mode)) {
		if (strlen(argv[1]) > WGMESH_IFNAME_MAX || strchr(argv[1], '/'))
			return cli_err("%s: no such file or interface",
					  argv[1]);
		return down(argv[1]);
	}
	if (cli_load(argv[1], &t))
		return 1;
	rc = down(t->interface);
	wgmesh_topology_free(t);
	return rc;
}

const struct cli_cmd cli_down = {
	.name = "down", .run = cmd_down,
	.args = "FILE|IFACE",
	.summary = "detach wgmesh.ko and delete the mesh interface",
	.help = "FILE is the topology (its Interface is removed) or IFACE the\n"
		"interface name.\n",
};
