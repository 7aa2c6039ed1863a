// SPDX-License-Identifier: GPL-2.0
/*
 * Counters: allocation and netlink export.
 */

#include "stats.h"

static const u16 ctr_attr[WGMESH_CTR_NUM] = {
	[WGMESH_CTR_RX_PACKETS] = WGMESH_STATS_A_RX_PACKETS,
	[WGMESH_CTR_RX_BYTES] = WGMESH_STATS_A_RX_BYTES,
	[WGMESH_CTR_LOCAL_PACKETS] = WGMESH_STATS_A_LOCAL_PACKETS,
	[WGMESH_CTR_LOCAL_BYTES] = WGMESH_STATS_A_LOCAL_BYTES,
	[WGMESH_CTR_FWD_PACKETS] = WGMESH_STATS_A_FWD_PACKETS,
	[WGMESH_CTR_FWD_BYTES] = WGMESH_STATS_A_FWD_BYTES,
	[WGMESH_CTR_PASS_PACKETS] = WGMESH_STATS_A_PASS_PACKETS,
	[WGMESH_CTR_TAKEOVER_PACKETS] = WGMESH_STATS_A_TAKEOVER_PACKETS,
	[WGMESH_CTR_EXIT_TX_PACKETS] = WGMESH_STATS_A_EXIT_TX_PACKETS,
	[WGMESH_CTR_EXIT_TX_BYTES] = WGMESH_STATS_A_EXIT_TX_BYTES,
	[WGMESH_CTR_EXIT_RX_PACKETS] = WGMESH_STATS_A_EXIT_RX_PACKETS,
	[WGMESH_CTR_EXIT_RX_BYTES] = WGMESH_STATS_A_EXIT_RX_BYTES,
	[WGMESH_CTR_DROP_SPOOFED] = WGMESH_STATS_A_DROP_SPOOFED,
	[WGMESH_CTR_DROP_OUTSIDE] = WGMESH_STATS_A_DROP_OUTSIDE,
	[WGMESH_CTR_DROP_UNKNOWN] = WGMESH_STATS_A_DROP_UNKNOWN,
	[WGMESH_CTR_DROP_POLICY] = WGMESH_STATS_A_DROP_POLICY,
	[WGMESH_CTR_DROP_ISOLATED] = WGMESH_STATS_A_DROP_ISOLATED,
	[WGMESH_CTR_DROP_HOPLIMIT] = WGMESH_STATS_A_DROP_HOPLIMIT,
	[WGMESH_CTR_DROP_TOOBIG] = WGMESH_STATS_A_DROP_TOOBIG,
	[WGMESH_CTR_DROP_MALFORMED] = WGMESH_STATS_A_DROP_MALFORMED,
	[WGMESH_CTR_DROP_XMIT] = WGMESH_STATS_A_DROP_XMIT,
	[WGMESH_CTR_DROP_CROSSING] = WGMESH_STATS_A_DROP_CROSSING,
	[WGMESH_CTR_DROP_PROTO] = WGMESH_STATS_A_DROP_PROTO,
	[WGMESH_CTR_DROP_NOROUTE] = WGMESH_STATS_A_DROP_NOROUTE,
};

static const u16 mctr_attr[WGMESH_MCTR_NUM] = {
	[WGMESH_MCTR_LOCAL_PACKETS] = WGMESH_STATS_A_LOCAL_PACKETS,
	[WGMESH_MCTR_LOCAL_BYTES] = WGMESH_STATS_A_LOCAL_BYTES,
	[WGMESH_MCTR_FWD_PACKETS] = WGMESH_STATS_A_FWD_PACKETS,
	[WGMESH_MCTR_FWD_BYTES] = WGMESH_STATS_A_FWD_BYTES,
	[WGMESH_MCTR_TX_PACKETS] = WGMESH_STATS_A_TX_PACKETS,
	[WGMESH_MCTR_TX_BYTES] = WGMESH_STATS_A_TX_BYTES,
	[WGMESH_MCTR_DROP_PACKETS] = WGMESH_STATS_A_DROP_PACKETS,
};

struct wgmesh_pcpu_stats __percpu *wgmesh_pcpu_stats_alloc(void)
{
	struct wgmesh_pcpu_stats __percpu *pcpu;
	int cpu;

	pcpu = alloc_percpu_gfp(struct wgmesh_pcpu_stats, GFP_KERNEL_ACCOUNT);
	if (!pcpu)
		return NULL;
	for_each_possible_cpu(cpu)
		u64_stats_init(&per_cpu_ptr(pcpu, cpu)->syncp);
	return pcpu;
}

static void sum(struct wgmesh_pcpu_stats __percpu *pcpu,
		u64 total[WGMESH_CTR_NUM])
{
	int cpu, i;

	memset(total, 0, sizeof(u64) * WGMESH_CTR_NUM);
	for_each_possible_cpu(cpu) {
		const struct wgmesh_pcpu_stats *s = per_cpu_ptr(pcpu, cpu);
		u64 v[WGMESH_CTR_NUM];
		unsigned int start;

		do {
			start = u64_stats_fetch_begin(&s->syncp);
			for (i = 0; i < WGMESH_CTR_NUM; i++)
				v[i] = u64_stats_read(&s->ctr[i]);
		} while (u64_stats_fetch_retry(&s->syncp, start));
		for (i = 0; i < WGMESH_CTR_NUM; i++)
			total[i] += v[i];
	}
}

static int put_ctr(struct sk_buff *skb, int attr, u64 value)
{
	return nla_put_u64_64bit(skb, attr, value, WGMESH_STATS_A_PAD);
}

/*
 * WGMESH_A_STATS: the device counters, DROP_PACKETS summed from reasons,
 * and the drop events' (which the flush counts in process context).
 */
int wgmesh_stats_fill(struct sk_buff *skb,
		      struct wgmesh_pcpu_stats __percpu *pcpu, u64 events,
		      u64 events_lost)
{
	u64 total[WGMESH_CTR_NUM], drops = 0;
	struct nlattr *nest;
	int i;

	sum(pcpu, total);
	nest = nla_nest_start(skb, WGMESH_A_STATS);
	if (!nest)
		return -EMSGSIZE;
	for (i = 0; i < WGMESH_CTR_NUM; i++) {
		if (i >= WGMESH_CTR_DROP_SPOOFED)
			drops += total[i];
		if (put_ctr(skb, ctr_attr[i], total[i]))
			goto cancel;
	}
	if (put_ctr(skb, WGMESH_STATS_A_DROP_PACKETS, drops) ||
	    put_ctr(skb, WGMESH_STATS_A_EVENTS, events) ||
	    put_ctr(skb, WGMESH_STATS_A_EVENTS_LOST, events_lost))
		goto cancel;
	nla_nest_end(skb, nest);
	return 0;

cancel:
	nla_nest_cancel(skb, nest);
	return -EMSGSIZE;
}

int wgmesh_member_stats_fill(struct sk_buff *skb,
			     const struct wgmesh_member_stats *ms)
{
	struct nlattr *nest;
	int i;

	nest = nla_nest_start(skb, WGMESH_MEMBER_A_STATS);
	if (!nest)
		return -EMSGSIZE;
	for (i = 0; i < WGMESH_MCTR_NUM; i++) {
		if (put_ctr(skb, mctr_attr[i], atomic64_read(&ms->ctr[i]))) {
			nla_nest_cancel(skb, nest);
			return -EMSGSIZE;
		}
	}
	nla_nest_end(skb, nest);
	return 0;
}
