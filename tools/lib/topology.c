// SPDX-License-Identifier: GPL-2.0
/*
 * Topology file parser: reads sections and keys line by line; the checks
 * that need the whole file are in topology_check.c. Every error is one
 * line naming the file, the line and what is wrong; nothing is returned
 * unless the whole mesh is valid.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <arpa/inet.h>

#include "addr.h"
#include "array.h"
#include "keys.h"
#include "topology.h"
#include "topology_parser.h"

/* Keys of each section; the bit is used to catch duplicates. */
enum key {
	K_NAME = 1 << 0, K_PORT = 1 << 1, K_DOMAIN = 1 << 2,
	K_INTERFACE = 1 << 3, K_MTU = 1 << 4, K_ENDPOINT = 1 << 5,
	K_PUBLICKEY = 1 << 6, K_GROUPS = 1 << 7, K_CONTROLLER = 1 << 8,
	K_ISOLATED = 1 << 9, K_DEFAULT = 1 << 10, K_ALLOW = 1 << 11,
	K_IPV4 = 1 << 12, K_IPV4PUBLIC = 1 << 13, K_SUBNETS = 1 << 14,
	K_PSKFILE = 1 << 15, K_FIREWALL = 1 << 16, K_EXIT = 1 << 17,
	K_PROBEINTERVAL = 1 << 18, K_DEADAFTER = 1 << 19,
	K_TABLE = 1 << 20, K_FWMARK = 1 << 21, K_RESOLVEINTERVAL = 1 << 22,
};

static const struct {
	const char *name;
	enum key key;
	unsigned int sections;	/* bit (1 << enum section) */
} keys[] = {
	{ "Name", K_NAME, 1 << SEC_MESH },
	{ "Port", K_PORT, 1 << SEC_MESH | 1 << SEC_CONTROLLER },
	{ "Domain", K_DOMAIN, 1 << SEC_MESH },
	{ "Interface", K_INTERFACE, 1 << SEC_MESH },
	{ "MTU", K_MTU, 1 << SEC_MESH },
	{ "Endpoint", K_ENDPOINT, 1 << SEC_CONTROLLER },
	{ "PublicKey", K_PUBLICKEY, 1 << SEC_CONTROLLER | 1 << SEC_PEER },
	{ "Groups", K_GROUPS, 1 << SEC_CONTROLLER | 1 << SEC_PEER },
	{ "Controller", K_CONTROLLER, 1 << SEC_PEER },
	{ "Isolated", K_ISOLATED, 1 << SEC_PEER },
	{ "IPv4", K_IPV4, 1 << SEC_MESH | 1 << SEC_CONTROLLER | 1 << SEC_PEER },
	{ "IPv4Public", K_IPV4PUBLIC, 1 << SEC_MESH },
	{ "Subnets", K_SUBNETS, 1 << SEC_CONTROLLER | 1 << SEC_PEER },
	{ "PresharedKeyFile", K_PSKFILE, 1 << SEC_MESH },
	{ "Firewall", K_FIREWALL, 1 << SEC_MESH | 1 << SEC_CONTROLLER },
	{ "Exit", K_EXIT, 1 << SEC_CONTROLLER | 1 << SEC_PEER },
	{ "ProbeInterval", K_PROBEINTERVAL, 1 << SEC_MESH },
	{ "DeadAfter", K_DEADAFTER, 1 << SEC_MESH },
	{ "Table", K_TABLE, 1 << SEC_CONTROLLER | 1 << SEC_PEER },
	{ "FwMark", K_FWMARK, 1 << SEC_CONTROLLER | 1 << SEC_PEER },
	{ "ResolveInterval", K_RESOLVEINTERVAL, 1 << SEC_MESH },
	{ "Default", K_DEFAULT, 1 << SEC_POLICY },
	{ "Allow", K_ALLOW, 1 << SEC_POLICY },
};

static const char *const section_names[] = {
	[SEC_NONE] = "", [SEC_MESH] = "[Mesh]",
	[SEC_CONTROLLER] = "[Controller]", [SEC_PEER] = "[Peer]",
	[SEC_POLICY] = "[Policy]",
};

