// SPDX-License-Identifier: GPL-2.0
/*
 * Why a netdev ingress hook: it sees every packet WireGuard decrypted, on
 * that device only, before IPv6 input, defragmentation and conntrack, and it
 * coexists with nftables netdev chains (an rx_handler would be exclusive and
 * tc would need a classifier). Mesh traffic for other members is sent
 * straight back out the same WireGuard device, which picks the peer by
 * destination, so IPv6 forwarding never has to be enabled on the host.
 * IPv6 from the tunnel to anything but a member is dropped here; other
 * traffic (IPv4 today) is passed to the stack unchecked.
 *
 * The border hook keeps the mesh apart from the host's other interfaces
 * whatever the forwarding sysctls say: at FORWARD (IPv4 and IPv6) it drops
 * every packet the kernel would route into an attached device or out of
 * one, so nothing reaches the mesh without having come from it, and
 * nothing from it (IPv4 included) leaves through another interface.
 *
 * Both run in softirq under rcu_read_lock(), taken by their caller:
 * nf_ingress() for ingress, nf_hook() for the border.
 */

#include <linux/icmpv6.h>
#include <linux/ipv6.h>
#include <linux/netfilter_ipv6.h>
#include <linux/netfilter_netdev.h>
#include <linux/skbuff.h>
#include <net/addrconf.h>
#include <net/ipv6.h>

#include "compat.h"
#include "device.h"
#include "hook.h"

static bool is_link_local(const struct in6_addr *a)
{
	return (a->s6_addr32[0] & htonl(0xffc00000)) == htonl(0xfe800000);
}

/* A GRO packet counts as the segments it merged, as WireGuard counts. */
static unsigned int segs_of(const struct sk_buff *skb)
{
	return skb_is_gso(skb) ? skb_shinfo(skb)->gso_segs : 1;
}

static unsigned int drop(struct wgmesh_dev *wd,
			 const struct wgmesh_topology *t,
			 const struct wgmesh_member *blame, enum wgmesh_ctr ctr,
			 unsigned int segs)
{
	wgmesh_count(wd->stats, ctr, segs);
	if (blame)
		wgmesh_mcount(wgmesh_member_stats(t, blame),
			      WGMESH_MCTR_DROP_PACKETS, segs);
	return NF_DROP;
}

/* Validates the header in place; returns false for a malformed packet. */
static bool pull_ipv6(struct sk_buff *skb)
{
	const struct ipv6hdr *ip6;
	u32 len;

	if (!pskb_may_pull(skb, sizeof(*ip6)))
		return false;
	ip6 = ipv6_hdr(skb);
	if (ip6->version != 6)
		return false;
	len = ntohs(ip6->payload_len);
	/* Zero is a jumbogram, which only GRO may build (BIG TCP). */
	if (!len)
		return skb_is_gso(skb);
	return sizeof(*ip6) + len <= skb->len;
}

/* What ipv6_rcv() would check first: it drops everything otherwise. */
static bool ipv6_enabled(const struct net_device *dev)
{
	const struct inet6_dev *idev = __in6_dev_get(dev);

	return idev && !READ_ONCE(idev->cnf.disable_ipv6);
}

static unsigned int forward(struct wgmesh_dev *wd,
			    const struct wgmesh_topology *t,
			    struct sk_buff *skb, const struct wgmesh_member *s,
			    const struct wgmesh_member *d, unsigned int segs)
{
	unsigned int mtu = READ_ONCE(skb->dev->mtu), len = skb->len;
	int rc;

	if (ipv6_hdr(skb)->hop_limit <= 1) {
		icmpv6_ndo_send(skb, ICMPV6_TIME_EXCEED, ICMPV6_EXC_HOPLIMIT,
				0);
		return drop(wd, t, s, WGMESH_CTR_DROP_HOPLIMIT, segs);
	}
	if (len > mtu && !(skb_is_gso(skb) &&
			   skb_gso_validate_network_len(skb, mtu))) {
		/* As ip6_forward(): IPv6 links carry at least 1280 bytes. */
		icmpv6_ndo_send(skb, ICMPV6_PKT_TOOBIG, 0,
				max_t(u32, mtu, IPV6_MIN_MTU));
		return drop(wd, t, s, WGMESH_CTR_DROP_TOOBIG, segs);
	}
	if (skb_ensure_writable(skb, sizeof(struct ipv6hdr)))
		return drop(wd, t, s, WGMESH_CTR_DROP_XMIT, segs);
	ipv6_hdr(skb)->hop_limit--;

	/*
	 * What ip6_forward() and nft's fwd do before handing the packet on.
	 * The receive timestamp goes too: on the way out a qdisc (fq, etf)
	 * would read it as a departure time.
	 */
	skb_forward_csum(skb);
	skb_scrub_packet(skb, false);
	skb_clear_tstamp(skb);

	/*
	 * The skb is gone whatever dev_queue_xmit() returns. Keep the call
	 * out of net_xmit_eval(): that macro evaluates its argument twice.
	 */
	rc = dev_queue_xmit(skb);
	if (net_xmit_eval(rc)) {
		drop(wd, t, s, WGMESH_CTR_DROP_XMIT, segs);
		return NF_STOLEN;
	}
	wgmesh_count_bytes(wd->stats, WGMESH_CTR_FWD_PACKETS, segs, len);
	wgmesh_mcount_bytes(wgmesh_member_stats(t, s), WGMESH_MCTR_FWD_PACKETS,
			    segs, len);
	wgmesh_mcount_bytes(wgmesh_member_stats(t, d), WGMESH_MCTR_TX_PACKETS,
			    segs, len);
	return NF_STOLEN;
}

