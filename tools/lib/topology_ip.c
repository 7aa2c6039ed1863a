// SPDX-License-Identifier: GPL-2.0
/*
 * The topology's IPv4 and routed subnets: the [Mesh] IPv4 range, each
 * machine's IPv4 address (derived, or "IPv4 =") and "Subnets =", and the
 * checks that need the whole file: the range is private (unless the file
 * says otherwise), no two machines share an address, no subnet overlaps
 * the mesh or another subnet. See README "IPv4 and routed subnets".
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "addr.h"
#include "array.h"
#include "topology_parser.h"

const char *wgmesh_subnet_str(const struct wgmesh_subnet *s, char *buf)
{
	char a[INET6_ADDRSTRLEN];

	inet_ntop(s->family, s->addr, a, sizeof(a));
	snprintf(buf, WGMESH_PREFIX_STRLEN, "%s/%u", a, s->len);
	return buf;
}

/* Zero the host bits of @s; whether there were any. */
static bool canonical(struct wgmesh_subnet *s)
{
	unsigned int bytes = s->family == AF_INET ? 4 : 16;
	bool host = false;

	for (unsigned int i = 0; i < bytes; i++) {
		unsigned int keep = s->len >= 8 * (i + 1) ? 8 :
				    s->len > 8 * i ? s->len - 8 * i : 0;
		uint8_t mask = (uint8_t)(0xff00 >> keep);

		host |= s->addr[i] & ~mask;
		s->addr[i] &= mask;
	}
	return host;
}

/* "ADDR/LEN" of either family into @s; -1 when it is not one. */
static int parse_prefix(const char *v, struct wgmesh_subnet *s)
{
	char buf[WGMESH_PREFIX_STRLEN];
	const char *slash = strchr(v, '/');
	unsigned long len = 0;
	char *end;

	memset(s, 0, sizeof(*s));
	if (!slash || (size_t)(slash - v) >= sizeof(buf) || !slash[1] ||
	    slash[1] < '0' || slash[1] > '9')
		return -1;
	memcpy(buf, v, (size_t)(slash - v));
	buf[slash - v] = '\0';
	len = strtoul(slash + 1, &end, 10);
	if (*end || strlen(slash + 1) > 3)
		return -1;
	if (inet_pton(AF_INET, buf, s->addr) == 1) {
		s->family = AF_INET;
		if (len > 32)
			return -1;
	} else if (!wgmesh_addr_parse(buf, (struct in6_addr *)s->addr, NULL)) {
		s->family = AF_INET6;
		if (len > 128)
			return -1;
	} else {
		return -1;
	}
	s->len = (uint8_t)len;
	return 0;
}

static uint32_t be32(const uint8_t *b)
{
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 |
	       (uint32_t)b[2] << 8 | b[3];
}

int wgmesh_parse_ipv4_range(struct parser *p, const char *v)
{
	struct wgmesh_topology *t = p->t;
	char canon[WGMESH_PREFIX_STRLEN];
	struct wgmesh_subnet s;

	p->ipv4_line = p->line;
	if (parse_prefix(v, &s) || s.family != AF_INET)
		return fail(p, "bad IPv4 '%s': write the mesh's IPv4 range as "
			    "ADDRESS/LEN, as in 10.128.0.0/16", v);
	if (s.len < 8 || s.len > 30)
		return fail(p, "bad IPv4 '%s': the prefix length must be "
			    "8..30", v);
	if (canonical(&s))
		return fail(p, "bad IPv4 '%s': host bits set; did you mean %s?",
			    v, wgmesh_subnet_str(&s, canon));
	t->ipv4_prefix = be32(s.addr);
	t->ipv4_len = s.len;
	return 0;
}

int wgmesh_parse_ipv4_public(struct parser *p, const char *v)
{
	p->ipv4_public_line = p->line;
	if (!strcasecmp(v, "yes") || !strcasecmp(v, "true"))
		p->t->ipv4_public = true;
	else if (strcasecmp(v, "no") && strcasecmp(v, "false"))
		return fail(p, "bad IPv4Public '%s': must be yes or no", v);
	return 0;
}

