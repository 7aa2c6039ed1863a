// SPDX-License-Identifier: GPL-2.0
/*
 * meshnl: client of the wgmesh generic netlink family, see mesh.h.
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/genetlink.h>
#include <linux/netlink.h>

#include "../lib/array.h"
#include "mesh.h"

const char *const meshnl_stat_names[WGMESH_STATS_A_MAX + 1] = {
	[WGMESH_STATS_A_RX_PACKETS] = "rx_packets",
	[WGMESH_STATS_A_RX_BYTES] = "rx_bytes",
	[WGMESH_STATS_A_LOCAL_PACKETS] = "local_packets",
	[WGMESH_STATS_A_LOCAL_BYTES] = "local_bytes",
	[WGMESH_STATS_A_FWD_PACKETS] = "fwd_packets",
	[WGMESH_STATS_A_FWD_BYTES] = "fwd_bytes",
	[WGMESH_STATS_A_TX_PACKETS] = "tx_packets",
	[WGMESH_STATS_A_TX_BYTES] = "tx_bytes",
	[WGMESH_STATS_A_PASS_PACKETS] = "pass_packets",
	[WGMESH_STATS_A_DROP_PACKETS] = "drop_packets",
	[WGMESH_STATS_A_DROP_SPOOFED] = "drop_spoofed",
	[WGMESH_STATS_A_DROP_OUTSIDE] = "drop_outside",
	[WGMESH_STATS_A_DROP_UNKNOWN] = "drop_unknown",
	[WGMESH_STATS_A_DROP_POLICY] = "drop_policy",
	[WGMESH_STATS_A_DROP_ISOLATED] = "drop_isolated",
	[WGMESH_STATS_A_DROP_HOPLIMIT] = "drop_hoplimit",
	[WGMESH_STATS_A_DROP_TOOBIG] = "drop_toobig",
	[WGMESH_STATS_A_DROP_MALFORMED] = "drop_malformed",
	[WGMESH_STATS_A_DROP_XMIT] = "drop_xmit",
	[WGMESH_STATS_A_DROP_CROSSING] = "drop_crossing",
	[WGMESH_STATS_A_DROP_PROTO] = "drop_proto",
	[WGMESH_STATS_A_TAKEOVER_PACKETS] = "takeover_packets",
	[WGMESH_STATS_A_EVENTS] = "events",
	[WGMESH_STATS_A_EVENTS_LOST] = "events_lost",
	[WGMESH_STATS_A_EXIT_TX_PACKETS] = "exit_tx_packets",
	[WGMESH_STATS_A_EXIT_TX_BYTES] = "exit_tx_bytes",
	[WGMESH_STATS_A_EXIT_RX_PACKETS] = "exit_rx_packets",
	[WGMESH_STATS_A_EXIT_RX_BYTES] = "exit_rx_bytes",
	[WGMESH_STATS_A_DROP_NOROUTE] = "drop_noroute",
};

static const char *const cmd_names[WGMESH_CMD_MAX + 1] = {
	[WGMESH_CMD_ATTACH] = "WGMESH_CMD_ATTACH",
	[WGMESH_CMD_DETACH] = "WGMESH_CMD_DETACH",
	[WGMESH_CMD_SET_TOPOLOGY] = "WGMESH_CMD_SET_TOPOLOGY",
	[WGMESH_CMD_GET_TOPOLOGY] = "WGMESH_CMD_GET_TOPOLOGY",
	[WGMESH_CMD_GET_STATS] = "WGMESH_CMD_GET_STATS",
};

int meshnl_open(struct meshnl *nl, size_t rcvbuf)
{
	int ret;

	ret = nls_open(&nl->s, NETLINK_GENERIC);
	if (ret)
		return ret;
	/* The kernel sizes dump messages by the biggest read it has seen. */
	if (rcvbuf && rcvbuf < nl->s.buflen)
		nl->s.buflen = rcvbuf;
	ret = nls_genl_family(&nl->s, WGMESH_GENL_NAME, &nl->family);
	if (ret == -ENOENT) {
		size_t len = strlen(nl->s.err);

		snprintf(nl->s.err + len, sizeof(nl->s.err) - len,
			 " (wgmesh.ko not installed?)");
	}
	return ret;
}

