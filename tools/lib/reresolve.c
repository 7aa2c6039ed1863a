// SPDX-License-Identifier: GPL-2.0
/* Controllers' endpoints re-resolved by "wgmesh watch", see reresolve.h. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <netdb.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>

#include "reresolve.h"
#include "resolve.h"

#define EP_STRLEN	(INET6_ADDRSTRLEN + 10)

/* What the child writes per name: at most PIPE_BUF, so written whole. */
struct reresolve_rec {
	uint32_t i;
	int32_t gai_err;
	union wg_endpoint got;
	char err[128];
};

bool reresolve_endpoint_equal(const union wg_endpoint *a,
			      const union wg_endpoint *b)
{
	if (a->sa.sa_family != b->sa.sa_family)
		return false;
	if (a->sa.sa_family == AF_INET)
		return a->sin.sin_port == b->sin.sin_port &&
		       a->sin.sin_addr.s_addr == b->sin.sin_addr.s_addr;
	if (a->sa.sa_family == AF_INET6)
		return a->sin6.sin6_port == b->sin6.sin6_port &&
		       a->sin6.sin6_scope_id == b->sin6.sin6_scope_id &&
		       !memcmp(&a->sin6.sin6_addr, &b->sin6.sin6_addr,
			       sizeof(a->sin6.sin6_addr));
	return a->sa.sa_family == 0;
}

enum reresolve_decision reresolve_decide(const union wg_endpoint *cur,
					 bool alive,
					 const union wg_endpoint *prev,
					 int gai_err,
					 const union wg_endpoint *got)
{
	if (gai_err)
		return RERESOLVE_FAILED;
	if (reresolve_endpoint_equal(cur, got))
		return RERESOLVE_SAME;
	if (!cur->sa.sa_family)
		return RERESOLVE_SET;
	/*
	 * The first answer, and the entry has another endpoint: one WireGuard
	 * roamed to, or one the name no longer gives. The next round tells
	 * them apart by whether packets came.
	 */
	if (!prev->sa.sa_family)
		return RERESOLVE_NOTED;
	if (!reresolve_endpoint_equal(prev, got))
		return RERESOLVE_SET;
	/* The same answer as before: WireGuard roamed the entry away. */
	return alive ? RERESOLVE_ROAMED : RERESOLVE_SET;
}

enum reresolve_decision reresolve_step(struct reresolve_name *n,
				       const struct wg_peer *p, bool alive,
				       double now, char *line, size_t len)
{
	static const union wg_endpoint none;
	const union wg_endpoint *cur = p ? &p->endpoint : &none;
	char a[EP_STRLEN], b[EP_STRLEN];
	enum reresolve_decision d;
	size_t o = 0;

	*line = '\0';
	d = reresolve_decide(cur, alive, &n->last, n->gai_err, &n->got);
	if (d == RERESOLVE_NOTED && n->reloaded)
		d = RERESOLVE_SET;
	if (d == RERESOLVE_FAILED) {
		bool again = n->failing;

		if (!n->failing) {
			n->failing = true;
			n->fail_since = now;
		} else if (now - n->fail_said < RERESOLVE_LOG_EVERY) {
			return d;
		}
		n->fail_said = now;
		o = (size_t)snprintf(line, len, "controller %s: cannot resolve "
				     "%s (%s): endpoint stays %s", n->ctrl,
				     n->host, n->err, cur->sa.sa_family ?
				     resolve_endpoint_str(cur, a, sizeof(a)) :
				     "unset");
		if (again && o < len)
			snprintf(line + o, len - o, " (failing for %.0f s)",
				 now - n->fail_since);
		return d;
	}
	if (n->failing) {
		o = (size_t)snprintf(line, len, "controller %s: %s resolves "
				     "again", n->ctrl, n->host);
		if (o >= len)
			o = len - 1;
		if (d == RERESOLVE_SET && o + 1 < len)
			line[o++] = '\n';
	}
	n->failing = false;
	n->reloaded = false;
	n->last = n->got;
	if (d == RERESOLVE_SET)
		snprintf(line + o, len - o, "endpoint of %s: %s -> %s (%s)",
			 n->ctrl, resolve_endpoint_str(cur, a, sizeof(a)),
			 resolve_endpoint_str(&n->got, b, sizeof(b)), n->host);
	return d;
}

