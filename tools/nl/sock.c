// SPDX-License-Identifier: GPL-2.0
/*
 * Netlink request/reply with extended acks, see sock.h.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>

#include "sock.h"

#ifndef NETLINK_EXT_ACK
#define NETLINK_EXT_ACK 11
#endif
#ifndef NETLINK_CAP_ACK
#define NETLINK_CAP_ACK 10
#endif

int nls_open(struct nls *s, int bus)
{
	int one = 1;

	memset(s, 0, sizeof(*s));
	s->buf = malloc(NLS_BUFLEN);
	if (!s->buf) {
		snprintf(s->err, sizeof(s->err), "netlink: out of memory");
		return -ENOMEM;
	}
	s->buflen = NLS_BUFLEN;
	s->nl = mnl_socket_open(bus);
	if (!s->nl)
		goto fail;
	if (mnl_socket_bind(s->nl, 0, MNL_SOCKET_AUTOPID) < 0)
		goto fail;
	/* Both are best effort: older kernels simply give no message. */
	mnl_socket_setsockopt(s->nl, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(s->nl, NETLINK_CAP_ACK, &one, sizeof(one));
	s->portid = mnl_socket_get_portid(s->nl);
	s->seq = (uint32_t)rand();
	return 0;
fail:
	snprintf(s->err, sizeof(s->err), "netlink socket: %s", strerror(errno));
	{
		int ret = -errno;

		nls_close(s);
		return ret;
	}
}

void nls_close(struct nls *s)
{
	if (s->nl)
		mnl_socket_close(s->nl);
	s->nl = NULL;
	free(s->buf);
	s->buf = NULL;
}

struct nls_reply {
	int error;		/* negative errno from the kernel, or 0 */
	char msg[256];		/* extack message, if any */
	uint32_t offs;		/* extack offset, if any */
};

static int extack_attr(const struct nlattr *a, void *data)
{
	struct nls_reply *r = data;

	if (mnl_attr_get_type(a) == NLMSGERR_ATTR_MSG &&
	    mnl_attr_validate(a, MNL_TYPE_NUL_STRING) >= 0)
		snprintf(r->msg, sizeof(r->msg), "%s", mnl_attr_get_str(a));
	if (mnl_attr_get_type(a) == NLMSGERR_ATTR_OFFS &&
	    mnl_attr_validate(a, MNL_TYPE_U32) >= 0)
		r->offs = mnl_attr_get_u32(a);
	return MNL_CB_OK;
}

/* NLMSG_ERROR: an ack (error 0) or a failure, with extack TLVs after it. */
static int on_error(const struct nlmsghdr *nlh, void *data)
{
	struct nls_reply *r = ((void **)data)[1];
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);
	unsigned int off = sizeof(*e);

	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*e))) {
		r->error = -EBADMSG;
		return MNL_CB_ERROR;
	}
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		off += MNL_ALIGN(e->msg.nlmsg_len - sizeof(struct nlmsghdr));
	if ((nlh->nlmsg_flags & NLM_F_ACK_TLVS) &&
	    mnl_nlmsg_size(off) <= nlh->nlmsg_len)
		mnl_attr_parse(nlh, off, extack_attr, r);
	if (e->error) {
		r->error = e->error;
		return MNL_CB_ERROR;
	}
	return MNL_CB_STOP;
}

/* NLMSG_DONE carries a status int (and extack TLVs) on failing dumps. */
static int on_done(const struct nlmsghdr *nlh, void *data)
{
	struct nls_reply *r = ((void **)data)[1];

	if (mnl_nlmsg_get_payload_len(nlh) >= sizeof(int)) {
		int err = *(const int *)mnl_nlmsg_get_payload(nlh);

		if (nlh->nlmsg_flags & NLM_F_ACK_TLVS)
			mnl_attr_parse(nlh, sizeof(int), extack_attr, r);
		if (err < 0) {
			r->error = err;
			return MNL_CB_ERROR;
		}
	}
	return MNL_CB_STOP;
}

static int on_noop(const struct nlmsghdr *nlh, void *data)
{
	(void)nlh;
	(void)data;
	return MNL_CB_OK;
}

struct nls_cbdata {
	mnl_cb_t cb;
	void *data;
};

/* Data messages go to the caller's callback with the caller's data. */
static int on_data(const struct nlmsghdr *nlh, void *data)
{
	struct nls_cbdata *d = ((void **)data)[0];

	return d->cb ? d->cb(nlh, d->data) : MNL_CB_OK;
}

struct nlmsghdr *nls_msg(struct nls *s, void *buf, uint16_t type,
			 uint16_t flags)
{
	struct nlmsghdr *nlh;

	/* libmnl 1.0.4 leaves attribute padding uninitialised. */
	memset(buf, 0, MNL_SOCKET_BUFFER_SIZE);
	nlh = mnl_nlmsg_put_header(buf);

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	nlh->nlmsg_seq = ++s->seq;
	s->dump = flags == NLM_F_DUMP;
	return nlh;
}

