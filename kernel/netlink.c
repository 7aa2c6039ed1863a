// SPDX-License-Identifier: GPL-2.0
/*
 * Generic netlink family "wgmesh" (ABI: uapi/wgmesh.h, spec: wgmesh.yaml).
 *
 * Requests are serialised by the genl mutex. ATTACH and DETACH take RTNL,
 * which guards the device list and the published topology pointers. A
 * topology is parsed, checked and indexed (parse.c) and given its counters
 * before RTNL is taken; under it only the pointer swap happens, and the
 * replaced snapshot is freed after RTNL is released and a grace period has
 * passed. Dumps read the device list and the snapshot under RCU only.
 *
 * Each command has its own policy (policy.c, generated from wgmesh.yaml),
 * so a GET is refused the attributes only SET takes.
 */

#include <linux/rtnetlink.h>
#include <net/genetlink.h>
#include <net/sock.h>

#include "compat.h"
#include "device.h"
#include "events.h"
#include "netlink.h"
#include "parse.h"
#include "policy.h"
#include "topology.h"
#include "uapi/wgmesh.h"

/* The device's ifindex, or a negative errno. Called under RCU. */
static int lookup_ifindex(struct net *net, struct nlattr **attrs,
			  struct netlink_ext_ack *extack)
{
	const struct nlattr *index = attrs[WGMESH_A_IFINDEX];
	const struct nlattr *name = attrs[WGMESH_A_IFNAME];
	struct net_device *dev;

	if (index && name) {
		NL_SET_ERR_MSG_ATTR(extack, name,
				    "give WGMESH_A_IFINDEX or WGMESH_A_IFNAME, not both");
		return -EINVAL;
	}
	if (index) {
		dev = dev_get_by_index_rcu(net, nla_get_u32(index));
		if (!dev) {
			NL_SET_ERR_MSG_ATTR(extack, index,
					    "no device with this ifindex");
			return -ENODEV;
		}
		return dev->ifindex;
	}
	if (name) {
		dev = dev_get_by_name_rcu(net, nla_data(name));
		if (!dev) {
			NL_SET_ERR_MSG_ATTR(extack, name,
					    "no device with this name");
			return -ENODEV;
		}
		return dev->ifindex;
	}
	NL_SET_ERR_MSG(extack, "missing WGMESH_A_IFINDEX or WGMESH_A_IFNAME");
	return -EINVAL;
}

/* The named device, or an ERR_PTR. Called under RTNL. */
static struct net_device *lookup_dev(struct genl_info *info)
{
	struct net *net = genl_info_net(info);
	struct net_device *dev;
	int ifindex;

	ifindex = wgmesh_reject_repeats(info->nlhdr, info->extack);
	if (ifindex)
		return ERR_PTR(ifindex);
	rcu_read_lock();
	ifindex = lookup_ifindex(net, info->attrs, info->extack);
	rcu_read_unlock();
	if (ifindex < 0)
		return ERR_PTR(ifindex);
	dev = __dev_get_by_index(net, ifindex);
	if (!dev) {
		NL_SET_ERR_MSG(info->extack, "device is gone");
		return ERR_PTR(-ENODEV);
	}
	return dev;
}

/* Called under RTNL. */
static struct wgmesh_dev *lookup_attached(struct genl_info *info)
{
	struct net_device *dev = lookup_dev(info);
	struct wgmesh_dev *wd;

	if (IS_ERR(dev))
		return ERR_CAST(dev);
	wd = wgmesh_dev_find(dev);
	if (!wd) {
		NL_SET_ERR_MSG(info->extack, "device is not attached to wgmesh");
		return ERR_PTR(-ENOENT);
	}
	return wd;
}

static int attach_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct net_device *dev;
	int ret;

	rtnl_lock();
	dev = lookup_dev(info);
	ret = IS_ERR(dev) ? PTR_ERR(dev) : wgmesh_dev_attach(dev, info->extack);
	rtnl_unlock();
	return ret;
}

static int detach_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct wgmesh_dev *wd;
	int ret = 0;

	rtnl_lock();
	wd = lookup_attached(info);
	if (IS_ERR(wd))
		ret = PTR_ERR(wd);
	else
		wgmesh_dev_detach(wd);
	rtnl_unlock();
	return ret;
}

