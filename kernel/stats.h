/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Per-CPU packet counters of a device and of each mesh member.
 */

#ifndef _WGMESH_STATS_H
#define _WGMESH_STATS_H

#include <linux/percpu.h>
#include <linux/refcount.h>
#include <linux/u64_stats_sync.h>
#include <net/netlink.h>

#include "uapi/wgmesh.h"

/* Counter indexes: WGMESH_STATS_A_x - WGMESH_STATS_A_RX_PACKETS. */
enum wgmesh_ctr {
	WGMESH_CTR_RX_PACKETS = WGMESH_STATS_A_RX_PACKETS - WGMESH_STATS_A_RX_PACKETS,
	WGMESH_CTR_RX_BYTES = WGMESH_STATS_A_RX_BYTES - WGMESH_STATS_A_RX_PACKETS,
	WGMESH_CTR_LOCAL_PACKETS = WGMESH_STATS_A_LOCAL_PACKETS - WGMESH_STATS_A_RX_PACKETS,
	WGMESH_CTR_LOCAL_BYTES = WGMESH_STATS_A_LOCAL_BYTES - WGMESH_STATS_A_RX_PACKETS,
	WGMESH_CTR_FWD_PACKETS = WGMESH_STATS_A_FWD_PACKETS - WGMESH_STATS_A_RX_PACKETS,
	WGMESH_CTR_FWD_BYTES = WGMESH_STATS_A_FWD_BYTES - WGMESH_STATS_A_RX_PACKETS,
	WGMESH_CTR_TX_PACKETS = WGMESH_STATS_A_TX_PACKETS - WGMESH_STATS_A_RX_PACKETS,
	WGMESH_CTR_TX_BYTES = WGMESH_STATS_A_TX_BYTES - WGMESH_STATS_A_RX_PACKETS,
	WGMESH_CTR_PASS_PACKETS = WGMESH_STATS_A_PASS_PACKETS - WGMESH_STATS_A_RX_PACKETS,
	WGMESH_CTR_DROP_SPOOFED = WGMESH_STATS_A_DROP_SPOOFED - WGMESH_STATS_A_RX_PACKETS,
	WGMESH_CTR_DROP_OUTSIDE = WGMESH_STATS_A_DROP_OUTSIDE - WGMESH_STATS_A_RX_PACKETS,
	WGMESH_CTR_DROP_UNKNOWN = WGMESH_STATS_A_DROP_UNKNOWN - WGMESH_STATS_A_RX_PACKETS,
	WGMESH_CTR_DROP_POLICY = WGMESH_STATS_A_DROP_POLICY - WGMESH_STATS_A_RX_PACKETS,
	WGMESH_CTR_DROP_ISOLATED = WGMESH_STATS_A_DROP_ISOLATED - WGMESH_STATS_A_RX_PACKETS,
	WGMESH_CTR_DROP_HOPLIMIT = WGMESH_STATS_A_DROP_HOPLIMIT - WGMESH_STATS_A_RX_PACKETS,
	WGMESH_CTR_DROP_TOOBIG = WGMESH_STATS_A_DROP_TOOBIG - WGMESH_STATS_A_RX_PACKETS,
	WGMESH_CTR_DROP_MALFORMED = WGMESH_STATS_A_DROP_MALFORMED - WGMESH_STATS_A_RX_PACKETS,
	WGMESH_CTR_DROP_XMIT = WGMESH_STATS_A_DROP_XMIT - WGMESH_STATS_A_RX_PACKETS,
};

struct wgmesh_pcpu_stats {
	u64_stats_t ctr[WGMESH_STATS_NUM];
	struct u64_stats_sync syncp;
};

/*
 * A member's counters outlive the snapshot that created them: a topology
 * replace hands them to the new snapshot when the member persists, so each
 * snapshot holds one reference per member.
 */
struct wgmesh_member_stats {
	refcount_t ref;
	struct wgmesh_pcpu_stats __percpu *pcpu;
};

struct wgmesh_pcpu_stats __percpu *wgmesh_pcpu_stats_alloc(void);
struct wgmesh_member_stats *wgmesh_member_stats_new(void);
void wgmesh_member_stats_put(struct wgmesh_member_stats *ms);
int wgmesh_stats_fill(struct sk_buff *skb, int attrtype,
		      struct wgmesh_pcpu_stats __percpu *pcpu);

/* Datapath: BH context, this CPU's counters only. */
static inline void wgmesh_count(struct wgmesh_pcpu_stats __percpu *pcpu,
				enum wgmesh_ctr ctr)
{
	struct wgmesh_pcpu_stats *s = this_cpu_ptr(pcpu);

	u64_stats_update_begin(&s->syncp);
	u64_stats_inc(&s->ctr[ctr]);
	u64_stats_update_end(&s->syncp);
}

/* @packets is a *_PACKETS counter, immediately followed by its *_BYTES. */
static inline void wgmesh_count_bytes(struct wgmesh_pcpu_stats __percpu *pcpu,
				      enum wgmesh_ctr packets, unsigned int len)
{
	struct wgmesh_pcpu_stats *s = this_cpu_ptr(pcpu);

	u64_stats_update_begin(&s->syncp);
	u64_stats_inc(&s->ctr[packets]);
	u64_stats_add(&s->ctr[packets + 1], len);
	u64_stats_update_end(&s->syncp);
}

#endif /* _WGMESH_STATS_H */
