// SPDX-License-Identifier: GPL-2.0
/*
 * Per-CPU counters: allocation, reference counting and netlink export.
 */

#include <linux/slab.h>

#include "stats.h"

struct wgmesh_pcpu_stats __percpu *wgmesh_pcpu_stats_alloc(void)
{
	struct wgmesh_pcpu_stats __percpu *pcpu;
	int cpu;

	pcpu = alloc_percpu_gfp(struct wgmesh_pcpu_stats, GFP_KERNEL);
	if (!pcpu)
		return NULL;
	for_each_possible_cpu(cpu)
		u64_stats_init(&per_cpu_ptr(pcpu, cpu)->syncp);
	return pcpu;
}

struct wgmesh_member_stats *wgmesh_member_stats_new(void)
{
	struct wgmesh_member_stats *ms;

	ms = kmalloc(sizeof(*ms), GFP_KERNEL);
	if (!ms)
		return NULL;
	ms->pcpu = wgmesh_pcpu_stats_alloc();
	if (!ms->pcpu) {
		kfree(ms);
		return NULL;
	}
	refcount_set(&ms->ref, 1);
	return ms;
}

/* May run in an RCU callback: free_percpu() and kfree() do not sleep. */
void wgmesh_member_stats_put(struct wgmesh_member_stats *ms)
{
	if (ms && refcount_dec_and_test(&ms->ref)) {
		free_percpu(ms->pcpu);
		kfree(ms);
	}
}

static void sum(struct wgmesh_pcpu_stats __percpu *pcpu,
		u64 total[WGMESH_STATS_NUM])
{
	int cpu, i;

	memset(total, 0, sizeof(u64) * WGMESH_STATS_NUM);
	for_each_possible_cpu(cpu) {
		const struct wgmesh_pcpu_stats *s = per_cpu_ptr(pcpu, cpu);
		u64 v[WGMESH_STATS_NUM];
		unsigned int start;

		do {
			start = u64_stats_fetch_begin(&s->syncp);
			for (i = 0; i < WGMESH_STATS_NUM; i++)
				v[i] = u64_stats_read(&s->ctr[i]);
		} while (u64_stats_fetch_retry(&s->syncp, start));
		for (i = 0; i < WGMESH_STATS_NUM; i++)
			total[i] += v[i];
	}
}

int wgmesh_stats_fill(struct sk_buff *skb, int attrtype,
		      struct wgmesh_pcpu_stats __percpu *pcpu)
{
	u64 total[WGMESH_STATS_NUM];
	struct nlattr *nest;
	int i;

	sum(pcpu, total);
	nest = nla_nest_start(skb, attrtype);
	if (!nest)
		return -EMSGSIZE;
	for (i = 0; i < WGMESH_STATS_NUM; i++) {
		if (nla_put_u64_64bit(skb, WGMESH_STATS_A_RX_PACKETS + i,
				      total[i], WGMESH_STATS_A_PAD)) {
			nla_nest_cancel(skb, nest);
			return -EMSGSIZE;
		}
	}
	nla_nest_end(skb, nest);
	return 0;
}
