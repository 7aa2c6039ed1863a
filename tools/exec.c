// SPDX-License-Identifier: GPL-2.0
/*
 * wgmesh exec FILE|IFACE -- CMD [ARGS]: run CMD confined to the mesh's
 * routing table (README "Per-VPN routing tables"). It moves itself into
 * the mesh's cgroup (lib/cgroup.h), which "up" made on a machine with
 * Table and FwMark, and executes CMD there: every socket CMD and its
 * children create is in that cgroup, and nftables marks its packets with
 * FwMark ("socket cgroupv2" in table inet wgmesh's output-<mesh>), so
 * they take table N: through the exit, with Exit. SO_MARK would not do:
 * it is per socket and not inherited.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "cli.h"
#include "lib/cgroup.h"
#include "lib/owner.h"
#include "lib/topology.h"
#include "nl/rt.h"

/* The mesh of @arg, a topology file or an interface, into @mesh. */
static int mesh_of(const char *arg, char *mesh, size_t len)
{
	struct wgmesh_topology *t;
	struct nlrt_link link;
	struct stat st;
	struct nls rt;
	const char *m;
	int ret;

	if (!stat(arg, &st) && S_ISREG(st.st_mode)) {
		if (cli_load(arg, &t))
			return -1;
		snprintf(mesh, len, "%s", t->name);
		wgmesh_topology_free(t);
		return 0;
	}
	if (strlen(arg) > WGMESH_IFNAME_MAX || strchr(arg, '/') ||
	    !nlrt_ifindex(arg))
		return cli_err("%s: no such file or interface", arg);
	if (nlrt_open(&rt))
		return cli_err("%s", rt.err);
	ret = nlrt_link_get(&rt, arg, &link);
	if (ret)
		cli_err("%s", rt.err);
	nls_close(&rt);
	if (ret)
		return -1;
	m = owner_mesh(link.alias);
	if (!m)
		return cli_err("%s: not a wgmesh interface (no alias '%s...')",
			       arg, OWNER_PREFIX);
	/* It names a cgroup path, and CAP_NET_ADMIN is all it takes to set
	 * an alias: only what a mesh name may be ([Mesh] Name).
	 */
	if (!*m || *m == '-' || strlen(m) > WGMESH_NAME_MAX ||
	    m[strspn(m, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
		       "0123456789_-")])
		return cli_err("%s: its alias '%s' names no mesh", arg,
			       link.alias);
	snprintf(mesh, len, "%s", m);
	return 0;
}

static int cmd_exec(int argc, char **argv)
{
	char mesh[WGMESH_NAME_MAX + 1], root[4096], rel[4096];
	char err[WGMESH_ERR_LEN];
	const struct cli_opt opts[] = { { 0 } };
	const char *arg = NULL;
	int dd, ret;

	for (dd = 1; dd < argc && strcmp(argv[dd], "--"); dd++)
		;
	if (cli_parse(&cli_exec, dd, argv, opts, &arg, 1))
		return CLI_FAILED;
	if (!arg)
		return cli_usage_err(&cli_exec, "missing FILE or IFACE");
	if (dd + 1 >= argc)
		return cli_usage_err(&cli_exec, "missing -- CMD");
	if (mesh_of(arg, mesh, sizeof(mesh)))
		return CLI_FAILED;
	ret = cgroup_root(root, sizeof(root), err, sizeof(err));
	if (ret > 0)
		return cli_err("cgroup: no cgroup2 hierarchy at "
			       CGROUP_ROOT);
	if (ret || cgroup_rel(mesh, rel, sizeof(rel), err, sizeof(err)) ||
	    cgroup_enter(root, rel, err, sizeof(err)))
		return cli_err("%s", err);
	fflush(stdout);
	execvp(argv[dd + 1], &argv[dd + 1]);
	return cli_err("%s: %s", argv[dd + 1], strerror(errno));
}

const struct cli_cmd cli_exec = {
	.name = "exec", .run = cmd_exec,
	.args = "FILE|IFACE -- CMD [ARGS]",
	.summary = "run CMD with its traffic in the mesh's routing table",
	.help = "On a machine whose section has Table and FwMark, up makes a "
		"cgroup for\nthe mesh (/sys/fs/cgroup/wgmesh/net-<netns inode>/"
		"<mesh>: cgroup2 there) and\nnftables marks the packets of every socket "
		"in it with FwMark, so they\ntake the mesh's table (with Exit: "
		"the exit). exec moves itself into that\ncgroup and runs CMD, in "
		"the current network namespace; CMD's children\nstay there. The "
		"mesh comes from FILE's Name or IFACE's alias. Needs the\nright to "
		"move a process into the cgroup (root), not CAP_NET_ADMIN; CMD\n"
		"runs with the caller's privileges (drop them with runuser or "
		"setpriv).\n"
		"Exit status: CMD's; 1 if it could not be started.\n",
};
