// SPDX-License-Identifier: GPL-2.0
/*
 * wgmesh down FILE|IFACE [--force]: delete the mesh interface (which also
 * detaches wgmesh.ko from it) and remove the mesh's /etc/hosts block. FILE
 * names the interface through its Interface (default: the mesh Name) and
 * the mesh through its Name; IFACE names the mesh through its mark (see
 * lib/owner.h). Only an interface wgmesh made is removed, unless --force.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "lib/array.h"
#include "lib/cgroup.h"
#include "lib/firewall.h"
#include "lib/hosts.h"
#include "lib/ipforward.h"
#include "lib/owner.h"
#include "lib/table.h"
#include "lib/topology.h"
#include "nl/rt.h"
#include "nl/wg.h"

/* Whether @ifname (a WireGuard link marked @alias) may go. */
static int may_remove(struct nls *rt, const char *ifname,
		      const struct nlrt_link *link, const char *mesh,
		      bool force)
{
	/* By IFACE, any mesh's interface will do. */
	const char *m = mesh ? mesh : owner_mesh(link->alias);
	struct nlrt_prefix *routes = NULL;
	size_t n = 0;
	enum owner o;

	if (nlrt_route_list(rt, nlrt_ifindex(ifname), &routes, &n))
		return cli_err("%s", rt->err);
	free(routes);
	o = owner_of(link->alias, m ? m : "", n);
	if (force || o == OWNER_THIS || o == OWNER_LEGACY)
		return 0;
	if (o == OWNER_OTHER_MESH)
		return cli_err("%s: belongs to mesh %s, not %s: left alone "
			       "(--force removes it)", ifname,
			       owner_mesh(link->alias), mesh);
	return cli_err("%s: not created by wgmesh (no alias '%s...'): left "
		       "alone (wg-quick down or ip link del removes it; so "
		       "does --force)", ifname, OWNER_PREFIX);
}

/* Remove @mesh's block from the hosts file: CLI_OK or CLI_PARTLY. */
static int remove_hosts(const char *mesh)
{
	char path[PATH_MAX], err[WGMESH_ERR_LEN];
	int ret = hosts_remove(mesh, path, sizeof(path), err, sizeof(err));

	if (ret < 0) {
		cli_warn("%s%s: its wgmesh %s block stays", err,
			 hosts_hint(errno, path), mesh);
		return CLI_PARTLY;
	}
	if (!ret)
		cli_say("%s: wgmesh %s block removed", path, mesh);
	return CLI_OK;
}

/*
 * What up opened in nftables for @mesh: CLI_OK or CLI_PARTLY. Without
 * nftables there is nothing to remove.
 */
static int remove_firewall(const char *mesh)
{
	char err[WGMESH_ERR_LEN];
	bool changed;
	int ret = fw_remove(mesh, &changed, err, sizeof(err));

	if (ret == FW_ERROR) {
		cli_warn("%s: the rules of %s%s stay", err, FW_TAG_PREFIX,
			 mesh);
		return CLI_PARTLY;
	}
	if (changed)
		cli_say("firewall: the rules of %s%s removed (table %s %s)",
			FW_TAG_PREFIX, mesh, FW_FAMILY, FW_TABLE);
	return CLI_OK;
}

/*
 * What up did for an exit: the host routes (protocol 87) that kept the
 * controllers' endpoints @dev had out of the tunnel, and the hold on
 * net.ipv4.ip_forward. CLI_OK or CLI_PARTLY.
 */
static int remove_exit(struct nls *rt, const struct wg_device *dev,
		       const char *mesh)
{
	char err[WGMESH_ERR_LEN];
	struct nlrt_host *cur = NULL;
	size_t n = 0, removed = 0;
	int rc = CLI_OK;
	bool done;

	if (nlrt_host_list(rt, 0, &cur, &n)) {
		cli_warn("%s: host routes to the endpoints stay", rt->err);
		rc = CLI_PARTLY;
	}
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < dev->n_peers; j++) {
			const union wg_endpoint *e = &dev->peers[j].endpoint;

			if (e->sa.sa_family != AF_INET ||
			    e->sin.sin_addr.s_addr != cur[i].dst)
				continue;
			if (nlrt_host_del(rt, &cur[i])) {
				cli_warn("%s: stays", rt->err);
				rc = CLI_PARTLY;
			} else {
				removed++;
			}
			break;
		}
	free(cur);
	if (removed)
		cli_say("exit: %zu host routes to controllers' endpoints "
			"removed", removed);
	if (mesh && ipfwd_release(mesh, &done, err, sizeof(err))) {
		cli_warn("%s", err);
		rc = CLI_PARTLY;
	} else if (mesh && done) {
		cli_say("exit: net.ipv4.ip_forward set back to 0");
	}
	return rc;
}