int wgmesh_parse_fail(struct parser *p, unsigned int line, const char *fmt,
		      ...)
{
	va_list ap;
	int n;

	if (line)
		n = snprintf(p->err, p->errlen, "%s:%u: ", p->t->file, line);
	else
		n = snprintf(p->err, p->errlen, "%s: ", p->t->file);
	if (n < 0 || (size_t)n >= p->errlen)
		return -1;
	va_start(ap, fmt);
	vsnprintf(p->err + n, p->errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

static char *trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		e--;
	*e = '\0';
	return s;
}

static bool name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '-' || c == '_';
}

/* Machine, mesh and group names: they become host names and identifiers. */
static bool valid_name(const char *s)
{
	size_t n = strlen(s);

	if (!n || n > WGMESH_NAME_MAX || s[0] == '-')
		return false;
	for (; *s; s++)
		if (!name_char(*s))
			return false;
	return true;
}

static int check_name(struct parser *p, const char *what, const char *s)
{
	if (strlen(s) > WGMESH_NAME_MAX)
		return fail(p, "%s '%.20s...' is longer than %d bytes", what,
			    s, WGMESH_NAME_MAX);
	if (!valid_name(s))
		return fail(p, "bad %s '%s': use letters, digits, '-' and '_'"
			    " (not first '-')", what, s);
	return 0;
}

/* Dot-separated labels of name characters: DNS names for hosts/domains. */
static bool valid_dns(const char *s)
{
	size_t n = strlen(s), label = 0;

	if (!n || n > 253)
		return false;
	for (; *s; s++) {
		if (*s == '.') {
			if (!label)
				return false;
			label = 0;
		} else if (name_char(*s) && *s != '_' && ++label <= 63) {
			continue;
		} else {
			return false;
		}
	}
	return label > 0;
}

static bool valid_ifname(const char *s)
{
	if (!*s || strlen(s) > WGMESH_IFNAME_MAX || !strcmp(s, ".") ||
	    !strcmp(s, ".."))
		return false;
	for (; *s; s++)
		if (!name_char(*s) && *s != '.')
			return false;
	return true;
}

