// SPDX-License-Identifier: GPL-2.0
/*
 * Generic netlink family "wgmesh". Requests are serialised by the genl
 * mutex; state changes and dumps take RTNL, which also guards the device
 * list and the published topology pointers. A topology is parsed, checked
 * and indexed before RTNL is taken; only counter hand-over and the pointer
 * swap happen under it.
 */

#include <linux/rtnetlink.h>
#include <net/genetlink.h>
#include <net/sock.h>

#include "compat.h"
#include "device.h"
#include "netlink.h"
#include "topology.h"
#include "uapi/wgmesh.h"

static const struct nla_policy member_policy[WGMESH_MEMBER_A_MAX + 1] = {
	[WGMESH_MEMBER_A_ID] = { .type = NLA_U32 },
	[WGMESH_MEMBER_A_GROUPS] = { .type = NLA_U64 },
	[WGMESH_MEMBER_A_FLAGS] = NLA_POLICY_MASK(NLA_U32,
						  __WGMESH_MEMBER_F_ALL),
};

static const struct nla_policy allow_policy[WGMESH_ALLOW_A_MAX + 1] = {
	[WGMESH_ALLOW_A_GROUP1] = NLA_POLICY_MAX(NLA_U8, WGMESH_MAX_GROUPS - 1),
	[WGMESH_ALLOW_A_GROUP2] = NLA_POLICY_MAX(NLA_U8, WGMESH_MAX_GROUPS - 1),
};

/* Output-only attributes are left out: strict validation rejects them. */
static const struct nla_policy genl_policy[WGMESH_A_MAX + 1] = {
	[WGMESH_A_IFINDEX] = { .type = NLA_U32 },
	[WGMESH_A_IFNAME] = { .type = NLA_NUL_STRING, .len = IFNAMSIZ - 1 },
	[WGMESH_A_PREFIX] = NLA_POLICY_EXACT_LEN(sizeof(struct in6_addr)),
	[WGMESH_A_SELF_ID] = { .type = NLA_U16 },
	[WGMESH_A_GENERATION] = { .type = NLA_U64 },
	[WGMESH_A_FLAGS] = NLA_POLICY_MASK(NLA_U32, __WGMESH_F_ALL),
	[WGMESH_A_CONTROLLERS] = NLA_POLICY_NESTED_ARRAY(member_policy),
	[WGMESH_A_PEERS] = NLA_POLICY_NESTED_ARRAY(member_policy),
	[WGMESH_A_ALLOW] = NLA_POLICY_NESTED_ARRAY(allow_policy),
};

static struct genl_family genl_family;

/* Called under RTNL. */
static struct net_device *lookup_dev(struct net *net, struct nlattr **attrs,
				     struct netlink_ext_ack *extack)
{
	struct net_device *dev;

	if (attrs[WGMESH_A_IFINDEX] && attrs[WGMESH_A_IFNAME]) {
		NL_SET_ERR_MSG_ATTR(extack, attrs[WGMESH_A_IFNAME],
				    "give WGMESH_A_IFINDEX or WGMESH_A_IFNAME, not both");
		return ERR_PTR(-EINVAL);
	}
	if (attrs[WGMESH_A_IFINDEX]) {
		dev = __dev_get_by_index(net,
					 nla_get_u32(attrs[WGMESH_A_IFINDEX]));
		if (!dev) {
			NL_SET_ERR_MSG_ATTR(extack, attrs[WGMESH_A_IFINDEX],
					    "no device with this ifindex");
			return ERR_PTR(-ENODEV);
		}
		return dev;
	}
	if (attrs[WGMESH_A_IFNAME]) {
		dev = __dev_get_by_name(net, nla_data(attrs[WGMESH_A_IFNAME]));
		if (!dev) {
			NL_SET_ERR_MSG_ATTR(extack, attrs[WGMESH_A_IFNAME],
					    "no device with this name");
			return ERR_PTR(-ENODEV);
		}
		return dev;
	}
	NL_SET_ERR_MSG(extack, "missing WGMESH_A_IFINDEX or WGMESH_A_IFNAME");
	return ERR_PTR(-EINVAL);
}

/* Called under RTNL. */
static struct wgmesh_dev *lookup_attached(struct net *net,
					  struct nlattr **attrs,
					  struct netlink_ext_ack *extack)
{
	struct net_device *dev = lookup_dev(net, attrs, extack);
	struct wgmesh_dev *wd;

