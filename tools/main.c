// SPDX-License-Identifier: GPL-2.0
/*
 * wgmesh: configure a WireGuard mesh from one topology file.
 * main() only dispatches; every command registers itself (cmd.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "cmd.h"

#ifndef WGMESH_VERSION
#define WGMESH_VERSION "0.1.0"
#endif

extern const struct wgmesh_cmd __start_wgmesh_cmds[];
extern const struct wgmesh_cmd __stop_wgmesh_cmds[];

static int by_name(const void *a, const void *b)
{
	const struct wgmesh_cmd *const *x = a, *const *y = b;

	return strcmp((*x)->name, (*y)->name);
}

static void usage(FILE *f)
{
	size_t n = (size_t)(__stop_wgmesh_cmds - __start_wgmesh_cmds);
	const struct wgmesh_cmd *sorted[64];
	int width = 0;

	if (n > sizeof(sorted) / sizeof(sorted[0]))
		n = sizeof(sorted) / sizeof(sorted[0]);
	for (size_t i = 0; i < n; i++) {
		int len = (int)strlen(__start_wgmesh_cmds[i].name);

		sorted[i] = &__start_wgmesh_cmds[i];
		if (len > width)
			width = len;
	}
	qsort(sorted, n, sizeof(sorted[0]), by_name);

	fputs("usage: wgmesh <command> [<args>]\n"
	      "       wgmesh --help | --version | help <command>\n\n"
	      "Commands:\n", f);
	for (size_t i = 0; i < n; i++)
		fprintf(f, "  %-*s  %s\n", width, sorted[i]->name,
			sorted[i]->summary);
}

static int cmd_help(int argc, char **argv)
{
	const struct wgmesh_cmd *c;

	if (argc == 1) {
		usage(stdout);
		return 0;
	}
	if (argc > 2)
		return wgmesh_usage_err("help", "too many arguments");
	c = wgmesh_cmd_find(argv[1]);
	if (!c) {
		wgmesh_err("unknown command '%s'", argv[1]);
		usage(stderr);
		return 1;
	}
	wgmesh_cmd_usage(stdout, c);
	printf("\n%s.\n", c->summary);
	if (c->help)
		printf("\n%s", c->help);
	return 0;
}

WGMESH_COMMAND(help, "help", cmd_help, "[COMMAND]",
	       "show the commands, or the usage of one", NULL);

int main(int argc, char **argv)
{
	const struct wgmesh_cmd *c;

	if (sodium_init() < 0) {
		wgmesh_err("cannot initialise libsodium");
		return 1;
	}
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
	c = wgmesh_cmd_find(argv[1]);
	if (!c) {
		wgmesh_err("unknown command '%s'", argv[1]);
		usage(stderr);
		return 1;
	}
	/* "wgmesh CMD --help" is the same as "wgmesh help CMD". */
	if (argc == 3 && (!strcmp(argv[2], "--help") || !strcmp(argv[2], "-h"))) {
		char *hargv[] = { "help", argv[1], NULL };

		return cmd_help(2, hargv);
	}
	return c->run(argc - 1, argv + 1);
}
