// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of lib/health.c: the problems "wgmesh status" lists and
 * "status --check" exits 2 for.
 */
#include <stdio.h>
#include <string.h>

#include "lib/health.h"
#include "ktap.h"

/* Does @h hold exactly the codes @want (comma-separated, in order)? */
static bool codes(const struct health *h, const char *want)
{
	char got[256] = "";

	for (size_t i = 0; i < h->n; i++)
		snprintf(got + strlen(got), sizeof(got) - strlen(got), "%s%s",
			 i ? "," : "", h->v[i].code);
	if (strcmp(got, want))
		ktap_diag("codes: '%s', want '%s'", got, want);
	return !strcmp(got, want);
}

int main(void)
{
	struct health_input in = { 0 };
	struct health h;

	ktap_plan(6);
	in.role_known = in.controller = in.module_loaded = true;
	in.attached = in.has_topology = true;
	health_interface(&in, &h);
	ktap_ok(codes(&h, ""), "a controller with its topology: healthy");
	in.attached = false;
	health_interface(&in, &h);
	ktap_ok(codes(&h, "module_not_attached") &&
		strstr(h.v[0].message, "controller without wgmesh.ko attached"),
		"a controller without the module attached");
	in.module_loaded = false;
	health_interface(&in, &h);
	ktap_ok(codes(&h, "module_not_loaded"), "a controller, module unloaded");
	in.controller = false;
	health_interface(&in, &h);
	ktap_ok(codes(&h, ""), "a peer needs no module");
	in = (struct health_input){ .role_known = true, .controller = true,
				    .module_loaded = true, .attached = true,
				    .not_in_file = true };
	health_interface(&in, &h);
	health_no_endpoint(&h, "ctrl2");
	ktap_ok(codes(&h, "not_in_file,no_topology,no_endpoint") &&
		strstr(h.v[2].message, "controller ctrl2 has no endpoint"),
		"not in the file, no topology, a controller without endpoint");
	for (int i = 0; i < HEALTH_MAX + 3; i++)
		health_no_endpoint(&h, "x");
	ktap_ok(h.n == HEALTH_MAX && h.more == 6, "beyond %d, problems are "
		"counted", HEALTH_MAX);
	return ktap_finish();
}
