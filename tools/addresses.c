// SPDX-License-Identifier: GPL-2.0
/* "wgmesh addresses": every machine's addresses and owned prefixes. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "lib/addr.h"
#include "lib/topology.h"

static void json_groups(const struct wgmesh_topology *t, uint64_t bits)
{
	bool first = true;

	for (size_t g = 0; g < t->n_groups; g++) {
		if (!(bits & 1ull << g))
			continue;
		if (!first)
			putchar(',');
		cli_json_str(t->groups[g]);
		first = false;
	}
}

/* The address and owned prefix of machine @i in controller @c's subnet. */
static void machine_addr(const struct wgmesh_topology *t, size_t i, size_t c,
			 char *addr, char *prefix)
{
	const char *cname = t->controllers[c].name;
	struct in6_addr a;

	if (i < t->n_controllers) {
		wgmesh_controller_addr(t->name, cname, &a);
		wgmesh_addr_str(&a, addr);
		wgmesh_controller_subnet(t->name, cname, &a);
		wgmesh_prefix_str(&a, WGMESH_SUBNET_PLEN, prefix);
	} else {
		const char *pname = t->peers[i - t->n_controllers].name;

		wgmesh_peer_addr(t->name, cname, pname, &a);
		wgmesh_addr_str(&a, addr);
		wgmesh_peer_prefix(t->name, cname, pname, &a);
		wgmesh_prefix_str(&a, WGMESH_PEER_PLEN, prefix);
	}
}

/* ,"ipv4":...,"subnets":[...] of machine @i. */
static void json_owned(const struct wgmesh_topology *t, size_t i)
{
	const struct wgmesh_owned *o = wgmesh_machine_owned(t, i);
	char buf[WGMESH_PREFIX_STRLEN];

	if (t->ipv4_len)
		printf(",\"ipv4\":\"%s\"", wgmesh_ipv4_str(o->ipv4, buf));
	else
		printf(",\"ipv4\":null");
	printf(",\"home\":");
	cli_json_str(t->controllers[wgmesh_machine_home(t, i)].name);
	printf(",\"subnets\":[");
	for (size_t j = 0; j < o->n_subnets; j++)
		printf("%s\"%s\"", j ? "," : "",
		       wgmesh_subnet_str(&o->subnets[j], buf));
	putchar(']');
}

static bool has_owned(const struct wgmesh_topology *t)
{
	if (t->ipv4_len)
		return true;
	for (size_t i = 0; i < t->n_controllers + t->n_peers; i++)
		if (wgmesh_machine_owned(t, i)->n_subnets)
			return true;
	return false;
}

/* IPv4 addresses and subnets, and where they are homed. */
static void print_owned(const struct wgmesh_topology *t, int wn)
{
	char buf[WGMESH_PREFIX_STRLEN];
	int wh = (int)strlen("HOME");

	if (!has_owned(t))
		return;
	for (size_t i = 0; i < t->n_controllers; i++) {
		int n = (int)strlen(t->controllers[i].name);

		wh = n > wh ? n : wh;
	}
	if (t->ipv4_len)
		printf("\n# IPv4 %s/%u; IPv4 and subnets travel through HOME\n",
		       wgmesh_ipv4_str(t->ipv4_prefix, buf), t->ipv4_len);
	else
		printf("\n# subnets travel through HOME\n");
	printf("%-*s  %-15s  %-*s  %s\n", wn, "NAME", "IPV4", wh, "HOME",
	       "SUBNETS");
	for (size_t i = 0; i < t->n_controllers + t->n_peers; i++) {
		const struct wgmesh_owned *o = wgmesh_machine_owned(t, i);

		printf("%-*s  %-15s  %-*s  ", wn, wgmesh_machine_name(t, i),
		       t->ipv4_len ? wgmesh_ipv4_str(o->ipv4, buf) : "-", wh,
		       t->controllers[wgmesh_machine_home(t, i)].name);
		for (size_t j = 0; j < o->n_subnets; j++)
			printf("%s%s", j ? "," : "",
			       wgmesh_subnet_str(&o->subnets[j], buf));
		printf("%s\n", o->n_subnets ? "" : "-");
	}
}