/* The named device's live snapshot, referenced, or NULL. */
static struct wgmesh_topology *live_topology(struct genl_info *info)
{
	struct net *net = genl_info_net(info);
	struct wgmesh_topology *t = NULL;
	struct wgmesh_dev *wd;
	int ifindex;

	rcu_read_lock();
	ifindex = lookup_ifindex(net, info->attrs, NULL);
	wd = ifindex > 0 ? wgmesh_dev_find_rcu(net, ifindex) : NULL;
	if (wd)
		t = rcu_dereference(wd->topo);
	if (t && !refcount_inc_not_zero(&t->ref))
		t = NULL;
	rcu_read_unlock();
	return t;
}

static int set_topology_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct wgmesh_topology *t, *old;
	struct wgmesh_carry carry;
	struct wgmesh_dev *wd;
	int ret;

	t = wgmesh_parse_topology(info);
	if (IS_ERR(t))
		return PTR_ERR(t);
	/* Counters are copied before RTNL: 10^5 members take a while. */
	ret = wgmesh_topology_carry_start(&carry, t, live_topology(info));
	if (ret)
		goto err_put;

	rtnl_lock();
	wd = lookup_attached(info);
	if (IS_ERR(wd)) {
		rtnl_unlock();
		ret = PTR_ERR(wd);
		wgmesh_topology_carry_finish(&carry, NULL);
		goto err_put;
	}
	if (rtnl_dereference(wd->topo) != carry.old)
		wgmesh_topology_carry_abort(&carry, t);
	refcount_inc(&t->ref);	/* ours, until the counters are carried */
	ret = wgmesh_dev_publish(wd, t, &old, info->extack);
	rtnl_unlock();
	if (ret) {
		/* @wd did not take @t: both references are still ours. */
		wgmesh_topology_put(t);
		wgmesh_topology_carry_finish(&carry, NULL);
		goto err_put;
	}

	if (old) {
		/* Nobody counts into @old once no reader can see it. */
		synchronize_net();
		wgmesh_topology_carry_finish(&carry, t);
		wgmesh_topology_put(old);
	}
	wgmesh_topology_put(t);
	return 0;

err_put:
	wgmesh_topology_put(t);
	return ret;
}

/*
 * GET_TOPOLOGY and GET_STATS dumps: the first message carries the
 * topology's header, then items follow, as many per message as fit: the
 * allow rows (WGMESH_MAX_GROUPS slots, empty ones skipped), then the
 * members. A new snapshot gets a new seq, which flags the next message
 * NLM_F_DUMP_INTR.
 */
struct dump_ctx {
	int ifindex;
	u32 next;	/* item to send next */
	bool started;	/* the first message went out */
	bool done;
};

static int dump_start(struct netlink_callback *cb)
{
	struct dump_ctx *ctx = (struct dump_ctx *)cb->ctx;
	int ret;

	NL_ASSERT_DUMP_CTX_FITS(struct dump_ctx);
	ret = wgmesh_reject_repeats(cb->nlh, cb->extack);
	if (ret)
		return ret;
	rcu_read_lock();
	ret = lookup_ifindex(sock_net(cb->skb->sk), wgmesh_dump_attrs(cb),
			     cb->extack);
	rcu_read_unlock();
	if (ret < 0)
		return ret;
	ctx->ifindex = ret;
	return 0;
}

static int put_header(struct sk_buff *skb, const struct wgmesh_dev *wd,
		      const struct wgmesh_topology *t, bool stats)
{
	if (t && (nla_put_in6_addr(skb, WGMESH_A_PREFIX, &t->prefix) ||
		  nla_put_u32(skb, WGMESH_A_SELF_ID, t->self_id) ||
		  nla_put_u32(skb, WGMESH_A_FLAGS, t->flags) ||
		  nla_put_u32(skb, WGMESH_A_NUM_CONTROLLERS, t->n_ctrls) ||
		  nla_put_u32(skb, WGMESH_A_NUM_PEERS, t->n_peers)))
		return -EMSGSIZE;
	if (t && t->ipv4_len &&
	    (nla_put_in_addr(skb, WGMESH_A_IPV4_PREFIX, t->ipv4_prefix) ||
	     nla_put_u32(skb, WGMESH_A_IPV4_PREFIX_LEN, t->ipv4_len)))
		return -EMSGSIZE;
	if (stats && wgmesh_stats_fill(skb, wd->stats,
				       atomic64_read(&wd->events.sent),
				       atomic64_read(&wd->events.lost)))
		return -EMSGSIZE;
	return 0;
}