	if (IS_ERR(dev))
		return ERR_CAST(dev);
	wd = wgmesh_dev_find(net, dev->ifindex);
	if (!wd) {
		NL_SET_ERR_MSG(extack, "device is not attached to wgmesh");
		return ERR_PTR(-ENOENT);
	}
	return wd;
}

static int attach_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct net_device *dev;
	int ret;

	rtnl_lock();
	dev = lookup_dev(genl_info_net(info), info->attrs, info->extack);
	ret = IS_ERR(dev) ? PTR_ERR(dev) :
	      wgmesh_dev_attach(dev, info->extack);
	rtnl_unlock();
	return ret;
}

static int detach_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct wgmesh_dev *wd;
	int ret = 0;

	rtnl_lock();
	wd = lookup_attached(genl_info_net(info), info->attrs, info->extack);
	if (IS_ERR(wd))
		ret = PTR_ERR(wd);
	else
		wgmesh_dev_detach(wd);
	rtnl_unlock();
	return ret;
}

/*
 * CONTROLLERS, PEERS and ALLOW may each appear several times at the top
 * level (one attribute holds at most 64 KiB): the walkers below visit the
 * entries of every instance of their type, in message order. The genl core
 * has validated all of them against the policy already.
 */
static int walk_entries(struct genl_info *info, int type,
			int (*fn)(struct genl_info *info,
				  const struct nlattr *entry, void *ctx),
			void *ctx)
{
	const struct nlattr *pos, *nest;
	int rem_top, rem, ret;

	nlmsg_for_each_attr(nest, info->nlhdr, GENL_HDRLEN, rem_top) {
		if (nla_type(nest) != type)
			continue;
		nla_for_each_nested(pos, nest, rem) {
			ret = fn(info, pos, ctx);
			if (ret)
				return ret;
		}
	}
	return 0;
}

static int count_one(struct genl_info *info, const struct nlattr *entry,
		     void *ctx)
{
	(*(u32 *)ctx)++;
	return 0;
}

static u32 count_entries(struct genl_info *info, int type)
{
	u32 n = 0;

	walk_entries(info, type, count_one, &n);
	return n;
}

struct nth_ctx {
	u32 index;
	const struct nlattr *found;
};

static int nth_one(struct genl_info *info, const struct nlattr *entry,
		   void *ctx)
{
	struct nth_ctx *nth = ctx;

	if (nth->index--)
		return 0;
	nth->found = entry;
	return 1;
}

static const struct nlattr *nth_entry(struct genl_info *info, int type,
				      u32 index)
{
	struct nth_ctx nth = { .index = index };

	walk_entries(info, type, nth_one, &nth);
	return nth.found;
}

struct member_ctx {
	struct wgmesh_member *next;
	bool ctrl;
};

static int parse_member(struct genl_info *info, const struct nlattr *entry,
			void *ctx)
{
	struct nlattr *tb[WGMESH_MEMBER_A_MAX + 1];
	struct member_ctx *mc = ctx;
	struct wgmesh_member *m = mc->next++;
	int ret;
	u32 id;

	ret = nla_parse_nested(tb, WGMESH_MEMBER_A_MAX, entry, member_policy,
			       info->extack);
	if (ret)
		return ret;
	if (!tb[WGMESH_MEMBER_A_ID]) {
		NL_SET_ERR_MSG_ATTR(info->extack, entry,
				    "member without WGMESH_MEMBER_A_ID");
		return -EINVAL;
	}
	id = nla_get_u32(tb[WGMESH_MEMBER_A_ID]);
	if (mc->ctrl && id > U16_MAX) {
		wgmesh_err_attr_fmt(info->extack, entry,
				    "controller id is more than 16 bits",
				    "controller id 0x%x is more than 16 bits",
				    id);
		return -EINVAL;
	}
	if (!mc->ctrl && !id) {
		NL_SET_ERR_MSG_ATTR(info->extack, entry,
				    "peer id 0 is reserved: its /96 holds the controllers' ::1");
		return -EINVAL;
	}
	m->id = id;
	if (tb[WGMESH_MEMBER_A_GROUPS])
		m->groups = nla_get_u64(tb[WGMESH_MEMBER_A_GROUPS]);
	if (tb[WGMESH_MEMBER_A_FLAGS])
		m->flags = nla_get_u32(tb[WGMESH_MEMBER_A_FLAGS]);
	if (mc->ctrl && m->flags) {
		wgmesh_err_attr_fmt(info->extack, entry,
				    "controllers take no member flags",
				    "controller 0x%04x: controllers take no member flags",
				    id);
		return -EINVAL;
	}
	return 0;
}

