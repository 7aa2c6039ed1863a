// SPDX-License-Identifier: GPL-2.0
/*
 * Topology parser: a complete valid file field by field, then every error
 * path one by one, each with its exact "FILE:LINE: message".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "lib/addr.h"
#include "lib/topology.h"
#include "ktap.h"

#define K1 "AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE="
#define K2 "AgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgI="
#define K3 "AwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwM="
#define K4 "BAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQ="

/* Lines 1..5: a valid mesh with one controller. */
#define HEAD "[Mesh]\nName = vpn\n[Controller c1]\nEndpoint = 192.0.2.1\n" \
	     "PublicKey = " K1 "\n"

static const char full[] =
	"# a comment line\n"
	"[mesh]   # sections and keys are case-insensitive\n"
	"NAME = wg-test-one\r\n"
	"port = 4000\n"
	"Domain = mesh.example.org\n"
	"Interface = wgm0\n"
	"MTU = 1400\n"
	"\n"
	"[Controller ctrl2]\n"
	"Endpoint = [2001:db8::2]:5000\n"
	"PublicKey = " K2 "\n"
	"Port = 4002\n"
	"Groups = zeta, alpha\n"
	"[Controller ctrl1]\n"
	"Endpoint = vpn1.example.com\n"
	"PublicKey = " K1 "\n"
	"[Peer peer2]\n"
	"PublicKey = " K4 "\n"
	"Controller = ctrl2\n"
	"Isolated = TRUE\n"
	"[PEER peer1]\n"
	"  PublicKey=" K3 "   \n"
	"Controller = ctrl1\n"
	"Groups = alpha\n"
	"[Policy]\n"
	"Default = Deny\n"
	"Allow = alpha <-> zeta\n"
	"Allow = zeta<->zeta\n";

static void valid_full(void)
{
	struct wgmesh_topology *t;
	char err[WGMESH_ERR_LEN] = "";
	uint8_t k[WGMESH_KEY_LEN];

	if (!ktap_ok(!wgmesh_topology_parse(full, strlen(full), "full.conf", &t,
					    err, sizeof(err)),
		     "a complete file parses (%s)", err)) {
		for (int i = 0; i < 9; i++)
			ktap_skip("valid file field", "it did not parse");
		return;
	}
	ktap_ok(!strcmp(t->name, "wg-test-one") &&
		!strcmp(t->domain, "mesh.example.org") &&
		!strcmp(t->interface, "wgm0") && t->port == 4000 &&
		t->mtu == 1400, "[Mesh] fields");
	ktap_ok(t->n_controllers == 2 && !strcmp(t->controllers[0].name, "ctrl1")
		&& !strcmp(t->controllers[1].name, "ctrl2") && t->n_peers == 2 &&
		!strcmp(t->peers[0].name, "peer1") &&
		!strcmp(t->peers[1].name, "peer2"),
		"controllers and peers are sorted by name");
	ktap_ok(t->peers[0].controller == 0 && t->peers[1].controller == 1,
		"designated controllers follow the sort");
	ktap_ok(!strcmp(t->controllers[0].endpoint_host, "vpn1.example.com") &&
		t->controllers[0].port == 4000 &&
		t->controllers[0].endpoint_port == 4000 &&
		!strcmp(t->controllers[1].endpoint_host, "2001:db8::2") &&
		t->controllers[1].port == 4002 &&
		t->controllers[1].endpoint_port == 5000,
		"endpoints: brackets dropped, ports default to Port, then mesh Port");
	memset(k, 3, sizeof(k));
	ktap_ok(!memcmp(t->peers[0].public_key, k, sizeof(k)) &&
		t->controllers[0].public_key[31] == 1,
		"public keys are decoded");
	ktap_ok(t->n_groups == 2 && !strcmp(t->groups[0], "alpha") &&
		!strcmp(t->groups[1], "zeta") && t->controllers[1].groups == 3 &&
		t->peers[0].groups == 1 && t->peers[1].groups == 0 &&
		t->controllers[0].groups == 0,
		"groups get bits in name order");
	ktap_ok(t->peers[1].isolated && !t->peers[0].isolated,
		"Isolated flag");
	ktap_ok(t->policy.present && !t->policy.default_allow &&
		t->policy.n_allow == 2 && t->policy.allow[0].a == 0 &&
		t->policy.allow[0].b == 1 && t->policy.allow[0].line == 27 &&
		t->policy.allow[1].a == 1 && t->policy.allow[1].b == 1,
		"[Policy]: default deny and the allowed group pairs");
	{
		const struct wgmesh_controller *c = NULL;
		const struct wgmesh_peer *p = NULL;

		memset(k, 4, sizeof(k));
		ktap_ok(wgmesh_topology_find_key(t, k, &c, &p) == 2 &&
			p == &t->peers[1] &&
			wgmesh_topology_controller(t, "ctrl2") ==
			&t->controllers[1] &&
			!wgmesh_topology_controller(t, "peer1") &&
			wgmesh_topology_peer(t, "peer1") == &t->peers[0] &&
			wgmesh_topology_group(t, "zeta") == 1 &&
			wgmesh_topology_group(t, "nope") == -1,
			"lookups by name, key and group");
	}
	wgmesh_topology_free(t);
}

