// SPDX-License-Identifier: GPL-2.0
/*
 * IPv4 and routed subnets: the derivation against vectors computed apart
 * (Python's hashlib), every error of the IPv4 and Subnets keys with its
 * exact "FILE:LINE: message", the homes routing model in what "up" wants
 * and in the wg-quick export, the hosts lines, and the forwarding warnings
 * against a fake /proc/sys.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "lib/addr.h"
#include "lib/derive.h"
#include "lib/forwarding.h"
#include "lib/hosts.h"
#include "lib/topology.h"
#include "lib/wgquick.h"
#include "ktap.h"

#define K1 "AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE="
#define K2 "AgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgI="
#define K3 "AwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwM="
#define K4 "BAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQ="

static void vectors(void)
{
	static const struct {
		const char *name, *range, *want;
	} v[] = {
		{ "home", "10.128.0.0/16", "10.128.199.125" },
		{ "c1", "10.128.0.0/16", "10.128.212.223" },
		{ "office", "172.16.0.0/12", "172.17.126.101" },
		{ "laptop", "192.168.77.0/30", "192.168.77.1" },
		{ "ctrl1", "10.0.0.0/8", "10.196.141.88" },
	};
	char buf[INET_ADDRSTRLEN], net[32];

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		struct in_addr a;
		unsigned int len;

		snprintf(net, sizeof(net), "%s", v[i].range);
		*strchr(net, '/') = '\0';
		len = (unsigned int)atoi(strchr(v[i].range, '/') + 1);
		inet_pton(AF_INET, net, &a);
		wgmesh_ipv4_str(wgmesh_ipv4_addr(v[i].name, ntohl(a.s_addr), len),
				buf);
		if (!ktap_ok(!strcmp(buf, v[i].want), "IPv4 of %s in %s is %s",
			     v[i].name, v[i].range, v[i].want))
			ktap_diag("got %s", buf);
	}
	/* Never the network or broadcast address, whatever the hash. */
	{
		bool ok = true;
		char name[16];

		for (int i = 0; i < 2000 && ok; i++) {
			uint32_t a;

			snprintf(name, sizeof(name), "m%d", i);
			a = wgmesh_ipv4_addr(name, 0x0a090000, 30);
			ok = a == 0x0a090001 || a == 0x0a090002;
		}
		ktap_ok(ok, "a /30 only ever gives its two host addresses");
	}
	ktap_ok(wgmesh_ipv4_private(0x0a800000, 16) &&
		wgmesh_ipv4_private(0x64400000, 10) &&
		!wgmesh_ipv4_private(0x64000000, 9) &&
		!wgmesh_ipv4_private(0x08080000, 16),
		"private ranges: 10/8, 100.64/10 yes; 100.0/9, 8.8/16 no");
}

/* Lines 1..6: a mesh with an IPv4 range and one controller. */
#define HEAD "[Mesh]\nName = vpn\nIPv4 = 10.9.0.0/24\n[Controller c1]\n" \
	     "Endpoint = 192.0.2.1\nPublicKey = " K1 "\n"
#define PEER(n, k) "[Peer " n "]\nPublicKey = " k "\n"