static int parse_pair(struct genl_info *info, const struct nlattr *entry,
		      void *ctx)
{
	struct nlattr *tb[WGMESH_ALLOW_A_MAX + 1];
	struct wgmesh_topology *t = ctx;
	int ret;
	u8 a, b;

	ret = nla_parse_nested(tb, WGMESH_ALLOW_A_MAX, entry, allow_policy,
			       info->extack);
	if (ret)
		return ret;
	if (!tb[WGMESH_ALLOW_A_GROUP1] || !tb[WGMESH_ALLOW_A_GROUP2]) {
		NL_SET_ERR_MSG_ATTR(info->extack, entry,
				    "allowed pair needs WGMESH_ALLOW_A_GROUP1 and WGMESH_ALLOW_A_GROUP2");
		return -EINVAL;
	}
	a = nla_get_u8(tb[WGMESH_ALLOW_A_GROUP1]);
	b = nla_get_u8(tb[WGMESH_ALLOW_A_GROUP2]);
	t->allow[a] |= BIT_ULL(b);
	t->allow[b] |= BIT_ULL(a);
	return 0;
}

/* Parses, checks and indexes the request into a new, unpublished snapshot. */
static struct wgmesh_topology *parse_topology(struct genl_info *info)
{
	struct netlink_ext_ack *extack = info->extack;
	struct nlattr **attrs = info->attrs;
	u32 n_ctrls, n_peers, dup;
	struct wgmesh_topology *t;
	bool dup_is_ctrl;
	int ret;

	if (GENL_REQ_ATTR_CHECK(info, WGMESH_A_PREFIX) ||
	    GENL_REQ_ATTR_CHECK(info, WGMESH_A_SELF_ID) ||
	    GENL_REQ_ATTR_CHECK(info, WGMESH_A_CONTROLLERS))
		return ERR_PTR(-EINVAL);
	if (!wgmesh_prefix_valid(nla_data(attrs[WGMESH_A_PREFIX]))) {
		NL_SET_ERR_MSG_ATTR(extack, attrs[WGMESH_A_PREFIX],
				    "mesh prefix must be fdXX:XXXX:XX00::/40 (byte 0 0xfd, bytes 4..15 zero)");
		return ERR_PTR(-EINVAL);
	}
	n_ctrls = count_entries(info, WGMESH_A_CONTROLLERS);
	n_peers = count_entries(info, WGMESH_A_PEERS);
	if (!n_ctrls || n_ctrls > WGMESH_MAX_CONTROLLERS) {
		NL_SET_ERR_MSG_ATTR(extack, attrs[WGMESH_A_CONTROLLERS],
				    "need 1 to 65536 controllers");
		return ERR_PTR(-EINVAL);
	}
	if (n_peers > WGMESH_MAX_PEERS) {
		NL_SET_ERR_MSG_ATTR(extack, attrs[WGMESH_A_PEERS],
				    "too many peers (limit WGMESH_MAX_PEERS)");
		return ERR_PTR(-E2BIG);
	}

	t = wgmesh_topology_alloc(n_ctrls, n_peers);
	if (!t)
		return ERR_PTR(-ENOMEM);
	t->prefix = *(struct in6_addr *)nla_data(attrs[WGMESH_A_PREFIX]);
	t->self_id = nla_get_u16(attrs[WGMESH_A_SELF_ID]);
	if (attrs[WGMESH_A_GENERATION])
		t->generation = nla_get_u64(attrs[WGMESH_A_GENERATION]);
	if (attrs[WGMESH_A_FLAGS])
		t->flags = nla_get_u32(attrs[WGMESH_A_FLAGS]);

	ret = walk_entries(info, WGMESH_A_ALLOW, parse_pair, t);
	if (!ret)
		ret = walk_entries(info, WGMESH_A_CONTROLLERS, parse_member,
				   &(struct member_ctx){ t->ctrls, true });
	if (!ret)
		ret = walk_entries(info, WGMESH_A_PEERS, parse_member,
				   &(struct member_ctx){ t->peers, false });
	if (ret)
		goto err_free;

