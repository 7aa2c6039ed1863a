// SPDX-License-Identifier: GPL-2.0
/*
 * Drop events for watch, see events.h.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/signalfd.h>

#include "cli.h"
#include "events.h"
#include "lib/addr.h"

struct evlog_name {
	enum meshev_src kind;
	uint32_t id;
	const char *name;
};

int evlog_open(struct evlog *l, bool json, bool limited, char *err,
	       size_t errlen)
{
	memset(l, 0, sizeof(*l));
	l->json = json;
	l->limited = limited;
	if (meshev_open(&l->ev)) {
		snprintf(err, errlen, "%s", l->ev.s.err);
		return -1;
	}
	l->open = true;
	return 0;
}

void evlog_forget(struct evlog *l)
{
	free(l->names);
	l->names = NULL;
	l->n_names = 0;
	l->named = NULL;
}

void evlog_close(struct evlog *l)
{
	if (l->open)
		meshev_close(&l->ev);
	l->open = false;
	evlog_forget(l);
}

int evlog_fd(const struct evlog *l)
{
	return l->open ? meshev_fd(&l->ev) : -1;
}

/* A peer's id, as the module knows it: bytes 8..11 of its addresses. */
static uint32_t peer_id(const char *name)
{
	uint8_t s[WGMESH_SUFFIX_LEN];

	wgmesh_peer_suffix(name, s);
	return (uint32_t)s[0] << 24 | (uint32_t)s[1] << 16 |
	       (uint32_t)s[2] << 8 | s[3];
}

/* Ids to names for @t, computed once per topology. */
static void learn_names(struct evlog *l, const struct wgmesh_topology *t)
{
	size_t n = 0;

	if (l->named == t)
		return;
	free(l->names);
	l->n_names = 0;
	l->named = t;
	snprintf(l->ifname, sizeof(l->ifname), "%s", t->interface);
	l->names = calloc(t->n_controllers + t->n_peers + 1,
			  sizeof(*l->names));
	if (!l->names)
		return;
	for (size_t i = 0; i < t->n_controllers; i++)
		l->names[n++] = (struct evlog_name){
			MESHEV_SRC_CONTROLLER,
			wgmesh_controller_id(t->controllers[i].name),
			t->controllers[i].name };
	for (size_t i = 0; i < t->n_peers; i++)
		l->names[n++] = (struct evlog_name){
			MESHEV_SRC_PEER, peer_id(t->peers[i].name),
			t->peers[i].name };
	l->n_names = n;
}

static const char *name_of(const struct evlog *l, enum meshev_src kind,
			   uint32_t id)
{
	for (size_t i = 0; i < l->n_names; i++) {
		if (l->names[i].kind == kind && l->names[i].id == id)
			return l->names[i].name;
	}
	return NULL;
}

/* Appends to @buf (@len bytes) at *@o, truncating. */
static void put(char *buf, size_t len, size_t *o, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void put(char *buf, size_t len, size_t *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*o >= len)
		return;
	va_start(ap, fmt);
	n = vsnprintf(buf + *o, len - *o, fmt, ap);
	va_end(ap);
	if (n > 0)
		*o = *o + (size_t)n < len ? *o + (size_t)n : len;
}

/* @s as a JSON string (names and interface names are plain ASCII). */
static void put_json_str(char *buf, size_t len, size_t *o, const char *s)
{
	put(buf, len, o, "\"");
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			put(buf, len, o, "\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			put(buf, len, o, "\\u%04x", c);
		else
			put(buf, len, o, "%c", c);
	}
	put(buf, len, o, "\"");
}

void evlog_format(struct evlog *l, const struct wgmesh_topology *t,
		  const struct meshev_event *e, char *buf, size_t len)
{
	const char *reason = meshev_reason_name(e->reason);
	const char *role = e->src_kind == MESHEV_SRC_PEER ? "peer" :
			   "controller";
	char src[INET6_ADDRSTRLEN] = "", dst[INET6_ADDRSTRLEN] = "";
	char rbuf[16];
	const char *name = NULL;
	size_t o = 0;

	if (t)
		learn_names(l, t);
	if (!reason) {
		snprintf(rbuf, sizeof(rbuf), "%" PRIu32, e->reason);
		reason = rbuf;
	}
	if (e->src_kind == MESHEV_SRC_ADDR)
		inet_ntop(e->src_family, e->src, src, sizeof(src));
	if (e->dst_family)
		inet_ntop(e->dst_family, e->dst, dst, sizeof(dst));
	if (e->src_kind == MESHEV_SRC_PEER ||
	    e->src_kind == MESHEV_SRC_CONTROLLER)
		name = name_of(l, e->src_kind, e->src_id);

	if (!l->json) {
		put(buf, len, &o, "%s: ", e->ifname);
		if (e->lost) {
			put(buf, len, &o, "%" PRIu64 " dropped packet%s not "
			    "reported (event limit)", e->lost,
			    e->lost == 1 ? "" : "s");
			return;
		}
		put(buf, len, &o, "dropped %" PRIu64 " packet%s (%s)",
		    e->packets, e->packets == 1 ? "" : "s", reason);
		if (name)
			put(buf, len, &o, " from %s %s", role, name);
		else if (e->src_kind == MESHEV_SRC_PEER ||
			 e->src_kind == MESHEV_SRC_CONTROLLER)
			put(buf, len, &o, " from %s id 0x%" PRIx32, role,
			    e->src_id);
		else if (*src)
			put(buf, len, &o, " from %s", src);
		if (*dst)
			put(buf, len, &o, " to %s", dst);
		return;
	}
	put(buf, len, &o, "{\"interface\": ");
	put_json_str(buf, len, &o, e->ifname);
	if (e->lost) {
		put(buf, len, &o, ", \"lost\": %" PRIu64 "}", e->lost);
		return;
	}
	put(buf, len, &o, ", \"reason\": \"%s\", \"packets\": %" PRIu64
	    ", \"from\": ", reason, e->packets);
	if (e->src_kind == MESHEV_SRC_PEER ||
	    e->src_kind == MESHEV_SRC_CONTROLLER) {
		put(buf, len, &o, "{\"role\": \"%s\", \"id\": %" PRIu32
		    ", \"name\": ", role, e->src_id);
		if (name)
			put_json_str(buf, len, &o, name);
		else
			put(buf, len, &o, "null");
		put(buf, len, &o, "}");
	} else if (*src) {
		put(buf, len, &o, "{\"address\": \"%s\"}", src);
	} else {
		put(buf, len, &o, "null");
	}
	if (*dst)
		put(buf, len, &o, ", \"to\": \"%s\"}", dst);
	else
		put(buf, len, &o, ", \"to\": null}");
}