static void say(const struct reresolve *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void say(const struct reresolve *r, const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	r->say(r->ctx, line);
}

static int nl_get(struct reresolve *r, struct wg_device *cur)
{
	return nlwg_get(r->wg, r->ifname, cur);
}

static int nl_set(struct reresolve *r, const struct wg_device *set)
{
	if (!nlwg_set(r->wg, set))
		return 0;
	say(r, "setting endpoints: %s", r->wg->s.err);
	return -1;
}

void reresolve_init(struct reresolve *r, struct nlwg *wg, reresolve_say_fn say,
		    void *ctx)
{
	memset(r, 0, sizeof(*r));
	r->fd = -1;
	r->wg = wg;
	r->say = say;
	r->ctx = ctx;
	r->timeout = RERESOLVE_TIMEOUT;
	r->resolve = resolve_endpoint;
	r->get = nl_get;
	r->set = nl_set;
}

/* Kill the running child, if any, and forget its pipe. */
static void stop_child(struct reresolve *r)
{
	if (r->child > 0) {
		kill(r->child, SIGKILL);
		while (waitpid(r->child, NULL, 0) < 0 && errno == EINTR)
			;
	}
	r->child = 0;
	if (r->fd >= 0)
		close(r->fd);
	r->fd = -1;
}

static void free_names(struct reresolve_name *names, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(names[i].ctrl);
		free(names[i].host);
	}
	free(names);
}

/* Whether @host is an address literal: nothing to re-resolve. */
static bool literal(const char *host)
{
	unsigned char buf[sizeof(struct in6_addr)];

	return inet_pton(AF_INET, host, buf) == 1 ||
	       inet_pton(AF_INET6, host, buf) == 1;
}

int reresolve_load(struct reresolve *r, const struct wgmesh_topology *t,
		   const struct wgmesh_controller *self, double interval,
		   double now)
{
	struct reresolve_name *names;
	size_t n = 0;

	stop_child(r);
	names = calloc(t->n_controllers ? t->n_controllers : 1,
		       sizeof(*names));
	if (!names)
		goto oom;
	for (size_t i = 0; i < t->n_controllers; i++) {
		const struct wgmesh_controller *c = &t->controllers[i];
		struct reresolve_name *m = &names[n];

		if (c == self || !c->endpoint_host || literal(c->endpoint_host))
			continue;
		m->ctrl = strdup(c->name);
		m->host = strdup(c->endpoint_host);
		if (!m->ctrl || !m->host) {
			free(m->ctrl);
			free(m->host);
			free_names(names, n);
			goto oom;
		}
		m->port = c->endpoint_port;
		memcpy(m->key, c->public_key, WG_KEY_LEN);
		/* Unless an old one matches below. */
		m->reloaded = r->names != NULL;
		for (size_t j = 0; j < r->n; j++) {
			const struct reresolve_name *o = &r->names[j];

			if (strcmp(o->ctrl, m->ctrl) ||
			    strcmp(o->host, m->host) || o->port != m->port)
				continue;
			m->reloaded = o->reloaded;
			m->last = o->last;
			m->rx = o->rx;
			m->rx_seen = o->rx_seen;
			m->failing = o->failing;
			m->fail_since = o->fail_since;
			m->fail_said = o->fail_said;
		}
		n++;
	}
	free_names(r->names, r->n);
	r->names = names;
	r->n = n;
	r->interval = interval;
	r->next = now;
	r->ifname = t->interface;
	return 0;
oom:
	free_names(r->names, r->n);
	r->names = NULL;
	r->n = 0;
	say(r, "re-resolving endpoints: out of memory");
	return -1;
}

int reresolve_fd(const struct reresolve *r)
{
	return r->fd;
}

double reresolve_due(const struct reresolve *r)
{
	if (r->child)
		return r->deadline;
	return r->n ? r->next : INFINITY;
}

/* The child: resolve every name, one record each, then leave. */
static void __attribute__((noreturn)) child(struct reresolve *r, int fd)
{
	for (size_t i = 0; i < r->n; i++) {
		struct reresolve_rec rec = { .i = (uint32_t)i };

		rec.gai_err = r->resolve(r->names[i].host, r->names[i].port,
					 &rec.got, rec.err, sizeof(rec.err));
		if (write(fd, &rec, sizeof(rec)) != sizeof(rec))
			_exit(1);
	}
	_exit(0);
}