	ret = wgmesh_topology_build(t, &dup_is_ctrl, &dup);
	if (ret == -EEXIST) {
		const struct nlattr *at = nth_entry(info, dup_is_ctrl ?
						    WGMESH_A_CONTROLLERS :
						    WGMESH_A_PEERS, dup);

		if (dup_is_ctrl)
			wgmesh_err_attr_fmt(extack, at, "duplicate controller id",
					    "duplicate controller id 0x%04x",
					    t->ctrls[dup].id);
		else
			wgmesh_err_attr_fmt(extack, at,
					    "duplicate peer id (two peers share one /96)",
					    "duplicate peer id 0x%08x (two peers share one /96)",
					    t->peers[dup].id);
		goto err_free;
	}
	if (ret)
		goto err_free;
	if (!wgmesh_table_find(&t->ctrl_table, t->ctrls, t->self_id)) {
		wgmesh_err_attr_fmt(extack, attrs[WGMESH_A_SELF_ID],
				    "self id is not one of the controllers",
				    "self id 0x%04x is not one of the controllers",
				    t->self_id);
		ret = -EINVAL;
		goto err_free;
	}
	return t;

err_free:
	wgmesh_topology_free(t);
	return ERR_PTR(ret);
}

static int set_topology_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct wgmesh_topology *t;
	struct wgmesh_dev *wd;
	int ret;

	t = parse_topology(info);
	if (IS_ERR(t))
		return PTR_ERR(t);

	rtnl_lock();
	wd = lookup_attached(genl_info_net(info), info->attrs, info->extack);
	if (IS_ERR(wd)) {
		ret = PTR_ERR(wd);
		goto err_unlock;
	}
	ret = wgmesh_topology_adopt_stats(t, rtnl_dereference(wd->topo));
	if (ret)
		goto err_unlock;
	wgmesh_dev_set_topology(wd, t);
	rtnl_unlock();
	return 0;

err_unlock:
	rtnl_unlock();
	wgmesh_topology_free(t);
	return ret;
}

/*
 * GET_TOPOLOGY and GET_STATS dumps. cb->args: [0] ifindex, [1] members
 * already sent + 1 (0: the first message is still due), [2] done.
 */
enum { DUMP_IFINDEX, DUMP_NEXT, DUMP_DONE };

static int dump_start(struct netlink_callback *cb)
{
	struct nlattr **attrs = wgmesh_dump_attrs(cb);
	struct net_device *dev;
	int ret = 0;

	rtnl_lock();
	dev = lookup_dev(sock_net(cb->skb->sk), attrs, cb->extack);
	if (IS_ERR(dev))
		ret = PTR_ERR(dev);
	else
		cb->args[DUMP_IFINDEX] = dev->ifindex;
	rtnl_unlock();
	return ret;
}

static int put_member(struct sk_buff *skb, const struct wgmesh_member *m,
		      bool stats)
{
	struct nlattr *nest = nla_nest_start(skb, 0);

	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u32(skb, WGMESH_MEMBER_A_ID, m->id) ||
	    nla_put_u64_64bit(skb, WGMESH_MEMBER_A_GROUPS, m->groups,
			      WGMESH_MEMBER_A_PAD) ||
	    nla_put_u32(skb, WGMESH_MEMBER_A_FLAGS, m->flags) ||
	    (stats && wgmesh_stats_fill(skb, WGMESH_MEMBER_A_STATS,
					m->stats->pcpu))) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

static int put_header(struct sk_buff *skb, const struct wgmesh_dev *wd,
		      const struct wgmesh_topology *t, bool stats)
{
	struct nlattr *allow, *pair;
	int a, b;

	if (stats && wgmesh_stats_fill(skb, WGMESH_A_STATS, wd->stats))
		return -EMSGSIZE;
	if (!t)
		return 0;
	if (nla_put(skb, WGMESH_A_PREFIX, sizeof(t->prefix), &t->prefix) ||
	    nla_put_u16(skb, WGMESH_A_SELF_ID, t->self_id) ||
	    nla_put_u32(skb, WGMESH_A_FLAGS, t->flags) ||
	    nla_put_u32(skb, WGMESH_A_NUM_CONTROLLERS, t->n_ctrls) ||
	    nla_put_u32(skb, WGMESH_A_NUM_PEERS, t->n_peers))
		return -EMSGSIZE;
	allow = nla_nest_start(skb, WGMESH_A_ALLOW);
	if (!allow)
		return -EMSGSIZE;
	for (a = 0; a < WGMESH_MAX_GROUPS; a++) {
		for (b = a; b < WGMESH_MAX_GROUPS; b++) {
			if (!(t->allow[a] & BIT_ULL(b)))
				continue;
			pair = nla_nest_start(skb, 0);
			if (!pair || nla_put_u8(skb, WGMESH_ALLOW_A_GROUP1, a) ||
			    nla_put_u8(skb, WGMESH_ALLOW_A_GROUP2, b))
				return -EMSGSIZE;
			nla_nest_end(skb, pair);
		}
	}
	nla_nest_end(skb, allow);
	return 0;
}