static void valid_defaults(void)
{
	/* With a UTF-8 byte order mark, as some editors write. */
	static const char text[] = "\xef\xbb\xbf" HEAD "[Peer p1]\nPublicKey = "
				   K2 "\n";
	struct wgmesh_topology *t;
	char err[WGMESH_ERR_LEN] = "";

	if (!ktap_ok(!wgmesh_topology_parse(text, strlen(text), "t.conf", &t,
					    err, sizeof(err)),
		     "a minimal file parses (%s)", err))
		return;
	ktap_ok(!strcmp(t->domain, "vpn") && !strcmp(t->interface, "vpn") &&
		t->port == WGMESH_DEFAULT_PORT && t->mtu == 0 &&
		t->peers[0].controller == 0 && t->policy.default_allow &&
		!t->policy.present && t->n_groups == 0 &&
		t->controllers[0].endpoint_port == WGMESH_DEFAULT_PORT,
		"defaults: domain and interface = Name, port 51820, allow all,"
		" the only controller is designated");
	wgmesh_topology_free(t);
}

static const struct {
	const char *text;
	const char *want;
} bad[] = {
	{ "", "t.conf: no [Mesh] section" },
	{ "[Mesh]\n", "t.conf:1: [Mesh] has no Name" },
	{ "[Mesh]\nName = vpn\n",
	  "t.conf: no [Controller] section: a mesh needs at least one "
	  "controller" },
	{ "Name = vpn\n",
	  "t.conf:1: 'Name = vpn' outside of a section: start with [Mesh]" },
	{ HEAD "[Bogus]\n", "t.conf:6: unknown section [Bogus]: expected "
	  "Mesh, Controller, Peer or Policy" },
	{ HEAD "Foo = 1\n", "t.conf:6: unknown key 'Foo' in [Controller]" },
	{ HEAD "Controller = c1\n",
	  "t.conf:6: unknown key 'Controller' in [Controller]" },
	{ HEAD "PublicKey\n",
	  "t.conf:6: expected 'Key = Value', got 'PublicKey'" },
	{ "[Mesh]\nName = vpn\nPort =  # nothing\n",
	  "t.conf:3: empty value for Port" },
	{ "[Mesh]\nName = vpn\nname = x\n",
	  "t.conf:3: duplicate key Name in this section" },
	{ "[Mesh]\nName = vpn\nPort = 0\n",
	  "t.conf:3: bad port '0': must be a number 1..65535" },
	{ "[Mesh]\nName = vpn\nPort = 65536\n",
	  "t.conf:3: bad port '65536': must be a number 1..65535" },
	{ "[Mesh]\nName = vpn\nPort = 12ab\n",
	  "t.conf:3: bad port '12ab': must be a number 1..65535" },
	{ "[Mesh]\nName = vpn\nMTU = 1279\n",
	  "t.conf:3: bad MTU '1279': must be 1280..65535" },
	{ "[Mesh]\nName = vpn\nProbeInterval = 0.05\n",
	  "t.conf:3: bad ProbeInterval '0.05': must be seconds from 0.1 to "
	  "3600 (at most 3 decimals)" },
	{ "[Mesh]\nName = vpn\nDeadAfter = 1.2345\n",
	  "t.conf:3: bad DeadAfter '1.2345': must be seconds from 0.1 to "
	  "3600 (at most 3 decimals)" },
	{ "[Mesh]\nName = vpn\nDeadAfter = 3601\n",
	  "t.conf:3: bad DeadAfter '3601': must be seconds from 0.1 to "
	  "3600 (at most 3 decimals)" },
	{ "[Mesh]\nName = vpn\nResolveInterval = 0\n",
	  "t.conf:3: bad ResolveInterval '0': must be seconds from 0.1 to "
	  "3600 (at most 3 decimals)" },
	{ "[Mesh]\nName = vpn\nDeadAfter = .5\n",
	  "t.conf:3: bad DeadAfter '.5': must be seconds from 0.1 to "
	  "3600 (at most 3 decimals)" },
	{ "[Mesh]\nName = vpn\nProbeInterval = 2\nDeadAfter = 3\n"
	  "[Controller c1]\nEndpoint = h\nPublicKey = " K1 "\n",
	  "t.conf:4: DeadAfter (3 s) must be at least two ProbeIntervals "
	  "(4 s)" },
	{ "[Mesh]\nName = vpn\nProbeInterval = 5\n"
	  "[Controller c1]\nEndpoint = h\nPublicKey = " K1 "\n",
	  "t.conf:3: DeadAfter (8 s) must be at least two ProbeIntervals "
	  "(10 s)" },
	{ "[Mesh]\nName = vpn\nInterface = abcdefghijklmnop\n",
	  "t.conf:3: bad Interface 'abcdefghijklmnop': at most 15 bytes of "
	  "letters, digits, '-', '_', '.'" },
	{ "[Mesh]\nName = averyveryverylongname\n[Controller c1]\n"
	  "Endpoint = h\nPublicKey = " K1 "\n",
	  "t.conf:2: Name 'averyveryverylongname' is longer than 15 bytes and"
	  " cannot be the interface name: set Interface" },
	{ "[Mesh]\nName = vpn\nDomain = a..b\n",
	  "t.conf:3: bad Domain 'a..b': must be a DNS name" },
	{ "[Mesh]\nName = bad name\n", "t.conf:2: bad mesh Name 'bad name': "
	  "use letters, digits, '-' and '_' (not first '-')" },
	{ "[Mesh x]\n", "t.conf:1: [Mesh] takes no name" },
	{ HEAD "PresharedKeyFile = /etc/wgmesh/vpn.psk\n",
	  "t.conf:6: unknown key 'PresharedKeyFile' in [Controller]" },
	{ "[Mesh]\nName = vpn\nPresharedKeyFile = a\npresharedkeyfile = b\n",
	  "t.conf:4: duplicate key PresharedKeyFile in this section" },
	{ "[Mesh]\nName = vpn\nPresharedKeyFile =\n",
	  "t.conf:3: empty value for PresharedKeyFile" },
	{ "[Mesh]\nName = vpn\n[Mesh]\n",
	  "t.conf:3: duplicate [Mesh] section (first at line 1)" },
	{ "[Mesh]\nName = vpn\n[Controller]\n", "t.conf:3: [Controller] needs "
	  "a machine name, as in [Controller name]" },
	{ HEAD "[Peer p1\n", "t.conf:6: section header '[Peer p1' lacks its "
	  "']'" },
	{ HEAD "[Peer p1]\nPublicKey = abc\n", "t.conf:7: bad PublicKey 'abc':"
	  " must be 44 characters of base64 encoding 32 bytes" },
	{ HEAD "[Peer p1]\nPublicKey = AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBA"
	  "QEBA!E=\n", "t.conf:7: bad PublicKey 'AQEBAQEBAQEBAQEBAQEBAQEBAQEB"
	  "AQEBAQEBAQEBA!E=': must be 44 characters of base64 encoding 32 "
	  "bytes" },
	{ "[Mesh]\nName = vpn\n[Controller c1]\nEndpoint = 192.0.2.1\n",
	  "t.conf:3: controller c1 has no PublicKey" },
	{ "[Mesh]\nName = vpn\n[Controller c1]\nPublicKey = " K1 "\n",
	  "t.conf:3: controller c1 has no Endpoint" },
	{ HEAD "[Controller c2]\nEndpoint = 2001:db8::1\n",
	  "t.conf:7: bad Endpoint '2001:db8::1': write IPv6 addresses in "
	  "brackets, as in [2001:db8::1]:51820" },
	{ HEAD "[Controller c2]\nEndpoint = [2001:db8::1\n",
	  "t.conf:7: bad Endpoint '[2001:db8::1': missing ']'" },
	{ HEAD "[Controller c2]\nEndpoint = [10.0.0.1]:5\n",
	  "t.conf:7: bad Endpoint: '10.0.0.1' is not an IPv6 address" },
	{ HEAD "[Controller c2]\nEndpoint = [::1]x\n",
	  "t.conf:7: bad Endpoint: unexpected 'x' after ']'" },
	{ HEAD "[Controller c2]\nEndpoint = host.example:99999\n",
	  "t.conf:7: bad port '99999': must be a number 1..65535" },
	{ HEAD "[Controller c2]\nEndpoint = bad_host\n",
	  "t.conf:7: bad Endpoint: 'bad_host' is not a host name or IPv4 "
	  "address" },
	{ HEAD "[Controller c1]\n",
	  "t.conf:6: duplicate controller 'c1' (first defined at line 3)" },
	{ HEAD "[Peer C1]\n",
	  "t.conf:6: 'C1' is both a controller (line 3) and a peer" },
	{ HEAD "[Peer p1]\nPublicKey = " K2 "\n[Peer p1]\n",
	  "t.conf:8: duplicate peer 'p1' (first defined at line 6)" },
	{ HEAD "[Peer p1]\n", "t.conf:6: peer p1 has no PublicKey" },
	/* Of several clashes, the earliest second occurrence is named. */
	{ HEAD "[Peer x]\nPublicKey = " K2 "\n[Peer y]\nPublicKey = " K3 "\n"
	  "[Peer Y]\nPublicKey = " K4 "\n[Peer x]\n",
	  "t.conf:10: duplicate peer 'Y' (first defined at line 8)" },
	{ HEAD "[Peer p1]\nPublicKey = " K2 "\nController = nope\n",
	  "t.conf:8: peer p1: unknown controller 'nope'" },
	{ HEAD "[Controller c2]\nEndpoint = h\nPublicKey = " K2 "\n[Peer p1]\n"
	  "PublicKey = " K3 "\n", "t.conf:9: peer p1 has no Controller: "
	  "required with several controllers" },
	{ HEAD "[Peer p1]\nPublicKey = " K1 "\n", "t.conf:7: peer p1 has the "
	  "same PublicKey as controller c1 (line 5)" },
	/* c93 and c437: SHA-256 both start 800f. */
	{ "[Mesh]\nName = vpn\n[Controller c93]\nEndpoint = h\nPublicKey = " K1
	  "\n[Controller c437]\nEndpoint = h\nPublicKey = " K2 "\n",
	  "t.conf:6: controllers c93 (line 3) and c437 have the same "
	  "controller id 800f, so the same /56: rename one" },
	/* p19847 and p42256: SHA-256 both start 2b7a706f. */
	{ HEAD "[Peer p19847]\nPublicKey = " K2 "\n[Peer p42256]\nPublicKey = "
	  K3 "\n", "t.conf:8: peers p19847 (line 6) and p42256 have the same"
	  " /96 (interface ids both start 2b7a:706f): rename one" },
	{ HEAD "Isolated = true\n",
	  "t.conf:6: Isolated is only valid on peers" },
	{ HEAD "[Peer p1]\nIsolated = maybe\n",
	  "t.conf:7: bad Isolated 'maybe': must be true or false" },
	{ HEAD "Firewall = off\n",
	  "t.conf:6: bad Firewall 'off': must be yes or no" },
	{ HEAD "[Peer p1]\nFirewall = no\n",
	  "t.conf:7: unknown key 'Firewall' in [Peer]" },
	{ HEAD "Exit = maybe\n",
	  "t.conf:6: bad Exit 'maybe': must be yes or no" },
	{ HEAD "Exit = yes\n[Peer p1]\nPublicKey = " K2 "\nExit = c1\n"
	  "Subnets = fdc1:d89e:b128:13a6::/64\n",
	  "t.conf:9: peer p1: Exit = c1 carries nothing for it: no [Mesh] "
	  "IPv4 and no global IPv6 prefix (2000::/3) in its Subnets" },
	{ "[Mesh]\nName = vpn\nIPv4 = 10.1.0.0/16\n[Controller c1]\n"
	  "Endpoint = 192.0.2.1\nPublicKey = " K1 "\n[Peer p1]\nPublicKey = "
	  K2 "\nExit = c9\n",
	  "t.conf:9: peer p1: unknown exit controller 'c9'" },
	{ "[Mesh]\nName = vpn\nIPv4 = 10.1.0.0/16\n[Controller c1]\n"
	  "Endpoint = 192.0.2.1\nPublicKey = " K1 "\n[Peer p1]\nPublicKey = "
	  K2 "\nExit = c1\n",
	  "t.conf:9: peer p1: controller c1 is no exit (it needs Exit = yes)" },
	{ "[Mesh]\nName = vpn\nIPv4 = 10.1.0.0/16\n[Controller c1]\n"
	  "Endpoint = 192.0.2.1\nPublicKey = " K1 "\nExit = yes\n"
	  "[Controller c2]\nEndpoint = 192.0.2.2\nPublicKey = " K3 "\n"
	  "[Peer p1]\nPublicKey = " K2 "\nController = c2\nExit = c1\n",
	  "t.conf:14: peer p1: Exit = c1 must be its Controller (c2): its "
	  "IPv4 is homed there" },
	{ HEAD "Table = main\n", "t.conf:6: bad Table 'main': must be a "
	  "number of a routing table of its own (1..4294967295 but 253, 254, "
	  "255)" },
	{ HEAD "Table = 254\n", "t.conf:6: bad Table '254': 254 is the "
	  "kernel's main table (wgmesh keeps out of it)" },
	{ HEAD "Table = 255\n", "t.conf:6: bad Table '255': 255 is the "
	  "kernel's local table (wgmesh keeps out of it)" },
	{ HEAD "Table = 253\n", "t.conf:6: bad Table '253': 253 is the "
	  "kernel's default table (wgmesh keeps out of it)" },
	{ HEAD "Table = 0\n", "t.conf:6: bad Table '0': must be "
	  "1..4294967295" },
	{ HEAD "Table = 4294967296\n", "t.conf:6: bad Table '4294967296': "
	  "must be 1..4294967295" },
	{ HEAD "Table = -1\n", "t.conf:6: bad Table '-1': must be "
	  "1..4294967295" },
	{ HEAD "Table = 0x10\n", "t.conf:6: bad Table '0x10': must be "
	  "1..4294967295" },
	{ HEAD "FwMark = 0\n", "t.conf:6: bad FwMark '0': must not be 0 "
	  "(unmarked packets have mark 0)" },
	{ HEAD "FwMark = 0x100000000\n", "t.conf:6: bad FwMark "
	  "'0x100000000': must be 1..0xffffffff (decimal or 0x hexadecimal)" },
	{ HEAD "FwMark = mark\n", "t.conf:6: bad FwMark 'mark': must be "
	  "1..0xffffffff (decimal or 0x hexadecimal)" },
	{ HEAD "[Peer p1]\nPublicKey = " K2 "\nFwMark = 7\n",
	  "t.conf:8: p1: FwMark needs Table (the routing table that marked "
	  "packets use)" },
	{ "[Mesh]\nName = vpn\nTable = 7\n",
	  "t.conf:3: unknown key 'Table' in [Mesh]" },
	{ HEAD "Groups = a,,b\n", "t.conf:6: bad Groups: empty group name" },
	{ HEAD "Groups = a,\n", "t.conf:6: bad Groups: empty group name" },
	{ HEAD "Groups = a b\n", "t.conf:6: bad group name 'a b': use "
	  "letters, digits, '-' and '_' (not first '-')" },
	{ HEAD "[Policy]\n",
	  "t.conf:6: [Policy] has no Default: write Default = allow or "
	  "Default = deny" },
	{ HEAD "[Policy]\nDefault = maybe\n",
	  "t.conf:7: bad Default 'maybe': must be allow or deny" },
	{ HEAD "Groups = a\n[Policy]\nDefault = deny\nAllow = a -> a\n",
	  "t.conf:9: bad Allow 'a -> a': write 'GROUP <-> GROUP'" },
	{ HEAD "Groups = admins\n[Policy]\nDefault = deny\nAllow = admins <->"
	  " ghosts\n", "t.conf:9: unknown group 'ghosts' in Allow: no "
	  "machine is in it" },
	{ HEAD "[Policy x]\n", "t.conf:6: [Policy] takes no name" },
	{ HEAD "[Policy]\nDefault = allow\n[Policy]\n",
	  "t.conf:8: duplicate [Policy] section (first at line 6)" },
	{ "[Mesh]\nName = v\0pn\n", "t.conf:2: NUL byte: this is not a text "
	  "file" },
	{ HEAD "[Peer a234567890123456789012345678901234567890123456789012345"
	  "678901234]\n", "t.conf:6: machine name 'a2345678901234567890...' is "
	  "longer than 63 bytes" },
};

