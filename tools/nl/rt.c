// SPDX-License-Identifier: GPL-2.0
/*
 * rtnetlink client for the mesh interface, see rt.h.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <net/if.h>
#include <linux/if.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/fib_rules.h>
#include <linux/rtnetlink.h>

#include "../lib/array.h"
#include "rt.h"

#ifndef IFA_F_NOPREFIXROUTE
#define IFA_F_NOPREFIXROUTE 0x200
#endif

int nlrt_open(struct nls *s)
{
	return nls_open(s, NETLINK_ROUTE);
}

uint32_t nlrt_ifindex(const char *ifname)
{
	return if_nametoindex(ifname);
}

const char *nlrt_prefix_str(const struct nlrt_prefix *p, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];

	inet_ntop(nlrt_family(p), &p->addr, a, sizeof(a));
	snprintf(buf, len, "%s/%u", a, p->len);
	return buf;
}

static struct nlmsghdr *link_msg(struct nls *s, void *buf, uint16_t type,
				 uint16_t flags, const char *ifname)
{
	struct nlmsghdr *nlh = nls_msg(s, buf, type, flags);
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));

	ifi->ifi_family = AF_UNSPEC;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, ifname);
	return nlh;
}

int nlrt_link_create_wg(struct nls *s, const char *ifname)
{
	char buf[MNL_SOCKET_BUFFER_SIZE], op[64];
	struct nlmsghdr *nlh;
	struct nlattr *info;

	nlh = link_msg(s, buf, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, ifname);
	info = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "wireguard");
	mnl_attr_nest_end(nlh, info);
	snprintf(op, sizeof(op), "RTM_NEWLINK %s type wireguard", ifname);
	return nls_talk(s, nlh, NULL, NULL, op);
}

int nlrt_link_delete(struct nls *s, const char *ifname)
{
	char buf[MNL_SOCKET_BUFFER_SIZE], op[64];
	struct nlmsghdr *nlh = link_msg(s, buf, RTM_DELLINK, 0, ifname);

	snprintf(op, sizeof(op), "RTM_DELLINK %s", ifname);
	return nls_talk(s, nlh, NULL, NULL, op);
}

int nlrt_link_set(struct nls *s, const char *ifname, uint32_t mtu, bool up)
{
	char buf[MNL_SOCKET_BUFFER_SIZE], op[64];
	struct nlmsghdr *nlh = link_msg(s, buf, RTM_NEWLINK, 0, ifname);
	struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);

	if (up) {
		ifi->ifi_flags = IFF_UP;
		ifi->ifi_change = IFF_UP;
	}
	if (mtu)
		mnl_attr_put_u32(nlh, IFLA_MTU, mtu);
	snprintf(op, sizeof(op), "RTM_NEWLINK %s%s%s", ifname,
		 mtu ? " mtu" : "", up ? " up" : "");
	return nls_talk(s, nlh, NULL, NULL, op);
}

int nlrt_link_set_alias(struct nls *s, const char *ifname, const char *alias)
{
	char buf[MNL_SOCKET_BUFFER_SIZE], op[64];
	struct nlmsghdr *nlh = link_msg(s, buf, RTM_NEWLINK, 0, ifname);

	/* As ip(8) sends it: no NUL; an empty alias removes it. */
	mnl_attr_put(nlh, IFLA_IFALIAS, strlen(alias), alias);
	snprintf(op, sizeof(op), "RTM_NEWLINK %s alias", ifname);
	return nls_talk(s, nlh, NULL, NULL, op);
}

static int link_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);
	struct nlrt_link *l = data;
	const struct nlattr *a, *i;

	l->up = ifi->ifi_flags & IFF_UP;
	mnl_attr_for_each(a, nlh, sizeof(*ifi)) {
		if (mnl_attr_get_type(a) == IFLA_MTU &&
		    mnl_attr_validate(a, MNL_TYPE_U32) >= 0)
			l->mtu = mnl_attr_get_u32(a);
		if (mnl_attr_get_type(a) == IFLA_IFALIAS &&
		    mnl_attr_validate(a, MNL_TYPE_NUL_STRING) >= 0)
			snprintf(l->alias, sizeof(l->alias), "%s",
				 mnl_attr_get_str(a));
		if (mnl_attr_get_type(a) != IFLA_LINKINFO)
			continue;
		mnl_attr_for_each_nested(i, a)
			if (mnl_attr_get_type(i) == IFLA_INFO_KIND &&
			    mnl_attr_validate(i, MNL_TYPE_NUL_STRING) >= 0)
				snprintf(l->kind, sizeof(l->kind), "%s",
					 mnl_attr_get_str(i));
	}
	return MNL_CB_OK;
}

