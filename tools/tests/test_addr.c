// SPDX-License-Identifier: GPL-2.0
/*
 * Addressing: every example of the addressing notes (instance "vpn"),
 * clan-core's leading-zero text, and properties over random names.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "lib/addr.h"
#include "ktap.h"

static bool str_is(const char *got, const char *want, const char *what)
{
	return ktap_ok(!strcmp(got, want), "%s: %s (want %s)", what, got, want);
}

static void examples(void)
{
	char b[WGMESH_PREFIX_STRLEN];
	struct in6_addr a;

	wgmesh_mesh_prefix("vpn", &a);
	str_is(wgmesh_prefix_str(&a, WGMESH_MESH_PLEN, b), "fdeb:f20c::/40",
	       "mesh prefix of vpn");
	wgmesh_controller_subnet("vpn", "controller1", &a);
	str_is(wgmesh_prefix_str(&a, WGMESH_SUBNET_PLEN, b),
	       "fdeb:f20c:3b:f700::/56", "controller1 subnet");
	wgmesh_controller_addr("vpn", "controller1", &a);
	str_is(wgmesh_addr_str(&a, b), "fdeb:f20c:3b:f700::1",
	       "controller1 address");
	wgmesh_controller_subnet("vpn", "controller2", &a);
	str_is(wgmesh_prefix_str(&a, WGMESH_SUBNET_PLEN, b),
	       "fdeb:f20c:c1:aa00::/56", "controller2 subnet");
	wgmesh_peer_addr("vpn", "controller1", "peer1", &a);
	str_is(wgmesh_addr_str(&a, b), "fdeb:f20c:3b:f700:6987:50a0:9b93:4337",
	       "peer1 in controller1");
	wgmesh_peer_prefix("vpn", "controller2", "peer1", &a);
	str_is(wgmesh_prefix_str(&a, WGMESH_PEER_PLEN, b),
	       "fdeb:f20c:c1:aa00:6987:50a0::/96", "peer1 /96 in controller2");
	wgmesh_peer_addr("vpn", "controller1", "peer2", &a);
	str_is(wgmesh_addr_str(&a, b), "fdeb:f20c:3b:f700:3b21:3ced:3e:89b3",
	       "peer2 in controller1");
	ktap_ok(wgmesh_controller_id("controller1") == 0x3bf7 &&
		wgmesh_controller_id("controller2") == 0xc1aa,
		"controller ids are the first 16 bits of SHA-256");
}

static void parsing(void)
{
	struct in6_addr a, want;
	unsigned int plen = 0;
	char b[INET6_ADDRSTRLEN];

	wgmesh_peer_addr("vpn", "controller1", "peer2", &want);
	ktap_ok(!wgmesh_addr_parse("fdeb:f20c:3b:f700:3b21:3ced:003e:89b3",
				   &a, NULL) && !memcmp(&a, &want, sizeof(a)),
		"parse accepts clan-core's leading-zero text");
	ktap_ok(!wgmesh_addr_parse("FDEB:F20C:003B:F700:3B21:3CED:003E:89B3",
				   &a, NULL) && !memcmp(&a, &want, sizeof(a)) &&
		!strcmp(wgmesh_addr_str(&a, b),
			"fdeb:f20c:3b:f700:3b21:3ced:3e:89b3"),
		"upper case, zero-padded text prints canonical");
	ktap_ok(!wgmesh_addr_parse("fdeb:f20c:c1:aa00:6987:50a0::/96", &a,
				   &plen) && plen == 96,
		"parse a /96 prefix");
	ktap_ok(wgmesh_addr_parse("fdeb::/129", &a, &plen) &&
		wgmesh_addr_parse("fdeb::/", &a, &plen) &&
		wgmesh_addr_parse("fdeb::/056", &a, &plen) &&
		wgmesh_addr_parse("fdeb::", &a, &plen) &&
		wgmesh_addr_parse("fdeb::/56", &a, NULL) &&
		wgmesh_addr_parse("fdeb:::1", &a, NULL) &&
		wgmesh_addr_parse("10.0.0.1", &a, NULL),
		"parse rejects bad prefix lengths and non-IPv6 text");
	ktap_ok(wgmesh_peer_suffix_reserved((const uint8_t[8]){ 0, 0, 0, 0, 0,
								 0, 0, 1 }) &&
		!wgmesh_peer_suffix_reserved((const uint8_t[8]){ 0, 0, 0, 1 }),
		"a suffix with a zero top half is reserved (its /96 holds ::1)");
}

static uint64_t rng_state;

static uint64_t rnd(void)
{
	/* xorshift64*: reproducible from the seed printed below. */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 2685821657736338717ull;
}