/* Groups = g0, ..., g64: the 65th group is refused. */
static void too_many_groups(void)
{
	char text[1024] = HEAD "Groups = g0";
	struct wgmesh_topology *t;
	char err[WGMESH_ERR_LEN] = "";
	int ret;

	for (int i = 1; i <= WGMESH_MAX_GROUPS; i++)
		snprintf(text + strlen(text), sizeof(text) - strlen(text),
			 ", g%d", i);
	strcat(text, "\n");
	ret = wgmesh_topology_parse(text, strlen(text), "t.conf", &t, err,
				    sizeof(err));
	ktap_ok(ret == -1 && !strcmp(err, "t.conf:6: group 'g64' is one too "
				     "many: at most 64 groups"),
		"65 groups: %s", err);
	text[strlen(text) - 6] = '\n';	/* drop ", g64" */
	text[strlen(text) - 5] = '\0';
	ret = wgmesh_topology_parse(text, strlen(text), "t.conf", &t, err,
				    sizeof(err));
	ktap_ok(!ret && t->n_groups == 64 && t->controllers[0].groups == ~0ull,
		"64 groups are fine and use all 64 bits (%s)", ret ? err : "");
	if (!ret)
		wgmesh_topology_free(t);
}

/* Many machines: all kept, sorted, and no false clash. */
static void many_peers(void)
{
	enum { N = 5000 };
	size_t cap = 200 + N * 80, len;
	char *text = malloc(cap), err[WGMESH_ERR_LEN] = "";
	struct wgmesh_topology *t;
	bool sorted = true;
	uint8_t key[WGMESH_KEY_LEN] = { 0 };
	char b64[45];

	if (!text)
		abort();
	len = (size_t)snprintf(text, cap, HEAD);
	for (unsigned int i = 0; i < N; i++) {
		key[0] = (uint8_t)(i >> 8);
		key[1] = (uint8_t)i;
		key[2] = 0x5a;
		sodium_bin2base64(b64, sizeof(b64), key, sizeof(key),
				  sodium_base64_VARIANT_ORIGINAL);
		len += (size_t)snprintf(text + len, cap - len,
					"[Peer peer%u]\nPublicKey = %s\n", i, b64);
	}
	if (wgmesh_topology_parse(text, len, "t.conf", &t, err, sizeof(err))) {
		ktap_ok(false, "%d peers parse: %s", N, err);
		free(text);
		return;
	}
	for (size_t i = 1; i < t->n_peers; i++)
		sorted &= strcmp(t->peers[i - 1].name, t->peers[i].name) < 0;
	ktap_ok(t->n_peers == N && sorted, "%d peers parse, sorted by name", N);
	wgmesh_topology_free(t);
	free(text);
}

