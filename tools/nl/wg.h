/* SPDX-License-Identifier: GPL-2.0 */
/*
 * WireGuard's generic netlink API (linux/wireguard.h): read a device with
 * WG_CMD_GET_DEVICE and change it with WG_CMD_SET_DEVICE, splitting long
 * peer lists over several messages the way wireguard-tools does.
 */
#ifndef WGMESH_NLWG_H
#define WGMESH_NLWG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>
#include <net/if.h>
#include <linux/wireguard.h>

#include "sock.h"

struct wg_allowedip {
	uint16_t family;	/* AF_INET or AF_INET6 */
	uint8_t cidr;
	union {
		struct in_addr ip4;
		struct in6_addr ip6;
	};
};

union wg_endpoint {
	struct sockaddr sa;	/* sa_family 0: none */
	struct sockaddr_in sin;
	struct sockaddr_in6 sin6;
};

struct wg_peer {
	uint8_t public_key[WG_KEY_LEN];
	/*
	 * Read: all zero when the peer has none (WireGuard reports zeros).
	 * Set: sent with set_preshared_key, all zero removing it. A secret:
	 * never printed, and wiped with the device.
	 */
	uint8_t preshared_key[WG_KEY_LEN];
	bool set_preshared_key;
	uint32_t flags;			/* WGPEER_F_* when setting */
	union wg_endpoint endpoint;
	bool set_endpoint;		/* send endpoint when setting */
	uint16_t keepalive;
	bool set_keepalive;		/* send keepalive when setting */
	struct wg_allowedip *ips;
	size_t n_ips, cap_ips;
	bool set_ips;			/* send ips (with flags) when setting */
	/* Read back only. */
	int64_t handshake_sec, handshake_nsec;
	uint64_t rx_bytes, tx_bytes;
};

struct wg_device {
	char ifname[IF_NAMESIZE];
	uint32_t ifindex;
	uint8_t private_key[WG_KEY_LEN];
	uint8_t public_key[WG_KEY_LEN];
	bool has_private_key;		/* read: key present; set: send it */
	uint16_t listen_port;
	bool set_listen_port;
	uint32_t fwmark;
	bool set_fwmark;
	struct wg_peer *peers;
	size_t n_peers, cap_peers;
};

struct nlwg {
	struct nls s;
	uint16_t family;
};

/* Open a generic netlink socket and resolve the "wireguard" family. */
int nlwg_open(struct nlwg *w);
void nlwg_close(struct nlwg *w);

/* Dump @ifname into @dev (free with wg_device_free). */
int nlwg_get(struct nlwg *w, const char *ifname, struct wg_device *dev);

/*
 * Apply @dev to @dev->ifname: device fields marked set_*, then each peer
 * with its flags and only the fields it marks. Never sends
 * WGDEVICE_F_REPLACE_PEERS. Peers and allowed IPs that do not fit in one
 * message continue in the next.
 */
int nlwg_set(struct nlwg *w, const struct wg_device *dev);

/* Free peers and allowed IPs and wipe the keys (preshared ones too). */
void wg_device_free(struct wg_device *dev);

/* The peer of public key @key in @dev, or NULL. */
const struct wg_peer *wg_device_find_peer(const struct wg_device *dev,
					  const uint8_t key[WG_KEY_LEN]);

/*
 * Append a peer / an allowed IP; NULL on out of memory. Peers hold
 * preshared keys: their array never leaves a copy behind when it grows.
 */
struct wg_peer *wg_device_add_peer(struct wg_device *dev);
struct wg_allowedip *wg_peer_add_ip(struct wg_peer *peer);

#endif
