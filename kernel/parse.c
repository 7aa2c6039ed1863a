// SPDX-License-Identifier: GPL-2.0
/*
 * SET_TOPOLOGY's request into a snapshot: every attribute the policy let
 * through is checked against the others (ids, ranges, overlaps, counts),
 * every error names the attribute, and most the member, in an extended
 * ACK. Runs before any lock is taken.
 */

#include <net/genetlink.h>

#include "compat.h"
#include "parse.h"
#include "policy.h"
#include "uapi/wgmesh.h"

static bool is_list(int type)
{
	return type == WGMESH_A_CONTROLLER || type == WGMESH_A_PEER ||
	       type == WGMESH_A_ALLOW;
}

/*
 * The policy checked every attribute; this refuses a repeated one (but
 * for the lists), where the genl core would silently keep the last.
 */
int wgmesh_reject_repeats(const struct nlmsghdr *nlh,
			  struct netlink_ext_ack *extack)
{
	const struct nlattr *a;
	u32 seen = 0;
	int rem;

	BUILD_BUG_ON(WGMESH_A_MAX >= 32);
	nlmsg_for_each_attr(a, nlh, GENL_HDRLEN, rem) {
		if (is_list(nla_type(a)))
			continue;
		if (seen & BIT(nla_type(a))) {
			NL_SET_ERR_MSG_ATTR(extack, a, "attribute given twice");
			return -EINVAL;
		}
		seen |= BIT(nla_type(a));
	}
	return 0;
}

/* Do prefixes @k1/@l1 and @k2/@l2 (keys of one family) share addresses? */
static bool overlap(u64 k1, u8 l1, u64 k2, u8 l2)
{
	return !((k1 ^ k2) & wgmesh_mask(min(l1, l2)));
}

static int parse_subnet(struct genl_info *info, const struct nlattr *entry,
			const struct wgmesh_topology *t,
			struct wgmesh_subnet *s)
{
	struct netlink_ext_ack *extack = info->extack;
	struct nlattr *tb[WGMESH_SUBNET_A_MAX + 1];
	struct nlattr *v4, *v6;
	int ret;

	ret = nla_parse_nested(tb, WGMESH_SUBNET_A_MAX, entry,
			       wgmesh_subnet_nl_policy, extack);
	if (ret)
		return ret;
	v4 = tb[WGMESH_SUBNET_A_IPV4];
	v6 = tb[WGMESH_SUBNET_A_IPV6];
	if (!v4 == !v6 || !tb[WGMESH_SUBNET_A_PREFIX_LEN]) {
		NL_SET_ERR_MSG_ATTR(extack, entry,
				    "a subnet is WGMESH_SUBNET_A_IPV4 or WGMESH_SUBNET_A_IPV6, and WGMESH_SUBNET_A_PREFIX_LEN");
		return -EINVAL;
	}
	s->len = nla_get_u32(tb[WGMESH_SUBNET_A_PREFIX_LEN]);
	if (v4) {
		s->family = AF_INET;
		s->key = wgmesh_key4(nla_get_in_addr(v4));
		if (s->len > WGMESH_SUBNET_LEN_MAX4) {
			NL_SET_ERR_MSG_ATTR(extack, entry,
					    "an IPv4 subnet is at most /32");
			return -EINVAL;
		}
		if (t->ipv4_len &&
		    overlap(s->key, s->len, wgmesh_key4(t->ipv4_prefix),
			    t->ipv4_len)) {
			NL_SET_ERR_MSG_ATTR(extack, entry,
					    "subnet overlaps the mesh IPv4 range");
			return -EINVAL;
		}
	} else {
		const struct in6_addr *a = nla_data(v6);

		s->family = AF_INET6;
		s->key = wgmesh_key6(a);
		/* At most /64 (the policy): the lower half is host bits. */
		if (a->s6_addr32[2] || a->s6_addr32[3]) {
			NL_SET_ERR_MSG_ATTR(extack, entry,
					    "subnet has host bits set");
			return -EINVAL;
		}
		if (overlap(s->key, s->len, wgmesh_key6(&t->prefix), 40)) {
			NL_SET_ERR_MSG_ATTR(extack, entry,
					    "subnet overlaps the mesh /40");
			return -EINVAL;
		}
	}
	if (s->key & ~wgmesh_mask(s->len)) {
		NL_SET_ERR_MSG_ATTR(extack, entry, "subnet has host bits set");
		return -EINVAL;
	}
	return 0;
}

/* Member @idx from @entry; its subnets go to t->subnets from *@next on. */
static int parse_member(struct genl_info *info, const struct nlattr *entry,
			struct wgmesh_topology *t, u32 idx, u32 *next)
{
	struct netlink_ext_ack *extack = info->extack;
	struct nlattr *tb[WGMESH_MEMBER_A_MAX + 1];
	struct wgmesh_member *m = &t->members[idx];
	bool ctrl = idx < t->n_ctrls;
	const struct nlattr *a;
	int rem, ret;
	u32 id;