/*
 * PresharedKeyFile: a path kept as written by the parser; loaded from a
 * file, a relative one is relative to that file's directory.
 */
static void psk_file(void)
{
	static const char text[] = "[Mesh]\nName = vpn\n"
				   "PresharedKeyFile = keys/vpn.psk\n"
				   "[Controller c1]\nEndpoint = 192.0.2.1\n"
				   "PublicKey = " K1 "\n";
	char dir[] = "/tmp/wgmesh-test-XXXXXX", path[64], abs[128];
	char err[WGMESH_ERR_LEN] = "";
	struct wgmesh_topology *t = NULL, *a = NULL, *u = NULL;
	FILE *f;
	int ret;

	ret = wgmesh_topology_parse(text, strlen(text), "t.conf", &t, err,
				    sizeof(err));
	ktap_ok(!ret && t->psk_file && !strcmp(t->psk_file, "keys/vpn.psk"),
		"PresharedKeyFile is parsed as written (%s)", err);
	wgmesh_topology_free(t);
	t = NULL;
	ret = wgmesh_topology_parse(HEAD, strlen(HEAD), "t.conf", &t, err,
				    sizeof(err));
	ktap_ok(!ret && !t->psk_file, "without it, no preshared keys");
	wgmesh_topology_free(t);
	t = NULL;

	if (!mkdtemp(dir))
		abort();
	snprintf(path, sizeof(path), "%s/mesh.conf", dir);
	f = fopen(path, "w");
	if (!f)
		abort();
	fputs(text, f);
	fclose(f);
	ret = wgmesh_topology_load(path, &t, err, sizeof(err));
	snprintf(abs, sizeof(abs), "%s/keys/vpn.psk", dir);
	ktap_ok(!ret && !strcmp(t->psk_file, abs),
		"a relative PresharedKeyFile is relative to the topology "
		"file's directory: %s", ret ? err : t->psk_file);
	if (chdir(dir))
		abort();
	ret = wgmesh_topology_load("mesh.conf", &u, err, sizeof(err));
	ktap_ok(!ret && !strcmp(u->psk_file, "keys/vpn.psk"),
		"a topology file in the working directory: as written (%s)",
		ret ? err : u->psk_file);
	f = fopen(path, "w");
	if (!f)
		abort();
	fprintf(f, "[Mesh]\nName = vpn\nPresharedKeyFile = /etc/wgmesh/"
		"vpn.psk\n[Controller c1]\nEndpoint = h\nPublicKey = "
		K1 "\n");
	fclose(f);
	ret = wgmesh_topology_load(path, &a, err, sizeof(err));
	ktap_ok(!ret && !strcmp(a->psk_file, "/etc/wgmesh/vpn.psk"),
		"an absolute one is kept: %s", ret ? err : a->psk_file);
	if (chdir("/"))
		abort();
	unlink(path);
	rmdir(dir);
	wgmesh_topology_free(t);
	wgmesh_topology_free(a);
	wgmesh_topology_free(u);
}