int nls_talk(struct nls *s, struct nlmsghdr *nlh, mnl_cb_t cb, void *data,
	     const char *op)
{
	static mnl_cb_t ctl[NLMSG_MIN_TYPE] = {
		[NLMSG_NOOP] = on_noop,
		[NLMSG_ERROR] = on_error,
		[NLMSG_DONE] = on_done,
		[NLMSG_OVERRUN] = on_noop,
	};
	struct nls_cbdata d = { .cb = cb, .data = data };
	struct nls_reply r = { 0 };
	void *both[2] = { &d, &r };
	int ret;

	s->err_offs = 0;
	if (!s->dump)
		nlh->nlmsg_flags |= NLM_F_ACK;
	if (mnl_socket_sendto(s->nl, nlh, nlh->nlmsg_len) < 0) {
		r.error = -errno;
		goto fail;
	}
	/*
	 * mnl_cb_run2 hands the data pointer to both the data and the control
	 * callbacks, hence the pair; on_data unwraps it for the caller.
	 */
	do {
		ret = mnl_socket_recvfrom(s->nl, s->buf, s->buflen);
		if (ret < 0) {
			r.error = -errno;
			goto fail;
		}
		ret = mnl_cb_run2(s->buf, ret, nlh->nlmsg_seq, s->portid,
				  on_data, both, ctl, NLMSG_MIN_TYPE);
	} while (ret == MNL_CB_OK);
	if (ret == MNL_CB_STOP && !r.error)
		return 0;
	if (!r.error)
		r.error = errno ? -errno : -EPROTO;
fail:
	s->err_offs = r.offs;
	if (r.msg[0])
		snprintf(s->err, sizeof(s->err), "%s: %s: %s", op,
			 strerror(-r.error), r.msg);
	else
		snprintf(s->err, sizeof(s->err), "%s: %s", op,
			 strerror(-r.error));
	return r.error;
}

/* What CTRL_CMD_GETFAMILY is asked for, and what it answered. */
struct family_info {
	const char *group_name;	/* a multicast group, or NULL */
	uint16_t id;
	uint32_t group;
};

static void group_attr(const struct nlattr *a, struct family_info *fi)
{
	const struct nlattr *grp[CTRL_ATTR_MCAST_GRP_MAX + 1] = { 0 };
	const struct nlattr *x;

	mnl_attr_for_each_nested(x, a) {
		int t = mnl_attr_get_type(x);

		if (t > 0 && t <= CTRL_ATTR_MCAST_GRP_MAX)
			grp[t] = x;
	}
	if (grp[CTRL_ATTR_MCAST_GRP_NAME] && grp[CTRL_ATTR_MCAST_GRP_ID] &&
	    mnl_attr_validate(grp[CTRL_ATTR_MCAST_GRP_NAME],
			      MNL_TYPE_NUL_STRING) >= 0 &&
	    mnl_attr_validate(grp[CTRL_ATTR_MCAST_GRP_ID], MNL_TYPE_U32) >= 0 &&
	    !strcmp(mnl_attr_get_str(grp[CTRL_ATTR_MCAST_GRP_NAME]),
		    fi->group_name))
		fi->group = mnl_attr_get_u32(grp[CTRL_ATTR_MCAST_GRP_ID]);
}

static int family_attr(const struct nlattr *a, void *data)
{
	struct family_info *fi = data;
	const struct nlattr *g;

	switch (mnl_attr_get_type(a)) {
	case CTRL_ATTR_FAMILY_ID:
		if (mnl_attr_validate(a, MNL_TYPE_U16) >= 0)
			fi->id = mnl_attr_get_u16(a);
		break;
	case CTRL_ATTR_MCAST_GROUPS:
		if (fi->group_name)
			mnl_attr_for_each_nested(g, a)
				group_attr(g, fi);
		break;
	}
	return MNL_CB_OK;
}

static int family_cb(const struct nlmsghdr *nlh, void *data)
{
	return mnl_attr_parse(nlh, sizeof(struct genlmsghdr), family_attr,
			      data);
}

int nls_genl_group(struct nls *s, const char *name, const char *group_name,
		   uint16_t *id, uint32_t *group)
{
	struct family_info fi = { .group_name = group_name };
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = nls_msg(s, buf, GENL_ID_CTRL, 0);
	struct genlmsghdr *g;
	char op[96];
	int ret;

	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = CTRL_CMD_GETFAMILY;
	g->version = 1;
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, name);
	snprintf(op, sizeof(op), "generic netlink family \"%s\"", name);
	ret = nls_talk(s, nlh, family_cb, &fi, op);
	*id = fi.id;
	if (group)
		*group = fi.group;
	if (!ret && !fi.id) {
		snprintf(s->err, sizeof(s->err), "%s: no family id in reply", op);
		return -EPROTO;
	}
	return ret;
}

int nls_genl_family(struct nls *s, const char *name, uint16_t *id)
{
	return nls_genl_group(s, name, NULL, id, NULL);
}
