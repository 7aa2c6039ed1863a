// SPDX-License-Identifier: GPL-2.0
/*
 * The firewall through libnftables: read the ruleset ("list ruleset" with
 * handles), plan one batch from what it holds and run it as one
 * transaction. See firewall.h for what is opened where.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <arpa/inet.h>
#include <nftables/libnftables.h>

#include "array.h"
#include "firewall.h"

/* ---- parsing "nft -a list ruleset" ---- */

/* Next whitespace-separated word of *@s into @buf (quotes stripped). */
static void word(const char **s, char *buf, size_t len)
{
	const char *p = *s, *e;
	size_t n;

	while (*p == ' ' || *p == '\t')
		p++;
	e = p;
	while (*e && *e != ' ' && *e != '\t')
		e++;
	*s = e;
	if (e > p && *p == '"')
		p++;
	if (e > p && e[-1] == '"')
		e--;
	n = (size_t)(e - p) < len ? (size_t)(e - p) : len - 1;
	memcpy(buf, p, n);
	buf[n] = '\0';
}

/* '{' minus '}' on @line, outside quoted strings. */
static int braces(const char *line)
{
	bool q = false;
	int d = 0;

	for (; *line; line++) {
		if (*line == '"')
			q = !q;
		else if (!q && *line == '{')
			d++;
		else if (!q && *line == '}')
			d--;
	}
	return d;
}

/*
 * Names the plans may print back into a batch: nft's own identifiers
 * (letters, digits, "_./-"). nft never prints anything else unquoted, and
 * a chain whose name is not one is left out rather than quoted, so that
 * no text read from the ruleset can add a command or a comment to ours.
 */
static bool plain_name(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr("_./-", *s))
			return false;
	return true;
}

