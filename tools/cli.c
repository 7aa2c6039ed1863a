// SPDX-License-Identifier: GPL-2.0
/* What the commands share, see cli.h. */
#include <stdarg.h>
#include <stdio.h>

#include "cli.h"
#include "lib/topology.h"

void cli_usage(FILE *f, const struct cli_cmd *c)
{
	fprintf(f, "usage: wgmesh %s%s%s\n", c->name, *c->args ? " " : "",
		c->args);
}

int cli_err(const char *fmt, ...)
{
	va_list ap;

	fputs("wgmesh: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return 1;
}

int cli_usage_err(const struct cli_cmd *c, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "wgmesh %s: ", c->name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	cli_usage(stderr, c);
	return 1;
}

int cli_load(const char *file, struct wgmesh_topology **t)
{
	char err[WGMESH_ERR_LEN];

	if (wgmesh_topology_load(file, t, err, sizeof(err))) {
		cli_err("%s", err);
		return -1;
	}
	return 0;
}