	ret = nla_parse_nested(tb, WGMESH_MEMBER_A_MAX, entry,
			       wgmesh_member_nl_policy, extack);
	if (ret)
		return ret;
	if (tb[WGMESH_MEMBER_A_STATS]) {
		NL_SET_ERR_MSG_ATTR(extack, tb[WGMESH_MEMBER_A_STATS],
				    "WGMESH_MEMBER_A_STATS is output only");
		return -EINVAL;
	}
	if (!tb[WGMESH_MEMBER_A_ID]) {
		NL_SET_ERR_MSG_ATTR(extack, entry,
				    "member without WGMESH_MEMBER_A_ID");
		return -EINVAL;
	}
	id = nla_get_u32(tb[WGMESH_MEMBER_A_ID]);
	if (ctrl && id > U16_MAX) {
		wgmesh_err_attr_fmt(extack, entry,
				    "controller id is more than 16 bits",
				    "controller id 0x%x is more than 16 bits",
				    id);
		return -EINVAL;
	}
	if (!ctrl && !id) {
		NL_SET_ERR_MSG_ATTR(extack, entry,
				    "peer id 0 is reserved: its /96 holds the controllers' ::1");
		return -EINVAL;
	}
	m->id = id;
	if (tb[WGMESH_MEMBER_A_GROUPS])
		m->class.groups = nla_get_u64(tb[WGMESH_MEMBER_A_GROUPS]);
	if (tb[WGMESH_MEMBER_A_FLAGS])
		m->class.flags = nla_get_u32(tb[WGMESH_MEMBER_A_FLAGS]);
	if (ctrl && m->class.flags) {
		wgmesh_err_attr_fmt(extack, entry,
				    "controllers take no member flags",
				    "controller 0x%04x: controllers take no member flags",
				    id);
		return -EINVAL;
	}
	if (tb[WGMESH_MEMBER_A_IPV4]) {
		m->ipv4 = nla_get_in_addr(tb[WGMESH_MEMBER_A_IPV4]);
		if (!wgmesh_in_ipv4_range(t, m->ipv4)) {
			NL_SET_ERR_MSG_ATTR(extack, tb[WGMESH_MEMBER_A_IPV4],
					    "member IPv4 address outside the mesh IPv4 range");
			return -EINVAL;
		}
	}
	nla_for_each_nested(a, entry, rem) {
		if (nla_type(a) != WGMESH_MEMBER_A_SUBNET)
			continue;
		ret = parse_subnet(info, a, t, &t->subnets.v[*next]);
		if (ret)
			return ret;
		t->subnets.v[(*next)++].member = idx;
	}
	return 0;
}

static int parse_allow(struct genl_info *info, const struct nlattr *entry,
		       struct wgmesh_topology *t)
{
	struct nlattr *tb[WGMESH_ALLOW_A_MAX + 1];
	u32 g, b;
	u64 mask;
	int ret;

	ret = nla_parse_nested(tb, WGMESH_ALLOW_A_MAX, entry,
			       wgmesh_allow_nl_policy, info->extack);
	if (ret)
		return ret;
	if (!tb[WGMESH_ALLOW_A_GROUP] || !tb[WGMESH_ALLOW_A_MASK]) {
		NL_SET_ERR_MSG_ATTR(info->extack, entry,
				    "allow entry needs WGMESH_ALLOW_A_GROUP and WGMESH_ALLOW_A_MASK");
		return -EINVAL;
	}
	g = nla_get_u32(tb[WGMESH_ALLOW_A_GROUP]);
	mask = nla_get_u64(tb[WGMESH_ALLOW_A_MASK]);
	t->allow[g] |= mask;
	for (b = 0; b < WGMESH_MAX_GROUPS; b++) {
		if (mask & BIT_ULL(b))
			t->allow[b] |= BIT_ULL(g);
	}
	return 0;
}

/* The @n-th (from 0) top-level attribute of @type, for error reports. */
static const struct nlattr *nth_attr(struct genl_info *info, int type, u32 n)
{
	const struct nlattr *a;
	int rem;

	nlmsg_for_each_attr(a, info->nlhdr, GENL_HDRLEN, rem) {
		if (nla_type(a) == type && !n--)
			return a;
	}
	return NULL;
}

