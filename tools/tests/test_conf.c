// SPDX-License-Identifier: GPL-2.0
/*
 * Output of conf and hosts for the notes' example mesh, compared line by
 * line with what the addressing notes prescribe for each role, and the
 * private and preshared key handling of conf.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "lib/hosts.h"
#include "lib/keys.h"
#include "lib/psk.h"
#include "lib/topology.h"
#include "lib/wgquick.h"
#include "ktap.h"

#define K1 "AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE="
#define K2 "AgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgI="
#define K3 "AwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwM="
#define K4 "BAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQ="

/* Written out of order on purpose: output must be sorted by name. */
static const char mesh[] =
	"[Mesh]\nName = vpn\nMTU = 1420\n"
	"[Peer peer2]\nPublicKey = " K4 "\nController = controller2\n"
	"[Controller controller2]\nEndpoint = [2001:db8::2]:4000\n"
	"PublicKey = " K2 "\n"
	"[Peer peer1]\nPublicKey = " K3 "\nController = controller1\n"
	"[Controller controller1]\nEndpoint = vpn1.example.com\n"
	"PublicKey = " K1 "\nPort = 51821\n";

static const char want_hosts[] =
	"fdeb:f20c:3b:f700::1 controller1.vpn\n"
	"fdeb:f20c:c1:aa00::1 controller2.vpn\n"
	"fdeb:f20c:3b:f700:6987:50a0:9b93:4337 peer1.vpn\n"
	"fdeb:f20c:c1:aa00:3b21:3ced:3e:89b3 peer2.vpn\n";

static const char want_controller1[] =
	"# wgmesh: controller controller1 of mesh vpn (from t.conf)\n"
	"[Interface]\n"
	"Address = fdeb:f20c:3b:f700::1/40\n"
	"ListenPort = 51821\n"
	"MTU = 1420\n"
	"PostUp = wg set %i private-key /etc/wireguard/vpn.key\n"
	"\n# controller controller2\n[Peer]\nPublicKey = " K2 "\n"
	"AllowedIPs = fdeb:f20c:c1:aa00::/56\n"
	"Endpoint = [2001:db8::2]:4000\n"
	"PersistentKeepalive = 25\n"
	"\n# peer peer1\n[Peer]\nPublicKey = " K3 "\n"
	"AllowedIPs = fdeb:f20c:3b:f700:6987:50a0::/96, "
	"fdeb:f20c:c1:aa00:6987:50a0::/96\n"
	"PersistentKeepalive = 25\n"
	"\n# peer peer2\n[Peer]\nPublicKey = " K4 "\n"
	"AllowedIPs = fdeb:f20c:3b:f700:3b21:3ced::/96, "
	"fdeb:f20c:c1:aa00:3b21:3ced::/96\n"
	"PersistentKeepalive = 25\n";

static const char want_peer2[] =
	"# wgmesh: peer peer2 of mesh vpn (from t.conf)\n"
	"[Interface]\n"
	"Address = fdeb:f20c:3b:f700:3b21:3ced:3e:89b3/56\n"
	"Address = fdeb:f20c:c1:aa00:3b21:3ced:3e:89b3/56\n"
	"MTU = 1420\n"
	"PostUp = wg set %i private-key '/tmp/my keys/peer2.key'\n"
	"\n# controller controller1\n[Peer]\nPublicKey = " K1 "\n"
	"AllowedIPs = fdeb:f20c:3b:f700::/56\n"
	"Endpoint = vpn1.example.com:51821\n"
	"PersistentKeepalive = 25\n"
	"\n# controller controller2\n[Peer]\nPublicKey = " K2 "\n"
	"AllowedIPs = fdeb:f20c:c1:aa00::/56\n"
	"Endpoint = [2001:db8::2]:4000\n"
	"PersistentKeepalive = 25\n";

static bool same(const char *got, const char *want, const char *what)
{
	bool ok = got && !strcmp(got, want);

	ktap_ok(ok, "%s", what);
	if (!ok && got) {
		/* Show the first differing line. */
		const char *g = got, *w = want;

		while (*g && *g == *w)
			g++, w++;
		while (g > got && g[-1] != '\n')
			g--, w--;
		ktap_diag("got:  %.*s", (int)strcspn(g, "\n"), g);
		ktap_diag("want: %.*s", (int)strcspn(w, "\n"), w);
	}
	return ok;
}

static char *conf(const struct wgmesh_topology *t, const char *machine,
		  const struct wgquick_opts *o, char *err)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	int ret;

	if (!f)
		abort();
	ret = wgquick_write(f, t, machine, o, err, WGMESH_ERR_LEN);
	fclose(f);
	if (ret) {
		free(text);
		return NULL;
	}
	return text;
}