int nlrt_link_get(struct nls *s, const char *ifname, struct nlrt_link *out)
{
	char buf[MNL_SOCKET_BUFFER_SIZE], op[64];
	struct nlmsghdr *nlh = link_msg(s, buf, RTM_GETLINK, 0, ifname);

	memset(out, 0, sizeof(*out));
	snprintf(op, sizeof(op), "RTM_GETLINK %s", ifname);
	return nls_talk(s, nlh, link_cb, out, op);
}

struct link_list {
	const char *kind;
	char (*names)[16];
	size_t n, cap;
};

static int link_list_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);
	struct link_list *l = data;
	struct nlrt_link link = { 0 };
	const struct nlattr *a;
	char *name;

	link_cb(nlh, &link);
	if (strcmp(link.kind, l->kind))
		return MNL_CB_OK;
	mnl_attr_for_each(a, nlh, sizeof(*ifi)) {
		if (mnl_attr_get_type(a) != IFLA_IFNAME ||
		    mnl_attr_validate(a, MNL_TYPE_NUL_STRING) < 0)
			continue;
		name = array_push(&l->names, &l->n, &l->cap, sizeof(*l->names));
		if (!name) {
			errno = ENOMEM;
			return MNL_CB_ERROR;
		}
		snprintf(name, sizeof(*l->names), "%s", mnl_attr_get_str(a));
	}
	return MNL_CB_OK;
}

int nlrt_link_list(struct nls *s, const char *kind, char (**names)[16],
		   size_t *n)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct link_list l = { .kind = kind };
	struct nlmsghdr *nlh = nls_msg(s, buf, RTM_GETLINK, NLM_F_DUMP);
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	int ret;

	ifi->ifi_family = AF_UNSPEC;
	ret = nls_talk(s, nlh, link_list_cb, &l, "RTM_GETLINK");
	if (ret) {
		free(l.names);
		return ret;
	}
	*names = l.names;
	*n = l.n;
	return 0;
}

/* ---- addresses and routes ---- */

struct prefix_list {
	uint32_t ifindex;
	uint32_t table;		/* routes: of this table only */
	bool from;		/* routes: "default from" ones, by source */
	struct nlrt_prefix *v;
	size_t n, cap;
};

static int list_add(struct prefix_list *l, int family, const void *addr,
		    uint8_t len)
{
	struct nlrt_prefix *p = array_push(&l->v, &l->n, &l->cap, sizeof(*p));

	if (!p) {
		errno = ENOMEM;
		return MNL_CB_ERROR;
	}
	p->family = (uint8_t)family;
	memcpy(&p->addr, addr, family == AF_INET ? 4 : sizeof(p->addr));
	p->len = len;
	return MNL_CB_OK;
}

/* Runs the dump @nlh, collecting what @cb keeps into *out (malloc'ed). */
static int dump_prefixes(struct nls *s, struct nlmsghdr *nlh, mnl_cb_t cb,
			 struct prefix_list *l, const char *op,
			 struct nlrt_prefix **out, size_t *n)
{
	int ret = nls_talk(s, nlh, cb, l, op);

	if (ret) {
		free(l->v);
		return ret;
	}
	*out = l->v;
	*n = l->n;
	return 0;
}

static int addr_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct ifaddrmsg *ifa = mnl_nlmsg_get_payload(nlh);
	int family = ifa->ifa_family;
	/* IPv4's IFA_ADDRESS is the far end of a point-to-point link. */
	uint16_t type = family == AF_INET ? IFA_LOCAL : IFA_ADDRESS;
	size_t alen = family == AF_INET ? 4 : sizeof(struct in6_addr);
	struct prefix_list *l = data;
	const struct nlattr *a;

	if ((family != AF_INET6 && family != AF_INET) ||
	    ifa->ifa_index != l->ifindex ||
	    ifa->ifa_scope != RT_SCOPE_UNIVERSE)
		return MNL_CB_OK;
	mnl_attr_for_each(a, nlh, sizeof(*ifa))
		if (mnl_attr_get_type(a) == type &&
		    mnl_attr_get_payload_len(a) == alen)
			return list_add(l, family, mnl_attr_get_payload(a),
					ifa->ifa_prefixlen);
	return MNL_CB_OK;
}