/*
 * What up did for Table (README "Per-VPN routing tables"): the rules of
 * the @n tables at @tables the interface's routes were in (the routes
 * went with it), the hold on src_valid_mark and wgmesh exec's cgroup.
 * CLI_OK or CLI_PARTLY.
 */
static int remove_table(struct nls *rt, const uint32_t *tables, size_t n,
			const char *mesh)
{
	char err[WGMESH_ERR_LEN], root[4096], rel[4096];
	struct nlrt_rule *cur = NULL;
	struct table_plan p = { 0 };
	size_t n_cur = 0;
	int rc = CLI_OK, ret;
	bool done;

	if (n && nlrt_rule_list(rt, &cur, &n_cur)) {
		cli_warn("%s: the rules of its tables stay", rt->err);
		rc = CLI_PARTLY;
	} else if (n && table_plan(cur, n_cur, NULL, 0, 0, tables, n, &p)) {
		cli_warn("out of memory: the rules of its tables stay");
		rc = CLI_PARTLY;
	}
	for (size_t i = 0; i < p.n_del; i++)
		if (nlrt_rule_del(rt, &cur[p.del[i]])) {
			cli_warn("%s: stays", rt->err);
			rc = CLI_PARTLY;
		}
	if (p.n_del)
		cli_say("table: %zu rules removed", p.n_del);
	table_plan_free(&p);
	free(cur);
	if (!mesh)
		return rc;
	if (srcvmark_release(mesh, &done, err, sizeof(err))) {
		cli_warn("%s", err);
		rc = CLI_PARTLY;
	} else if (done) {
		cli_say("table: net.ipv4.conf.all.src_valid_mark set back to "
			"0");
	}
	ret = cgroup_root(root, sizeof(root), err, sizeof(err));
	if (!ret)
		ret = cgroup_rel(mesh, rel, sizeof(rel), err, sizeof(err));
	if (!ret)
		ret = cgroup_unmake(root, rel, err, sizeof(err));
	if (ret < 0) {
		cli_warn("%s", err);
		rc = CLI_PARTLY;
	}
	return rc;
}

/*
 * Add to @tables the Table that topology @t gives the machine with
 * @dev's key: its rules go even when its routes, by which the tables are
 * found, were flushed by hand; not while another interface has routes
 * there (another mesh's rules, the file changed since up). 0, or -1 with
 * @rt's error.
 */
static int file_table(struct nls *rt, const char *ifname,
		      const struct wgmesh_topology *t,
		      const struct wg_device *dev, uint32_t **tables, size_t *n)
{
	const struct wgmesh_controller *c = NULL;
	const struct wgmesh_peer *p = NULL;
	size_t cap = *n;	/* nlrt_route_tables() allocates to size */
	char (*others)[16] = NULL;
	size_t n_others = 0;
	uint32_t table, *e;
	int ret;

	if (!wgmesh_topology_find_key(t, dev->public_key, &c, &p))
		return 0;
	table = c ? c->owned.table : p->owned.table;
	for (size_t i = 0; i < *n; i++)
		if ((*tables)[i] == table)
			return 0;
	if (!table)
		return 0;
	ret = nlrt_table_holders(rt, table, ifname, &others, &n_others);
	if (!ret && n_others)
		cli_warn("%s: Table = %u holds the routes of %s: its rules "
			 "stay", ifname, table, others[0]);
	free(others);
	if (ret || n_others)
		return ret ? -1 : 0;
	e = array_push(tables, n, &cap, sizeof(*e));
	if (!e) {
		snprintf(rt->err, sizeof(rt->err), "out of memory");
		return -1;
	}
	*e = table;
	return 0;
}