/* Firewall: the mesh's default, a controller's own overrides it. */
static void firewall(void)
{
	static const char text[] = "[Mesh]\nName = vpn\nFirewall = no\n"
				   "[Controller c1]\nEndpoint = 192.0.2.1\n"
				   "PublicKey = " K1 "\n"
				   "[Controller c2]\nEndpoint = 192.0.2.2\n"
				   "PublicKey = " K2 "\nFirewall = Yes\n";
	char err[WGMESH_ERR_LEN] = "";
	struct wgmesh_topology *t = NULL;
	int ret;

	ret = wgmesh_topology_parse(HEAD, strlen(HEAD), "t.conf", &t, err,
				    sizeof(err));
	ktap_ok(!ret && !t->no_firewall && !t->controllers[0].no_firewall,
		"without Firewall, up opens the listen port (%s)", err);
	wgmesh_topology_free(t);
	t = NULL;
	ret = wgmesh_topology_parse(text, strlen(text), "t.conf", &t, err,
				    sizeof(err));
	ktap_ok(!ret && t->no_firewall && t->controllers[0].no_firewall &&
		!t->controllers[1].no_firewall,
		"[Mesh] Firewall = no for all, a controller's Firewall = yes "
		"overrides it (%s)", err);
	wgmesh_topology_free(t);
}