static bool starts(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

static int parse_line(struct fw_ruleset *rs, char *line, int *depth,
		      bool *in_chain)
{
	char *h = strstr(line, " # handle "), w[256];
	const char *p = line;
	uint64_t handle = 0;
	bool has_handle = false;
	size_t n;

	if (h) {
		handle = strtoull(h + 10, NULL, 10);
		has_handle = true;
		*h = '\0';
	}
	while (*p == ' ' || *p == '\t')
		p++;
	n = strlen(p);
	while (n && (p[n - 1] == ' ' || p[n - 1] == '\t' || p[n - 1] == '\r'))
		n--;
	((char *)p)[n] = '\0';

	if (*depth == 0 && starts(p, "table ")) {
		struct fw_table *t = array_push(&rs->tables, &rs->n_tables,
						&rs->cap_tables, sizeof(*t));

		if (!t)
			return -1;
		p += 6;
		word(&p, t->family, sizeof(t->family));
		word(&p, w, sizeof(w));
		t->name = strdup(w);
		if (!t->name)
			return -1;
	} else if (*depth == 1 && rs->n_tables && strchr(p, '{')) {
		struct fw_table *t = &rs->tables[rs->n_tables - 1];

		t->n_objects++;
		*in_chain = starts(p, "chain ");
		if (*in_chain) {
			struct fw_chain *c = array_push(&rs->chains,
							&rs->n_chains,
							&rs->cap_chains,
							sizeof(*c));

			if (!c)
				return -1;
			p += 6;
			word(&p, w, sizeof(w));
			memcpy(c->family, t->family, sizeof(c->family));
			c->table = strdup(t->name);
			c->name = strdup(w);
			if (!c->table || !c->name)
				return -1;
			if (!plain_name(c->family) || !plain_name(c->table) ||
			    !plain_name(c->name)) {
				free(c->table);
				free(c->name);
				rs->n_chains--;
				*in_chain = false;
			}
		}
	} else if (*depth == 2 && *in_chain && rs->n_chains) {
		struct fw_chain *c = &rs->chains[rs->n_chains - 1];
		const char *hook = strstr(p, " hook ");

		if (starts(p, "type ") && hook) {
			const char *q = hook + 6;

			c->base = true;
			word(&q, c->hook, sizeof(c->hook));
			c->policy_drop = strstr(p, "policy drop;") != NULL;
		} else if (has_handle && *p) {
			struct fw_rule *r = array_push(&c->rules, &c->n_rules,
						       &c->cap_rules,
						       sizeof(*r));

			if (!r)
				return -1;
			r->text = strdup(p);
			r->handle = handle;
			if (!r->text)
				return -1;
		}
	}
	*depth += braces(p);
	if (*depth < 2)
		*in_chain = false;
	if (*depth < 0)
		*depth = 0;
	return 0;
}

int fw_ruleset_parse(const char *text, struct fw_ruleset *rs)
{
	char *copy = strdup(text), *line, *save = NULL;
	bool in_chain = false;
	int depth = 0, ret = 0;

	memset(rs, 0, sizeof(*rs));
	if (!copy)
		return -1;
	for (line = strtok_r(copy, "\n", &save); line && !ret;
	     line = strtok_r(NULL, "\n", &save))
		ret = parse_line(rs, line, &depth, &in_chain);
	free(copy);
	if (ret)
		fw_ruleset_free(rs);
	return ret;
}

void fw_ruleset_free(struct fw_ruleset *rs)
{
	for (size_t i = 0; i < rs->n_tables; i++)
		free(rs->tables[i].name);
	for (size_t i = 0; i < rs->n_chains; i++) {
		struct fw_chain *c = &rs->chains[i];

		for (size_t j = 0; j < c->n_rules; j++)
			free(c->rules[j].text);
		free(c->rules);
		free(c->table);
		free(c->name);
	}
	free(rs->tables);
	free(rs->chains);
	memset(rs, 0, sizeof(*rs));
}

/* ---- planning ---- */

void fw_chain_name(const char *owner, char *buf, size_t len)
{
	/* nft identifiers start with a letter: mesh names need not. */
	snprintf(buf, len, "input-%s", owner);
}

void fw_exit_chain_names(const char *owner, char *fwd, char *nat,
			 size_t len)
{
	snprintf(fwd, len, "forward-%s", owner);
	snprintf(nat, len, "postrouting-%s", owner);
}

void fw_mark_chain_names(const char *owner, char *pre, char *out,
			 size_t len)
{
	snprintf(pre, len, "prerouting-%s", owner);
	snprintf(out, len, "output-%s", owner);
}

bool fw_plain_ifname(const char *name)
{
	size_t n = strlen(name);

	if (!n || n > 15)
		return false;
	for (; *name; name++)
		if (!isalnum((unsigned char)*name) && !strchr("_.-@", *name))
			return false;
	return true;
}

#define OUR_CHAIN_SPEC "{ type filter hook input priority filter - 1; " \
		       "policy accept; }"
#define FWD_CHAIN_SPEC "{ type filter hook forward priority filter - 1; " \
		       "policy accept; }"
#define NAT_CHAIN_SPEC "{ type nat hook postrouting priority srcnat; " \
		       "policy accept; }"
#define PRE_CHAIN_SPEC "{ type filter hook prerouting priority mangle; " \
		       "policy accept; }"
#define OUT_CHAIN_SPEC "{ type route hook output priority mangle; " \
		       "policy accept; }"

static bool is_ours(const char *family, const char *table)
{
	return !strcmp(family, FW_FAMILY) && !strcmp(table, FW_TABLE);
}

/* Rule @i of what @r wants, as nft lists it. */
static void want_rule(const struct fw_rules *r, size_t i, char *buf,
		      size_t len)
{
	snprintf(buf, len, "udp dport %u accept comment \"" FW_TAG_PREFIX
		 "%s\"", r->udp_ports[i], r->owner);
}

/* One chain of an owner's as wanted: no rules means no chain. */
struct want_chain {
	char name[128];
	const char *hook, *spec;
	char **rules;
	size_t n, cap;
};

enum { W_INPUT, W_FORWARD, W_NAT, W_PRE, W_OUT, W_N };

static void chain_names(const char *owner, char names[W_N][128])
{
	fw_chain_name(owner, names[W_INPUT], 128);
	fw_exit_chain_names(owner, names[W_FORWARD], names[W_NAT], 128);
	fw_mark_chain_names(owner, names[W_PRE], names[W_OUT], 128);
}

static int add_text(struct want_chain *w, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int add_text(struct want_chain *w, const char *fmt, ...)
{
	char **slot = array_push(&w->rules, &w->n, &w->cap, sizeof(*slot));
	va_list ap;
	int ret;

	if (!slot)
		return -1;
	va_start(ap, fmt);
	ret = vasprintf(slot, fmt, ap);
	va_end(ap);
	if (ret < 0) {
		w->n--;
		return -1;
	}
	return 0;
}

/* The Table/FwMark rules of @m (see struct fw_mark). -1: out of memory. */
static int want_mark(const struct fw_mark *m, struct want_chain *w)
{
	char mk[16];

	if (!m->mesh_if || !m->mark)
		return 0;
	snprintf(mk, sizeof(mk), "0x%08x", m->mark);
	if (add_text(&w[W_PRE], "ct mark %s meta mark set ct mark", mk))
		return -1;
	/*
	 * The cgroup decides a connection's first packet only: WireGuard
	 * encrypts in place, so its UDP packets still point to the socket
	 * of what they carry, and marking them would route the tunnel into
	 * itself. The connection's mark carries the decision on.
	 */
	/*
	 * Nor may a new connection of the tunnel itself, which comes to be
	 * whenever its endpoint changes (roaming, watch's re-resolution) and
	 * may start with an exec'd program's packet: by its source port.
	 */
	if (m->cgroup && m->wg_port &&
	    add_text(&w[W_OUT], "udp sport %u return", m->wg_port))
		return -1;
	if (m->cgroup && (add_text(&w[W_OUT], "ct mark %s meta mark set ct "
				   "mark", mk) ||
			  add_text(&w[W_OUT], "ct state new socket cgroupv2 "
				   "level %u \"%s\" meta mark set %s",
				   m->cgroup_level, m->cgroup, mk)))
		return -1;
	if (add_text(&w[W_OUT], "meta mark %s ct mark set meta mark", mk))
		return -1;
	if (m->v4_range && add_text(&w[W_NAT], "oifname \"%s\" meta mark %s "
				    "ip saddr != %s masquerade", m->mesh_if,
				    mk, m->v4_range))
		return -1;
	if (m->v6_range && add_text(&w[W_NAT], "oifname \"%s\" meta mark %s "
				    "ip6 saddr != %s masquerade", m->mesh_if,
				    mk, m->v6_range))
		return -1;
	return 0;
}

static void free_wants(struct want_chain *w)
{
	for (size_t k = 0; k < W_N; k++) {
		for (size_t i = 0; i < w[k].n; i++)
			free(w[k].rules[i]);
		free(w[k].rules);
	}
}

static const char *ip4(uint32_t a, char *buf)
{
	uint32_t n = htonl(a);

	return inet_ntop(AF_INET, &n, buf, INET_ADDRSTRLEN);
}

/* The chains @r wants, as nft lists their rules. -1: out of memory. */
static int want_chains(const struct fw_rules *r, struct want_chain *w)
{
	const struct fw_exit *e = &r->exit;
	char rule[160], a[INET_ADDRSTRLEN];

	memset(w, 0, W_N * sizeof(*w));
	fw_chain_name(r->owner, w[W_INPUT].name, sizeof(w[W_INPUT].name));
	fw_exit_chain_names(r->owner, w[W_FORWARD].name, w[W_NAT].name,
			    sizeof(w[W_NAT].name));
	fw_mark_chain_names(r->owner, w[W_PRE].name, w[W_OUT].name,
			    sizeof(w[W_OUT].name));
	w[W_PRE].hook = "prerouting";
	w[W_PRE].spec = PRE_CHAIN_SPEC;
	w[W_OUT].hook = "output";
	w[W_OUT].spec = OUT_CHAIN_SPEC;
	w[W_INPUT].hook = "input";
	w[W_INPUT].spec = OUR_CHAIN_SPEC;
	w[W_FORWARD].hook = "forward";
	w[W_FORWARD].spec = FWD_CHAIN_SPEC;
	w[W_NAT].hook = "postrouting";
	w[W_NAT].spec = NAT_CHAIN_SPEC;
	for (size_t i = 0; i < r->n_udp_ports; i++) {
		want_rule(r, i, rule, sizeof(rule));
		if (add_text(&w[W_INPUT], "%s", rule))
			goto oom;
	}
	if (!e->mesh_if || !e->uplink || !e->n_users)
		return want_mark(&r->mark, w) ? (free_wants(w), -1) : 0;
	for (size_t i = 0; i < e->n_users; i++)
		if (add_text(&w[W_FORWARD], "iifname \"%s\" oifname \"%s\" "
			     "ip saddr %s accept", e->mesh_if, e->uplink,
			     ip4(e->users[i], a)) ||
		    add_text(&w[W_NAT], "oifname \"%s\" ip saddr %s masquerade",
			     e->uplink, ip4(e->users[i], a)))
			goto oom;
	if (add_text(&w[W_FORWARD], "iifname \"%s\" oifname \"%s\" ct state "
		     "established,related accept", e->uplink, e->mesh_if) ||
	    add_text(&w[W_FORWARD], "iifname \"%s\" oifname \"%s\" drop",
		     e->mesh_if, e->uplink) ||
	    add_text(&w[W_FORWARD], "iifname \"%s\" oifname \"%s\" drop",
		     e->uplink, e->mesh_if) ||
	    want_mark(&r->mark, w))
		goto oom;
	return 0;
oom:
	free_wants(w);
	return -1;
}

/* Whether rule text @text carries @owner's tag. */
static bool tagged(const char *text, const char *owner)
{
	char tag[128];
	size_t n = strlen(text), m;

	snprintf(tag, sizeof(tag), "comment \"" FW_TAG_PREFIX "%s\"", owner);
	m = strlen(tag);
	return n >= m && !strcmp(text + n - m, tag) &&
	       (n == m || text[n - m - 1] == ' ');
}

static const struct fw_table *find_table(const struct fw_ruleset *rs,
					 const char *family, const char *name)
{
	for (size_t i = 0; i < rs->n_tables; i++)
		if (!strcmp(rs->tables[i].family, family) &&
		    !strcmp(rs->tables[i].name, name))
			return &rs->tables[i];
	return NULL;
}

static const struct fw_chain *find_chain(const struct fw_ruleset *rs,
					 const char *family, const char *table,
					 const char *name)
{
	for (size_t i = 0; i < rs->n_chains; i++) {
		const struct fw_chain *c = &rs->chains[i];

		if (!strcmp(c->family, family) && !strcmp(c->table, table) &&
		    !strcmp(c->name, name))
			return c;
	}
	return NULL;
}

/* Another table's input chain that drops what nobody accepted. */
static bool drops_input(const struct fw_chain *c)
{
	return !is_ours(c->family, c->table) && c->base &&
	       !strcmp(c->hook, "input") && c->policy_drop &&
	       (!strcmp(c->family, "inet") || !strcmp(c->family, "ip") ||
		!strcmp(c->family, "ip6"));
}

static bool is_our_base(const struct fw_chain *c, const char *hook)
{
	return c->base && !strcmp(c->hook, hook) && !c->policy_drop;
}

/* Close @f and hand its text over, NULL when empty. */
static int finish(FILE *f, char **buf, size_t *len, char **batch)
{
	bool bad = ferror(f);

	if (fclose(f) || bad) {
		free(*buf);
		return -1;
	}
	if (!*len) {
		free(*buf);
		*buf = NULL;
	}
	*batch = *buf;
	return 0;
}

int fw_plan_remove(const struct fw_ruleset *cur, const char *owner,
		   char **batch)
{
	char names[W_N][128], *buf = NULL;
	const struct fw_chain *ours[W_N];
	const struct fw_table *t;
	size_t len = 0, n_ours = 0;
	FILE *f;

	*batch = NULL;
	f = open_memstream(&buf, &len);
	if (!f)
		return -1;
	chain_names(owner, names);
	for (size_t k = 0; k < W_N; k++) {
		ours[k] = find_chain(cur, FW_FAMILY, FW_TABLE, names[k]);
		n_ours += !!ours[k];
	}
	t = find_table(cur, FW_FAMILY, FW_TABLE);
	/* The table goes when our chains were all it held. */
	if (n_ours && t && t->n_objects == n_ours)
		fprintf(f, "delete table %s %s\n", FW_FAMILY, FW_TABLE);
	else
		for (size_t k = 0; k < W_N; k++)
			if (ours[k])
				fprintf(f, "delete chain %s %s %s\n",
					FW_FAMILY, FW_TABLE, names[k]);
	for (size_t i = 0; i < cur->n_chains; i++) {
		const struct fw_chain *c = &cur->chains[i];

		if (is_ours(c->family, c->table))
			continue;
		for (size_t j = 0; j < c->n_rules; j++)
			if (tagged(c->rules[j].text, owner))
				fprintf(f, "delete rule %s %s %s handle %llu\n",
					c->family, c->table, c->name,
					(unsigned long long)c->rules[j].handle);
	}
	return finish(f, &buf, &len, batch);
}

/* Whether @c holds exactly the rules @w wants, in order. */
static bool same_rules(const struct fw_chain *c, const struct want_chain *w)
{
	if (c->n_rules != w->n)
		return false;
	for (size_t i = 0; i < w->n; i++)
		if (strcmp(c->rules[i].text, w->rules[i]))
			return false;
	return true;
}

/* Our rules in another table's chain @c: keep, delete, insert. */
static void plan_foreign(FILE *f, const struct fw_chain *c,
			 const struct fw_rules *r, size_t *n_foreign)
{
	bool wanted = drops_input(c) && r->n_udp_ports;
	char want[160];

	for (size_t j = 0; j < c->n_rules; j++) {
		bool keep = false;

		if (!tagged(c->rules[j].text, r->owner))
			continue;
		for (size_t i = 0; wanted && i < r->n_udp_ports; i++) {
			want_rule(r, i, want, sizeof(want));
			keep |= !strcmp(c->rules[j].text, want);
		}
		if (!keep)
			fprintf(f, "delete rule %s %s %s handle %llu\n",
				c->family, c->table, c->name,
				(unsigned long long)c->rules[j].handle);
	}
	if (!wanted)
		return;
	(*n_foreign)++;
	/* Inserted at the top, last first: they end up in port order. */
	for (size_t i = r->n_udp_ports; i-- > 0;) {
		bool have = false;

		want_rule(r, i, want, sizeof(want));
		for (size_t j = 0; j < c->n_rules; j++)
			have |= !strcmp(c->rules[j].text, want);
		if (!have)
			fprintf(f, "insert rule %s %s %s %s\n", c->family,
				c->table, c->name, want);
	}
}

/* One chain of ours: delete, keep, refill or create it. */
static void plan_ours(FILE *f, const struct fw_ruleset *cur,
		      const struct want_chain *w, bool *table_added)
{
	const struct fw_chain *c = find_chain(cur, FW_FAMILY, FW_TABLE,
					      w->name);

	if (!w->n) {
		if (c)
			fprintf(f, "delete chain %s %s %s\n", FW_FAMILY,
				FW_TABLE, w->name);
		return;
	}
	if (c && is_our_base(c, w->hook) && same_rules(c, w))
		return;
	if (c && is_our_base(c, w->hook)) {
		fprintf(f, "flush chain %s %s %s\n", FW_FAMILY, FW_TABLE,
			w->name);
	} else {
		if (c)
			fprintf(f, "delete chain %s %s %s\n", FW_FAMILY,
				FW_TABLE, w->name);
		if (!*table_added)
			fprintf(f, "add table %s %s\n", FW_FAMILY, FW_TABLE);
		*table_added = true;
		fprintf(f, "add chain %s %s %s %s\n", FW_FAMILY, FW_TABLE,
			w->name, w->spec);
	}
	for (size_t i = 0; i < w->n; i++)
		fprintf(f, "add rule %s %s %s %s\n", FW_FAMILY, FW_TABLE,
			w->name, w->rules[i]);
}

int fw_plan_apply(const struct fw_ruleset *cur, const struct fw_rules *want,
		  char **batch, size_t *n_foreign)
{
	struct want_chain w[W_N];
	bool table_added = false;
	char *buf = NULL;
	size_t len = 0, any = 0;
	FILE *f;

	*batch = NULL;
	*n_foreign = 0;
	if (want_chains(want, w))
		return -1;
	for (size_t k = 0; k < W_N; k++)
		any += w[k].n;
	if (!any) {
		free_wants(w);
		return fw_plan_remove(cur, want->owner, batch);
	}
	f = open_memstream(&buf, &len);
	if (!f) {
		free_wants(w);
		return -1;
	}
	for (size_t k = 0; k < W_N; k++)
		plan_ours(f, cur, &w[k], &table_added);
	free_wants(w);
	for (size_t i = 0; i < cur->n_chains; i++)
		if (!is_ours(cur->chains[i].family, cur->chains[i].table))
			plan_foreign(f, &cur->chains[i], want, n_foreign);
	return finish(f, &buf, &len, batch);
}

/* ---- ufw, firewalld ---- */

static bool ufw_enabled(const char *path)
{
	char line[256];
	bool on = false;
	FILE *f = fopen(path, "re");

	if (!f)
		return false;
	while (fgets(line, sizeof(line), f)) {
		char *p = line, *e;

		while (isspace((unsigned char)*p))
			p++;
		if (strncmp(p, "ENABLED=", 8))
			continue;
		p += 8;
		e = p + strlen(p);
		while (e > p && isspace((unsigned char)e[-1]))
			e--;
		if (e - p >= 2 && (*p == '"' || *p == '\'') && e[-1] == *p) {
			p++;
			e--;
		}
		on = e - p == 3 && !strncasecmp(p, "yes", 3);
	}
	fclose(f);
	return on;
}

enum fw_manager fw_detect(const char *root)
{
	char path[4096];
	struct stat st;

	snprintf(path, sizeof(path), "%s/etc/ufw/ufw.conf", root);
	if (ufw_enabled(path))
		return FW_MANAGER_UFW;
	snprintf(path, sizeof(path), "%s/run/firewalld", root);
	if (!stat(path, &st))
		return FW_MANAGER_FIREWALLD;
	return FW_MANAGER_NONE;
}

void fw_hint(enum fw_manager m, uint16_t port, char *buf, size_t len)
{
	if (m == FW_MANAGER_UFW)
		snprintf(buf, len, "firewall: ufw is active, wgmesh leaves it "
			 "alone: to open the listen port run 'ufw allow %u/udp'",
			 port);
	else if (m == FW_MANAGER_FIREWALLD)
		snprintf(buf, len, "firewall: firewalld is running, wgmesh "
			 "leaves it alone: to open the listen port run "
			 "'firewall-cmd --add-port=%u/udp --permanent && "
			 "firewall-cmd --reload'", port);
	else
		snprintf(buf, len, "firewall: no other firewall manager");
}

/* ---- libnftables ---- */

/* nft's error output in one line: its message and the command it names. */
static void nft_error(struct nft_ctx *ctx, const char *what, char *err,
		      size_t errlen)
{
	const char *e = nft_ctx_get_error_buffer(ctx);
	const char *nl, *cmd = "";
	int n = 0, m = 0;

	if (!e)
		e = "";
	if (!strncmp(e, "Error: ", 7))
		e += 7;
	nl = strchr(e, '\n');
	n = nl ? (int)(nl - e) : (int)strlen(e);
	if (nl) {
		const char *nl2;

		cmd = nl + 1;
		nl2 = strchr(cmd, '\n');
		m = nl2 ? (int)(nl2 - cmd) : (int)strlen(cmd);
	}
	if (!n)
		snprintf(err, errlen, "firewall: nft %s failed", what);
	else if (m)
		snprintf(err, errlen, "firewall: nft %s: %.*s (in '%.*s')",
			 what, n, e, m, cmd);
	else
		snprintf(err, errlen, "firewall: nft %s: %.*s", what, n, e);
}

/* A context with the current ruleset read into @rs: FW_*. */
static int open_read(struct nft_ctx **ctxp, struct fw_ruleset *rs, char *err,
		     size_t errlen)
{
	struct nft_ctx *ctx = nft_ctx_new(NFT_CTX_DEFAULT);

	*ctxp = ctx;
	if (!ctx) {
		snprintf(err, errlen, "firewall: nftables not available "
			 "(libnftables could not start)");
		return FW_UNAVAILABLE;
	}
	if (nft_ctx_buffer_output(ctx) || nft_ctx_buffer_error(ctx)) {
		snprintf(err, errlen, "firewall: out of memory");
		return FW_ERROR;
	}
	nft_ctx_output_set_flags(ctx, NFT_CTX_OUTPUT_HANDLE);
	if (nft_run_cmd_from_buffer(ctx, "list ruleset")) {
		nft_error(ctx, "list ruleset", err, errlen);
		return FW_UNAVAILABLE;
	}
	if (fw_ruleset_parse(nft_ctx_get_output_buffer(ctx), rs)) {
		snprintf(err, errlen, "firewall: out of memory");
		return FW_ERROR;
	}
	return FW_OK;
}

static int run_batch(struct nft_ctx *ctx, const char *batch,
		     const char *what, char *err, size_t errlen)
{
	if (nft_run_cmd_from_buffer(ctx, batch)) {
		nft_error(ctx, what, err, errlen);
		return FW_ERROR;
	}
	return FW_OK;
}

int fw_apply(const struct fw_rules *r, bool *changed, size_t *n_foreign,
	     char *err, size_t errlen)
{
	struct fw_ruleset rs = { 0 };
	struct nft_ctx *ctx;
	char *batch = NULL;
	int ret;

	*changed = false;
	*n_foreign = 0;
	ret = open_read(&ctx, &rs, err, errlen);
	if (!ret && fw_plan_apply(&rs, r, &batch, n_foreign)) {
		snprintf(err, errlen, "firewall: out of memory");
		ret = FW_ERROR;
	}
	if (!ret && batch) {
		ret = run_batch(ctx, batch, "transaction on table "
				FW_FAMILY " " FW_TABLE, err, errlen);
		*changed = !ret;
	}
	free(batch);
	fw_ruleset_free(&rs);
	if (ctx)
		nft_ctx_free(ctx);
	return ret;
}

int fw_remove(const char *owner, bool *changed, char *err, size_t errlen)
{
	struct fw_ruleset rs = { 0 };
	struct nft_ctx *ctx;
	char *batch = NULL, what[128];
	int ret;

	*changed = false;
	snprintf(what, sizeof(what), "removal of the rules of "
		 FW_TAG_PREFIX "%s", owner);
	ret = open_read(&ctx, &rs, err, errlen);
	if (!ret && fw_plan_remove(&rs, owner, &batch)) {
		snprintf(err, errlen, "firewall: out of memory");
		ret = FW_ERROR;
	}
	if (!ret && batch) {
		ret = run_batch(ctx, batch, what, err, errlen);
		*changed = !ret;
	}
	free(batch);
	fw_ruleset_free(&rs);
	if (ctx)
		nft_ctx_free(ctx);
	return ret;
}
