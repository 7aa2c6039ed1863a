// SPDX-License-Identifier: GPL-2.0
/* The command table (see cmd.h) and the shared error helpers. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"

/* The linker provides these for a section named like a C identifier. */
extern const struct wgmesh_cmd __start_wgmesh_cmds[];
extern const struct wgmesh_cmd __stop_wgmesh_cmds[];

const struct wgmesh_cmd *wgmesh_cmd_find(const char *name)
{
	for (const struct wgmesh_cmd *c = __start_wgmesh_cmds;
	     c < __stop_wgmesh_cmds; c++)
		if (!strcmp(c->name, name))
			return c;
	return NULL;
}

void wgmesh_cmd_usage(FILE *f, const struct wgmesh_cmd *c)
{
	fprintf(f, "usage: wgmesh %s%s%s\n", c->name, *c->args ? " " : "",
		c->args);
}

int wgmesh_err(const char *fmt, ...)
{
	va_list ap;

	fputs("wgmesh: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return 1;
}

int wgmesh_usage_err(const char *cmd, const char *fmt, ...)
{
	const struct wgmesh_cmd *c = wgmesh_cmd_find(cmd);
	va_list ap;

	fprintf(stderr, "wgmesh %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	if (c)
		wgmesh_cmd_usage(stderr, c);
	return 1;
}