void meshnl_close(struct meshnl *nl)
{
	nls_close(&nl->s);
}

/* "WGMESH_CMD_SET_TOPOLOGY wg0" into @op, for error lines. */
static const char *op_name(char *op, size_t len, uint8_t cmd,
			   const char *ifname, uint32_t ifindex)
{
	const char *c = cmd <= WGMESH_CMD_MAX && cmd_names[cmd] ?
			cmd_names[cmd] : "wgmesh command";

	if (ifname)
		snprintf(op, len, "%s %s", c, ifname);
	else
		snprintf(op, len, "%s ifindex %u", c, ifindex);
	return op;
}

static struct nlmsghdr *msg(struct meshnl *nl, void *buf, uint8_t cmd,
			    uint16_t flags, const char *ifname,
			    uint32_t ifindex)
{
	struct nlmsghdr *nlh = nls_msg(&nl->s, buf, nl->family, flags);
	struct genlmsghdr *g;

	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = cmd;
	g->version = WGMESH_GENL_VERSION;
	if (ifname)
		mnl_attr_put_strz(nlh, WGMESH_A_IFNAME, ifname);
	else if (ifindex)
		mnl_attr_put_u32(nlh, WGMESH_A_IFINDEX, ifindex);
	return nlh;
}

/*
 * The kernel points at the attribute it rejected: when that lies inside a
 * member of @nlh, name the member (6.1 cannot put the id into its message).
 */
static void name_member(struct meshnl *nl, const struct nlmsghdr *nlh)
{
	uint32_t offs = nl->s.err_offs;
	const struct nlattr *top, *a;
	size_t len;

	if (!offs || offs >= nlh->nlmsg_len || strstr(nl->s.err, " 0x"))
		return;
	mnl_attr_for_each(top, nlh, GENL_HDRLEN) {
		size_t start = (const char *)top - (const char *)nlh;
		int type = mnl_attr_get_type(top);

		if ((type != WGMESH_A_CONTROLLER && type != WGMESH_A_PEER) ||
		    offs < start || offs >= start + top->nla_len)
			continue;
		mnl_attr_for_each_nested(a, top) {
			if (mnl_attr_get_type(a) != WGMESH_MEMBER_A_ID ||
			    mnl_attr_validate(a, MNL_TYPE_U32) < 0)
				continue;
			len = strlen(nl->s.err);
			snprintf(nl->s.err + len, sizeof(nl->s.err) - len,
				 type == WGMESH_A_PEER ? " (peer 0x%08x)" :
				 " (controller 0x%04x)", mnl_attr_get_u32(a));
		}
		return;
	}
}

static int talk(struct meshnl *nl, struct nlmsghdr *nlh, mnl_cb_t cb,
		void *data, uint8_t cmd, const char *ifname, uint32_t ifindex)
{
	char op[64];
	int ret;

	ret = nls_talk(&nl->s, nlh, cb, data,
		       op_name(op, sizeof(op), cmd, ifname, ifindex));
	if (ret)
		name_member(nl, nlh);
	return ret;
}

static int simple(struct meshnl *nl, uint8_t cmd, const char *ifname,
		  uint32_t ifindex)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = msg(nl, buf, cmd, 0, ifname, ifindex);

	return talk(nl, nlh, NULL, NULL, cmd, ifname, ifindex);
}

int meshnl_attach(struct meshnl *nl, const char *ifname, uint32_t ifindex)
{
	return simple(nl, WGMESH_CMD_ATTACH, ifname, ifindex);
}

int meshnl_detach(struct meshnl *nl, const char *ifname, uint32_t ifindex)
{
	return simple(nl, WGMESH_CMD_DETACH, ifname, ifindex);
}