int nlrt_addr_list(struct nls *s, uint32_t ifindex,
		   struct nlrt_prefix **out, size_t *n)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct prefix_list l = { .ifindex = ifindex };
	struct nlmsghdr *nlh = nls_msg(s, buf, RTM_GETADDR, NLM_F_DUMP);
	struct ifaddrmsg *ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));

	ifa->ifa_family = AF_UNSPEC;
	ifa->ifa_index = ifindex;
	return dump_prefixes(s, nlh, addr_cb, &l, "RTM_GETADDR", out, n);
}

/* Send @nlh, a change of @p; its error line names it "@name PREFIX". */
static int talk_prefix(struct nls *s, struct nlmsghdr *nlh, const char *name,
		       const struct nlrt_prefix *p)
{
	char op[96], pb[INET6_ADDRSTRLEN + 4];

	snprintf(op, sizeof(op), "%s %s", name,
		 nlrt_prefix_str(p, pb, sizeof(pb)));
	return nls_talk(s, nlh, NULL, NULL, op);
}

static int addr_change(struct nls *s, uint16_t type, uint16_t flags,
		       uint32_t ifindex, const struct nlrt_prefix *p)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = nls_msg(s, buf, type, flags);
	struct ifaddrmsg *ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));

	int family = nlrt_family(p);
	size_t alen = family == AF_INET ? 4 : sizeof(p->addr);

	ifa->ifa_family = (uint8_t)family;
	ifa->ifa_prefixlen = p->len;
	ifa->ifa_scope = RT_SCOPE_UNIVERSE;
	ifa->ifa_index = ifindex;
	mnl_attr_put(nlh, IFA_LOCAL, alen, &p->addr);
	mnl_attr_put(nlh, IFA_ADDRESS, alen, &p->addr);
	if (type == RTM_NEWADDR) {
		/* No prefix route: wgmesh adds its own routes (NLRT_PROTO). */
		ifa->ifa_flags = IFA_F_NODAD;
		mnl_attr_put_u32(nlh, IFA_FLAGS,
				 IFA_F_NODAD | IFA_F_NOPREFIXROUTE);
	}
	return talk_prefix(s, nlh, type == RTM_NEWADDR ? "RTM_NEWADDR" :
			   "RTM_DELADDR", p);
}

int nlrt_addr_add(struct nls *s, uint32_t ifindex, const struct nlrt_prefix *p)
{
	return addr_change(s, RTM_NEWADDR, NLM_F_CREATE | NLM_F_REPLACE,
			   ifindex, p);
}

/* An address that vanished since the dump is as good as deleted. */
int nlrt_addr_del(struct nls *s, uint32_t ifindex, const struct nlrt_prefix *p)
{
	int ret = addr_change(s, RTM_DELADDR, 0, ifindex, p);

	return ret == -EADDRNOTAVAIL ? 0 : ret;
}

