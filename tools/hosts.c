// SPDX-License-Identifier: GPL-2.0
/* /etc/hosts lines of the mesh, and the "hosts" command. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "cli.h"
#include "hosts.h"

int wgmesh_hosts_write(FILE *f, const struct wgmesh_topology *t)
{
	char buf[INET6_ADDRSTRLEN];
	struct in6_addr a;

	/* Controllers and peers are already sorted by name. */
	for (size_t i = 0; i < t->n_controllers; i++) {
		const struct wgmesh_controller *c = &t->controllers[i];

		wgmesh_controller_addr(t->name, c->name, &a);
		if (fprintf(f, "%s %s.%s\n", wgmesh_addr_str(&a, buf), c->name,
			    t->domain) < 0)
			return -1;
	}
	for (size_t i = 0; i < t->n_peers; i++) {
		const struct wgmesh_peer *p = &t->peers[i];

		wgmesh_peer_addr(t->name, t->controllers[p->controller].name,
				 p->name, &a);
		if (fprintf(f, "%s %s.%s\n", wgmesh_addr_str(&a, buf), p->name,
			    t->domain) < 0)
			return -1;
	}
	return 0;
}

char *wgmesh_hosts_text(const struct wgmesh_topology *t)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	int err;

	if (!f)
		return NULL;
	err = wgmesh_hosts_write(f, t);
	if (fclose(f) || err) {
		free(text);
		return NULL;
	}
	return text;
}

static int cmd_hosts(int argc, char **argv)
{
	struct wgmesh_topology *t;
	const char *file = NULL;
	bool install = false;
	int ret;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--install"))
			install = true;
		else if (argv[i][0] == '-' && argv[i][1])
			return cli_usage_err(&cli_hosts, "unknown option '%s'",
						argv[i]);
		else if (!file)
			file = argv[i];
		else
			return cli_usage_err(&cli_hosts, "unexpected argument "
						"'%s'", argv[i]);
	}
	if (!file)
		return cli_usage_err(&cli_hosts, "missing FILE");
	if (cli_load(file, &t))
		return 1;
	if (install)
		ret = wgmesh_hosts_install(t);
	else if (wgmesh_hosts_write(stdout, t) || fflush(stdout))
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