void meshnl_allow(struct meshnl_topology *t, unsigned int a, unsigned int b)
{
	t->allow[a] |= 1ULL << b;
	t->allow[b] |= 1ULL << a;
}

static void put_subnet(struct nlmsghdr *nlh, const struct meshnl_subnet *s)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, WGMESH_MEMBER_A_SUBNET);

	if (s->family == AF_INET)
		mnl_attr_put(nlh, WGMESH_SUBNET_A_IPV4, 4, s->addr);
	else
		mnl_attr_put(nlh, WGMESH_SUBNET_A_IPV6, 16, s->addr);
	mnl_attr_put_u32(nlh, WGMESH_SUBNET_A_PREFIX_LEN, s->len);
	mnl_attr_nest_end(nlh, nest);
}

static void put_members(struct nlmsghdr *nlh, int type,
			const struct meshnl_member *m, size_t n)
{
	struct nlattr *nest;

	for (size_t i = 0; i < n; i++) {
		nest = mnl_attr_nest_start(nlh, type);
		mnl_attr_put_u32(nlh, WGMESH_MEMBER_A_ID, m[i].id);
		mnl_attr_put_u64(nlh, WGMESH_MEMBER_A_GROUPS, m[i].groups);
		if (m[i].flags)
			mnl_attr_put_u32(nlh, WGMESH_MEMBER_A_FLAGS,
					 m[i].flags);
		if (m[i].ipv4)
			mnl_attr_put(nlh, WGMESH_MEMBER_A_IPV4, 4, &m[i].ipv4);
		for (size_t j = 0; j < m[i].n_subnets; j++)
			put_subnet(nlh, &m[i].subnets[j]);
		mnl_attr_nest_end(nlh, nest);
	}
}

/* What a request of @t takes, with room to spare. */
static size_t set_size(const struct meshnl_topology *t)
{
	size_t n = MNL_SOCKET_BUFFER_SIZE + 24 * WGMESH_MAX_GROUPS;

	for (size_t i = 0; i < t->n_ctrls + t->n_peers; i++) {
		const struct meshnl_member *m = i < t->n_ctrls ?
			&t->ctrls[i] : &t->peers[i - t->n_ctrls];

		n += 40 + 36 * m->n_subnets;
	}
	return n;
}

/* A message of 10^5 members is megabytes: make room to send it. */
static void raise_sndbuf(struct meshnl *nl, size_t len)
{
	int fd = mnl_socket_get_fd(nl->s.nl), size = (int)len + 4096;

	if (len > 64 * 1024 &&
	    setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &size, sizeof(size)))
		setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof(size));
}

struct nlmsghdr *meshnl_set_topology_msg(struct meshnl *nl,
					 const char *ifname, uint32_t ifindex,
					 const struct meshnl_topology *t)
{
	size_t size = set_size(t);
	struct nlmsghdr *nlh;
	struct nlattr *nest;
	void *buf;

	buf = calloc(1, size);
	if (!buf) {
		snprintf(nl->s.err, sizeof(nl->s.err), "out of memory");
		return NULL;
	}
	nlh = msg(nl, buf, WGMESH_CMD_SET_TOPOLOGY, 0, ifname, ifindex);
	mnl_attr_put(nlh, WGMESH_A_PREFIX, sizeof(t->prefix), t->prefix);
	mnl_attr_put_u32(nlh, WGMESH_A_SELF_ID, t->self_id);
	mnl_attr_put_u64(nlh, WGMESH_A_GENERATION, t->generation);
	mnl_attr_put_u32(nlh, WGMESH_A_FLAGS, t->flags);
	if (t->ipv4_len) {
		mnl_attr_put(nlh, WGMESH_A_IPV4_PREFIX, 4, &t->ipv4_prefix);
		mnl_attr_put_u32(nlh, WGMESH_A_IPV4_PREFIX_LEN, t->ipv4_len);
	}
	put_members(nlh, WGMESH_A_CONTROLLER, t->ctrls, t->n_ctrls);
	put_members(nlh, WGMESH_A_PEER, t->peers, t->n_peers);
	for (unsigned int g = 0; g < WGMESH_MAX_GROUPS; g++) {
		if (!t->allow[g])
			continue;
		nest = mnl_attr_nest_start(nlh, WGMESH_A_ALLOW);
		mnl_attr_put_u32(nlh, WGMESH_ALLOW_A_GROUP, g);
		mnl_attr_put_u64(nlh, WGMESH_ALLOW_A_MASK, t->allow[g]);
		mnl_attr_nest_end(nlh, nest);
	}
	return nlh;
}

