/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The topology file: one INI-like file, no secrets, the same on every
 * machine. wgmesh_topology_parse() returns a fully validated mesh (syntax,
 * references, duplicates, address collisions, policy) or one error line
 * "FILE:LINE: what is wrong".
 *
 * Controllers and peers are sorted by name (byte order); groups get bit
 * indices 0..63 in name order, so the same set of groups always maps to
 * the same bits whatever the order of the file.
 */
#ifndef WGMESH_TOPOLOGY_H
#define WGMESH_TOPOLOGY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../../kernel/uapi/wgmesh.h"	/* WGMESH_MAX_GROUPS */

#define WGMESH_KEY_LEN		32
#define WGMESH_DEFAULT_PORT	51820
#define WGMESH_NAME_MAX		63	/* machine, mesh and group names */
#define WGMESH_IFNAME_MAX	15	/* IFNAMSIZ - 1 */
#define WGMESH_KEEPALIVE	25
#define WGMESH_ERR_LEN		512	/* enough for any error message */
/* wgmesh watch's defaults: a dead controller is found within 10 s. */
#define WGMESH_PROBE_INTERVAL_MS	2000
#define WGMESH_DEAD_AFTER_MS		8000
/* ... and re-resolves controllers' host names every 30 s (reresolve-dns.sh). */
#define WGMESH_RESOLVE_INTERVAL_MS	30000

#define WGMESH_MAX_MACHINE_SUBNETS	WGMESH_MAX_SUBNETS	/* 64 */

/* A prefix routed to a machine: IPv4 in addr[0..3], or IPv6 (<= /64). */
struct wgmesh_subnet {
	int family;		/* AF_INET or AF_INET6 */
	uint8_t addr[16];	/* host bits zero */
	uint8_t len;
};

/*
 * What a machine owns besides its derived IPv6 addresses: its IPv4 address
 * in the mesh range and its routed subnets. Both are "homed" at one
 * controller (a controller at itself, a peer at its designated controller)
 * whose WireGuard entry carries them everywhere else: see README "IPv4 and
 * routed subnets".
 */
struct wgmesh_owned {
	uint32_t ipv4;		/* host order; 0 when the mesh has no IPv4 */
	bool ipv4_set;		/* "IPv4 =" given, not derived */
	unsigned int ipv4_line;
	struct wgmesh_subnet *subnets;
	size_t n_subnets, cap_subnets;	/* cap: array.h's */
	unsigned int subnets_line;
	/*
	 * Table = N: this machine's mesh and exit routes go into routing
	 * table N (not main), with ip rules for packets marked FwMark and
	 * from its own addresses (README "Per-VPN routing tables"). 0: main.
	 */
	uint32_t table;
	uint32_t fwmark;	/* FwMark = M, 0 when not set (needs Table) */
	unsigned int table_line, fwmark_line;
};

struct wgmesh_controller {
	char *name;
	char *endpoint_host;	/* host name, IPv4 or IPv6 (no brackets) */
	uint16_t endpoint_port;	/* explicit, else the controller's port */
	uint16_t port;		/* listen port: Port, else the mesh Port */
	bool no_firewall;	/* Firewall = no, else the mesh's */
	bool exit;		/* Exit = yes: an exit gateway (README "Exits") */
	uint8_t public_key[WGMESH_KEY_LEN];
	uint64_t groups;	/* bit i = topology->groups[i] */
	struct wgmesh_owned owned;
	unsigned int line;	/* of its [Controller NAME] header */
};

struct wgmesh_peer {
	char *name;
	uint8_t public_key[WGMESH_KEY_LEN];
	size_t controller;	/* index of its designated controller */
	uint64_t groups;
	bool isolated;
	/* Exit = its controller: IPv4 beyond the mesh goes out there. */
	bool exit;
	struct wgmesh_owned owned;
	unsigned int line;
};

/* "Allow = A <-> B": members of group a may talk to members of group b. */
struct wgmesh_allow {
	unsigned int a, b;	/* group bit indices */
	unsigned int line;
};

struct wgmesh_policy {
	bool present;		/* the file has a [Policy] section */
	bool default_allow;	/* Default = allow (also without [Policy]) */
	struct wgmesh_allow *allow;
	size_t n_allow;
};