static const struct {
	const char *text;
	const char *want;
} bad[] = {
	{ "[Mesh]\nName = vpn\nIPv4 = 10.9.0.1/24\n",
	  "t.conf:3: bad IPv4 '10.9.0.1/24': host bits set; did you mean "
	  "10.9.0.0/24?" },
	{ "[Mesh]\nName = vpn\nIPv4 = 10.9.0.0/31\n",
	  "t.conf:3: bad IPv4 '10.9.0.0/31': the prefix length must be 8..30" },
	{ "[Mesh]\nName = vpn\nIPv4 = 10.0.0.0/7\n",
	  "t.conf:3: bad IPv4 '10.0.0.0/7': the prefix length must be 8..30" },
	{ "[Mesh]\nName = vpn\nIPv4 = fd00::/64\n",
	  "t.conf:3: bad IPv4 'fd00::/64': write the mesh's IPv4 range as "
	  "ADDRESS/LEN, as in 10.128.0.0/16" },
	{ "[Mesh]\nName = vpn\nIPv4 = 8.8.0.0/16\n[Controller c1]\n"
	  "Endpoint = h\nPublicKey = " K1 "\n",
	  "t.conf:3: IPv4 8.8.0.0/16 is public address space: use a private "
	  "range (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, 100.64.0.0/10) "
	  "or add 'IPv4Public = yes' to [Mesh]" },
	{ "[Mesh]\nName = vpn\nIPv4 = 127.0.0.0/16\nIPv4Public = yes\n"
	  "[Controller c1]\nEndpoint = h\nPublicKey = " K1 "\n",
	  "t.conf:3: bad IPv4 127.0.0.0/16: it is loopback (127.0.0.0/8) "
	  "address space" },
	{ "[Mesh]\nName = vpn\nIPv4Public = yes\n[Controller c1]\n"
	  "Endpoint = h\nPublicKey = " K1 "\n",
	  "t.conf:3: IPv4Public without an IPv4 range in [Mesh]" },
	{ "[Mesh]\nName = vpn\nIPv4Public = maybe\n",
	  "t.conf:3: bad IPv4Public 'maybe': must be yes or no" },
	{ HEAD "IPv4 = 10.9.0.7/32\n",
	  "t.conf:7: bad IPv4 '10.9.0.7/32': a machine's IPv4 is one address, "
	  "without /LEN (the range is [Mesh] IPv4)" },
	{ HEAD "IPv4 = 10.9.0.256\n",
	  "t.conf:7: bad IPv4 '10.9.0.256': not an IPv4 address" },
	{ HEAD "IPv4 = 10.9.1.7\n",
	  "t.conf:7: controller c1: IPv4 10.9.1.7 is outside the mesh's range "
	  "10.9.0.0/24" },
	{ HEAD "IPv4 = 10.9.0.0\n",
	  "t.conf:7: controller c1: IPv4 10.9.0.0 is the range's network "
	  "address" },
	{ HEAD "IPv4 = 10.9.0.255\n",
	  "t.conf:7: controller c1: IPv4 10.9.0.255 is the range's broadcast "
	  "address" },
	{ "[Mesh]\nName = vpn\n[Controller c1]\nEndpoint = h\nPublicKey = " K1
	  "\nIPv4 = 10.9.0.7\n",
	  "t.conf:6: controller c1: IPv4 needs the mesh's IPv4 range: add "
	  "'IPv4 = 10.128.0.0/16' (say) to [Mesh]" },
	{ HEAD "IPv4 = 10.9.0.7\n" PEER("p1", K2) "IPv4 = 10.9.0.7\n",
	  "t.conf:10: peer p1: IPv4 10.9.0.7 is already controller c1's (line "
	  "7)" },
	/* m3 and m7 both derive 10.9.0.103 in 10.9.0.0/24. */
	{ HEAD PEER("m3", K2) PEER("m7", K3),
	  "t.conf:9: peer m7 and peer m3 (line 7) derive the same IPv4 "
	  "10.9.0.103: give one of them its own address, as in 'IPv4 = "
	  "10.9.0.104' in [Peer m7]" },
	{ HEAD "Subnets = 172.27.88.1/24\n",
	  "t.conf:7: bad subnet '172.27.88.1/24': host bits set; did you mean "
	  "172.27.88.0/24?" },
	{ HEAD "Subnets = fdc1:d89e:b128:13a6::1/64\n",
	  "t.conf:7: bad subnet 'fdc1:d89e:b128:13a6::1/64': host bits set; "
	  "did you mean fdc1:d89e:b128:13a6::/64?" },
	{ HEAD "Subnets = 172.27.88.0\n",
	  "t.conf:7: bad subnet '172.27.88.0': write ADDRESS/LEN, as in "
	  "192.168.1.0/24 or fdc1:d89e:b128:13a6::/64" },
	{ HEAD "Subnets = 172.27.88.0/33\n",
	  "t.conf:7: bad subnet '172.27.88.0/33': write ADDRESS/LEN, as in "
	  "192.168.1.0/24 or fdc1:d89e:b128:13a6::/64" },
	{ HEAD "Subnets = 0.0.0.0/0\n",
	  "t.conf:7: bad subnet '0.0.0.0/0': a default route is not a subnet" },
	{ HEAD "Subnets = 2001:db8::/96\n",
	  "t.conf:7: bad subnet '2001:db8::/96': IPv6 subnets are /64 or "
	  "shorter" },
	{ HEAD "Subnets = 224.1.0.0/16\n",
	  "t.conf:7: bad subnet '224.1.0.0/16': it is multicast or reserved "
	  "(224.0.0.0/3) address space, which the mesh does not route" },
	{ HEAD "Subnets = 169.254.0.0/16\n",
	  "t.conf:7: bad subnet '169.254.0.0/16': it is link-local "
	  "(169.254.0.0/16) address space, which the mesh does not route" },
	{ HEAD "Subnets = ff02::/16\n",
	  "t.conf:7: bad subnet 'ff02::/16': it is multicast (ff00::/8) "
	  "address space, which the mesh does not route" },
	{ HEAD "Subnets = 172.27.88.0/24,,10.1.0.0/16\n",
	  "t.conf:7: bad Subnets: empty item" },
	{ HEAD "Subnets = 10.9.0.128/25\n",
	  "t.conf:7: subnet 10.9.0.128/25 of controller c1 overlaps the mesh's "
	  "IPv4 range 10.9.0.0/24: pick a prefix outside it" },
	{ HEAD "Subnets = 10.0.0.0/8\n",
	  "t.conf:7: subnet 10.0.0.0/8 of controller c1 overlaps the mesh's "
	  "IPv4 range 10.9.0.0/24: pick a prefix outside it" },
	/* H("vpn") = ebf20c...: the /40 is fdeb:f20c::/40 */
	{ HEAD "Subnets = fdeb:f20c:ab::/48\n",
	  "t.conf:7: subnet fdeb:f20c:ab::/48 of controller c1 overlaps the "
	  "mesh's IPv6 /40 fdeb:f20c::/40: pick a prefix outside it" },
	{ HEAD "Subnets = 172.27.0.0/16\n" PEER("p1", K2)
	  "Subnets = fd01::/64, 172.27.88.0/24\n",
	  "t.conf:10: subnet 172.27.88.0/24 of peer p1 overlaps "
	  "172.27.0.0/16 of controller c1 (line 7): route each address to one "
	  "machine, once" },
	{ HEAD "Subnets = 172.27.88.0/24, 172.27.88.0/25\n",
	  "t.conf:7: subnet 172.27.88.0/25 of controller c1 overlaps "
	  "172.27.88.0/24 of controller c1 (line 7): route each address to "
	  "one machine, once" },
	{ HEAD PEER("p1", K2) "Subnets = fd01::/64\n" PEER("p2", K3)
	  "Subnets = fd01::/56\n",
	  "t.conf:12: subnet fd01::/56 of peer p2 overlaps fd01::/64 of peer "
	  "p1 (line 9): route each address to one machine, once" },
};