int wgmesh_parse_ipv4(struct parser *p, struct wgmesh_owned *o, const char *v)
{
	struct in_addr a;

	if (strchr(v, '/'))
		return fail(p, "bad IPv4 '%s': a machine's IPv4 is one address, "
			    "without /LEN (the range is [Mesh] IPv4)", v);
	if (inet_pton(AF_INET, v, &a) != 1)
		return fail(p, "bad IPv4 '%s': not an IPv4 address", v);
	o->ipv4 = ntohl(a.s_addr);
	o->ipv4_set = true;
	o->ipv4_line = p->line;
	return 0;
}

/* Address space no subnet may take: it cannot be routed through a mesh. */
static const char *special(const struct wgmesh_subnet *s)
{
	static const struct {
		int family;
		uint8_t addr[4];
		uint8_t len;
		const char *what;
	} sp[] = {
		{ AF_INET, { 0 }, 8, "'this network' (0.0.0.0/8)" },
		{ AF_INET, { 127 }, 8, "loopback (127.0.0.0/8)" },
		{ AF_INET, { 169, 254 }, 16, "link-local (169.254.0.0/16)" },
		{ AF_INET, { 224 }, 3, "multicast or reserved (224.0.0.0/3)" },
		{ AF_INET6, { 0 }, 8, "reserved (::/8: loopback, IPv4-mapped)" },
		{ AF_INET6, { 0xfe, 0x80 }, 10, "link-local (fe80::/10)" },
		{ AF_INET6, { 0xff }, 8, "multicast (ff00::/8)" },
	};

	for (size_t i = 0; i < sizeof(sp) / sizeof(sp[0]); i++) {
		struct wgmesh_subnet m = *s;
		unsigned int len = sp[i].len < s->len ? sp[i].len : s->len;

		if (sp[i].family != s->family)
			continue;
		m.len = (uint8_t)len;
		canonical(&m);
		if (!memcmp(m.addr, sp[i].addr, (len + 7) / 8))
			return sp[i].what;
	}
	return NULL;
}

static int parse_subnet(struct parser *p, struct wgmesh_owned *o, char *v)
{
	char canon[WGMESH_PREFIX_STRLEN];
	struct wgmesh_subnet s, *n;
	const char *what;

	if (parse_prefix(v, &s))
		return fail(p, "bad subnet '%s': write ADDRESS/LEN, as in "
			    "192.168.1.0/24 or fdc1:d89e:b128:13a6::/64", v);
	if (!s.len)
		return fail(p, "bad subnet '%s': a default route is not a "
			    "subnet", v);
	if (s.family == AF_INET6 && s.len > 64)
		return fail(p, "bad subnet '%s': IPv6 subnets are /64 or "
			    "shorter", v);
	if (canonical(&s))
		return fail(p, "bad subnet '%s': host bits set; did you mean "
			    "%s?", v, wgmesh_subnet_str(&s, canon));
	what = special(&s);
	if (what)
		return fail(p, "bad subnet '%s': it is %s address space, which "
			    "the mesh does not route", v, what);
	if (o->n_subnets == WGMESH_MAX_MACHINE_SUBNETS)
		return fail(p, "more than %d subnets on one machine",
			    WGMESH_MAX_MACHINE_SUBNETS);
	n = array_push(&o->subnets, &o->n_subnets, &o->cap_subnets,
		       sizeof(*n));
	if (!n)
		return oom(p);
	*n = s;
	return 0;
}

int wgmesh_parse_subnets(struct parser *p, struct wgmesh_owned *o, char *v)
{
	char *item = v, *next;

	o->subnets_line = p->line;
	for (; item; item = next) {
		next = strchr(item, ',');
		if (next)
			*next++ = '\0';
		while (*item == ' ' || *item == '\t')
			item++;
		item[strcspn(item, " \t")] = '\0';
		if (!*item)
			return fail(p, "bad Subnets: empty item");
		if (parse_subnet(p, o, item))
			return -1;
	}
	return 0;
}

static const char *role(const struct wgmesh_topology *t, size_t i)
{
	return i < t->n_controllers ? "controller" : "peer";
}