struct read_ctx {
	struct evlog *l;
	const struct wgmesh_topology *t;
	double now;
};

void evlog_tick(struct evlog *l, double now)
{
	if (now - l->window < EVLOG_WINDOW)
		return;
	if (l->held)
		cli_say("%s: %llu drop event%s not logged (at most %d per "
			"%g s)", l->ifname[0] ? l->ifname : "wgmesh",
			l->held, l->held == 1 ? "" : "s", EVLOG_BURST,
			EVLOG_WINDOW);
	l->window = now;
	l->lines = 0;
	l->held = 0;
}

double evlog_due(const struct evlog *l)
{
	return l->held ? l->window + EVLOG_WINDOW : INFINITY;
}

void evlog_event(struct evlog *l, const struct wgmesh_topology *t,
		 const struct meshev_event *e, double now)
{
	char line[512];

	if (t && strcmp(e->ifname, t->interface))
		return;
	snprintf(l->ifname, sizeof(l->ifname), "%s", e->ifname);
	if (l->limited) {
		evlog_tick(l, now);
		if (l->lines >= EVLOG_BURST) {
			l->held++;
			return;
		}
		l->lines++;
	}
	evlog_format(l, t, e, line, sizeof(line));
	if (l->json)
		printf("%s\n", line);
	else
		cli_say("%s", line);
}

static void one(const struct meshev_event *e, void *data)
{
	struct read_ctx *c = data;

	evlog_event(c->l, c->t, e, c->now);
}

int evlog_read(struct evlog *l, const struct wgmesh_topology *t, double now)
{
	struct read_ctx c = { l, t, now };
	int ret;

	ret = meshev_read(&l->ev, one, &c);
	if (ret == -ENOBUFS) {
		if (l->json)
			printf("{\"interface\": \"%s\", \"lost\": null}\n",
			       t ? t->interface : "");
		else
			cli_say("%s: drop events lost (socket buffer full)",
				t ? t->interface : "wgmesh");
		return 0;
	}
	if (ret) {
		cli_err("%s", l->ev.s.err);
		return -1;
	}
	return 0;
}

static double now_mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int evlog_run(const char *file, bool json)
{
	struct wgmesh_topology *t;
	struct pollfd fds[2];
	struct evlog l;
	char err[NLS_ERRLEN];
	sigset_t set;
	int sfd, ret = CLI_OK;

	if (cli_load(file, &t))
		return CLI_FAILED;
	if (evlog_open(&l, json, false, err, sizeof(err))) {
		wgmesh_topology_free(t);
		return cli_err("%s", err);
	}
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigprocmask(SIG_BLOCK, &set, NULL);
	sfd = signalfd(-1, &set, SFD_CLOEXEC);
	if (sfd < 0) {
		ret = cli_err("signalfd: %s", strerror(errno));
		goto out;
	}
	/* One line per event, at once, also into a pipe. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	fds[0] = (struct pollfd){ .fd = evlog_fd(&l), .events = POLLIN };
	fds[1] = (struct pollfd){ .fd = sfd, .events = POLLIN };
	for (;;) {
		if (poll(fds, 2, -1) < 0 && errno != EINTR) {
			ret = cli_err("poll: %s", strerror(errno));
			break;
		}
		if (fds[1].revents & POLLIN)
			break;
		if ((fds[0].revents & (POLLIN | POLLERR)) &&
		    evlog_read(&l, t, now_mono())) {
			ret = CLI_FAILED;
			break;
		}
	}
	close(sfd);
out:
	evlog_close(&l);
	wgmesh_topology_free(t);
	return ret;
}
