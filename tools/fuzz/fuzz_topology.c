// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness over the topology parser. Every input must either be
 * rejected with one "FILE..." line, or give a topology whose hosts lines
 * and conf of every machine can be generated; the sanitizers catch the
 * rest (make -C tools fuzz).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "lib/hosts.h"
#include "lib/topology.h"
#include "lib/wgquick.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return sodium_init() < 0;
}

static void render(const struct wgmesh_topology *t, const char *machine)
{
	struct wgquick_opts o = { .private_key_file = "/k" };
	struct wgmesh_topology u = *t;
	char err[WGMESH_ERR_LEN], *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	if (!f)
		abort();
	/* Preshared keys go out only embedded, which needs key files. */
	if (t->psk_file) {
		if (!wgquick_write(f, t, machine, &o, err, sizeof(err)) ||
		    !strstr(err, "--embed-private-key"))
			abort();
		u.psk_file = NULL;
	}
	if (wgquick_write(f, &u, machine, &o, err, sizeof(err)))
		abort();	/* every parsed machine must render */
	fclose(f);
	free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct wgmesh_topology *t;
	char err[WGMESH_ERR_LEN];
	char *hosts;

	err[0] = '\0';
	if (wgmesh_topology_parse((const char *)data, size, "fuzz.conf", &t,
				  err, sizeof(err))) {
		/* A rejection names the file and is a single line. */
		if (strncmp(err, "fuzz.conf:", 10) || strchr(err, '\n'))
			abort();
		return 0;
	}
	if (!t->n_controllers || t->n_groups > 64)
		abort();
	for (size_t i = 0; i < t->n_peers; i++)
		if (t->peers[i].controller >= t->n_controllers)
			abort();
	hosts = hosts_text(t);
	if (!hosts)
		abort();
	free(hosts);
	for (size_t i = 0; i < t->n_controllers; i++)
		render(t, t->controllers[i].name);
	for (size_t i = 0; i < t->n_peers; i++)
		render(t, t->peers[i].name);
	wgmesh_topology_free(t);
	return 0;
}