static int route_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct rtmsg *rtm = mnl_nlmsg_get_payload(nlh);
	struct prefix_list *l = data;
	const struct nlattr *a, *dst = NULL, *src = NULL;
	uint32_t table = rtm->rtm_table, oif = 0;
	int family = rtm->rtm_family;
	size_t alen = family == AF_INET ? 4 : sizeof(struct in6_addr);

	/*
	 * A cached exception (a Packet Too Big's /128) inherits the
	 * protocol of its route but is the kernel's, not ours.
	 */
	if ((family != AF_INET6 && family != AF_INET) ||
	    rtm->rtm_protocol != NLRT_PROTO ||
	    rtm->rtm_type != RTN_UNICAST || (rtm->rtm_flags & RTM_F_CLONED))
		return MNL_CB_OK;
	/*
	 * Ours by source are IPv6 defaults ("default from": an exit user's
	 * prefix), listed by nlrt_from6_list(), the others by
	 * nlrt_route_list(); the tables of both are collected.
	 */
	if (rtm->rtm_src_len && (family != AF_INET6 || rtm->rtm_dst_len))
		return MNL_CB_OK;
	if (l->table && !!rtm->rtm_src_len != l->from)
		return MNL_CB_OK;
	mnl_attr_for_each(a, nlh, sizeof(*rtm)) {
		switch (mnl_attr_get_type(a)) {
		case RTA_DST:
			if (mnl_attr_get_payload_len(a) == alen)
				dst = a;
			break;
		case RTA_SRC:
			if (mnl_attr_get_payload_len(a) == alen)
				src = a;
			break;
		case RTA_OIF:
			if (mnl_attr_validate(a, MNL_TYPE_U32) >= 0)
				oif = mnl_attr_get_u32(a);
			break;
		case RTA_TABLE:
			if (mnl_attr_validate(a, MNL_TYPE_U32) >= 0)
				table = mnl_attr_get_u32(a);
			break;
		}
	}
	/* A default route has no RTA_DST. */
	if (oif != l->ifindex || (!dst && rtm->rtm_dst_len) ||
	    (!src && rtm->rtm_src_len))
		return MNL_CB_OK;
	/* Any table: collect the tables, not the routes (nlrt_route_tables). */
	if (!l->table) {
		uint8_t t[4];

		memcpy(t, &table, 4);
		for (size_t i = 0; i < l->n; i++)
			if (!memcmp(&l->v[i].addr, t, 4))
				return MNL_CB_OK;
		return list_add(l, AF_INET, t, 0);
	}
	if (table != l->table)
		return MNL_CB_OK;
	if (src)
		return list_add(l, family, mnl_attr_get_payload(src),
				rtm->rtm_src_len);
	if (!dst) {
		static const struct in6_addr any;

		return list_add(l, family, &any, 0);
	}
	return list_add(l, family, mnl_attr_get_payload(dst),
			rtm->rtm_dst_len);
}

static uint32_t table_of(const struct nls *s)
{
	return s->table ? s->table : RT_TABLE_MAIN;
}

int nlrt_route_list(struct nls *s, uint32_t ifindex,
		    struct nlrt_prefix **out, size_t *n)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct prefix_list l = { .ifindex = ifindex, .table = table_of(s) };
	struct nlmsghdr *nlh = nls_msg(s, buf, RTM_GETROUTE, NLM_F_DUMP);
	struct rtmsg *rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));

	rtm->rtm_family = AF_UNSPEC;
	return dump_prefixes(s, nlh, route_cb, &l, "RTM_GETROUTE", out, n);
}

int nlrt_route_tables(struct nls *s, uint32_t ifindex, uint32_t **out,
		      size_t *n)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct prefix_list l = { .ifindex = ifindex };
	struct nlmsghdr *nlh = nls_msg(s, buf, RTM_GETROUTE, NLM_F_DUMP);
	struct rtmsg *rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	struct nlrt_prefix *v;
	int ret;

	*out = NULL;
	*n = 0;
	rtm->rtm_family = AF_UNSPEC;
	ret = dump_prefixes(s, nlh, route_cb, &l, "RTM_GETROUTE", &v, n);
	if (ret)
		return ret;
	*out = calloc(*n + 1, sizeof(**out));
	if (!*out) {
		free(v);
		snprintf(s->err, sizeof(s->err), "RTM_GETROUTE: out of memory");
		return -ENOMEM;
	}
	for (size_t i = 0; i < *n; i++)
		memcpy(&(*out)[i], &v[i].addr, 4);
	free(v);
	return 0;
}

int nlrt_table_holders(struct nls *s, uint32_t table, const char *skip,
		       char (**names)[16], size_t *n)
{
	char (*links)[16] = NULL, (*e)[16];
	size_t n_links = 0, n_tables, cap = 0;
	uint32_t *tables;
	int ret;

	*names = NULL;
	*n = 0;
	ret = nlrt_link_list(s, "wireguard", &links, &n_links);
	for (size_t i = 0; i < n_links && !ret; i++) {
		if (!strcmp(links[i], skip))
			continue;
		ret = nlrt_route_tables(s, nlrt_ifindex(links[i]), &tables,
					&n_tables);
		for (size_t j = 0; !ret && j < n_tables; j++) {
			if (tables[j] != table)
				continue;
			e = array_push(names, n, &cap, sizeof(*e));
			if (!e) {
				snprintf(s->err, sizeof(s->err),
					 "RTM_GETROUTE: out of memory");
				ret = -ENOMEM;
				break;
			}
			memcpy(*e, links[i], sizeof(*e));
			break;
		}
		free(tables);
	}
	free(links);
	return ret;
}