/* Exit: the controller's yes, the peer's its controller. */
static void exits(void)
{
	static const char text[] = "[Mesh]\nName = vpn\nIPv4 = 10.1.0.0/16\n"
				   "[Controller c1]\nEndpoint = 192.0.2.1\n"
				   "PublicKey = " K1 "\nExit = yes\n"
				   "[Peer p1]\nPublicKey = " K2 "\n"
				   "Exit = c1\n[Peer p2]\nPublicKey = " K3
				   "\n";
	char err[WGMESH_ERR_LEN] = "";
	struct wgmesh_topology *t = NULL;
	int ret;

	ret = wgmesh_topology_parse(text, strlen(text), "t.conf", &t, err,
				    sizeof(err));
	ktap_ok(!ret && t->controllers[0].exit && t->peers[0].exit &&
		!t->peers[1].exit,
		"Exit = yes on a controller, Exit = it on a peer (%s)", err);
	wgmesh_topology_free(t);
}

/* Table and FwMark on any machine; FwMark in hexadecimal too. */
static void tables(void)
{
	static const char text[] = HEAD "Table = 4294967295\nFwMark = 1\n"
				   "[Peer p1]\nPublicKey = " K2 "\n"
				   "Table = 1000\nFwMark = 0xca6c\n"
				   "[Peer p2]\nPublicKey = " K3 "\n"
				   "Table = 252\n";
	char err[WGMESH_ERR_LEN] = "";
	struct wgmesh_topology *t = NULL;
	int ret;

	ret = wgmesh_topology_parse(text, strlen(text), "t.conf", &t, err,
				    sizeof(err));
	ktap_ok(!ret && t->controllers[0].owned.table == 4294967295u &&
		t->controllers[0].owned.fwmark == 1 &&
		t->peers[0].owned.table == 1000 &&
		t->peers[0].owned.fwmark == 0xca6c &&
		t->peers[1].owned.table == 252 && !t->peers[1].owned.fwmark,
		"Table and FwMark on controllers and peers, Table alone (%s)",
		err);
	wgmesh_topology_free(t);
}

