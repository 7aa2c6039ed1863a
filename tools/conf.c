// SPDX-License-Identifier: GPL-2.0
/* "wgmesh conf": the wg-quick configuration of one machine (lib/wgquick.c). */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "cli.h"
#include "lib/array.h"
#include "lib/keys.h"
#include "lib/qr.h"
#include "lib/wgquick.h"

static int cmd_conf(int argc, char **argv)
{
	struct wgquick_opts o = { 0 };
	bool qr = false;
	const char *args[2] = { NULL, NULL };	/* FILE MACHINE */
	const struct cli_opt opts[] = {
		{ .name = "--private-key-file", .value = &o.private_key_file,
		  .needs = "a PATH" },
		{ .name = "--embed-private-key", .flag = &o.embed_private_key },
		{ .name = "--qr", .flag = &qr },
		{ 0 }
	};
	const char *file, *machine;
	struct wgmesh_topology *t;
	char err[WGMESH_ERR_LEN];
	char *text = NULL;
	size_t len = 0;
	FILE *f;
	int ret = 1;

	if (cli_parse(&cli_conf, argc, argv, opts, args, 2))
		return 1;
	file = args[0];
	machine = args[1];
	if (!machine)
		return cli_usage_err(&cli_conf, "missing %s",
				     file ? "MACHINE" : "FILE and MACHINE");
	if (qr && !o.embed_private_key)
		return cli_usage_err(&cli_conf, "--qr needs --embed-private-key:"
				     " the WireGuard apps import the private "
				     "key with the configuration");
	if (cli_load(file, &t))
		return 1;
	/*
	 * Build it all first: print nothing unless it is complete. It may
	 * hold secrets: the stream leaves no copy behind.
	 */
	f = array_secret_stream(&text, &len);
	if (!f) {
		cli_err("conf: out of memory");
		goto out;
	}
	if (wgquick_write(f, t, machine, &o, err, sizeof(err))) {
		fclose(f);
		cli_err("%s", err);
		goto out;
	}
	if (fclose(f)) {
		cli_err("conf: out of memory");
		goto out;
	}
	if (qr) {
		if (qr_write(stdout, text, err, sizeof(err))) {
			cli_err("conf: %s", err);
			goto out;
		}
	} else if (fwrite(text, 1, len, stdout) != len) {
		cli_err("conf: writing standard output failed");
		goto out;
	}
	if (fflush(stdout)) {
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
	.args = "FILE MACHINE [--private-key-file PATH] [--embed-private-key [--qr]]",
	.summary = "print the wg-quick configuration of MACHINE",
	.help = "The private key is set by \"PostUp = wg set %i private-key "
		"PATH\" (default\n" WGMESH_KEY_DIR "/<interface>.key); "
		"--embed-private-key reads PATH (mode 0600) and\nwrites "
		"PrivateKey = instead, after checking it matches the "
		"machine's PublicKey.\nWith [Mesh] PresharedKeyFile, every "
		"[Peer] needs the PresharedKey of its pair,\nderived from that "
		"mesh secret: --embed-private-key writes them too (one flag\n"
		"for every secret of MACHINE), and without it conf refuses.\n"
		"--qr prints that configuration as a "
		"QR code for the WireGuard mobile apps\n(\"Scan from QR code\"): "
		"it holds the private key, so it needs\n--embed-private-key.\n",
};