/*
 * A device route to @p or, @from, IPv6's "default from @p" (the
 * source-specific default of an exit user's routed prefix). A route that
 * vanished since the dump (ESRCH) is as good as deleted.
 */
static int route_change(struct nls *s, uint16_t type, uint32_t ifindex,
			const struct nlrt_prefix *p, bool from)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	bool add = type == RTM_NEWROUTE;
	struct nlmsghdr *nlh = nls_msg(s, buf, type,
				       add ? NLM_F_CREATE | NLM_F_REPLACE : 0);
	struct rtmsg *rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	int family = from ? AF_INET6 : nlrt_family(p);
	char op[32];
	int ret;

	rtm->rtm_family = (uint8_t)family;
	rtm->rtm_table = table_of(s) < 256 ? (uint8_t)table_of(s) :
			 RT_TABLE_UNSPEC;
	mnl_attr_put_u32(nlh, RTA_TABLE, table_of(s));
	rtm->rtm_protocol = NLRT_PROTO;
	/* As "ip route add ... dev wg0": IPv4 device routes are link scope. */
	rtm->rtm_scope = family == AF_INET ? RT_SCOPE_LINK : RT_SCOPE_UNIVERSE;
	rtm->rtm_type = RTN_UNICAST;
	if (from) {
		rtm->rtm_src_len = p->len;
		mnl_attr_put(nlh, RTA_SRC, sizeof(p->addr), &p->addr);
	} else {
		rtm->rtm_dst_len = p->len;
		mnl_attr_put(nlh, RTA_DST,
			     family == AF_INET ? 4 : sizeof(p->addr),
			     &p->addr);
	}
	mnl_attr_put_u32(nlh, RTA_OIF, ifindex);
	snprintf(op, sizeof(op), "%s%s", add ? "RTM_NEWROUTE" : "RTM_DELROUTE",
		 from ? " default from" : "");
	ret = talk_prefix(s, nlh, op, p);
	return !add && ret == -ESRCH ? 0 : ret;
}

int nlrt_route_add(struct nls *s, uint32_t ifindex,
		   const struct nlrt_prefix *p)
{
	return route_change(s, RTM_NEWROUTE, ifindex, p, false);
}

int nlrt_route_del(struct nls *s, uint32_t ifindex,
		   const struct nlrt_prefix *p)
{
	return route_change(s, RTM_DELROUTE, ifindex, p, false);
}

/* ---- IPv4 default route and host routes (exit users) ---- */

struct v4_list {
	uint32_t skip;
	bool ours;		/* NLRT_PROTO /32s, else foreign defaults */
	struct nlrt_host *v;
	size_t n, cap;
	uint32_t best_metric;
};

static int v4_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct rtmsg *rtm = mnl_nlmsg_get_payload(nlh);
	struct nlrt_host h = { 0 }, *slot;
	struct v4_list *l = data;
	uint32_t table = rtm->rtm_table, metric = 0;
	const struct nlattr *a;

	if (rtm->rtm_family != AF_INET || rtm->rtm_type != RTN_UNICAST ||
	    (rtm->rtm_flags & RTM_F_CLONED) ||
	    (rtm->rtm_protocol == NLRT_PROTO) != l->ours ||
	    rtm->rtm_dst_len != (l->ours ? 32 : 0))
		return MNL_CB_OK;
	mnl_attr_for_each(a, nlh, sizeof(*rtm)) {
		switch (mnl_attr_get_type(a)) {
		case RTA_DST:
			if (mnl_attr_get_payload_len(a) == 4)
				memcpy(&h.dst, mnl_attr_get_payload(a), 4);
			break;
		case RTA_GATEWAY:
			if (mnl_attr_get_payload_len(a) == 4)
				memcpy(&h.via.gateway,
				       mnl_attr_get_payload(a), 4);
			break;
		case RTA_OIF:
			if (mnl_attr_validate(a, MNL_TYPE_U32) >= 0)
				h.via.oif = mnl_attr_get_u32(a);
			break;
		case RTA_PRIORITY:
			if (mnl_attr_validate(a, MNL_TYPE_U32) >= 0)
				metric = mnl_attr_get_u32(a);
			break;
		case RTA_TABLE:
			if (mnl_attr_validate(a, MNL_TYPE_U32) >= 0)
				table = mnl_attr_get_u32(a);
			break;
		}
	}
	if (table != RT_TABLE_MAIN || !h.via.oif || h.via.oif == l->skip)
		return MNL_CB_OK;
	if (!l->ours) {
		/* Only the best default: the one the kernel uses. */
		if (l->n && metric >= l->best_metric)
			return MNL_CB_OK;
		l->n = 0;
		l->best_metric = metric;
	}
	slot = array_push(&l->v, &l->n, &l->cap, sizeof(*slot));
	if (!slot) {
		errno = ENOMEM;
		return MNL_CB_ERROR;
	}
	*slot = h;
	return MNL_CB_OK;
}

