// SPDX-License-Identifier: GPL-2.0
/*
 * Why a receive handler: it sees every packet WireGuard decrypted, on that
 * device only, before IP input, defragmentation and conntrack, after the
 * device's taps, tc and nftables netdev chains, and it costs the receive
 * path one indirect call. A netfilter netdev ingress hook would see the
 * same packets but costs ~150 (6.1) to ~220 (6.12) instructions a packet
 * in __netif_receive_skb_core() and nf_hook_slow() (selftests/bench:
 * icount.sh, local case), about as much as the whole decision here. A
 * device has one receive handler, but only a bond, a team or Open
 * vSwitch would take a WireGuard device's (attach then fails); bridges,
 * macvlan and ipvlan want Ethernet.
 *
 * Mesh traffic for other members is sent straight back out the same
 * WireGuard device, which picks the peer by destination, so IP forwarding
 * never has to be enabled on the host.
 * IPv4 and IPv6 from the tunnel to anything but a member (its addresses,
 * its routed subnets) are dropped here, as is anything else, but for the
 * IPv4 of the members that use this controller as their exit gateway:
 * that goes on to the kernel's IPv4 forwarding and the host's NAT. Their
 * IPv6, from their routed global prefixes to the outside, is routed here
 * by the host's FIB and sent through the neighbour layer (exit6()), so
 * IPv6 forwarding stays off and router advertisements stay honoured.
 *
 * The border hook keeps the mesh apart from the host's other interfaces
 * whatever the forwarding sysctls say: at FORWARD (IPv4 and IPv6) it drops
 * every packet the kernel would route into an attached device or out of
 * one, but for the controller's own routed subnets (its LAN) and the IPv4
 * of exit users to and from the outside, so nothing else reaches the mesh
 * without having come from it, and nothing else from it leaves through
 * another interface.
 *
 * The exit hook (IPv6 PRE_ROUTING of the namespace, while some snapshot
 * has an exit user's IPv6 subnet) brings the outside's IPv6 for those
 * prefixes into the device, the other way (exit_in_hook()).
 *
 * All run in softirq under rcu_read_lock(), taken by their caller:
 * __netif_receive_skb() for the receive handler, nf_hook() for the
 * others. Internally every verdict is netfilter's (NF_ACCEPT, NF_DROP,
 * NF_STOLEN); the receive handler translates its own.
 */

#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <linux/inetdevice.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/netfilter/nf_conntrack_common.h>
#include <linux/netfilter_ipv6.h>
#include <linux/skbuff.h>
#include <net/addrconf.h>
#include <net/icmp.h>
#include <net/ip.h>
#include <net/ip6_route.h>
#include <net/ipv6.h>
#include <net/ndisc.h>
#include <net/neighbour.h>
#include <net/route.h>

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

/*
 * @skb: the dropped packet, for the drop event's addresses, when its IP
 * header is validated (else NULL).
 */
