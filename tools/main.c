// SPDX-License-Identifier: GPL-2.0
/*
 * wgmesh: configure a WireGuard mesh from one topology file.
 * main() dispatches to the commands of the table below, one file each.
 */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "cli.h"
#include "../kernel/version.h"

/* Sorted by name: --help lists them in this order. */
static const struct cli_cmd *const commands[] = {
	&cli_addresses,
	&cli_check,
	&cli_conf,
	&cli_down,
	&cli_exec,
	&cli_genkey,
	&cli_genpsk,
	&cli_help,
	&cli_hosts,
	&cli_pubkey,
	&cli_reach,
	&cli_status,
	&cli_up,
	&cli_watch,
};

#define N_COMMANDS (sizeof(commands) / sizeof(commands[0]))

static const struct cli_cmd *find(const char *name)
{
	for (size_t i = 0; i < N_COMMANDS; i++)
		if (!strcmp(commands[i]->name, name))
			return commands[i];
	return NULL;
}

static void usage(FILE *f)
{
	int width = 0;

	for (size_t i = 0; i < N_COMMANDS; i++) {
		int len = (int)strlen(commands[i]->name);

		if (len > width)
			width = len;
	}
	fputs("usage: wgmesh <command> [<args>]\n"
	      "       wgmesh --help | --version | help <command>\n\n"
	      "Commands:\n", f);
	for (size_t i = 0; i < N_COMMANDS; i++)
		fprintf(f, "  %-*s  %s\n", width, commands[i]->name,
			commands[i]->summary);
	fputs("\nExit status: 0 done, 1 failed, 2 the answer is no (reach, "
	      "status --check),\n3 partly done (up, down): see help "
	      "<command>.\n", f);
}

/* An unknown command: one line, then the list of commands. */
static int unknown(const char *name)
{
	cli_err("unknown command '%s'", name);
	usage(stderr);
	return 1;
}

static int help(int argc, char **argv)
{
	const struct cli_cmd *c;

	if (argc == 1) {
		usage(stdout);
		return 0;
	}
	if (argc > 2)
		return cli_usage_err(&cli_help, "too many arguments");
	c = find(argv[1]);
	if (!c)
		return unknown(argv[1]);
	cli_usage(stdout, c);
	printf("\n%s.\n", c->summary);
	if (c->help)
		printf("\n%s", c->help);
	return 0;
}

const struct cli_cmd cli_help = {
	.name = "help", .run = help, .args = "[COMMAND]",
	.summary = "show the commands, or the usage of one",
};

int main(int argc, char **argv)
{
	const struct cli_cmd *c;

	if (sodium_init() < 0)
		return cli_err("cannot initialise libsodium");
	if (argc < 2) {
		usage(stderr);
		return 1;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V")) {
		printf("wgmesh %s\n", WGMESH_VERSION);
		return 0;
	}
	c = find(argv[1]);
	if (!c)
		return unknown(argv[1]);
	/* "wgmesh CMD --help" is the same as "wgmesh help CMD". */
	if (argc == 3 && (!strcmp(argv[2], "--help") || !strcmp(argv[2], "-h"))) {
		char *hargv[] = { "help", argv[1], NULL };

		return help(2, hargv);
	}
	return c->run(argc - 1, argv + 1);
}
