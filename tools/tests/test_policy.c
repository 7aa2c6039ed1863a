// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of lib/policy.c: "wgmesh reach" answers as wgmesh.ko decides
 * (a controller's ::1 always answers, what a controller sends is not
 * policed, isolation, default allow and deny, pairs both ways, the first
 * rule named), and "wgmesh check" warns about exactly the rules that
 * cannot have an effect.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#include "lib/policy.h"
#include "ktap.h"

#define KEY(c) "PublicKey = " c "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n"

static const char mesh[] =
	"[Mesh]\nName = vpn\n"
	"[Controller c1]\nEndpoint = 192.0.2.1\n" KEY("A") "Groups = hubs\n"
	"[Controller c2]\nEndpoint = 192.0.2.2\n" KEY("B") "Groups = hubs\n"
	"[Peer admin]\nController = c1\n" KEY("C") "Groups = admins\n"
	"[Peer dev1]\nController = c1\n" KEY("D") "Groups = devs\n"
	"[Peer dev2]\nController = c2\n" KEY("E") "Groups = devs, lab\n"
	"[Peer cam]\nController = c2\n" KEY("F") "Groups = lab\nIsolated = true\n"
	"[Peer solo]\nController = c2\n" KEY("G") "Groups = solo\n"
	"[Policy]\nDefault = deny\n"
	"Allow = admins <-> hubs\n"	/* line 34: controllers only */
	"Allow = devs <-> admins\n"	/* 35 */
	"Allow = lab <-> devs\n"	/* 36 */
	"Allow = admins <-> devs\n"	/* 37: same as 35 */
	"Allow = solo <-> solo\n";	/* 38: one peer */

static struct wgmesh_topology *load(const char *text)
{
	struct wgmesh_topology *t;
	char err[512];

	if (wgmesh_topology_parse(text, strlen(text), "m.conf", &t, err,
				  sizeof(err))) {
		printf("Bail out! %s\n", err);
		exit(1);
	}
	return t;
}

/* reach A B gives @allowed for @why, and its explanation has @words. */
static void reach(const struct wgmesh_topology *t, const char *a,
		  const char *b, bool allowed, enum policy_why why,
		  const char *words)
{
	struct policy_verdict v;
	char buf[1024] = "";
	bool ok = !policy_reach(t, a, b, &v) && v.allowed == allowed &&
		  v.why == why;

	if (ok)
		policy_explain(t, a, b, &v, buf, sizeof(buf));
	ok = ok && strstr(buf, words) &&
	     !strncmp(buf, allowed ? "allowed: " : "denied: ",
		      allowed ? 9 : 8);
	if (!ok)
		ktap_diag("got %d/%d: %s", v.allowed, v.why, buf);
	ktap_ok(ok, "%s -> %s: %s", a, b, words);
}

struct lint {
	unsigned int lines[16];
	char text[16][512];
	size_t n;
};

static void collect(void *ctx, unsigned int line, const char *msg)
{
	struct lint *l = ctx;

	if (l->n < 16) {
		l->lines[l->n] = line;
		snprintf(l->text[l->n], sizeof(l->text[0]), "%s", msg);
	}
	l->n++;
}