/*
 * [Mesh] ProbeInterval, DeadAfter and ResolveInterval: seconds, defaults
 * 2, 8 and 30.
 */
static void watch_times(void)
{
	static const char text[] = "[Mesh]\nName = vpn\nProbeInterval = 0.25\n"
		"DeadAfter = 1.5\nResolveInterval = 0.5\n[Controller c1]\n"
		"Endpoint = h\nPublicKey = "
		K1 "\n";
	static const char plain[] = "[Mesh]\nName = vpn\n[Controller c1]\n"
		"Endpoint = h\nPublicKey = " K1 "\n";
	struct wgmesh_topology *t;
	char err[WGMESH_ERR_LEN] = "";

	ktap_ok(!wgmesh_topology_parse(text, strlen(text), "t.conf", &t, err,
				       sizeof(err)) &&
		wgmesh_watch_interval_ms(t) == 250 &&
		wgmesh_watch_dead_after_ms(t) == 1500 &&
		wgmesh_watch_resolve_ms(t) == 500,
		"ProbeInterval = 0.25, DeadAfter = 1.5, ResolveInterval = 0.5: "
		"250, 1500 and 500 ms (%s)", err);
	wgmesh_topology_free(t);
	ktap_ok(!wgmesh_topology_parse(plain, strlen(plain), "t.conf", &t, err,
				       sizeof(err)) &&
		wgmesh_watch_interval_ms(t) == 2000 &&
		wgmesh_watch_dead_after_ms(t) == 8000 &&
		wgmesh_watch_resolve_ms(t) == 30000,
		"without them: 2000, 8000 and 30000 ms (%s)", err);
	wgmesh_topology_free(t);
}

