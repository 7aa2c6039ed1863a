// SPDX-License-Identifier: GPL-2.0
/* wg-quick configuration of one machine, and the "conf" command. */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "addr.h"
#include "cli.h"
#include "conf.h"
#include "keys.h"

static void endpoint(FILE *f, const struct wgmesh_controller *c)
{
	if (strchr(c->endpoint_host, ':'))
		fprintf(f, "Endpoint = [%s]:%u\n", c->endpoint_host,
			c->endpoint_port);
	else
		fprintf(f, "Endpoint = %s:%u\n", c->endpoint_host,
			c->endpoint_port);
}

static void peer_header(FILE *f, const char *role, const char *name,
			const uint8_t key[WGMESH_KEY_LEN])
{
	char b64[WGMESH_KEY_B64_LEN + 1];

	wgmesh_key_to_base64(key, b64);
	fprintf(f, "\n# %s %s\n[Peer]\nPublicKey = %s\n", role, name, b64);
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
		     const struct wgmesh_conf_opts *o, char *err, size_t errlen)
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

/* Every controller but @self as a WireGuard peer: its /56, endpoint. */
static void controller_peers(FILE *f, const struct wgmesh_topology *t,
			     const struct wgmesh_controller *self)
{
	char buf[WGMESH_PREFIX_STRLEN];
	struct in6_addr a;

	for (size_t i = 0; i < t->n_controllers; i++) {
		const struct wgmesh_controller *c = &t->controllers[i];

		if (c == self)
			continue;
		peer_header(f, "controller", c->name, c->public_key);
		wgmesh_controller_subnet(t->name, c->name, &a);
		fprintf(f, "AllowedIPs = %s\n",
			wgmesh_prefix_str(&a, WGMESH_SUBNET_PLEN, buf));
		endpoint(f, c);
		fprintf(f, "PersistentKeepalive = %d\n", WGMESH_KEEPALIVE);
	}
}

static int controller_conf(FILE *f, const struct wgmesh_topology *t,
			   const struct wgmesh_controller *self,
			   const struct wgmesh_conf_opts *o, char *err,
			   size_t errlen)
{
	char buf[WGMESH_PREFIX_STRLEN];
	struct in6_addr a;

	fprintf(f, "# wgmesh: controller %s of mesh %s (from %s)\n",
		self->name, t->name, t->file);
	fprintf(f, "[Interface]\n");
	wgmesh_controller_addr(t->name, self->name, &a);
	fprintf(f, "Address = %s\n",
		wgmesh_prefix_str(&a, WGMESH_MESH_PLEN, buf));
	fprintf(f, "ListenPort = %u\n", self->port);
	if (t->mtu)
		fprintf(f, "MTU = %u\n", t->mtu);
	if (interface(f, t, self->name, self->public_key, o, err, errlen))
		return -1;

	controller_peers(f, t, self);
	for (size_t i = 0; i < t->n_peers; i++) {
		const struct wgmesh_peer *p = &t->peers[i];

		peer_header(f, "peer", p->name, p->public_key);
		fprintf(f, "AllowedIPs = ");
		for (size_t c = 0; c < t->n_controllers; c++) {
			wgmesh_peer_prefix(t->name, t->controllers[c].name,
					   p->name, &a);
			fprintf(f, "%s%s", c ? ", " : "",
				wgmesh_prefix_str(&a, WGMESH_PEER_PLEN, buf));
		}
		fprintf(f, "\nPersistentKeepalive = %d\n", WGMESH_KEEPALIVE);
	}
	return 0;
}

static int peer_conf(FILE *f, const struct wgmesh_topology *t,
		     const struct wgmesh_peer *self,
		     const struct wgmesh_conf_opts *o, char *err, size_t errlen)
{
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
	if (t->mtu)
		fprintf(f, "MTU = %u\n", t->mtu);
	if (interface(f, t, self->name, self->public_key, o, err, errlen))
		return -1;

	controller_peers(f, t, NULL);
	return 0;
}

int wgmesh_conf_write(FILE *f, const struct wgmesh_topology *t,
		      const char *machine, const struct wgmesh_conf_opts *o,
		      char *err, size_t errlen)
{
	const struct wgmesh_controller *c = wgmesh_topology_controller(t, machine);
	const struct wgmesh_peer *p = wgmesh_topology_peer(t, machine);

	if (c)
		return controller_conf(f, t, c, o, err, errlen);
	if (p)
		return peer_conf(f, t, p, o, err, errlen);
	snprintf(err, errlen, "conf: no machine named '%s' in %s", machine,
		 t->file);
	return -1;
}

static int cmd_conf(int argc, char **argv)
{
	struct wgmesh_conf_opts o = { 0 };
	const char *file = NULL, *machine = NULL;
	struct wgmesh_topology *t;
	char err[WGMESH_ERR_LEN];
	char *text = NULL;
	size_t len = 0;
	FILE *f;
	int ret = 1;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--private-key-file")) {
			if (++i == argc)
				return cli_usage_err(&cli_conf, "--private-key-"
							"file needs a PATH");
			o.private_key_file = argv[i];
		} else if (!strcmp(argv[i], "--embed-private-key")) {
			o.embed_private_key = true;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			return cli_usage_err(&cli_conf, "unknown option '%s'",
						argv[i]);
		} else if (!file) {
			file = argv[i];
		} else if (!machine) {
			machine = argv[i];
		} else {
			return cli_usage_err(&cli_conf, "unexpected argument "
						"'%s'", argv[i]);
		}
	}
	if (!machine)
		return cli_usage_err(&cli_conf, "missing %s",
					file ? "MACHINE" : "FILE and MACHINE");
	if (cli_load(file, &t))
		return 1;
	/* Build it all first: print nothing unless it is complete. */
	f = open_memstream(&text, &len);
	if (!f) {
		cli_err("conf: out of memory");
		goto out;
	}
	if (wgmesh_conf_write(f, t, machine, &o, err, sizeof(err))) {
		fclose(f);
		cli_err("%s", err);
		goto out;
	}
	if (fclose(f)) {
		cli_err("conf: out of memory");
		goto out;
	}
	if (fwrite(text, 1, len, stdout) != len || fflush(stdout)) {
		cli_err("conf: writing standard output failed");
		goto out;
	}
	ret = 0;
out:
	if (text) {
		sodium_memzero(text, len);
		free(text);
	}
	wgmesh_topology_free(t);
	return ret;
}

const struct cli_cmd cli_conf = {
	.name = "conf", .run = cmd_conf,
	.args = "FILE MACHINE [--private-key-file PATH] [--embed-private-key]",
	.summary = "print the wg-quick configuration of MACHINE",
	.help = "The private key is set by \"PostUp = wg set %i private-key "
		"PATH\" (default\n" WGMESH_KEY_DIR "/<interface>.key); "
		"--embed-private-key reads PATH (mode 0600) and\nwrites "
		"PrivateKey = instead, after checking it matches the "
		"machine's PublicKey.\n",
};