int main(void)
{
	struct wgmesh_topology *t;
	struct policy_verdict v;
	struct lint l = { 0 };

	if (sodium_init() < 0)
		return 1;
	ktap_plan(22);
	t = load(mesh);
	reach(t, "dev1", "dev1", true, POLICY_SELF, "same machine");
	reach(t, "cam", "c2", true, POLICY_TO_CONTROLLER,
	      "c2 is a controller, whose ::1 is always reachable");
	reach(t, "solo", "c1", true, POLICY_TO_CONTROLLER, "never policed");
	reach(t, "c1", "c2", true, POLICY_TO_CONTROLLER, "c2 is a controller");
	reach(t, "c1", "solo", true, POLICY_FROM_CONTROLLER,
	      "c1 is a controller: it reaches every peer directly");
	reach(t, "dev2", "cam", false, POLICY_ISOLATED, "cam is isolated");
	reach(t, "cam", "dev2", false, POLICY_ISOLATED, "cam is isolated");
	reach(t, "admin", "dev1", true, POLICY_ALLOW,
	      "Allow = devs <-> admins (m.conf:35)");
	reach(t, "dev1", "admin", true, POLICY_ALLOW,
	      "Allow = devs <-> admins (m.conf:35)");
	reach(t, "dev1", "dev2", true, POLICY_ALLOW,
	      "Allow = lab <-> devs (m.conf:36)");
	reach(t, "dev1", "solo", false, POLICY_DEFAULT_DENY,
	      "no Allow pairs a group of dev1 (devs) with one of solo (solo)");
	reach(t, "solo", "admin", false, POLICY_DEFAULT_DENY,
	      "solo (solo) with one of admin (admins)");
	ktap_ok(policy_reach(t, "dev1", "nobody", &v) == -1 &&
		policy_reach(t, "nobody", "c1", &v) == -1,
		"reach: an unknown machine is an error");

	policy_lint(t, collect, &l);
	ktap_ok(l.n == 3, "lint: three rules without effect (got %zu)", l.n);
	ktap_ok(l.lines[0] == 34 && strstr(l.text[0], "Allow = admins <-> hubs "
		"has no effect: group hubs has no peers, only controllers"),
		"lint: a controller-only group (line 34)");
	ktap_ok(l.lines[1] == 37 && strstr(l.text[1], "the same pair as line 35"),
		"lint: a repeated pair, either way round (line 37)");
	ktap_ok(l.lines[2] == 38 && strstr(l.text[2], "its only peer on both "
		"sides is solo"), "lint: a group of one peer with itself (line 38)");
	wgmesh_topology_free(t);

	/* Only isolated peers on one side; and Default = allow. */
	t = load("[Mesh]\nName = v\n[Controller c]\nEndpoint = h\n" KEY("A")
		 "[Peer p]\n" KEY("B") "Groups = g\nIsolated = true\n"
		 "[Peer q]\n" KEY("C") "Groups = h\n"
		 "[Policy]\nDefault = deny\nAllow = g <-> h\n");
	memset(&l, 0, sizeof(l));
	policy_lint(t, collect, &l);
	ktap_ok(l.n == 1 && strstr(l.text[0], "the peers of group g are all "
		"isolated"), "lint: a group of isolated peers");
	wgmesh_topology_free(t);
	t = load("[Mesh]\nName = v\n[Controller c]\nEndpoint = h\n" KEY("A")
		 "[Peer p]\n" KEY("B") "Groups = g\n[Peer q]\n" KEY("C")
		 "Groups = h\n[Policy]\nDefault = allow\nAllow = g <-> h\n");
	memset(&l, 0, sizeof(l));
	policy_lint(t, collect, &l);
	ktap_ok(l.n == 1 && strstr(l.text[0], "with Default = allow"),
		"lint: any rule under Default = allow");
	reach(t, "p", "q", true, POLICY_DEFAULT_ALLOW, "Default = allow");
	wgmesh_topology_free(t);
	t = load("[Mesh]\nName = v\n[Controller c]\nEndpoint = h\n" KEY("A")
		 "[Peer p]\n" KEY("B") "Groups = g\n[Peer q]\n" KEY("C")
		 "Groups = g\n[Policy]\nDefault = deny\nAllow = g <-> g\n");
	memset(&l, 0, sizeof(l));
	ktap_ok(!policy_lint(t, collect, &l) && !l.n,
		"lint: a group of two peers with itself is fine");
	wgmesh_topology_free(t);
	t = load("[Mesh]\nName = v\n[Controller c]\nEndpoint = h\n" KEY("A")
		 "[Peer p]\n" KEY("B") "[Peer q]\n" KEY("C"));
	reach(t, "p", "q", true, POLICY_NO_POLICY, "no [Policy]");
	wgmesh_topology_free(t);
	return ktap_finish();
}
