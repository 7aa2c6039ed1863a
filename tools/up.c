// SPDX-License-Identifier: GPL-2.0
/*
 * wgmesh up FILE [--name MACHINE] [--private-key-file PATH]
 *
 * Bring this machine's mesh interface to what the topology says, changing
 * only what differs (see plan.h): create the WireGuard link if missing, set
 * key, port and peers through WireGuard's genl API, addresses, MTU and
 * routes through rtnetlink, and on a controller attach wgmesh.ko and push
 * the topology. A first "up" that fails deletes the link it created.
 * Never touches any sysctl.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sodium.h>

#include "cli.h"
#include "lib/derive.h"
#include "lib/keys.h"
#include "lib/module.h"
#include "lib/plan.h"
#include "lib/topology.h"
#include "nl/rt.h"
#include "nl/wg.h"

struct up_args {
	const char *file;
	const char *name;
	const char *key_file;
};

/* Who are we: by --name (the key must then match) or by public key. */
static int find_self(const struct wgmesh_topology *t, const char *name,
		     const char *key_file, const uint8_t pub[WG_KEY_LEN],
		     struct mesh_self *self)
{
	char b64[WGMESH_KEY_B64_LEN + 1];
	const uint8_t *want;

	memset(self, 0, sizeof(*self));
	wgmesh_key_to_base64(pub, b64);
	if (!name) {
		if (!wgmesh_topology_find_key(t, pub, &self->ctrl, &self->peer))
			return cli_err("%s: public key %s of %s is not in %s; use --name",
					  key_file, b64, key_file, t->file);
		return 0;
	}
	self->ctrl = wgmesh_topology_controller(t, name);
	if (!self->ctrl)
		self->peer = wgmesh_topology_peer(t, name);
	if (!self->ctrl && !self->peer)
		return cli_err("%s: no machine named '%s'", t->file, name);
	want = self->ctrl ? self->ctrl->public_key : self->peer->public_key;
	if (memcmp(want, pub, WG_KEY_LEN))
		return cli_err("%s: its public key %s is not the PublicKey of %s in %s",
				  key_file, b64, name, t->file);
	return 0;
}

/* Read the interface as it is now. */
static int read_state(struct nls *rt, struct nlwg *wg, const char *ifname,
		      uint32_t ifindex, struct mesh_state *cur)
{
	struct nlrt_link link;
	int ret;

	memset(cur, 0, sizeof(*cur));
	ret = nlwg_get(wg, ifname, &cur->wg);
	if (ret)
		return cli_err("%s: %s", ifname, wg->s.err);
	if (nlrt_addr_list(rt, ifindex, &cur->addrs, &cur->n_addrs) ||
	    nlrt_route_list(rt, ifindex, &cur->routes, &cur->n_routes) ||
	    nlrt_link_get(rt, ifname, &link))
		return cli_err("%s: %s", ifname, rt->err);
	cur->mtu = link.mtu;
	return 0;
}

typedef int (*prefix_op)(struct nls *s, uint32_t ifindex,
			 const struct nlrt_prefix *p);

/* @op on each of the @n prefixes at @v, up to the first failure. */
static int each(prefix_op op, struct nls *rt, uint32_t ifindex,
		const struct nlrt_prefix *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (op(rt, ifindex, &v[i]))
			return -1;
	return 0;
}

/* Apply @p: WireGuard first (peers before their routes), then the link. */
static int apply(struct nls *rt, struct nlwg *wg, const char *ifname,
		 uint32_t ifindex, const struct mesh_plan *p, bool up)
{
	if (p->wg_changed && nlwg_set(wg, &p->wg))
		return cli_err("%s: %s", ifname, wg->s.err);
	if (each(nlrt_addr_del, rt, ifindex, p->addr_del, p->n_addr_del) ||
	    each(nlrt_addr_add, rt, ifindex, p->addr_add, p->n_addr_add) ||
	    ((p->mtu || !up) && nlrt_link_set(rt, ifname, p->mtu, true)) ||
	    each(nlrt_route_del, rt, ifindex, p->route_del, p->n_route_del) ||
	    each(nlrt_route_add, rt, ifindex, p->route_add, p->n_route_add))
		return cli_err("%s: %s", ifname, rt->err);
	return 0;
}

