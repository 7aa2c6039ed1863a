/* SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause) */
/*
 * wgmesh: in-kernel mesh policy and forwarding for WireGuard controllers.
 *
 * Documentation
 * =============
 *
 * Generic netlink family WGMESH_GENL_NAME, version WGMESH_GENL_VERSION,
 * described by kernel/wgmesh.yaml; the enums at the end of this file are
 * exactly what the kernel's ynl-gen-c.py makes of that spec. The module
 * autoloads when the family is resolved (MODULE_ALIAS_GENL_FAMILY).
 *
 * Every command needs CAP_NET_ADMIN in the user namespace owning the
 * network namespace of the requesting socket (GENL_UNS_ADMIN_PERM, as
 * WireGuard's own family), and names the WireGuard device in that network
 * namespace by one (not both) of:
 *
 *    WGMESH_A_IFINDEX: NLA_U32, at least 1
 *    WGMESH_A_IFNAME: NLA_NUL_STRING, at most IFNAMSIZ - 1 bytes
 *
 * Each command has its own policy: an attribute the command does not take
 * is refused (EINVAL with an extended ACK, "Unknown attribute type"), as
 * is an attribute the command takes once given twice. Errors carry an
 * extended ACK message, and usually the offending attribute; request
 * NETLINK_EXT_ACK to read them.
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
 * Registers the datapath hooks on a WireGuard device (anything else is
 * refused with EOPNOTSUPP; an attached device gives EEXIST, which userspace
 * wanting idempotency may treat as success). Until a topology is set, the
 * ingress hook lets every packet through untouched (counted as
 * WGMESH_STATS_A_PASS_PACKETS). The device detaches itself when it is
 * deleted or moved to another namespace.
 *
 * WGMESH_CMD_DETACH
 * -----------------
 *
 * Removes the hooks and the topology; ENOENT if the device is not attached.
 *
 * WGMESH_CMD_SET_TOPOLOGY
 * -----------------------
 *
 * Replaces the whole topology of an attached device atomically: packets in
 * flight see either the old or the new one, never a mix. Attributes:
 *
 *    WGMESH_A_PREFIX: 16 bytes, the mesh /40 as an in6_addr: byte 0 = 0xfd,
 *        bytes 4..15 zero (required)
 *    WGMESH_A_SELF_ID: NLA_U32, 0..0xffff, which controller this machine is
 *        (required, must be one of the controllers)
 *    WGMESH_A_GENERATION: NLA_U64, opaque to the kernel, reported back by the
 *        GET commands so userspace can tell which topology is live (default 0)
 *    WGMESH_A_FLAGS: NLA_U32, WGMESH_F_* (default 0)
 *    WGMESH_A_CONTROLLER: NLA_NESTED, once per controller (at least self)
 *        WGMESH_MEMBER_A_ID: NLA_U32, controller id <= 0xffff (required)
 *        WGMESH_MEMBER_A_GROUPS: NLA_U64, bit g = member of group g
 *        WGMESH_MEMBER_A_FLAGS: NLA_U32, must be 0 for controllers
 *    WGMESH_A_PEER: NLA_NESTED, once per peer (optional)
 *        WGMESH_MEMBER_A_ID: NLA_U32, peer id != 0 (required)
 *        WGMESH_MEMBER_A_GROUPS: NLA_U64
 *        WGMESH_MEMBER_A_FLAGS: NLA_U32, WGMESH_MEMBER_F_*
 *    WGMESH_A_ALLOW: NLA_NESTED, any number (optional)
 *        WGMESH_ALLOW_A_GROUP: NLA_U32, 0..63 (required)
 *        WGMESH_ALLOW_A_MASK: NLA_U64, the groups members of GROUP may talk
 *            to (required). The kernel makes the relation symmetric:
 *            GROUP a with bit b set also lets b talk to a.
 *
 * A topology of many members is a big message (about 32 bytes a member):
 * raise SO_SNDBUF (SO_SNDBUFFORCE) first. Limits: WGMESH_MAX_CONTROLLERS
 * controllers, WGMESH_MAX_PEERS peers, and WGMESH_MAX_MEMBERS_USERNS
 * members in all on a device whose network namespace is owned by a user
 * namespace other than the initial one (E2BIG beyond). All memory a
 * topology takes is charged to the caller's memory cgroup; a request that
 * does not fit fails with ENOMEM. Duplicate ids give EEXIST, other invalid
 * input EINVAL, both with a message naming the id or attribute.
 *
 * Policy, for an IPv6 packet from member S to member D that came out of the
 * tunnel (after S's address is verified to be a member's: a known peer's
 * /96 under a known controller's /56, or a known controller's ::1):
 *
 *    - D is this controller's own ::1: delivered locally, never policed;
 *    - S or D is a peer flagged WGMESH_MEMBER_F_ISOLATED and the other end is
 *      not a controller's ::1: dropped (ISOLATED);
 *    - without WGMESH_F_DEFAULT_DENY: forwarded (clan-core's behaviour; groups
 *      then only matter for isolation, which they do not affect);
 *    - with WGMESH_F_DEFAULT_DENY: forwarded iff some group of S and some
 *      group of D form an allowed pair. Pairs are symmetric; {a, a} lets
 *      members of a talk among themselves. Controllers are policed like
 *      peers: give them a group that may talk to everyone if peers must
 *      reach all controllers.
 *
 * Forwarded packets go straight back out of the same device. IPv4 and
 * other non-IPv6 packets from the tunnel are not checked: they are passed
 * to the stack (PASS). Whatever the forwarding sysctls say, the module
 * drops (CROSSING) every packet the kernel's own forwarding path would
 * route into the device or out of it, from or to any interface (the device
 * itself included): nothing enters the mesh without having come from it,
 * and nothing leaves it for another interface.
 *
 * WGMESH_CMD_GET_TOPOLOGY and WGMESH_CMD_GET_STATS
 * ------------------------------------------------
 *
 * Dumps only (NLM_F_REQUEST | NLM_F_DUMP). The reply is as many messages
 * (NLM_F_MULTI) as the receive buffer needs; any topology fits a 4 KiB
 * buffer. Each message carries WGMESH_A_IFINDEX, WGMESH_A_IFNAME and, with a
 * topology, WGMESH_A_GENERATION; the FIRST one also WGMESH_A_PREFIX,
 * WGMESH_A_SELF_ID, WGMESH_A_FLAGS, WGMESH_A_NUM_CONTROLLERS,
 * WGMESH_A_NUM_PEERS and, for GET_STATS, the device counters in
 * WGMESH_A_STATS. Then come one WGMESH_A_ALLOW per group whose mask is not
 * empty (the symmetric relation), then one WGMESH_A_CONTROLLER per
 * controller and one WGMESH_A_PEER per peer (same layout as above), spread
 * over the messages; with GET_STATS each member also has
 * WGMESH_MEMBER_A_STATS. If the topology is replaced (or the device
 * detached and attached again) while a dump runs, its next message carries
 * NLM_F_DUMP_INTR: start again. An attached device without a topology
 * replies with one message of device attributes (and WGMESH_A_STATS).
 *
 *    WGMESH_A_STATS / WGMESH_MEMBER_A_STATS: NLA_NESTED
 *        WGMESH_STATS_A_*: NLA_U64 each
 *
 * Device counters (WGMESH_A_STATS): RX_*: IPv6 packets checked (everything
 * but PASS and CROSSING); LOCAL_*: delivered to this controller; FWD_*:
 * forwarded back into the tunnel; PASS_PACKETS: non-IPv6, multicast and
 * link-local packets, and everything while no topology is set;
 * DROP_PACKETS: the sum of the DROP_* reasons, which are
 *
 *   SPOOFED   source is not a member address (or is this controller's own)
 *   OUTSIDE   destination outside the mesh /40
 *   UNKNOWN   destination inside the mesh but not a member address
 *   POLICY    default-deny and no allowed group pair
 *   ISOLATED  an isolated peer talking to a non-controller, or the reverse
 *   HOPLIMIT  hop limit <= 1 (ICMPv6 Time Exceeded sent)
 *   TOOBIG    larger than the device MTU (ICMPv6 Packet Too Big sent)
 *   MALFORMED bad IPv6 header or length
 *   XMIT      could not be made writable or queued for transmission
 *   CROSSING  routed by the kernel into or out of the device (see above)
 *
 * Member counters (WGMESH_MEMBER_A_STATS) are LOCAL_*, FWD_* and
 * DROP_PACKETS of packets whose source is that member, and TX_* of packets
 * forwarded to it. They survive a topology replace for members (same kind
 * and id) present in both. Packet counters count segments (a GRO packet
 * counts as many as it merged), byte counters the IPv6 packets' length.
 * Counters are never reset while a device stays attached; a new counter
 * gets a new attribute number, so readers must skip unknown ones.
 */

