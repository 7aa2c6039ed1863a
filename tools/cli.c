// SPDX-License-Identifier: GPL-2.0
/* What the commands share, see cli.h. */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/capability.h>

#include "cli.h"
#include "lib/topology.h"

void cli_usage(FILE *f, const struct cli_cmd *c)
{
	fprintf(f, "usage: wgmesh %s%s%s\n", c->name, *c->args ? " " : "",
		c->args);
}

/* Length of the UTF-8 sequence at @s that is valid and no control, or 0. */
static size_t utf8_len(const unsigned char *s)
{
	size_t n;
	uint32_t cp;

	if (s[0] < 0xc2 || s[0] > 0xf4)
		return 0;	/* ASCII is not ours; 0x80..0xc1 never start one */
	n = s[0] >= 0xf0 ? 4 : s[0] >= 0xe0 ? 3 : 2;
	cp = s[0] & (0x7f >> n);
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	/* Overlong forms, surrogates, beyond U+10FFFF, C1 controls. */
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff || cp < 0xa0)
		return 0;
	return n;
}

char *cli_escape(const char *s, char *out, size_t outlen)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t o = 0;

	if (!outlen)
		return out;
	while (*p) {
		char esc[5];
		size_t n = utf8_len(p), len;
		const char *piece = (const char *)p;

		if (n) {
			len = n;
		} else if (*p >= 0x20 && *p < 0x7f) {
			len = n = 1;
		} else {
			if (*p == '\n' || *p == '\r' || *p == '\t')
				snprintf(esc, sizeof(esc), "\\%c",
					 *p == '\n' ? 'n' : *p == '\r' ? 'r' : 't');
			else
				snprintf(esc, sizeof(esc), "\\x%02x", *p);
			piece = esc;
			len = strlen(esc);
			n = 1;
		}
		if (o + len >= outlen)
			break;
		memcpy(out + o, piece, len);
		o += len;
		p += n;
	}
	out[o] = '\0';
	return out;
}

/* @prefix, then the message of @fmt escaped, then a newline, on @f. */
static void vprint_line(FILE *f, const char *prefix, const char *fmt,
			va_list ap)
{
	char *msg = NULL, *esc;
	size_t len;

	if (vasprintf(&msg, fmt, ap) < 0) {
		fprintf(f, "%s(out of memory)\n", prefix);
		return;
	}
	len = strlen(msg) * 4 + 1;
	esc = malloc(len);
	fprintf(f, "%s%s\n", prefix, esc ? cli_escape(msg, esc, len) :
		"(out of memory)");
	free(esc);
	free(msg);
}

int cli_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprint_line(stderr, "wgmesh: ", fmt, ap);
	va_end(ap);
	return 1;
}

void cli_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprint_line(stderr, "wgmesh: warning: ", fmt, ap);
	va_end(ap);
}

void cli_say(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprint_line(stdout, "", fmt, ap);
	va_end(ap);
}

int cli_usage_err(const struct cli_cmd *c, const char *fmt, ...)
{
	char prefix[64];
	va_list ap;

	snprintf(prefix, sizeof(prefix), "wgmesh %s: ", c->name);
	va_start(ap, fmt);
	vprint_line(stderr, prefix, fmt, ap);
	va_end(ap);
	cli_usage(stderr, c);
	return 1;
}

int cli_need_net_admin(const struct cli_cmd *c, const char *what)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = { 0 };

	/* No libcap: the raw call, as capget(2) documents it. */
	if (!syscall(SYS_capget, &hdr, data) &&
	    (data[CAP_TO_INDEX(CAP_NET_ADMIN)].effective &
	     CAP_TO_MASK(CAP_NET_ADMIN)))
		return 0;
	fprintf(stderr, "wgmesh %s: needs root or CAP_NET_ADMIN (to %s)\n",
		c->name, what);
	return -1;
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
