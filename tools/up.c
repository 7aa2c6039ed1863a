// SPDX-License-Identifier: GPL-2.0
/*
 * wgmesh up FILE [--name MACHINE] [--private-key-file PATH]
 *
 * Bring this machine's mesh interface to what the topology says, changing
 * only what differs (see plan.h): create the WireGuard link if missing, set
 * key, port and peers (with the preshared keys derived from the mesh
 * secret, lib/psk.h) through WireGuard's genl API, addresses, MTU and
 * routes through rtnetlink, and on a controller attach wgmesh.ko and push
 * the topology. A first "up" that fails deletes the link it created.
 * Its only sysctl is an exit gateway's net.ipv4.ip_forward
 * (lib/ipforward.h); a peer using an exit gets host routes that keep the
 * controllers' endpoints out of the tunnel.
 */
#include <errno.h>
#include <net/if.h>
#include <arpa/inet.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sodium.h>

#include "cli.h"
#include "lib/addr.h"
#include "lib/cgroup.h"
#include "lib/derive.h"
#include "lib/firewall.h"
#include "lib/forwarding.h"
#include "lib/ipforward.h"
#include "lib/keys.h"
#include "lib/module.h"
#include "lib/owner.h"
#include "lib/plan.h"
#include "lib/psk.h"
#include "lib/report.h"
#include "lib/resolve.h"
#include "lib/table.h"
#include "lib/topology.h"
#include "nl/rt.h"
#include "nl/wg.h"