static void random_name(char *buf)
{
	static const char cs[] = "abcdefghijklmnopqrstuvwxyz"
				 "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_";
	size_t n = 1 + rnd() % 63;

	for (size_t i = 0; i < n; i++)
		buf[i] = cs[rnd() % (sizeof(cs) - 1)];
	buf[n] = '\0';
}

#define ROUNDS 2000

static void properties(void)
{
	int in56 = 0, in96 = 0, in40 = 0, roundtrip = 0, layout = 0,
	    canonical = 0;

	rng_state = 0x9e3779b97f4a7c15ull;
	ktap_diag("random names from xorshift64* seed 0x%llx",
		  (unsigned long long)rng_state);
	for (int i = 0; i < ROUNDS; i++) {
		char mesh[64], ctrl[64], peer[64], text[INET6_ADDRSTRLEN];
		struct in6_addr m, s, c, p, p96, back;
		uint8_t hm[32], hc[32], hp[32];

		random_name(mesh);
		random_name(ctrl);
		random_name(peer);
		wgmesh_mesh_prefix(mesh, &m);
		wgmesh_controller_subnet(mesh, ctrl, &s);
		wgmesh_controller_addr(mesh, ctrl, &c);
		wgmesh_peer_addr(mesh, ctrl, peer, &p);
		wgmesh_peer_prefix(mesh, ctrl, peer, &p96);

		in56 += wgmesh_prefix_contains(&s, WGMESH_SUBNET_PLEN, &p) &&
			wgmesh_prefix_contains(&s, WGMESH_SUBNET_PLEN, &c);
		in96 += wgmesh_prefix_contains(&p96, WGMESH_PEER_PLEN, &p) &&
			wgmesh_prefix_contains(&s, WGMESH_SUBNET_PLEN, &p96);
		in40 += wgmesh_prefix_contains(&m, WGMESH_MESH_PLEN, &s);

		/* The layout, byte by byte, from an independent SHA-256. */
		crypto_hash_sha256(hm, (const uint8_t *)mesh, strlen(mesh));
		crypto_hash_sha256(hc, (const uint8_t *)ctrl, strlen(ctrl));
		crypto_hash_sha256(hp, (const uint8_t *)peer, strlen(peer));
		layout += p.s6_addr[0] == 0xfd && !memcmp(&p.s6_addr[1], hm, 3) &&
			  p.s6_addr[4] == 0 && !memcmp(&p.s6_addr[5], hc, 2) &&
			  p.s6_addr[7] == 0 && !memcmp(&p.s6_addr[8], hp, 8) &&
			  !memcmp(&c, &s, 15) && c.s6_addr[15] == 1;

		wgmesh_addr_str(&p, text);
		roundtrip += inet_pton(AF_INET6, text, &back) == 1 &&
			     !memcmp(&back, &p, sizeof(p));
		/* Canonical: lower case, no leading zero in a group. */
		bool ok = true;

		for (const char *q = text; *q; q++) {
			if (*q >= 'A' && *q <= 'F')
				ok = false;
			if (*q == '0' && (q == text || q[-1] == ':') &&
			    q[1] && q[1] != ':')
				ok = false;
		}
		canonical += ok;
	}
	ktap_ok(in40 == ROUNDS, "every controller /56 lies in its mesh /40 "
		"(%d/%d)", in40, ROUNDS);
	ktap_ok(in56 == ROUNDS, "every peer address and ::1 lie in the "
		"controller /56 (%d/%d)", in56, ROUNDS);
	ktap_ok(in96 == ROUNDS, "every peer address lies in its /96, inside "
		"the /56 (%d/%d)", in96, ROUNDS);
	ktap_ok(layout == ROUNDS, "bit layout matches SHA-256 of the names "
		"(%d/%d)", layout, ROUNDS);
	ktap_ok(roundtrip == ROUNDS, "text round-trips through inet_pton "
		"(%d/%d)", roundtrip, ROUNDS);
	ktap_ok(canonical == ROUNDS, "text is RFC 5952 lower case without "
		"leading zeros (%d/%d)", canonical, ROUNDS);
}

int main(void)
{
	if (sodium_init() < 0)
		return 1;
	ktap_plan(19);
	examples();
	parsing();
	properties();
	return ktap_finish();
}