static unsigned int wgmesh_hook(void *priv, struct sk_buff *skb,
				const struct nf_hook_state *state)
{
	const struct wgmesh_member *s = NULL, *d = NULL;
	unsigned int segs = segs_of(skb);
	struct wgmesh_dev *wd = priv;
	const struct wgmesh_topology *t;
	const struct ipv6hdr *ip6;
	enum wgmesh_ctr ctr;

	t = rcu_dereference(wd->topo);
	if (!t || skb->protocol != htons(ETH_P_IPV6) ||
	    !ipv6_enabled(skb->dev))
		goto pass;
	if (!pull_ipv6(skb))
		return drop(wd, t, NULL, WGMESH_CTR_DROP_MALFORMED, segs);
	ip6 = ipv6_hdr(skb);
	if (ipv6_addr_is_multicast(&ip6->daddr) ||
	    is_link_local(&ip6->saddr) || is_link_local(&ip6->daddr))
		goto pass;

	wgmesh_count_bytes(wd->stats, WGMESH_CTR_RX_PACKETS, segs, skb->len);
	ctr = wgmesh_decide(t, &ip6->saddr, &ip6->daddr, &s, &d);
	if (ctr == WGMESH_CTR_DROP_SPOOFED)
		return drop(wd, t, NULL, ctr, segs);
	if (ctr == WGMESH_CTR_LOCAL_PACKETS) {
		wgmesh_count_bytes(wd->stats, WGMESH_CTR_LOCAL_PACKETS, segs,
				   skb->len);
		wgmesh_mcount_bytes(wgmesh_member_stats(t, s),
				    WGMESH_MCTR_LOCAL_PACKETS, segs, skb->len);
		return NF_ACCEPT;
	}
	if (ctr != WGMESH_CTR_FWD_PACKETS)
		return drop(wd, t, s, ctr, segs);
	return forward(wd, t, skb, s, d, segs);

pass:
	wgmesh_count(wd->stats, WGMESH_CTR_PASS_PACKETS, segs);
	return NF_ACCEPT;
}

void wgmesh_hook_init_ops(struct nf_hook_ops *ops, struct wgmesh_dev *wd)
{
	ops->hook = wgmesh_hook;
	ops->pf = NFPROTO_NETDEV;
	ops->hooknum = NF_NETDEV_INGRESS;
	ops->priority = 0;
	ops->dev = wd->dev;
	ops->priv = wd;
}

static unsigned int wgmesh_border_hook(void *priv, struct sk_buff *skb,
				       const struct nf_hook_state *state)
{
	struct wgmesh_dev *wd;

	wd = wgmesh_dev_lookup_rcu(priv, state->in);
	if (!wd)
		wd = wgmesh_dev_lookup_rcu(priv, state->out);
	if (!wd)
		return NF_ACCEPT;
	wgmesh_count(wd->stats, WGMESH_CTR_DROP_CROSSING, segs_of(skb));
	return NF_DROP;
}

/* @devs: the namespace's attached devices. First in FORWARD, so no rule
 * of anyone else's can let such a packet through.
 */
void wgmesh_border_init_ops(struct nf_hook_ops *ops, struct list_head *devs)
{
	ops->hook = wgmesh_border_hook;
	ops->pf = NFPROTO_INET;
	ops->hooknum = NF_INET_FORWARD;
	ops->priority = NF_IP6_PRI_FIRST;
	ops->priv = devs;
}