static int start(struct reresolve *r, double now)
{
	int p[2];

	for (size_t i = 0; i < r->n; i++)
		r->names[i].answered = false;
	if (pipe2(p, O_CLOEXEC))
		goto fail;
	r->child = fork();
	if (r->child < 0) {
		r->child = 0;
		close(p[0]);
		close(p[1]);
		goto fail;
	}
	if (!r->child) {
		sigset_t none;

		/* Not the daemon's signalfd mask: a SIGINT to the process
		 * group ends a lookup that hangs as well.
		 */
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		close(p[0]);
		child(r, p[1]);
	}
	close(p[1]);
	fcntl(p[0], F_SETFL, O_NONBLOCK);
	r->fd = p[0];
	r->deadline = now + r->timeout;
	return 0;
fail:
	say(r, "re-resolving endpoints: %s", strerror(errno));
	return -1;
}

/* The round is over: bring the entries' endpoints to what it found. */
static int apply(struct reresolve *r, double now)
{
	struct wg_device cur = { 0 }, set = { 0 };
	union wg_endpoint *prev = NULL;
	char (*lines)[1024] = NULL;
	int ret = 0;

	r->next = now + r->interval;
	if (r->get(r, &cur)) {
		/* watch's own read says so every interval. */
		wg_device_free(&cur);
		return -1;
	}
	prev = calloc(r->n + 1, sizeof(*prev));
	lines = calloc(r->n + 1, sizeof(*lines));
	if (!prev || !lines) {
		say(r, "re-resolving endpoints: out of memory");
		ret = -1;
		goto out;
	}
	snprintf(set.ifname, sizeof(set.ifname), "%s", r->ifname);
	for (size_t i = 0; i < r->n; i++) {
		struct reresolve_name *n = &r->names[i];
		const struct wg_peer *p = wg_device_find_peer(&cur, n->key);
		struct wg_peer *s;
		bool alive;

		if (!n->answered || !p)
			continue;
		alive = n->rx_seen && p->rx_bytes != n->rx;
		n->rx = p->rx_bytes;
		n->rx_seen = true;
		prev[i] = n->last;
		if (reresolve_step(n, p, alive, now, lines[i],
				   sizeof(lines[i])) != RERESOLVE_SET) {
			if (*lines[i])
				r->say(r->ctx, lines[i]);
			*lines[i] = '\0';
			continue;
		}
		s = wg_device_add_peer(&set);
		if (!s) {
			say(r, "re-resolving endpoints: out of memory");
			ret = -1;
			goto out;
		}
		memcpy(s->public_key, n->key, WG_KEY_LEN);
		s->flags = WGPEER_F_UPDATE_ONLY;
		s->endpoint = n->got;
		s->set_endpoint = true;
	}
	if (!set.n_peers)
		goto out;
	if (r->set(r, &set)) {
		/* Not set: the next round decides again. */
		for (size_t i = 0; i < r->n; i++)
			if (*lines[i])
				r->names[i].last = prev[i];
		ret = -1;
		goto out;
	}
	for (size_t i = 0; i < r->n; i++) {
		char *l = lines[i], *nl;

		for (; *l; l = nl + 1) {
			nl = strchr(l, '\n');
			if (nl)
				*nl = '\0';
			r->say(r->ctx, l);
			if (!nl)
				break;
		}
	}
out:
	free(prev);
	free(lines);
	wg_device_free(&cur);
	wg_device_free(&set);
	return ret;
}

int reresolve_tick(struct reresolve *r, double now)
{
	if (r->child && now >= r->deadline) {
		stop_child(r);
		for (size_t i = 0; i < r->n; i++) {
			struct reresolve_name *n = &r->names[i];

			if (n->answered)
				continue;
			n->answered = true;
			n->gai_err = EAI_AGAIN;
			snprintf(n->err, sizeof(n->err),
				 "no answer within %g s", r->timeout);
		}
		return apply(r, now);
	}
	if (!r->child && r->n && now >= r->next) {
		r->next = now + r->interval;
		return start(r, now);
	}
	return 0;
}

int reresolve_read(struct reresolve *r, double now)
{
	struct reresolve_rec rec;
	ssize_t got;

	for (;;) {
		got = read(r->fd, &rec, sizeof(rec));
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0 && errno == EAGAIN)
			return 0;
		if (got != sizeof(rec))
			break;
		if (rec.i < r->n) {
			struct reresolve_name *n = &r->names[rec.i];

			n->answered = true;
			n->gai_err = rec.gai_err;
			n->got = rec.got;
			rec.err[sizeof(rec.err) - 1] = '\0';
			snprintf(n->err, sizeof(n->err), "%s", rec.err);
		}
	}
	/* The end (or a short record: the child died): the round is over. */
	stop_child(r);
	return apply(r, now);
}

void reresolve_free(struct reresolve *r)
{
	stop_child(r);
	free_names(r->names, r->n);
	r->names = NULL;
	r->n = 0;
}
