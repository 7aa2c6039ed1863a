// SPDX-License-Identifier: GPL-2.0
/*
 * WireGuard generic netlink client, see wg.h. The message layout and the
 * rules for continuing a peer over several messages are those documented
 * in linux/wireguard.h.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/genetlink.h>
#include <linux/time_types.h>
#include <sodium.h>

#include "../lib/array.h"
#include "wg.h"

int nlwg_open(struct nlwg *w)
{
	int ret = nls_open(&w->s, NETLINK_GENERIC);

	if (ret)
		return ret;
	ret = nls_genl_family(&w->s, WG_GENL_NAME, &w->family);
	if (ret == -ENOENT)
		snprintf(w->s.err, sizeof(w->s.err),
			 "generic netlink family \"%s\" not found: is the wireguard module available?",
			 WG_GENL_NAME);
	if (ret)
		nls_close(&w->s);
	return ret;
}

void nlwg_close(struct nlwg *w)
{
	nls_close(&w->s);
}

const struct wg_peer *wg_device_find_peer(const struct wg_device *dev,
					  const uint8_t key[WG_KEY_LEN])
{
	for (size_t i = 0; i < dev->n_peers; i++)
		if (!memcmp(dev->peers[i].public_key, key, WG_KEY_LEN))
			return &dev->peers[i];
	return NULL;
}

struct wg_peer *wg_device_add_peer(struct wg_device *dev)
{
	return array_push_wiped(&dev->peers, &dev->n_peers, &dev->cap_peers,
				sizeof(*dev->peers));
}

struct wg_allowedip *wg_peer_add_ip(struct wg_peer *peer)
{
	return array_push(&peer->ips, &peer->n_ips, &peer->cap_ips,
			  sizeof(*peer->ips));
}

void wg_device_free(struct wg_device *dev)
{
	for (size_t i = 0; i < dev->n_peers; i++)
		free(dev->peers[i].ips);
	if (dev->peers)
		sodium_memzero(dev->peers, (dev->cap_peers > dev->n_peers ?
					    dev->cap_peers : dev->n_peers) *
					   sizeof(*dev->peers));
	free(dev->peers);
	sodium_memzero(dev, sizeof(*dev));
}

static struct nlmsghdr *wg_msg(struct nlwg *w, void *buf, uint8_t cmd,
			       uint16_t flags)
{
	struct nlmsghdr *nlh = nls_msg(&w->s, buf, w->family, flags);
	struct genlmsghdr *g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));

	g->cmd = cmd;
	g->version = WG_GENL_VERSION;
	return nlh;
}

/* ---- WG_CMD_GET_DEVICE ---- */

static int parse_ip(const struct nlattr *nest, struct wg_peer *peer)
{
	struct wg_allowedip *ip = wg_peer_add_ip(peer);
	const struct nlattr *a;

	if (!ip)
		return -ENOMEM;
	mnl_attr_for_each_nested(a, nest) {
		uint16_t len = mnl_attr_get_payload_len(a);

		switch (mnl_attr_get_type(a)) {
		case WGALLOWEDIP_A_FAMILY:
			if (len == sizeof(uint16_t))
				ip->family = mnl_attr_get_u16(a);
			break;
		case WGALLOWEDIP_A_IPADDR:
			if (len == sizeof(ip->ip4) || len == sizeof(ip->ip6))
				memcpy(&ip->ip6, mnl_attr_get_payload(a), len);
			break;
		case WGALLOWEDIP_A_CIDR_MASK:
			if (len == sizeof(uint8_t))
				ip->cidr = mnl_attr_get_u8(a);
			break;
		}
	}
	return 0;
}

