// SPDX-License-Identifier: GPL-2.0
/*
 * meshnl: libmnl client of the wgmesh generic netlink family.
 */

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>

#include "mesh.h"

#ifndef NETLINK_EXT_ACK
#define NETLINK_EXT_ACK 11
#endif
#ifndef NETLINK_CAP_ACK
#define NETLINK_CAP_ACK 10
#endif

#define RECV_BUFLEN (64 * 1024)
/* Stay well below the 64 KiB a netlink attribute can hold. */
#define NEST_LIMIT (60 * 1024)

const char *const meshnl_stat_names[WGMESH_STATS_NUM] = {
	"rx_packets", "rx_bytes", "local_packets", "local_bytes",
	"fwd_packets", "fwd_bytes", "tx_packets", "tx_bytes", "pass_packets",
	"drop_spoofed", "drop_outside", "drop_unknown", "drop_policy",
	"drop_isolated", "drop_hoplimit", "drop_toobig", "drop_malformed",
	"drop_xmit",
};

struct meshnl {
	struct mnl_socket *sock;
	uint32_t portid;
	uint32_t seq;
	uint16_t family;
	char *rbuf;
	const struct nlmsghdr *sent;	/* request being answered */
	char err[512];
};

typedef int (*msg_cb)(const struct nlmsghdr *nlh, void *data);

static void seterr(struct meshnl *nl, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(nl->err, sizeof(nl->err), fmt, ap);
	va_end(ap);
}

const char *meshnl_error(const struct meshnl *nl)
{
	return nl->err;
}

/*
 * The kernel points at the attribute it rejected; when that lies inside a
 * member entry of our request, name the member (6.1 cannot put the id into
 * its message).
 */
static void name_member(const struct meshnl *nl, uint32_t offs, char *out,
			size_t outlen)
{
	const struct nlattr *top, *ent, *a;

	out[0] = '\0';
	if (!nl->sent || offs >= nl->sent->nlmsg_len)
		return;
	mnl_attr_for_each(top, nl->sent, GENL_HDRLEN) {
		int type = mnl_attr_get_type(top);
		const char *base = (const char *)top;

		if (type != WGMESH_A_CONTROLLERS && type != WGMESH_A_PEERS)
			continue;
		if (offs < base - (const char *)nl->sent ||
		    offs >= base + top->nla_len - (const char *)nl->sent)
			continue;
		mnl_attr_for_each_nested(ent, top) {
			const char *e = (const char *)ent;

			if (offs < e - (const char *)nl->sent ||
			    offs >= e + ent->nla_len - (const char *)nl->sent)
				continue;
			mnl_attr_for_each_nested(a, ent) {
				if (mnl_attr_get_type(a) != WGMESH_MEMBER_A_ID)
					continue;
				snprintf(out, outlen,
					 type == WGMESH_A_PEERS ?
					 " (peer 0x%08x)" : " (controller 0x%04x)",
					 mnl_attr_get_u32(a));
			}
		}
	}
}

/* Sets nl->err from an NLMSG_ERROR or NLMSG_DONE carrying an error. */
static int ack_error(struct meshnl *nl, const struct nlmsghdr *nlh, int error)
{
	const char *msg = NULL;
	char member[64] = "";
	unsigned int off;
	const struct nlattr *a;

	if (nlh->nlmsg_type == NLMSG_ERROR) {
		const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);

		off = sizeof(*e);
		if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
			off += e->msg.nlmsg_len - sizeof(struct nlmsghdr);
	} else {
		off = sizeof(int);
	}
	if ((nlh->nlmsg_flags & NLM_F_ACK_TLVS) &&
	    off + sizeof(struct nlmsghdr) <= nlh->nlmsg_len) {
		mnl_attr_for_each(a, nlh, off) {
			if (mnl_attr_get_type(a) == NLMSGERR_ATTR_MSG &&
			    mnl_attr_validate(a, MNL_TYPE_NUL_STRING) == 0)
				msg = mnl_attr_get_str(a);
			if (mnl_attr_get_type(a) == NLMSGERR_ATTR_OFFS &&
			    mnl_attr_validate(a, MNL_TYPE_U32) == 0)
				name_member(nl, mnl_attr_get_u32(a), member,
					    sizeof(member));
		}
	}
	if (msg && strstr(msg, "0x"))
		member[0] = '\0';
	seterr(nl, "%s%s%s%s", strerror(error), msg ? ": " : "", msg ? msg : "",
	       member);
	return -error;
}

