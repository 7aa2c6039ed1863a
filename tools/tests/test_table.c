// SPDX-License-Identifier: GPL-2.0
/* Unit tests of lib/table.c: the policy routing rules of Table/FwMark. */
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <linux/rtnetlink.h>

#include "ktap.h"
#include "../lib/table.h"

#define K1 "6c477hy/3TFSFdjPkfXpsQVVDUWOrOWvxJY6DozGOhM="
#define K2 "QN4h95qrsqvf2h0nV7czkARncTITnuZIFlrE+YY10BQ="

static const char text[] =
	"[Mesh]\nName = vpn\nIPv4 = 10.128.0.0/16\n"
	"[Controller c1]\nEndpoint = 192.0.2.1\nPublicKey = " K1 "\n"
	"Table = 2000\n"
	"[Peer p1]\nPublicKey = " K2 "\nTable = 1000\nFwMark = 51820\n"
	"Subnets = 172.27.88.0/24\n";

static bool has(const struct nlrt_rule *v, size_t n, const char *want)
{
	char buf[160];

	for (size_t i = 0; i < n; i++)
		if (!strcmp(nlrt_rule_str(&v[i], buf, sizeof(buf)), want))
			return true;
	ktap_diag("no rule '%s' among:", want);
	for (size_t i = 0; i < n; i++)
		ktap_diag("  %s", nlrt_rule_str(&v[i], buf, sizeof(buf)));
	return false;
}

int main(void)
{
	char err[WGMESH_ERR_LEN] = "";
	struct wgmesh_topology *t = NULL;
	struct nlrt_prefix a[2] = { { .family = AF_INET, .len = 16 },
				    { .family = AF_INET6, .len = 56 } };
	struct nlrt_rule *want = NULL, *cw = NULL, cur[4];
	struct table_plan p;
	size_t n = 0, n_cw = 0;
	uint32_t stale[] = { RT_TABLE_MAIN, 900 };

	ktap_plan(7);
	if (wgmesh_topology_parse(text, strlen(text), "t.conf", &t, err,
				  sizeof(err)))
	{
		ktap_diag("%s", err);
		return 1;
	}
	inet_pton(AF_INET, "10.128.1.2", &a[0].addr);
	inet_pton(AF_INET6, "fd00::5", &a[1].addr);
	if (table_rules(t, &t->peers[0].owned, false, a, 2, &want, &n))
		abort();
	ktap_ok(n == 10 &&
		has(want, n, "-4 32760: from all fwmark 0xca6c lookup main "
		    "suppress_prefixlength 0") &&
		has(want, n, "-6 32761: from all fwmark 0xca6c lookup 1000") &&
		has(want, n, "-4 32761: from 10.128.1.2/32 lookup 1000") &&
		has(want, n, "-6 32760: from fd00::5/128 lookup main "
		    "suppress_prefixlength 0") &&
		has(want, n, "-4 32761: from 172.27.88.0/24 lookup 1000"),
		"a peer: fwmark, its addresses and subnets, each after a "
		"suppress rule of main");
	if (table_rules(t, &t->controllers[0].owned, true, a, 1, &cw, &n_cw))
		abort();
	ktap_ok(n_cw == 4 &&
		has(cw, n_cw, "-4 32762: from all to 10.128.0.0/16 lookup 2000") &&
		has(cw, n_cw, "-4 32761: from 10.128.1.2/32 lookup 2000"),
		"a controller without FwMark: its address, and the mesh it "
		"forwards to");
	ktap_ok(!table_plan(want, n, want, n, 1000, NULL, 0, &p) &&
		!p.n_add && !p.n_del, "all there: nothing to do");
	table_plan_free(&p);
	/* Live: one of ours gone, one of an old table, one foreign-ish. */
	cur[0] = want[0];
	cur[1] = want[1];
	cur[1].table = 900;
	cur[2] = want[0];
	cur[2].fwmark = 7;	/* a suppress rule no rule of ours pairs */
	cur[3] = want[3];
	ktap_ok(!table_plan(cur, 4, want, n, 1000, stale, 2, &p) &&
		p.n_add == 8 && p.n_del == 1 && p.del[0] == 1,
		"missing rules added, the stale table's deleted, an unpaired "
		"suppress rule left alone");
	table_plan_free(&p);
	cur[0] = want[0];
	cur[1] = want[1];
	ktap_ok(!table_plan(cur, 2, NULL, 0, 0, stale + 1, 1, &p) &&
		p.n_del == 0, "down of table 900: 1000's rules stay");
	table_plan_free(&p);
	ktap_ok(!table_plan(cur, 2, NULL, 0, 0, (uint32_t[]){ 1000 }, 1, &p) &&
		p.n_del == 2, "down of table 1000: its lookup and the suppress "
		"rule paired with it");
	table_plan_free(&p);
	free(want);
	free(cw);
	t->controllers[0].owned.table = 0;
	ktap_ok(!table_rules(t, &t->controllers[0].owned, true, a, 2, &want,
			     &n) && !n && !want, "no Table: no rules");
	wgmesh_topology_free(t);
	return ktap_finish();
}
