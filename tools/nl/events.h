/* SPDX-License-Identifier: GPL-2.0 */
/*
 * meshev: a socket subscribed to the wgmesh family's drop events (the
 * "events" multicast group, kernel/uapi/wgmesh.h), and their parser. It
 * only listens: requests go through their own socket (nl/mesh.h), so no
 * event is ever mistaken for a reply.
 */
#ifndef WGMESH_MESHEV_H
#define WGMESH_MESHEV_H

#include <stdbool.h>
#include <stdint.h>
#include <linux/netlink.h>

#include "../../kernel/uapi/wgmesh.h"
#include "sock.h"

enum meshev_src {
	MESHEV_SRC_NONE,	/* the kernel named no source */
	MESHEV_SRC_ADDR,	/* not a member: src/src_family */
	MESHEV_SRC_CONTROLLER,	/* member: src_id */
	MESHEV_SRC_PEER,
};

/* One WGMESH_CMD_DROP_EVENT: a drop report, or a summary (lost > 0). */
struct meshev_event {
	uint32_t ifindex;
	char ifname[16];
	uint32_t reason;		/* WGMESH_DROP_*, 0 in a summary */
	enum meshev_src src_kind;
	uint32_t src_id;
	int src_family;			/* AF_INET(6) with MESHEV_SRC_ADDR */
	uint8_t src[16];
	int dst_family;			/* 0: no destination */
	uint8_t dst[16];
	uint64_t packets;		/* dropped since the last event */
	uint64_t lost;			/* summary: packets no event reports */
};

struct meshev {
	struct nls s;
	uint16_t family;
	uint32_t group;
};

/*
 * Open a socket, resolve the family and its group, join it. 0, or a
 * negative errno with ev->s.err set (EPERM: the kernel wants CAP_NET_ADMIN
 * in this network namespace; ENOENT: wgmesh.ko has no events group).
 */
int meshev_open(struct meshev *ev);
void meshev_close(struct meshev *ev);
int meshev_fd(const struct meshev *ev);

/*
 * Read what is queued without blocking, calling @cb for each event.
 * Returns 0, -ENOBUFS when the socket's buffer overflowed (events were
 * lost; reading goes on), or another negative errno with ev->s.err set.
 */
int meshev_read(struct meshev *ev,
		void (*cb)(const struct meshev_event *e, void *data),
		void *data);

/* Parse one message; 0, or -EINVAL when it is not a well-formed event. */
int meshev_parse(const struct nlmsghdr *nlh, uint16_t family,
		 struct meshev_event *e);

/* "policy", ...; NULL for a reason this build does not know. */
const char *meshev_reason_name(uint32_t reason);

#endif