int meshnl_set_topology_send(struct meshnl *nl, struct nlmsghdr *nlh,
			     const char *ifname, uint32_t ifindex)
{
	raise_sndbuf(nl, nlh->nlmsg_len);
	return talk(nl, nlh, NULL, NULL, WGMESH_CMD_SET_TOPOLOGY, ifname,
		    ifindex);
}

int meshnl_set_topology(struct meshnl *nl, const char *ifname,
			uint32_t ifindex, const struct meshnl_topology *t)
{
	struct nlmsghdr *nlh = meshnl_set_topology_msg(nl, ifname, ifindex, t);
	int ret;

	if (!nlh)
		return -ENOMEM;
	ret = meshnl_set_topology_send(nl, nlh, ifname, ifindex);
	free(nlh);
	return ret;
}

/*
 * Dump parsing: every attribute is checked against its type before use
 * (mnl_attr_parse + mnl_attr_validate into a table); attributes a newer
 * kernel adds are skipped.
 */
static const enum mnl_attr_data_type top_types[WGMESH_A_MAX + 1] = {
	[WGMESH_A_IFINDEX] = MNL_TYPE_U32,
	[WGMESH_A_IFNAME] = MNL_TYPE_NUL_STRING,
	[WGMESH_A_PREFIX] = MNL_TYPE_BINARY,
	[WGMESH_A_SELF_ID] = MNL_TYPE_U32,
	[WGMESH_A_GENERATION] = MNL_TYPE_U64,
	[WGMESH_A_FLAGS] = MNL_TYPE_U32,
	[WGMESH_A_CONTROLLER] = MNL_TYPE_NESTED,
	[WGMESH_A_PEER] = MNL_TYPE_NESTED,
	[WGMESH_A_ALLOW] = MNL_TYPE_NESTED,
	[WGMESH_A_NUM_CONTROLLERS] = MNL_TYPE_U32,
	[WGMESH_A_NUM_PEERS] = MNL_TYPE_U32,
	[WGMESH_A_STATS] = MNL_TYPE_NESTED,
	[WGMESH_A_IPV4_PREFIX] = MNL_TYPE_BINARY,
	[WGMESH_A_IPV4_PREFIX_LEN] = MNL_TYPE_U32,
};

static const enum mnl_attr_data_type member_types[WGMESH_MEMBER_A_MAX + 1] = {
	[WGMESH_MEMBER_A_ID] = MNL_TYPE_U32,
	[WGMESH_MEMBER_A_GROUPS] = MNL_TYPE_U64,
	[WGMESH_MEMBER_A_FLAGS] = MNL_TYPE_U32,
	[WGMESH_MEMBER_A_STATS] = MNL_TYPE_NESTED,
	[WGMESH_MEMBER_A_IPV4] = MNL_TYPE_BINARY,
	[WGMESH_MEMBER_A_SUBNET] = MNL_TYPE_NESTED,
};

static const enum mnl_attr_data_type subnet_types[WGMESH_SUBNET_A_MAX + 1] = {
	[WGMESH_SUBNET_A_IPV4] = MNL_TYPE_BINARY,
	[WGMESH_SUBNET_A_IPV6] = MNL_TYPE_BINARY,
	[WGMESH_SUBNET_A_PREFIX_LEN] = MNL_TYPE_U32,
};

static const enum mnl_attr_data_type allow_types[WGMESH_ALLOW_A_MAX + 1] = {
	[WGMESH_ALLOW_A_GROUP] = MNL_TYPE_U32,
	[WGMESH_ALLOW_A_MASK] = MNL_TYPE_U64,
};