#ifndef _UAPI_LINUX_WGMESH_H
#define _UAPI_LINUX_WGMESH_H

#define WGMESH_GENL_NAME	"wgmesh"
#define WGMESH_GENL_VERSION	1

#define WGMESH_MAX_GROUPS		64
#define WGMESH_MAX_CONTROLLERS		65536
#define WGMESH_MAX_PEERS		1048576
#define WGMESH_MAX_MEMBERS_USERNS	16384

enum wgmesh_flag {
	WGMESH_F_DEFAULT_DENY = 1,
};

enum wgmesh_member_flag {
	WGMESH_MEMBER_F_ISOLATED = 1,
};

enum wgmesh_attr {
	WGMESH_A_PAD = 1,
	WGMESH_A_IFINDEX,
	WGMESH_A_IFNAME,
	WGMESH_A_PREFIX,
	WGMESH_A_SELF_ID,
	WGMESH_A_GENERATION,
	WGMESH_A_FLAGS,
	WGMESH_A_CONTROLLER,
	WGMESH_A_PEER,
	WGMESH_A_ALLOW,
	WGMESH_A_NUM_CONTROLLERS,
	WGMESH_A_NUM_PEERS,
	WGMESH_A_STATS,

	__WGMESH_A_MAX,
	WGMESH_A_MAX = (__WGMESH_A_MAX - 1)
};