static int up(const struct up_args *a)
{
	struct mesh_state want = { 0 }, cur = { 0 };
	struct wgmesh_topology *t = NULL;
	uint8_t priv[WG_KEY_LEN], pub[WG_KEY_LEN];
	char key_path[4096], err[WGMESH_ERR_LEN];
	struct mesh_plan plan = { 0 };
	struct nls rt = { 0 };
	struct nlwg wg = { 0 };
	struct nlrt_link link;
	struct mesh_self self;
	bool created = false, pushed = false;
	const char *ifname;
	uint32_t ifindex;
	int rc = 1;

	if (cli_load(a->file, &t))
		return 1;
	ifname = t->interface;
	if (a->key_file)
		snprintf(key_path, sizeof(key_path), "%s", a->key_file);
	else if (wgmesh_key_default_path(t, key_path, sizeof(key_path))) {
		cli_err("%s: key file path too long", t->file);
		goto out;
	}
	if (wgmesh_key_load_private(key_path, priv, err, sizeof(err))) {
		cli_err("%s", err);
		goto out;
	}
	if (wgmesh_key_public(pub, priv)) {
		cli_err("%s: not a usable private key", key_path);
		goto out;
	}
	if (find_self(t, a->name, key_path, pub, &self))
		goto out;
	if (mesh_desired(t, self, priv, &want, err, sizeof(err))) {
		cli_err("%s", err);
		goto out;
	}

	if (nlrt_open(&rt)) {
		cli_err("%s", rt.err);
		goto out;
	}
	ifindex = nlrt_ifindex(ifname);
	if (!ifindex) {
		if (nlrt_link_create_wg(&rt, ifname)) {
			cli_err("%s", rt.err);
			goto out;
		}
		created = true;
		ifindex = nlrt_ifindex(ifname);
		if (!ifindex) {
			cli_err("%s: created but not found", ifname);
			goto out;
		}
	}
	if (nlrt_link_get(&rt, ifname, &link)) {
		cli_err("%s", rt.err);
		goto out;
	}
	if (strcmp(link.kind, "wireguard")) {
		cli_err("%s: exists and is not a WireGuard device (kind '%s')",
			   ifname, link.kind);
		goto out;
	}
	if (nlwg_open(&wg)) {
		cli_err("%s", wg.s.err);
		goto out;
	}
	if (read_state(&rt, &wg, ifname, ifindex, &cur))
		goto out;
	if (mesh_plan(&cur, &want, &plan)) {
		cli_err("out of memory");
		goto out;
	}
	if (apply(&rt, &wg, ifname, ifindex, &plan, link.up))
		goto out;
	if (self.ctrl) {
		if (mesh_module_up(t, self.ctrl, ifname, &pushed, err,
				   sizeof(err))) {
			cli_err("%s", err);
			goto out;
		}
	} else if (mesh_module_down(ifname, err, sizeof(err))) {
		/* A former controller's attachment must not police a peer. */
		cli_err("%s", err);
		goto out;
	}
	printf("%s: %s (%s)%s: peers +%zu ~%zu -%zu, addresses +%zu -%zu, routes +%zu -%zu%s\n",
	       ifname, mesh_self_name(self),
	       self.ctrl ? "controller" : "peer", created ? " created" : "",
	       plan.peers_added, plan.peers_changed, plan.peers_removed,
	       plan.n_addr_add, plan.n_addr_del, plan.n_route_add,
	       plan.n_route_del, !self.ctrl ? "" : pushed ?
	       ", topology pushed" : ", topology unchanged");
	rc = 0;
out:
	if (rc && created && nlrt_link_delete(&rt, ifname))
		cli_err("%s (cleaning up)", rt.err);
	if (wg.s.nl)
		nlwg_close(&wg);
	if (rt.nl)
		nls_close(&rt);
	mesh_plan_free(&plan);
	mesh_state_free(&cur);
	mesh_state_free(&want);
	sodium_memzero(priv, sizeof(priv));
	wgmesh_topology_free(t);
	return rc;
}

static int cmd_up(int argc, char **argv)
{
	struct up_args a = { 0 };
	const struct cli_opt opts[] = {
		{ .name = "--name", .value = &a.name },
		{ .name = "--private-key-file", .value = &a.key_file },
		{ 0 }
	};

	if (cli_parse(&cli_up, argc, argv, opts, &a.file, 1))
		return 1;
	if (!a.file)
		return cli_usage_err(&cli_up, "missing topology FILE");
	return up(&a);
}

const struct cli_cmd cli_up = {
	.name = "up", .run = cmd_up,
	.args = "FILE [--name MACHINE] [--private-key-file PATH]",
	.summary = "configure this machine's mesh interface from FILE",
	.help = "The machine is named by --name, or found by the public key of its\n"
		"private key (default " WGMESH_KEY_DIR "/<interface>.key, which must\n"
		"not be readable by group or others). Creates the interface if\n"
		"missing and applies only what differs: unchanged peers keep their\n"
		"sessions. On a controller, attaches wgmesh.ko and pushes the\n"
		"topology and policy. Never changes forwarding sysctls.\n",
};
