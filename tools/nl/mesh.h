/* SPDX-License-Identifier: GPL-2.0 */
/*
 * meshnl: a libmnl client of the wgmesh generic netlink family
 * (kernel/uapi/wgmesh.h), independent of the topology file parser: the
 * topology is a plain struct of ids, group masks, flags and allowed pairs.
 *
 * Every call names the device by @ifname, or by @ifindex when @ifname is
 * NULL. Calls return 0 or a negative errno; meshnl_error() then holds one
 * line "strerror[: kernel message][ (controller|peer 0x...)]".
 */
#ifndef WGMESH_MESHNL_H
#define WGMESH_MESHNL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../../kernel/uapi/wgmesh.h"

struct meshnl_member {
	uint32_t id;		/* controller id (16 bits) or peer id */
	uint64_t groups;	/* bit g: member of group g */
	uint32_t flags;		/* WGMESH_MEMBER_F_* */
	uint64_t stats[WGMESH_STATS_NUM];	/* meshnl_get(stats) only */
};

struct meshnl_pair {
	uint8_t a, b;		/* groups a and b may talk (symmetric) */
};

struct meshnl_topology {
	uint8_t prefix[16];	/* the mesh /40: fdXX:XXXX:XX00:: */
	uint16_t self_id;
	uint64_t generation;
	uint32_t flags;		/* WGMESH_F_* */
	struct meshnl_member *ctrls;
	size_t n_ctrls;
	struct meshnl_member *peers;
	size_t n_peers;
	struct meshnl_pair *allow;
	size_t n_allow;
};

/* What GET_TOPOLOGY / GET_STATS report; free with meshnl_state_free(). */
struct meshnl_state {
	uint32_t ifindex;
	char ifname[16];
	bool has_topology;	/* false: attached, no topology set yet */
	struct meshnl_topology topo;
	uint64_t dev_stats[WGMESH_STATS_NUM];	/* meshnl_get(stats) only */
};

/* Counter names ("rx_packets", ...), indexed like the stats arrays. */
extern const char *const meshnl_stat_names[WGMESH_STATS_NUM];

struct meshnl;

/* NULL with @err set when the socket or the family cannot be had. */
struct meshnl *meshnl_open(char *err, size_t errlen);
void meshnl_close(struct meshnl *nl);
const char *meshnl_error(const struct meshnl *nl);

int meshnl_attach(struct meshnl *nl, const char *ifname, uint32_t ifindex);
int meshnl_detach(struct meshnl *nl, const char *ifname, uint32_t ifindex);
int meshnl_set_topology(struct meshnl *nl, const char *ifname,
			uint32_t ifindex, const struct meshnl_topology *t);
int meshnl_get(struct meshnl *nl, const char *ifname, uint32_t ifindex,
	       bool stats, struct meshnl_state *out);
void meshnl_state_free(struct meshnl_state *s);

/*
 * For tests: send command @cmd with @len bytes of raw attributes (built by
 * the caller, possibly malformed on purpose) and wait for the ack.
 */
int meshnl_request(struct meshnl *nl, uint8_t cmd, const void *attrs,
		   size_t len);

#endif
