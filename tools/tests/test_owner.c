// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of lib/owner.c: whose interface it is, from its alias
 * (wgmesh:<mesh>) and, without one, wgmesh's routes.
 */
#include <string.h>

#include "lib/owner.h"
#include "ktap.h"

int main(void)
{
	char alias[256];

	ktap_plan(6);
	owner_alias("wg-test-one", alias, sizeof(alias));
	ktap_ok(!strcmp(alias, "wgmesh:wg-test-one"), "the mark: wgmesh:<mesh>");
	ktap_ok(owner_mesh(alias) && !strcmp(owner_mesh(alias), "wg-test-one") &&
		!owner_mesh("wgmesh:") && !owner_mesh("wg-quick") &&
		!owner_mesh(""), "the mesh a mark names, none otherwise");
	ktap_ok(owner_of(alias, "wg-test-one", false) == OWNER_THIS,
		"marked for this mesh: ours");
	ktap_ok(owner_of(alias, "other", true) == OWNER_OTHER_MESH,
		"marked for another mesh: not ours, routes or not");
	ktap_ok(owner_of("", "m", false) == OWNER_FOREIGN &&
		owner_of("uplink to the office", "m", true) == OWNER_FOREIGN,
		"no mark, or someone else's alias: foreign");
	ktap_ok(owner_of("", "m", true) == OWNER_LEGACY,
		"no alias but wgmesh's routes: made by an earlier wgmesh");
	return ktap_finish();
}
