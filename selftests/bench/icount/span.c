// SPDX-License-Identifier: GPL-2.0
/*
 * icount_span.ko (bench only): span markers (mark.h) around what a
 * controller does to a forwarded datagram between WireGuard's receive and
 * WireGuard's transmit, whoever does it: wgmesh.ko at ingress, or the
 * kernel's ip6_rcv()/ip6_forward()/ip6_output() with the module detached.
 *
 *   ip netns exec NS insmod icount_span.ko dev=wg0 port=7777
 *
 * registers, on device @dev of the caller's network namespace:
 *
 * - a netdev ingress hook at the lowest priority, so before any other
 *   (wgmesh.ko's is at 0), that starts a span for each IPv6 UDP datagram
 *   from or to @port (the bench's udpping);
 * - a netdev egress hook (__dev_queue_xmit(), before the qdisc and the
 *   driver) that ends a span, unconditionally: the plugin counts a stop
 *   with no span open as stray, so anything else leaving the device
 *   while none is open is ignored, and while one is, it shows.
 *
 * The span so covers the rest of the ingress hook chain (wgmesh.ko's hook,
 * decision and hand-off), or the stack's receive, route lookup, forward,
 * output and neighbour path, up to WireGuard's ndo_start_xmit, but not the
 * netdev ingress dispatch up to this hook, the qdisc bypass and WireGuard's
 * transmit after it, nor what runs after the transmit returns (wgmesh.ko's
 * counters, the stack's unwinding). Spans nest: with the list receive (the
 * stack forwards a GRO batch after running ingress for all of it) the
 * batch's spans overlap and count once; when one ends while others are
 * open the plugin pauses until ip6_forward() (the bench announces it as
 * the resume point, mark.h) or the next start, so that the transmit of a
 * batch's first packets stays out of the later ones' spans. Starts over
 * stops stay one per datagram.
 *
 * The module holds no reference on the device; its notifier unregisters
 * the hooks when the device goes away.
 */

#include <linux/ipv6.h>
#include <linux/module.h>
#include <linux/netdevice.h>
#include <linux/netfilter.h>
#include <linux/netfilter_netdev.h>
#include <linux/nsproxy.h>
#include <linux/udp.h>
#include <net/ipv6.h>
#include <net/net_namespace.h>

#include "mark.h"

static char *dev = "wg0";
module_param(dev, charp, 0444);
MODULE_PARM_DESC(dev, "device in the loader's network namespace");
static ushort port = 7777;
module_param(port, ushort, 0444);
MODULE_PARM_DESC(port, "UDP port (source or destination) of the datagrams");

/* The marker NOP of mark.h, its tag an immediate operand. */
#define SPAN_MARK	".byte 0x0f, 0x1f, 0x84, 0x00; .long %c0"

static struct nf_hook_ops ops[2];
static struct net *net;
static struct net_device *hooked;	/* under RTNL */

static bool ours(struct sk_buff *skb)
{
	struct udphdr _uh;
	const struct udphdr *uh;
	const struct ipv6hdr *ip6;

	if (skb->protocol != htons(ETH_P_IPV6) ||
	    !pskb_network_may_pull(skb, sizeof(*ip6)))
		return false;
	ip6 = ipv6_hdr(skb);
	if (ip6->nexthdr != IPPROTO_UDP)
		return false;
	uh = skb_header_pointer(skb, skb_network_offset(skb) + sizeof(*ip6),
				sizeof(_uh), &_uh);
	return uh && (uh->dest == htons(port) || uh->source == htons(port));
}

static unsigned int span_in(void *priv, struct sk_buff *skb,
			    const struct nf_hook_state *state)
{
	if (ours(skb))
		asm volatile(SPAN_MARK : : "i" (ICOUNT_SPAN_MAGIC));
	return NF_ACCEPT;
}

static unsigned int span_out(void *priv, struct sk_buff *skb,
			     const struct nf_hook_state *state)
{
	asm volatile(SPAN_MARK : : "i" (ICOUNT_SPAN_MAGIC | ICOUNT_STOP));
	return NF_ACCEPT;
}

static void unhook(void)
{
	ASSERT_RTNL();
	if (!hooked)
		return;
	nf_unregister_net_hooks(net, ops, ARRAY_SIZE(ops));
	hooked = NULL;
}

static int on_netdev(struct notifier_block *nb, unsigned long event,
		     void *ptr)
{
	if (event == NETDEV_UNREGISTER && netdev_notifier_info_to_dev(ptr) ==
	    hooked)
		unhook();
	return NOTIFY_DONE;
}

static struct notifier_block notifier = { .notifier_call = on_netdev };

static int __init span_init(void)
{
	struct net_device *d;
	int err;

	net = get_net(current->nsproxy->net_ns);
	err = register_netdevice_notifier(&notifier);
	if (err)
		goto err_put_net;
	rtnl_lock();
	d = __dev_get_by_name(net, dev);
	err = -ENODEV;
	if (!d)
		goto err_unlock;
	ops[0] = (struct nf_hook_ops){
		.hook = span_in, .pf = NFPROTO_NETDEV,
		.hooknum = NF_NETDEV_INGRESS, .priority = INT_MIN, .dev = d,
	};
	ops[1] = (struct nf_hook_ops){
		.hook = span_out, .pf = NFPROTO_NETDEV,
		.hooknum = NF_NETDEV_EGRESS, .priority = INT_MAX, .dev = d,
	};
	err = nf_register_net_hooks(net, ops, ARRAY_SIZE(ops));
	if (err)
		goto err_unlock;
	hooked = d;
	rtnl_unlock();
	return 0;

err_unlock:
	rtnl_unlock();
	unregister_netdevice_notifier(&notifier);
err_put_net:
	put_net(net);
	pr_err("icount_span: %s: cannot hook (%d)\n", dev, err);
	return err;
}

static void __exit span_exit(void)
{
	rtnl_lock();
	unhook();
	rtnl_unlock();
	unregister_netdevice_notifier(&notifier);
	put_net(net);
}

module_init(span_init);
module_exit(span_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("instruction-count span markers around forwarding (bench)");