static int parse_uint(const char *s, unsigned long min, unsigned long max,
		      unsigned long *out)
{
	unsigned long v = 0;

	if (!*s || strlen(s) > 6)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (unsigned long)(*s - '0');
	}
	if (v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

/*
 * Seconds with at most three decimals ("2", "0.5"), 0.1 to 3600, into
 * milliseconds.
 */
static int parse_seconds(struct parser *p, const char *k, const char *s,
			 unsigned int *ms)
{
	const char *dot = strchr(s, '.');
	unsigned long whole, frac = 0;
	char w[8];
	size_t n = dot ? (size_t)(dot - s) : strlen(s), fl;

	if (n >= sizeof(w) || !n)
		goto bad;
	memcpy(w, s, n);
	w[n] = '\0';
	if (parse_uint(w, 0, 3600, &whole))
		goto bad;
	if (dot) {
		fl = strlen(dot + 1);
		if (!fl || fl > 3 || parse_uint(dot + 1, 0, 999, &frac))
			goto bad;
		while (fl++ < 3)
			frac *= 10;
	}
	whole = whole * 1000 + frac;
	if (whole < 100 || whole > 3600000)
		goto bad;
	*ms = (unsigned int)whole;
	return 0;
bad:
	return fail(p, "bad %s '%s': must be seconds from 0.1 to 3600 "
		    "(at most 3 decimals)", k, s);
}

static int parse_port(struct parser *p, const char *s, uint16_t *out)
{
	unsigned long v;

	if (parse_uint(s, 1, 65535, &v))
		return fail(p, "bad port '%s': must be a number 1..65535", s);
	*out = (uint16_t)v;
	return 0;
}

/* host, IPv4, [IPv6], each with an optional :port. */
static int parse_endpoint(struct parser *p, struct wgmesh_controller *c,
			  char *v)
{
	char *host = v, *port = NULL, *colon;
	struct in6_addr a6;
	struct in_addr a4;

	if (*v == '[') {
		char *close = strchr(v, ']');

		if (!close)
			return fail(p, "bad Endpoint '%s': missing ']'", v);
		*close = '\0';
		host = v + 1;
		if (close[1] == ':')
			port = close + 2;
		else if (close[1])
			return fail(p, "bad Endpoint: unexpected '%s' after "
				    "']'", close + 1);
		if (inet_pton(AF_INET6, host, &a6) != 1)
			return fail(p, "bad Endpoint: '%s' is not an IPv6 "
				    "address", host);
	} else {
		colon = strchr(v, ':');
		if (colon && strchr(colon + 1, ':'))
			return fail(p, "bad Endpoint '%s': write IPv6 addresses"
				    " in brackets, as in [2001:db8::1]:51820",
				    v);
		if (colon) {
			*colon = '\0';
			port = colon + 1;
		}
		if (inet_pton(AF_INET, host, &a4) != 1 && !valid_dns(host))
			return fail(p, "bad Endpoint: '%s' is not a host name "
				    "or IPv4 address", host);
	}
	if (port && parse_port(p, port, &c->endpoint_port))
		return -1;
	return set_str(p, &c->endpoint_host, host);
}

static int parse_key(struct parser *p, const char *v,
		     uint8_t key[WGMESH_KEY_LEN])
{
	if (wgmesh_key_from_base64(v, key))
		return fail(p, "bad PublicKey '%s': must be 44 characters of "
			    "base64 encoding 32 bytes", v);
	return 0;
}

static int group_id(struct parser *p, const char *name)
{
	for (size_t i = 0; i < p->n_groups; i++)
		if (!strcmp(p->groups[i], name))
			return (int)i;
	if (p->n_groups == WGMESH_MAX_GROUPS)
		return fail(p, "group '%s' is one too many: at most %d "
			    "groups", name, WGMESH_MAX_GROUPS);
	p->groups[p->n_groups] = strdup(name);
	if (!p->groups[p->n_groups])
		return oom(p);
	return (int)p->n_groups++;
}

static int parse_groups(struct parser *p, char *v, uint64_t *ids)
{
	char *g = v, *next;

	/* Split by hand: strtok would silently skip empty items ("a,,b"). */
	for (; g; g = next) {
		int id;

		next = strchr(g, ',');
		if (next)
			*next++ = '\0';
		g = trim(g);
		if (!*g)
			return fail(p, "bad Groups: empty group name");
		if (check_name(p, "group name", g))
			return -1;
		id = group_id(p, g);
		if (id < 0)
			return -1;
		*ids |= 1ull << id;
	}
	return 0;
}

static int parse_allow(struct parser *p, char *v)
{
	char *arrow = strstr(v, "<->"), *a, *b;
	struct allow_name *n;

	if (!arrow)
		return fail(p, "bad Allow '%s': write 'GROUP <-> GROUP'", v);
	*arrow = '\0';
	a = trim(v);
	b = trim(arrow + 3);
	if (check_name(p, "group name", a) || check_name(p, "group name", b))
		return -1;
	n = array_push(&p->allow, &p->n_allow, &p->cap_allow, sizeof(*n));
	if (!n)
		return oom(p);
	n->a = strdup(a);
	n->b = strdup(b);
	n->line = p->line;
	if (!n->a || !n->b)
		return oom(p);
	return 0;
}

static int parse_bool(struct parser *p, const char *k, const char *v, bool *b)
{
	if (!strcasecmp(v, "true"))
		*b = true;
	else if (!strcasecmp(v, "false"))
		*b = false;
	else
		return fail(p, "bad %s '%s': must be true or false", k, v);
	return 0;
}

/* Firewall = yes|no (true|false too): whether up opens the listen port. */
static int parse_firewall(struct parser *p, const char *v, bool *no_firewall)
{
	if (!strcasecmp(v, "yes") || !strcasecmp(v, "true"))
		*no_firewall = false;
	else if (!strcasecmp(v, "no") || !strcasecmp(v, "false"))
		*no_firewall = true;
	else
		return fail(p, "bad Firewall '%s': must be yes or no", v);
	return 0;
}

/* [Controller] Exit = yes|no (true|false too). */
static int parse_exit(struct parser *p, const char *v, bool *exit)
{
	if (!strcasecmp(v, "yes") || !strcasecmp(v, "true"))
		*exit = true;
	else if (!strcasecmp(v, "no") || !strcasecmp(v, "false"))
		*exit = false;
	else
		return fail(p, "bad Exit '%s': must be yes or no", v);
	return 0;
}

/*
 * Table = N (1..2^32-1 but 253, 254 and 255, the kernel's default, main
 * and local tables: the whole point is to keep out of main), decimal.
 */
static int parse_table(struct parser *p, struct wgmesh_owned *o,
		       const char *v)
{
	unsigned long long n;
	char *end;

	errno = 0;
	n = strtoull(v, &end, 10);
	if (!strcasecmp(v, "main") || !strcasecmp(v, "local") ||
	    !strcasecmp(v, "default") || !strcasecmp(v, "off") ||
	    !strcasecmp(v, "auto"))
		return fail(p, "bad Table '%s': must be a number of a routing "
			    "table of its own (1..4294967295 but 253, 254, "
			    "255)", v);
	if (!isdigit((unsigned char)*v) || *end || errno || !n ||
	    n > UINT32_MAX)
		return fail(p, "bad Table '%s': must be 1..4294967295", v);
	if (n >= 253 && n <= 255)
		return fail(p, "bad Table '%s': %llu is the kernel's %s table "
			    "(wgmesh keeps out of it)", v, n,
			    n == 253 ? "default" : n == 254 ? "main" :
			    "local");
	o->table = (uint32_t)n;
	o->table_line = p->line;
	return 0;
}

/* FwMark = M: decimal or 0x hexadecimal, non-zero. */
static int parse_fwmark(struct parser *p, struct wgmesh_owned *o,
			const char *v)
{
	unsigned long long n;
	char *end;

	errno = 0;
	n = strtoull(v, &end, 0);
	if (!isdigit((unsigned char)*v) || *end || errno || n > UINT32_MAX)
		return fail(p, "bad FwMark '%s': must be 1..0xffffffff "
			    "(decimal or 0x hexadecimal)", v);
	if (!n)
		return fail(p, "bad FwMark '%s': must not be 0 (unmarked "
			    "packets have mark 0)", v);
	o->fwmark = (uint32_t)n;
	o->fwmark_line = p->line;
	return 0;
}

static int mesh_key(struct parser *p, enum key k, const char *v)
{
	struct wgmesh_topology *t = p->t;
	unsigned long mtu;

	switch (k) {
	case K_NAME:
		p->name_line = p->line;
		if (check_name(p, "mesh Name", v))
			return -1;
		return set_str(p, &t->name, v);
	case K_PORT:
		return parse_port(p, v, &t->port);
	case K_DOMAIN:
		if (!valid_dns(v))
			return fail(p, "bad Domain '%s': must be a DNS name", v);
		return set_str(p, &t->domain, v);
	case K_INTERFACE:
		if (!valid_ifname(v))
			return fail(p, "bad Interface '%s': at most %d bytes of "
				    "letters, digits, '-', '_', '.'", v,
				    WGMESH_IFNAME_MAX);
		return set_str(p, &t->interface, v);
	case K_MTU:
		if (parse_uint(v, 1280, 65535, &mtu))
			return fail(p, "bad MTU '%s': must be 1280..65535", v);
		t->mtu = (unsigned int)mtu;
		return 0;
	case K_IPV4:
		return wgmesh_parse_ipv4_range(p, v);
	case K_IPV4PUBLIC:
		return wgmesh_parse_ipv4_public(p, v);
	case K_PSKFILE:
		/* A path, not the secret: the file is read by up and conf. */
		return set_str(p, &t->psk_file, v);
	case K_FIREWALL:
		return parse_firewall(p, v, &t->no_firewall);
	case K_PROBEINTERVAL:
		p->probe_line = p->line;
		return parse_seconds(p, "ProbeInterval", v,
				     &t->probe_interval_ms);
	case K_DEADAFTER:
		p->dead_after_line = p->line;
		return parse_seconds(p, "DeadAfter", v, &t->dead_after_ms);
	case K_RESOLVEINTERVAL:
		return parse_seconds(p, "ResolveInterval", v,
				     &t->resolve_interval_ms);
	default:
		return -1;
	}
}

static int controller_key(struct parser *p, enum key k, char *v)
{
	struct wgmesh_controller *c = &p->t->controllers[p->t->n_controllers - 1];
	struct pending *pd = &p->pc[p->t->n_controllers - 1];

	switch (k) {
	case K_ENDPOINT:
		return parse_endpoint(p, c, v);
	case K_PUBLICKEY:
		pd->key_line = p->line;
		return parse_key(p, v, c->public_key);
	case K_PORT:
		pd->port_set = 1;
		return parse_port(p, v, &c->port);
	case K_GROUPS:
		return parse_groups(p, v, &pd->group_ids);
	case K_IPV4:
		return wgmesh_parse_ipv4(p, &c->owned, v);
	case K_SUBNETS:
		return wgmesh_parse_subnets(p, &c->owned, v);
	case K_FIREWALL:
		pd->firewall_set = 1;
		return parse_firewall(p, v, &c->no_firewall);
	case K_EXIT:
		pd->exit_line = p->line;
		return parse_exit(p, v, &c->exit);
	case K_TABLE:
		return parse_table(p, &c->owned, v);
	case K_FWMARK:
		return parse_fwmark(p, &c->owned, v);
	default:
		return -1;
	}
}

static int peer_key(struct parser *p, enum key k, char *v)
{
	struct wgmesh_peer *pe = &p->t->peers[p->t->n_peers - 1];
	struct pending *pd = &p->pp[p->t->n_peers - 1];

	switch (k) {
	case K_PUBLICKEY:
		pd->key_line = p->line;
		return parse_key(p, v, pe->public_key);
	case K_CONTROLLER:
		if (check_name(p, "controller name", v))
			return -1;
		pd->controller_line = p->line;
		pd->controller = strdup(v);
		return pd->controller ? 0 : oom(p);
	case K_GROUPS:
		return parse_groups(p, v, &pd->group_ids);
	case K_ISOLATED:
		return parse_bool(p, "Isolated", v, &pe->isolated);
	case K_IPV4:
		return wgmesh_parse_ipv4(p, &pe->owned, v);
	case K_SUBNETS:
		return wgmesh_parse_subnets(p, &pe->owned, v);
	case K_EXIT:
		if (check_name(p, "exit controller name", v))
			return -1;
		pd->exit_line = p->line;
		pd->exit = strdup(v);
		return pd->exit ? 0 : oom(p);
	case K_TABLE:
		return parse_table(p, &pe->owned, v);
	case K_FWMARK:
		return parse_fwmark(p, &pe->owned, v);
	default:
		return -1;
	}
}

static int policy_key(struct parser *p, enum key k, char *v)
{
	if (k == K_ALLOW)
		return parse_allow(p, v);
	p->policy_default = true;
	if (!strcasecmp(v, "allow"))
		p->t->policy.default_allow = true;
	else if (!strcasecmp(v, "deny"))
		p->t->policy.default_allow = false;
	else
		return fail(p, "bad Default '%s': must be allow or deny", v);
	return 0;
}

static int key_value(struct parser *p, char *line)
{
	char *eq = strchr(line, '='), *k, *v;
	size_t i;

	if (p->sec == SEC_NONE)
		return fail(p, "'%s' outside of a section: start with [Mesh]",
			    line);
	if (!eq)
		return fail(p, "expected 'Key = Value', got '%s'", line);
	*eq = '\0';
	k = trim(line);
	v = trim(eq + 1);
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (!strcasecmp(k, keys[i].name))
			break;
	if (i == sizeof(keys) / sizeof(keys[0]) ||
	    !(keys[i].sections & 1u << p->sec)) {
		if (i < sizeof(keys) / sizeof(keys[0]) &&
		    keys[i].key == K_ISOLATED)
			return fail(p, "Isolated is only valid on peers");
		return fail(p, "unknown key '%s' in %s", k,
			    section_names[p->sec]);
	}
	if (!*v)
		return fail(p, "empty value for %s", keys[i].name);
	if (keys[i].key != K_ALLOW) {
		if (p->seen & keys[i].key)
			return fail(p, "duplicate key %s in this section",
				    keys[i].name);
		p->seen |= keys[i].key;
	}
	switch (p->sec) {
	case SEC_MESH:
		return mesh_key(p, keys[i].key, v);
	case SEC_CONTROLLER:
		return controller_key(p, keys[i].key, v);
	case SEC_PEER:
		return peer_key(p, keys[i].key, v);
	default:
		return policy_key(p, keys[i].key, v);
	}
}

static int add_machine(struct parser *p, enum section sec, const char *name)
{
	struct wgmesh_topology *t = p->t;

	/* Duplicates are found once the file is read (check_names()). */
	if (check_name(p, "machine name", name))
		return -1;

	/* Each machine has its pending data at the same index. */
	if (sec == SEC_CONTROLLER) {
		size_t n = t->n_controllers;
		struct wgmesh_controller *c;

		c = array_grow(&t->controllers, &p->cap_c, n, sizeof(*c));
		if (!c || !array_grow(&p->pc, &p->cap_pc, n, sizeof(*p->pc)))
			return oom(p);
		t->n_controllers++;
		c->line = p->line;
		return set_str(p, &c->name, name);
	} else {
		size_t n = t->n_peers;
		struct wgmesh_peer *pe;

		pe = array_grow(&t->peers, &p->cap_p, n, sizeof(*pe));
		if (!pe || !array_grow(&p->pp, &p->cap_pp, n, sizeof(*p->pp)))
			return oom(p);
		t->n_peers++;
		pe->line = p->line;
		return set_str(p, &pe->name, name);
	}
}

static int section(struct parser *p, char *line)
{
	size_t n = strlen(line);
	char *body, *type, *name;

	if (line[n - 1] != ']')
		return fail(p, "section header '%s' lacks its ']'", line);
	line[n - 1] = '\0';
	body = trim(line + 1);
	type = body;
	name = body + strcspn(body, " \t");
	if (*name) {
		*name++ = '\0';
		name = trim(name);
	}
	p->seen = 0;
	if (!strcasecmp(type, "Mesh") || !strcasecmp(type, "Policy")) {
		bool mesh = !strcasecmp(type, "Mesh");

		if (*name)
			return fail(p, "[%s] takes no name", type);
		if (mesh ? p->mesh_seen : p->policy_seen)
			return fail(p, "duplicate [%s] section (first at line "
				    "%u)", type,
				    mesh ? p->mesh_line : p->policy_line);
		if (mesh) {
			p->mesh_seen = true;
			p->mesh_line = p->line;
			p->sec = SEC_MESH;
		} else {
			p->policy_seen = true;
			p->t->policy.present = true;
			p->policy_line = p->line;
			p->sec = SEC_POLICY;
		}
		return 0;
	}
	if (!strcasecmp(type, "Controller") || !strcasecmp(type, "Peer")) {
		p->sec = !strcasecmp(type, "Peer") ? SEC_PEER : SEC_CONTROLLER;
		if (!*name)
			return fail(p, "[%s] needs a machine name, as in [%s "
				    "name]", type, type);
		return add_machine(p, p->sec, name);
	}
	return fail(p, "unknown section [%s]: expected Mesh, Controller, "
		    "Peer or Policy", body);
}

static int parse_lines(struct parser *p, char *text)
{
	char *line = text, *next;

	/* Some editors start UTF-8 files with a byte order mark. */
	if (!strncmp(line, "\xef\xbb\xbf", 3))
		line += 3;
	for (p->line = 1; line; p->line++, line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		line[strcspn(line, "#")] = '\0';
		line = trim(line);
		if (!*line)
			continue;
		if (*line == '[' ? section(p, line) : key_value(p, line))
			return -1;
	}
	return 0;
}

static void parser_release(struct parser *p)
{
	for (size_t i = 0; i < p->n_groups; i++)
		free(p->groups[i]);
	for (size_t i = 0; i < p->t->n_peers; i++) {
		free(p->pp[i].controller);
		free(p->pp[i].exit);
	}
	for (size_t i = 0; i < p->n_allow; i++) {
		free(p->allow[i].a);
		free(p->allow[i].b);
	}
	free(p->allow);
	free(p->pc);
	free(p->pp);
}

int wgmesh_topology_parse(const char *text, size_t len, const char *file,
			  struct wgmesh_topology **out, char *err,
			  size_t errlen)
{
	struct parser p = { .err = err, .errlen = errlen };
	char *copy = NULL;
	int ret = -1;

	*out = NULL;
	p.t = calloc(1, sizeof(*p.t));
	if (!p.t || !(p.t->file = strdup(file))) {
		snprintf(err, errlen, "%s: out of memory", file);
		free(p.t);
		return -1;
	}
	p.t->policy.default_allow = true;

	const char *nul = memchr(text, '\0', len);

	if (nul) {
		p.line = 1;
		for (const char *c = text; c < nul; c++)
			p.line += *c == '\n';
		fail(&p, "NUL byte: this is not a text file");
		goto out;
	}
	copy = malloc(len + 1);
	if (!copy) {
		fail_at(&p, 0, "out of memory");
		goto out;
	}
	memcpy(copy, text, len);
	copy[len] = '\0';

	if (parse_lines(&p, copy) || wgmesh_topology_check(&p))
		goto out;
	ret = 0;
out:
	free(copy);
	parser_release(&p);
	if (ret) {
		wgmesh_topology_free(p.t);
		return ret;
	}
	*out = p.t;
	return 0;
}

/*
 * A relative PresharedKeyFile is relative to the directory of the
 * topology file @path (to the working directory when that is where
 * @path is, or for standard input): the two usually travel together.
 */
static int resolve_psk_file(struct wgmesh_topology *t, const char *path)
{
	const char *slash = strrchr(path, '/');
	char *joined;

	if (!t->psk_file || t->psk_file[0] == '/' || !slash)
		return 0;
	if (asprintf(&joined, "%.*s/%s", (int)(slash - path), path,
		     t->psk_file) < 0)
		return -1;
	free(t->psk_file);
	t->psk_file = joined;
	return 0;
}

int wgmesh_topology_load(const char *path, struct wgmesh_topology **out,
			 char *err, size_t errlen)
{
	bool std = !strcmp(path, "-");
	FILE *f = std ? stdin : fopen(path, "r");
	size_t len;
	char *buf;
	int ret;

	*out = NULL;
	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	buf = array_read_file(f, 16u << 20, &len);
	if (!buf)
		snprintf(err, errlen, "%s: %s", path,
			 errno == EFBIG ? "larger than 16 MiB" :
			 errno == ENOMEM ? "out of memory" : strerror(errno));
	if (!std)
		fclose(f);
	if (!buf)
		return -1;
	ret = wgmesh_topology_parse(buf, len, std ? "<stdin>" : path, out, err,
				    errlen);
	free(buf);
	if (!ret && !std && resolve_psk_file(*out, path)) {
		snprintf(err, errlen, "%s: out of memory", path);
		wgmesh_topology_free(*out);
		*out = NULL;
		return -1;
	}
	return ret;
}

void wgmesh_topology_free(struct wgmesh_topology *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->n_controllers; i++) {
		free(t->controllers[i].name);
		free(t->controllers[i].endpoint_host);
		free(t->controllers[i].owned.subnets);
	}
	for (size_t i = 0; i < t->n_peers; i++) {
		free(t->peers[i].name);
		free(t->peers[i].owned.subnets);
	}
	for (size_t i = 0; i < t->n_groups; i++)
		free(t->groups[i]);
	free(t->controllers);
	free(t->peers);
	free(t->policy.allow);
	free(t->file);
	free(t->name);
	free(t->domain);
	free(t->interface);
	free(t->psk_file);
	free(t);
}

