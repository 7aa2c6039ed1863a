/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The command table. Any .c file in tools/ adds a command with one line:
 *
 *   WGMESH_COMMAND(up, "up", cmd_up, "FILE [--name MACHINE]",
 *                  "configure this machine from FILE");
 *
 * The entries land in the "wgmesh_cmds" linker section; main() walks it
 * (sorted by name) for dispatch, --help and "help CMD". A command gets
 * argc/argv with argv[0] = its name, prints its own errors on one line
 * and returns the exit status.
 */
#ifndef WGMESH_CMD_H
#define WGMESH_CMD_H

#include <stdio.h>

struct wgmesh_cmd {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *args;	/* synopsis after the name */
	const char *summary;	/* one line for --help */
	const char *help;	/* extra lines for "help CMD", or NULL */
};

#define WGMESH_COMMAND(id, name_, run_, args_, summary_, help_)		\
	static const struct wgmesh_cmd wgmesh_cmd_##id			\
	__attribute__((used, section("wgmesh_cmds"),			\
		       aligned(sizeof(void *)))) = {			\
		.name = name_, .run = run_, .args = args_,		\
		.summary = summary_, .help = help_,			\
	}

/* Print "usage: wgmesh NAME ARGS" for @c to @f. */
void wgmesh_cmd_usage(FILE *f, const struct wgmesh_cmd *c);
/* Look up a command by name; NULL when unknown. */
const struct wgmesh_cmd *wgmesh_cmd_find(const char *name);

/*
 * "wgmesh: " + message + newline on stderr; returns 1 so that commands
 * can "return wgmesh_err(...)".
 */
int wgmesh_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Error for a bad argument: the message, then the command's usage. */
int wgmesh_usage_err(const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

struct wgmesh_topology;

/*
 * Load and validate topology FILE ("-": stdin) for a command; on error
 * prints the parser's one line ("wgmesh: FILE:LINE: ...") and returns -1.
 */
int wgmesh_cmd_load(const char *file, struct wgmesh_topology **t);

#endif /* WGMESH_CMD_H */