static void errors(void)
{
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct wgmesh_topology *t = (void *)1;
		char err[WGMESH_ERR_LEN] = "";
		int ret;

		ret = wgmesh_topology_parse(bad[i].text, strlen(bad[i].text),
					    "t.conf", &t, err, sizeof(err));
		if (!ktap_ok(ret == -1 && !t && !strcmp(err, bad[i].want),
			     "error %zu: %s", i + 1, err))
			ktap_diag("want: %s", bad[i].want);
		if (!ret)
			wgmesh_topology_free(t);
	}
}

static void limits(void)
{
	char *text = malloc(8192), *p;
	struct wgmesh_topology *t = NULL;
	char err[WGMESH_ERR_LEN] = "";
	int ret;

	p = text + sprintf(text, "%sSubnets = ", HEAD);
	for (int i = 0; i < 65; i++)
		p += sprintf(p, "%s172.28.%d.0/24", i ? ", " : "", i);
	strcpy(p, "\n");
	ret = wgmesh_topology_parse(text, strlen(text), "t.conf", &t, err,
				    sizeof(err));
	ktap_ok(ret == -1 && !strcmp(err, "t.conf:7: more than 64 subnets on "
				     "one machine"),
		"65 subnets on one machine are refused: %s", err);
	/* 64 is fine, and public subnets are (a routed public /29, say). */
	p = text + sprintf(text, "%sSubnets = 203.0.113.8/29", HEAD);
	for (int i = 1; i < 64; i++)
		p += sprintf(p, ", 172.28.%d.0/24", i);
	strcpy(p, "\n");
	ret = wgmesh_topology_parse(text, strlen(text), "t.conf", &t, err,
				    sizeof(err));
	ktap_ok(!ret && t->controllers[0].owned.n_subnets == 64,
		"64 subnets on one machine are fine %s", err);
	wgmesh_topology_free(t);
	free(text);
}