/* Sends @nlh and reads until its ack or NLMSG_DONE, calling @cb on data. */
static int talk(struct meshnl *nl, struct nlmsghdr *nlh, msg_cb cb, void *data)
{
	uint32_t seq = nlh->nlmsg_seq = ++nl->seq;
	ssize_t len;
	int ret;

	nlh->nlmsg_flags |= NLM_F_REQUEST;
	if (!(nlh->nlmsg_flags & NLM_F_DUMP))
		nlh->nlmsg_flags |= NLM_F_ACK;
	nl->sent = nlh;
	if (mnl_socket_sendto(nl->sock, nlh, nlh->nlmsg_len) < 0) {
		seterr(nl, "send: %s", strerror(errno));
		return -errno;
	}
	for (;;) {
		const struct nlmsghdr *m;
		int left;

		len = mnl_socket_recvfrom(nl->sock, nl->rbuf, RECV_BUFLEN);
		if (len < 0) {
			ret = -errno;
			seterr(nl, "receive: %s", strerror(errno));
			return ret;
		}
		left = len;
		for (m = (const struct nlmsghdr *)nl->rbuf; mnl_nlmsg_ok(m, left);
		     m = mnl_nlmsg_next(m, &left)) {
			if (m->nlmsg_seq != seq || m->nlmsg_pid != nl->portid)
				continue;
			if (m->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = mnl_nlmsg_get_payload(m);

				return e->error ? ack_error(nl, m, -e->error) : 0;
			}
			if (m->nlmsg_type == NLMSG_DONE) {
				int err = *(const int *)mnl_nlmsg_get_payload(m);

				return err ? ack_error(nl, m, -err) : 0;
			}
			if (cb) {
				ret = cb(m, data);
				if (ret) {
					/* drain the rest of a dump */
					continue;
				}
			}
		}
	}
}

static struct nlmsghdr *genl_msg(struct meshnl *nl, void *buf, uint16_t type,
				 uint8_t cmd, uint16_t flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *g;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = flags;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = cmd;
	g->version = type == GENL_ID_CTRL ? 1 : WGMESH_GENL_VERSION;
	(void)nl;
	return nlh;
}

static int family_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *a;

	mnl_attr_for_each(a, nlh, GENL_HDRLEN) {
		if (mnl_attr_get_type(a) == CTRL_ATTR_FAMILY_ID)
			*(uint16_t *)data = mnl_attr_get_u16(a);
	}
	return 0;
}

struct meshnl *meshnl_open(char *err, size_t errlen)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	struct meshnl *nl;
	int one = 1, ret;

	nl = calloc(1, sizeof(*nl));
	if (!nl || !(nl->rbuf = malloc(RECV_BUFLEN))) {
		snprintf(err, errlen, "out of memory");
		goto err_free;
	}
	nl->sock = mnl_socket_open(NETLINK_GENERIC);
	if (!nl->sock || mnl_socket_bind(nl->sock, 0, MNL_SOCKET_AUTOPID) < 0) {
		snprintf(err, errlen, "generic netlink socket: %s",
			 strerror(errno));
		goto err_free;
	}
	nl->portid = mnl_socket_get_portid(nl->sock);
	nl->seq = time(NULL);
	mnl_socket_setsockopt(nl->sock, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(nl->sock, NETLINK_CAP_ACK, &one, sizeof(one));

	nlh = genl_msg(nl, buf, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 0);
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, WGMESH_GENL_NAME);
	ret = talk(nl, nlh, family_cb, &nl->family);
	if (ret || !nl->family) {
		snprintf(err, errlen, "generic netlink family %s: %s%s",
			 WGMESH_GENL_NAME, ret ? nl->err : "no id",
			 ret == -ENOENT ? " (is wgmesh.ko loaded?)" : "");
		goto err_free;
	}
	return nl;