enum wgmesh_member_attr {
	WGMESH_MEMBER_A_PAD = 1,
	WGMESH_MEMBER_A_ID,
	WGMESH_MEMBER_A_GROUPS,
	WGMESH_MEMBER_A_FLAGS,
	WGMESH_MEMBER_A_STATS,

	__WGMESH_MEMBER_A_MAX,
	WGMESH_MEMBER_A_MAX = (__WGMESH_MEMBER_A_MAX - 1)
};

enum wgmesh_allow_attr {
	WGMESH_ALLOW_A_PAD = 1,
	WGMESH_ALLOW_A_GROUP,
	WGMESH_ALLOW_A_MASK,

	__WGMESH_ALLOW_A_MAX,
	WGMESH_ALLOW_A_MAX = (__WGMESH_ALLOW_A_MAX - 1)
};

enum wgmesh_stats_attr {
	WGMESH_STATS_A_PAD = 1,
	WGMESH_STATS_A_RX_PACKETS,
	WGMESH_STATS_A_RX_BYTES,
	WGMESH_STATS_A_LOCAL_PACKETS,
	WGMESH_STATS_A_LOCAL_BYTES,
	WGMESH_STATS_A_FWD_PACKETS,
	WGMESH_STATS_A_FWD_BYTES,
	WGMESH_STATS_A_TX_PACKETS,
	WGMESH_STATS_A_TX_BYTES,
	WGMESH_STATS_A_PASS_PACKETS,
	WGMESH_STATS_A_DROP_PACKETS,
	WGMESH_STATS_A_DROP_SPOOFED,
	WGMESH_STATS_A_DROP_OUTSIDE,
	WGMESH_STATS_A_DROP_UNKNOWN,
	WGMESH_STATS_A_DROP_POLICY,
	WGMESH_STATS_A_DROP_ISOLATED,
	WGMESH_STATS_A_DROP_HOPLIMIT,
	WGMESH_STATS_A_DROP_TOOBIG,
	WGMESH_STATS_A_DROP_MALFORMED,
	WGMESH_STATS_A_DROP_XMIT,
	WGMESH_STATS_A_DROP_CROSSING,

	__WGMESH_STATS_A_MAX,
	WGMESH_STATS_A_MAX = (__WGMESH_STATS_A_MAX - 1)
};

enum wgmesh_cmd {
	WGMESH_CMD_ATTACH = 1,
	WGMESH_CMD_DETACH,
	WGMESH_CMD_SET_TOPOLOGY,
	WGMESH_CMD_GET_TOPOLOGY,
	WGMESH_CMD_GET_STATS,

	__WGMESH_CMD_MAX,
	WGMESH_CMD_MAX = (__WGMESH_CMD_MAX - 1)
};

#endif /* _UAPI_LINUX_WGMESH_H */