static void write_key(const char *path, const char *b64, mode_t mode)
{
	FILE *f = fopen(path, "w");

	if (!f)
		abort();
	fprintf(f, "%s\n", b64);
	fclose(f);
	chmod(path, mode);
}

/*
 * Preshared keys: PresharedKey = in every [Peer] only with
 * --embed-private-key, derived as up derives them; refused without it, or
 * when the secret is not private. @mesh2's peer1 has the private key of
 * @o's file and public key @pub.
 */
static void preshared_keys(const char *mesh2, const char *dir,
			   struct wgquick_opts *o, const uint8_t *pub)
{
	static const char secret_b64[] =
		"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
	char path[64], *text3, *text, err[WGMESH_ERR_LEN] = "", want[512];
	char psk1[45], psk2[45];
	uint8_t secret[32], k[32], psk[32];
	struct wgmesh_topology *t3;
	const char *at;

	snprintf(path, sizeof(path), "%s/mesh.psk", dir);
	if (asprintf(&text3, "[Mesh]\nPresharedKeyFile = %s\n%s", path,
		     mesh2 + strlen("[Mesh]\n")) < 0 ||
	    wgmesh_topology_parse(text3, strlen(text3), "t.conf", &t3, err,
				  sizeof(err)))
		abort();
	write_key(path, secret_b64, 0600);
	wgmesh_key_from_base64(secret_b64, secret);
	wgmesh_key_from_base64(K1, k);
	psk_derive(psk, secret, "vpn", pub, k);
	wgmesh_key_to_base64(psk, psk1);
	wgmesh_key_from_base64(K2, k);
	psk_derive(psk, secret, "vpn", pub, k);
	wgmesh_key_to_base64(psk, psk2);

	o->embed_private_key = false;
	text = conf(t3, "peer1", o, err);
	ktap_ok(!text && !strcmp(err, "conf: mesh vpn has preshared keys "
				 "(PresharedKeyFile): they are only written "
				 "with --embed-private-key, which embeds "
				 "peer1's secrets"),
		"preshared keys without embedding: refused: %s", err);
	free(text);

	o->embed_private_key = true;
	text = conf(t3, "peer1", o, err);
	snprintf(want, sizeof(want), "[Peer]\nPublicKey = " K1 "\n"
		 "PresharedKey = %s\nAllowedIPs = ", psk1);
	at = text ? strstr(text, want) : NULL;
	snprintf(want, sizeof(want), "[Peer]\nPublicKey = " K2 "\n"
		 "PresharedKey = %s\nAllowedIPs = ", psk2);
	ktap_ok(at && strstr(text, want) &&
		strstr(text, "PrivateKey = "),
		"--embed-private-key: the PresharedKey of each pair after its "
		"PublicKey (%s)", text ? "" : err);
	free(text);

	chmod(path, 0640);
	text = conf(t3, "peer1", o, err);
	snprintf(want, sizeof(want), "preshared key file %s has mode 0640: it "
		 "must not be accessible by group or others (chmod 600)", path);
	ktap_ok(!text && !strcmp(err, want),
		"a group-readable mesh secret is refused: %s", err);
	free(text);

	unlink(path);
	free(text3);
	wgmesh_topology_free(t3);
	sodium_memzero(secret, sizeof(secret));
	sodium_memzero(psk, sizeof(psk));
}

