// SPDX-License-Identifier: GPL-2.0
/*
 * Drop events. While nobody listens to the "events" group, a dropped packet
 * costs one look at the family's listener bitmap (wgmesh_events_wanted())
 * and nothing else. While someone does, the datapath adds the packet to a
 * small per-CPU table keyed by (reason, source, destination) and makes sure
 * the device's flush is queued; the flush runs WGMESH_EV_INTERVAL later in
 * process context, empties every CPU's table, merges equal keys and sends
 * at most WGMESH_EV_MAX_MSGS messages, then one summary of what did not fit
 * (a full table, too many keys). Every packet is either in an event or
 * counted in WGMESH_STATS_A_EVENTS_LOST.
 *
 * Lifetime: the flush and its tables live in struct wgmesh_dev. Detach marks
 * them dead under RTNL, so a flush never looks at the device again; the
 * datapath may still queue the flush until a grace period has passed, so
 * the device's memory is freed from wgmesh_wq (free_work, queued by the RCU
 * callback) after cancelling the flush for good. Module exit closes the
 * group before the family goes, and destroying wgmesh_wq waits for the
 * rest.
 */

#include <linux/ipv6.h>
#include <linux/ip.h>
#include <linux/jhash.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <net/ipv6.h>

#include "device.h"
#include "events.h"

struct workqueue_struct *wgmesh_wq;

/* Serialises sends against module exit (closed: the family is going). */
static DEFINE_MUTEX(send_lock);
static bool closed;

static void flush(struct work_struct *work);

int wgmesh_events_alloc(struct wgmesh_events *ev)
{
	int cpu;

	ev->pcpu = alloc_percpu_gfp(struct wgmesh_ev_pcpu, GFP_KERNEL_ACCOUNT);
	if (!ev->pcpu)
		return -ENOMEM;
	for_each_possible_cpu(cpu)
		spin_lock_init(&per_cpu_ptr(ev->pcpu, cpu)->lock);
	INIT_DELAYED_WORK(&ev->flush, flush);
	return 0;
}

/* Called under RTNL when the device detaches. */
void wgmesh_events_kill(struct wgmesh_events *ev)
{
	WRITE_ONCE(ev->dead, true);
}

/* Process context, after a grace period since wgmesh_events_kill(). */
void wgmesh_events_free(struct wgmesh_events *ev)
{
	cancel_delayed_work_sync(&ev->flush);
	free_percpu(ev->pcpu);
}

static void key_addrs(struct wgmesh_ev_key *key, const struct sk_buff *skb,
		      bool src)
{
	if (skb->protocol == htons(ETH_P_IPV6)) {
		key->family = AF_INET6;
		key->dst = ipv6_hdr(skb)->daddr;
		if (src)
			key->src = ipv6_hdr(skb)->saddr;
	} else if (skb->protocol == htons(ETH_P_IP)) {
		key->family = AF_INET;
		key->dst.s6_addr32[0] = ip_hdr(skb)->daddr;
		if (src)
			key->src.s6_addr32[0] = ip_hdr(skb)->saddr;
	}
}

/*
 * Datapath, under rcu_read_lock() in BH context, once wgmesh_events_wanted()
 * said someone listens. @skb: the dropped packet with a validated IP header
 * (or NULL: no addresses); @src: the member it came from, if known.
 */
void wgmesh_events_record(struct wgmesh_dev *wd,
			  const struct wgmesh_topology *t,
			  const struct sk_buff *skb,
			  const struct wgmesh_member *src,
			  enum wgmesh_ctr ctr, unsigned int segs)
{
	struct wgmesh_events *ev = &wd->events;
	struct wgmesh_ev_key key = {};
	struct wgmesh_ev_slot *slot;
	struct wgmesh_ev_pcpu *pc;
	u32 h, i;

	key.reason = ctr - WGMESH_CTR_DROP_SPOOFED + WGMESH_DROP_SPOOFED;
	if (src) {
		key.src_kind = wgmesh_is_ctrl(t, src) ? WGMESH_EV_SRC_CTRL :
							WGMESH_EV_SRC_PEER;
		key.id = src->id;
	}
	if (skb)
		key_addrs(&key, skb, !src);
	h = jhash(&key, sizeof(key), 0);

	local_bh_disable();
	pc = this_cpu_ptr(ev->pcpu);
	spin_lock(&pc->lock);
	for (i = 0; i < 4; i++) {
		slot = &pc->slot[(h + i) % WGMESH_EV_SLOTS];
		if (!slot->count) {
			slot->key = key;
			slot->count = segs;
			pc->used++;
			goto queue;
		}
		if (!memcmp(&slot->key, &key, sizeof(key))) {
			slot->count += segs;
			goto queue;
		}
	}
	pc->lost += segs;
queue:
	spin_unlock(&pc->lock);
	local_bh_enable();
	/* Already queued is the common case: skip the atomic. */
	if (!delayed_work_pending(&ev->flush))
		queue_delayed_work(wgmesh_wq, &ev->flush, WGMESH_EV_INTERVAL);
}

/* Empties every CPU's table into @out (n slots); returns what is lost. */
static u64 harvest(struct wgmesh_events *ev, struct wgmesh_ev_slot *out,
		   u32 *n)
{
	u64 lost = 0;
	u32 i, j;
	int cpu;

	for_each_possible_cpu(cpu) {
		struct wgmesh_ev_pcpu *pc = per_cpu_ptr(ev->pcpu, cpu);

		spin_lock_bh(&pc->lock);
		lost += pc->lost;
		pc->lost = 0;
		for (i = 0; pc->used && i < WGMESH_EV_SLOTS; i++) {
			struct wgmesh_ev_slot *s = &pc->slot[i];

			if (!s->count)
				continue;
			for (j = 0; j < *n; j++) {
				if (!memcmp(&out[j].key, &s->key,
					    sizeof(s->key)))
					break;
			}
			if (j < *n)
				out[j].count += s->count;
			else if (out && *n < WGMESH_EV_MAX_MSGS)
				out[(*n)++] = *s;
			else
				lost += s->count;
			s->count = 0;
		}
		pc->used = 0;
		spin_unlock_bh(&pc->lock);
	}
	return lost;
}

