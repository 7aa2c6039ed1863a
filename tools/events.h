/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Drop events for "wgmesh watch": "watch FILE --events" prints them (one
 * line each, or one JSON object a line with --json), the watch daemon logs
 * them, at most EVLOG_BURST lines per EVLOG_WINDOW seconds. Sources are
 * named from the topology file.
 */
#ifndef WGMESH_EVENTS_H
#define WGMESH_EVENTS_H

#include <stdbool.h>

#include "lib/topology.h"
#include "nl/events.h"

#define EVLOG_BURST	10
#define EVLOG_WINDOW	10.0

struct evlog_name;

struct evlog {
	struct meshev ev;
	bool open;
	bool json;
	bool limited;			/* the daemon's rate limit */
	double window;			/* start of the current window */
	unsigned int lines;		/* logged in it */
	unsigned long long held;	/* not logged in it */
	const struct wgmesh_topology *named;	/* names[] is of this one */
	struct evlog_name *names;
	size_t n_names;
	char ifname[16];		/* of the last event */
};

/*
 * Subscribe; 0, or -1 after putting one line in @err (@errlen bytes).
 * @json: JSON lines; @limited: rate-limit (the daemon).
 */
int evlog_open(struct evlog *l, bool json, bool limited, char *err,
	       size_t errlen);
void evlog_close(struct evlog *l);
/* The topology names were learnt from is gone (freed, or replaced). */
void evlog_forget(struct evlog *l);
int evlog_fd(const struct evlog *l);
/* Print what arrived for @t's interface; -1 if reading failed (said). */
int evlog_read(struct evlog *l, const struct wgmesh_topology *t, double now);
/* One event (evlog_read()'s, and tests'): printed, or held by the limit. */
void evlog_event(struct evlog *l, const struct wgmesh_topology *t,
		 const struct meshev_event *e, double now);
/*
 * The rate limit's window: when it ends with events held back, the time
 * evlog_tick() says how many (INFINITY: nothing held), so that the count
 * comes when the window closes, not with the next event.
 */
double evlog_due(const struct evlog *l);
void evlog_tick(struct evlog *l, double now);
/* The line (no newline) of one event, into @buf; for tests. */
void evlog_format(struct evlog *l, const struct wgmesh_topology *t,
		  const struct meshev_event *e, char *buf, size_t len);

/* "wgmesh watch FILE --events [--json]": print until SIGTERM/SIGINT. */
int evlog_run(const char *file, bool json);

#endif