err_free:
	meshnl_close(nl);
	return NULL;
}

void meshnl_close(struct meshnl *nl)
{
	if (!nl)
		return;
	if (nl->sock)
		mnl_socket_close(nl->sock);
	free(nl->rbuf);
	free(nl);
}

static void put_dev(struct nlmsghdr *nlh, const char *ifname, uint32_t ifindex)
{
	if (ifname)
		mnl_attr_put_strz(nlh, WGMESH_A_IFNAME, ifname);
	else
		mnl_attr_put_u32(nlh, WGMESH_A_IFINDEX, ifindex);
}

static int simple(struct meshnl *nl, uint8_t cmd, const char *ifname,
		  uint32_t ifindex)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = genl_msg(nl, buf, nl->family, cmd, 0);

	put_dev(nlh, ifname, ifindex);
	return talk(nl, nlh, NULL, NULL);
}

int meshnl_attach(struct meshnl *nl, const char *ifname, uint32_t ifindex)
{
	return simple(nl, WGMESH_CMD_ATTACH, ifname, ifindex);
}

int meshnl_detach(struct meshnl *nl, const char *ifname, uint32_t ifindex)
{
	return simple(nl, WGMESH_CMD_DETACH, ifname, ifindex);
}

static void put_members(struct nlmsghdr *nlh, int type,
			const struct meshnl_member *m, size_t n)
{
	struct nlattr *nest = NULL, *e;
	size_t i;

	for (i = 0; i < n; i++) {
		if (!nest || mnl_nlmsg_get_payload_tail(nlh) -
			     (void *)nest > NEST_LIMIT) {
			if (nest)
				mnl_attr_nest_end(nlh, nest);
			nest = mnl_attr_nest_start(nlh, type);
		}
		e = mnl_attr_nest_start(nlh, 0);
		mnl_attr_put_u32(nlh, WGMESH_MEMBER_A_ID, m[i].id);
		mnl_attr_put_u64(nlh, WGMESH_MEMBER_A_GROUPS, m[i].groups);
		if (m[i].flags)
			mnl_attr_put_u32(nlh, WGMESH_MEMBER_A_FLAGS,
					 m[i].flags);
		mnl_attr_nest_end(nlh, e);
	}
	if (nest)
		mnl_attr_nest_end(nlh, nest);
}

int meshnl_set_topology(struct meshnl *nl, const char *ifname,
			uint32_t ifindex, const struct meshnl_topology *t)
{
	size_t size = 4096 + 40 * (t->n_ctrls + t->n_peers) + 24 * t->n_allow;
	struct nlmsghdr *nlh;
	struct nlattr *nest;
	int sndbuf = size + 4096, ret;
	size_t i;
	void *buf;

	buf = calloc(1, size);
	if (!buf) {
		seterr(nl, "out of memory");
		return -ENOMEM;
	}
	nlh = genl_msg(nl, buf, nl->family, WGMESH_CMD_SET_TOPOLOGY, 0);
	put_dev(nlh, ifname, ifindex);
	mnl_attr_put(nlh, WGMESH_A_PREFIX, sizeof(t->prefix), t->prefix);
	mnl_attr_put_u16(nlh, WGMESH_A_SELF_ID, t->self_id);
	mnl_attr_put_u64(nlh, WGMESH_A_GENERATION, t->generation);
	mnl_attr_put_u32(nlh, WGMESH_A_FLAGS, t->flags);
	put_members(nlh, WGMESH_A_CONTROLLERS, t->ctrls, t->n_ctrls);
	put_members(nlh, WGMESH_A_PEERS, t->peers, t->n_peers);
	if (t->n_allow) {
		nest = mnl_attr_nest_start(nlh, WGMESH_A_ALLOW);
		for (i = 0; i < t->n_allow; i++) {
			struct nlattr *p = mnl_attr_nest_start(nlh, 0);

			mnl_attr_put_u8(nlh, WGMESH_ALLOW_A_GROUP1, t->allow[i].a);
			mnl_attr_put_u8(nlh, WGMESH_ALLOW_A_GROUP2, t->allow[i].b);
			mnl_attr_nest_end(nlh, p);
		}
		mnl_attr_nest_end(nlh, nest);
	}
	/* Big meshes need a bigger send buffer than the default. */
	if (nlh->nlmsg_len > 64 * 1024 &&
	    setsockopt(mnl_socket_get_fd(nl->sock), SOL_SOCKET, SO_SNDBUFFORCE,
		       &sndbuf, sizeof(sndbuf)) < 0)
		setsockopt(mnl_socket_get_fd(nl->sock), SOL_SOCKET, SO_SNDBUF,
			   &sndbuf, sizeof(sndbuf));
	ret = talk(nl, nlh, NULL, NULL);
	nl->sent = NULL;
	free(buf);
	return ret;
}