/* A table of one attribute set, filled by put_attr(). */
struct attrs {
	const struct nlattr **tb;
	const enum mnl_attr_data_type *types;
	unsigned int max;
	bool bad;		/* an attribute of a known type did not validate */
};

static int put_attr(const struct nlattr *a, void *data)
{
	struct attrs *at = data;
	unsigned int type = mnl_attr_get_type(a);

	if (type > at->max || at->types[type] == MNL_TYPE_UNSPEC)
		return MNL_CB_OK;
	if (mnl_attr_validate(a, at->types[type]) < 0) {
		at->bad = true;
		return MNL_CB_OK;
	}
	at->tb[type] = a;
	return MNL_CB_OK;
}

static bool parse_nested(const struct nlattr *nest, struct attrs *at)
{
	mnl_attr_parse_nested(nest, put_attr, at);
	return !at->bad;
}

static int put_stat(const struct nlattr *a, void *data)
{
	uint64_t *c = data;
	unsigned int type = mnl_attr_get_type(a);

	if (type <= WGMESH_STATS_A_MAX && meshnl_stat_names[type] &&
	    mnl_attr_validate(a, MNL_TYPE_U64) >= 0)
		c[type] = mnl_attr_get_u64(a);
	return MNL_CB_OK;
}

struct get_ctx {
	struct meshnl_state *s;
	size_t cap_ctrls, cap_peers;
	struct meshnl_member *member;	/* the one being read */
	bool intr;
	bool oom;
	bool bad;
};

/* A WGMESH_MEMBER_A_SUBNET of the member get_member() just added. */
static int get_subnet(const struct nlattr *a, void *data)
{
	const struct nlattr *tb[WGMESH_SUBNET_A_MAX + 1] = { 0 };
	struct attrs at = { tb, subnet_types, WGMESH_SUBNET_A_MAX, false };
	struct get_ctx *ctx = data;
	const struct nlattr *v4, *v6;
	struct meshnl_subnet *s;
	struct meshnl_member *m;

	if (mnl_attr_get_type(a) != WGMESH_MEMBER_A_SUBNET)
		return MNL_CB_OK;
	m = ctx->member;
	v4 = NULL;
	v6 = NULL;
	if (mnl_attr_validate(a, MNL_TYPE_NESTED) >= 0 && parse_nested(a, &at)) {
		v4 = tb[WGMESH_SUBNET_A_IPV4];
		v6 = tb[WGMESH_SUBNET_A_IPV6];
	}
	if (!v4 == !v6 || !tb[WGMESH_SUBNET_A_PREFIX_LEN] ||
	    mnl_attr_get_payload_len(v4 ? v4 : v6) != (v4 ? 4U : 16U)) {
		ctx->bad = true;
		return MNL_CB_OK;
	}
	s = array_push(&m->subnets, &m->n_subnets, &m->cap_subnets,
		       sizeof(*s));
	if (!s) {
		ctx->oom = true;
		return MNL_CB_OK;
	}
	s->family = v4 ? AF_INET : AF_INET6;
	memcpy(s->addr, mnl_attr_get_payload(v4 ? v4 : v6), v4 ? 4 : 16);
	s->len = mnl_attr_get_u32(tb[WGMESH_SUBNET_A_PREFIX_LEN]);
	return MNL_CB_OK;
}

