// SPDX-License-Identifier: GPL-2.0
/*
 * Drop events of wgmesh.ko, see events.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/genetlink.h>

#include "events.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

static const char *const reason_names[] = {
	[WGMESH_DROP_SPOOFED] = "spoofed",
	[WGMESH_DROP_OUTSIDE] = "outside",
	[WGMESH_DROP_UNKNOWN] = "unknown",
	[WGMESH_DROP_POLICY] = "policy",
	[WGMESH_DROP_ISOLATED] = "isolated",
	[WGMESH_DROP_HOPLIMIT] = "hoplimit",
	[WGMESH_DROP_TOOBIG] = "toobig",
	[WGMESH_DROP_MALFORMED] = "malformed",
	[WGMESH_DROP_XMIT] = "xmit",
	[WGMESH_DROP_CROSSING] = "crossing",
	[WGMESH_DROP_PROTO] = "proto",
};

const char *meshev_reason_name(uint32_t reason)
{
	if (reason >= sizeof(reason_names) / sizeof(reason_names[0]))
		return NULL;
	return reason_names[reason];
}

int meshev_open(struct meshev *ev)
{
	int ret, fd, rcvbuf = 1 << 20;

	ret = nls_open(&ev->s, NETLINK_GENERIC);
	if (ret)
		return ret;
	ret = nls_genl_group(&ev->s, WGMESH_GENL_NAME, WGMESH_MCGRP_EVENTS,
			     &ev->family, &ev->group);
	if (ret) {
		if (ret == -ENOENT) {
			size_t len = strlen(ev->s.err);

			snprintf(ev->s.err + len, sizeof(ev->s.err) - len,
				 " (wgmesh.ko not loaded?)");
		}
		goto err;
	}
	if (!ev->group) {
		snprintf(ev->s.err, sizeof(ev->s.err),
			 "wgmesh.ko has no \"%s\" group (too old a module or kernel)",
			 WGMESH_MCGRP_EVENTS);
		ret = -ENOENT;
		goto err;
	}
	fd = mnl_socket_get_fd(ev->s.nl);
	/* Best effort: a bigger buffer rides out a burst. */
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	if (setsockopt(fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &ev->group,
		       sizeof(ev->group)) < 0) {
		ret = -errno;
		snprintf(ev->s.err, sizeof(ev->s.err),
			 "joining the wgmesh events group: %s%s",
			 strerror(errno), errno == EPERM ?
			 " (needs CAP_NET_ADMIN in this network namespace)" : "");
		goto err;
	}
	if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) < 0) {
		ret = -errno;
		snprintf(ev->s.err, sizeof(ev->s.err), "netlink socket: %s",
			 strerror(errno));
		goto err;
	}
	return 0;
err:
	nls_close(&ev->s);
	return ret;
}

void meshev_close(struct meshev *ev)
{
	nls_close(&ev->s);
}

int meshev_fd(const struct meshev *ev)
{
	return mnl_socket_get_fd(ev->s.nl);
}

static int event_attr(const struct nlattr *a, void *data)
{
	struct meshev_event *e = data;
	const struct nlattr *x;
	uint16_t len = mnl_attr_get_payload_len(a);
	int type = mnl_attr_get_type(a);

	switch (type) {
	case WGMESH_A_IFINDEX:
		if (mnl_attr_validate(a, MNL_TYPE_U32) < 0)
			return MNL_CB_ERROR;
		e->ifindex = mnl_attr_get_u32(a);
		break;
	case WGMESH_A_IFNAME:
		if (mnl_attr_validate(a, MNL_TYPE_NUL_STRING) < 0 ||
		    len > sizeof(e->ifname))
			return MNL_CB_ERROR;
		snprintf(e->ifname, sizeof(e->ifname), "%s",
			 mnl_attr_get_str(a));
		break;
	case WGMESH_A_DROP_REASON:
		if (mnl_attr_validate(a, MNL_TYPE_U32) < 0)
			return MNL_CB_ERROR;
		e->reason = mnl_attr_get_u32(a);
		break;
	case WGMESH_A_CONTROLLER:
	case WGMESH_A_PEER:
		if (mnl_attr_validate(a, MNL_TYPE_NESTED) < 0)
			return MNL_CB_ERROR;
		mnl_attr_for_each_nested(x, a) {
			if (mnl_attr_get_type(x) != WGMESH_MEMBER_A_ID)
				continue;
			if (mnl_attr_validate(x, MNL_TYPE_U32) < 0)
				return MNL_CB_ERROR;
			e->src_id = mnl_attr_get_u32(x);
			e->src_kind = type == WGMESH_A_PEER ?
				      MESHEV_SRC_PEER : MESHEV_SRC_CONTROLLER;
		}
		break;
	case WGMESH_A_SRC_ADDR:
	case WGMESH_A_DST_ADDR:
		if (len != 4 && len != 16)
			return MNL_CB_ERROR;
		if (type == WGMESH_A_SRC_ADDR) {
			e->src_kind = MESHEV_SRC_ADDR;
			e->src_family = len == 4 ? AF_INET : AF_INET6;
			memcpy(e->src, mnl_attr_get_payload(a), len);
		} else {
			e->dst_family = len == 4 ? AF_INET : AF_INET6;
			memcpy(e->dst, mnl_attr_get_payload(a), len);
		}
		break;
	case WGMESH_A_DROP_COUNT:
	case WGMESH_A_EVENTS_LOST:
		if (mnl_attr_validate(a, MNL_TYPE_U64) < 0)
			return MNL_CB_ERROR;
		if (type == WGMESH_A_DROP_COUNT)
			e->packets = mnl_attr_get_u64(a);
		else
			e->lost = mnl_attr_get_u64(a);
		break;
	}
	return MNL_CB_OK;
}

int meshev_parse(const struct nlmsghdr *nlh, uint16_t family,
		 struct meshev_event *e)
{
	const struct genlmsghdr *g;

	memset(e, 0, sizeof(*e));
	if (nlh->nlmsg_type != family ||
	    nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*g)))
		return -EINVAL;
	g = mnl_nlmsg_get_payload(nlh);
	if (g->cmd != WGMESH_CMD_DROP_EVENT)
		return -EINVAL;
	if (mnl_attr_parse(nlh, sizeof(*g), event_attr, e) < 0)
		return -EINVAL;
	/* A report names its reason, a summary its loss. */
	if (!e->ifindex || (!e->reason) == (!e->lost))
		return -EINVAL;
	return 0;
}

int meshev_read(struct meshev *ev,
		void (*cb)(const struct meshev_event *e, void *data),
		void *data)
{
	int overflow = 0;

	for (;;) {
		ssize_t n = mnl_socket_recvfrom(ev->s.nl, ev->s.buf,
						ev->s.buflen);
		const struct nlmsghdr *nlh;
		int len;

		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return overflow;
			if (errno == EINTR)
				continue;
			if (errno == ENOBUFS) {
				overflow = -ENOBUFS;
				continue;
			}
			snprintf(ev->s.err, sizeof(ev->s.err),
				 "reading drop events: %s", strerror(errno));
			return -errno;
		}
		len = (int)n;
		for (nlh = (const struct nlmsghdr *)ev->s.buf;
		     mnl_nlmsg_ok(nlh, len); nlh = mnl_nlmsg_next(nlh, &len)) {
			struct meshev_event e;

			/* Only the kernel's multicasts, nothing else. */
			if (nlh->nlmsg_pid || meshev_parse(nlh, ev->family, &e))
				continue;
			cb(&e, data);
		}
	}
}