static void private_keys(const struct wgmesh_topology *t)
{
	char dir[] = "/tmp/wgmesh-test-XXXXXX", path[64], priv_b64[45],
	     err[WGMESH_ERR_LEN] = "", want[256];
	uint8_t priv[WGMESH_KEY_LEN], pub[WGMESH_KEY_LEN];
	struct wgmesh_topology *t2;
	struct wgquick_opts o = { .embed_private_key = true };
	char *text, *mesh2;

	if (!mkdtemp(dir))
		abort();
	snprintf(path, sizeof(path), "%s/key", dir);
	o.private_key_file = path;

	/* A mesh whose peer1 has the public key of a real private key. */
	wgmesh_key_generate(priv);
	wgmesh_key_public(pub, priv);
	wgmesh_key_to_base64(priv, priv_b64);
	mesh2 = strdup(mesh);
	{
		char pub_b64[45];

		wgmesh_key_to_base64(pub, pub_b64);
		memcpy(strstr(mesh2, K3), pub_b64, 44);
	}
	if (wgmesh_topology_parse(mesh2, strlen(mesh2), "t.conf", &t2, err,
				  sizeof(err)))
		abort();

	write_key(path, priv_b64, 0600);
	text = conf(t2, "peer1", &o, err);
	snprintf(want, sizeof(want), "\nPrivateKey = %s\n", priv_b64);
	ktap_ok(text && strstr(text, want) && !strstr(text, "PostUp"),
		"--embed-private-key writes PrivateKey and no PostUp (%s)",
		text ? "" : err);
	free(text);

	text = conf(t2, "peer2", &o, err);
	snprintf(want, sizeof(want), "conf: the private key in %s does not "
		 "match the PublicKey of peer2 in t.conf", path);
	ktap_ok(!text && !strcmp(err, want),
		"embedding a key of another machine is refused: %s", err);
	free(text);

	chmod(path, 0640);
	text = conf(t2, "peer1", &o, err);
	snprintf(want, sizeof(want), "private key file %s has mode 0640: it "
		 "must not be accessible by group or others (chmod 600)", path);
	ktap_ok(!text && !strcmp(err, want),
		"a group-readable key file is refused: %s", err);
	free(text);

	chmod(path, 0604);
	text = conf(t2, "peer1", &o, err);
	ktap_ok(!text && strstr(err, "has mode 0604"),
		"a world-readable key file is refused: %s", err);
	free(text);

	write_key(path, "not a key", 0600);
	text = conf(t2, "peer1", &o, err);
	snprintf(want, sizeof(want), "private key file %s: not a WireGuard key"
		 " (44 characters of base64)", path);
	ktap_ok(!text && !strcmp(err, want), "garbage in the key file: %s",
		err);
	free(text);

	unlink(path);
	text = conf(t2, "peer1", &o, err);
	snprintf(want, sizeof(want), "private key file %s: No such file or "
		 "directory", path);
	ktap_ok(!text && !strcmp(err, want), "missing key file: %s", err);
	free(text);

	write_key(path, priv_b64, 0600);
	preshared_keys(mesh2, dir, &o, pub);
	unlink(path);

	o.embed_private_key = false;
	text = conf(t, "nobody", &o, err);
	ktap_ok(!text && !strcmp(err, "conf: no machine named 'nobody' in "
				 "t.conf"), "unknown machine: %s", err);
	free(text);

	rmdir(dir);
	free(mesh2);
	wgmesh_topology_free(t2);
	sodium_memzero(priv, sizeof(priv));
}

/* A peer using its controller as exit: 0.0.0.0/0 there, for wg-quick. */
static void exit_conf(void)
{
	static const char text[] =
		"[Mesh]\nName = vpn\nIPv4 = 10.128.0.0/16\n"
		"[Controller c1]\nEndpoint = 192.0.2.1\nExit = yes\n"
		"PublicKey = AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE=\n"
		"[Peer p1]\nExit = c1\n"
		"PublicKey = AgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgI=\n";
	struct wgquick_opts o = { 0 };
	struct wgmesh_topology *t;
	char err[WGMESH_ERR_LEN] = "", *c;

	if (wgmesh_topology_parse(text, strlen(text), "t.conf", &t, err,
				  sizeof(err)))
		abort();
	c = conf(t, "p1", &o, err);
	ktap_ok(c && strstr(c, ", 0.0.0.0/0\n") && !strstr(c, "10.128.0.0/16"),
		"conf of an exit user: 0.0.0.0/0 on its exit, not the range");
	free(c);
	wgmesh_topology_free(t);
}

int main(void)
{
	struct wgquick_opts o = { 0 };
	struct wgmesh_topology *t;
	char err[WGMESH_ERR_LEN] = "";
	char *text;

	if (sodium_init() < 0)
		return 1;
	ktap_plan(11 + 3 + 1);
	if (!ktap_ok(!wgmesh_topology_parse(mesh, strlen(mesh), "t.conf", &t,
					    err, sizeof(err)),
		     "example mesh parses (%s)", err))
		return ktap_finish();

	text = hosts_text(t);
	same(text, want_hosts, "hosts: controllers at ::1 by name, then peers"
	     " at their designated controller's address by name");
	free(text);

	text = conf(t, "controller1", &o, err);
	same(text, want_controller1, "conf of a controller: /40 address, "
	     "ListenPort, other controllers' /56, peers' /96 in every subnet");
	free(text);

	o.private_key_file = "/tmp/my keys/peer2.key";
	text = conf(t, "peer2", &o, err);
	same(text, want_peer2, "conf of a peer: one /56 address per "
	     "controller, controllers with endpoints, quoted key path");
	free(text);

	private_keys(t);
	wgmesh_topology_free(t);
	exit_conf();
	return ktap_finish();
}