/*
 * Two controllers, a peer homed at each, subnets on c2 and both peers,
 * home's IPv4 given by hand.
 */
static const char mesh[] =
	"[Mesh]\nName = srv\nIPv4 = 10.128.0.0/16\n"
	"[Controller c1]\nEndpoint = 192.0.2.1\nPublicKey = " K1 "\n"
	"[Controller c2]\nEndpoint = 192.0.2.2\nPublicKey = " K2 "\n"
	"Subnets = 192.168.50.0/24\n"
	"[Peer home]\nPublicKey = " K3 "\nController = c1\n"
	"IPv4 = 10.128.0.10\n"
	"Subnets = 172.27.88.0/24, fdc1:d89e:b128:13a6::/64\n"
	"[Peer office]\nPublicKey = " K4 "\nController = c2\n"
	"Subnets = 172.27.126.0/24, fdc1:d89e:b128:13a7::/64\n";

/* Does the allowed-IP list of @p hold "@a/@cidr" (either family)? */
static bool has_ip(const struct wg_peer *p, const char *a, int cidr)
{
	int family = strchr(a, ':') ? AF_INET6 : AF_INET;
	uint8_t x[16] = { 0 };

	inet_pton(family, a, x);
	for (size_t i = 0; i < p->n_ips; i++)
		if (p->ips[i].family == family && p->ips[i].cidr == cidr &&
		    !memcmp(&p->ips[i].ip6, x, family == AF_INET ? 4 : 16))
			return true;
	return false;
}

static bool has_prefix(const struct nlrt_prefix *v, size_t n, const char *a,
		       int len)
{
	int family = strchr(a, ':') ? AF_INET6 : AF_INET;
	uint8_t x[16] = { 0 };

	inet_pton(family, a, x);
	for (size_t i = 0; i < n; i++)
		if (nlrt_family(&v[i]) == family && v[i].len == len &&
		    !memcmp(&v[i].addr, x, 16))
			return true;
	return false;
}

static size_t n_family(const struct wg_peer *p, int family)
{
	size_t n = 0;

	for (size_t i = 0; i < p->n_ips; i++)
		n += p->ips[i].family == family;
	return n;
}

static const struct wg_peer *peer_of(const struct wg_device *d, int first)
{
	for (size_t i = 0; i < d->n_peers; i++)
		if (d->peers[i].public_key[0] == first)
			return &d->peers[i];
	return NULL;
}

