// SPDX-License-Identifier: GPL-2.0
/* wg-quick configuration of one machine, see wgquick.h. */
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>

#include <sodium.h>

#include "addr.h"
#include "keys.h"
#include "psk.h"
#include "wgquick.h"

static void endpoint(FILE *f, const struct wgmesh_controller *c)
{
	if (strchr(c->endpoint_host, ':'))
		fprintf(f, "Endpoint = [%s]:%u\n", c->endpoint_host,
			c->endpoint_port);
	else
		fprintf(f, "Endpoint = %s:%u\n", c->endpoint_host,
			c->endpoint_port);
}

/* Machine @i's public key. */
static const uint8_t *machine_key(const struct wgmesh_topology *t, size_t i)
{
	return i < t->n_controllers ? t->controllers[i].public_key :
	       t->peers[i - t->n_controllers].public_key;
}

/*
 * "[Peer]" and its PublicKey, then, with the mesh secret @secret, the
 * PresharedKey of its pair with machine @si (as up derives it).
 */
static void peer_header(FILE *f, const struct wgmesh_topology *t, size_t si,
			const uint8_t *secret, const char *role,
			const char *name, const uint8_t key[WGMESH_KEY_LEN])
{
	char b64[WGMESH_KEY_B64_LEN + 1];
	uint8_t psk[WGMESH_KEY_LEN];

	wgmesh_key_to_base64(key, b64);
	fprintf(f, "\n# %s %s\n[Peer]\nPublicKey = %s\n", role, name, b64);
	if (!secret)
		return;
	psk_derive(psk, secret, t->name, machine_key(t, si), key);
	wgmesh_key_to_base64(psk, b64);
	fprintf(f, "PresharedKey = %s\n", b64);
	sodium_memzero(psk, sizeof(psk));
	sodium_memzero(b64, sizeof(b64));
}

/* wg-quick runs PostUp through bash: quote anything unusual. */
static bool shell_safe(const char *s)
{
	for (; *s; s++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			    "0123456789/._-+@%,:", *s))
			return false;
	return true;
}

static int interface(FILE *f, const struct wgmesh_topology *t,
		     const char *machine, const uint8_t pub[WGMESH_KEY_LEN],
		     const struct wgquick_opts *o, char *err, size_t errlen)
{
	char path[4096];
	const char *key_file = o->private_key_file;

	if (!key_file) {
		if (wgmesh_key_default_path(t, path, sizeof(path))) {
			snprintf(err, errlen, "conf: key file path too long");
			return -1;
		}
		key_file = path;
	}
	if (o->embed_private_key) {
		uint8_t priv[WGMESH_KEY_LEN], derived[WGMESH_KEY_LEN];
		char b64[WGMESH_KEY_B64_LEN + 1];
		int bad;

		if (wgmesh_key_load_private(key_file, priv, err, errlen))
			return -1;
		bad = wgmesh_key_public(derived, priv) ||
		      memcmp(derived, pub, WGMESH_KEY_LEN);
		if (bad) {
			sodium_memzero(priv, sizeof(priv));
			snprintf(err, errlen, "conf: the private key in %s does "
				 "not match the PublicKey of %s in %s",
				 key_file, machine, t->file);
			return -1;
		}
		wgmesh_key_to_base64(priv, b64);
		fprintf(f, "PrivateKey = %s\n", b64);
		sodium_memzero(priv, sizeof(priv));
		sodium_memzero(b64, sizeof(b64));
		return 0;
	}
	if (strchr(key_file, '\'') || strchr(key_file, '\n')) {
		snprintf(err, errlen, "conf: key file path '%s' cannot be "
			 "quoted for PostUp", key_file);
		return -1;
	}
	fprintf(f, shell_safe(key_file) ?
		"PostUp = wg set %%i private-key %s\n" :
		"PostUp = wg set %%i private-key '%s'\n", key_file);
	return 0;
}

/* ", <ipv4>/32, <subnets>" of machine @i. */
static void owned_ips(FILE *f, const struct wgmesh_topology *t, size_t i)
{
	const struct wgmesh_owned *o = wgmesh_machine_owned(t, i);
	char buf[WGMESH_PREFIX_STRLEN];

	if (t->ipv4_len)
		fprintf(f, ", %s/32", wgmesh_ipv4_str(o->ipv4, buf));
	for (size_t j = 0; j < o->n_subnets; j++)
		fprintf(f, ", %s", wgmesh_subnet_str(&o->subnets[j], buf));
}

/*
 * What controller @ci's entry carries besides its /56 on machine @si (see
 * derive.h): on a controller, everything homed at @ci; on a peer homed at
 * @ci, the IPv4 range (0.0.0.0/0 when @ci is its exit) and every other
 * machine's subnets.
 */
static void homed_ips(FILE *f, const struct wgmesh_topology *t, size_t si,
		      size_t ci)
{
	size_t n = t->n_controllers + t->n_peers;
	char buf[WGMESH_PREFIX_STRLEN];

	if (si < t->n_controllers) {
		for (size_t i = 0; i < n; i++)
			if (wgmesh_machine_home(t, i) == ci)
				owned_ips(f, t, i);
		return;
	}
	if (wgmesh_machine_home(t, si) != ci)
		return;
	/* Exit = its controller: all of IPv4 (wg-quick keeps the endpoint out). */
	if (t->peers[si - t->n_controllers].exit)
		fprintf(f, ", 0.0.0.0/0");
	else if (t->ipv4_len)
		fprintf(f, ", %s/%u", wgmesh_ipv4_str(t->ipv4_prefix, buf),
			t->ipv4_len);
	for (size_t i = 0; i < n; i++) {
		const struct wgmesh_owned *o = wgmesh_machine_owned(t, i);

		for (size_t j = 0; i != si && j < o->n_subnets; j++)
			fprintf(f, ", %s",
				wgmesh_subnet_str(&o->subnets[j], buf));
	}
}

