// SPDX-License-Identifier: GPL-2.0
/* What the commands share, see cli.h. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

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

void cli_json_str(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

static const struct cli_opt *find_opt(const struct cli_opt *opts,
				      const char *arg)
{
	for (; opts->name; opts++)
		if (!strcmp(arg, opts->name) ||
		    (opts->alias && !strcmp(arg, opts->alias)))
			return opts;
	return NULL;
}

int cli_parse(const struct cli_cmd *c, int argc, char **argv,
	      const struct cli_opt *opts, const char **pos, size_t npos)
{
	size_t n = 0;

	for (int i = 1; i < argc; i++) {
		const struct cli_opt *o = find_opt(opts, argv[i]);

		if (o && o->value) {
			if (++i == argc)
				return -cli_usage_err(c, "%s needs %s", argv[i - 1],
						      o->needs ? o->needs :
								 "a value");
			*o->value = argv[i];
		} else if (o) {
			*o->flag = true;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			return -cli_usage_err(c, "unknown option '%s'", argv[i]);
		} else if (n < npos) {
			pos[n++] = argv[i];
		} else {
			return -cli_usage_err(c, "unexpected argument '%s'",
					      argv[i]);
		}
	}
	return 0;
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

int cli_parse_load(const struct cli_cmd *c, int argc, char **argv,
		   const struct cli_opt *opts, struct wgmesh_topology **t)
{
	const char *file = NULL;

	if (cli_parse(c, argc, argv, opts, &file, 1))
		return -1;
	if (!file)
		return -cli_usage_err(c, "missing FILE");
	return cli_load(file, t);
}
