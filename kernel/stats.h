/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Packet counters. A device keeps every counter per CPU. A member keeps
 * the few that status shows in one cache line of atomics inside its
 * topology snapshot: per-CPU copies for each of 10^5 members would cost
 * more than the rest of the snapshot on a machine with many CPUs.
 */

#ifndef _WGMESH_STATS_H
#define _WGMESH_STATS_H

#include <linux/atomic.h>
#include <linux/percpu.h>
#include <linux/u64_stats_sync.h>
#include <net/netlink.h>

#include "uapi/wgmesh.h"

/* Device counters; ctr_attr[] in stats.c maps them to WGMESH_STATS_A_*. */
enum wgmesh_ctr {
	WGMESH_CTR_RX_PACKETS,
	WGMESH_CTR_RX_BYTES,
	WGMESH_CTR_LOCAL_PACKETS,
	WGMESH_CTR_LOCAL_BYTES,
	WGMESH_CTR_FWD_PACKETS,
	WGMESH_CTR_FWD_BYTES,
	WGMESH_CTR_PASS_PACKETS,
	/* Of FWD: to a peer's address in another controller's /56. */
	WGMESH_CTR_TAKEOVER_PACKETS,
	/* An exit's IPv6: to the outside, from the outside (hook.c). */
	WGMESH_CTR_EXIT_TX_PACKETS,
	WGMESH_CTR_EXIT_TX_BYTES,
	WGMESH_CTR_EXIT_RX_PACKETS,
	WGMESH_CTR_EXIT_RX_BYTES,
	WGMESH_CTR_DROP_SPOOFED,	/* first drop reason */
	WGMESH_CTR_DROP_OUTSIDE,
	WGMESH_CTR_DROP_UNKNOWN,
	WGMESH_CTR_DROP_POLICY,
	WGMESH_CTR_DROP_ISOLATED,
	WGMESH_CTR_DROP_HOPLIMIT,
	WGMESH_CTR_DROP_TOOBIG,
	WGMESH_CTR_DROP_MALFORMED,
	WGMESH_CTR_DROP_XMIT,
	WGMESH_CTR_DROP_CROSSING,
	WGMESH_CTR_DROP_PROTO,
	WGMESH_CTR_DROP_NOROUTE,	/* last drop reason */
	WGMESH_CTR_NUM
};

/* Member counters, in the order of their attributes. */
enum wgmesh_mctr {
	WGMESH_MCTR_LOCAL_PACKETS,
	WGMESH_MCTR_LOCAL_BYTES,
	WGMESH_MCTR_FWD_PACKETS,
	WGMESH_MCTR_FWD_BYTES,
	WGMESH_MCTR_TX_PACKETS,
	WGMESH_MCTR_TX_BYTES,
	WGMESH_MCTR_DROP_PACKETS,
	WGMESH_MCTR_NUM
};

struct wgmesh_pcpu_stats {
	u64_stats_t ctr[WGMESH_CTR_NUM];
	struct u64_stats_sync syncp;
};

/*
 * A member's counters, which every CPU may write. Not padded to a cache
 * line: 8 bytes more a member would take a peer from 120 bytes of module
 * memory to all of the 128 it may cost (make bench, module_memcg), to
 * save four instructions of the forwarding path and a line two members
 * share.
 */
struct wgmesh_member_stats {
	atomic64_t ctr[WGMESH_MCTR_NUM];
};

struct wgmesh_pcpu_stats __percpu *wgmesh_pcpu_stats_alloc(void);
int wgmesh_stats_fill(struct sk_buff *skb,
		      struct wgmesh_pcpu_stats __percpu *pcpu, u64 events,
		      u64 events_lost);
int wgmesh_member_stats_fill(struct sk_buff *skb,
			     const struct wgmesh_member_stats *ms);

/* Datapath: BH context, this CPU's counters only. */
static inline void wgmesh_count(struct wgmesh_pcpu_stats __percpu *pcpu,
				enum wgmesh_ctr ctr, unsigned int packets)
{
	struct wgmesh_pcpu_stats *s = this_cpu_ptr(pcpu);

	u64_stats_update_begin(&s->syncp);
	u64_stats_add(&s->ctr[ctr], packets);
	u64_stats_update_end(&s->syncp);
}

/* @ctr is a *_PACKETS counter, immediately followed by its *_BYTES. */
static inline void wgmesh_count_bytes(struct wgmesh_pcpu_stats __percpu *pcpu,
				      enum wgmesh_ctr ctr, unsigned int packets,
				      unsigned int len)
{
	struct wgmesh_pcpu_stats *s = this_cpu_ptr(pcpu);

	u64_stats_update_begin(&s->syncp);
	u64_stats_add(&s->ctr[ctr], packets);
	u64_stats_add(&s->ctr[ctr + 1], len);
	u64_stats_update_end(&s->syncp);
}

static inline void wgmesh_mcount(struct wgmesh_member_stats *ms,
				 enum wgmesh_mctr ctr, unsigned int packets)
{
	atomic64_add(packets, &ms->ctr[ctr]);
}

/* @ctr is a *_PACKETS member counter, immediately followed by *_BYTES. */
static inline void wgmesh_mcount_bytes(struct wgmesh_member_stats *ms,
				       enum wgmesh_mctr ctr,
				       unsigned int packets, unsigned int len)
{
	atomic64_add(packets, &ms->ctr[ctr]);
	atomic64_add(len, &ms->ctr[ctr + 1]);
}

#endif /* _WGMESH_STATS_H */