static void print_json(const struct wgmesh_topology *t)
{
	char addr[INET6_ADDRSTRLEN], prefix[WGMESH_PREFIX_STRLEN];
	struct in6_addr mesh;

	wgmesh_mesh_prefix(t->name, &mesh);
	printf("{\"mesh\":");
	cli_json_str(t->name);
	printf(",\"prefix\":\"%s\",\"domain\":",
	       wgmesh_prefix_str(&mesh, WGMESH_MESH_PLEN, prefix));
	cli_json_str(t->domain);
	printf(",\"interface\":");
	cli_json_str(t->interface);
	if (t->ipv4_len)
		printf(",\"ipv4\":\"%s/%u\"",
		       wgmesh_ipv4_str(t->ipv4_prefix, addr), t->ipv4_len);
	else
		printf(",\"ipv4\":null");
	printf(",\"machines\":[");
	for (size_t i = 0; i < t->n_controllers + t->n_peers; i++) {
		bool ctrl = i < t->n_controllers;
		size_t own = ctrl ? i : t->peers[i - t->n_controllers].controller;

		printf("%s{\"name\":", i ? "," : "");
		cli_json_str(ctrl ? t->controllers[i].name :
			 t->peers[i - t->n_controllers].name);
		printf(",\"role\":\"%s\",\"controller\":",
		       ctrl ? "controller" : "peer");
		cli_json_str(t->controllers[own].name);
		machine_addr(t, i, own, addr, prefix);
		printf(",\"address\":\"%s\",\"addresses\":[", addr);
		for (size_t c = 0; c < (ctrl ? 1 : t->n_controllers); c++) {
			size_t cc = ctrl ? i : c;

			machine_addr(t, i, cc, addr, prefix);
			printf("%s{\"controller\":", c ? "," : "");
			cli_json_str(t->controllers[cc].name);
			printf(",\"address\":\"%s\",\"prefix\":\"%s\"}", addr,
			       prefix);
		}
		printf("],\"groups\":[");
		json_groups(t, ctrl ? t->controllers[i].groups :
			    t->peers[i - t->n_controllers].groups);
		printf("],\"isolated\":%s", !ctrl &&
		       t->peers[i - t->n_controllers].isolated ? "true" :
		       "false");
		json_owned(t, i);
		putchar('}');
	}
	printf("],\"policy\":{\"default\":\"%s\",\"allow\":[",
	       t->policy.default_allow ? "allow" : "deny");
	for (size_t i = 0; i < t->policy.n_allow; i++) {
		printf("%s[", i ? "," : "");
		cli_json_str(t->groups[t->policy.allow[i].a]);
		putchar(',');
		cli_json_str(t->groups[t->policy.allow[i].b]);
		putchar(']');
	}
	printf("]}}\n");
}

static void print_table(const struct wgmesh_topology *t)
{
	char addr[INET6_ADDRSTRLEN], prefix[WGMESH_PREFIX_STRLEN];
	int wn = (int)strlen("NAME"), wc = (int)strlen("SUBNET");
	struct in6_addr mesh;

	for (size_t i = 0; i < t->n_controllers; i++) {
		int n = (int)strlen(t->controllers[i].name);

		wn = n > wn ? n : wn;
		wc = n + 1 > wc ? n + 1 : wc;
	}
	for (size_t i = 0; i < t->n_peers; i++) {
		int n = (int)strlen(t->peers[i].name);

		wn = n > wn ? n : wn;
	}
	wgmesh_mesh_prefix(t->name, &mesh);
	printf("# mesh %s %s\n", t->name,
	       wgmesh_prefix_str(&mesh, WGMESH_MESH_PLEN, prefix));
	printf("# '*': the subnet used for the machine's host name\n");
	printf("%-*s  %-10s  %-*s  %-39s  %s\n", wn, "NAME", "ROLE", wc,
	       "SUBNET", "ADDRESS", "PREFIX");
	for (size_t i = 0; i < t->n_controllers + t->n_peers; i++) {
		bool ctrl = i < t->n_controllers;
		const char *name = ctrl ? t->controllers[i].name :
				   t->peers[i - t->n_controllers].name;
		size_t own = ctrl ? i : t->peers[i - t->n_controllers].controller;

		for (size_t c = 0; c < (ctrl ? 1 : t->n_controllers); c++) {
			size_t cc = ctrl ? i : c;
			char sub[WGMESH_NAME_MAX + 2];

			snprintf(sub, sizeof(sub), "%s%s",
				 t->controllers[cc].name, cc == own ? "*" : "");
			machine_addr(t, i, cc, addr, prefix);
			printf("%-*s  %-10s  %-*s  %-39s  %s\n", wn, name,
			       ctrl ? "controller" : "peer", wc, sub, addr,
			       prefix);
		}
	}
	print_owned(t, wn);
}

static int cmd_addresses(int argc, char **argv)
{
	struct wgmesh_topology *t;
	bool json = false;
	const struct cli_opt opts[] = {
		{ .name = "--json", .flag = &json },
		{ 0 }
	};

	if (cli_parse_load(&cli_addresses, argc, argv, opts, &t))
		return 1;
	if (json)
		print_json(t);
	else
		print_table(t);
	wgmesh_topology_free(t);
	if (fflush(stdout))
		return cli_err("addresses: writing standard output failed");
	return 0;
}

const struct cli_cmd cli_addresses = {
	.name = "addresses", .run = cmd_addresses,
	.args = "[--json] FILE",
	.summary = "show every machine's addresses and owned prefixes",
	.help = "Controllers own a /56 and sit at its ::1; peers have one "
		"address and one /96\nin every controller's subnet. With "
		"[Mesh] IPv4 or Subnets, a second table\nlists each machine's "
		"IPv4 address, its subnets and the controller that\ncarries "
		"them (HOME).\n",
};