static void homes(const struct wgmesh_topology *t)
{
	uint8_t priv[WG_KEY_LEN] = { 7 };
	struct mesh_self self = { .ctrl = &t->controllers[0] };	/* c1 */
	const struct wg_peer *p;
	struct mesh_state s;
	char err[256], c2[16], office[16];

	wgmesh_ipv4_str(t->controllers[1].owned.ipv4, c2);
	wgmesh_ipv4_str(t->peers[1].owned.ipv4, office);
	if (mesh_desired(t, self, priv, NULL, &s, err, sizeof(err))) {
		ktap_ok(false, "c1: %s", err);
		return;
	}
	ktap_ok(has_prefix(s.addrs, s.n_addrs, "10.128.212.223", 16) &&
		has_prefix(s.routes, s.n_routes, "10.128.0.0", 16) &&
		has_prefix(s.routes, s.n_routes, "172.27.88.0", 24) &&
		has_prefix(s.routes, s.n_routes, "172.27.126.0", 24) &&
		has_prefix(s.routes, s.n_routes, "192.168.50.0", 24) &&
		has_prefix(s.routes, s.n_routes, "fdc1:d89e:b128:13a7::", 64),
		"c1: its IPv4/16, routes to the range and every subnet");
	p = peer_of(&s.wg, 3);		/* home, designated to c1 */
	ktap_ok(p && has_ip(p, "10.128.0.10", 32) &&
		has_ip(p, "172.27.88.0", 24) &&
		has_ip(p, "fdc1:d89e:b128:13a6::", 64) && p->n_ips == 2 + 3,
		"c1: home (homed here) carries its IPv4 and subnets");
	p = peer_of(&s.wg, 4);		/* office, designated to c2 */
	ktap_ok(p && !n_family(p, AF_INET) && p->n_ips == 2,
		"c1: office (homed at c2) carries only its /96s");
	p = peer_of(&s.wg, 2);		/* c2 */
	ktap_ok(p && has_ip(p, c2, 32) && has_ip(p, "192.168.50.0", 24) &&
		has_ip(p, office, 32) && has_ip(p, "172.27.126.0", 24) &&
		has_ip(p, "fdc1:d89e:b128:13a7::", 64) && p->n_ips == 1 + 5,
		"c1: c2 carries c2's and office's IPv4 and subnets");
	mesh_state_free(&s);

	self = (struct mesh_self){ .peer = &t->peers[0] };	/* home */
	if (mesh_desired(t, self, priv, NULL, &s, err, sizeof(err))) {
		ktap_ok(false, "home: %s", err);
		return;
	}
	ktap_ok(has_prefix(s.addrs, s.n_addrs, "10.128.0.10", 16) &&
		has_prefix(s.routes, s.n_routes, "10.128.0.0", 16) &&
		!has_prefix(s.routes, s.n_routes, "172.27.88.0", 24) &&
		has_prefix(s.routes, s.n_routes, "172.27.126.0", 24) &&
		has_prefix(s.routes, s.n_routes, "192.168.50.0", 24),
		"home: its IPv4, routes to the range and others' subnets only");
	p = peer_of(&s.wg, 1);
	ktap_ok(p && has_ip(p, "10.128.0.0", 16) &&
		has_ip(p, "172.27.126.0", 24) &&
		has_ip(p, "fdc1:d89e:b128:13a7::", 64) &&
		has_ip(p, "192.168.50.0", 24) &&
		!has_ip(p, "172.27.88.0", 24) && p->n_ips == 1 + 4,
		"home: its controller c1 carries the range and others' subnets");
	p = peer_of(&s.wg, 2);
	ktap_ok(p && p->n_ips == 1, "home: c2 carries only its /56");
	mesh_state_free(&s);
}

/* The same model in wg-quick form, and the hosts lines. */
static void exports(const struct wgmesh_topology *t)
{
	struct wgquick_opts o = { .private_key_file = "/k" };
	char *text = NULL, err[256];
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	wgquick_write(f, t, "home", &o, err, sizeof(err));
	fclose(f);
	ktap_ok(strstr(text, "Address = 10.128.0.10/16\n") &&
		strstr(text, "# controller c1\n[Peer]\nPublicKey = " K1 "\n"
		       "AllowedIPs = fd5e:12af:d0:f600::/56, 10.128.0.0/16, "
		       "192.168.50.0/24, 172.27.126.0/24, "
		       "fdc1:d89e:b128:13a7::/64\n"),
		"conf home: its IPv4 address; c1 carries range and subnets");
	if (!strstr(text, "10.128.0.0/16, "))
		ktap_diag("%s", text);
	free(text);

	text = NULL;
	f = open_memstream(&text, &len);
	hosts_write(f, t);
	fclose(f);
	ktap_ok(strstr(text, "::1 c1.srv\n10.128.212.223 c1.srv\n") &&
		strstr(text, " home.srv\n10.128.0.10 home.srv\n"),
		"hosts: each machine's IPv4 line after its IPv6 line");
	free(text);
}

