/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Mesh addressing, bit-for-bit compatible with clan-core's wireguard
 * service (see README "Topology file"). H(x) = SHA-256 of the bare name.
 *
 *   bytes 0      0xfd
 *   bytes 1..3   H(instance)[0..2]         mesh /40
 *   byte  4      0
 *   bytes 5..6   H(controller)[0..1]       controller id: its /56
 *   byte  7      0
 *   bytes 8..15  peer: H(peer)[0..7]; controller: ::1
 *
 * A peer owns the /96 made of a controller subnet and H(peer)[0..3] in
 * every controller subnet. Call sodium_init() once before using these.
 */
#ifndef WGMESH_ADDR_H
#define WGMESH_ADDR_H

#include <stdbool.h>
#include <stdint.h>
#include <netinet/in.h>

#define WGMESH_MESH_PLEN	40
#define WGMESH_SUBNET_PLEN	56
#define WGMESH_PEER_PLEN	96
#define WGMESH_SUFFIX_LEN	8
/* Longest "address/prefixlen" text, with the terminating NUL. */
#define WGMESH_PREFIX_STRLEN	(INET6_ADDRSTRLEN + 4)

/* SHA-256 of the bare bytes of @name. */
void wgmesh_name_hash(const char *name, uint8_t out[32]);

/* fdXX:XXXX::/40 of instance @mesh. */
void wgmesh_mesh_prefix(const char *mesh, struct in6_addr *out);

/* The 16-bit controller id (bytes 5..6), host order. */
uint16_t wgmesh_controller_id(const char *controller);

/* The controller's /56 (host bits zero) and its own address, <subnet>::1. */
void wgmesh_controller_subnet(const char *mesh, const char *controller,
			      struct in6_addr *out);
void wgmesh_controller_addr(const char *mesh, const char *controller,
			    struct in6_addr *out);

/* The peer's 64-bit interface id, H(peer)[0..7]. */
void wgmesh_peer_suffix(const char *peer, uint8_t out[WGMESH_SUFFIX_LEN]);

/*
 * A suffix whose /96 would hold the controllers' ::1 (its first 32 bits
 * are zero): no peer may have it.
 */
bool wgmesh_peer_suffix_reserved(const uint8_t suffix[WGMESH_SUFFIX_LEN]);

/* The peer's address in @controller's subnet, and its /96 there. */
void wgmesh_peer_addr(const char *mesh, const char *controller,
		      const char *peer, struct in6_addr *out);
void wgmesh_peer_prefix(const char *mesh, const char *controller,
			const char *peer, struct in6_addr *out);

/*
 * RFC 5952 canonical text (inet_ntop). @buf must hold INET6_ADDRSTRLEN
 * bytes (WGMESH_PREFIX_STRLEN for the prefix form); returns @buf.
 */
const char *wgmesh_addr_str(const struct in6_addr *a, char *buf);
const char *wgmesh_prefix_str(const struct in6_addr *a, unsigned int plen,
			      char *buf);

/*
 * Parse an address, or "address/plen" when @plen is not NULL (plen is
 * then required, 0..128). Accepts clan-core's leading-zero groups such as
 * "fdeb:f20c:3b:f700:3b21:3ced:003e:89b3". Returns 0 or -1.
 */
int wgmesh_addr_parse(const char *text, struct in6_addr *out,
		      unsigned int *plen);

/* Does @a lie in @prefix/@plen? */
bool wgmesh_prefix_contains(const struct in6_addr *prefix, unsigned int plen,
			    const struct in6_addr *a);

/* Zero every bit of @a after the first @plen. */
void wgmesh_prefix_mask(struct in6_addr *a, unsigned int plen);

/*
 * IPv4 (optional, not part of clan-core): a machine's address in the mesh
 * range @prefix/@len (host order, 8 <= len <= 30) is
 *
 *   prefix + (BE32(H(name)[28..31]) mod (2^(32 - len) - 2)) + 1
 *
 * never the network or broadcast address, and stable: it depends on the
 * name and the range only. Collisions are the parser's to report.
 */
uint32_t wgmesh_ipv4_addr(const char *name, uint32_t prefix, unsigned int len);

/* The netmask of a /@len, host order (0 for /0). */
uint32_t wgmesh_ipv4_mask(unsigned int len);

/* Inside 10/8, 172.16/12, 192.168/16 or 100.64/10? */
bool wgmesh_ipv4_private(uint32_t prefix, unsigned int len);

/* Dotted quad of @a (host order) in @buf (INET_ADDRSTRLEN); returns @buf. */
const char *wgmesh_ipv4_str(uint32_t a, char *buf);

#endif /* WGMESH_ADDR_H */
