// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of lib/firewall.c without nftables: the ruleset as
 * "nft -a list ruleset" prints it, the batches planned from it, and the
 * detection of ufw and firewalld under a fake root.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/firewall.h"
#include "ktap.h"

/* Debian's /etc/nftables.conf shape, plus a set and an ip6 table. */
static const char debian[] =
	"table inet filter { # handle 1\n"
	"\tset blocked { # handle 4\n"
	"\t\ttype ipv4_addr\n"
	"\t\telements = { 192.0.2.1,\n"
	"\t\t\t     192.0.2.2 }\n"
	"\t}\n"
	"\n"
	"\tchain input { # handle 1\n"
	"\t\ttype filter hook input priority filter; policy drop;\n"
	"\t\tiif \"lo\" accept # handle 5\n"
	"\t\tct state established,related accept # handle 6\n"
	"\t\tip saddr { 198.51.100.1, 198.51.100.2 } drop comment \"a { b\" # handle 7\n"
	"\t}\n"
	"\n"
	"\tchain forward { # handle 2\n"
	"\t\ttype filter hook forward priority filter; policy drop;\n"
	"\t}\n"
	"\tchain helper { # handle 3\n"
	"\t\tudp dport 53 accept # handle 8\n"
	"\t}\n"
	"}\n"
	"table ip6 open { # handle 2\n"
	"\tchain input { # handle 1\n"
	"\t\ttype filter hook input priority 0; policy accept;\n"
	"\t}\n"
	"}\n"
	"table netdev edge { # handle 3\n"
	"\tchain in { # handle 1\n"
	"\t\ttype filter hook ingress device \"eth0\" priority 0; policy drop;\n"
	"\t}\n"
	"}\n";

/* The same after "up" for mesh vpn, port 51820 (and mesh "vpn2"). */
static const char opened[] =
	"table inet filter { # handle 1\n"
	"\tchain input { # handle 1\n"
	"\t\ttype filter hook input priority filter; policy drop;\n"
	"\t\tudp dport 51820 accept comment \"wgmesh:vpn\" # handle 9\n"
	"\t\tudp dport 51821 accept comment \"wgmesh:vpn2\" # handle 10\n"
	"\t\tiif \"lo\" accept # handle 5\n"
	"\t}\n"
	"}\n"
	"table inet wgmesh { # handle 7\n"
	"\tchain input-vpn { # handle 1\n"
	"\t\ttype filter hook input priority filter - 1; policy accept;\n"
	"\t\tudp dport 51820 accept comment \"wgmesh:vpn\" # handle 2\n"
	"\t}\n"
	"}\n";

static bool batch_is(char *batch, const char *want)
{
	bool ok = want ? batch && !strcmp(batch, want) : !batch;

	if (!ok) {
		ktap_diag("got:\n%s", batch ? batch : "(nothing)");
		ktap_diag("want:\n%s", want ? want : "(nothing)");
	}
	free(batch);
	return ok;
}

static void parse(void)
{
	struct fw_ruleset rs;
	const struct fw_chain *in;

	if (fw_ruleset_parse(debian, &rs))
		abort();
	ktap_ok(rs.n_tables == 3 && !strcmp(rs.tables[0].family, "inet") &&
		!strcmp(rs.tables[0].name, "filter") &&
		rs.tables[0].n_objects == 4 &&
		!strcmp(rs.tables[1].family, "ip6") &&
		!strcmp(rs.tables[2].family, "netdev"),
		"tables with their families and objects (a multi-line set too)");
	in = &rs.chains[0];
	ktap_ok(rs.n_chains == 5 && !strcmp(in->name, "input") && in->base &&
		!strcmp(in->hook, "input") && in->policy_drop &&
		in->n_rules == 3 && in->rules[1].handle == 6 &&
		!strcmp(in->rules[2].text, "ip saddr { 198.51.100.1, "
			"198.51.100.2 } drop comment \"a { b\""),
		"a base chain: hook, policy, rules with handles (braces in "
		"rules and quotes kept)");
	ktap_ok(!strcmp(rs.chains[1].hook, "forward") &&
		!rs.chains[2].base && rs.chains[2].n_rules == 1 &&
		!rs.chains[3].policy_drop && rs.chains[4].policy_drop &&
		!strcmp(rs.chains[4].hook, "ingress"),
		"regular chains, policy accept, netdev ingress");
	fw_ruleset_free(&rs);

	/* Names go back into batches run as root: only nft's own kind. */
	if (fw_ruleset_parse("table ip t { # handle 1\n"
			     "\tchain x;flush { # handle 1\n"
			     "\t\ttype filter hook input priority 0; "
			     "policy drop;\n"
			     "\t\tudp dport 1 accept # handle 2\n"
			     "\t}\n"
			     "\tchain ok { # handle 3\n"
			     "\t}\n"
			     "}\n", &rs))
		abort();
	ktap_ok(rs.n_chains == 1 && !strcmp(rs.chains[0].name, "ok") &&
		rs.chains[0].n_rules == 0 && rs.tables[0].n_objects == 2,
		"a chain whose name is no nft identifier is left out, its "
		"rules too");
	fw_ruleset_free(&rs);
}