struct get_ctx {
	struct meshnl_state *s;
	size_t cap_ctrls, cap_peers, cap_allow;
	bool intr;
	bool oom;
};

static void get_stats(const struct nlattr *nest, uint64_t *c)
{
	const struct nlattr *a;

	mnl_attr_for_each_nested(a, nest) {
		unsigned int type = mnl_attr_get_type(a);

		if (type >= WGMESH_STATS_A_RX_PACKETS &&
		    type < WGMESH_STATS_A_RX_PACKETS + WGMESH_STATS_NUM &&
		    mnl_attr_get_payload_len(a) == sizeof(uint64_t))
			c[type - WGMESH_STATS_A_RX_PACKETS] = mnl_attr_get_u64(a);
	}
}

static bool grow(void **arr, size_t n, size_t *cap, size_t elem)
{
	void *p;

	if (n < *cap)
		return true;
	*cap = *cap ? 2 * *cap : 64;
	p = realloc(*arr, *cap * elem);
	if (!p)
		return false;
	*arr = p;
	return true;
}

static void get_members(struct get_ctx *ctx, const struct nlattr *nest,
			bool ctrl)
{
	struct meshnl_topology *t = &ctx->s->topo;
	struct meshnl_member **arr = ctrl ? &t->ctrls : &t->peers;
	size_t *n = ctrl ? &t->n_ctrls : &t->n_peers;
	const struct nlattr *e, *a;

	mnl_attr_for_each_nested(e, nest) {
		struct meshnl_member *m;

		if (!grow((void **)arr, *n, ctrl ? &ctx->cap_ctrls :
			  &ctx->cap_peers, sizeof(**arr))) {
			ctx->oom = true;
			return;
		}
		m = &(*arr)[(*n)++];
		memset(m, 0, sizeof(*m));
		mnl_attr_for_each_nested(a, e) {
			switch (mnl_attr_get_type(a)) {
			case WGMESH_MEMBER_A_ID:
				m->id = mnl_attr_get_u32(a);
				break;
			case WGMESH_MEMBER_A_GROUPS:
				m->groups = mnl_attr_get_u64(a);
				break;
			case WGMESH_MEMBER_A_FLAGS:
				m->flags = mnl_attr_get_u32(a);
				break;
			case WGMESH_MEMBER_A_STATS:
				get_stats(a, m->stats);
				break;
			}
		}
	}
}

static void get_allow(struct get_ctx *ctx, const struct nlattr *nest)
{
	struct meshnl_topology *t = &ctx->s->topo;
	const struct nlattr *e, *a;

	mnl_attr_for_each_nested(e, nest) {
		struct meshnl_pair *p;

		if (!grow((void **)&t->allow, t->n_allow, &ctx->cap_allow,
			  sizeof(*t->allow))) {
			ctx->oom = true;
			return;
		}
		p = &t->allow[t->n_allow++];
		mnl_attr_for_each_nested(a, e) {
			if (mnl_attr_get_type(a) == WGMESH_ALLOW_A_GROUP1)
				p->a = mnl_attr_get_u8(a);
			if (mnl_attr_get_type(a) == WGMESH_ALLOW_A_GROUP2)
				p->b = mnl_attr_get_u8(a);
		}
	}
}

