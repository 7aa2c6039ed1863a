/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The firewall: what wgmesh opens in nftables, through libnftables.
 *
 * Everything wgmesh adds lives in "table inet wgmesh" (FW_FAMILY,
 * FW_TABLE), one base chain per owner (a mesh: "input-<mesh>"), so that
 * two meshes on one machine, and later other features (an exit gateway's
 * masquerading), never replace each other's rules. fw_apply() replaces
 * everything one owner has with what struct fw_rules says, in one nft
 * transaction (all of it or nothing); fw_remove() takes it all away and
 * leaves the ruleset as it was before the first fw_apply().
 *
 * nftables semantics force one exception to "our table only": every base
 * chain on a hook sees the packet, an accept ends only the chain that
 * says it and a drop anywhere is final. An accept in our table cannot
 * open a port that another table's input chain drops by policy (Debian's
 * /etc/nftables.conf shape, "policy drop"). So for each such chain (hook
 * input, policy drop, family ip, ip6 or inet) fw_apply() also inserts, at
 * its top, the same accept rule tagged with a comment "wgmesh:<owner>",
 * and fw_remove() deletes exactly the rules with that tag (by handle).
 * A chain that drops by a rule of its own (policy accept, then "drop")
 * is not recognised: README "Firewall" says what to run there.
 *
 * The parts without I/O (parsing "nft -a list ruleset", planning the
 * batch, detecting ufw or firewalld) are separate for the unit tests.
 */
#ifndef WGMESH_FIREWALL_H
#define WGMESH_FIREWALL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FW_FAMILY	"inet"
#define FW_TABLE	"wgmesh"
#define FW_TAG_PREFIX	"wgmesh:"	/* comment "wgmesh:<owner>" */
#define FW_MAX_PORTS	8
/* Tests point the ufw and firewalld paths below another root. */
#define FW_ROOT_ENV	"WGMESH_FIREWALL_ROOT"

/*
 * An exit gateway's IPv4 (README "Exits"): the users' mesh addresses
 * masqueraded out of the uplink ("postrouting-<owner>", nat), and in
 * "forward-<owner>" only their packets from the mesh interface to the
 * uplink and established/related ones back; anything else between the
 * two is dropped. Interface names must be plain (fw_plain_ifname()).
 */
struct fw_exit {
	const char *mesh_if, *uplink;	/* NULL: no exit */
	const uint32_t *users;		/* IPv4 addresses, host order */
	size_t n_users;
};

/*
 * A machine with Table and FwMark (README "Per-VPN routing tables"):
 *
 *   "output-<owner>" (type route hook output, priority mangle): sockets
 *   of the processes in @cgroup (wgmesh exec) get their packets marked
 *   @mark, and the route is looked up again; every packet leaving with
 *   @mark saves it in its connection (ct mark);
 *   "prerouting-<owner>" (filter, prerouting, mangle): packets of those
 *   connections get the mark back before routing, so that strict
 *   reverse-path filtering (with src_valid_mark) checks their source in
 *   table N, which routes it through the mesh;
 *   "postrouting-<owner>" (nat): marked packets into @mesh_if whose
 *   source is none of the mesh's (their route was chosen before the
 *   mark) are masqueraded to the machine's mesh address.
 */
struct fw_mark {
	const char *mesh_if;	/* NULL: none */
	uint32_t mark;
	const char *cgroup;	/* below the cgroup2 root, NULL: no exec */
	unsigned int cgroup_level;
	uint16_t wg_port;	/* the tunnel's own UDP source port, 0: none */
	const char *v4_range;	/* "10.128.0.0/16", NULL: IPv6 only */
	const char *v6_range;	/* the mesh /40 */
};

/* What one owner wants open. */
struct fw_rules {
	const char *owner;	/* the mesh name: names the chain, tags rules */
	uint16_t udp_ports[FW_MAX_PORTS];	/* incoming UDP to accept */
	size_t n_udp_ports;
	struct fw_exit exit;
	struct fw_mark mark;
};

/* Whether @name can go into an nft rule as it is (letters, digits, "_.-@"). */
bool fw_plain_ifname(const char *name);

/* A ruleset as "nft -a list ruleset" prints it: what the plans need. */
struct fw_rule {
	char *text;		/* without "# handle N" */
	uint64_t handle;
};

struct fw_chain {
	char family[8];
	char *table, *name;
	bool base;		/* has "type ... hook ..." */
	char hook[16];		/* "input", ... ("" if not a base chain) */
	bool policy_drop;
	struct fw_rule *rules;
	size_t n_rules, cap_rules;
};

struct fw_table {
	char family[8];
	char *name;
	size_t n_objects;	/* chains, sets, maps, ... in it */
};

struct fw_ruleset {
	struct fw_table *tables;
	size_t n_tables, cap_tables;
	struct fw_chain *chains;
	size_t n_chains, cap_chains;
};

/* Parse @text (nft -a list ruleset); -1 when out of memory. */
int fw_ruleset_parse(const char *text, struct fw_ruleset *rs);
void fw_ruleset_free(struct fw_ruleset *rs);

/* The chain of @owner in table inet wgmesh: "input-<owner>". */
void fw_chain_name(const char *owner, char *buf, size_t len);
/* Its exit's chains: "forward-<owner>", "postrouting-<owner>". */
void fw_exit_chain_names(const char *owner, char *fwd, char *nat,
			 size_t len);
/* Its Table's: "prerouting-<owner>", "output-<owner>" (and the nat one). */
void fw_mark_chain_names(const char *owner, char *pre, char *out,
			 size_t len);

/*
 * The nft batch that makes @cur what @want says for @want->owner (with no
 * port and no exit: fw_plan_remove()), in *@batch (malloc'ed; NULL when there is
 * nothing to do). *@n_foreign: how many other tables' chains get a rule.
 * 0, or -1 when out of memory.
 */
int fw_plan_apply(const struct fw_ruleset *cur, const struct fw_rules *want,
		  char **batch, size_t *n_foreign);
/* The batch that removes everything of @owner (NULL: nothing). */
int fw_plan_remove(const struct fw_ruleset *cur, const char *owner,
		   char **batch);

/* Another firewall manager that owns the ruleset. */
enum fw_manager { FW_MANAGER_NONE, FW_MANAGER_UFW, FW_MANAGER_FIREWALLD };

/*
 * Is ufw active (@root/etc/ufw/ufw.conf says ENABLED=yes) or firewalld
 * running (@root/run/firewalld exists)? @root is "" for the real ones.
 */
enum fw_manager fw_detect(const char *root);
/* One line: what to run instead, for @port. */
void fw_hint(enum fw_manager m, uint16_t port, char *buf, size_t len);

/* Results of fw_apply() and fw_remove(). */
enum {
	FW_ERROR = -1,		/* @err says which nft operation and why */
	FW_OK = 0,
	FW_UNAVAILABLE = 1,	/* no nftables here: @err says why */
};

/*
 * Make the ruleset what @r says for its owner, in one transaction.
 * *@changed: whether anything was changed; *@n_foreign as fw_plan_apply().
 */
int fw_apply(const struct fw_rules *r, bool *changed, size_t *n_foreign,
	     char *err, size_t errlen);
/* Remove everything of @owner; *@changed as above. */
int fw_remove(const char *owner, bool *changed, char *err, size_t errlen);

#endif /* WGMESH_FIREWALL_H */