/* Counts the members, and their subnets into *@n_subnets. */
static int count_members(struct genl_info *info, u32 *n_ctrls, u32 *n_peers,
			 u32 *n_subnets)
{
	const struct nlattr *a, *x;
	int rem, xrem;
	u32 n;

	*n_ctrls = 0;
	*n_peers = 0;
	*n_subnets = 0;
	nlmsg_for_each_attr(a, info->nlhdr, GENL_HDRLEN, rem) {
		if (nla_type(a) != WGMESH_A_CONTROLLER &&
		    nla_type(a) != WGMESH_A_PEER)
			continue;
		*n_ctrls += nla_type(a) == WGMESH_A_CONTROLLER;
		*n_peers += nla_type(a) == WGMESH_A_PEER;
		n = 0;
		nla_for_each_nested(x, a, xrem)
			n += nla_type(x) == WGMESH_MEMBER_A_SUBNET;
		if (n > WGMESH_MAX_SUBNETS) {
			NL_SET_ERR_MSG_ATTR(info->extack, a,
					    "more than WGMESH_MAX_SUBNETS subnets");
			return -E2BIG;
		}
		*n_subnets += n;
	}
	if (*n_subnets > WGMESH_MAX_SUBNETS_TOTAL) {
		NL_SET_ERR_MSG(info->extack,
			       "more than WGMESH_MAX_SUBNETS_TOTAL subnets in all");
		return -E2BIG;
	}
	return 0;
}

static int check_counts(struct genl_info *info, u32 n_ctrls, u32 n_peers)
{
	struct net *net = genl_info_net(info);

	if (!n_ctrls || n_ctrls > WGMESH_MAX_CONTROLLERS) {
		NL_SET_ERR_MSG(info->extack,
			       "need 1 to 65536 WGMESH_A_CONTROLLER (this machine among them)");
		return -EINVAL;
	}
	if (n_peers > WGMESH_MAX_PEERS) {
		NL_SET_ERR_MSG(info->extack,
			       "too many peers (limit WGMESH_MAX_PEERS)");
		return -E2BIG;
	}
	/* Unprivileged users may own a namespace: bound what they pin. */
	if (net->user_ns != &init_user_ns &&
	    n_ctrls + n_peers > WGMESH_MAX_MEMBERS_USERNS) {
		NL_SET_ERR_MSG(info->extack,
			       "too many members for a device in a user namespace (limit WGMESH_MAX_MEMBERS_USERNS)");
		return -E2BIG;
	}
	return 0;
}

static void report_dup(struct genl_info *info, const struct wgmesh_topology *t,
		       enum wgmesh_build_err what, u32 dup)
{
	struct netlink_ext_ack *extack = info->extack;
	const struct wgmesh_member *m;
	const struct nlattr *at;

	if (what == WGMESH_BUILD_DUP_SUBNET)
		dup = t->subnets.v[dup].member;
	m = &t->members[dup];
	at = dup < t->n_ctrls ? nth_attr(info, WGMESH_A_CONTROLLER, dup) :
	     nth_attr(info, WGMESH_A_PEER, dup - t->n_ctrls);
	if (what == WGMESH_BUILD_DUP_IPV4)
		wgmesh_err_attr_fmt(extack, at, "IPv4 address of two members",
				    "IPv4 address %pI4 of two members",
				    &m->ipv4);
	else if (what == WGMESH_BUILD_DUP_SUBNET)
		wgmesh_err_attr_fmt(extack, at, "subnet given twice",
				    "subnet given twice (the second time by member 0x%x)",
				    m->id);
	else if (dup < t->n_ctrls)
		wgmesh_err_attr_fmt(extack, at, "duplicate controller id",
				    "duplicate controller id 0x%04x", m->id);
	else
		wgmesh_err_attr_fmt(extack, at,
				    "duplicate peer id (two peers share one /96)",
				    "duplicate peer id 0x%08x (two peers share one /96)",
				    m->id);
}

/*
 * The lists: members keep their order, controllers first, and their
 * subnets follow the member order, as the dumps' first_subnet() wants
 * them: so the controllers in a first pass, whatever the message's
 * order, then the peers and the policy.
 */
static int parse_lists(struct genl_info *info, struct wgmesh_topology *t)
{
	u32 ci = 0, pi = t->n_ctrls, next = 0;
	const struct nlattr *a;
	int rem, ret = 0;

	nlmsg_for_each_attr(a, info->nlhdr, GENL_HDRLEN, rem) {
		if (nla_type(a) != WGMESH_A_CONTROLLER)
			continue;
		ret = parse_member(info, a, t, ci++, &next);
		if (ret)
			return ret;
	}
	nlmsg_for_each_attr(a, info->nlhdr, GENL_HDRLEN, rem) {
		switch (nla_type(a)) {
		case WGMESH_A_PEER:
			ret = parse_member(info, a, t, pi++, &next);
			break;
		case WGMESH_A_ALLOW:
			ret = parse_allow(info, a, t);
			break;
		}
		if (ret)
			return ret;
	}
	return 0;
}

