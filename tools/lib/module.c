// SPDX-License-Identifier: GPL-2.0
/*
 * Controller side of up/down/status: wgmesh.ko attach, topology push,
 * detach and counters, through meshnl. See module.h.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>

#include "addr.h"
#include "../nl/mesh.h"
#include "module.h"

int mesh_module_loaded(void)
{
	return !access("/sys/module/wgmesh", F_OK);
}

/* A peer's id: bytes 8..11 of its address, big endian. */
static uint32_t peer_id(const char *name)
{
	uint8_t s[WGMESH_SUFFIX_LEN];

	wgmesh_peer_suffix(name, s);
	return (uint32_t)s[0] << 24 | (uint32_t)s[1] << 16 |
	       (uint32_t)s[2] << 8 | s[3];
}

/* Machine @i's IPv4 address and subnets into @m. */
static int owned_to_meshnl(const struct wgmesh_topology *t, size_t i,
			   struct meshnl_member *m)
{
	const struct wgmesh_owned *o = wgmesh_machine_owned(t, i);

	if (t->ipv4_len)
		m->ipv4 = htonl(o->ipv4);
	if (!o->n_subnets)
		return 0;
	m->subnets = calloc(o->n_subnets, sizeof(*m->subnets));
	if (!m->subnets)
		return -ENOMEM;
	for (size_t j = 0; j < o->n_subnets; j++) {
		m->subnets[j].family = o->subnets[j].family;
		memcpy(m->subnets[j].addr, o->subnets[j].addr, 16);
		m->subnets[j].len = o->subnets[j].len;
	}
	m->n_subnets = o->n_subnets;
	return 0;
}

static void free_meshnl(struct meshnl_topology *m)
{
	for (size_t i = 0; m->ctrls && i < m->n_ctrls; i++)
		free(m->ctrls[i].subnets);
	for (size_t i = 0; m->peers && i < m->n_peers; i++)
		free(m->peers[i].subnets);
	free(m->ctrls);
	free(m->peers);
}

/*
 * The module's view of @t: ids, groups, isolation, exit users (of @self),
 * allowed pairs, IPv4 addresses and subnets. Free with free_meshnl(), also on failure.
 */
static int to_meshnl(const struct wgmesh_topology *t,
		     const struct wgmesh_controller *self,
		     struct meshnl_topology *m)
{
	struct in6_addr prefix;

	memset(m, 0, sizeof(*m));
	wgmesh_mesh_prefix(t->name, &prefix);
	memcpy(m->prefix, &prefix, sizeof(m->prefix));
	m->self_id = wgmesh_controller_id(self->name);
	if (t->ipv4_len) {
		m->ipv4_prefix = htonl(t->ipv4_prefix);
		m->ipv4_len = t->ipv4_len;
	}
	m->generation = (uint64_t)time(NULL);
	if (t->policy.present && !t->policy.default_allow)
		m->flags |= WGMESH_F_DEFAULT_DENY;
	m->ctrls = calloc(t->n_controllers, sizeof(*m->ctrls));
	m->peers = calloc(t->n_peers + 1, sizeof(*m->peers));
	if (!m->ctrls || !m->peers)
		return -ENOMEM;
	for (size_t i = 0; i < t->n_controllers; i++) {
		m->ctrls[i].id = wgmesh_controller_id(t->controllers[i].name);
		m->ctrls[i].groups = t->controllers[i].groups;
		m->n_ctrls = i + 1;
		if (owned_to_meshnl(t, i, &m->ctrls[i]))
			return -ENOMEM;
	}
	for (size_t i = 0; i < t->n_peers; i++) {
		m->peers[i].id = peer_id(t->peers[i].name);
		m->peers[i].groups = t->peers[i].groups;
		if (t->peers[i].isolated)
			m->peers[i].flags |= WGMESH_MEMBER_F_ISOLATED;
		/* Its exit is its controller: this one, or none here. */
		if (t->peers[i].exit && self->exit &&
		    &t->controllers[t->peers[i].controller] == self)
			m->peers[i].flags |= WGMESH_MEMBER_F_EXIT;
		m->n_peers = i + 1;
		if (owned_to_meshnl(t, t->n_controllers + i, &m->peers[i]))
			return -ENOMEM;
	}
	for (size_t i = 0; i < t->policy.n_allow; i++)
		meshnl_allow(m, t->policy.allow[i].a, t->policy.allow[i].b);
	return 0;
}

static int member_cmp(const void *pa, const void *pb)
{
	const struct meshnl_member *a = pa, *b = pb;

	return a->id < b->id ? -1 : a->id > b->id;
}

static int subnet_cmp(const void *pa, const void *pb)
{
	const struct meshnl_subnet *a = pa, *b = pb;

	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	if (a->len != b->len)
		return a->len < b->len ? -1 : 1;
	return memcmp(a->addr, b->addr, sizeof(a->addr));
}

/* The same subnets, in any order (both lists get sorted). */
static bool same_subnets(struct meshnl_member *a, struct meshnl_member *b)
{
	if (a->n_subnets != b->n_subnets)
		return false;
	if (!a->n_subnets)
		return true;
	qsort(a->subnets, a->n_subnets, sizeof(*a->subnets), subnet_cmp);
	qsort(b->subnets, b->n_subnets, sizeof(*b->subnets), subnet_cmp);
	for (size_t i = 0; i < a->n_subnets; i++)
		if (subnet_cmp(&a->subnets[i], &b->subnets[i]))
			return false;
	return true;
}