/* "Address = <ipv4>/LEN" of machine @i, when the mesh has IPv4. */
static void ipv4_address(FILE *f, const struct wgmesh_topology *t, size_t i)
{
	char buf[INET_ADDRSTRLEN];

	if (t->ipv4_len)
		fprintf(f, "Address = %s/%u\n",
			wgmesh_ipv4_str(wgmesh_machine_owned(t, i)->ipv4, buf),
			t->ipv4_len);
}

/* Every controller but @si as a WireGuard peer: its /56, what it carries, endpoint. */
static void controller_peers(FILE *f, const struct wgmesh_topology *t,
			     size_t si, const uint8_t *secret)
{
	char buf[WGMESH_PREFIX_STRLEN];
	struct in6_addr a;

	for (size_t i = 0; i < t->n_controllers; i++) {
		const struct wgmesh_controller *c = &t->controllers[i];

		if (i == si)
			continue;
		peer_header(f, t, si, secret, "controller", c->name,
			    c->public_key);
		wgmesh_controller_subnet(t->name, c->name, &a);
		fprintf(f, "AllowedIPs = %s",
			wgmesh_prefix_str(&a, WGMESH_SUBNET_PLEN, buf));
		homed_ips(f, t, si, i);
		fputc('\n', f);
		endpoint(f, c);
		fprintf(f, "PersistentKeepalive = %d\n", WGMESH_KEEPALIVE);
	}
}

static int controller_conf(FILE *f, const struct wgmesh_topology *t,
			   const struct wgmesh_controller *self,
			   const struct wgquick_opts *o, const uint8_t *secret,
			   char *err, size_t errlen)
{
	size_t si = (size_t)(self - t->controllers);
	char buf[WGMESH_PREFIX_STRLEN];
	struct in6_addr a;

	fprintf(f, "# wgmesh: controller %s of mesh %s (from %s)\n",
		self->name, t->name, t->file);
	fprintf(f, "[Interface]\n");
	wgmesh_controller_addr(t->name, self->name, &a);
	fprintf(f, "Address = %s\n",
		wgmesh_prefix_str(&a, WGMESH_MESH_PLEN, buf));
	ipv4_address(f, t, si);
	fprintf(f, "ListenPort = %u\n", self->port);
	if (t->mtu)
		fprintf(f, "MTU = %u\n", t->mtu);
	if (interface(f, t, self->name, self->public_key, o, err, errlen))
		return -1;

	controller_peers(f, t, si, secret);
	for (size_t i = 0; i < t->n_peers; i++) {
		const struct wgmesh_peer *p = &t->peers[i];

		peer_header(f, t, si, secret, "peer", p->name, p->public_key);
		fprintf(f, "AllowedIPs = ");
		for (size_t c = 0; c < t->n_controllers; c++) {
			wgmesh_peer_prefix(t->name, t->controllers[c].name,
					   p->name, &a);
			fprintf(f, "%s%s", c ? ", " : "",
				wgmesh_prefix_str(&a, WGMESH_PEER_PLEN, buf));
		}
		if (p->controller == si)
			owned_ips(f, t, t->n_controllers + i);
		fprintf(f, "\nPersistentKeepalive = %d\n", WGMESH_KEEPALIVE);
	}
	return 0;
}

static int peer_conf(FILE *f, const struct wgmesh_topology *t,
		     const struct wgmesh_peer *self,
		     const struct wgquick_opts *o, const uint8_t *secret,
		     char *err, size_t errlen)
{
	size_t si = t->n_controllers + (size_t)(self - t->peers);
	char buf[WGMESH_PREFIX_STRLEN];
	struct in6_addr a;

	fprintf(f, "# wgmesh: peer %s of mesh %s (from %s)\n", self->name,
		t->name, t->file);
	fprintf(f, "[Interface]\n");
	for (size_t c = 0; c < t->n_controllers; c++) {
		wgmesh_peer_addr(t->name, t->controllers[c].name, self->name,
				 &a);
		fprintf(f, "Address = %s\n",
			wgmesh_prefix_str(&a, WGMESH_SUBNET_PLEN, buf));
	}
	ipv4_address(f, t, si);
	if (t->mtu)
		fprintf(f, "MTU = %u\n", t->mtu);
	if (interface(f, t, self->name, self->public_key, o, err, errlen))
		return -1;

	controller_peers(f, t, si, secret);
	return 0;
}

int wgquick_write(FILE *f, const struct wgmesh_topology *t,
		  const char *machine, const struct wgquick_opts *o, char *err,
		  size_t errlen)
{
	const struct wgmesh_controller *c = wgmesh_topology_controller(t, machine);
	const struct wgmesh_peer *p = wgmesh_topology_peer(t, machine);
	uint8_t secret[WGMESH_KEY_LEN];
	int has, ret;

	if (!c && !p) {
		snprintf(err, errlen, "conf: no machine named '%s' in %s",
			 machine, t->file);
		return -1;
	}
	if (t->psk_file && !o->embed_private_key) {
		snprintf(err, errlen, "conf: mesh %s has preshared keys "
			 "(PresharedKeyFile): they are only written with "
			 "--embed-private-key, which embeds %s's secrets",
			 t->name, machine);
		return -1;
	}
	has = t->psk_file ? psk_load(t, secret, err, errlen) : 0;
	if (has < 0)
		return -1;
	ret = c ? controller_conf(f, t, c, o, has ? secret : NULL, err, errlen) :
		  peer_conf(f, t, p, o, has ? secret : NULL, err, errlen);
	sodium_memzero(secret, sizeof(secret));
	return ret;
}