static void load_errors(void)
{
	struct wgmesh_topology *t;
	char err[WGMESH_ERR_LEN] = "";

	ktap_ok(wgmesh_topology_load("/nonexistent/t.conf", &t, err,
				     sizeof(err)) == -1 &&
		!strcmp(err, "/nonexistent/t.conf: No such file or directory")
		&& !t, "a missing file is named: %s", err);
}

int main(void)
{
	size_t n = sizeof(bad) / sizeof(bad[0]);

	if (sodium_init() < 0)
		return 1;
	ktap_plan(10 + 2 + (int)n + 2 + 1 + 5 + 2 + 1 + 2 + 1 + 1);
	valid_full();
	valid_defaults();
	for (size_t i = 0; i < n; i++) {
		/* sizeof - 1 keeps an embedded NUL in the NUL byte case. */
		size_t len = strlen(bad[i].text);
		struct wgmesh_topology *t = (void *)1;
		char err[WGMESH_ERR_LEN] = "";
		int ret;

		if (strstr(bad[i].want, "NUL byte"))
			len = strlen(bad[i].text) + 1 +
			      strlen(bad[i].text + strlen(bad[i].text) + 1);
		ret = wgmesh_topology_parse(bad[i].text, len, "t.conf", &t, err,
					    sizeof(err));
		if (!ktap_ok(ret == -1 && !t && !strcmp(err, bad[i].want),
			     "error %zu: %s", i + 1, err))
			ktap_diag("want: %s", bad[i].want);
		if (!ret)
			wgmesh_topology_free(t);
	}
	too_many_groups();
	many_peers();
	psk_file();
	firewall();
	exits();
	tables();
	watch_times();
	load_errors();
	return ktap_finish();
}
