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
 * IPv4 (optional): the topology may carry a mesh IPv4 range and give each
 * member one address in it, and any member may own routed subnets (IPv4
 * prefixes, and IPv6 prefixes of at most /64 outside the mesh /40) that the
 * mesh routes to it. Traffic to or from a subnet is its owner's: same
 * anti-spoofing, same policy.
 *
 * WGMESH_CMD_ATTACH
 * -----------------
 *
 * Registers the datapath on a WireGuard device: its receive handler, and
 * the namespace's netfilter hooks (anything else is refused with
 * EOPNOTSUPP; an attached device gives EEXIST, which userspace wanting
 * idempotency may treat as success; a device whose receive handler is
 * taken, a bond's, team's or Open vSwitch port, gives EBUSY). Until a
 * topology is set, the receive handler lets every packet through
 * untouched (counted as WGMESH_STATS_A_PASS_PACKETS). The device detaches
 * itself when it is deleted or moved to another namespace.
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
 *        WGMESH_MEMBER_A_IPV4: 4 bytes, the member's address in the mesh
 *            IPv4 range (needs WGMESH_A_IPV4_PREFIX; not the range's network
 *            or broadcast address; unique)
 *        WGMESH_MEMBER_A_SUBNET: NLA_NESTED, once per routed subnet, at most
 *            WGMESH_MAX_SUBNETS a member
 *            WGMESH_SUBNET_A_IPV4 (4 bytes) or WGMESH_SUBNET_A_IPV6 (16
 *                bytes): the prefix, host bits zero (exactly one of them)
 *            WGMESH_SUBNET_A_PREFIX_LEN: NLA_U32, 1..32 for IPv4, 1..64
 *                for IPv6 (required)
 *            A subnet may not overlap the mesh /40, the IPv4 range or
 *            another member's subnet (nested subnets of one member are
 *            fine; the longest match wins).
 *    WGMESH_A_IPV4_PREFIX: 4 bytes, the mesh IPv4 range, host bits zero
 *    WGMESH_A_IPV4_PREFIX_LEN: NLA_U32, 1..32 (with WGMESH_A_IPV4_PREFIX)
 *    WGMESH_A_ALLOW: NLA_NESTED, any number (optional)
 *        WGMESH_ALLOW_A_GROUP: NLA_U32, 0..63 (required)
 *        WGMESH_ALLOW_A_MASK: NLA_U64, the groups members of GROUP may talk
 *            to (required). The kernel makes the relation symmetric:
 *            GROUP a with bit b set also lets b talk to a.
 *
 * A topology of many members is a big message (about 32 bytes a member):
 * raise SO_SNDBUF (SO_SNDBUFFORCE) first. Limits: WGMESH_MAX_CONTROLLERS
 * controllers, WGMESH_MAX_PEERS peers, WGMESH_MAX_SUBNETS_TOTAL subnets,
 * and WGMESH_MAX_MEMBERS_USERNS
 * members in all on a device whose network namespace is owned by a user
 * namespace other than the initial one (E2BIG beyond). All memory a
 * topology takes is charged to the caller's memory cgroup; a request that
 * does not fit fails with ENOMEM. Duplicate ids give EEXIST, other invalid
 * input EINVAL, both with a message naming the id or attribute.
 *
 * Policy, for an IPv6 or IPv4 packet from member S to member D that came
 * out of the tunnel (after S's address is verified to be a member's: a
 * known peer's /96 under a known controller's /56, a known controller's
 * ::1, a member's IPv4 address, or inside a member's subnet; never this
 * controller's own addresses or subnets):
 *
 *    - D is this controller's own ::1 or IPv4 address, or inside one of its
 *      own subnets: delivered locally (the stack routes on into the LAN),
 *      never policed;
 *    - S or D is a controller's own address (::1, or its IPv4 address):
 *      forwarded, never policed (over IPv6 such traffic never transits a
 *      controller; IPv4, homed at one controller, means the same);
 *    - S or D is a peer flagged WGMESH_MEMBER_F_ISOLATED: dropped
 *      (ISOLATED);
 *    - without WGMESH_F_DEFAULT_DENY: forwarded (clan-core's behaviour; groups
 *      then only matter for isolation, which they do not affect);
 *    - with WGMESH_F_DEFAULT_DENY: forwarded iff some group of S and some
 *      group of D form an allowed pair. Pairs are symmetric; {a, a} lets
 *      members of a talk among themselves. A controller's subnets are
 *      policed like a peer's, with the controller's groups.
 *
 * Exit gateways, IPv4: an IPv4 packet from a peer flagged
 * WGMESH_MEMBER_F_EXIT, from its own mesh IPv4 address (not a subnet), to
 * a destination outside the IPv4 range and every subnet is delivered to
 * this controller's stack (counted LOCAL) instead of dropped (OUTSIDE):
 * the kernel's IPv4 forwarding (net.ipv4.ip_forward, which userspace
 * enables) and the host's NAT carry it on. Such packets, and the replies
 * to that address from outside (packets conntrack, which runs before,
 * tracks as replies or related errors of a connection from the mesh), are
 * also exempt from CROSSING: the outside cannot open a connection into
 * the mesh. Every other member's IPv4 to the outside stays an OUTSIDE
 * drop.
 *
 * Exit gateways, IPv6 (never NAT): an IPv6 packet from a subnet of a peer
 * flagged WGMESH_MEMBER_F_EXIT (its routed global prefix), both source
 * and destination in 2000::/3, to a destination outside the mesh /40 and
 * every subnet, is routed by this host's FIB (as if it arrived on the
 * device: ip rules see it as iif) and sent through the neighbour layer by
 * the module, hop limit decremented (EXIT_TX; Time Exceeded, Packet Too
 * Big for the route's MTU, Destination Unreachable and NOROUTE without a
 * route), with net.ipv6.conf.all.forwarding left at 0; a destination the
 * FIB delivers locally counts LOCAL. The other way, an IPv6 packet that
 * arrives on any other interface of the namespace, from a global address
 * outside the mesh to such a prefix, is sent into the device by the
 * module before routing (an IPv6 PRE_ROUTING hook just before
 * defragmentation and conntrack; EXIT_RX; the user's TX). Every other
 * member's IPv6 to the outside stays an OUTSIDE drop, and IPv6 from
 * outside to anything else in the mesh is left to the stack, where
 * CROSSING applies.
 *
 * Forwarded packets go straight back out of the same device, their hop
 * limit or TTL decremented (IPv4 checksum updated); they are never
 * fragmented. Packets that are neither IPv6 nor IPv4 are dropped (PROTO);
 * IPv4 on a device without IPv4 configuration, multicast, broadcast and
 * link-local packets are passed to the stack (PASS). Whatever the
 * forwarding sysctls say, the module drops (CROSSING) every packet the
 * kernel's own forwarding path would route into the device or out of it,
 * from or to any interface (the device itself included), except between
 * the device and this controller's own subnets (its LAN), and IPv4
 * between an exit user's address and the outside (see above): nothing
 * enters the mesh without having come from it, from that LAN or as
 * traffic of an exit user, and nothing leaves it for anywhere else.
 *
 * WGMESH_CMD_GET_TOPOLOGY and WGMESH_CMD_GET_STATS
 * ------------------------------------------------
 *
 * Dumps only (NLM_F_REQUEST | NLM_F_DUMP). The reply is as many messages
 * (NLM_F_MULTI) as the receive buffer needs; any topology fits a 4 KiB
 * buffer. Each message carries WGMESH_A_IFINDEX, WGMESH_A_IFNAME and, with a
 * topology, WGMESH_A_GENERATION; the FIRST one also WGMESH_A_PREFIX,
 * WGMESH_A_IPV4_PREFIX and WGMESH_A_IPV4_PREFIX_LEN (if set),
 * WGMESH_A_SELF_ID, WGMESH_A_FLAGS, WGMESH_A_NUM_CONTROLLERS,
 * WGMESH_A_NUM_PEERS and, for GET_STATS, the device counters in
 * WGMESH_A_STATS. Then come one WGMESH_A_ALLOW per group whose mask is not
 * empty (the symmetric relation), then one WGMESH_A_CONTROLLER per
 * controller and one WGMESH_A_PEER per peer (same layout as above, with
 * WGMESH_MEMBER_A_IPV4 and WGMESH_MEMBER_A_SUBNET when set), spread
 * over the messages; with GET_STATS each member also has
 * WGMESH_MEMBER_A_STATS. If the topology is replaced (or the device
 * detached and attached again) while a dump runs, its next message carries
 * NLM_F_DUMP_INTR: start again. An attached device without a topology
 * replies with one message of device attributes (and WGMESH_A_STATS).
 *
 *    WGMESH_A_STATS / WGMESH_MEMBER_A_STATS: NLA_NESTED
 *        WGMESH_STATS_A_*: NLA_U64 each
 *
 * Device counters (WGMESH_A_STATS): RX_*: IPv6 and IPv4 packets checked
 * (everything but PASS, PROTO, MALFORMED and CROSSING); LOCAL_*: delivered
 * to this controller (or its subnets); FWD_*: forwarded back into the
 * tunnel; PASS_PACKETS: see above, and everything while no topology is set;
 * TAKEOVER_PACKETS: of the FWD_PACKETS, those sent to a peer's address in
 * another controller's /56: traffic of a controller this one stands in
 * for (a member that found that controller dead routes its /56 here, see
 * "wgmesh watch"; every controller holds every peer's /96 in every
 * controller's /56, so the policy and the forwarding are the same as for
 * this controller's own /56); EXIT_TX_*: exit users' IPv6 sent to the
 * outside, EXIT_RX_*: the outside's IPv6 sent into the device for them
 * (see "Exit gateways, IPv6"); DROP_PACKETS: the sum of the DROP_* reasons,
 * which are
 *
 *   SPOOFED   source is not a member address or subnet (or is this
 *             controller's own)
 *   OUTSIDE   destination outside the mesh /40, the IPv4 range and every
 *             subnet (but IPv4 of an exit user, see above)
 *   UNKNOWN   destination inside the mesh /40 or IPv4 range but not a
 *             member address
 *   POLICY    default-deny and no allowed group pair
 *   ISOLATED  an isolated peer talking to a non-controller, or the reverse
 *   HOPLIMIT  hop limit or TTL <= 1 (ICMPv6 Time Exceeded, ICMP Time
 *             Exceeded sent)
 *   TOOBIG    larger than the device MTU, or the route's for exit traffic
 *             (ICMPv6 Packet Too Big sent, or
 *             ICMP Fragmentation Needed if DF is set)
 *   MALFORMED bad IPv6 or IPv4 header, length or checksum
 *   XMIT      could not be made writable or queued for transmission
 *   CROSSING  routed by the kernel into or out of the device (see above)
 *   PROTO     neither IPv6 nor IPv4
 *   NOROUTE   an exit user's IPv6 to the outside with no route in the FIB
 *             (ICMPv6 Destination Unreachable sent)
 *
 * EVENTS: drop event messages sent (see below); EVENTS_LOST: dropped
 * packets that no event reported while someone listened.
 *
 * Member counters (WGMESH_MEMBER_A_STATS) are LOCAL_*, FWD_* and
 * DROP_PACKETS of packets whose source is that member, and TX_* of packets
 * forwarded to it. They survive a topology replace for members (same kind
 * and id) present in both. Packet counters count segments (a GRO packet
 * counts as many as it merged), byte counters the IP packets' length.
 * Counters are never reset while a device stays attached; a new counter
 * gets a new attribute number, so readers must skip unknown ones.
 *
 * Drop events: multicast group WGMESH_MCGRP_EVENTS
 * ------------------------------------------------
 *
 * Joining the group needs CAP_NET_ADMIN in the user namespace owning the
 * socket's network namespace (GENL_MCAST_CAP_NET_ADMIN; a kernel without
 * that flag has no group); a listener hears the devices of its own network
 * namespace. While nobody listens, no event is prepared at all. While
 * someone does, dropped packets (every DROP_* reason above) are collected
 * per key (device, reason, source, destination) and reported at most once a
 * second per key, by a WGMESH_CMD_DROP_EVENT message with
 *
 *    WGMESH_A_IFINDEX, WGMESH_A_IFNAME: the device
 *    WGMESH_A_DROP_REASON: NLA_U32, enum wgmesh_drop_reason (WGMESH_DROP_X
 *        is the reason counted in WGMESH_STATS_A_DROP_X)
 *    WGMESH_A_CONTROLLER or WGMESH_A_PEER: the source member, as the dumps
 *        name it (WGMESH_MEMBER_A_ID inside), when the source is a member
 *    WGMESH_A_SRC_ADDR: 4 or 16 bytes, the source address otherwise
 *        (SPOOFED, CROSSING)
 *    WGMESH_A_DST_ADDR: 4 or 16 bytes, the destination address (absent for
 *        MALFORMED, PROTO and a packet the device could not queue)
 *    WGMESH_A_DROP_COUNT: NLA_U64, packets dropped since the last event of
 *        the same key
 *
 * At most 64 events a device a second; each CPU collects at most 32 keys a
 * second. What does not fit is reported by a summary WGMESH_CMD_DROP_EVENT
 * carrying WGMESH_A_IFINDEX, WGMESH_A_IFNAME and WGMESH_A_EVENTS_LOST
 * (NLA_U64, packets) instead of a reason, and counted in
 * WGMESH_STATS_A_EVENTS_LOST. A listener whose receive buffer overflows
 * sees ENOBUFS on its socket, as usual for netlink.
 */

#ifndef _UAPI_LINUX_WGMESH_H
#define _UAPI_LINUX_WGMESH_H

#define WGMESH_GENL_NAME	"wgmesh"
#define WGMESH_GENL_VERSION	1

#define WGMESH_MAX_GROUPS		64
#define WGMESH_MAX_CONTROLLERS		65536
#define WGMESH_MAX_PEERS		1048576
#define WGMESH_MAX_MEMBERS_USERNS	16384
#define WGMESH_MAX_SUBNETS		64
#define WGMESH_MAX_SUBNETS_TOTAL	1048576

enum wgmesh_flag {
	WGMESH_F_DEFAULT_DENY = 1,
};

enum wgmesh_member_flag {
	WGMESH_MEMBER_F_ISOLATED = 1,
	WGMESH_MEMBER_F_EXIT = 2,
};

/**
 * enum wgmesh_drop_reason - why a packet was dropped: the
 *   WGMESH_STATS_A_DROP_* counter it was counted in, named alike
 */
enum wgmesh_drop_reason {
	WGMESH_DROP_SPOOFED = 1,
	WGMESH_DROP_OUTSIDE,
	WGMESH_DROP_UNKNOWN,
	WGMESH_DROP_POLICY,
	WGMESH_DROP_ISOLATED,
	WGMESH_DROP_HOPLIMIT,
	WGMESH_DROP_TOOBIG,
	WGMESH_DROP_MALFORMED,
	WGMESH_DROP_XMIT,
	WGMESH_DROP_CROSSING,
	WGMESH_DROP_PROTO,
	WGMESH_DROP_NOROUTE,
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
	WGMESH_A_IPV4_PREFIX,
	WGMESH_A_IPV4_PREFIX_LEN,
	WGMESH_A_DROP_REASON,
	WGMESH_A_SRC_ADDR,
	WGMESH_A_DST_ADDR,
	WGMESH_A_DROP_COUNT,
	WGMESH_A_EVENTS_LOST,

	__WGMESH_A_MAX,
	WGMESH_A_MAX = (__WGMESH_A_MAX - 1)
};

enum wgmesh_member_attr {
	WGMESH_MEMBER_A_PAD = 1,
	WGMESH_MEMBER_A_ID,
	WGMESH_MEMBER_A_GROUPS,
	WGMESH_MEMBER_A_FLAGS,
	WGMESH_MEMBER_A_STATS,
	WGMESH_MEMBER_A_IPV4,
	WGMESH_MEMBER_A_SUBNET,

	__WGMESH_MEMBER_A_MAX,
	WGMESH_MEMBER_A_MAX = (__WGMESH_MEMBER_A_MAX - 1)
};

enum wgmesh_subnet_attr {
	WGMESH_SUBNET_A_PAD = 1,
	WGMESH_SUBNET_A_IPV4,
	WGMESH_SUBNET_A_IPV6,
	WGMESH_SUBNET_A_PREFIX_LEN,

	__WGMESH_SUBNET_A_MAX,
	WGMESH_SUBNET_A_MAX = (__WGMESH_SUBNET_A_MAX - 1)
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
	WGMESH_STATS_A_DROP_PROTO,
	WGMESH_STATS_A_TAKEOVER_PACKETS,
	WGMESH_STATS_A_EVENTS,
	WGMESH_STATS_A_EVENTS_LOST,
	WGMESH_STATS_A_EXIT_TX_PACKETS,
	WGMESH_STATS_A_EXIT_TX_BYTES,
	WGMESH_STATS_A_EXIT_RX_PACKETS,
	WGMESH_STATS_A_EXIT_RX_BYTES,
	WGMESH_STATS_A_DROP_NOROUTE,

	__WGMESH_STATS_A_MAX,
	WGMESH_STATS_A_MAX = (__WGMESH_STATS_A_MAX - 1)
};

enum wgmesh_cmd {
	WGMESH_CMD_ATTACH = 1,
	WGMESH_CMD_DETACH,
	WGMESH_CMD_SET_TOPOLOGY,
	WGMESH_CMD_GET_TOPOLOGY,
	WGMESH_CMD_GET_STATS,
	WGMESH_CMD_DROP_EVENT,

	__WGMESH_CMD_MAX,
	WGMESH_CMD_MAX = (__WGMESH_CMD_MAX - 1)
};

#define WGMESH_MCGRP_EVENTS	"events"

#endif /* _UAPI_LINUX_WGMESH_H */