static void plans(void)
{
	struct fw_rules vpn = { .owner = "vpn", .udp_ports = { 51820 },
				.n_udp_ports = 1 };
	struct fw_rules moved = vpn, none = { .owner = "vpn" };
	struct fw_ruleset rs;
	size_t n_foreign = 9;
	char *batch;

	if (fw_ruleset_parse(debian, &rs))
		abort();
	ktap_ok(!fw_plan_apply(&rs, &vpn, &batch, &n_foreign) &&
		n_foreign == 1 && batch_is(batch,
		"add table inet wgmesh\n"
		"add chain inet wgmesh input-vpn { type filter hook input "
		"priority filter - 1; policy accept; }\n"
		"add rule inet wgmesh input-vpn udp dport 51820 accept "
		"comment \"wgmesh:vpn\"\n"
		"insert rule inet filter input udp dport 51820 accept "
		"comment \"wgmesh:vpn\"\n"),
		"up: our table and chain, and the rule at the top of the one "
		"input chain that drops by default (not ip6 open, not netdev)");
	ktap_ok(!fw_plan_remove(&rs, "vpn", &batch) && batch_is(batch, NULL),
		"down with nothing of ours: nothing to do");
	fw_ruleset_free(&rs);

	if (fw_ruleset_parse(opened, &rs))
		abort();
	ktap_ok(!fw_plan_apply(&rs, &vpn, &batch, &n_foreign) &&
		n_foreign == 1 && batch_is(batch, NULL),
		"up again: nothing to do (no duplicate rule)");
	moved.udp_ports[0] = 51830;
	ktap_ok(!fw_plan_apply(&rs, &moved, &batch, &n_foreign) &&
		batch_is(batch,
		"flush chain inet wgmesh input-vpn\n"
		"add rule inet wgmesh input-vpn udp dport 51830 accept "
		"comment \"wgmesh:vpn\"\n"
		"delete rule inet filter input handle 9\n"
		"insert rule inet filter input udp dport 51830 accept "
		"comment \"wgmesh:vpn\"\n"),
		"a new port replaces the old one in both, in one batch");
	ktap_ok(!fw_plan_remove(&rs, "vpn", &batch) && batch_is(batch,
		"delete table inet wgmesh\n"
		"delete rule inet filter input handle 9\n"),
		"down: our table (only our chain in it) and exactly our rule "
		"(not vpn2's)");
	ktap_ok(!fw_plan_apply(&rs, &none, &batch, &n_foreign) &&
		batch_is(batch, "delete table inet wgmesh\n"
			 "delete rule inet filter input handle 9\n"),
		"no port (a peer): the same as down");
	ktap_ok(!fw_plan_remove(&rs, "vpn2", &batch) && batch_is(batch,
		"delete rule inet filter input handle 10\n"),
		"down of mesh vpn2: its rule only, the table stays");
	fw_ruleset_free(&rs);
}