static int v4_dump(struct nls *s, struct v4_list *l)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = nls_msg(s, buf, RTM_GETROUTE, NLM_F_DUMP);
	struct rtmsg *rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	int ret;

	rtm->rtm_family = AF_INET;
	ret = nls_talk(s, nlh, v4_cb, l, "RTM_GETROUTE");
	if (ret)
		free(l->v);
	return ret;
}

int nlrt_default4(struct nls *s, uint32_t skip, struct nlrt_via *out)
{
	struct v4_list l = { .skip = skip };

	if (v4_dump(s, &l))
		return -1;
	if (l.n)
		*out = l.v[0].via;
	free(l.v);
	return l.n ? 0 : 1;
}

int nlrt_host_list(struct nls *s, uint32_t skip, struct nlrt_host **out,
		   size_t *n)
{
	struct v4_list l = { .skip = skip, .ours = true };

	if (v4_dump(s, &l))
		return -1;
	*out = l.v;
	*n = l.n;
	return 0;
}

static int host_change(struct nls *s, uint16_t type, uint16_t flags,
		       const struct nlrt_host *h)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = nls_msg(s, buf, type, flags);
	struct rtmsg *rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	struct nlrt_prefix p = { .family = AF_INET, .len = 32 };

	memcpy(&p.addr, &h->dst, 4);
	rtm->rtm_family = AF_INET;
	rtm->rtm_dst_len = 32;
	rtm->rtm_table = RT_TABLE_MAIN;
	rtm->rtm_protocol = NLRT_PROTO;
	rtm->rtm_scope = h->via.gateway ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK;
	rtm->rtm_type = RTN_UNICAST;
	mnl_attr_put(nlh, RTA_DST, 4, &h->dst);
	if (h->via.gateway)
		mnl_attr_put(nlh, RTA_GATEWAY, 4, &h->via.gateway);
	if (h->via.oif)
		mnl_attr_put_u32(nlh, RTA_OIF, h->via.oif);
	return talk_prefix(s, nlh, type == RTM_NEWROUTE ? "RTM_NEWROUTE" :
			   "RTM_DELROUTE", &p);
}

int nlrt_host_add(struct nls *s, const struct nlrt_host *h)
{
	return host_change(s, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_REPLACE, h);
}

int nlrt_host_del(struct nls *s, const struct nlrt_host *h)
{
	int ret = host_change(s, RTM_DELROUTE, 0, h);

	return ret == -ESRCH ? 0 : ret;
}

/* ---- IPv6 default routes from a prefix (exit users' global prefixes) ---- */

int nlrt_from6_list(struct nls *s, uint32_t ifindex,
		    struct nlrt_prefix **out, size_t *n)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct prefix_list l = { .ifindex = ifindex, .table = table_of(s),
				 .from = true };
	struct nlmsghdr *nlh = nls_msg(s, buf, RTM_GETROUTE, NLM_F_DUMP);
	struct rtmsg *rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));

	rtm->rtm_family = AF_INET6;
	return dump_prefixes(s, nlh, route_cb, &l, "RTM_GETROUTE", out, n);
}

int nlrt_from6_add(struct nls *s, uint32_t ifindex,
		   const struct nlrt_prefix *p)
{
	return route_change(s, RTM_NEWROUTE, ifindex, p, true);
}