static void get_member(struct get_ctx *ctx, const struct nlattr *nest,
		       bool ctrl)
{
	struct meshnl_topology *t = &ctx->s->topo;
	const struct nlattr *tb[WGMESH_MEMBER_A_MAX + 1] = { 0 };
	struct attrs at = { tb, member_types, WGMESH_MEMBER_A_MAX, false };
	struct meshnl_member *m;

	if (!parse_nested(nest, &at) || !tb[WGMESH_MEMBER_A_ID]) {
		ctx->bad = true;
		return;
	}
	if (ctrl)
		m = array_push(&t->ctrls, &t->n_ctrls, &ctx->cap_ctrls,
			       sizeof(*m));
	else
		m = array_push(&t->peers, &t->n_peers, &ctx->cap_peers,
			       sizeof(*m));
	if (!m) {
		ctx->oom = true;
		return;
	}
	ctx->member = m;
	m->id = mnl_attr_get_u32(tb[WGMESH_MEMBER_A_ID]);
	if (tb[WGMESH_MEMBER_A_GROUPS])
		m->groups = mnl_attr_get_u64(tb[WGMESH_MEMBER_A_GROUPS]);
	if (tb[WGMESH_MEMBER_A_FLAGS])
		m->flags = mnl_attr_get_u32(tb[WGMESH_MEMBER_A_FLAGS]);
	if (tb[WGMESH_MEMBER_A_IPV4]) {
		if (mnl_attr_get_payload_len(tb[WGMESH_MEMBER_A_IPV4]) != 4)
			ctx->bad = true;
		else
			memcpy(&m->ipv4,
			       mnl_attr_get_payload(tb[WGMESH_MEMBER_A_IPV4]), 4);
	}
	if (tb[WGMESH_MEMBER_A_STATS])
		mnl_attr_parse_nested(tb[WGMESH_MEMBER_A_STATS], put_stat,
				      m->stats);
	mnl_attr_parse_nested(nest, get_subnet, ctx);
}

static void get_allow(struct get_ctx *ctx, const struct nlattr *nest)
{
	const struct nlattr *tb[WGMESH_ALLOW_A_MAX + 1] = { 0 };
	struct attrs at = { tb, allow_types, WGMESH_ALLOW_A_MAX, false };
	uint32_t g;

	if (!parse_nested(nest, &at) || !tb[WGMESH_ALLOW_A_GROUP] ||
	    !tb[WGMESH_ALLOW_A_MASK] ||
	    (g = mnl_attr_get_u32(tb[WGMESH_ALLOW_A_GROUP])) >=
	    WGMESH_MAX_GROUPS) {
		ctx->bad = true;
		return;
	}
	ctx->s->topo.allow[g] |= mnl_attr_get_u64(tb[WGMESH_ALLOW_A_MASK]);
}

/* The lists repeat in one message: they are walked, not tabled. */
static int get_list(const struct nlattr *a, void *data)
{
	struct get_ctx *ctx = data;

	switch (mnl_attr_get_type(a)) {
	case WGMESH_A_CONTROLLER:
	case WGMESH_A_PEER:
		if (mnl_attr_validate(a, MNL_TYPE_NESTED) < 0)
			ctx->bad = true;
		else
			get_member(ctx, a,
				   mnl_attr_get_type(a) == WGMESH_A_CONTROLLER);
		break;
	case WGMESH_A_ALLOW:
		if (mnl_attr_validate(a, MNL_TYPE_NESTED) < 0)
			ctx->bad = true;
		else
			get_allow(ctx, a);
		break;
	}
	return MNL_CB_OK;
}