/* An exit gateway's chains: forward and masquerade, for its users. */
static void exit_plans(void)
{
	static const uint32_t users[] = { 0x0a800001, 0x0a800002 };
	struct fw_rules x = { .owner = "vpn", .exit = {
		.mesh_if = "vpn", .uplink = "eth0", .users = users,
		.n_users = 2 } };
	struct fw_ruleset rs;
	size_t n_foreign = 9;
	char *batch;

	if (fw_ruleset_parse("", &rs))
		abort();
	ktap_ok(!fw_plan_apply(&rs, &x, &batch, &n_foreign) &&
		n_foreign == 0 && batch_is(batch,
		"add table inet wgmesh\n"
		"add chain inet wgmesh forward-vpn { type filter hook forward "
		"priority filter - 1; policy accept; }\n"
		"add rule inet wgmesh forward-vpn iifname \"vpn\" oifname "
		"\"eth0\" ip saddr 10.128.0.1 accept\n"
		"add rule inet wgmesh forward-vpn iifname \"vpn\" oifname "
		"\"eth0\" ip saddr 10.128.0.2 accept\n"
		"add rule inet wgmesh forward-vpn iifname \"eth0\" oifname "
		"\"vpn\" ct state established,related accept\n"
		"add rule inet wgmesh forward-vpn iifname \"vpn\" oifname "
		"\"eth0\" drop\n"
		"add rule inet wgmesh forward-vpn iifname \"eth0\" oifname "
		"\"vpn\" drop\n"
		"add chain inet wgmesh postrouting-vpn { type nat hook "
		"postrouting priority srcnat; policy accept; }\n"
		"add rule inet wgmesh postrouting-vpn oifname \"eth0\" ip "
		"saddr 10.128.0.1 masquerade\n"
		"add rule inet wgmesh postrouting-vpn oifname \"eth0\" ip "
		"saddr 10.128.0.2 masquerade\n"),
		"an exit without a port: forward and masquerade chains only");
	fw_ruleset_free(&rs);
	if (fw_ruleset_parse(
		"table inet wgmesh { # handle 7\n"
		"\tchain forward-vpn { # handle 1\n"
		"\t\ttype filter hook forward priority filter - 1; "
		"policy accept;\n"
		"\t\tiifname \"vpn\" oifname \"eth0\" ip saddr 10.128.0.1 "
		"accept # handle 2\n"
		"\t}\n"
		"\tchain postrouting-vpn { # handle 3\n"
		"\t\ttype nat hook postrouting priority srcnat; policy "
		"accept;\n"
		"\t\toifname \"eth0\" ip saddr 10.128.0.1 masquerade "
		"# handle 4\n"
		"\t}\n"
		"}\n", &rs))
		abort();
	ktap_ok(!fw_plan_remove(&rs, "vpn", &batch) &&
		batch_is(batch, "delete table inet wgmesh\n"),
		"down: the table, when our exit chains are all it holds");
	x.exit.n_users = 0;
	ktap_ok(!fw_plan_apply(&rs, &x, &batch, &n_foreign) &&
		batch_is(batch, "delete table inet wgmesh\n"),
		"no users left: the same as down");
	fw_ruleset_free(&rs);
	ktap_ok(fw_plain_ifname("eth0") && fw_plain_ifname("br-lan.10") &&
		!fw_plain_ifname("a\"b") && !fw_plain_ifname("") &&
		!fw_plain_ifname("a234567890123456"),
		"interface names go into rules only when plain");
}

/* Table/FwMark: restore, mark exec's cgroup, save, masquerade; idempotent. */
static void mark_plans(void)
{
	struct fw_rules x = { .owner = "vpn", .mark = {
		.mesh_if = "vpn", .mark = 0xca6c, .cgroup = "wgmesh/net-1/vpn",
		.cgroup_level = 3, .v4_range = "10.128.0.0/16",
		.v6_range = "fd7a:a5ae:d0::/40" } };
	static const char listed[] =
		"table inet wgmesh { # handle 1\n"
		"\tchain postrouting-vpn { # handle 3\n"
		"\t\ttype nat hook postrouting priority srcnat; policy accept;\n"
		"\t\toifname \"vpn\" meta mark 0x0000ca6c ip saddr != "
		"10.128.0.0/16 masquerade # handle 7\n"
		"\t\toifname \"vpn\" meta mark 0x0000ca6c ip6 saddr != "
		"fd7a:a5ae:d0::/40 masquerade # handle 8\n"
		"\t}\n"
		"\tchain prerouting-vpn { # handle 1\n"
		"\t\ttype filter hook prerouting priority mangle; policy "
		"accept;\n"
		"\t\tct mark 0x0000ca6c meta mark set ct mark # handle 4\n"
		"\t}\n"
		"\tchain output-vpn { # handle 2\n"
		"\t\ttype route hook output priority mangle; policy accept;\n"
		"\t\tct mark 0x0000ca6c meta mark set ct mark # handle 9\n"
		"\t\tct state new socket cgroupv2 level 3 \"wgmesh/net-1/vpn\" "
		"meta mark set 0x0000ca6c # handle 5\n"
		"\t\tmeta mark 0x0000ca6c ct mark set meta mark # handle 6\n"
		"\t}\n"
		"}\n";
	struct fw_ruleset rs;
	size_t n_foreign = 9;
	char *batch;

	if (fw_ruleset_parse("", &rs))
		abort();
	ktap_ok(!fw_plan_apply(&rs, &x, &batch, &n_foreign) &&
		batch_is(batch,
		"add table inet wgmesh\n"
		"add chain inet wgmesh postrouting-vpn { type nat hook "
		"postrouting priority srcnat; policy accept; }\n"
		"add rule inet wgmesh postrouting-vpn oifname \"vpn\" meta mark "
		"0x0000ca6c ip saddr != 10.128.0.0/16 masquerade\n"
		"add rule inet wgmesh postrouting-vpn oifname \"vpn\" meta mark "
		"0x0000ca6c ip6 saddr != fd7a:a5ae:d0::/40 masquerade\n"
		"add chain inet wgmesh prerouting-vpn { type filter hook "
		"prerouting priority mangle; policy accept; }\n"
		"add rule inet wgmesh prerouting-vpn ct mark 0x0000ca6c meta "
		"mark set ct mark\n"
		"add chain inet wgmesh output-vpn { type route hook output "
		"priority mangle; policy accept; }\n"
		"add rule inet wgmesh output-vpn ct mark 0x0000ca6c meta mark "
		"set ct mark\n"
		"add rule inet wgmesh output-vpn ct state new socket cgroupv2 "
		"level 3 \"wgmesh/net-1/vpn\" meta mark set 0x0000ca6c\n"
		"add rule inet wgmesh output-vpn meta mark 0x0000ca6c ct mark "
		"set meta mark\n"),
		"Table/FwMark: mark restore, exec's cgroup, save, masquerade");
	fw_ruleset_free(&rs);
	if (fw_ruleset_parse(listed, &rs))
		abort();
	ktap_ok(!fw_plan_apply(&rs, &x, &batch, &n_foreign) && !batch,
		"Table/FwMark: as nft lists them, nothing to do");
	ktap_ok(!fw_plan_remove(&rs, "vpn", &batch) &&
		batch_is(batch, "delete table inet wgmesh\n"),
		"Table/FwMark: down deletes the table they were all of");
	fw_ruleset_free(&rs);
}