static int parse_peer(const struct nlattr *nest, struct wg_device *dev)
{
	const struct nlattr *a, *key = NULL;
	struct wg_peer *peer;

	mnl_attr_for_each_nested(a, nest)
		if (mnl_attr_get_type(a) == WGPEER_A_PUBLIC_KEY &&
		    mnl_attr_get_payload_len(a) == WG_KEY_LEN)
			key = a;
	if (!key)
		return -EPROTO;
	/* A peer whose allowed IPs did not fit continues in the next message. */
	if (dev->n_peers &&
	    !memcmp(dev->peers[dev->n_peers - 1].public_key,
		    mnl_attr_get_payload(key), WG_KEY_LEN)) {
		peer = &dev->peers[dev->n_peers - 1];
	} else {
		peer = wg_device_add_peer(dev);
		if (!peer)
			return -ENOMEM;
		memcpy(peer->public_key, mnl_attr_get_payload(key), WG_KEY_LEN);
	}
	mnl_attr_for_each_nested(a, nest) {
		uint16_t len = mnl_attr_get_payload_len(a);
		const struct nlattr *ipn;
		int ret;

		switch (mnl_attr_get_type(a)) {
		case WGPEER_A_PRESHARED_KEY:
			if (len == WG_KEY_LEN)
				memcpy(peer->preshared_key,
				       mnl_attr_get_payload(a), WG_KEY_LEN);
			break;
		case WGPEER_A_ENDPOINT:
			if (len == sizeof(struct sockaddr_in) ||
			    len == sizeof(struct sockaddr_in6))
				memcpy(&peer->endpoint, mnl_attr_get_payload(a),
				       len);
			break;
		case WGPEER_A_PERSISTENT_KEEPALIVE_INTERVAL:
			if (len == sizeof(uint16_t))
				peer->keepalive = mnl_attr_get_u16(a);
			break;
		case WGPEER_A_LAST_HANDSHAKE_TIME:
			if (len == sizeof(struct __kernel_timespec)) {
				struct __kernel_timespec ts;

				/* Attributes are only 4-byte aligned. */
				memcpy(&ts, mnl_attr_get_payload(a), len);
				peer->handshake_sec = ts.tv_sec;
				peer->handshake_nsec = ts.tv_nsec;
			}
			break;
		case WGPEER_A_RX_BYTES:
			if (len == sizeof(uint64_t))
				peer->rx_bytes = mnl_attr_get_u64(a);
			break;
		case WGPEER_A_TX_BYTES:
			if (len == sizeof(uint64_t))
				peer->tx_bytes = mnl_attr_get_u64(a);
			break;
		case WGPEER_A_ALLOWEDIPS:
			mnl_attr_for_each_nested(ipn, a) {
				ret = parse_ip(ipn, peer);
				if (ret)
					return ret;
			}
			break;
		}
	}
	return 0;
}

static int get_cb(const struct nlmsghdr *nlh, void *data)
{
	struct wg_device *dev = data;
	const struct nlattr *a, *p;
	int ret;

	mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr)) {
		uint16_t len = mnl_attr_get_payload_len(a);

		switch (mnl_attr_get_type(a)) {
		case WGDEVICE_A_IFINDEX:
			if (len == sizeof(uint32_t))
				dev->ifindex = mnl_attr_get_u32(a);
			break;
		case WGDEVICE_A_IFNAME:
			if (mnl_attr_validate(a, MNL_TYPE_NUL_STRING) >= 0)
				snprintf(dev->ifname, sizeof(dev->ifname), "%s",
					 mnl_attr_get_str(a));
			break;
		case WGDEVICE_A_PRIVATE_KEY:
			if (len == WG_KEY_LEN) {
				memcpy(dev->private_key,
				       mnl_attr_get_payload(a), WG_KEY_LEN);
				dev->has_private_key = !sodium_is_zero(
					dev->private_key, WG_KEY_LEN);
			}
			break;
		case WGDEVICE_A_PUBLIC_KEY:
			if (len == WG_KEY_LEN)
				memcpy(dev->public_key,
				       mnl_attr_get_payload(a), WG_KEY_LEN);
			break;
		case WGDEVICE_A_LISTEN_PORT:
			if (len == sizeof(uint16_t))
				dev->listen_port = mnl_attr_get_u16(a);
			break;
		case WGDEVICE_A_FWMARK:
			if (len == sizeof(uint32_t))
				dev->fwmark = mnl_attr_get_u32(a);
			break;
		case WGDEVICE_A_PEERS:
			mnl_attr_for_each_nested(p, a) {
				ret = parse_peer(p, dev);
				if (ret) {
					errno = -ret;
					return MNL_CB_ERROR;
				}
			}
			break;
		}
	}
	return MNL_CB_OK;
}

int nlwg_get(struct nlwg *w, const char *ifname, struct wg_device *dev)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	char op[64];
	int ret;

	memset(dev, 0, sizeof(*dev));
	nlh = wg_msg(w, buf, WG_CMD_GET_DEVICE, NLM_F_DUMP);
	mnl_attr_put_strz(nlh, WGDEVICE_A_IFNAME, ifname);
	snprintf(op, sizeof(op), "WG_CMD_GET_DEVICE %s", ifname);
	ret = nls_talk(&w->s, nlh, get_cb, dev, op);
	/* It held the private key and the preshared keys. */
	sodium_memzero(w->s.buf, NLS_BUFLEN);
	if (ret)
		wg_device_free(dev);
	return ret;
}

/* ---- WG_CMD_SET_DEVICE ---- */

static bool put_endpoint(struct nlmsghdr *nlh, size_t room,
			 const union wg_endpoint *ep)
{
	size_t len = ep->sa.sa_family == AF_INET6 ? sizeof(ep->sin6)
						  : sizeof(ep->sin);

	return mnl_attr_put_check(nlh, room, WGPEER_A_ENDPOINT, len, ep);
}

