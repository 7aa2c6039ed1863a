// SPDX-License-Identifier: GPL-2.0
/*
 * "wgmesh status" never shows a secret: a device read back with its
 * private key and every peer's preshared key set is printed as a table,
 * as JSON and for --check, named from a topology and without one, and
 * no output holds any trace of a key (base64, hex, raw bytes); the
 * public keys, which it does show, prove the capture worked.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "lib/keys.h"
#include "status.h"
#include "ktap.h"
#include "shows_key.h"
#include "vpn_topology.h"

/* Everything @mode prints for @d, named from @t. */
static char *output(const struct wg_device *d, const struct wgmesh_topology *t,
		    enum status_mode mode)
{
	FILE *tmp = tmpfile();
	int saved = dup(STDOUT_FILENO);
	char *text;
	long n;

	if (!tmp || saved < 0)
		abort();
	fflush(stdout);
	dup2(fileno(tmp), STDOUT_FILENO);
	status_print_device(d, t, mode);
	fflush(stdout);
	dup2(saved, STDOUT_FILENO);
	close(saved);
	n = ftell(tmp);
	text = calloc(1, (size_t)n + 1);
	rewind(tmp);
	if (!text || fread(text, 1, (size_t)n, tmp) != (size_t)n)
		abort();
	fclose(tmp);
	return text;
}

int main(void)
{
	static const char *const modes[] = { "table", "JSON", "--check" };
	struct wgmesh_topology *t;
	struct wg_device d = { 0 };
	char err[WGMESH_ERR_LEN], pub_b64[WGMESH_KEY_B64_LEN + 1];
	uint8_t psk[3][WG_KEY_LEN];
	bool clean = true, shown = true, named = true;

	if (sodium_init() < 0 ||
	    wgmesh_topology_parse(vpn_topology, sizeof(vpn_topology) - 1,
				  "t.conf", &t, err, sizeof(err))) {
		printf("Bail out! %s\n", err);
		return 1;
	}
	ktap_plan(4);

	/* controller1 as WireGuard reads it back: every secret set. */
	strcpy(d.ifname, "vpn");
	randombytes_buf(d.private_key, WG_KEY_LEN);
	d.has_private_key = true;
	memcpy(d.public_key, t->controllers[0].public_key, WG_KEY_LEN);
	d.listen_port = 51820;
	for (int i = 0; i < 3; i++) {
		struct wg_peer *p = wg_device_add_peer(&d);
		const uint8_t *key = i == 0 ? t->controllers[1].public_key :
				     t->peers[i - 1].public_key;

		memcpy(p->public_key, key, WG_KEY_LEN);
		randombytes_buf(psk[i], WG_KEY_LEN);
		memcpy(p->preshared_key, psk[i], WG_KEY_LEN);
		p->keepalive = 25;
	}

	for (int m = 0; m < 3; m++) {
		for (int named_by = 0; named_by < 2; named_by++) {
			const struct wgmesh_topology *tt = named_by ? t : NULL;
			char *text = output(&d, tt, (enum status_mode)m);
			bool ok = !shows_key(text, d.private_key);

			for (int i = 0; i < 3; i++)
				ok &= !shows_key(text, psk[i]);
			if (!ok)
				ktap_diag("%s%s shows a secret:\n%s", modes[m],
					  tt ? " --file" : "", text);
			clean &= ok;
			/* What it does show: public keys (JSON), names. */
			wgmesh_key_to_base64(d.peers[2].public_key, pub_b64);
			if (m == STATUS_JSON)
				shown &= strstr(text, pub_b64) != NULL;
			if (m == STATUS_TABLE && tt)
				named &= strstr(text, "peer2") &&
					 strstr(text, "controller2");
			free(text);
		}
	}
	ktap_ok(clean, "no private or preshared key in the table, JSON or "
		"--check output, with --file or without");
	ktap_ok(shown, "the JSON shows the members' public keys (the capture "
		"works)");
	ktap_ok(named, "the table names members from the file");
	{
		char *text = output(&d, t, STATUS_JSON);

		ktap_ok(!strstr(text, "preshared") && !strstr(text, "private"),
			"JSON has no key for preshared or private keys");
		free(text);
	}
	wg_device_free(&d);
	wgmesh_topology_free(t);
	return ktap_finish();
}