const struct wgmesh_controller *
wgmesh_topology_controller(const struct wgmesh_topology *t, const char *name)
{
	for (size_t i = 0; i < t->n_controllers; i++)
		if (!strcmp(t->controllers[i].name, name))
			return &t->controllers[i];
	return NULL;
}

const struct wgmesh_peer *
wgmesh_topology_peer(const struct wgmesh_topology *t, const char *name)
{
	for (size_t i = 0; i < t->n_peers; i++)
		if (!strcmp(t->peers[i].name, name))
			return &t->peers[i];
	return NULL;
}

int wgmesh_topology_find_key(const struct wgmesh_topology *t,
			     const uint8_t key[WGMESH_KEY_LEN],
			     const struct wgmesh_controller **ctrl,
			     const struct wgmesh_peer **peer)
{
	for (size_t i = 0; i < t->n_controllers; i++)
		if (!memcmp(t->controllers[i].public_key, key, WGMESH_KEY_LEN)) {
			*ctrl = &t->controllers[i];
			return 1;
		}
	for (size_t i = 0; i < t->n_peers; i++)
		if (!memcmp(t->peers[i].public_key, key, WGMESH_KEY_LEN)) {
			*peer = &t->peers[i];
			return 2;
		}
	return 0;
}

const char *wgmesh_machine_name(const struct wgmesh_topology *t, size_t i)
{
	return i < t->n_controllers ? t->controllers[i].name :
	       t->peers[i - t->n_controllers].name;
}

const struct wgmesh_owned *
wgmesh_machine_owned(const struct wgmesh_topology *t, size_t i)
{
	return i < t->n_controllers ? &t->controllers[i].owned :
	       &t->peers[i - t->n_controllers].owned;
}

size_t wgmesh_machine_home(const struct wgmesh_topology *t, size_t i)
{
	return i < t->n_controllers ? i :
	       t->peers[i - t->n_controllers].controller;
}

int wgmesh_topology_group(const struct wgmesh_topology *t, const char *name)
{
	for (size_t i = 0; i < t->n_groups; i++)
		if (!strcmp(t->groups[i], name))
			return (int)i;
	return -1;
}