static bool put_ip(struct nlmsghdr *nlh, size_t room,
		   const struct wg_allowedip *ip)
{
	struct nlattr *n = mnl_attr_nest_start_check(nlh, room, 0);

	if (!n)
		return false;
	if (!mnl_attr_put_u16_check(nlh, room, WGALLOWEDIP_A_FAMILY,
				    ip->family) ||
	    !mnl_attr_put_check(nlh, room, WGALLOWEDIP_A_IPADDR,
				ip->family == AF_INET6 ? sizeof(ip->ip6)
						       : sizeof(ip->ip4),
				&ip->ip6) ||
	    !mnl_attr_put_u8_check(nlh, room, WGALLOWEDIP_A_CIDR_MASK,
				   ip->cidr)) {
		mnl_attr_nest_cancel(nlh, n);
		return false;
	}
	mnl_attr_nest_end(nlh, n);
	return true;
}

/* The first part of a peer: everything but its allowed IPs. */
static bool put_peer_head(struct nlmsghdr *nlh, size_t room,
			  const struct wg_peer *p)
{
	if (p->flags &&
	    !mnl_attr_put_u32_check(nlh, room, WGPEER_A_FLAGS, p->flags))
		return false;
	if (p->set_preshared_key &&
	    !mnl_attr_put_check(nlh, room, WGPEER_A_PRESHARED_KEY, WG_KEY_LEN,
				p->preshared_key))
		return false;
	if (p->set_endpoint && p->endpoint.sa.sa_family &&
	    !put_endpoint(nlh, room, &p->endpoint))
		return false;
	if (p->set_keepalive &&
	    !mnl_attr_put_u16_check(nlh, room,
				    WGPEER_A_PERSISTENT_KEEPALIVE_INTERVAL,
				    p->keepalive))
		return false;
	return true;
}

int nlwg_set(struct nlwg *w, const struct wg_device *dev)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	const size_t room = sizeof(buf);
	size_t pi = 0, ii = 0;
	bool started = false;	/* peers[pi]'s head went out already */
	bool first = true;
	char op[64];
	int ret;

	snprintf(op, sizeof(op), "WG_CMD_SET_DEVICE %s", dev->ifname);
	do {
		struct nlmsghdr *nlh = wg_msg(w, buf, WG_CMD_SET_DEVICE, 0);
		size_t pi0 = pi, ii0 = ii;
		bool started0 = started;
		struct nlattr *peers;

		mnl_attr_put_strz(nlh, WGDEVICE_A_IFNAME, dev->ifname);
		if (first) {
			if (dev->has_private_key)
				mnl_attr_put(nlh, WGDEVICE_A_PRIVATE_KEY,
					     WG_KEY_LEN, dev->private_key);
			if (dev->set_listen_port)
				mnl_attr_put_u16(nlh, WGDEVICE_A_LISTEN_PORT,
						 dev->listen_port);
			if (dev->set_fwmark)
				mnl_attr_put_u32(nlh, WGDEVICE_A_FWMARK,
						 dev->fwmark);
		}
		peers = pi < dev->n_peers ?
			mnl_attr_nest_start_check(nlh, room, WGDEVICE_A_PEERS) :
			NULL;
		for (; peers && pi < dev->n_peers; pi++) {
			const struct wg_peer *p = &dev->peers[pi];
			struct nlattr *pn, *ipn;

			pn = mnl_attr_nest_start_check(nlh, room, 0);
			if (!pn)
				break;
			if (!mnl_attr_put_check(nlh, room, WGPEER_A_PUBLIC_KEY,
						WG_KEY_LEN, p->public_key) ||
			    (!started && !put_peer_head(nlh, room, p))) {
				mnl_attr_nest_cancel(nlh, pn);
				break;
			}
			started = true;
			if (p->set_ips && !(p->flags & WGPEER_F_REMOVE_ME) &&
			    ii < p->n_ips) {
				ipn = mnl_attr_nest_start_check(nlh, room,
							WGPEER_A_ALLOWEDIPS);
				if (!ipn) {
					mnl_attr_nest_end(nlh, pn);
					break;
				}
				while (ii < p->n_ips &&
				       put_ip(nlh, room, &p->ips[ii]))
					ii++;
				mnl_attr_nest_end(nlh, ipn);
				if (ii < p->n_ips) {
					/* Continue this peer next message. */
					mnl_attr_nest_end(nlh, pn);
					break;
				}
			}
			mnl_attr_nest_end(nlh, pn);
			ii = 0;
			started = false;
		}
		if (peers)
			mnl_attr_nest_end(nlh, peers);
		if (!first && pi == pi0 && ii == ii0 && started == started0) {
			snprintf(w->s.err, sizeof(w->s.err),
				 "%s: peer does not fit in a message", op);
			ret = -EMSGSIZE;
			break;
		}
		first = false;
		ret = nls_talk(&w->s, nlh, NULL, NULL, op);
	} while (!ret && pi < dev->n_peers);
	sodium_memzero(buf, sizeof(buf));
	return ret;
}