/* Adds members from *next on; returns true when all were added. */
static bool put_members(struct sk_buff *skb, const struct wgmesh_topology *t,
			long *next, bool stats)
{
	const struct wgmesh_member *m;
	struct nlattr *nest = NULL;
	bool ctrl;
	u32 i;

	while ((i = *next - 1) < t->n_ctrls + t->n_peers) {
		ctrl = i < t->n_ctrls;
		m = ctrl ? &t->ctrls[i] : &t->peers[i - t->n_ctrls];
		if (!nest || (!ctrl && i == t->n_ctrls)) {
			if (nest)
				nla_nest_end(skb, nest);
			nest = nla_nest_start(skb, ctrl ? WGMESH_A_CONTROLLERS :
						    WGMESH_A_PEERS);
			if (!nest)
				return false;
		}
		if (put_member(skb, m, stats)) {
			nla_nest_end(skb, nest);
			return false;
		}
		(*next)++;
	}
	if (nest)
		nla_nest_end(skb, nest);
	return true;
}

static int dump(struct sk_buff *skb, struct netlink_callback *cb, u8 cmd)
{
	bool stats = cmd == WGMESH_CMD_GET_STATS, first;
	const struct wgmesh_topology *t;
	struct wgmesh_dev *wd;
	void *hdr;
	int ret;

	if (cb->args[DUMP_DONE])
		return 0;
	rtnl_lock();
	wd = wgmesh_dev_find(sock_net(skb->sk), cb->args[DUMP_IFINDEX]);
	if (!wd) {
		NL_SET_ERR_MSG(cb->extack, "device is not attached to wgmesh");
		ret = -ENOENT;
		goto out_unlock;
	}
	t = rtnl_dereference(wd->topo);
	cb->seq = t ? t->seq : 0;

	hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
			  &genl_family, NLM_F_MULTI, cmd);
	if (!hdr) {
		ret = -EMSGSIZE;
		goto out_unlock;
	}
	genl_dump_check_consistent(cb, hdr);
	first = !cb->args[DUMP_NEXT];
	if (nla_put_u32(skb, WGMESH_A_IFINDEX, wd->dev->ifindex) ||
	    nla_put_string(skb, WGMESH_A_IFNAME, wd->dev->name) ||
	    (t && nla_put_u64_64bit(skb, WGMESH_A_GENERATION, t->generation,
				    WGMESH_A_PAD)) ||
	    (first && put_header(skb, wd, t, stats))) {
		genlmsg_cancel(skb, hdr);
		ret = -EMSGSIZE;
		goto out_unlock;
	}
	cb->args[DUMP_NEXT] = max(cb->args[DUMP_NEXT], 1L);
	if (!t || put_members(skb, t, &cb->args[DUMP_NEXT], stats))
		cb->args[DUMP_DONE] = 1;
	genlmsg_end(skb, hdr);
	ret = skb->len;

out_unlock:
	rtnl_unlock();
	return ret;
}

static int get_topology_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	return dump(skb, cb, WGMESH_CMD_GET_TOPOLOGY);
}

static int get_stats_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	return dump(skb, cb, WGMESH_CMD_GET_STATS);
}

static const struct genl_ops genl_ops[] = {
	{
		.cmd = WGMESH_CMD_ATTACH,
		.doit = attach_doit,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = WGMESH_CMD_DETACH,
		.doit = detach_doit,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = WGMESH_CMD_SET_TOPOLOGY,
		.doit = set_topology_doit,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = WGMESH_CMD_GET_TOPOLOGY,
		.start = dump_start,
		.dumpit = get_topology_dumpit,
	},
	{
		.cmd = WGMESH_CMD_GET_STATS,
		.start = dump_start,
		.dumpit = get_stats_dumpit,
	},
};

static struct genl_family genl_family __ro_after_init = {
	.ops = genl_ops,
	.n_ops = ARRAY_SIZE(genl_ops),
	.name = WGMESH_GENL_NAME,
	.version = WGMESH_GENL_VERSION,
	.maxattr = WGMESH_A_MAX,
	.policy = genl_policy,
	.module = THIS_MODULE,
	.netnsok = true,
};

int __init wgmesh_genl_init(void)
{
	return genl_register_family(&genl_family);
}

void wgmesh_genl_uninit(void)
{
	genl_unregister_family(&genl_family);
}
