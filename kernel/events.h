/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Drop events: what the datapath drops, aggregated per (reason, source,
 * destination) and multicast to the family's "events" group at most once a
 * flush interval per key, only while someone listens.
 */

#ifndef _WGMESH_EVENTS_H
#define _WGMESH_EVENTS_H

#include <linux/atomic.h>
#include <linux/in6.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>
#include <net/genetlink.h>

#include "compat.h"
#include "stats.h"
#include "topology.h"

/* Distinct keys a CPU collects per flush interval; more are lost. */
#define WGMESH_EV_SLOTS		32
/* Event messages a device sends per flush interval; more are lost. */
#define WGMESH_EV_MAX_MSGS	64
#define WGMESH_EV_INTERVAL	HZ

enum wgmesh_ev_src {
	WGMESH_EV_SRC_ADDR,	/* no member: the source address */
	WGMESH_EV_SRC_CTRL,
	WGMESH_EV_SRC_PEER,
};

struct wgmesh_ev_key {
	struct in6_addr src;	/* WGMESH_EV_SRC_ADDR only */
	struct in6_addr dst;
	u32 id;			/* the source member's id */
	u8 reason;		/* enum wgmesh_drop_reason */
	u8 src_kind;		/* enum wgmesh_ev_src */
	u8 family;		/* of src and dst: AF_INET(6), 0: none */
	u8 pad;
};

struct wgmesh_ev_slot {
	struct wgmesh_ev_key key;
	u64 count;		/* 0: free */
};

/* One CPU's table: the datapath fills it, the flush empties it. */
struct wgmesh_ev_pcpu {
	spinlock_t lock;	/* the datapath's on this CPU, or the flush */
	u32 used;
	u64 lost;
	struct wgmesh_ev_slot slot[WGMESH_EV_SLOTS];
};

struct wgmesh_events {
	struct wgmesh_ev_pcpu __percpu *pcpu;
	struct delayed_work flush;
	/* Set (under RTNL) when the device detaches: nothing is sent after. */
	bool dead;
	atomic64_t sent;	/* messages */
	atomic64_t lost;	/* packets no event reported */
};

struct wgmesh_dev;

int wgmesh_events_alloc(struct wgmesh_events *ev);
void wgmesh_events_kill(struct wgmesh_events *ev);
void wgmesh_events_free(struct wgmesh_events *ev);
void wgmesh_events_record(struct wgmesh_dev *wd,
			  const struct wgmesh_topology *t,
			  const struct sk_buff *skb,
			  const struct wgmesh_member *src,
			  enum wgmesh_ctr ctr, unsigned int segs);
int wgmesh_events_init(void);
void wgmesh_events_close(void);
void wgmesh_events_uninit(void);

extern struct genl_family wgmesh_genl_family;
/* Flushes, and the frees of detached devices (which cancel them). */
extern struct workqueue_struct *wgmesh_wq;

enum wgmesh_nlgrp {
	WGMESH_NLGRP_EVENTS,
};

/*
 * The whole cost of events for a dropped packet while nobody listens: a
 * look at the generic netlink listener bitmap (RCU, no lock). The bitmap
 * is the family's in every namespace: a listener in any of them makes
 * every namespace record its drops; a flush finds nobody in its own and
 * discards them (flush()).
 */
static inline bool wgmesh_events_wanted(const struct net_device *dev)
{
	return wgmesh_have_events &&
	       genl_has_listeners(&wgmesh_genl_family, dev_net(dev),
				  WGMESH_NLGRP_EVENTS);
}

#endif /* _WGMESH_EVENTS_H */
