/* SPDX-License-Identifier: GPL-2.0 */
/*
 * rtnetlink for the mesh interface: create/delete a WireGuard link, set its
 * MTU and bring it up, and add, delete and list its addresses and the
 * routes wgmesh owns (marked with protocol NLRT_PROTO).
 */
#ifndef WGMESH_NLRT_H
#define WGMESH_NLRT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>

#include "sock.h"

/* rtm_protocol of the routes wgmesh adds, so it only ever removes its own. */
#define NLRT_PROTO 87

/*
 * An address or prefix of either family: IPv6 (family AF_INET6, or 0 for
 * zero-initialised ones), or IPv4 (AF_INET) in the first 4 bytes of addr,
 * the rest zero, so that whole structures compare.
 */
struct nlrt_prefix {
	struct in6_addr addr;
	uint8_t len;
	uint8_t family;
};

static inline int nlrt_family(const struct nlrt_prefix *p)
{
	return p->family == AF_INET ? AF_INET : AF_INET6;
}

struct nlrt_link {
	uint32_t mtu;
	bool up;
	char kind[16];		/* IFLA_INFO_KIND, "" if none */
	char alias[256];	/* IFLA_IFALIAS (IFALIASZ), "" if none */
};

int nlrt_open(struct nls *s);

/* ifindex of @ifname, 0 when it does not exist. */
uint32_t nlrt_ifindex(const char *ifname);

int nlrt_link_create_wg(struct nls *s, const char *ifname);
int nlrt_link_delete(struct nls *s, const char *ifname);
int nlrt_link_get(struct nls *s, const char *ifname, struct nlrt_link *out);
/* Names of the links of @kind ("wireguard"), malloc'ed IFNAMSIZ each. */
int nlrt_link_list(struct nls *s, const char *kind, char (**names)[16],
		   size_t *n);
/* Set the link's alias (IFLA_IFALIAS; "" removes it). */
int nlrt_link_set_alias(struct nls *s, const char *ifname, const char *alias);
/* @mtu 0 leaves the MTU alone. */
int nlrt_link_set(struct nls *s, const char *ifname, uint32_t mtu, bool up);

/* Global-scope IPv6 and IPv4 addresses of @ifindex (malloc'ed array). */
int nlrt_addr_list(struct nls *s, uint32_t ifindex,
		   struct nlrt_prefix **out, size_t *n);
/* Added with IFA_F_NOPREFIXROUTE: routes are managed explicitly. */
int nlrt_addr_add(struct nls *s, uint32_t ifindex, const struct nlrt_prefix *p);
int nlrt_addr_del(struct nls *s, uint32_t ifindex, const struct nlrt_prefix *p);

/* IPv6 and IPv4 routes of the table s->table (0: main) through @ifindex
 * with protocol NLRT_PROTO; _add and _del work on that table too. */
int nlrt_route_list(struct nls *s, uint32_t ifindex,
		    struct nlrt_prefix **out, size_t *n);
/* The tables (main too) holding routes of ours through @ifindex. */
int nlrt_route_tables(struct nls *s, uint32_t ifindex, uint32_t **out,
		      size_t *n);
/*
 * The WireGuard links but @skip with routes of ours in @table (into
 * *@names, *@n of them, for the caller to free even on failure): who else
 * uses a Table.
 */
int nlrt_table_holders(struct nls *s, uint32_t table, const char *skip,
		       char (**names)[16], size_t *n);
int nlrt_route_add(struct nls *s, uint32_t ifindex,
		   const struct nlrt_prefix *p);
/* Deleting a route that is already gone succeeds. */
int nlrt_route_del(struct nls *s, uint32_t ifindex,
		   const struct nlrt_prefix *p);

/* Where an IPv4 route goes: its gateway (network order, 0: none) and device. */
struct nlrt_via {
	uint32_t gateway;
	uint32_t oif;
};

/*
 * The main table's IPv4 default route that is not wgmesh's nor through
 * @skip (the lowest metric of them): 0, 1 when there is none, or -1.
 */
int nlrt_default4(struct nls *s, uint32_t skip, struct nlrt_via *out);

/* An IPv4 host route (/32, protocol NLRT_PROTO): to @dst (network order). */
struct nlrt_host {
	uint32_t dst;
	struct nlrt_via via;
};

/* The main table's IPv4 host routes with protocol NLRT_PROTO not through @skip. */
int nlrt_host_list(struct nls *s, uint32_t skip, struct nlrt_host **out,
		   size_t *n);
int nlrt_host_add(struct nls *s, const struct nlrt_host *h);
/* Deleting one that is already gone succeeds. */
int nlrt_host_del(struct nls *s, const struct nlrt_host *h);

/*
 * IPv6 default routes from prefix @p (source-specific, "::/0 from P") of
 * the main table through @ifindex with protocol NLRT_PROTO: an exit
 * user's routed global prefixes leave through the mesh, nothing else.
 */
int nlrt_from6_list(struct nls *s, uint32_t ifindex,
		    struct nlrt_prefix **out, size_t *n);
int nlrt_from6_add(struct nls *s, uint32_t ifindex,
		   const struct nlrt_prefix *p);
/* Deleting one that is already gone succeeds. */
int nlrt_from6_del(struct nls *s, uint32_t ifindex,
		   const struct nlrt_prefix *p);

/*
 * The main table's route that IPv4 address @dst (network order) matches
 * (RTM_F_FIB_MATCH): its prefix length and protocol. 0, 1 when nothing
 * matches, or -1.
 */
int nlrt_match4(struct nls *s, uint32_t dst, uint8_t *len, uint8_t *proto);

/*
 * A policy routing rule "from SRC to DST fwmark M lookup TABLE
 * [suppress_prefixlength N]" at priority @pref, action "to table" only.
 * wgmesh's carry protocol NLRT_PROTO: nlrt_rule_list() lists only those.
 * src/dst with len 0 are "all", fwmark 0 none, suppress -1 none.
 */
struct nlrt_rule {
	uint8_t family;		/* AF_INET or AF_INET6 */
	uint32_t pref, table, fwmark;
	struct nlrt_prefix src, dst;
	int suppress;
};

int nlrt_rule_list(struct nls *s, struct nlrt_rule **out, size_t *n);
int nlrt_rule_add(struct nls *s, const struct nlrt_rule *r);
/* Deleting one that is already gone succeeds. */
int nlrt_rule_del(struct nls *s, const struct nlrt_rule *r);
bool nlrt_rule_equal(const struct nlrt_rule *a, const struct nlrt_rule *b);
/* As ip rule prints it, with the family first: "-4 32761: from all ..." */
const char *nlrt_rule_str(const struct nlrt_rule *r, char *buf, size_t len);

/* "fd00::1/56" into @buf (INET6_ADDRSTRLEN + 4 bytes). */
const char *nlrt_prefix_str(const struct nlrt_prefix *p, char *buf, size_t len);

#endif