static struct wgmesh_owned *owned(struct wgmesh_topology *t, size_t i)
{
	return i < t->n_controllers ? &t->controllers[i].owned :
	       &t->peers[i - t->n_controllers].owned;
}

static unsigned int machine_line(const struct wgmesh_topology *t, size_t i)
{
	return i < t->n_controllers ? t->controllers[i].line :
	       t->peers[i - t->n_controllers].line;
}

static int check_range(struct parser *p)
{
	struct wgmesh_topology *t = p->t;
	struct wgmesh_subnet s = { .family = AF_INET, .len = t->ipv4_len };
	char buf[WGMESH_PREFIX_STRLEN];
	const char *what;

	if (!t->ipv4_len) {
		if (p->ipv4_public_line)
			return fail_at(p, p->ipv4_public_line, "IPv4Public "
				       "without an IPv4 range in [Mesh]");
		return 0;
	}
	for (int i = 0; i < 4; i++)
		s.addr[i] = (uint8_t)(t->ipv4_prefix >> (24 - 8 * i));
	what = special(&s);
	if (what)
		return fail_at(p, p->ipv4_line, "bad IPv4 %s: it is %s address "
			       "space", wgmesh_subnet_str(&s, buf), what);
	if (!t->ipv4_public && !wgmesh_ipv4_private(t->ipv4_prefix,
						    t->ipv4_len))
		return fail_at(p, p->ipv4_line, "IPv4 %s is public address "
			       "space: use a private range (10.0.0.0/8, "
			       "172.16.0.0/12, 192.168.0.0/16, 100.64.0.0/10) "
			       "or add 'IPv4Public = yes' to [Mesh]",
			       wgmesh_subnet_str(&s, buf));
	return 0;
}

struct v4ref {
	uint32_t a;
	size_t idx;
	unsigned int line;
};

static int v4_cmp(const void *pa, const void *pb)
{
	const struct v4ref *x = pa, *y = pb;

	if (x->a != y->a)
		return x->a < y->a ? -1 : 1;
	return (x->line > y->line) - (x->line < y->line);
}

static bool v4_taken(const struct v4ref *r, size_t n, uint32_t a)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (r[mid].a == a)
			return true;
		if (r[mid].a < a)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

/* The first address after @from that no machine has (0: the range is full). */
static uint32_t v4_free(const struct wgmesh_topology *t, const struct v4ref *r,
			size_t n, uint32_t from)
{
	uint32_t hosts = (uint32_t)((1ull << (32 - t->ipv4_len)) - 2);

	for (uint32_t i = 1; i <= hosts; i++) {
		uint32_t off = (from - t->ipv4_prefix - 1 + i) % hosts;
		uint32_t a = t->ipv4_prefix + off + 1;

		if (!v4_taken(r, n, a))
			return a;
	}
	return 0;
}