static int get_cb(const struct nlmsghdr *nlh, void *data)
{
	struct get_ctx *ctx = data;
	struct meshnl_state *s = ctx->s;
	const struct nlattr *a;

	if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
		ctx->intr = true;
	mnl_attr_for_each(a, nlh, GENL_HDRLEN) {
		switch (mnl_attr_get_type(a)) {
		case WGMESH_A_IFINDEX:
			s->ifindex = mnl_attr_get_u32(a);
			break;
		case WGMESH_A_IFNAME:
			snprintf(s->ifname, sizeof(s->ifname), "%s",
				 mnl_attr_get_str(a));
			break;
		case WGMESH_A_GENERATION:
			s->has_topology = true;
			s->topo.generation = mnl_attr_get_u64(a);
			break;
		case WGMESH_A_PREFIX:
			if (mnl_attr_get_payload_len(a) == 16)
				memcpy(s->topo.prefix, mnl_attr_get_payload(a),
				       16);
			break;
		case WGMESH_A_SELF_ID:
			s->topo.self_id = mnl_attr_get_u16(a);
			break;
		case WGMESH_A_FLAGS:
			s->topo.flags = mnl_attr_get_u32(a);
			break;
		case WGMESH_A_STATS:
			get_stats(a, s->dev_stats);
			break;
		case WGMESH_A_ALLOW:
			get_allow(ctx, a);
			break;
		case WGMESH_A_CONTROLLERS:
			get_members(ctx, a, true);
			break;
		case WGMESH_A_PEERS:
			get_members(ctx, a, false);
			break;
		}
	}
	return 0;
}

void meshnl_state_free(struct meshnl_state *s)
{
	free(s->topo.ctrls);
	free(s->topo.peers);
	free(s->topo.allow);
	memset(s, 0, sizeof(*s));
}

int meshnl_get(struct meshnl *nl, const char *ifname, uint32_t ifindex,
	       bool stats, struct meshnl_state *out)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct get_ctx ctx;
	int ret, tries;

	for (tries = 0; tries < 10; tries++) {
		struct nlmsghdr *nlh;

		memset(out, 0, sizeof(*out));
		memset(&ctx, 0, sizeof(ctx));
		ctx.s = out;
		nlh = genl_msg(nl, buf, nl->family, stats ?
			       WGMESH_CMD_GET_STATS : WGMESH_CMD_GET_TOPOLOGY,
			       NLM_F_DUMP);
		put_dev(nlh, ifname, ifindex);
		ret = talk(nl, nlh, get_cb, &ctx);
		nl->sent = NULL;
		if (!ret && ctx.oom) {
			seterr(nl, "out of memory");
			ret = -ENOMEM;
		}
		if (ret || !ctx.intr)
			break;
		meshnl_state_free(out);
	}
	if (!ret && ctx.intr) {
		seterr(nl, "topology kept changing during the dump");
		ret = -EAGAIN;
	}
	if (ret)
		meshnl_state_free(out);
	return ret;
}

int meshnl_request(struct meshnl *nl, uint8_t cmd, const void *attrs,
		   size_t len)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	int ret;

	if (len > sizeof(buf) - 64) {
		seterr(nl, "request too big");
		return -EMSGSIZE;
	}
	nlh = genl_msg(nl, buf, nl->family, cmd, 0);
	memcpy(mnl_nlmsg_get_payload_tail(nlh), attrs, len);
	nlh->nlmsg_len += MNL_ALIGN(len);
	ret = talk(nl, nlh, NULL, NULL);
	nl->sent = NULL;
	return ret;
}