struct wgmesh_topology {
	char *file;		/* name used in messages */
	char *name;		/* instance: the /40 */
	char *domain;		/* Domain, else Name */
	char *interface;	/* Interface, else Name */
	uint16_t port;		/* Port, else WGMESH_DEFAULT_PORT */
	unsigned int mtu;	/* 0 when not set */
	/* wgmesh watch: ProbeInterval, DeadAfter in ms; 0 when not set */
	unsigned int probe_interval_ms, dead_after_ms;
	/* wgmesh watch: ResolveInterval in ms; 0 when not set */
	unsigned int resolve_interval_ms;
	uint32_t ipv4_prefix;	/* [Mesh] IPv4, host order, host bits zero */
	uint8_t ipv4_len;	/* 8..30, 0 when the mesh is IPv6 only */
	bool ipv4_public;	/* IPv4Public = yes: a public range is fine */
	/*
	 * Firewall = no: up leaves the firewall alone (README "Firewall");
	 * a controller's own Firewall overrides it.
	 */
	bool no_firewall;
	/*
	 * PresharedKeyFile: the mesh secret's path (psk.h), or NULL. Loaded
	 * from a file, a relative one is made relative to that file's
	 * directory.
	 */
	char *psk_file;

	struct wgmesh_controller *controllers;
	size_t n_controllers;
	struct wgmesh_peer *peers;
	size_t n_peers;

	char *groups[WGMESH_MAX_GROUPS];
	size_t n_groups;

	struct wgmesh_policy policy;
};

/*
 * Parse @len bytes of @text; @file names it in messages. On success
 * returns 0 and a topology in *@out (free with wgmesh_topology_free());
 * on failure returns -1 and one line in @err (no trailing newline).
 */
int wgmesh_topology_parse(const char *text, size_t len, const char *file,
			  struct wgmesh_topology **out, char *err,
			  size_t errlen);

/* Read and parse @path ("-" is stdin). */
int wgmesh_topology_load(const char *path, struct wgmesh_topology **out,
			 char *err, size_t errlen);

void wgmesh_topology_free(struct wgmesh_topology *t);

/* Lookups; NULL when absent. Names are compared exactly. */
const struct wgmesh_controller *
wgmesh_topology_controller(const struct wgmesh_topology *t, const char *name);
const struct wgmesh_peer *
wgmesh_topology_peer(const struct wgmesh_topology *t, const char *name);

/*
 * Find a machine by public key: returns 1 and sets *@ctrl for a
 * controller, 2 and sets *@peer for a peer, 0 when nobody has it.
 */
/* ProbeInterval and DeadAfter of @t in ms, defaults included. */
static inline unsigned int
wgmesh_watch_interval_ms(const struct wgmesh_topology *t)
{
	return t->probe_interval_ms ? t->probe_interval_ms :
				      WGMESH_PROBE_INTERVAL_MS;
}

static inline unsigned int
wgmesh_watch_dead_after_ms(const struct wgmesh_topology *t)
{
	return t->dead_after_ms ? t->dead_after_ms : WGMESH_DEAD_AFTER_MS;
}

/* ResolveInterval of @t in ms, the default included. */
static inline unsigned int
wgmesh_watch_resolve_ms(const struct wgmesh_topology *t)
{
	return t->resolve_interval_ms ? t->resolve_interval_ms :
					WGMESH_RESOLVE_INTERVAL_MS;
}

int wgmesh_topology_find_key(const struct wgmesh_topology *t,
			     const uint8_t key[WGMESH_KEY_LEN],
			     const struct wgmesh_controller **ctrl,
			     const struct wgmesh_peer **peer);

/*
 * Machine @i, controllers first (0..n_controllers-1), then peers: its name,
 * what it owns, and the index of the controller it is homed at.
 */
const char *wgmesh_machine_name(const struct wgmesh_topology *t, size_t i);
const struct wgmesh_owned *
wgmesh_machine_owned(const struct wgmesh_topology *t, size_t i);
size_t wgmesh_machine_home(const struct wgmesh_topology *t, size_t i);

/* "ADDRESS/LEN" of @s in @buf (WGMESH_PREFIX_STRLEN bytes); returns @buf. */
const char *wgmesh_subnet_str(const struct wgmesh_subnet *s, char *buf);

/* Index of group @name, or -1. */
int wgmesh_topology_group(const struct wgmesh_topology *t, const char *name);

#endif /* WGMESH_TOPOLOGY_H */