static int down(const char *ifname, const struct wgmesh_topology *t,
		bool force)
{
	const char *mesh = t ? t->name : NULL;
	uint32_t *tables = NULL;
	size_t n_tables = 0;
	struct wg_device dev = { 0 };
	struct nlrt_link link;
	struct nlwg wg = { 0 };
	struct nls rt;
	int rc = CLI_FAILED, rc_exit = CLI_OK;

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
	else if (may_remove(&rt, ifname, &link, mesh, force))
		;
	/* Its endpoints first: host routes to them may be ours. */
	else if (nlwg_open(&wg) || nlwg_get(&wg, ifname, &dev))
		cli_err("%s: %s", ifname, wg.s.err);
	/* And the tables its routes are in: their rules are ours. */
	else if (nlrt_route_tables(&rt, nlrt_ifindex(ifname), &tables,
				   &n_tables))
		cli_err("%s", rt.err);
	else if (t && file_table(&rt, ifname, t, &dev, &tables, &n_tables))
		cli_err("%s", rt.err);
	else if (nlrt_link_delete(&rt, ifname))
		cli_err("%s", rt.err);
	else
		rc = CLI_OK;
	if (wg.s.nl)
		nlwg_close(&wg);
	if (!rc) {
		cli_say("%s: removed", ifname);
		if (!mesh)
			mesh = owner_mesh(link.alias);
		rc_exit = remove_exit(&rt, &dev, mesh);
		/* table_plan() leaves main's rules alone. */
		if (remove_table(&rt, tables, n_tables, mesh))
			rc_exit = CLI_PARTLY;
	}
	free(tables);
	wg_device_free(&dev);
	nls_close(&rt);
	if (rc)
		return rc;
	if (!mesh)
		return rc_exit;
	rc = remove_firewall(mesh);
	return remove_hosts(mesh) || rc_exit ? CLI_PARTLY : rc;
}

static int cmd_down(int argc, char **argv)
{
	struct wgmesh_topology *t;
	const char *arg = NULL;
	bool force = false;
	const struct cli_opt opts[] = {
		{ .name = "--force", .flag = &force },
		{ 0 }
	};
	struct stat st;
	int rc;

	if (cli_parse(&cli_down, argc, argv, opts, &arg, 1))
		return CLI_FAILED;
	if (!arg)
		return cli_usage_err(&cli_down, "missing FILE or IFACE");
	if (cli_need_net_admin(&cli_down, "remove network interfaces"))
		return CLI_FAILED;
	/* A file is a topology; anything else an interface name. */
	if (stat(arg, &st) || !S_ISREG(st.st_mode)) {
		if (strlen(arg) > WGMESH_IFNAME_MAX || strchr(arg, '/'))
			return cli_err("%s: no such file or interface", arg);
		return down(arg, NULL, force);
	}
	if (cli_load(arg, &t))
		return CLI_FAILED;
	rc = down(t->interface, t, force);
	wgmesh_topology_free(t);
	return rc;
}

const struct cli_cmd cli_down = {
	.name = "down", .run = cmd_down,
	.args = "FILE|IFACE [--force]",
	.summary = "delete the mesh interface and its /etc/hosts block",
	.help = "FILE is the topology (its Interface is removed) or IFACE the\n"
		"interface name. Deleting the interface detaches wgmesh.ko from "
		"it. Only\nan interface wgmesh created (alias wgmesh:<mesh>) is "
		"removed unless --force.\nThe mesh's block in /etc/hosts "
		"($" HOSTS_ENV ") goes too, as with\nhosts --remove (by IFACE, "
		"the mesh is the one its alias names), and so does\nwhat up "
		"opened in nftables for the mesh (rules tagged wgmesh:<mesh>).\n"
		"Needs root or CAP_NET_ADMIN.\n"
		"Exit status: 0 removed, 1 failed, 3 the interface is removed "
		"but not its\n/etc/hosts block or firewall rules (a warning "
		"says why).\n",
};
