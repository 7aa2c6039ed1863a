/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * wgmesh: in-kernel mesh policy and forwarding for WireGuard controllers.
 *
 * Documentation
 * =============
 *
 * Generic netlink family WGMESH_GENL_NAME, version WGMESH_GENL_VERSION. The
 * module autoloads when the family is resolved (MODULE_ALIAS_GENL_FAMILY).
 * Every request names the WireGuard device by one (not both) of:
 *
 *    WGMESH_A_IFINDEX: NLA_U32
 *    WGMESH_A_IFNAME: NLA_NUL_STRING, maxlen IFNAMSIZ - 1
 *
 * looked up in the network namespace of the requesting socket. ATTACH,
 * DETACH and SET_TOPOLOGY need CAP_NET_ADMIN in the user namespace owning
 * that network namespace (GENL_UNS_ADMIN_PERM); GET_TOPOLOGY and GET_STATS
 * are unprivileged (no secrets, like "ip -s link"). Errors carry an extended
 * ACK message naming the offending attribute (request NETLINK_EXT_ACK).
 *
 * Addressing (see the project's addressing notes), bytes of an IPv6 address:
 *
 *    0: 0xfd   1..3: mesh hash   4: 0   5..6: controller id   7: 0
 *    8..15: controller ::1 (00 00 00 00 00 00 00 01), or a peer's suffix
 *
 * A controller id is bytes 5..6 read big endian (0..0xffff). A peer id is
 * bytes 8..11 read big endian (1..0xffffffff): it names the peer's /96 in
 * every controller's /56. Peer id 0 is refused because its /96 would contain
 * the controllers' own ::1 addresses.
 *
 * WGMESH_CMD_ATTACH
 * -----------------
 *
 * Registers the datapath hook on a WireGuard device (anything else is refused
 * with EOPNOTSUPP; an attached device gives EEXIST, which userspace wanting
 * idempotency may treat as success). Until a topology is set, the hook lets
 * every packet through untouched (counted as WGMESH_STATS_A_PASS_*). The
 * device detaches itself when it is deleted or moved to another namespace.
 *
 * WGMESH_CMD_DETACH
 * -----------------
 *
 * Removes the hook and the topology; ENOENT if the device is not attached.
 *
 * WGMESH_CMD_SET_TOPOLOGY
 * -----------------------
 *
 * Replaces the whole topology of an attached device atomically: packets in
 * flight see either the old or the new one, never a mix. Attributes:
 *
 *    WGMESH_A_PREFIX: 16 bytes, the mesh /40 as an in6_addr: byte 0 = 0xfd,
 *        bytes 4..15 zero (required)
 *    WGMESH_A_SELF_ID: NLA_U16, which controller this machine is (required,
 *        must be one of the controllers)
 *    WGMESH_A_GENERATION: NLA_U64, opaque to the kernel, reported back by the
 *        GET commands so userspace can tell which topology is live (default 0)
 *    WGMESH_A_FLAGS: NLA_U32, WGMESH_F_* (default 0)
 *    WGMESH_A_CONTROLLERS: NLA_NESTED (required, at least self)
 *        0: NLA_NESTED
 *            WGMESH_MEMBER_A_ID: NLA_U32, controller id <= 0xffff (required)
 *            WGMESH_MEMBER_A_GROUPS: NLA_U64, bit g = member of group g
 *            WGMESH_MEMBER_A_FLAGS: NLA_U32, must be 0 for controllers
 *        0: NLA_NESTED
 *            ...
 *    WGMESH_A_PEERS: NLA_NESTED (optional)
 *        0: NLA_NESTED
 *            WGMESH_MEMBER_A_ID: NLA_U32, peer id != 0 (required)
 *            WGMESH_MEMBER_A_GROUPS: NLA_U64
 *            WGMESH_MEMBER_A_FLAGS: NLA_U32, WGMESH_MEMBER_F_*
 *        ...
 *    WGMESH_A_ALLOW: NLA_NESTED (optional), the group pairs that may talk
 *        0: NLA_NESTED
 *            WGMESH_ALLOW_A_GROUP1: NLA_U8, 0..63 (required)
 *            WGMESH_ALLOW_A_GROUP2: NLA_U8, 0..63 (required)
 *        ...
 *
 * A netlink attribute holds at most 64 KiB, about 2,000 members, so
 * WGMESH_A_CONTROLLERS and WGMESH_A_PEERS may each appear SEVERAL times at
 * the top level: the kernel concatenates them in order. A 10,000-peer
 * topology is a ~300 KiB message: raise SO_SNDBUF (SO_SNDBUFFORCE) first.
 * Limits: WGMESH_MAX_PEERS peers, 65,536 controllers, WGMESH_MAX_GROUPS
 * groups. Duplicate ids give EEXIST, other invalid input EINVAL, both with a
 * message naming the id or attribute.
 *
 * Policy, for a packet from member S to member D (after S's address is
 * verified to be a member's: a known peer's /96 under a known controller's
 * /56, or a known controller's ::1):
 *
 *    - D is this controller's own ::1: delivered locally, never policed;
 *    - S or D is a peer flagged WGMESH_MEMBER_F_ISOLATED and the other end is
 *      not a controller's ::1: dropped (ISOLATED);
 *    - without WGMESH_F_DEFAULT_DENY: forwarded (clan-core's behaviour; groups
 *      then only matter for isolation, which they do not affect);
 *    - with WGMESH_F_DEFAULT_DENY: forwarded iff some group of S and some
 *      group of D form an allowed pair. Pairs are symmetric ({a, b} lets a
 *      talk to b and b to a, so replies work); {a, a} lets members of a talk
 *      among themselves. Controllers are policed like peers: give them a
 *      group that may talk to everyone if peers must reach all controllers.
 *
 * WGMESH_CMD_GET_TOPOLOGY and WGMESH_CMD_GET_STATS
 * ------------------------------------------------
 *
 * Dumps only (NLM_F_REQUEST | NLM_F_DUMP). The reply is several messages
 * (NLM_F_MULTI); each one carries WGMESH_A_IFINDEX, WGMESH_A_IFNAME and
 * WGMESH_A_GENERATION, the FIRST one also WGMESH_A_PREFIX, WGMESH_A_SELF_ID,
 * WGMESH_A_FLAGS, WGMESH_A_NUM_CONTROLLERS, WGMESH_A_NUM_PEERS, WGMESH_A_ALLOW
 * (pairs with GROUP1 <= GROUP2) and, for GET_STATS, the device totals in
 * WGMESH_A_STATS. The members follow, controllers first, in as many
 * WGMESH_A_CONTROLLERS and WGMESH_A_PEERS nests (same layout as above) as
 * needed; with GET_STATS each member also has WGMESH_MEMBER_A_STATS. If the
 * topology is replaced during the dump, the message carries
 * NLM_F_DUMP_INTR: start again. An attached device without a topology
 * replies with only the device attributes (and WGMESH_A_STATS).
 *
 *    WGMESH_A_STATS / WGMESH_MEMBER_A_STATS: NLA_NESTED
 *        WGMESH_STATS_A_*: NLA_U64 each
 *
 * Member counters count packets whose SOURCE is that member (RX_*, LOCAL_*,
 * FWD_*, DROP_*) and packets forwarded TO it (TX_*). They survive a topology
 * replace for members (same kind and id) present in both. Device counters
 * also count what cannot be blamed on a member (SPOOFED, MALFORMED, PASS).
 */

#ifndef _WGMESH_UAPI_WGMESH_H
#define _WGMESH_UAPI_WGMESH_H

#define WGMESH_GENL_NAME "wgmesh"
#define WGMESH_GENL_VERSION 1

#define WGMESH_MAX_GROUPS 64
#define WGMESH_MAX_CONTROLLERS 65536
#define WGMESH_MAX_PEERS (1U << 20)

enum wgmesh_cmd {
	WGMESH_CMD_UNSPEC,
	WGMESH_CMD_ATTACH,
	WGMESH_CMD_DETACH,
	WGMESH_CMD_SET_TOPOLOGY,
	WGMESH_CMD_GET_TOPOLOGY,
	WGMESH_CMD_GET_STATS,
	__WGMESH_CMD_MAX
};
#define WGMESH_CMD_MAX (__WGMESH_CMD_MAX - 1)

enum wgmesh_flag {
	WGMESH_F_DEFAULT_DENY = 1U << 0,
	__WGMESH_F_ALL = WGMESH_F_DEFAULT_DENY
};

enum wgmesh_attr {
	WGMESH_A_UNSPEC,
	WGMESH_A_IFINDEX,
	WGMESH_A_IFNAME,
	WGMESH_A_PREFIX,
	WGMESH_A_SELF_ID,
	WGMESH_A_GENERATION,
	WGMESH_A_FLAGS,
	WGMESH_A_CONTROLLERS,
	WGMESH_A_PEERS,
	WGMESH_A_ALLOW,
	WGMESH_A_NUM_CONTROLLERS,
	WGMESH_A_NUM_PEERS,
	WGMESH_A_STATS,
	WGMESH_A_PAD,
	__WGMESH_A_LAST
};
#define WGMESH_A_MAX (__WGMESH_A_LAST - 1)

enum wgmesh_member_flag {
	WGMESH_MEMBER_F_ISOLATED = 1U << 0,
	__WGMESH_MEMBER_F_ALL = WGMESH_MEMBER_F_ISOLATED
};

enum wgmesh_member_attr {
	WGMESH_MEMBER_A_UNSPEC,
	WGMESH_MEMBER_A_ID,
	WGMESH_MEMBER_A_GROUPS,
	WGMESH_MEMBER_A_FLAGS,
	WGMESH_MEMBER_A_STATS,
	WGMESH_MEMBER_A_PAD,
	__WGMESH_MEMBER_A_LAST
};
#define WGMESH_MEMBER_A_MAX (__WGMESH_MEMBER_A_LAST - 1)

enum wgmesh_allow_attr {
	WGMESH_ALLOW_A_UNSPEC,
	WGMESH_ALLOW_A_GROUP1,
	WGMESH_ALLOW_A_GROUP2,
	__WGMESH_ALLOW_A_LAST
};
#define WGMESH_ALLOW_A_MAX (__WGMESH_ALLOW_A_LAST - 1)

/*
 * Counters. RX: IPv6 packets checked (everything but PASS); LOCAL: delivered
 * to this controller; FWD: forwarded back into the tunnel; TX (members only):
 * forwarded to that member; PASS (device only): non-IPv6, multicast and
 * link-local packets, and everything while no topology is set; DROP_*: why a
 * packet was dropped:
 *   SPOOFED   source is not a member address (or is this controller's own)
 *   OUTSIDE   destination outside the mesh /40
 *   UNKNOWN   destination inside the mesh but not a member address
 *   POLICY    default-deny and no allowed group pair
 *   ISOLATED  an isolated peer talking to a non-controller, or the reverse
 *   HOPLIMIT  hop limit <= 1 (ICMPv6 Time Exceeded sent)
 *   TOOBIG    larger than the device MTU (ICMPv6 Packet Too Big sent)
 *   MALFORMED bad IPv6 header or length
 *   XMIT      could not be made writable or queued for transmission
 */
enum wgmesh_stats_attr {
	WGMESH_STATS_A_UNSPEC,
	WGMESH_STATS_A_RX_PACKETS,
	WGMESH_STATS_A_RX_BYTES,
	WGMESH_STATS_A_LOCAL_PACKETS,
	WGMESH_STATS_A_LOCAL_BYTES,
	WGMESH_STATS_A_FWD_PACKETS,
	WGMESH_STATS_A_FWD_BYTES,
	WGMESH_STATS_A_TX_PACKETS,
	WGMESH_STATS_A_TX_BYTES,
	WGMESH_STATS_A_PASS_PACKETS,
	WGMESH_STATS_A_DROP_SPOOFED,
	WGMESH_STATS_A_DROP_OUTSIDE,
	WGMESH_STATS_A_DROP_UNKNOWN,
	WGMESH_STATS_A_DROP_POLICY,
	WGMESH_STATS_A_DROP_ISOLATED,
	WGMESH_STATS_A_DROP_HOPLIMIT,
	WGMESH_STATS_A_DROP_TOOBIG,
	WGMESH_STATS_A_DROP_MALFORMED,
	WGMESH_STATS_A_DROP_XMIT,
	WGMESH_STATS_A_PAD,
	__WGMESH_STATS_A_LAST
};
#define WGMESH_STATS_A_MAX (__WGMESH_STATS_A_LAST - 1)
/* Counters are WGMESH_STATS_A_RX_PACKETS .. WGMESH_STATS_A_DROP_XMIT. */
#define WGMESH_STATS_NUM (WGMESH_STATS_A_PAD - WGMESH_STATS_A_RX_PACKETS)

#endif /* _WGMESH_UAPI_WGMESH_H */