int nlrt_from6_del(struct nls *s, uint32_t ifindex,
		   const struct nlrt_prefix *p)
{
	return route_change(s, RTM_DELROUTE, ifindex, p, true);
}

struct match4 {
	uint8_t len, proto;
	bool found;
};

static int match4_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct rtmsg *rtm = mnl_nlmsg_get_payload(nlh);
	struct match4 *m = data;

	m->len = rtm->rtm_dst_len;
	m->proto = rtm->rtm_protocol;
	m->found = true;
	return MNL_CB_OK;
}

int nlrt_match4(struct nls *s, uint32_t dst, uint8_t *len, uint8_t *proto)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = nls_msg(s, buf, RTM_GETROUTE, 0);
	struct rtmsg *rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	struct match4 m = { 0 };
	int ret;

	rtm->rtm_family = AF_INET;
	rtm->rtm_dst_len = 32;
	rtm->rtm_flags = RTM_F_FIB_MATCH;
	mnl_attr_put(nlh, RTA_DST, 4, &dst);
	ret = nls_talk(s, nlh, match4_cb, &m, "RTM_GETROUTE");
	if (ret == -ENETUNREACH || ret == -EHOSTUNREACH)
		return 1;
	if (ret)
		return -1;
	*len = m.len;
	*proto = m.proto;
	return m.found ? 0 : 1;
}

/* ---- policy routing rules (Table/FwMark) ---- */

struct rule_list {
	struct nlrt_rule *v;
	size_t n, cap;
};

static int rule_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct fib_rule_hdr *h = mnl_nlmsg_get_payload(nlh);
	struct nlrt_rule r = { .family = h->family, .table = h->table,
			       .suppress = -1 };
	size_t alen = h->family == AF_INET ? 4 : 16;
	struct rule_list *l = data;
	const struct nlattr *a;
	uint8_t proto = 0;
	struct nlrt_rule *slot;

	if ((h->family != AF_INET && h->family != AF_INET6) ||
	    h->action != FR_ACT_TO_TBL || (h->flags & FIB_RULE_INVERT))
		return MNL_CB_OK;
	r.src.family = r.dst.family = h->family;
	r.src.len = h->src_len;
	r.dst.len = h->dst_len;
	mnl_attr_for_each(a, nlh, sizeof(*h)) {
		bool u32 = mnl_attr_validate(a, MNL_TYPE_U32) >= 0;

		switch (mnl_attr_get_type(a)) {
		case FRA_PRIORITY:
			if (u32)
				r.pref = mnl_attr_get_u32(a);
			break;
		case FRA_TABLE:
			if (u32)
				r.table = mnl_attr_get_u32(a);
			break;
		case FRA_FWMARK:
			if (u32)
				r.fwmark = mnl_attr_get_u32(a);
			break;
		case FRA_SUPPRESS_PREFIXLEN:
			if (u32)
				r.suppress = (int)mnl_attr_get_u32(a);
			break;
		case FRA_SRC:
			if (mnl_attr_get_payload_len(a) == alen)
				memcpy(&r.src.addr, mnl_attr_get_payload(a),
				       alen);
			break;
		case FRA_DST:
			if (mnl_attr_get_payload_len(a) == alen)
				memcpy(&r.dst.addr, mnl_attr_get_payload(a),
				       alen);
			break;
		case FRA_PROTOCOL:
			if (mnl_attr_get_payload_len(a) == 1)
				proto = mnl_attr_get_u8(a);
			break;
		}
	}
	if (proto != NLRT_PROTO)
		return MNL_CB_OK;
	slot = array_push(&l->v, &l->n, &l->cap, sizeof(*slot));
	if (!slot) {
		errno = ENOMEM;
		return MNL_CB_ERROR;
	}
	*slot = r;
	return MNL_CB_OK;
}

int nlrt_rule_list(struct nls *s, struct nlrt_rule **out, size_t *n)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = nls_msg(s, buf, RTM_GETRULE, NLM_F_DUMP);
	struct fib_rule_hdr *h = mnl_nlmsg_put_extra_header(nlh, sizeof(*h));
	struct rule_list l = { 0 };
	int ret;

	h->family = AF_UNSPEC;
	ret = nls_talk(s, nlh, rule_cb, &l, "RTM_GETRULE");
	if (ret) {
		free(l.v);
		return ret;
	}
	*out = l.v;
	*n = l.n;
	return 0;
}