static int put_allow(struct sk_buff *skb, u32 group, u64 mask)
{
	struct nlattr *nest = nla_nest_start(skb, WGMESH_A_ALLOW);

	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u32(skb, WGMESH_ALLOW_A_GROUP, group) ||
	    nla_put_u64_64bit(skb, WGMESH_ALLOW_A_MASK, mask,
			      WGMESH_ALLOW_A_PAD)) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

static int put_subnet(struct sk_buff *skb, const struct wgmesh_subnet *s)
{
	struct nlattr *nest = nla_nest_start(skb, WGMESH_MEMBER_A_SUBNET);
	struct in6_addr a6 = {};
	int ret;

	if (!nest)
		return -EMSGSIZE;
	if (s->family == AF_INET) {
		ret = nla_put_in_addr(skb, WGMESH_SUBNET_A_IPV4,
				      htonl(s->key >> 32));
	} else {
		put_unaligned_be64(s->key, a6.s6_addr);
		ret = nla_put_in6_addr(skb, WGMESH_SUBNET_A_IPV6, &a6);
	}
	if (ret || nla_put_u32(skb, WGMESH_SUBNET_A_PREFIX_LEN, s->len)) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

/*
 * The first subnet (in member order) of member @i or a later one: the
 * subnets of member @i run from there to that of member @i + 1.
 */
static u32 first_subnet(const struct wgmesh_topology *t, u32 i)
{
	u32 lo = 0, hi = t->subnets.n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (wgmesh_subnet_at(&t->subnets, mid)->member < i)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int put_member(struct sk_buff *skb, const struct wgmesh_topology *t,
		      u32 i, bool stats)
{
	const struct wgmesh_member *m = &t->members[i];
	struct nlattr *nest;
	u32 j, end;

	nest = nla_nest_start(skb, i < t->n_ctrls ? WGMESH_A_CONTROLLER :
						    WGMESH_A_PEER);
	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u32(skb, WGMESH_MEMBER_A_ID, m->id) ||
	    nla_put_u64_64bit(skb, WGMESH_MEMBER_A_GROUPS, m->class.groups,
			      WGMESH_MEMBER_A_PAD) ||
	    nla_put_u32(skb, WGMESH_MEMBER_A_FLAGS, m->class.flags) ||
	    (m->ipv4 && nla_put_in_addr(skb, WGMESH_MEMBER_A_IPV4, m->ipv4)) ||
	    (stats && wgmesh_member_stats_fill(skb, &t->stats[i])))
		goto cancel;
	end = first_subnet(t, i + 1);
	for (j = first_subnet(t, i); j < end; j++) {
		if (put_subnet(skb, wgmesh_subnet_at(&t->subnets, j)))
			goto cancel;
	}
	nla_nest_end(skb, nest);
	return 0;

cancel:
	nla_nest_cancel(skb, nest);
	return -EMSGSIZE;
}

/* Adds items from ctx->next on; returns true when all were added. */
static bool put_items(struct sk_buff *skb, const struct wgmesh_topology *t,
		      struct dump_ctx *ctx, bool stats)
{
	u32 n = WGMESH_MAX_GROUPS + t->n_ctrls + t->n_peers, i;

	for (; ctx->next < n; ctx->next++) {
		i = ctx->next;
		if (i < WGMESH_MAX_GROUPS) {
			if (t->allow[i] && put_allow(skb, i, t->allow[i]))
				return false;
		} else if (put_member(skb, t, i - WGMESH_MAX_GROUPS, stats)) {
			return false;
		}
	}
	return true;
}

static int dump(struct sk_buff *skb, struct netlink_callback *cb, u8 cmd)
{
	struct dump_ctx *ctx = (struct dump_ctx *)cb->ctx;
	bool stats = cmd == WGMESH_CMD_GET_STATS;
	const struct wgmesh_topology *t;
	struct wgmesh_dev *wd;
	u32 first_item;
	void *hdr;
	int ret;

	if (ctx->done)
		return 0;
	rcu_read_lock();
	wd = wgmesh_dev_find_rcu(sock_net(skb->sk), ctx->ifindex);
	if (!wd) {
		NL_SET_ERR_MSG(cb->extack, "device is not attached to wgmesh");
		ret = -ENOENT;
		goto out_unlock;
	}
	t = rcu_dereference(wd->topo);
	cb->seq = t ? t->seq : 0;

	hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
			  &wgmesh_genl_family, NLM_F_MULTI, cmd);
	if (!hdr) {
		ret = -EMSGSIZE;
		goto out_unlock;
	}
	genl_dump_check_consistent(cb, hdr);
	if (nla_put_u32(skb, WGMESH_A_IFINDEX, wd->dev->ifindex) ||
	    nla_put_string(skb, WGMESH_A_IFNAME, wd->dev->name) ||
	    (t && nla_put_u64_64bit(skb, WGMESH_A_GENERATION, t->generation,
				    WGMESH_A_PAD)) ||
	    (!ctx->started && put_header(skb, wd, t, stats))) {
		genlmsg_cancel(skb, hdr);
		ret = -EMSGSIZE;
		goto out_unlock;
	}
	first_item = ctx->next;
	ctx->done = !t || put_items(skb, t, ctx, stats);
	/* Not one item fits a message of its own: it never will. */
	if (!ctx->done && ctx->started && ctx->next == first_item) {
		genlmsg_cancel(skb, hdr);
		ret = -EMSGSIZE;
		goto out_unlock;
	}
	ctx->started = true;
	genlmsg_end(skb, hdr);
	ret = skb->len;

out_unlock:
	rcu_read_unlock();
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
		.policy = wgmesh_attach_nl_policy,
		.maxattr = ARRAY_SIZE(wgmesh_attach_nl_policy) - 1,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = WGMESH_CMD_DETACH,
		.doit = detach_doit,
		.policy = wgmesh_detach_nl_policy,
		.maxattr = ARRAY_SIZE(wgmesh_detach_nl_policy) - 1,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = WGMESH_CMD_SET_TOPOLOGY,
		.doit = set_topology_doit,
		.policy = wgmesh_set_topology_nl_policy,
		.maxattr = ARRAY_SIZE(wgmesh_set_topology_nl_policy) - 1,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = WGMESH_CMD_GET_TOPOLOGY,
		.start = dump_start,
		.dumpit = get_topology_dumpit,
		.policy = wgmesh_get_topology_nl_policy,
		.maxattr = ARRAY_SIZE(wgmesh_get_topology_nl_policy) - 1,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = WGMESH_CMD_GET_STATS,
		.start = dump_start,
		.dumpit = get_stats_dumpit,
		.policy = wgmesh_get_stats_nl_policy,
		.maxattr = ARRAY_SIZE(wgmesh_get_stats_nl_policy) - 1,
		.flags = GENL_UNS_ADMIN_PERM,
	},
};

static const struct genl_multicast_group genl_mcgrps[] = {
	[WGMESH_NLGRP_EVENTS] = WGMESH_MCGRP_ADMIN(WGMESH_MCGRP_EVENTS),
};

struct genl_family wgmesh_genl_family __ro_after_init = {
	.ops = genl_ops,
	.n_ops = ARRAY_SIZE(genl_ops),
	.mcgrps = genl_mcgrps,
	.n_mcgrps = wgmesh_have_events ? ARRAY_SIZE(genl_mcgrps) : 0,
	.resv_start_op = WGMESH_CMD_ATTACH,
	.name = WGMESH_GENL_NAME,
	.version = WGMESH_GENL_VERSION,
	.maxattr = WGMESH_A_MAX,
	.module = THIS_MODULE,
	.netnsok = true,
};

int __init wgmesh_genl_init(void)
{
	return genl_register_family(&wgmesh_genl_family);
}

void wgmesh_genl_uninit(void)
{
	/* No flush may send on the family, its id or groups, once it goes. */
	wgmesh_events_close();
	genl_unregister_family(&wgmesh_genl_family);
}