static unsigned int drop(struct wgmesh_dev *wd,
			 const struct wgmesh_topology *t,
			 const struct sk_buff *skb,
			 const struct wgmesh_member *blame, enum wgmesh_ctr ctr,
			 unsigned int segs)
{
	wgmesh_count(wd->stats, ctr, segs);
	if (blame)
		wgmesh_mcount(wgmesh_member_stats(t, blame),
			      WGMESH_MCTR_DROP_PACKETS, segs);
	if (unlikely(wgmesh_events_wanted(wd->dev)))
		wgmesh_events_record(wd, t, skb, blame, ctr, segs);
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

/* The same for IPv4, checksum included: ip_rcv() has not run yet. */
static bool pull_ipv4(struct sk_buff *skb)
{
	const struct iphdr *iph;
	u32 len;

	if (!pskb_may_pull(skb, sizeof(*iph)))
		return false;
	iph = ip_hdr(skb);
	if (iph->version != 4 || iph->ihl < 5 ||
	    !pskb_may_pull(skb, iph->ihl * 4))
		return false;
	iph = ip_hdr(skb);
	if (ip_fast_csum((const u8 *)iph, iph->ihl))
		return false;
	len = ntohs(iph->tot_len);
	/* Zero is a BIG TCP packet, which only GRO may build. */
	if (!len)
		return skb_is_gso(skb);
	return len >= iph->ihl * 4 && len <= skb->len;
}

/* What ip_rcv() and ipv6_rcv() check first: they drop everything else. */
static bool ipv6_enabled(const struct net_device *dev)
{
	const struct inet6_dev *idev = __in6_dev_get(dev);

	return idev && !READ_ONCE(idev->cnf.disable_ipv6);
}

static bool ipv4_enabled(const struct net_device *dev)
{
	return __in_dev_get_rcu(dev);
}

/*
 * skb_ensure_writable() for the first @len bytes, which the callers'
 * header checks (or ipv6_rcv()) have already pulled into the linear part:
 * then only a clone needs the call, and the forwarding path saves it.
 */
static int writable(struct sk_buff *skb, unsigned int len)
{
	return skb_cloned(skb) ? skb_ensure_writable(skb, len) : 0;
}

/* Too big for @mtu, and GSO would not make it fit either. */
static bool too_big(struct sk_buff *skb, unsigned int mtu)
{
	return skb->len > mtu && !(skb_is_gso(skb) &&
				   skb_gso_validate_network_len(skb, mtu));
}

/*
 * What ip_forward(), ip6_forward() and nft's fwd do before handing the
 * packet on. The receive timestamp goes too: on the way out a qdisc
 * (fq, etf) would read it as a departure time.
 */
static void scrub(struct sk_buff *skb)
{
	skb_forward_csum(skb);
	skb_scrub_packet(skb, false);
	skb_clear_tstamp(skb);
}

/*
 * The family-independent end of sending into @wd's device; consumes @skb.
 * @ctr counts it (WGMESH_CTR_FWD_PACKETS from @s, which is NULL for
 * WGMESH_CTR_EXIT_RX_PACKETS from the outside). @takeover: it goes to a
 * peer's address in another controller's /56. Inline, as hop6(): a call
 * with eight arguments cost the forwarding path a sixth of its
 * instructions (selftests/bench/icount.sh).
 */
static __always_inline unsigned int xmit(struct wgmesh_dev *wd,
					 const struct wgmesh_topology *t,
					 struct sk_buff *skb,
					 const struct wgmesh_member *s,
					 const struct wgmesh_member *d,
					 unsigned int segs,
					 enum wgmesh_ctr ctr, bool takeover)
{
	unsigned int len = skb->len;
	int rc;

	scrub(skb);

	/*
	 * The skb is gone whatever dev_queue_xmit() returns. Keep the call
	 * out of net_xmit_eval(): that macro evaluates its argument twice.
	 */
	rc = dev_queue_xmit(skb);
	if (net_xmit_eval(rc)) {
		drop(wd, t, NULL, s, WGMESH_CTR_DROP_XMIT, segs);
		return NF_STOLEN;
	}
	wgmesh_count_bytes(wd->stats, ctr, segs, len);
	if (takeover)
		wgmesh_count(wd->stats, WGMESH_CTR_TAKEOVER_PACKETS, segs);
	if (s)
		wgmesh_mcount_bytes(wgmesh_member_stats(t, s),
				    WGMESH_MCTR_FWD_PACKETS, segs, len);
	wgmesh_mcount_bytes(wgmesh_member_stats(t, d), WGMESH_MCTR_TX_PACKETS,
			    segs, len);
	return NF_STOLEN;
}

/*
 * The hop of an IPv6 packet about to leave by a link of @mtu, as
 * ip6_forward() makes it: Time Exceeded at the last hop, Packet Too Big
 * (IPv6 links carry at least 1280 bytes), then one hop less. False when
 * @skb is to be dropped (counted, against @blame).
 */
static __always_inline bool hop6(struct wgmesh_dev *wd,
				 const struct wgmesh_topology *t,
				 struct sk_buff *skb,
				 const struct wgmesh_member *blame,
				 unsigned int mtu, unsigned int segs)
{
	enum wgmesh_ctr ctr = WGMESH_CTR_DROP_XMIT;

	if (ipv6_hdr(skb)->hop_limit <= 1) {
		icmpv6_ndo_send(skb, ICMPV6_TIME_EXCEED, ICMPV6_EXC_HOPLIMIT,
				0);
		ctr = WGMESH_CTR_DROP_HOPLIMIT;
	} else if (too_big(skb, mtu)) {
		icmpv6_ndo_send(skb, ICMPV6_PKT_TOOBIG, 0,
				max_t(u32, mtu, IPV6_MIN_MTU));
		ctr = WGMESH_CTR_DROP_TOOBIG;
	} else if (!writable(skb, sizeof(struct ipv6hdr))) {
		ipv6_hdr(skb)->hop_limit--;
		return true;
	}
	drop(wd, t, skb, blame, ctr, segs);
	return false;
}

/* @takeover: as wgmesh_decide() found it. */
static unsigned int forward6(struct wgmesh_dev *wd,
			     const struct wgmesh_topology *t,
			     struct sk_buff *skb, const struct wgmesh_member *s,
			     const struct wgmesh_member *d, unsigned int segs,
			     bool takeover)
{
	if (!hop6(wd, t, skb, s, READ_ONCE(skb->dev->mtu), segs))
		return NF_DROP;
	return xmit(wd, t, skb, s, d, segs, WGMESH_CTR_FWD_PACKETS, takeover);
}

/*
 * icmp_send() answers along the route the packet arrived by, and at
 * ingress there is none yet: give it the route back to the sender, as
 * nf_send_unreach() does in PREROUTING.
 */
static void icmp4_send(struct sk_buff *skb, int type, int code, __be32 info)
{
	struct flowi4 fl4 = { .daddr = ip_hdr(skb)->saddr };
	struct rtable *rt;

	if (!skb_dst(skb)) {
		rt = ip_route_output_key(dev_net(skb->dev), &fl4);
		if (IS_ERR(rt))
			return;
		skb_dst_set(skb, &rt->dst);
	}
	icmp_ndo_send(skb, type, code, info);
}

/*
 * IPv4 forwarding never fragments: a packet over the MTU with DF gets
 * Fragmentation Needed (as a tunnel answers at ingress), one without DF
 * is dropped (the mesh's machines all have the mesh's MTU).
 */
static unsigned int forward4(struct wgmesh_dev *wd,
			     const struct wgmesh_topology *t,
			     struct sk_buff *skb, const struct wgmesh_member *s,
			     const struct wgmesh_member *d, unsigned int segs)
{
	unsigned int mtu = READ_ONCE(skb->dev->mtu);

	if (ip_hdr(skb)->ttl <= 1) {
		icmp4_send(skb, ICMP_TIME_EXCEEDED, ICMP_EXC_TTL, 0);
		return drop(wd, t, skb, s, WGMESH_CTR_DROP_HOPLIMIT, segs);
	}
	if (too_big(skb, mtu)) {
		if (ip_hdr(skb)->frag_off & htons(IP_DF))
			icmp4_send(skb, ICMP_DEST_UNREACH, ICMP_FRAG_NEEDED,
				   htonl(mtu));
		return drop(wd, t, skb, s, WGMESH_CTR_DROP_TOOBIG, segs);
	}
	if (writable(skb, sizeof(struct iphdr)))
		return drop(wd, t, skb, s, WGMESH_CTR_DROP_XMIT, segs);
	ip_decrease_ttl(ip_hdr(skb));
	return xmit(wd, t, skb, s, d, segs, WGMESH_CTR_FWD_PACKETS, false);
}

static unsigned int local(struct wgmesh_dev *wd,
			  const struct wgmesh_topology *t,
			  const struct sk_buff *skb,
			  const struct wgmesh_member *s, unsigned int segs)
{
	unsigned int len = skb->len;

	wgmesh_count_bytes(wd->stats, WGMESH_CTR_LOCAL_PACKETS, segs, len);
	wgmesh_mcount_bytes(wgmesh_member_stats(t, s),
			    WGMESH_MCTR_LOCAL_PACKETS, segs, len);
	return NF_ACCEPT;
}

/*
 * An exit user's IPv6 to the outside (WGMESH_CTR_EXIT_TX_PACKETS): routed
 * by this host's FIB as ip6_route_input() would route it arriving on the
 * device (its rules see the device as iif, the mark, the source), then
 * handed to the neighbour layer as nft's fwd (nft_fwd_neigh_eval()) and
 * ip6_finish_output2() do, never to ip6_forward(): no IPv6 forwarding
 * sysctl is needed, so the host keeps accepting router advertisements
 * (with forwarding on, accept_ra=1 ignores them). Hop limit, Time
 * Exceeded and Packet Too Big as for the mesh; no route gets Destination
 * Unreachable. A destination the FIB delivers locally (an address of this
 * host's) is delivered as such; one it routes into an attached device
 * would cross the border (see the border hook) and is dropped. Out of
 * line: its flow and route keep a stack frame the mesh's packets need not
 * set up.
 */
static noinline unsigned int exit6(struct wgmesh_dev *wd,
				   const struct wgmesh_topology *t,
				   struct sk_buff *skb,
				   const struct wgmesh_member *s,
				   unsigned int segs)
{
	const struct ipv6hdr *ip6 = ipv6_hdr(skb);
	struct net *net = dev_net(skb->dev);
	struct flowi6 fl6 = {
		.flowi6_iif = skb->dev->ifindex,
		.daddr = ip6->daddr,
		.saddr = ip6->saddr,
		.flowlabel = ip6_flowinfo(ip6),
		.flowi6_mark = skb->mark,
		.flowi6_proto = ip6->nexthdr,
	};
	enum wgmesh_ctr ctr = WGMESH_CTR_DROP_XMIT;
	struct net_device *dev;
	struct dst_entry *dst;
	struct in6_addr nh;
	unsigned int len, mtu;
	int rc;

	/* A reference of ours: no RT6_LOOKUP_F_DST_NOREF. */
	dst = ip6_route_input_lookup(net, skb->dev, &fl6, skb,
				     RT6_LOOKUP_F_HAS_SADDR);
	if (dst->error) {
		rc = dst->error;
		dst_release(dst);
		/* As ip6_pkt_discard() and ip6_pkt_prohibit() answer;
		 * a blackhole route (-EINVAL) answers nothing.
		 */
		if (rc == -EACCES)
			icmpv6_ndo_send(skb, ICMPV6_DEST_UNREACH,
					ICMPV6_ADM_PROHIBITED, 0);
		else if (rc != -EINVAL)
			icmpv6_ndo_send(skb, ICMPV6_DEST_UNREACH,
					ICMPV6_NOROUTE, 0);
		return drop(wd, t, skb, s, WGMESH_CTR_DROP_NOROUTE, segs);
	}
	if (dst_rt6_info(dst)->rt6i_flags & (RTF_LOCAL | RTF_ANYCAST)) {
		dst_release(dst);
		return local(wd, t, skb, s, segs);
	}
	/* Forwarded, not delivered: only now does the hop limit count. */
	if (ipv6_hdr(skb)->hop_limit <= 1) {
		dst_release(dst);
		icmpv6_ndo_send(skb, ICMPV6_TIME_EXCEED, ICMPV6_EXC_HOPLIMIT,
				0);
		return drop(wd, t, skb, s, WGMESH_CTR_DROP_HOPLIMIT, segs);
	}
	dev = dst->dev;
	if (wgmesh_dev_find_rcu(net, dev->ifindex)) {
		ctr = WGMESH_CTR_DROP_CROSSING;
		goto err;
	}
	mtu = max_t(u32, ip6_dst_mtu_maybe_forward(dst, true), IPV6_MIN_MTU);
	if (too_big(skb, mtu)) {
		icmpv6_ndo_send(skb, ICMPV6_PKT_TOOBIG, 0, mtu);
		ctr = WGMESH_CTR_DROP_TOOBIG;
		goto err;
	}
	/* Room for the link layer header, as ip6_finish_output2() makes. */
	if (skb_ensure_writable(skb, sizeof(struct ipv6hdr)) ||
	    skb_cow_head(skb, LL_RESERVED_SPACE(dev)))
		goto err;
	ipv6_hdr(skb)->hop_limit--;
	nh = *rt6_nexthop(dst_rt6_info(dst), &ipv6_hdr(skb)->daddr);
	len = skb->len;
	scrub(skb);
	skb_dst_set(skb, dst);
	skb->dev = dev;
	/* Consumes the skb; queued behind neighbour discovery, it is 0. */
	rc = neigh_xmit(NEIGH_ND_TABLE, dev, &nh, skb);
	if (net_xmit_eval(rc)) {
		drop(wd, t, NULL, s, WGMESH_CTR_DROP_XMIT, segs);
		return NF_STOLEN;
	}
	wgmesh_count_bytes(wd->stats, WGMESH_CTR_EXIT_TX_PACKETS, segs, len);
	wgmesh_mcount_bytes(wgmesh_member_stats(t, s), WGMESH_MCTR_FWD_PACKETS,
			    segs, len);
	return NF_STOLEN;

err:
	dst_release(dst);
	return drop(wd, t, skb, s, ctr, segs);
}

/*
 * Acts on the decision @ctr about a packet from the tunnel, when it is not
 * to be forwarded: the hooks call forward6() and forward4() themselves,
 * directly, so that the common case costs no indirect call.
 */
static unsigned int act(struct wgmesh_dev *wd,
			const struct wgmesh_topology *t, struct sk_buff *skb,
			enum wgmesh_ctr ctr, const struct wgmesh_member *s,
			unsigned int segs)
{
	if (ctr == WGMESH_CTR_DROP_SPOOFED)
		return drop(wd, t, skb, NULL, ctr, segs);
	if (ctr == WGMESH_CTR_LOCAL_PACKETS)
		return local(wd, t, skb, s, segs);
	return drop(wd, t, skb, s, ctr, segs);
}

static unsigned int pass(struct wgmesh_dev *wd, unsigned int segs)
{
	wgmesh_count(wd->stats, WGMESH_CTR_PASS_PACKETS, segs);
	return NF_ACCEPT;
}

static unsigned int hook6(struct wgmesh_dev *wd,
			  const struct wgmesh_topology *t, struct sk_buff *skb,
			  unsigned int segs)
{
	const struct wgmesh_member *s = NULL, *d = NULL;
	const struct ipv6hdr *ip6;
	enum wgmesh_ctr ctr;
	bool takeover;

	if (!ipv6_enabled(skb->dev))
		return pass(wd, segs);
	if (!pull_ipv6(skb))
		return drop(wd, t, NULL, NULL, WGMESH_CTR_DROP_MALFORMED, segs);
	ip6 = ipv6_hdr(skb);
	/* The mesh's own addresses (fd00::/8) are neither. */
	if ((!wgmesh_in_prefix(t, &ip6->saddr) ||
	     !wgmesh_in_prefix(t, &ip6->daddr)) &&
	    (ipv6_addr_is_multicast(&ip6->daddr) ||
	     is_link_local(&ip6->saddr) || is_link_local(&ip6->daddr)))
		return pass(wd, segs);
	/* Counted after the decision, which then shares the loads above. */
	ctr = wgmesh_decide(t, &ip6->saddr, &ip6->daddr, &s, &d, &takeover);
	wgmesh_count_bytes(wd->stats, WGMESH_CTR_RX_PACKETS, segs, skb->len);
	if (likely(ctr == WGMESH_CTR_FWD_PACKETS))
		return forward6(wd, t, skb, s, d, segs, takeover);
	if (ctr == WGMESH_CTR_EXIT_TX_PACKETS)
		return exit6(wd, t, skb, s, segs);
	return act(wd, t, skb, ctr, s, segs);
}

static unsigned int hook4(struct wgmesh_dev *wd,
			  const struct wgmesh_topology *t, struct sk_buff *skb,
			  unsigned int segs)
{
	const struct wgmesh_member *s = NULL, *d = NULL;
	const struct iphdr *iph;
	enum wgmesh_ctr ctr;

	if (!ipv4_enabled(skb->dev))
		return pass(wd, segs);
	if (!pull_ipv4(skb))
		return drop(wd, t, NULL, NULL, WGMESH_CTR_DROP_MALFORMED, segs);
	iph = ip_hdr(skb);
	if (ipv4_is_multicast(iph->daddr) || ipv4_is_lbcast(iph->daddr) ||
	    ipv4_is_linklocal_169(iph->saddr) ||
	    ipv4_is_linklocal_169(iph->daddr))
		return pass(wd, segs);
	wgmesh_count_bytes(wd->stats, WGMESH_CTR_RX_PACKETS, segs, skb->len);
	ctr = wgmesh_decide4(t, iph->saddr, iph->daddr, &s, &d);
	if (likely(ctr == WGMESH_CTR_FWD_PACKETS))
		return forward4(wd, t, skb, s, d, segs);
	return act(wd, t, skb, ctr, s, segs);
}

/* The verdict, in netfilter's terms as the other hooks give theirs. */
static __always_inline unsigned int hook(struct wgmesh_dev *wd,
					 struct sk_buff *skb)
{
	unsigned int segs = segs_of(skb);
	const struct wgmesh_topology *t;

	t = rcu_dereference(wd->topo);
	if (!t)
		return pass(wd, segs);
	if (skb->protocol == htons(ETH_P_IPV6))
		return hook6(wd, t, skb, segs);
	if (skb->protocol == htons(ETH_P_IP))
		return hook4(wd, t, skb, segs);
	return drop(wd, t, skb, NULL, WGMESH_CTR_DROP_PROTO, segs);
}

rx_handler_result_t wgmesh_rx_handler(struct sk_buff **pskb)
{
	struct sk_buff *skb = *pskb;

	switch (hook(rcu_dereference(skb->dev->rx_handler_data), skb)) {
	case NF_ACCEPT:
		return RX_HANDLER_PASS;
	case NF_DROP:
		kfree_skb(skb);
		return RX_HANDLER_CONSUMED;
	default:	/* NF_STOLEN: sent on */
		return RX_HANDLER_CONSUMED;
	}
}

/*
 * Does the packet's source (or destination, @dst) lie in a subnet of this
 * controller's own: its LAN, which the kernel may route to and from.
 */
static bool self_subnet(const struct wgmesh_topology *t,
			const struct sk_buff *skb, u8 pf, bool dst)
{
	const struct wgmesh_subnet *s;
	const struct in6_addr *a6;

	if (pf == NFPROTO_IPV4) {
		s = wgmesh_subnet_find(&t->subnets,
				       wgmesh_key4(dst ? ip_hdr(skb)->daddr :
						   ip_hdr(skb)->saddr),
				       AF_INET);
	} else {
		a6 = dst ? &ipv6_hdr(skb)->daddr : &ipv6_hdr(skb)->saddr;
		s = wgmesh_in_prefix(t, a6) ? NULL :
		    wgmesh_subnet_find(&t->subnets, wgmesh_key6(a6),
				       AF_INET6);
	}
	return s && s->member == t->self;
}

/*
 * Whether conntrack (which ran at PREROUTING) saw @skb as a reply, or an
 * error about one, of a connection opened the other way: from the mesh.
 */
static bool ct_reply(const struct sk_buff *skb)
{
	unsigned long nfct = skb_get_nfct(skb);
	unsigned long info = nfct & NFCT_INFOMASK;

	return (nfct & NFCT_PTRMASK) && (info == IP_CT_ESTABLISHED_REPLY ||
					 info == IP_CT_RELATED_REPLY);
}

/*
 * IPv4 between an exit user's mesh address and the outside: out of the
 * device from the user (@in), or into it for the user, only as a reply
 * (after the host's NAT has turned its destination back into the user's
 * address): the outside never opens a connection into the mesh.
 */
static bool exit_traffic(const struct wgmesh_topology *t,
			 const struct sk_buff *skb, u8 pf, bool in)
{
	const struct wgmesh_member *m = NULL, *o = NULL;
	enum wgmesh_addr_kind k;
	const struct wgmesh_class *c, *oc;
	__be32 user, other;

	if (pf != NFPROTO_IPV4 || (!in && !ct_reply(skb)))
		return false;
	user = in ? ip_hdr(skb)->saddr : ip_hdr(skb)->daddr;
	other = in ? ip_hdr(skb)->daddr : ip_hdr(skb)->saddr;
	k = wgmesh_classify4(t, user, &m, &c);
	return wgmesh_exit_user4(k, c) &&
	       wgmesh_classify4(t, other, &o, &oc) == WGMESH_ADDR_OUTSIDE;
}

/*
 * Into the device from elsewhere, or out of it to elsewhere: only this
 * controller's LAN may talk with the mesh that way, and the outside with
 * the members that use this controller as their exit (what comes in from
 * the tunnel passed the receive handler first).
 */
static unsigned int wgmesh_border_hook(void *priv, struct sk_buff *skb,
				       const struct nf_hook_state *state)
{
	struct wgmesh_dev *in, *out, *wd;
	const struct wgmesh_topology *t;

	in = wgmesh_dev_lookup_rcu(priv, state->in);
	out = wgmesh_dev_lookup_rcu(priv, state->out);
	if (!in && !out)
		return NF_ACCEPT;
	wd = in ? in : out;
	t = rcu_dereference(wd->topo);
	if (t && !(in && out) && (self_subnet(t, skb, state->pf, !!in) ||
				  exit_traffic(t, skb, state->pf, !!in)))
		return NF_ACCEPT;
	return drop(wd, t, skb, NULL, WGMESH_CTR_DROP_CROSSING, segs_of(skb));
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

/*
 * The outside's IPv6 for a routed global prefix of a peer that uses this
 * controller as its exit, into @wd's device: as forward6() does, with
 * Time Exceeded and Packet Too Big back to the sender. Consumes @skb.
 */
static unsigned int exit_in(struct wgmesh_dev *wd,
			    const struct wgmesh_topology *t,
			    struct sk_buff *skb, const struct wgmesh_member *d)
{
	unsigned int segs = segs_of(skb);

	if (!hop6(wd, t, skb, NULL, READ_ONCE(wd->dev->mtu), segs))
		return NF_DROP;
	skb->dev = wd->dev;
	/* WireGuard picks the peer by destination: the prefix's owner. */
	return xmit(wd, t, skb, NULL, d, segs, WGMESH_CTR_EXIT_RX_PACKETS,
		    false);
}

/*
 * IPv6 PRE_ROUTING of a namespace whose attached devices have exit users
 * with IPv6 subnets (registered only then: device.c): a packet that
 * arrived on any other interface, from a global address outside the mesh
 * to a routed global prefix of an exit user of an attached device, goes
 * into that device here, before routing, so the host never forwards it
 * (ip6_forward() would drop it with forwarding off, and turning
 * forwarding on costs the host its router advertisements). Anything else
 * is left to the stack, and so to the border hook: nothing else enters
 * the mesh from outside.
 */
static unsigned int exit_in_hook(void *priv, struct sk_buff *skb,
				 const struct nf_hook_state *state)
{
	const struct wgmesh_member *d = NULL, *s = NULL;
	const struct wgmesh_class *dc, *sc;
	const struct wgmesh_topology *t;
	const struct ipv6hdr *ip6;
	enum wgmesh_addr_kind k;
	struct wgmesh_dev *wd;
	unsigned int verdict;

	/* A frame for another host (a bridge's, with br_netfilter) is not
	 * this host's to route.
	 */
	if (skb->pkt_type != PACKET_HOST)
		return NF_ACCEPT;
	/* ipv6_rcv() checked the header. */
	ip6 = ipv6_hdr(skb);
	if (!wgmesh_is_global6(&ip6->daddr) ||
	    !wgmesh_is_global6(&ip6->saddr) ||
	    wgmesh_dev_lookup_rcu(priv, state->in))
		return NF_ACCEPT;
	list_for_each_entry_rcu(wd, (struct list_head *)priv, list) {
		t = rcu_dereference(wd->topo);
		if (!t)
			continue;
		k = wgmesh_classify(t, &ip6->daddr, &d, &dc);
		if (!wgmesh_exit_user6(k, dc, &ip6->daddr))
			continue;
		if (wgmesh_classify(t, &ip6->saddr, &s, &sc) !=
		    WGMESH_ADDR_OUTSIDE)
			return NF_ACCEPT;
		/* Softirq as a rule, but a queue's reinject runs the hooks
		 * in process context: the per-CPU counters need BHs off.
		 */
		local_bh_disable();
		verdict = exit_in(wd, t, skb, d);
		local_bh_enable();
		return verdict;
	}
	return NF_ACCEPT;
}

/*
 * @devs: the namespace's attached devices. PRE_ROUTING rather than an
 * ingress hook on each uplink: it sees every interface, present and
 * future, without following their coming and going, and the stack has
 * validated the header. Its priority is just before defragmentation and
 * conntrack: a router forwards fragments as they come (reassembled, they
 * might no longer fit the tunnel) and keeps no state for them, and
 * NF_IP6_PRI_RAW_BEFORE_DEFRAG chains (nftables "priority -450") still
 * see, and may drop, what comes in.
 */
void wgmesh_exit_in_init_ops(struct nf_hook_ops *ops, struct list_head *devs)
{
	ops->hook = exit_in_hook;
	ops->pf = NFPROTO_IPV6;
	ops->hooknum = NF_INET_PRE_ROUTING;
	ops->priority = NF_IP6_PRI_CONNTRACK_DEFRAG - 1;
	ops->priv = devs;
}