static int put_addr(struct sk_buff *skb, int attr, const struct in6_addr *a,
		    u8 family)
{
	if (family == AF_INET)
		return nla_put_in_addr(skb, attr, a->s6_addr32[0]);
	return nla_put_in6_addr(skb, attr, a);
}

static int put_source(struct sk_buff *skb, const struct wgmesh_ev_key *key)
{
	struct nlattr *nest;

	if (key->src_kind == WGMESH_EV_SRC_ADDR)
		return key->family ? put_addr(skb, WGMESH_A_SRC_ADDR, &key->src,
					      key->family) : 0;
	nest = nla_nest_start(skb, key->src_kind == WGMESH_EV_SRC_CTRL ?
				   WGMESH_A_CONTROLLER : WGMESH_A_PEER);
	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u32(skb, WGMESH_MEMBER_A_ID, key->id)) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

/* One event (@slot) or the summary of @lost packets (@slot NULL). */
static int send(struct net *net, int ifindex, const char *ifname,
		const struct wgmesh_ev_slot *slot, u64 lost)
{
	struct sk_buff *skb;
	void *hdr;

	skb = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!skb)
		return -ENOMEM;
	hdr = genlmsg_put(skb, 0, 0, &wgmesh_genl_family, 0,
			  WGMESH_CMD_DROP_EVENT);
	if (!hdr)
		goto err_free;
	if (nla_put_u32(skb, WGMESH_A_IFINDEX, ifindex) ||
	    nla_put_string(skb, WGMESH_A_IFNAME, ifname))
		goto err_free;
	if (slot) {
		if (nla_put_u32(skb, WGMESH_A_DROP_REASON, slot->key.reason) ||
		    put_source(skb, &slot->key) ||
		    (slot->key.family &&
		     put_addr(skb, WGMESH_A_DST_ADDR, &slot->key.dst,
			      slot->key.family)) ||
		    nla_put_u64_64bit(skb, WGMESH_A_DROP_COUNT, slot->count,
				      WGMESH_A_PAD))
			goto err_free;
	} else if (nla_put_u64_64bit(skb, WGMESH_A_EVENTS_LOST, lost,
				     WGMESH_A_PAD)) {
		goto err_free;
	}
	genlmsg_end(skb, hdr);
	return genlmsg_multicast_netns(&wgmesh_genl_family, net, skb, 0,
				       WGMESH_NLGRP_EVENTS, GFP_KERNEL);

err_free:
	nlmsg_free(skb);
	return -EMSGSIZE;
}

static void flush(struct work_struct *work)
{
	struct wgmesh_events *ev = container_of(to_delayed_work(work),
						struct wgmesh_events, flush);
	struct wgmesh_dev *wd = container_of(ev, struct wgmesh_dev, events);
	struct net *net = NULL;
	struct wgmesh_ev_slot *out;
	char ifname[IFNAMSIZ];
	u32 n = 0, i, sent = 0;
	int ifindex = 0, ret;
	u64 lost;

	/* Without memory every packet of the interval is lost, and counted. */
	out = kcalloc(WGMESH_EV_MAX_MSGS, sizeof(*out), GFP_KERNEL);
	lost = harvest(ev, out, &n);

	/* Not dead: the device is still registered here, and its netns. */
	rcu_read_lock();
	if (!READ_ONCE(ev->dead)) {
		net = maybe_get_net(dev_net(wd->dev));
		ifindex = wd->dev->ifindex;
		strscpy(ifname, wd->dev->name, sizeof(ifname));
	}
	rcu_read_unlock();
	if (!net)
		goto out;

	/*
	 * Whoever asked may have gone, or listens in another namespace (the
	 * listener bitmap is the family's, not the namespace's): -ESRCH,
	 * nobody here to tell, and nothing counts as lost. Under send_lock,
	 * so that the family is not unregistered meanwhile.
	 */
	mutex_lock(&send_lock);
	if (closed || !genl_has_listeners(&wgmesh_genl_family, net,
					  WGMESH_NLGRP_EVENTS))
		goto unlock;
	for (i = 0; i < n; i++) {
		ret = send(net, ifindex, ifname, &out[i], 0);
		if (ret == -ESRCH)
			goto unlock;
		if (ret)
			lost += out[i].count;
		else
			sent++;
	}
	if (lost) {
		ret = send(net, ifindex, ifname, NULL, lost);
		if (ret == -ESRCH)
			goto unlock;
		sent += !ret;
	}
	atomic64_add(lost, &ev->lost);
unlock:
	mutex_unlock(&send_lock);
	atomic64_add(sent, &ev->sent);
out:
	if (net)
		put_net(net);
	kfree(out);
}

int __init wgmesh_events_init(void)
{
	wgmesh_wq = alloc_workqueue("wgmesh", 0, 0);
	return wgmesh_wq ? 0 : -ENOMEM;
}

/* Before the family is unregistered: no flush sends on it afterwards. */
void wgmesh_events_close(void)
{
	mutex_lock(&send_lock);
	closed = true;
	mutex_unlock(&send_lock);
}

/* After every device was detached and rcu_barrier(): frees what is left. */
void wgmesh_events_uninit(void)
{
	destroy_workqueue(wgmesh_wq);
}