/* The mesh IPv4 range: both attributes or neither, host bits zero. */
static int parse_ipv4_range(struct genl_info *info, struct wgmesh_topology *t)
{
	struct nlattr *prefix = info->attrs[WGMESH_A_IPV4_PREFIX];
	struct nlattr *len = info->attrs[WGMESH_A_IPV4_PREFIX_LEN];

	if (!prefix && !len)
		return 0;
	if (!prefix || !len) {
		NL_SET_ERR_MSG(info->extack,
			       "give WGMESH_A_IPV4_PREFIX and WGMESH_A_IPV4_PREFIX_LEN together");
		return -EINVAL;
	}
	t->ipv4_prefix = nla_get_in_addr(prefix);
	t->ipv4_len = nla_get_u32(len);
	if (wgmesh_key4(t->ipv4_prefix) & ~wgmesh_mask(t->ipv4_len)) {
		NL_SET_ERR_MSG_ATTR(info->extack, prefix,
				    "mesh IPv4 range has host bits set");
		return -EINVAL;
	}
	return 0;
}

/* Parses, checks and indexes the request into a new, unpublished snapshot. */
struct wgmesh_topology *wgmesh_parse_topology(struct genl_info *info)
{
	struct netlink_ext_ack *extack = info->extack;
	u32 n_ctrls, n_peers, n_subnets, dup;
	struct nlattr **attrs = info->attrs;
	const struct wgmesh_member *self;
	enum wgmesh_build_err what;
	struct wgmesh_topology *t;
	int ret;

	ret = wgmesh_reject_repeats(info->nlhdr, extack);
	if (ret)
		return ERR_PTR(ret);
	if (GENL_REQ_ATTR_CHECK(info, WGMESH_A_PREFIX)) {
		NL_SET_ERR_MSG(extack, "missing WGMESH_A_PREFIX");
		return ERR_PTR(-EINVAL);
	}
	if (GENL_REQ_ATTR_CHECK(info, WGMESH_A_SELF_ID)) {
		NL_SET_ERR_MSG(extack, "missing WGMESH_A_SELF_ID");
		return ERR_PTR(-EINVAL);
	}
	if (!wgmesh_prefix_valid(nla_data(attrs[WGMESH_A_PREFIX]))) {
		NL_SET_ERR_MSG_ATTR(extack, attrs[WGMESH_A_PREFIX],
				    "mesh prefix must be fdXX:XXXX:XX00::/40 (byte 0 0xfd, bytes 4..15 zero)");
		return ERR_PTR(-EINVAL);
	}
	ret = count_members(info, &n_ctrls, &n_peers, &n_subnets);
	if (!ret)
		ret = check_counts(info, n_ctrls, n_peers);
	if (ret)
		return ERR_PTR(ret);

	/* Not in the policy: 6.1 cannot take a const u32 range there. */
	if (nla_get_u32(attrs[WGMESH_A_SELF_ID]) > U16_MAX) {
		wgmesh_err_attr_fmt(extack, attrs[WGMESH_A_SELF_ID],
				    "self id is more than 16 bits",
				    "self id 0x%x is more than 16 bits",
				    nla_get_u32(attrs[WGMESH_A_SELF_ID]));
		return ERR_PTR(-EINVAL);
	}

	t = wgmesh_topology_alloc(n_ctrls, n_peers, n_subnets);
	if (!t)
		return ERR_PTR(-ENOMEM);
	t->prefix = *(struct in6_addr *)nla_data(attrs[WGMESH_A_PREFIX]);
	t->self_id = nla_get_u32(attrs[WGMESH_A_SELF_ID]);
	if (attrs[WGMESH_A_GENERATION])
		t->generation = nla_get_u64(attrs[WGMESH_A_GENERATION]);
	if (attrs[WGMESH_A_FLAGS])
		t->flags = nla_get_u32(attrs[WGMESH_A_FLAGS]);
	ret = parse_ipv4_range(info, t);
	if (!ret)
		ret = parse_lists(info, t);
	if (ret)
		goto err_put;

	ret = wgmesh_topology_build(t, &what, &dup);
	if (ret == -EEXIST)
		report_dup(info, t, what, dup);
	if (ret)
		goto err_put;
	self = wgmesh_find_ctrl(t, t->self_id);
	if (!self) {
		wgmesh_err_attr_fmt(extack, attrs[WGMESH_A_SELF_ID],
				    "self id is not one of the controllers",
				    "self id 0x%04x is not one of the controllers",
				    t->self_id);
		ret = -EINVAL;
		goto err_put;
	}
	t->self = self - t->members;
	return t;

err_put:
	wgmesh_topology_put(t);
	return ERR_PTR(ret);
}

