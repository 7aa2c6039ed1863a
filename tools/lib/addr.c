// SPDX-License-Identifier: GPL-2.0
/* clan-core compatible mesh addressing; the layout is in addr.h. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "addr.h"

void wgmesh_name_hash(const char *name, uint8_t out[32])
{
	crypto_hash_sha256(out, (const unsigned char *)name, strlen(name));
}

void wgmesh_mesh_prefix(const char *mesh, struct in6_addr *out)
{
	uint8_t h[32];

	wgmesh_name_hash(mesh, h);
	memset(out, 0, sizeof(*out));
	out->s6_addr[0] = 0xfd;
	memcpy(&out->s6_addr[1], h, 3);
}

uint16_t wgmesh_controller_id(const char *controller)
{
	uint8_t h[32];

	wgmesh_name_hash(controller, h);
	return (uint16_t)(h[0] << 8 | h[1]);
}

void wgmesh_controller_subnet(const char *mesh, const char *controller,
			      struct in6_addr *out)
{
	uint16_t id = wgmesh_controller_id(controller);

	wgmesh_mesh_prefix(mesh, out);
	out->s6_addr[5] = id >> 8;
	out->s6_addr[6] = id & 0xff;
}

void wgmesh_controller_addr(const char *mesh, const char *controller,
			    struct in6_addr *out)
{
	wgmesh_controller_subnet(mesh, controller, out);
	out->s6_addr[15] = 1;
}

void wgmesh_peer_suffix(const char *peer, uint8_t out[WGMESH_SUFFIX_LEN])
{
	uint8_t h[32];

	wgmesh_name_hash(peer, h);
	memcpy(out, h, WGMESH_SUFFIX_LEN);
}

bool wgmesh_peer_suffix_reserved(const uint8_t suffix[WGMESH_SUFFIX_LEN])
{
	return !(suffix[0] | suffix[1] | suffix[2] | suffix[3]);
}

void wgmesh_peer_addr(const char *mesh, const char *controller,
		      const char *peer, struct in6_addr *out)
{
	wgmesh_controller_subnet(mesh, controller, out);
	wgmesh_peer_suffix(peer, &out->s6_addr[8]);
}

void wgmesh_peer_prefix(const char *mesh, const char *controller,
			const char *peer, struct in6_addr *out)
{
	wgmesh_peer_addr(mesh, controller, peer, out);
	wgmesh_prefix_mask(out, WGMESH_PEER_PLEN);
}

const char *wgmesh_addr_str(const struct in6_addr *a, char *buf)
{
	/* inet_ntop cannot fail for AF_INET6 with a large enough buffer. */
	return inet_ntop(AF_INET6, a, buf, INET6_ADDRSTRLEN);
}

const char *wgmesh_prefix_str(const struct in6_addr *a, unsigned int plen,
			      char *buf)
{
	size_t n;

	wgmesh_addr_str(a, buf);
	n = strlen(buf);
	snprintf(buf + n, WGMESH_PREFIX_STRLEN - n, "/%u", plen);
	return buf;
}

int wgmesh_addr_parse(const char *text, struct in6_addr *out,
		      unsigned int *plen)
{
	char buf[WGMESH_PREFIX_STRLEN];
	const char *slash = strchr(text, '/');
	size_t alen = slash ? (size_t)(slash - text) : strlen(text);

	if (alen >= INET6_ADDRSTRLEN || (slash && !plen) || (!slash && plen))
		return -1;
	memcpy(buf, text, alen);
	buf[alen] = '\0';
	/* inet_pton takes 1 to 4 hex digits per group, so "003e" is fine. */
	if (inet_pton(AF_INET6, buf, out) != 1)
		return -1;
	if (slash) {
		const char *p = slash + 1;
		unsigned long v;
		char *end;

		if (*p < '0' || *p > '9' || (p[0] == '0' && p[1]))
			return -1;
		errno = 0;
		v = strtoul(p, &end, 10);
		if (errno || *end || v > 128)
			return -1;
		*plen = (unsigned int)v;
	}
	return 0;
}

void wgmesh_prefix_mask(struct in6_addr *a, unsigned int plen)
{
	for (unsigned int i = 0; i < 16; i++) {
		if (plen >= 8) {
			plen -= 8;
			continue;
		}
		a->s6_addr[i] &= (uint8_t)(0xff00 >> plen);
		plen = 0;
	}
}

bool wgmesh_prefix_contains(const struct in6_addr *prefix, unsigned int plen,
			    const struct in6_addr *a)
{
	struct in6_addr p = *prefix, b = *a;

	wgmesh_prefix_mask(&p, plen);
	wgmesh_prefix_mask(&b, plen);
	return !memcmp(&p, &b, sizeof(p));
}

uint32_t wgmesh_ipv4_addr(const char *name, uint32_t prefix, unsigned int len)
{
	uint32_t hosts = (uint32_t)((1ull << (32 - len)) - 2);
	uint8_t h[32];
	uint32_t v;

	wgmesh_name_hash(name, h);
	v = (uint32_t)h[28] << 24 | (uint32_t)h[29] << 16 |
	    (uint32_t)h[30] << 8 | h[31];
	return prefix + v % hosts + 1;
}

uint32_t wgmesh_ipv4_mask(unsigned int len)
{
	return len ? (uint32_t)(0xffffffffull << (32 - len)) : 0;
}

bool wgmesh_ipv4_private(uint32_t prefix, unsigned int len)
{
	static const struct { uint32_t net; unsigned int len; } priv[] = {
		{ 0x0a000000, 8 },	/* 10.0.0.0/8 */
		{ 0xac100000, 12 },	/* 172.16.0.0/12 */
		{ 0xc0a80000, 16 },	/* 192.168.0.0/16 */
		{ 0x64400000, 10 },	/* 100.64.0.0/10, carrier-grade NAT */
	};

	for (size_t i = 0; i < sizeof(priv) / sizeof(priv[0]); i++)
		if (len >= priv[i].len &&
		    !((prefix ^ priv[i].net) & wgmesh_ipv4_mask(priv[i].len)))
			return true;
	return false;
}

const char *wgmesh_ipv4_str(uint32_t a, char *buf)
{
	struct in_addr in = { .s_addr = htonl(a) };

	return inet_ntop(AF_INET, &in, buf, INET_ADDRSTRLEN);
}