struct up_args {
	const char *file;
	const char *name;
	const char *key_file;
	bool dry_run, verbose, force, no_firewall;
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
			return cli_err("this machine is not in %s: no machine "
				       "there has the public key %s of %s (if "
				       "it left the mesh, 'wgmesh down %s' "
				       "removes its interface)", t->file, b64,
				       key_file, t->file);
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
	if (ret == -EPERM || ret == -EACCES)
		return cli_err("%s: reading its WireGuard state needs root or "
			       "CAP_NET_ADMIN", ifname);
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


/* One run of "up": what it read, wants and does. */
struct up_run {
	const struct up_args *a;
	struct wgmesh_topology *t;
	struct mesh_self self;
	const char *ifname;
	uint8_t priv[WG_KEY_LEN];
	uint8_t psk[WG_KEY_LEN];	/* the mesh secret, when it has one */
	bool has_psk;
	struct nls rt;
	struct nlwg wg;
	uint32_t ifindex;
	bool exists, created, link_up;
	struct mesh_state want, cur;
	struct mesh_plan plan;
	struct resolve_pending *pending;
	size_t n_pending;
	bool *resolved;		/* per pending: resolved by a retry */
	long retries;		/* WG_ENDPOINT_RESOLUTION_RETRIES */
	const struct wgmesh_owned *owned;	/* this machine's */
	size_t rules_added, rules_removed, stale_routes;
};

/* The file, the key, this machine and what its interface should be. */
static int load(struct up_run *r)
{
	const struct up_args *a = r->a;
	char key_path[4096], err[WGMESH_ERR_LEN];
	uint8_t pub[WG_KEY_LEN];
	int ret;

	if (resolve_retries(getenv(RESOLVE_RETRIES_ENV), &r->retries, err,
			    sizeof(err)))
		return cli_err("%s", err);
	if (cli_load(a->file, &r->t))
		return -1;
	r->ifname = r->t->interface;
	if (a->key_file)
		snprintf(key_path, sizeof(key_path), "%s", a->key_file);
	else if (wgmesh_key_default_path(r->t, key_path, sizeof(key_path)))
		return cli_err("%s: key file path too long", r->t->file);
	if (wgmesh_key_load_private(key_path, r->priv, err, sizeof(err)))
		return cli_err("%s", err);
	if (wgmesh_key_public(pub, r->priv))
		return cli_err("%s: not a usable private key", key_path);
	if (find_self(r->t, a->name, key_path, pub, &r->self))
		return -1;
	ret = psk_load(r->t, r->psk, err, sizeof(err));
	if (ret < 0)
		return cli_err("%s", err);
	r->has_psk = ret;
	if (mesh_desired(r->t, r->self, r->priv, r->has_psk ? r->psk : NULL,
			 &r->want, err, sizeof(err)))
		return cli_err("%s", err);
	r->owned = r->self.ctrl ? &r->self.ctrl->owned :
		   &r->self.peer->owned;
	return 0;
}

/*
 * Other interfaces marked for this mesh are what an earlier Interface
 * name left behind, with the same addresses and routes: take them down
 * (deleting a link also detaches wgmesh.ko from it).
 */
static int remove_previous(struct up_run *r)
{
	char (*names)[16];
	size_t n;
	int ret = 0;

	if (owner_links(&r->rt, r->t->name, r->ifname, &names, &n))
		return cli_err("%s", r->rt.err);
	for (size_t i = 0; i < n && !ret; i++) {
		if (r->a->dry_run) {
			cli_say("dry run: %s would be removed (the previous "
				"interface of mesh %s)", names[i], r->t->name);
		} else if (nlrt_link_delete(&r->rt, names[i])) {
			ret = cli_err("%s", r->rt.err);
		} else {
			cli_say("%s: removed (the previous interface of mesh "
				"%s)", names[i], r->t->name);
		}
	}
	free(names);
	return ret;
}

/* The interface may be ours to configure; mark it if it is not yet. */
static int check_owner(struct up_run *r, const struct nlrt_link *link)
{
	char alias[sizeof(link->alias)];
	const char *m = owner_mesh(link->alias);
	enum owner o = owner_of(link->alias, r->t->name, r->cur.n_routes);

	if (o == OWNER_THIS)
		return 0;
	if (o == OWNER_OTHER_MESH && !r->a->force)
		return cli_err("%s: belongs to mesh %s (alias '%s'), not %s: "
			       "set another Interface in %s, or take it over "
			       "with --force", r->ifname, m, link->alias,
			       r->t->name, r->t->file);
	if (o == OWNER_FOREIGN && !r->a->force)
		return cli_err("%s: exists and was not created by wgmesh (no "
			       "alias '%s%s'; wg-quick's?): remove it, set "
			       "another Interface in %s, or take it over with "
			       "--force", r->ifname, OWNER_PREFIX, r->t->name,
			       r->t->file);
	owner_alias(r->t->name, alias, sizeof(alias));
	if (r->a->dry_run) {
		cli_say("dry run: %s would be marked '%s'%s", r->ifname, alias,
			o == OWNER_LEGACY ? "" : " (taken over: --force)");
		return 0;
	}
	if (nlrt_link_set_alias(&r->rt, r->ifname, alias))
		return cli_err("%s", r->rt.err);
	if (r->a->verbose || o != OWNER_LEGACY)
		cli_say("%s: %s, now marked '%s'", r->ifname,
			o == OWNER_LEGACY ? "made by an earlier wgmesh" :
			"taken over (--force)", alias);
	return 0;
}

/* Create the link, or read it as it is and check whose it is. */
static int open_link(struct up_run *r)
{
	char alias[sizeof(((struct nlrt_link *)0)->alias)];
	struct nlrt_link link;

	r->ifindex = nlrt_ifindex(r->ifname);
	r->exists = r->ifindex;
	if (!r->exists && r->a->dry_run)
		return 0;	/* everything would be new: cur stays empty */
	if (!r->exists) {
		if (nlrt_link_create_wg(&r->rt, r->ifname))
			return cli_err("%s", r->rt.err);
		r->created = true;
		owner_alias(r->t->name, alias, sizeof(alias));
		if (nlrt_link_set_alias(&r->rt, r->ifname, alias))
			return cli_err("%s", r->rt.err);
		r->ifindex = nlrt_ifindex(r->ifname);
		if (!r->ifindex)
			return cli_err("%s: created but not found", r->ifname);
	}
	if (nlrt_link_get(&r->rt, r->ifname, &link))
		return cli_err("%s", r->rt.err);
	if (strcmp(link.kind, "wireguard"))
		return cli_err("%s: exists and is not a WireGuard device "
			       "(kind '%s')", r->ifname, link.kind);
	r->link_up = link.up;
	if (nlwg_open(&r->wg))
		return cli_err("%s", r->wg.s.err);
	if (read_state(&r->rt, &r->wg, r->ifname, r->ifindex, &r->cur))
		return -1;
	return r->created ? 0 : check_owner(r, &link);
}

/* One warning per endpoint that did not resolve. */
static void warn_unresolved(const struct up_run *r)
{
	char ep[INET6_ADDRSTRLEN + 10], retry[96] = "";

	for (size_t i = 0; i < r->n_pending; i++) {
		const struct resolve_pending *p = &r->pending[i];
		const struct wg_peer *cur =
			wg_device_find_peer(&r->cur.wg, p->ctrl->public_key);
		bool kept = cur && cur->endpoint.sa.sa_family;

		if (!r->a->dry_run && resolve_transient(p->gai_err) &&
		    r->retries)
			snprintf(retry, sizeof(retry), "; retrying (%s=%ld)",
				 RESOLVE_RETRIES_ENV, r->retries);
		cli_warn("controller %s: cannot resolve %s (%s): endpoint "
			 "%s%s%s", p->ctrl->name, p->ctrl->endpoint_host,
			 p->err, kept ? "stays " : "left unset",
			 kept ? resolve_endpoint_str(&cur->endpoint, ep,
						      sizeof(ep)) : "",
			 resolve_transient(p->gai_err) ? retry : "");
	}
}

/* Set the endpoint of controller @c alone. */
static int set_endpoint(struct up_run *r, const struct wgmesh_controller *c,
			const union wg_endpoint *e)
{
	struct wg_device d = { 0 };
	struct wg_peer *p = wg_device_add_peer(&d);
	int ret;

	if (!p)
		return cli_err("out of memory");
	snprintf(d.ifname, sizeof(d.ifname), "%s", r->ifname);
	memcpy(p->public_key, c->public_key, WG_KEY_LEN);
	p->endpoint = *e;
	p->set_endpoint = true;
	ret = nlwg_set(&r->wg, &d);
	wg_device_free(&d);
	return ret ? cli_err("%s: %s", r->ifname, r->wg.s.err) : 0;
}

static void wait_us(unsigned int us)
{
	struct timespec ts = { .tv_sec = us / 1000000,
			       .tv_nsec = (long)(us % 1000000) * 1000 };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/*
 * Retry the names that may resolve later, as wg does, setting each
 * endpoint as soon as it resolves. The number left unresolved, or -1.
 */
static long retry_unresolved(struct up_run *r)
{
	char ep[INET6_ADDRSTRLEN + 10];
	long left = 0;

	r->resolved = calloc(r->n_pending + 1, sizeof(*r->resolved));
	if (!r->resolved)
		return -cli_err("out of memory");
	for (unsigned int k = 0;; k++) {
		bool again = false;

		for (size_t i = 0; i < r->n_pending; i++)
			again |= !r->resolved[i] &&
				 resolve_transient(r->pending[i].gai_err);
		if (!again || (r->retries != RESOLVE_FOREVER &&
			       k >= (unsigned long)r->retries))
			break;
		fflush(stdout);
		wait_us(resolve_delay_us(k));
		for (size_t i = 0; i < r->n_pending; i++) {
			struct resolve_pending *p = &r->pending[i];
			union wg_endpoint e;

			if (r->resolved[i] || !resolve_transient(p->gai_err))
				continue;
			p->gai_err = resolve_endpoint(p->ctrl->endpoint_host,
						      p->ctrl->endpoint_port,
						      &e, p->err,
						      sizeof(p->err));
			if (p->gai_err)
				continue;
			if (set_endpoint(r, p->ctrl, &e))
				return -1;
			r->resolved[i] = true;
			cli_say("%s: controller %s: %s resolved to %s (retry "
				"%u)", r->ifname, p->ctrl->name,
				p->ctrl->endpoint_host,
				resolve_endpoint_str(&e, ep, sizeof(ep)), k + 1);
		}
	}
	for (size_t i = 0; i < r->n_pending; i++)
		left += !r->resolved[i];
	return left;
}

/* The module's side: attach and push on a controller, detach on a peer. */
static int module(struct up_run *r, const char **what)
{
	char err[WGMESH_ERR_LEN];
	struct meshnl_state st;
	bool pushed;
	int ret;

	*what = "";
	if (r->a->dry_run && r->self.ctrl) {
		static const char *const plan[] = {
			[MODULE_SAME] = ", topology unchanged",
			[MODULE_PUSH] = ", topology would be pushed",
			[MODULE_ATTACH] = ", wgmesh.ko would be attached and "
					  "the topology pushed",
			[MODULE_LOAD] = ", wgmesh.ko would be loaded, attached "
					"and the topology pushed",
		};

		ret = r->exists ? mesh_module_diff(r->t, r->self.ctrl,
						   r->ifname, err, sizeof(err)) :
		      mesh_module_loaded() ? MODULE_ATTACH : MODULE_LOAD;
		if (ret < 0)
			return cli_err("%s", err);
		*what = plan[ret];
		return 0;
	}
	if (r->a->dry_run) {
		ret = r->exists ? mesh_module_get(r->ifname, &st, err,
						  sizeof(err)) : 1;
		if (ret < 0)
			return cli_err("%s", err);
		if (!ret) {
			meshnl_state_free(&st);
			*what = ", wgmesh.ko would be detached";
		}
		return 0;
	}
	if (r->self.ctrl) {
		if (mesh_module_up(r->t, r->self.ctrl, r->ifname, &pushed, err,
				   sizeof(err)))
			return cli_err("%s", err);
		*what = pushed ? ", topology pushed" : ", topology unchanged";
		return 0;
	}
	/* A former controller's attachment must not police a peer. */
	if (mesh_module_down(r->ifname, err, sizeof(err)))
		return cli_err("%s", err);
	return 0;
}

static void warn_line(void *ctx, const char *line)
{
	(void)ctx;
	cli_warn("%s", line);
}

/* Forwarding into this machine's LAN: said, never changed. */
static void check_forwarding(const struct up_run *r)
{
	size_t i = r->self.ctrl ?
		   (size_t)(r->self.ctrl - r->t->controllers) :
		   r->t->n_controllers + (size_t)(r->self.peer - r->t->peers);

	forwarding_check(wgmesh_machine_owned(r->t, i), FORWARDING_ROOT,
			 r->ifname, warn_line, NULL);
}

/*
 * An exit gateway (README "Exits"): the IPv4 addresses of the peers that
 * use controller @c as their exit (host order, malloc'ed into *@out) and
 * the uplink, the interface of the main table's IPv4 default route.
 * Returns how many users, 0 when the exit carries nothing (with a warning
 * when it has users but no usable uplink), or -1.
 */
static long exit_users(const struct up_run *r, uint32_t **out,
		       char uplink[IF_NAMESIZE])
{
	const struct wgmesh_controller *c = r->self.ctrl;
	const struct wgmesh_topology *t = r->t;
	struct nlrt_via via;
	size_t n = 0;
	int ret;

	*out = NULL;
	if (!c || !c->exit || !t->ipv4_len)
		return 0;
	*out = calloc(t->n_peers + 1, sizeof(**out));
	if (!*out)
		return cli_err("out of memory");
	for (size_t i = 0; i < t->n_peers; i++)
		if (t->peers[i].exit &&
		    &t->controllers[t->peers[i].controller] == c)
			(*out)[n++] = t->peers[i].owned.ipv4;
	if (!n)
		return 0;
	ret = nlrt_default4((struct nls *)&r->rt, r->ifindex, &via);
	if (ret < 0)
		return cli_err("%s", r->rt.err);
	if (ret || !if_indextoname(via.oif, uplink)) {
		cli_warn("%s: exit: no IPv4 default route, so no uplink: the "
			 "exit carries nothing", r->ifname);
		return 0;
	}
	if (!fw_plain_ifname(uplink)) {
		cli_warn("%s: exit: uplink '%s' is no plain interface name: "
			 "the exit carries nothing", r->ifname, uplink);
		return 0;
	}
	return (long)n;
}

/*
 * net.ipv4.ip_forward for an exit (@on) or for nothing: held while this
 * mesh is an exit, restored when it stops being one (lib/ipforward.h).
 * A failure is a warning: the rest of the mesh works without it.
 */
static void exit_forwarding(const struct up_run *r, bool on)
{
	char err[WGMESH_ERR_LEN];
	bool done;

	if (r->a->dry_run)
		return;
	if (on ? ipfwd_hold(r->t->name, &done, err, sizeof(err)) :
	    ipfwd_release(r->t->name, &done, err, sizeof(err)))
		cli_warn("%s%s", err, on ? ": the exit forwards nothing "
			 "(set net.ipv4.ip_forward=1)" : "");
	else if (done && on)
		cli_say("%s: exit: net.ipv4.ip_forward enabled (down sets it "
			"back to 0)", r->ifname);
	else if (done)
		cli_say("%s: exit: net.ipv4.ip_forward set back to 0",
			r->ifname);
}

/*
 * The listen port in nftables (README "Firewall"): a controller's opened
 * in table inet wgmesh, unless --no-firewall or Firewall = no, or ufw or
 * firewalld own the firewall (then one line says what to run); a peer
 * has no fixed port, so whatever a former controller opened goes. Without
 * nftables, one warning: the firewall is a convenience.
 */
/*
 * With Table and FwMark: net.ipv4.conf.all.src_valid_mark held on (as
 * wg-quick does; down gives it back) and wgmesh exec's cgroup made; in
 * *@m what the firewall marks (struct fw_mark). Without: both given back.
 * Failures are warnings: marked traffic works without them, not replies
 * under strict rp_filter or wgmesh exec.
 */
static void table_marks(const struct up_run *r, struct fw_mark *m,
			char *root, char *rel, char *v4, char *v6)
{
	char err[WGMESH_ERR_LEN];
	bool on = r->owned->table && r->owned->fwmark, done;
	struct in6_addr mesh;
	int ret;

	if (on ? srcvmark_hold(r->t->name, &done, err, sizeof(err)) :
	    srcvmark_release(r->t->name, &done, err, sizeof(err)))
		cli_warn("%s%s", err, on ? ": strict reverse-path filtering "
			 "may drop the replies of marked traffic" : "");
	else if (done)
		cli_say("%s: table: net.ipv4.conf.all.src_valid_mark %s",
			r->ifname, on ? "enabled (down sets it back to 0)" :
			"set back to 0");
	ret = cgroup_root(root, 4096, err, sizeof(err));
	if (!ret)
		ret = cgroup_rel(r->t->name, rel, 4096, err, sizeof(err));
	if (!ret && !on && cgroup_unmake(root, rel, err, sizeof(err)))
		cli_warn("%s", err);
	if (!on)
		return;
	if (!ret)
		ret = cgroup_make(root, rel, err, sizeof(err));
	if (ret > 0)
		cli_warn("%s: table: no cgroup2 hierarchy at " CGROUP_ROOT
			 " (where nft finds cgroups), so no wgmesh exec",
			 r->ifname);
	else if (ret)
		cli_warn("%s: so no wgmesh exec", err);
	m->mesh_if = r->ifname;
	m->mark = r->owned->fwmark;
	m->cgroup = ret ? NULL : rel;
	m->cgroup_level = CGROUP_LEVEL;
	wgmesh_mesh_prefix(r->t->name, &mesh);
	inet_ntop(AF_INET6, &mesh, v6, INET6_ADDRSTRLEN);
	strcat(v6, "/40");
	m->v6_range = v6;
	if (r->t->ipv4_len) {
		uint32_t a = htonl(r->t->ipv4_prefix);

		inet_ntop(AF_INET, &a, v4, INET_ADDRSTRLEN);
		sprintf(v4 + strlen(v4), "/%u", r->t->ipv4_len);
		m->v4_range = v4;
	}
}

/*
 * The UDP port this machine's WireGuard sends from (random on a peer, set
 * once the link is up), 0 if unknown: wgmesh exec's mark must skip the
 * tunnel's own packets (see want_mark() in lib/firewall.c).
 */
static uint16_t wg_port(struct up_run *r)
{
	struct wg_device live = { 0 };
	uint16_t port = 0;

	if (!nlwg_get(&r->wg, r->ifname, &live))
		port = live.listen_port;
	wg_device_free(&live);
	return port;
}

static int firewall(struct up_run *r)
{
	const struct wgmesh_controller *c = r->self.ctrl;
	struct fw_rules rules = { .owner = r->t->name };
	char cg_root[4096], cg_rel[4096], v4[INET_ADDRSTRLEN + 4],
	     v6[INET6_ADDRSTRLEN + 4];
	const char *root = getenv(FW_ROOT_ENV);
	char err[WGMESH_ERR_LEN], uplink[IF_NAMESIZE] = "", what[64] = "";
	uint32_t *users = NULL;
	enum fw_manager m;
	size_t n_foreign = 0;
	bool changed;
	long n_users;
	int ret;

	if (r->a->dry_run)
		return 0;
	n_users = exit_users(r, &users, uplink);
	if (n_users < 0)
		return -1;
	exit_forwarding(r, n_users > 0);
	table_marks(r, &rules.mark, cg_root, cg_rel, v4, v6);
	if (rules.mark.cgroup)
		rules.mark.wg_port = wg_port(r);
	if (r->a->no_firewall || (c && c->no_firewall)) {
		free(users);
		if (rules.mark.mark)
			cli_warn("%s: table: the firewall is left alone, so "
				 "nothing restores the marks of replies or "
				 "marks wgmesh exec's traffic", r->ifname);
		if (n_users)
			cli_warn("%s: exit: the firewall is left alone, so "
				 "nothing masquerades the exit's users", r->ifname);
		if (r->a->verbose)
			cli_say("%s: firewall left alone (%s)", r->ifname,
				r->a->no_firewall ? "--no-firewall" :
				"Firewall = no");
		return 0;
	}
	if (c) {
		m = fw_detect(root ? root : "");
		if (m != FW_MANAGER_NONE) {
			free(users);
			fw_hint(m, c->port, err, sizeof(err));
			cli_warn("%s", err);
			if (n_users)
				cli_warn("%s: exit: so nothing masquerades the "
					 "exit's users: add the NAT there",
					 r->ifname);
			if (rules.mark.mark)
				cli_warn("%s: table: so nothing restores the "
					 "marks of replies or marks wgmesh "
					 "exec's traffic", r->ifname);
			return 0;
		}
		rules.udp_ports[rules.n_udp_ports++] = c->port;
	}
	if (n_users > 0) {
		rules.exit.mesh_if = r->ifname;
		rules.exit.uplink = uplink;
		rules.exit.users = users;
		rules.exit.n_users = (size_t)n_users;
		snprintf(what, sizeof(what), ", exit for %ld out of %s",
			 n_users, uplink);
	}
	ret = fw_apply(&rules, &changed, &n_foreign, err, sizeof(err));
	/* Without nft_socket (or the cgroup), the rest still matters. */
	if (ret == FW_ERROR && rules.mark.cgroup) {
		cli_warn("%s: table: so no wgmesh exec", err);
		rules.mark.cgroup = NULL;
		ret = fw_apply(&rules, &changed, &n_foreign, err, sizeof(err));
	}
	free(users);
	if (ret == FW_UNAVAILABLE) {
		if (c)
			cli_warn("%s: the listen port is not opened%s", err,
				 n_users ? " and the exit masquerades nothing" :
				 "");
		return 0;
	}
	if (ret)
		return c ? cli_err("%s", err) : (cli_warn("%s", err), 0);
	if (changed && c)
		cli_say("%s: firewall: udp port %u opened%s%s (table %s %s%s)",
			r->ifname, c->port, what, rules.mark.mark ?
			", marks for table" : "", FW_FAMILY, FW_TABLE,
			n_foreign ? ", and in the input chains that drop by "
				    "default" : "");
	else if (changed && rules.mark.mark)
		cli_say("%s: firewall: marks %#x for table %u (table %s %s)",
			r->ifname, rules.mark.mark, r->owned->table, FW_FAMILY,
			FW_TABLE);
	else if (changed)
		cli_say("%s: firewall: the rules of a controller removed "
			"(table %s %s)", r->ifname, FW_FAMILY, FW_TABLE);
	return 0;
}

/* Whether @e is an IPv4 endpoint; its address (network order) in *@a. */
static bool endpoint4(const union wg_endpoint *e, uint32_t *a)
{
	if (e->sa.sa_family != AF_INET)
		return false;
	*a = e->sin.sin_addr.s_addr;
	return true;
}

static bool in_list(const uint32_t *v, size_t n, uint32_t a)
{
	for (size_t i = 0; i < n; i++)
		if (v[i] == a)
			return true;
	return false;
}

/*
 * A peer using an exit routes 0.0.0.0/1 and 128.0.0.0/1 into the mesh:
 * each controller's IPv4 endpoint that only the default route reached
 * gets a host route (protocol 87) through that default route, so the
 * tunnel never carries itself. Host routes of ours to the mesh's
 * endpoints (as set now, or before this run) that are not wanted go.
 */
static int exit_routes(struct up_run *r)
{
	size_t n_mine = 0, n_want = 0, added = 0, removed = 0;
	uint32_t *mine = NULL, *want = NULL;
	struct nlrt_host *cur = NULL;
	struct wg_device live = { 0 };
	struct nlrt_via via = { 0 };
	/* In a table of its own, main's default route stays the way out. */
	bool exit = r->self.peer && r->self.peer->exit &&
		    !r->self.peer->owned.table;
	size_t n_cur = 0;
	int ret = -1, def;

	if (r->a->dry_run || !r->self.peer)
		return 0;
	if (nlwg_get(&r->wg, r->ifname, &live))
		return cli_err("%s: %s", r->ifname, r->wg.s.err);
	mine = calloc(live.n_peers + r->cur.wg.n_peers + 1, sizeof(*mine));
	want = calloc(live.n_peers + 1, sizeof(*want));
	if (!mine || !want) {
		cli_err("out of memory");
		goto out;
	}
	for (size_t i = 0; i < live.n_peers; i++)
		n_mine += endpoint4(&live.peers[i].endpoint, &mine[n_mine]);
	for (size_t i = 0; i < r->cur.wg.n_peers; i++)
		n_mine += endpoint4(&r->cur.wg.peers[i].endpoint,
				    &mine[n_mine]);
	def = exit && r->t->ipv4_len ?
	      nlrt_default4(&r->rt, r->ifindex, &via) : 1;
	if (def < 0)
		goto rt_err;
	for (size_t i = 0; !def && i < live.n_peers; i++) {
		uint8_t len, proto;
		uint32_t a;
		int m;

		if (!endpoint4(&live.peers[i].endpoint, &a))
			continue;
		m = nlrt_match4(&r->rt, a, &len, &proto);
		if (m < 0)
			goto rt_err;
		/* Reached by a route of its own (a LAN's): left alone. */
		if (!m && proto != NLRT_PROTO && len)
			continue;
		want[n_want++] = a;
	}
	if (nlrt_host_list(&r->rt, r->ifindex, &cur, &n_cur))
		goto rt_err;
	for (size_t i = 0; i < n_cur; i++) {
		bool keep = in_list(want, n_want, cur[i].dst) &&
			    cur[i].via.gateway == via.gateway &&
			    cur[i].via.oif == via.oif;

		if (keep || !in_list(mine, n_mine, cur[i].dst))
			continue;
		if (nlrt_host_del(&r->rt, &cur[i]))
			goto rt_err;
		removed++;
	}
	for (size_t i = 0; i < n_want; i++) {
		struct nlrt_host h = { .dst = want[i], .via = via };
		bool have = false;

		for (size_t j = 0; j < n_cur; j++)
			have |= cur[j].dst == h.dst &&
				cur[j].via.gateway == via.gateway &&
				cur[j].via.oif == via.oif;
		if (have)
			continue;
		if (nlrt_host_add(&r->rt, &h))
			goto rt_err;
		added++;
	}
	if (added || removed)
		cli_say("%s: exit: host routes to controllers' endpoints +%zu "
			"-%zu", r->ifname, added, removed);
	ret = 0;
	goto out;
rt_err:
	cli_err("%s", r->rt.err);
out:
	free(cur);
	free(mine);
	free(want);
	wg_device_free(&live);
	return ret;
}

typedef int (*prefix_list)(struct nls *s, uint32_t ifindex,
			   struct nlrt_prefix **out, size_t *n);

/* Delete the routes @list finds in table r->rt.table; @what for -v. */
static int drop_routes(struct up_run *r, prefix_list list, prefix_op del,
		       const char *what)
{
	char pb[INET6_ADDRSTRLEN + 4];
	struct nlrt_prefix *v = NULL;
	size_t n = 0;
	int ret = list(&r->rt, r->ifindex, &v, &n);

	for (size_t i = 0; !ret && i < n; i++) {
		if (r->a->verbose || r->a->dry_run)
			printf("  - route %s%s (table %u)\n", what,
			       nlrt_prefix_str(&v[i], pb, sizeof(pb)),
			       r->rt.table);
		if (!r->a->dry_run)
			ret = del(&r->rt, r->ifindex, &v[i]);
		r->stale_routes++;
	}
	free(v);
	return ret;
}

/*
 * Routes of ours in any other table than this run's (Table changed, or
 * came or went) are deleted: they are what an earlier up left. Their
 * tables go into *@stale (malloc'ed) for the rules.
 */
static int stale_tables(struct up_run *r, uint32_t **stale, size_t *n)
{
	uint32_t keep = r->rt.table ? r->rt.table : RT_TABLE_MAIN, *v = NULL;
	size_t n_v = 0;
	int ret = 0;

	*stale = NULL;
	*n = 0;
	if (!r->ifindex)
		return 0;
	if (nlrt_route_tables(&r->rt, r->ifindex, &v, &n_v))
		return cli_err("%s", r->rt.err);
	*stale = v;
	for (size_t i = 0; i < n_v && !ret; i++) {
		if (v[i] == keep)
			continue;
		r->rt.table = v[i];
		ret = drop_routes(r, nlrt_route_list, nlrt_route_del, "") ||
		      drop_routes(r, nlrt_from6_list, nlrt_from6_del,
				  "default from ");
	}
	r->rt.table = keep == RT_TABLE_MAIN ? 0 : keep;
	*n = n_v;
	return ret ? cli_err("%s", r->rt.err) : 0;
}

/* The rules of Table (lib/table.h), and those of a stale table gone. */
static int rules(struct up_run *r)
{
	struct nlrt_rule *cur = NULL, *want = NULL;
	size_t n_cur = 0, n_want = 0, n_stale = 0;
	struct table_plan p = { 0 };
	uint32_t *stale = NULL;
	char rs[160];
	int ret = -1;

	if (stale_tables(r, &stale, &n_stale))
		goto out;
	if (nlrt_rule_list(&r->rt, &cur, &n_cur)) {
		cli_err("%s", r->rt.err);
		goto out;
	}
	if (table_rules(r->t, r->owned, r->self.ctrl, r->want.addrs,
			r->want.n_addrs, &want, &n_want) ||
	    table_plan(cur, n_cur, want, n_want, r->owned->table, stale,
		       n_stale, &p)) {
		cli_err("out of memory");
		goto out;
	}
	for (size_t i = 0; i < p.n_del; i++) {
		if (r->a->verbose || r->a->dry_run)
			printf("  - rule %s\n", nlrt_rule_str(&cur[p.del[i]],
							      rs, sizeof(rs)));
		if (!r->a->dry_run && nlrt_rule_del(&r->rt, &cur[p.del[i]])) {
			cli_err("%s", r->rt.err);
			goto out;
		}
	}
	for (size_t i = 0; i < p.n_add; i++) {
		if (r->a->verbose || r->a->dry_run)
			printf("  + rule %s\n", nlrt_rule_str(&want[p.add[i]],
							      rs, sizeof(rs)));
		if (!r->a->dry_run && nlrt_rule_add(&r->rt, &want[p.add[i]])) {
			cli_err("%s", r->rt.err);
			goto out;
		}
	}
	r->rules_added = p.n_add;
	r->rules_removed = p.n_del;
	ret = 0;
out:
	table_plan_free(&p);
	free(stale);
	free(cur);
	free(want);
	return ret;
}

/*
 * A peer using an exit sends what leaves from its routed global IPv6
 * prefixes through the mesh: one default route from each ("::/0 from
 * P", protocol 87), so nothing else of the machine's IPv6 changes its
 * way. Such routes of ours that are not wanted go. Its exit routes them
 * on without IPv6 forwarding (README "Exits").
 */
static int exit6_routes(struct up_run *r)
{
	struct nlrt_prefix *want = NULL, *cur = NULL, *add = NULL, *del = NULL;
	size_t n_want = 0, n_cur = 0, n_add = 0, n_del = 0, i;
	int ret = -1;

	if (r->a->dry_run || !r->self.peer)
		return 0;
	i = r->t->n_controllers + (size_t)(r->self.peer - r->t->peers);
	want = calloc(wgmesh_machine_owned(r->t, i)->n_subnets + 1,
		      sizeof(*want));
	if (!want)
		return cli_err("out of memory");
	n_want = mesh_exit6_prefixes(r->t, i, want);
	if (nlrt_from6_list(&r->rt, r->ifindex, &cur, &n_cur))
		goto rt_err;
	if (mesh_prefix_minus(cur, n_cur, want, n_want, &del, &n_del) ||
	    mesh_prefix_minus(want, n_want, cur, n_cur, &add, &n_add)) {
		cli_err("out of memory");
		goto out;
	}
	if (each(nlrt_from6_del, &r->rt, r->ifindex, del, n_del) ||
	    each(nlrt_from6_add, &r->rt, r->ifindex, add, n_add))
		goto rt_err;
	if (n_add || n_del)
		cli_say("%s: exit: IPv6 default routes from its global "
			"prefixes +%zu -%zu", r->ifname, n_add, n_del);
	ret = 0;
	goto out;
rt_err:
	cli_err("%s", r->rt.err);
out:
	free(add);
	free(del);
	free(cur);
	free(want);
	return ret;
}

/*
 * Table's rules are told apart by the table they look up (lib/table.h):
 * two meshes in one table would delete each other's. Refused before
 * anything changes while another mesh's interface has routes there.
 */
static int table_taken(struct up_run *r)
{
	uint32_t table = r->owned->table;
	char (*names)[16] = NULL;
	struct nlrt_link link;
	const char *other;
	size_t n = 0;
	int ret = 0;

	if (!table)
		return 0;
	if (nlrt_table_holders(&r->rt, table, r->ifname, &names, &n))
		ret = cli_err("%s", r->rt.err);
	for (size_t i = 0; i < n && !ret; i++) {
		if (nlrt_link_get(&r->rt, names[i], &link))
			continue;
		other = owner_mesh(link.alias);
		/*
		 * This mesh's under an old name goes (remove_previous()); an
		 * unmarked one (an older wgmesh's) may be, said --force.
		 */
		if (other ? !strcmp(other, r->t->name) : r->a->force)
			continue;
		ret = cli_err("%s:%u: Table = %u already holds the routes of "
			      "%s%s%s: give each mesh a table of its own%s",
			      r->t->file, r->owned->table_line, table,
			      names[i], other ? ", of mesh " : "",
			      other ? other : " (no wgmesh mark)",
			      other ? "" : " (--force if it is this mesh's)");
	}
	free(names);
	return ret;
}

static int run(struct up_run *r)
{
	const struct up_args *a = r->a;
	const char *mod;
	long left = 0;

	if (load(r))
		return CLI_FAILED;
	if (nlrt_open(&r->rt))
		return cli_err("%s", r->rt.err);
	r->rt.table = r->owned->table;	/* 0: main */
	if (table_taken(r))
		return CLI_FAILED;
	/* This interface first: a refused one must not cost the old one. */
	if (open_link(r) || remove_previous(r))
		return CLI_FAILED;
	if (resolve_mesh(r->t, r->self, &r->want.wg, &r->pending,
			 &r->n_pending) ||
	    mesh_plan(&r->cur, &r->want, &r->plan))
		return cli_err("out of memory");
	warn_unresolved(r);
	if ((a->verbose || a->dry_run) && !r->exists)
		printf("  + interface %s, alias %s%s\n", r->ifname,
		       OWNER_PREFIX, r->t->name);
	if (a->verbose || a->dry_run)
		report_changes(stdout, r->t, &r->cur, &r->plan, r->link_up);
	if (!a->dry_run && apply(&r->rt, &r->wg, r->ifname, r->ifindex,
				 &r->plan, r->link_up))
		return CLI_FAILED;
	if (!r->ifindex)
		r->ifindex = nlrt_ifindex(r->ifname);
	if (rules(r))
		return CLI_FAILED;
	if (module(r, &mod) || firewall(r))
		return CLI_FAILED;
	check_forwarding(r);
	if (!a->dry_run) {
		left = retry_unresolved(r);
		if (left < 0 || exit_routes(r) || exit6_routes(r))
			return CLI_FAILED;
	}
	printf("%s%s: %s (%s)%s: ", a->dry_run ? "dry run: " : "", r->ifname,
	       mesh_self_name(r->self), r->self.ctrl ? "controller" : "peer",
	       r->created ? " created" : !r->exists ? " would be created" :
	       "");
	report_counts(stdout, &r->plan, r->link_up);
	if (r->owned->table || r->rules_added || r->rules_removed)
		printf(", rules +%zu -%zu", r->rules_added, r->rules_removed);
	if (r->stale_routes)
		printf(", routes of another table -%zu", r->stale_routes);
	printf("%s", mod);
	for (size_t i = 0, n = 0; i < r->n_pending; i++)
		if (!r->resolved || !r->resolved[i])
			printf("%s%s", n++ ? ", " : ", endpoint unresolved: ",
			       r->pending[i].ctrl->name);
	printf("\n");
	return left ? CLI_PARTLY : CLI_OK;
}

static int up(const struct up_args *a)
{
	struct up_run r = { .a = a };
	int rc = run(&r);

	if (rc == CLI_FAILED && r.created &&
	    nlrt_link_delete(&r.rt, r.ifname))
		cli_err("%s (cleaning up)", r.rt.err);
	if (r.wg.s.nl)
		nlwg_close(&r.wg);
	if (r.rt.nl)
		nls_close(&r.rt);
	free(r.pending);
	free(r.resolved);
	mesh_plan_free(&r.plan);
	mesh_state_free(&r.cur);
	mesh_state_free(&r.want);
	sodium_memzero(r.priv, sizeof(r.priv));
	sodium_memzero(r.psk, sizeof(r.psk));
	wgmesh_topology_free(r.t);
	return rc;
}

static int cmd_up(int argc, char **argv)
{
	struct up_args a = { 0 };
	const struct cli_opt opts[] = {
		{ .name = "--name", .value = &a.name, .needs = "a MACHINE" },
		{ .name = "--private-key-file", .value = &a.key_file,
		  .needs = "a PATH" },
		{ .name = "--dry-run", .alias = "-n", .flag = &a.dry_run },
		{ .name = "--verbose", .alias = "-v", .flag = &a.verbose },
		{ .name = "--force", .flag = &a.force },
		{ .name = "--no-firewall", .flag = &a.no_firewall },
		{ 0 }
	};

	if (cli_parse(&cli_up, argc, argv, opts, &a.file, 1))
		return CLI_FAILED;
	if (!a.file)
		return cli_usage_err(&cli_up, "missing topology FILE");
	if (!a.dry_run &&
	    cli_need_net_admin(&cli_up, "configure network interfaces"))
		return CLI_FAILED;
	return up(&a);
}

const struct cli_cmd cli_up = {
	.name = "up", .run = cmd_up,
	.args = "FILE [--name MACHINE] [--private-key-file PATH] [-n|--dry-run]\n"
		"                 [-v|--verbose] [--force] [--no-firewall]",
	.summary = "configure this machine's mesh interface from FILE",
	.help = "The machine is named by --name, or found by the public key of its\n"
		"private key (default " WGMESH_KEY_DIR "/<interface>.key, which must\n"
		"not be readable by group or others). With [Mesh] PresharedKeyFile,\n"
		"each peer gets the preshared key of its pair, derived from that mesh\n"
		"secret (a file checked like the private key); without it, none.\n"
		"Creates the interface if missing (marked with the link alias\n"
		"wgmesh:<mesh>) and applies only what differs: unchanged peers keep\n"
		"their sessions; a new secret changes every peer's key (\"preshared\n"
		"keys ~N\"). On a controller, attaches wgmesh.ko and pushes the\n"
		"topology and policy. Changes no forwarding sysctl but an exit\n"
		"gateway's net.ipv4.ip_forward (turned on and said; down sets it back\n"
		"to 0 if up turned it on): on a machine with Subnets it warns when\n"
		"they stop the mesh from reaching the LAN, or make an interface\n"
		"ignore router advertisements (accept_ra=1). A peer with Exit routes\n"
		"0.0.0.0/1 and 128.0.0.0/1 into the mesh, with host routes keeping\n"
		"the controllers' endpoints out of it, and the IPv6 default from each\n"
		"of its global prefixes (::/0 from P): its exit routes those with\n"
		"IPv6 forwarding off. A machine with Table puts its routes (and its\n"
		"exit's default routes) into that table, main left alone, with ip\n"
		"rules for FwMark and its own addresses; with FwMark it also enables\n"
		"net.ipv4.conf.all.src_valid_mark (down restores it) and marks in\n"
		"nftables what wgmesh exec runs.\n"
		"On a controller, opens its UDP listen port in nftables (table inet\n"
		"wgmesh, and a tagged rule in input chains that drop by default),\n"
		"unless ufw or firewalld manage the firewall: then one line says\n"
		"what to run. Without nftables, a warning. Needs root or\n"
		"CAP_NET_ADMIN.\n"
		"\n"
		"  -n, --dry-run  print what would change and change nothing (no root\n"
		"                 needed unless the interface exists: reading it does)\n"
		"  -v, --verbose  name each peer, address, route and setting changed\n"
		"  --force        take over an interface wgmesh did not create (or one\n"
		"                 marked for another mesh)\n"
		"  --no-firewall  leave the firewall alone (as Firewall = no does)\n"
		"\n"
		"An existing interface without the mark is refused unless --force. Any\n"
		"other interface marked for this mesh (Interface was renamed) is\n"
		"removed first. A controller's host name that does not resolve leaves\n"
		"its endpoint unset with a warning; everything else is applied, and\n"
		"temporary failures are retried like wg does: "
		RESOLVE_RETRIES_ENV "\n"
		"retries (default 15, about 72 s; \"infinity\"), 1 s apart growing\n"
		"by 1.2 each time up to 20 s.\n"
		"Exit status: 0 applied, 1 failed (a new interface is deleted again),\n"
		"3 applied but an endpoint is unresolved; --dry-run: 0 or 1.\n",
};