/* Every machine's IPv4 address: in the range, and unique. */
static int check_ipv4(struct parser *p)
{
	struct wgmesh_topology *t = p->t;
	size_t n = t->n_controllers + t->n_peers;
	uint32_t mask = wgmesh_ipv4_mask(t->ipv4_len);
	char a[INET_ADDRSTRLEN], b[INET_ADDRSTRLEN];
	struct v4ref *r;
	int ret = -1;

	for (size_t i = 0; i < n; i++) {
		struct wgmesh_owned *o = owned(t, i);
		const char *name = wgmesh_machine_name(t, i);

		if (!o->ipv4_set) {
			if (t->ipv4_len)
				o->ipv4 = wgmesh_ipv4_addr(name, t->ipv4_prefix,
							   t->ipv4_len);
			continue;
		}
		if (!t->ipv4_len)
			return fail_at(p, o->ipv4_line, "%s %s: IPv4 needs the "
				       "mesh's IPv4 range: add 'IPv4 = "
				       "10.128.0.0/16' (say) to [Mesh]",
				       role(t, i), name);
		if ((o->ipv4 & mask) != t->ipv4_prefix)
			return fail_at(p, o->ipv4_line, "%s %s: IPv4 %s is "
				       "outside the mesh's range %s/%u",
				       role(t, i), name,
				       wgmesh_ipv4_str(o->ipv4, a),
				       wgmesh_ipv4_str(t->ipv4_prefix, b),
				       t->ipv4_len);
		if (o->ipv4 == t->ipv4_prefix || o->ipv4 == (t->ipv4_prefix |
							      ~mask))
			return fail_at(p, o->ipv4_line, "%s %s: IPv4 %s is the "
				       "range's %s address", role(t, i), name,
				       wgmesh_ipv4_str(o->ipv4, a),
				       o->ipv4 == t->ipv4_prefix ? "network" :
				       "broadcast");
	}
	if (!t->ipv4_len || !n)
		return 0;
	r = calloc(n, sizeof(*r));
	if (!r)
		return oom(p);
	for (size_t i = 0; i < n; i++) {
		const struct wgmesh_owned *o = owned(t, i);

		r[i] = (struct v4ref){ .a = o->ipv4, .idx = i,
				       .line = o->ipv4_set ? o->ipv4_line :
					       machine_line(t, i) };
	}
	qsort(r, n, sizeof(*r), v4_cmp);
	for (size_t i = 1; i < n; i++) {
		const struct v4ref *x = &r[i - 1], *y = &r[i];
		const struct wgmesh_owned *oy = owned(t, y->idx);
		uint32_t free_a;

		if (x->a != y->a)
			continue;
		if (oy->ipv4_set) {
			fail_at(p, y->line, "%s %s: IPv4 %s is already %s %s's "
				"(line %u)", role(t, y->idx),
				wgmesh_machine_name(t, y->idx),
				wgmesh_ipv4_str(y->a, a), role(t, x->idx),
				wgmesh_machine_name(t, x->idx), x->line);
			goto out;
		}
		free_a = v4_free(t, r, n, y->a);
		if (!free_a) {
			fail_at(p, y->line, "%s %s and %s %s (line %u) derive "
				"the same IPv4 %s and the range %s/%u has no "
				"free address: use a larger one",
				role(t, y->idx), wgmesh_machine_name(t, y->idx),
				role(t, x->idx), wgmesh_machine_name(t, x->idx),
				x->line, wgmesh_ipv4_str(y->a, a),
				wgmesh_ipv4_str(t->ipv4_prefix, b),
				t->ipv4_len);
			goto out;
		}
		fail_at(p, y->line, "%s %s and %s %s (line %u) derive the same "
			"IPv4 %s: give one of them its own address, as in "
			"'IPv4 = %s' in [%s %s]", role(t, y->idx),
			wgmesh_machine_name(t, y->idx), role(t, x->idx),
			wgmesh_machine_name(t, x->idx), x->line,
			wgmesh_ipv4_str(y->a, a), wgmesh_ipv4_str(free_a, b),
			y->idx < t->n_controllers ? "Controller" : "Peer",
			wgmesh_machine_name(t, y->idx));
		goto out;
	}
	ret = 0;
out:
	free(r);
	return ret;
}

struct subref {
	const struct wgmesh_subnet *s;
	uint8_t end[16];	/* last address */
	size_t idx;
	unsigned int line;
};

static int sub_cmp(const void *pa, const void *pb)
{
	const struct subref *x = pa, *y = pb;
	int d;

	if (x->s->family != y->s->family)
		return x->s->family < y->s->family ? -1 : 1;
	d = memcmp(x->s->addr, y->s->addr, 16);
	if (d)
		return d;
	if (x->s->len != y->s->len)	/* the wider one first */
		return x->s->len < y->s->len ? -1 : 1;
	return (x->line > y->line) - (x->line < y->line);
}

/* Does @s overlap @o (both canonical, same family)? */
static bool overlaps(const struct wgmesh_subnet *s,
		     const struct wgmesh_subnet *o)
{
	struct wgmesh_subnet a = *s, b = *o;
	uint8_t len = s->len < o->len ? s->len : o->len;

	if (s->family != o->family)
		return false;
	a.len = len;
	b.len = len;
	canonical(&a);
	canonical(&b);
	return !memcmp(a.addr, b.addr, 16);
}

