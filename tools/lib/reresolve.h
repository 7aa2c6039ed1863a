/* SPDX-License-Identifier: GPL-2.0 */
/*
 * "wgmesh watch" re-resolves controllers' endpoints given as host names
 * (issue 16, item 2), the way wireguard-tools' reresolve-dns.sh does, but
 * without ever holding up the probes: every interval ([Mesh]
 * ResolveInterval, default 30 s) a child process resolves every name
 * with resolve_endpoint() (so the address family is the one "up" picks)
 * and writes one record per name into a pipe that the poll loop reads; a
 * child still running after RERESOLVE_TIMEOUT (glibc's resolver gives up
 * within that: 5 s, 2 attempts, 3 servers) is killed and its unanswered
 * names count as failed. Rounds never overlap: the next one starts an
 * interval after the last one ended.
 *
 * Then, per name (reresolve_step(), pure): the endpoint is set only when
 * the answer differs from the entry's endpoint as the device has it
 * (WGPEER_F_UPDATE_ONLY and the endpoint alone: no session is renewed),
 * and the entry had none ("up" left it unset), or the answer changed
 * since the last round, or nothing came from the controller since the
 * last round (its rx bytes did not rise: watch's probes and the
 * keepalives make them rise while it is reachable). The first round after
 * watch starts only notes an answer that differs from an endpoint the
 * entry has: it may be one WireGuard roamed to, which the second round
 * tells (a name that comes with a reload, a new host or port, is set at
 * once: the endpoint it differs from is the old name's). An
 * endpoint WireGuard roamed to while the answer stayed the same and
 * packets keep coming from there is left alone: it is where the
 * controller's authenticated packets come from; once they stop (the
 * roamed-to address went away) the answer is set. A failure keeps the
 * endpoint and says
 * so once, again every RERESOLVE_LOG_EVERY while it lasts, and once when
 * the name resolves again.
 */
#ifndef WGMESH_RERESOLVE_H
#define WGMESH_RERESOLVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "../nl/wg.h"
#include "topology.h"

/* Seconds: a round's longest time, between lines of one failure. */
#define RERESOLVE_TIMEOUT	30.0
#define RERESOLVE_LOG_EVERY	600.0

/* One controller's name. */
struct reresolve_name {
	char *ctrl;			/* controller name */
	char *host;			/* its Endpoint host name */
	uint16_t port;
	uint8_t key[WG_KEY_LEN];
	union wg_endpoint last;		/* last answer; family 0: none */
	uint64_t rx;			/* the entry's rx bytes last round */
	bool rx_seen;			/* rx is set */
	bool reloaded;			/* new with a reload: nothing to note */
	bool failing;			/* the last round failed */
	double fail_since, fail_said;	/* monotonic s */
	/* This round. */
	bool answered;
	int gai_err;			/* 0: @got is the answer */
	union wg_endpoint got;
	char err[128];
};

enum reresolve_decision {
	RERESOLVE_FAILED,	/* not resolved: the endpoint stays */
	RERESOLVE_SAME,		/* the device has it: nothing sent */
	RERESOLVE_ROAMED,	/* WireGuard roamed, packets come: kept */
	RERESOLVE_NOTED,	/* a first answer differing: decided next round */
	RERESOLVE_SET,		/* set the endpoint */
};

/* Whether @a and @b are the same address and port (family 0: none). */
bool reresolve_endpoint_equal(const union wg_endpoint *a,
			      const union wg_endpoint *b);

/*
 * The decision for an entry whose endpoint is @cur (family 0: none) and
 * that received packets since the last round (@alive), when the name
 * answered @got (@gai_err 0) or failed, and @prev was the last answer.
 */
enum reresolve_decision reresolve_decide(const union wg_endpoint *cur,
					 bool alive,
					 const union wg_endpoint *prev,
					 int gai_err,
					 const union wg_endpoint *got);

/*
 * One name's round at @now against its entry @p (@alive as above): the
 * decision, the state of @n updated, and the line to log in @line (empty
 * when none; "endpoint of ..." for RERESOLVE_SET, to say once it is set).
 */
enum reresolve_decision reresolve_step(struct reresolve_name *n,
				       const struct wg_peer *p, bool alive,
				       double now, char *line, size_t len);

typedef int (*reresolve_fn)(const char *host, uint16_t port,
			    union wg_endpoint *out, char *err, size_t errlen);
typedef void (*reresolve_say_fn)(void *ctx, const char *line);

struct reresolve {
	struct reresolve_name *names;
	size_t n;
	double interval;		/* s */
	double timeout;			/* RERESOLVE_TIMEOUT, or less */
	double next;			/* the next round starts then */
	double deadline;		/* the running child is killed then */
	pid_t child;			/* 0: none running */
	int fd;				/* its pipe, -1: none */
	/* Where the results go: the interface, and how to log. */
	struct nlwg *wg;
	const char *ifname;
	reresolve_say_fn say;
	void *ctx;
	/* resolve_endpoint() and the device's netlink; tests swap them. */
	reresolve_fn resolve;
	int (*get)(struct reresolve *r, struct wg_device *cur);
	int (*set)(struct reresolve *r, const struct wg_device *set);
};

/* An empty one; nothing to free yet. */
void reresolve_init(struct reresolve *r, struct nlwg *wg, reresolve_say_fn say,
		    void *ctx);

/*
 * Take the names of @t's controllers but @self (NULL on a peer) whose
 * Endpoint is a host name, not an address; a name that was there before
 * (same controller, host and port) keeps its state. A running round is
 * stopped; the next one starts at @now, then @interval s after each. 0, or -1
 * when out of memory (then it has no names).
 */
int reresolve_load(struct reresolve *r, const struct wgmesh_topology *t,
		   const struct wgmesh_controller *self, double interval,
		   double now);

/* The pipe to poll (-1: none) and when to call reresolve_tick() next. */
int reresolve_fd(const struct reresolve *r);
double reresolve_due(const struct reresolve *r);

/*
 * Start a round when one is due, stop one whose time is up (its unanswered
 * names failed) and apply it. 0, or -1 once an error is said.
 */
int reresolve_tick(struct reresolve *r, double now);

/* Read what the child wrote; at its end apply the round. 0, or -1. */
int reresolve_read(struct reresolve *r, double now);

/* Stop a running round and free the names. */
void reresolve_free(struct reresolve *r);

#endif /* WGMESH_RERESOLVE_H */
