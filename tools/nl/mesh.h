/* SPDX-License-Identifier: GPL-2.0 */
/*
 * meshnl: client of the wgmesh generic netlink family
 * (kernel/uapi/wgmesh.h) over the shared netlink transport (nlsock.h),
 * independent of the topology file parser: a topology here is a plain
 * struct of ids, group masks, flags and allowed-group rows.
 *
 * Every call names the device by @ifname, or by @ifindex when @ifname is
 * NULL, and returns 0 or a negative errno with one line in nl->s.err:
 * "WGMESH_CMD_X dev: strerror[: kernel message][ (controller|peer 0x..)]".
 */
#ifndef WGMESH_MESHNL_H
#define WGMESH_MESHNL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../../kernel/uapi/wgmesh.h"
#include "sock.h"

/* Counters by attribute number (WGMESH_STATS_A_*); absent ones stay 0. */
typedef uint64_t meshnl_stats[WGMESH_STATS_A_MAX + 1];

/* A routed subnet: IPv4 (4 bytes of addr) or IPv6 (16, at most /64). */
struct meshnl_subnet {
	int family;		/* AF_INET or AF_INET6 */
	uint8_t addr[16];
	uint8_t len;
};

struct meshnl_member {
	uint32_t id;		/* controller id (16 bits) or peer id */
	uint64_t groups;	/* bit g: member of group g */
	uint32_t flags;		/* WGMESH_MEMBER_F_* */
	uint32_t ipv4;		/* network order; 0: none */
	struct meshnl_subnet *subnets;	/* malloc'ed when read back */
	size_t n_subnets, cap_subnets;	/* cap: lib/array.h's */
	meshnl_stats stats;	/* meshnl_get(stats) only */
};

struct meshnl_topology {
	uint8_t prefix[16];	/* the mesh /40: fdXX:XXXX:XX00:: */
	uint32_t ipv4_prefix;	/* the mesh IPv4 range, network order */
	uint8_t ipv4_len;	/* 0: no IPv4 */
	uint32_t self_id;
	uint64_t generation;
	uint32_t flags;		/* WGMESH_F_* */
	struct meshnl_member *ctrls;
	size_t n_ctrls;
	struct meshnl_member *peers;
	size_t n_peers;
	/* Bit b of allow[a]: groups a and b may talk (kept symmetric). */
	uint64_t allow[WGMESH_MAX_GROUPS];
};

/* What GET_TOPOLOGY / GET_STATS report; free with meshnl_state_free(). */
struct meshnl_state {
	uint32_t ifindex;
	char ifname[16];
	bool has_topology;	/* false: attached, no topology set yet */
	struct meshnl_topology topo;
	meshnl_stats dev_stats;	/* meshnl_get(stats) only */
};

/* "rx_packets", ... by attribute number; NULL for PAD and unknown ones. */
extern const char *const meshnl_stat_names[WGMESH_STATS_A_MAX + 1];

struct meshnl {
	struct nls s;
	uint16_t family;
};

/*
 * Open a generic netlink socket and resolve the family (which loads
 * wgmesh.ko on demand). @rcvbuf, when not 0, is the receive buffer to read
 * with (see NLS_BUFLEN). 0, or a negative errno with nl->s.err set.
 */
int meshnl_open(struct meshnl *nl, size_t rcvbuf);
void meshnl_close(struct meshnl *nl);

int meshnl_attach(struct meshnl *nl, const char *ifname, uint32_t ifindex);
int meshnl_detach(struct meshnl *nl, const char *ifname, uint32_t ifindex);
int meshnl_set_topology(struct meshnl *nl, const char *ifname,
			uint32_t ifindex, const struct meshnl_topology *t);
/*
 * The same in two steps, for callers that must do something between
 * building the message and sending it: the message (malloc'ed, free it
 * after sending) or NULL with nl->s.err set; then its exchange.
 */
struct nlmsghdr *meshnl_set_topology_msg(struct meshnl *nl,
					 const char *ifname, uint32_t ifindex,
					 const struct meshnl_topology *t);
int meshnl_set_topology_send(struct meshnl *nl, struct nlmsghdr *nlh,
			     const char *ifname, uint32_t ifindex);
/* A dump interrupted by a topology change is retried, up to 10 times. */
int meshnl_get(struct meshnl *nl, const char *ifname, uint32_t ifindex,
	       bool stats, struct meshnl_state *out);
void meshnl_state_free(struct meshnl_state *s);

/* Groups a and b may talk: sets both bits of the symmetric relation. */
void meshnl_allow(struct meshnl_topology *t, unsigned int a, unsigned int b);

/*
 * For tests: send command @cmd (with @flags, e.g. NLM_F_DUMP) carrying @len
 * bytes of raw attributes, built by the caller and possibly malformed on
 * purpose, and wait for the ack or the end of the dump.
 */
int meshnl_request(struct meshnl *nl, uint8_t cmd, uint16_t flags,
		   const void *attrs, size_t len);

#endif