static void put(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (!f)
		abort();
	fputs(text, f);
	fclose(f);
}

static void detect(void)
{
	char root[] = "/tmp/wgmesh-fw-XXXXXX", p[128], hint[256];

	if (!mkdtemp(root))
		abort();
	ktap_ok(fw_detect(root) == FW_MANAGER_NONE,
		"an empty root: no ufw, no firewalld");
	snprintf(p, sizeof(p), "%s/etc", root);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/etc/ufw", root);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/etc/ufw/ufw.conf", root);
	put(p, "# /etc/ufw/ufw.conf\nENABLED=no\nLOGLEVEL=low\n");
	ktap_ok(fw_detect(root) == FW_MANAGER_NONE, "ufw installed, not "
		"enabled: none");
	put(p, "# ENABLED=yes in a comment\nENABLED=yes\nLOGLEVEL=low\n");
	ktap_ok(fw_detect(root) == FW_MANAGER_UFW, "ENABLED=yes: ufw");
	fw_hint(FW_MANAGER_UFW, 51820, hint, sizeof(hint));
	ktap_ok(strstr(hint, "'ufw allow 51820/udp'") && !strchr(hint, '\n'),
		"its hint, one line: %s", hint);
	put(p, "ENABLED=\"yes\"\n");
	ktap_ok(fw_detect(root) == FW_MANAGER_UFW, "quoted: ufw too");
	unlink(p);
	snprintf(p, sizeof(p), "%s/run", root);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/run/firewalld", root);
	mkdir(p, 0755);
	ktap_ok(fw_detect(root) == FW_MANAGER_FIREWALLD,
		"/run/firewalld: firewalld");
	fw_hint(FW_MANAGER_FIREWALLD, 51821, hint, sizeof(hint));
	ktap_ok(strstr(hint, "'firewall-cmd --add-port=51821/udp --permanent "
		       "&& firewall-cmd --reload'") && !strchr(hint, '\n'),
		"its hint, one line: %s", hint);
	rmdir(p);
	snprintf(p, sizeof(p), "%s/run", root);
	rmdir(p);
	snprintf(p, sizeof(p), "%s/etc/ufw", root);
	rmdir(p);
	snprintf(p, sizeof(p), "%s/etc", root);
	rmdir(p);
	rmdir(root);
}

int main(void)
{
	char name[64];

	ktap_plan(4 + 7 + 4 + 3 + 7 + 1);
	parse();
	plans();
	exit_plans();
	mark_plans();
	detect();
	fw_chain_name("0mesh", name, sizeof(name));
	ktap_ok(!strcmp(name, "input-0mesh"),
		"chain names start with a letter, as nft wants: %s", name);
	return ktap_finish();
}