static void put(const char *dir, const char *path, const char *v)
{
	char file[512], *slash;
	FILE *f;

	snprintf(file, sizeof(file), "%s/%s", dir, path);
	for (slash = strchr(file + strlen(dir) + 1, '/'); slash;
	     slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		mkdir(file, 0755);
		*slash = '/';
	}
	f = fopen(file, "w");
	if (f) {
		fputs(v, f);
		fclose(f);
	}
}

struct lines {
	char v[4][512];
	size_t n;
};

static void collect(void *ctx, const char *line)
{
	struct lines *l = ctx;

	if (l->n < 4)
		snprintf(l->v[l->n], sizeof(l->v[0]), "%s", line);
	l->n++;
}

static void forwarding(const struct wgmesh_topology *t)
{
	char dir[] = "/tmp/wgmesh-fwd-XXXXXX";
	const struct wgmesh_owned *home = &t->peers[0].owned;
	const struct wgmesh_owned *c1 = &t->controllers[0].owned;
	struct lines l = { 0 };

	if (!mkdtemp(dir)) {
		ktap_ok(false, "mkdtemp");
		return;
	}
	put(dir, "net/ipv4/ip_forward", "0\n");
	put(dir, "net/ipv6/conf/all/forwarding", "0\n");
	put(dir, "net/ipv6/conf/eth0/accept_ra", "1\n");
	put(dir, "net/ipv6/conf/eth1/accept_ra", "2\n");
	put(dir, "net/ipv6/conf/srv/accept_ra", "1\n");
	put(dir, "net/ipv6/conf/lo/accept_ra", "1\n");
	ktap_ok(forwarding_check(c1, dir, "srv", collect, &l) == 0,
		"forwarding: nothing to say on a machine without subnets");
	forwarding_check(home, dir, "srv", collect, &l);
	ktap_ok(l.n == 3 && strstr(l.v[0], "net.ipv4.ip_forward is 0") &&
		strstr(l.v[1], "net.ipv6.conf.all.forwarding is 0") &&
		!strcmp(l.v[2], "eth0: accept_ra=1 would ignore router "
			"advertisements once IPv6 forwarding is on, losing its "
			"default route: set net.ipv6.conf.eth0.accept_ra=2"),
		"forwarding off: both families and eth0's accept_ra=1 named");
	put(dir, "net/ipv4/ip_forward", "1\n");
	put(dir, "net/ipv6/conf/all/forwarding", "1\n");
	l.n = 0;
	forwarding_check(home, dir, "srv", collect, &l);
	ktap_ok(l.n == 1 && strstr(l.v[0], "eth0: accept_ra=1 ignores router "
				   "advertisements"),
		"forwarding on: the accept_ra=1 trap on eth0 only");
	put(dir, "net/ipv6/conf/eth0/accept_ra", "2\n");
	l.n = 0;
	ktap_ok(!forwarding_check(home, dir, "srv", collect, &l),
		"forwarding on, accept_ra=2: nothing to say");
	{
		char cmd[600];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		if (system(cmd))
			ktap_diag("could not remove %s", dir);
	}
}

int main(void)
{
	struct wgmesh_topology *t;
	char err[WGMESH_ERR_LEN];

	if (sodium_init() < 0)
		return 1;
	ktap_plan(5 + 2 + (int)(sizeof(bad) / sizeof(bad[0])) + 2 + 7 + 2 + 4);
	vectors();
	errors();
	limits();
	if (wgmesh_topology_parse(mesh, strlen(mesh), "srv.conf", &t, err,
				  sizeof(err))) {
		printf("Bail out! %s\n", err);
		return 1;
	}
	homes(t);
	exports(t);
	forwarding(t);
	wgmesh_topology_free(t);
	return ktap_finish();
}