static int rule_change(struct nls *s, uint16_t type, uint16_t flags,
		       const struct nlrt_rule *r)
{
	char buf[MNL_SOCKET_BUFFER_SIZE], op[160], rs[128];
	struct nlmsghdr *nlh = nls_msg(s, buf, type, flags);
	struct fib_rule_hdr *h = mnl_nlmsg_put_extra_header(nlh, sizeof(*h));
	size_t alen = r->family == AF_INET ? 4 : 16;

	h->family = r->family;
	h->action = FR_ACT_TO_TBL;
	h->table = r->table < 256 ? (uint8_t)r->table : RT_TABLE_UNSPEC;
	h->src_len = r->src.len;
	h->dst_len = r->dst.len;
	mnl_attr_put_u32(nlh, FRA_PRIORITY, r->pref);
	mnl_attr_put_u32(nlh, FRA_TABLE, r->table);
	mnl_attr_put_u8(nlh, FRA_PROTOCOL, NLRT_PROTO);
	if (r->fwmark) {
		mnl_attr_put_u32(nlh, FRA_FWMARK, r->fwmark);
		mnl_attr_put_u32(nlh, FRA_FWMASK, 0xffffffffu);
	}
	if (r->src.len)
		mnl_attr_put(nlh, FRA_SRC, alen, &r->src.addr);
	if (r->dst.len)
		mnl_attr_put(nlh, FRA_DST, alen, &r->dst.addr);
	if (r->suppress >= 0)
		mnl_attr_put_u32(nlh, FRA_SUPPRESS_PREFIXLEN,
				 (uint32_t)r->suppress);
	snprintf(op, sizeof(op), "%s %s", type == RTM_NEWRULE ?
		 "RTM_NEWRULE" : "RTM_DELRULE", nlrt_rule_str(r, rs,
							      sizeof(rs)));
	return nls_talk(s, nlh, NULL, NULL, op);
}

int nlrt_rule_add(struct nls *s, const struct nlrt_rule *r)
{
	return rule_change(s, RTM_NEWRULE, NLM_F_CREATE | NLM_F_EXCL, r);
}

int nlrt_rule_del(struct nls *s, const struct nlrt_rule *r)
{
	int ret = rule_change(s, RTM_DELRULE, 0, r);

	return ret == -ENOENT ? 0 : ret;
}

bool nlrt_rule_equal(const struct nlrt_rule *a, const struct nlrt_rule *b)
{
	return a->family == b->family && a->pref == b->pref &&
	       a->table == b->table && a->fwmark == b->fwmark &&
	       a->suppress == b->suppress && a->src.len == b->src.len &&
	       a->dst.len == b->dst.len &&
	       !memcmp(&a->src.addr, &b->src.addr, sizeof(a->src.addr)) &&
	       !memcmp(&a->dst.addr, &b->dst.addr, sizeof(a->dst.addr));
}

const char *nlrt_rule_str(const struct nlrt_rule *r, char *buf, size_t len)
{
	char src[INET6_ADDRSTRLEN + 4] = "all", dst[INET6_ADDRSTRLEN + 8] = "";
	char mark[32] = "", sup[40] = "", tbl[16];

	if (r->src.len)
		nlrt_prefix_str(&r->src, src, sizeof(src));
	if (r->dst.len) {
		char d[INET6_ADDRSTRLEN + 4];

		snprintf(dst, sizeof(dst), " to %s",
			 nlrt_prefix_str(&r->dst, d, sizeof(d)));
	}
	if (r->fwmark)
		snprintf(mark, sizeof(mark), " fwmark %#x", r->fwmark);
	if (r->suppress >= 0)
		snprintf(sup, sizeof(sup), " suppress_prefixlength %d",
			 r->suppress);
	if (r->table == RT_TABLE_MAIN)
		snprintf(tbl, sizeof(tbl), "main");
	else
		snprintf(tbl, sizeof(tbl), "%u", r->table);
	snprintf(buf, len, "%s%u: from %s%s%s lookup %s%s",
		 r->family == AF_INET ? "-4 " : "-6 ", r->pref, src, dst, mark,
		 tbl, sup);
	return buf;
}
