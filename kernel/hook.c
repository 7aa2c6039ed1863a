// SPDX-License-Identifier: GPL-2.0
/*
 * Why a netdev ingress hook: it sees every packet WireGuard decrypted, on
 * that device only, before IPv6 input, defragmentation and conntrack, and it
 * coexists with nftables netdev chains (an rx_handler would be exclusive and
 * tc would need a classifier). Mesh traffic for other members is sent
 * straight back out the same WireGuard device, which picks the peer by
 * destination, so IPv6 forwarding never has to be enabled on the host and
 * nothing from the mesh can leak to another interface.
 *
 * Everything here runs in softirq under rcu_read_lock(), taken by the
 * caller (__netif_receive_skb_core).
 */

#include <linux/icmpv6.h>
#include <linux/ipv6.h>
#include <linux/netfilter_netdev.h>
#include <linux/skbuff.h>
#include <net/ipv6.h>

#include "compat.h"
#include "device.h"
#include "hook.h"

static bool is_link_local(const struct in6_addr *a)
{
	return (a->s6_addr32[0] & htonl(0xffc00000)) == htonl(0xfe800000);
}

static unsigned int drop(struct wgmesh_dev *wd,
			 const struct wgmesh_member *blame, enum wgmesh_ctr ctr)
{
	wgmesh_count(wd->stats, ctr);
	if (blame)
		wgmesh_count(blame->stats->pcpu, ctr);
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

static unsigned int forward(struct wgmesh_dev *wd, struct sk_buff *skb,
			    const struct wgmesh_member *s,
			    const struct wgmesh_member *d)
{
	unsigned int mtu = READ_ONCE(skb->dev->mtu), len = skb->len;
	int rc;

	if (ipv6_hdr(skb)->hop_limit <= 1) {
		icmpv6_ndo_send(skb, ICMPV6_TIME_EXCEED, ICMPV6_EXC_HOPLIMIT, 0);
		return drop(wd, s, WGMESH_CTR_DROP_HOPLIMIT);
	}
	if (len > mtu && !(skb_is_gso(skb) &&
			   skb_gso_validate_network_len(skb, mtu))) {
		icmpv6_ndo_send(skb, ICMPV6_PKT_TOOBIG, 0, mtu);
		return drop(wd, s, WGMESH_CTR_DROP_TOOBIG);
	}
	if (skb_ensure_writable(skb, sizeof(struct ipv6hdr)))
		return drop(wd, s, WGMESH_CTR_DROP_XMIT);
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
		drop(wd, s, WGMESH_CTR_DROP_XMIT);
		return NF_STOLEN;
	}
	wgmesh_count_bytes(wd->stats, WGMESH_CTR_FWD_PACKETS, len);
	wgmesh_count_bytes(s->stats->pcpu, WGMESH_CTR_FWD_PACKETS, len);
	wgmesh_count_bytes(d->stats->pcpu, WGMESH_CTR_TX_PACKETS, len);
	return NF_STOLEN;
}

static unsigned int wgmesh_hook(void *priv, struct sk_buff *skb,
				const struct nf_hook_state *state)
{
	const struct wgmesh_member *s = NULL, *d = NULL;
	struct wgmesh_dev *wd = priv;
	const struct wgmesh_topology *t;
	const struct ipv6hdr *ip6;
	enum wgmesh_ctr ctr;

	t = rcu_dereference(wd->topo);
	if (!t || skb->protocol != htons(ETH_P_IPV6))
		goto pass;
	if (!pull_ipv6(skb))
		return drop(wd, NULL, WGMESH_CTR_DROP_MALFORMED);
	ip6 = ipv6_hdr(skb);
	if (ipv6_addr_is_multicast(&ip6->daddr) ||
	    is_link_local(&ip6->saddr) || is_link_local(&ip6->daddr))
		goto pass;

	wgmesh_count_bytes(wd->stats, WGMESH_CTR_RX_PACKETS, skb->len);
	ctr = wgmesh_decide(t, &ip6->saddr, &ip6->daddr, &s, &d);
	if (ctr == WGMESH_CTR_DROP_SPOOFED)
		return drop(wd, NULL, ctr);
	wgmesh_count_bytes(s->stats->pcpu, WGMESH_CTR_RX_PACKETS, skb->len);

	if (ctr == WGMESH_CTR_LOCAL_PACKETS) {
		wgmesh_count_bytes(wd->stats, WGMESH_CTR_LOCAL_PACKETS, skb->len);
		wgmesh_count_bytes(s->stats->pcpu, WGMESH_CTR_LOCAL_PACKETS,
				   skb->len);
		return NF_ACCEPT;
	}
	if (ctr != WGMESH_CTR_FWD_PACKETS)
		return drop(wd, s, ctr);
	return forward(wd, skb, s, d);

pass:
	wgmesh_count(wd->stats, WGMESH_CTR_PASS_PACKETS);
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
