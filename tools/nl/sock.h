/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A netlink socket with one request in flight at a time, shared by the
 * WireGuard (nlwg) and rtnetlink (nlrt) clients: it turns on extended
 * acks so that every failure carries the kernel's own message, and keeps
 * one line describing the last failure in s->err.
 */
#ifndef WGMESH_NLSOCK_H
#define WGMESH_NLSOCK_H

#include <libmnl/libmnl.h>
#include <stdbool.h>
#include <stdint.h>

#define NLS_ERRLEN 512

struct nls {
	struct mnl_socket *nl;
	uint32_t portid;
	uint32_t seq;
	char *buf;		/* receive buffer, NLS_BUFLEN bytes */
	size_t buflen;		/* how much of it a read may fill */
	bool dump;		/* the message being built is a dump request */
	char err[NLS_ERRLEN];	/* last failure, one line */
	/* Offset in the request of the attribute the kernel rejected
	 * (NLMSGERR_ATTR_OFFS), 0 when it named none.
	 */
	uint32_t err_offs;
	/*
	 * rtnetlink (nl/rt.h): the routing table that nlrt_route_list(),
	 * _add() and _del() work on; 0 (after nls_open()) is main.
	 */
	uint32_t table;
};

/*
 * Big enough for any dump message the kernel builds (genl uses 32 KiB).
 * Lowering s->buflen makes the kernel build smaller dump messages: the
 * tests read dumps with libmnl's default 4 KiB this way.
 */
#define NLS_BUFLEN (64 * 1024)

int nls_open(struct nls *s, int bus);
void nls_close(struct nls *s);

/*
 * Send @nlh (NLM_F_ACK is added unless nls_msg() started a dump) and read
 * replies,
 * calling @cb for each data message, until the ack or NLMSG_DONE. @op names
 * the operation for the error line ("RTM_NEWLINK wg0"). Returns 0 or a
 * negative errno with s->err set to "@op: strerror[: kernel message]".
 */
int nls_talk(struct nls *s, struct nlmsghdr *nlh, mnl_cb_t cb, void *data,
	     const char *op);

/*
 * Start a message in @buf (MNL_SOCKET_BUFFER_SIZE bytes). @flags exactly
 * NLM_F_DUMP starts a dump (the bits of NLM_F_DUMP alias NLM_F_REPLACE and
 * NLM_F_EXCL, so they cannot tell on their own).
 */
struct nlmsghdr *nls_msg(struct nls *s, void *buf, uint16_t type,
			 uint16_t flags);

/* Resolve a generic netlink family id; 0 or negative errno (-ENOENT). */
int nls_genl_family(struct nls *s, const char *name, uint16_t *id);

/*
 * nls_genl_family(), and the id of its multicast group @group_name into
 * *@group (0 when the family has no such group).
 */
int nls_genl_group(struct nls *s, const char *name, const char *group_name,
		   uint16_t *id, uint32_t *group);

#endif