static int get_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[WGMESH_A_MAX + 1] = { 0 };
	struct attrs at = { tb, top_types, WGMESH_A_MAX, false };
	struct get_ctx *ctx = data;
	struct meshnl_state *s = ctx->s;

	if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
		ctx->intr = true;
	mnl_attr_parse(nlh, GENL_HDRLEN, put_attr, &at);
	if (at.bad)
		ctx->bad = true;
	if (tb[WGMESH_A_IFINDEX])
		s->ifindex = mnl_attr_get_u32(tb[WGMESH_A_IFINDEX]);
	if (tb[WGMESH_A_IFNAME])
		snprintf(s->ifname, sizeof(s->ifname), "%s",
			 mnl_attr_get_str(tb[WGMESH_A_IFNAME]));
	if (tb[WGMESH_A_GENERATION]) {
		s->has_topology = true;
		s->topo.generation = mnl_attr_get_u64(tb[WGMESH_A_GENERATION]);
	}
	if (tb[WGMESH_A_PREFIX]) {
		if (mnl_attr_get_payload_len(tb[WGMESH_A_PREFIX]) ==
		    sizeof(s->topo.prefix))
			memcpy(s->topo.prefix,
			       mnl_attr_get_payload(tb[WGMESH_A_PREFIX]),
			       sizeof(s->topo.prefix));
		else
			ctx->bad = true;
	}
	if (tb[WGMESH_A_SELF_ID])
		s->topo.self_id = mnl_attr_get_u32(tb[WGMESH_A_SELF_ID]);
	if (tb[WGMESH_A_IPV4_PREFIX] && tb[WGMESH_A_IPV4_PREFIX_LEN] &&
	    mnl_attr_get_payload_len(tb[WGMESH_A_IPV4_PREFIX]) == 4) {
		memcpy(&s->topo.ipv4_prefix,
		       mnl_attr_get_payload(tb[WGMESH_A_IPV4_PREFIX]), 4);
		s->topo.ipv4_len =
			mnl_attr_get_u32(tb[WGMESH_A_IPV4_PREFIX_LEN]);
	}
	if (tb[WGMESH_A_FLAGS])
		s->topo.flags = mnl_attr_get_u32(tb[WGMESH_A_FLAGS]);
	if (tb[WGMESH_A_STATS])
		mnl_attr_parse_nested(tb[WGMESH_A_STATS], put_stat,
				      s->dev_stats);
	mnl_attr_parse(nlh, GENL_HDRLEN, get_list, ctx);
	return MNL_CB_OK;
}

void meshnl_state_free(struct meshnl_state *s)
{
	for (size_t i = 0; i < s->topo.n_ctrls; i++)
		free(s->topo.ctrls[i].subnets);
	for (size_t i = 0; i < s->topo.n_peers; i++)
		free(s->topo.peers[i].subnets);
	free(s->topo.ctrls);
	free(s->topo.peers);
	memset(s, 0, sizeof(*s));
}

int meshnl_get(struct meshnl *nl, const char *ifname, uint32_t ifindex,
	       bool stats, struct meshnl_state *out)
{
	uint8_t cmd = stats ? WGMESH_CMD_GET_STATS : WGMESH_CMD_GET_TOPOLOGY;
	char buf[MNL_SOCKET_BUFFER_SIZE], op[64];
	struct get_ctx ctx;
	int ret, tries;

	for (tries = 0; tries < 10; tries++) {
		struct nlmsghdr *nlh;

		memset(out, 0, sizeof(*out));
		memset(&ctx, 0, sizeof(ctx));
		ctx.s = out;
		nlh = msg(nl, buf, cmd, NLM_F_DUMP, ifname, ifindex);
		ret = talk(nl, nlh, get_cb, &ctx, cmd, ifname, ifindex);
		if (ret || !ctx.intr)
			break;
		meshnl_state_free(out);
	}
	op_name(op, sizeof(op), cmd, ifname, ifindex);
	if (!ret && (ctx.oom || ctx.bad || ctx.intr)) {
		ret = ctx.oom ? -ENOMEM : ctx.bad ? -EBADMSG : -EAGAIN;
		snprintf(nl->s.err, sizeof(nl->s.err), "%s: %s", op,
			 ctx.intr ? "the topology kept changing during the dump" :
			 strerror(-ret));
	}
	if (ret)
		meshnl_state_free(out);
	return ret;
}

int meshnl_request(struct meshnl *nl, uint8_t cmd, uint16_t flags,
		   const void *attrs, size_t len)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;

	if (len > sizeof(buf) - 64) {
		snprintf(nl->s.err, sizeof(nl->s.err), "request too big");
		return -EMSGSIZE;
	}
	nlh = msg(nl, buf, cmd, flags, NULL, 0);
	memcpy(mnl_nlmsg_get_payload_tail(nlh), attrs, len);
	nlh->nlmsg_len += MNL_ALIGN(len);
	return talk(nl, nlh, NULL, NULL, cmd, "(raw)", 0);
}