static bool same_members(struct meshnl_member *a, size_t na,
			 struct meshnl_member *b, size_t nb)
{
	if (na != nb)
		return false;
	if (!na)
		return true;
	qsort(a, na, sizeof(*a), member_cmp);
	qsort(b, nb, sizeof(*b), member_cmp);
	for (size_t i = 0; i < na; i++)
		if (a[i].id != b[i].id || a[i].groups != b[i].groups ||
		    a[i].flags != b[i].flags || a[i].ipv4 != b[i].ipv4 ||
		    !same_subnets(&a[i], &b[i]))
			return false;
	return true;
}

/* Does the live topology @have already say what @want says? */
static bool same_topology(struct meshnl_topology *have,
			  struct meshnl_topology *want)
{
	return !memcmp(have->prefix, want->prefix, sizeof(want->prefix)) &&
	       have->self_id == want->self_id && have->flags == want->flags &&
	       have->ipv4_len == want->ipv4_len &&
	       (!want->ipv4_len || have->ipv4_prefix == want->ipv4_prefix) &&
	       !memcmp(have->allow, want->allow, sizeof(want->allow)) &&
	       same_members(have->ctrls, have->n_ctrls, want->ctrls,
			    want->n_ctrls) &&
	       same_members(have->peers, have->n_peers, want->peers,
			    want->n_peers);
}

/* Open the family; on failure one line in @err. */
static int open_family(struct meshnl *nl, char *err, size_t errlen)
{
	int ret = meshnl_open(nl, 0);

	if (ret) {
		snprintf(err, errlen, "%s", nl->s.err);
		meshnl_close(nl);
	}
	return ret;
}

int mesh_module_up(const struct wgmesh_topology *t,
		   const struct wgmesh_controller *self, const char *ifname,
		   bool *pushed, char *err, size_t errlen)
{
	struct meshnl_topology m;
	struct meshnl_state st;
	struct meshnl nl;
	int ret;

	*pushed = false;
	if (open_family(&nl, err, errlen))
		return -1;
	ret = meshnl_attach(&nl, ifname, 0);
	if (ret && ret != -EEXIST) {	/* attached already: keep counters */
		snprintf(err, errlen, "%s", nl.s.err);
		goto out;
	}
	ret = to_meshnl(t, self, &m);
	if (ret) {
		snprintf(err, errlen, "out of memory");
		goto free;
	}
	/* Already attached: push only when the topology differs. */
	if (!meshnl_get(&nl, ifname, 0, false, &st)) {
		bool same = st.has_topology && same_topology(&st.topo, &m);

		meshnl_state_free(&st);
		if (same)
			goto free;
	}
	ret = meshnl_set_topology(&nl, ifname, 0, &m);
	if (ret)
		snprintf(err, errlen, "%s", nl.s.err);
	else
		*pushed = true;
free:
	free_meshnl(&m);
out:
	meshnl_close(&nl);
	return ret && ret != -EEXIST ? -1 : 0;
}

int mesh_module_diff(const struct wgmesh_topology *t,
		     const struct wgmesh_controller *self, const char *ifname,
		     char *err, size_t errlen)
{
	struct meshnl_topology m;
	struct meshnl_state st;
	int ret;

	ret = mesh_module_get(ifname, &st, err, errlen);
	if (ret)
		return ret < 0 ? -1 : mesh_module_loaded() ? MODULE_ATTACH :
		       MODULE_LOAD;
	ret = MODULE_PUSH;
	if (st.has_topology) {
		if (to_meshnl(t, self, &m)) {
			snprintf(err, errlen, "out of memory");
			ret = -1;
		} else if (same_topology(&st.topo, &m)) {
			ret = MODULE_SAME;
		}
		free_meshnl(&m);
	}
	meshnl_state_free(&st);
	return ret;
}

int mesh_module_down(const char *ifname, char *err, size_t errlen)
{
	struct meshnl nl;
	int ret;

	if (!mesh_module_loaded())
		return 0;
	if (open_family(&nl, err, errlen))
		return -1;
	ret = meshnl_detach(&nl, ifname, 0);
	if (ret == -ENOENT)	/* not attached */
		ret = 0;
	if (ret)
		snprintf(err, errlen, "%s", nl.s.err);
	meshnl_close(&nl);
	return ret ? -1 : 0;
}

int mesh_module_get(const char *ifname, struct meshnl_state *out, char *err,
		    size_t errlen)
{
	struct meshnl nl;
	int ret;

	memset(out, 0, sizeof(*out));
	if (!mesh_module_loaded())
		return 1;
	if (open_family(&nl, err, errlen))
		return -1;
	ret = meshnl_get(&nl, ifname, 0, true, out);
	if (ret && ret != -ENOENT)	/* ENOENT: not attached */
		snprintf(err, errlen, "%s", nl.s.err);
	meshnl_close(&nl);
	return ret == -ENOENT ? 1 : ret ? -1 : 0;
}