/* Subnets overlap neither the mesh's own space nor one another. */
static int check_subnets(struct parser *p)
{
	struct wgmesh_topology *t = p->t;
	size_t n = t->n_controllers + t->n_peers, ns = 0, k = 0;
	struct wgmesh_subnet mesh6 = { .family = AF_INET6,
				       .len = WGMESH_MESH_PLEN };
	struct wgmesh_subnet mesh4 = { .family = AF_INET, .len = t->ipv4_len };
	char x[WGMESH_PREFIX_STRLEN], y[WGMESH_PREFIX_STRLEN];
	struct subref *r;
	int ret = -1;

	wgmesh_mesh_prefix(t->name, (struct in6_addr *)mesh6.addr);
	for (int i = 0; i < 4; i++)
		mesh4.addr[i] = (uint8_t)(t->ipv4_prefix >> (24 - 8 * i));
	for (size_t i = 0; i < n; i++) {
		const struct wgmesh_owned *o = owned(t, i);

		for (size_t j = 0; j < o->n_subnets; j++) {
			const struct wgmesh_subnet *s = &o->subnets[j];
			const struct wgmesh_subnet *m = s->family == AF_INET ?
							&mesh4 : &mesh6;

			if ((s->family == AF_INET6 || t->ipv4_len) &&
			    overlaps(s, m))
				return fail_at(p, o->subnets_line, "subnet %s "
					       "of %s %s overlaps the mesh's "
					       "%s %s: pick a prefix outside "
					       "it", wgmesh_subnet_str(s, x),
					       role(t, i),
					       wgmesh_machine_name(t, i),
					       s->family == AF_INET ?
					       "IPv4 range" : "IPv6 /40",
					       wgmesh_subnet_str(m, y));
		}
		ns += o->n_subnets;
	}
	if (ns > WGMESH_MAX_SUBNETS_TOTAL)
		return fail_at(p, 0, "%zu subnets: at most %u in one mesh", ns,
			       WGMESH_MAX_SUBNETS_TOTAL);
	if (ns < 2)
		return 0;
	r = calloc(ns, sizeof(*r));
	if (!r)
		return oom(p);
	for (size_t i = 0; i < n; i++) {
		const struct wgmesh_owned *o = owned(t, i);

		for (size_t j = 0; j < o->n_subnets; j++) {
			struct wgmesh_subnet e = o->subnets[j];
			unsigned int bytes = e.family == AF_INET ? 4 : 16;

			/* end = the prefix with every host bit set */
			for (unsigned int b = 0; b < bytes; b++) {
				unsigned int keep = e.len >= 8 * (b + 1) ? 8 :
					e.len > 8 * b ? e.len - 8 * b : 0;

				e.addr[b] |= (uint8_t)~(0xff00 >> keep);
			}
			r[k++] = (struct subref){ .s = &o->subnets[j], .idx = i,
						  .line = o->subnets_line };
			memcpy(r[k - 1].end, e.addr, 16);
		}
	}
	qsort(r, ns, sizeof(*r), sub_cmp);
	/*
	 * Sorted by start (the wider first), the prefixes before the first
	 * overlap are disjoint, so the one before ends last: comparing each
	 * with its predecessor finds an overlap if there is one.
	 */
	for (size_t i = 1; i < ns; i++) {
		const struct subref *a = &r[i - 1], *b = &r[i];

		if (a->s->family == b->s->family &&
		    memcmp(b->s->addr, a->end, 16) <= 0) {
			const struct subref *first = a->line <= b->line ? a : b;
			const struct subref *second = first == a ? b : a;

			fail_at(p, second->line, "subnet %s of %s %s overlaps "
				"%s of %s %s (line %u): route each address to "
				"one machine, once",
				wgmesh_subnet_str(second->s, x),
				role(t, second->idx),
				wgmesh_machine_name(t, second->idx),
				wgmesh_subnet_str(first->s, y),
				role(t, first->idx),
				wgmesh_machine_name(t, first->idx),
				first->line);
			goto out;
		}
	}
	ret = 0;
out:
	free(r);
	return ret;
}

int wgmesh_topology_check_ip(struct parser *p)
{
	return check_range(p) || check_ipv4(p) || check_subnets(p) ? -1 : 0;
}
