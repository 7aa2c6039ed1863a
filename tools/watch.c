// SPDX-License-Identifier: GPL-2.0
/*
 * wgmesh watch FILE [--interval S] [--dead-after S] [--resolve-interval S]
 *                   [--private-key-file PATH]
 *
 * Keeps this machine's mesh interface working while controllers die and
 * come back (the decisions are lib/failover.h's). Every interval it reads
 * the interface (WG_CMD_GET_DEVICE), sends an ICMPv6 echo to every other
 * controller's ::1 and counts as heard what answered, whose rx bytes rose
 * or whose latest handshake is recent. On a peer, a dead controller's
 * entry keeps only its ::1/128 (the probes still go to it directly) and
 * the rest of what it carried (its /56, with IPv4 the range and subnets)
 * moves to the stand-in's entry; it moves back once the controller is
 * alive again. A controller keeps the /56 (it holds every peer's /96 in
 * every controller's /56, and its wgmesh.ko forwards what the peers now
 * send it for the dead one, counted as takeover_packets) but moves the
 * IPv4 addresses and subnets of the peers homed at the dead one: into
 * their own entries when it stands in, else into the stand-in's entry.
 * Only entries whose AllowedIPs differ are sent
 * (WGPEER_F_REPLACE_ALLOWEDIPS | WGPEER_F_UPDATE_ONLY, nothing else), so
 * no session is renewed.
 *
 * Every resolve interval it resolves the controllers' endpoint host names
 * again, in a child process, and sets an endpoint that changed
 * (lib/reresolve.h).
 *
 * When FILE changes (inotify on its directory: written and closed, or
 * renamed over it) and on SIGHUP, it re-applies it with "up" itself (in
 * this process: incremental, unchanged peers keep their sessions), then
 * reloads its own view and re-applies the moves at once. A file that does
 * not load is refused, its error logged, and nothing changes.
 *
 * One line on standard output per change of state, and per drop event
 * of the interface (rate-limited, events.h). SIGTERM and SIGINT end it
 * with exit 0, the configuration as it is. With --events it only prints
 * the drop events (--json: as JSON lines), changing nothing.
 */
#include <errno.h>
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
#include <netinet/icmp6.h>
#include <libgen.h>
#include <sys/inotify.h>
#include <sys/signalfd.h>
#include <sys/socket.h>

#include "cli.h"
#include "events.h"
#include "lib/addr.h"
#include "lib/derive.h"
#include "lib/failover.h"
#include "lib/plan.h"
#include "lib/reresolve.h"
#include "lib/topology.h"
#include "nl/wg.h"

/* One controller of the file, as this machine sees it. */
struct watch_ctrl {
	const char *name;
	struct in6_addr host;		/* its ::1 */
	struct failover_ctrl st;
	uint64_t rx_bytes;		/* of its entry at the last tick */
	bool seen;			/* rx_bytes is set */
	long stand_in;			/* while dead: index, or -1 */
};

struct watch {
	const char *file;
	double cli_interval, cli_dead_after;	/* options given, else 0 */
	double cli_resolve;		/* --resolve-interval, else 0 */
	struct reresolve rr;		/* endpoints' host names */
	const char *key_file;		/* for up, or NULL: its default */
	int inotify;			/* on FILE's directory, or -1 */
	char *base;			/* FILE's name in it */
	double apply_at;		/* re-apply FILE then, 0: no */
	struct failover_params p;
	struct wgmesh_topology *t;
	struct mesh_self self;
	size_t self_ctrl;		/* controller index, or n_controllers */
	struct watch_ctrl *c;
	const char **names;
	bool *dead;
	struct mesh_state want;		/* what up would configure */
	struct nlwg wg;
	struct evlog events;		/* drop events, if they could be had */
	int icmp;
	uint16_t ident, seq;
	bool wg_failed;			/* last read failed: said once */
};

static double now_mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void say(const struct watch *w, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void say(const struct watch *w, const char *fmt, ...)
{
	char *msg = NULL;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	cli_say("%s: %s", w->t->interface, msg);
	free(msg);
}

static void watch_unload(struct watch *w)
{
	mesh_state_free(&w->want);
	free(w->c);
	free(w->names);
	free(w->dead);
	wgmesh_topology_free(w->t);
	w->c = NULL;
	w->names = NULL;
	w->dead = NULL;
	w->t = NULL;
}

/*
 * Whether @p, a controller's entry, holds only its ::1/128 (@host): a
 * watch before this one moved its /56 away.
 */
static bool moved_away(const struct wg_peer *p, const struct in6_addr *host)
{
	return p && p->n_ips == 1 && p->ips[0].family == AF_INET6 &&
	       p->ips[0].cidr == 128 &&
	       !memcmp(&p->ips[0].ip6, host, sizeof(*host));
}

/*
 * Load @file and find this machine in it by the interface's public key.
 * States of controllers also in @old (by name) carry over. 0, or -1 once
 * the error is printed (nothing of @w changed then).
 */
static int watch_load(struct watch *w, const struct watch *old, double now)
{
	struct watch n = *w;
	struct wg_device dev = { 0 };
	uint8_t priv[WG_KEY_LEN] = { 0 };
	char err[WGMESH_ERR_LEN];
	int ret;

	n.t = NULL;
	memset(&n.want, 0, sizeof(n.want));
	n.c = NULL;
	n.names = NULL;
	n.dead = NULL;
	if (cli_load(n.file, &n.t))
		return -1;
	ret = nlwg_get(&n.wg, n.t->interface, &dev);
	if (ret) {
		cli_err("%s: %s", n.t->interface, n.wg.s.err);
		goto fail;
	}
	memset(&n.self, 0, sizeof(n.self));
	if (!wgmesh_topology_find_key(n.t, dev.public_key, &n.self.ctrl,
				      &n.self.peer)) {
		cli_err("%s: its key is no machine's in %s", n.t->interface,
			n.file);
		goto fail;
	}
	/* Only the AllowedIPs of this are used: no key, no secret needed. */
	if (mesh_desired(n.t, n.self, priv, NULL, &n.want, err, sizeof(err))) {
		cli_err("%s", err);
		goto fail;
	}
	/* The command line's times, else the file's, else the defaults. */
	n.p.interval = n.cli_interval ? n.cli_interval :
		       wgmesh_watch_interval_ms(n.t) / 1000.0;
	n.p.dead_after = n.cli_dead_after ? n.cli_dead_after :
			 wgmesh_watch_dead_after_ms(n.t) / 1000.0;
	n.p.alive_after = n.p.dead_after;
	if (n.p.dead_after < 2 * n.p.interval) {
		cli_err("%s: dead after %g s must be at least two probe "
			"intervals (%g s)", n.file, n.p.dead_after,
			2 * n.p.interval);
		goto fail;
	}
	n.self_ctrl = n.self.ctrl ? (size_t)(n.self.ctrl - n.t->controllers) :
				    n.t->n_controllers;
	n.c = calloc(n.t->n_controllers, sizeof(*n.c));
	n.names = calloc(n.t->n_controllers, sizeof(*n.names));
	n.dead = calloc(n.t->n_controllers, sizeof(*n.dead));
	if (!n.c || !n.names || !n.dead) {
		cli_err("out of memory");
		goto fail;
	}
	for (size_t i = 0; i < n.t->n_controllers; i++) {
		struct watch_ctrl *c = &n.c[i];

		c->name = n.names[i] = n.t->controllers[i].name;
		wgmesh_controller_addr(n.t->name, c->name, &c->host);
		/*
		 * Started again while a controller is dead: it stays dead
		 * until it answers, rather than getting its /56 back first.
		 */
		failover_init(&c->st, now, !old && i != n.self_ctrl &&
			      moved_away(wg_device_find_peer(&dev,
					 n.t->controllers[i].public_key),
					 &c->host));
		if (c->st.dead)
			cli_say("%s: controller %s taken as dead (its /56 is "
				"moved away)", n.t->interface, c->name);
		c->stand_in = -1;
		for (size_t j = 0; old && j < old->t->n_controllers; j++) {
			if (strcmp(old->c[j].name, c->name))
				continue;
			c->st = old->c[j].st;
			c->rx_bytes = old->c[j].rx_bytes;
			c->seen = old->c[j].seen;
		}
		n.dead[i] = c->st.dead;
	}
	wg_device_free(&dev);
	*w = n;
	/* The names it learnt pointed into the topology just freed. */
	evlog_forget(&w->events);
	reresolve_load(&w->rr, w->t, w->self.ctrl, w->cli_resolve ?
		       w->cli_resolve : wgmesh_watch_resolve_ms(w->t) / 1000.0,
		       now);
	return 0;
fail:
	wg_device_free(&dev);
	mesh_state_free(&n.want);
	free(n.c);
	free(n.names);
	free(n.dead);
	wgmesh_topology_free(n.t);
	return -1;
}

/* The ICMPv6 socket for the probes: echo replies only, on the interface. */
static int probe_open(struct watch *w)
{
	struct icmp6_filter f;

	w->icmp = socket(AF_INET6, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK,
			 IPPROTO_ICMPV6);
	if (w->icmp < 0)
		return cli_err("ICMPv6 socket: %s", strerror(errno));
	ICMP6_FILTER_SETBLOCKALL(&f);
	ICMP6_FILTER_SETPASS(ICMP6_ECHO_REPLY, &f);
	if (setsockopt(w->icmp, IPPROTO_ICMPV6, ICMP6_FILTER, &f, sizeof(f)))
		return cli_err("ICMP6_FILTER: %s", strerror(errno));
	w->ident = (uint16_t)getpid();
	return 0;
}

static void probe_send(struct watch *w)
{
	struct icmp6_hdr h = { .icmp6_type = ICMP6_ECHO_REQUEST };
	struct sockaddr_in6 to = { .sin6_family = AF_INET6 };

	h.icmp6_id = htons(w->ident);
	h.icmp6_seq = htons(++w->seq);
	for (size_t i = 0; i < w->t->n_controllers; i++) {
		if (i == w->self_ctrl)
			continue;
		to.sin6_addr = w->c[i].host;
		/* A lost probe is a silent controller: nothing to report. */
		(void)!sendto(w->icmp, &h, sizeof(h), 0,
			      (struct sockaddr *)&to, sizeof(to));
	}
}

/* Read every echo reply waiting: a controller that answered is heard. */
static void probe_recv(struct watch *w, double now)
{
	struct sockaddr_in6 from;
	struct icmp6_hdr h;
	socklen_t len;
	ssize_t n;

	for (;;) {
		len = sizeof(from);
		n = recvfrom(w->icmp, &h, sizeof(h), 0,
			     (struct sockaddr *)&from, &len);
		if (n < 0)
			return;
		if (n < (ssize_t)sizeof(h) || h.icmp6_type != ICMP6_ECHO_REPLY ||
		    ntohs(h.icmp6_id) != w->ident)
			continue;
		for (size_t i = 0; i < w->t->n_controllers; i++)
			if (!memcmp(&from.sin6_addr, &w->c[i].host,
				    sizeof(from.sin6_addr)))
				failover_heard(&w->c[i].st, &w->p, now);
	}
}

/* The handshake and rx bytes of each controller's entry in @dev. */
static void heard_from_device(struct watch *w, const struct wg_device *dev,
			      double now)
{
	time_t wall = time(NULL);

	for (size_t i = 0; i < w->t->n_controllers; i++) {
		struct watch_ctrl *c = &w->c[i];
		const struct wg_peer *p;

		if (i == w->self_ctrl)
			continue;
		p = wg_device_find_peer(dev, w->t->controllers[i].public_key);
		if (!p)
			continue;
		if (c->seen && p->rx_bytes != c->rx_bytes)
			failover_heard(&c->st, &w->p, now);
		if (p->handshake_sec &&
		    wall - p->handshake_sec < w->p.dead_after)
			failover_heard(&c->st, &w->p, now);
		c->rx_bytes = p->rx_bytes;
		c->seen = true;
	}
}

static const char *prefix_text(const struct wg_allowedip *ip, char *buf,
			       size_t len)
{
	char a[INET6_ADDRSTRLEN];

	inet_ntop(ip->family, &ip->ip6, a, sizeof(a));
	snprintf(buf, len, "%s/%u", a, ip->cidr);
	return buf;
}

/*
 * The @k-th prefix machine @m owns (with IPv4 its address first, then its
 * subnets), as derive.c puts it in AllowedIPs; false past the last.
 */
static bool owned_ip(const struct wgmesh_topology *t, size_t m, size_t k,
		     struct wg_allowedip *ip)
{
	const struct wgmesh_owned *o = wgmesh_machine_owned(t, m);
	const struct wgmesh_subnet *sn;

	memset(ip, 0, sizeof(*ip));
	if (t->ipv4_len && !k--) {
		ip->family = AF_INET;
		ip->cidr = 32;
		ip->ip4.s_addr = htonl(o->ipv4);
		return true;
	}
	if (k >= o->n_subnets)
		return false;
	sn = &o->subnets[k];
	ip->family = (uint16_t)sn->family;
	ip->cidr = sn->len;
	memcpy(&ip->ip6, sn->addr, sn->family == AF_INET ? 4 : 16);
	return true;
}

/*
 * On a controller, what dead controller @d's entry carried for the peers
 * homed at it (their IPv4 addresses and subnets) goes to the peers' own
 * entries when this controller stands in (@s is self), else to the
 * stand-in's entry: WireGuard then takes their packets from them here and
 * sends theirs the way the peers now send. (Its /56 stays: a controller
 * holds every peer's /96 already.)
 */
static int move_homed(struct watch *w, struct wg_device *out, size_t d,
		      size_t s)
{
	const struct wgmesh_topology *t = w->t;
	size_t nc = t->n_controllers;
	struct wg_allowedip ip;

	for (size_t pi = 0; pi < t->n_peers; pi++) {
		struct wg_peer *to = s == w->self_ctrl ? &out->peers[nc + pi] :
				     &out->peers[s];

		if (t->peers[pi].controller != d)
			continue;
		for (size_t k = 0; owned_ip(t, nc + pi, k, &ip); k++)
			if (failover_take(&out->peers[d], to, &ip) < 0)
				return -ENOMEM;
	}
	return 0;
}

/*
 * Every entry as it should be now, into @out: controllers first, then
 * (on a controller) peers, in the file's order; an entry without a key is
 * this machine itself.
 */
static int wanted(struct watch *w, struct wg_device *out)
{
	const struct wgmesh_topology *t = w->t;
	size_t nc = t->n_controllers, n = nc + (w->self.ctrl ? t->n_peers : 0);

	memset(out, 0, sizeof(*out));
	snprintf(out->ifname, sizeof(out->ifname), "%s", t->interface);
	for (size_t i = 0; i < n; i++) {
		const uint8_t *key = i < nc ? t->controllers[i].public_key :
				     t->peers[i - nc].public_key;
		const struct wg_peer *src = wg_device_find_peer(&w->want.wg,
								key);
		struct wg_peer *p = wg_device_add_peer(out);

		if (!p)
			return -ENOMEM;
		if (!src)	/* this controller itself: a placeholder */
			continue;
		memcpy(p->public_key, src->public_key, WG_KEY_LEN);
		for (size_t k = 0; k < src->n_ips; k++) {
			struct wg_allowedip *ip = wg_peer_add_ip(p);

			if (!ip)
				return -ENOMEM;
			*ip = src->ips[k];
		}
	}
	for (size_t i = 0; i < nc; i++) {
		long s = w->c[i].stand_in;

		if (!w->c[i].st.dead || s < 0 || i == w->self_ctrl)
			continue;
		if (w->self.ctrl ? move_homed(w, out, i, (size_t)s) :
		    failover_move(&out->peers[i], &out->peers[s],
				  &w->c[i].host))
			return -ENOMEM;
	}
	return 0;
}

/*
 * Bring the entries of the interface (@cur) to what the states say: only
 * those that differ, only their AllowedIPs.
 */
static int apply(struct watch *w, const struct wg_device *cur)
{
	struct wg_device want, set = { 0 };
	int ret = 0;

	if (wanted(w, &want)) {
		wg_device_free(&want);
		return cli_err("out of memory");
	}
	snprintf(set.ifname, sizeof(set.ifname), "%s", w->t->interface);
	for (size_t i = 0; i < want.n_peers; i++) {
		const struct wg_peer *c;
		struct wg_peer *p;

		if (!want.peers[i].n_ips)
			continue;
		c = wg_device_find_peer(cur, want.peers[i].public_key);
		if (!c || wg_ips_equal(c, &want.peers[i]))
			continue;
		p = wg_device_add_peer(&set);
		if (!p) {
			ret = cli_err("out of memory");
			goto out;
		}
		memcpy(p->public_key, want.peers[i].public_key, WG_KEY_LEN);
		p->flags = WGPEER_F_REPLACE_ALLOWEDIPS | WGPEER_F_UPDATE_ONLY;
		p->set_ips = true;
		for (size_t k = 0; k < want.peers[i].n_ips; k++) {
			struct wg_allowedip *ip = wg_peer_add_ip(p);

			if (!ip) {
				ret = cli_err("out of memory");
				goto out;
			}
			*ip = want.peers[i].ips[k];
		}
	}
	if (!set.n_peers)
		goto out;
	if (nlwg_set(&w->wg, &set)) {
		ret = cli_err("%s: %s", w->t->interface, w->wg.s.err);
		goto out;
	}
	for (size_t i = 0; i < set.n_peers; i++) {
		const struct wg_peer *p = &set.peers[i];
		char line[1024], buf[WGMESH_PREFIX_STRLEN + 8];
		const struct wgmesh_controller *wc = NULL;
		const struct wgmesh_peer *wp = NULL;
		size_t o = 0;

		for (size_t k = 0; k < p->n_ips && o < sizeof(line); k++)
			o += snprintf(line + o, sizeof(line) - o, "%s%s",
				      k ? ", " : "",
				      prefix_text(&p->ips[k], buf, sizeof(buf)));
		wgmesh_topology_find_key(w->t, p->public_key, &wc, &wp);
		say(w, "allowed ips of %s now %s",
		    wc ? wc->name : wp ? wp->name : "?", line);
	}
out:
	wg_device_free(&want);
	wg_device_free(&set);
	return ret;
}

/* One round: read, decide, apply, probe. */
static void tick(struct watch *w, double now)
{
	struct wg_device cur = { 0 };
	size_t n = w->t->n_controllers;

	if (nlwg_get(&w->wg, w->t->interface, &cur)) {
		if (!w->wg_failed)
			cli_err("%s: %s (retrying every %g s)",
				w->t->interface, w->wg.s.err, w->p.interval);
		w->wg_failed = true;
		wg_device_free(&cur);
		probe_send(w);
		return;
	}
	if (w->wg_failed)
		say(w, "readable again");
	w->wg_failed = false;
	heard_from_device(w, &cur, now);
	for (size_t i = 0; i < n; i++) {
		struct watch_ctrl *c = &w->c[i];

		if (i == w->self_ctrl)
			continue;
		switch (failover_check(&c->st, &w->p, now)) {
		case FAILOVER_DIED:
			say(w, "controller %s dead (nothing heard for %.1f s)",
			    c->name, now - c->st.last_heard);
			break;
		case FAILOVER_RETURNED:
			say(w, "controller %s alive (answered for %.1f s)",
			    c->name, c->st.last_heard - c->st.streak_start);
			break;
		case FAILOVER_SAME:
			break;
		}
		w->dead[i] = c->st.dead;
	}
	for (size_t i = 0; i < n; i++) {
		struct watch_ctrl *c = &w->c[i];
		long s = c->st.dead ? failover_choose(w->names, w->dead, n, i) :
				      -1;

		if (s != c->stand_in && s >= 0)
			say(w, "controller %s stands in for %s",
			    w->c[s].name, c->name);
		else if (s != c->stand_in && c->st.dead)
			say(w, "no live controller can stand in for %s",
			    c->name);
		c->stand_in = s;
	}
	apply(w, &cur);
	wg_device_free(&cur);
	probe_send(w);
}

static int parse_seconds(const struct cli_cmd *c, const char *opt,
			 const char *s, double *out)
{
	char *end;
	double v;

	if (!s)
		return 0;
	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !isfinite(v) || v < 0.1 || v > 3600)
		return -cli_usage_err(c, "%s: '%s' is no number of seconds "
				      "from 0.1 to 3600", opt, s);
	*out = v;
	return 0;
}

static int signals(void)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &set, NULL))
		return -1;
	return signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
}

/* Read the signals that came: 0 go on, 1 stop. */
static int on_signal(struct watch *w, int sfd, double now)
{
	struct signalfd_siginfo si;

	while (read(sfd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo != SIGHUP) {
			say(w, "stopping on %s, configuration left as it is",
			    strsignal((int)si.ssi_signo));
			return 1;
		}
		w->apply_at = now;
	}
	return 0;
}

/* Watch FILE's directory for FILE written or renamed over. */
static int file_watch(struct watch *w)
{
	char *dir_copy = strdup(w->file), *base_copy = strdup(w->file);
	int ret = -1;

	if (!dir_copy || !base_copy) {
		cli_err("out of memory");
		goto out;
	}
	w->base = strdup(basename(base_copy));
	w->inotify = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
	if (!w->base || w->inotify < 0) {
		cli_err("inotify: %s", w->base ? strerror(errno) :
			"out of memory");
		goto out;
	}
	if (inotify_add_watch(w->inotify, dirname(dir_copy),
			      IN_CLOSE_WRITE | IN_MOVED_TO) < 0) {
		cli_err("inotify on the directory of %s: %s", w->file,
			strerror(errno));
		goto out;
	}
	ret = 0;
out:
	free(dir_copy);
	free(base_copy);
	return ret;
}

/*
 * Events of FILE's directory: FILE changed, re-apply it once writes
 * settle (an editor may write it in several steps).
 */
static void on_file(struct watch *w, double now)
{
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	const struct inotify_event *e;
	ssize_t n;

	while ((n = read(w->inotify, buf, sizeof(buf))) > 0) {
		for (char *p = buf; p < buf + n; p += sizeof(*e) + e->len) {
			e = (const struct inotify_event *)p;
			if (e->len && !strcmp(e->name, w->base))
				w->apply_at = now + 0.3;
		}
	}
}

static void tick(struct watch *w, double now);

/*
 * Apply FILE as "up" would, then take it as this watch's topology and
 * redo the moves at once (up set every AllowedIPs to the file's).
 */
static void reapply(struct watch *w, double now)
{
	struct wgmesh_topology *t;
	char *argv[5] = { "up", (char *)w->file };
	int argc = 2, rc;
	struct watch old;

	w->apply_at = 0;
	if (cli_load(w->file, &t)) {
		say(w, "%s refused, the running configuration stays", w->file);
		return;
	}
	wgmesh_topology_free(t);
	if (w->key_file) {
		argv[argc++] = "--private-key-file";
		argv[argc++] = (char *)w->key_file;
	}
	rc = cli_up.run(argc, argv);
	if (rc == CLI_FAILED)
		say(w, "applying %s failed", w->file);
	old = *w;
	if (watch_load(w, &old, now)) {
		say(w, "%s refused, the running configuration stays", w->file);
	} else {
		watch_unload(&old);
		if (rc != CLI_FAILED)
			say(w, "re-applied %s", w->file);
	}
	tick(w, now);
}

/* lib/reresolve.c's lines, as every other. */
static void rr_say(void *ctx, const char *line)
{
	say(ctx, "%s", line);
}

/* Time watch did not run is no controller's silence (failover.h). */
static void paused(struct watch *w, double gap, double now)
{
	for (size_t i = 0; i < w->t->n_controllers; i++)
		failover_paused(&w->c[i].st, gap, now);
}

static int run(struct watch *w)
{
	double now = now_mono(), next = now;
	struct pollfd fds[5];
	char err[NLS_ERRLEN];
	int sfd, ret = CLI_OK;

	sfd = signals();
	if (sfd < 0)
		return cli_err("signalfd: %s", strerror(errno));
	say(w, "watching %zu controllers as %s (interval %g s, dead after "
	    "%g s, back after %g s)", w->t->n_controllers,
	    mesh_self_name(w->self), w->p.interval, w->p.dead_after,
	    w->p.alive_after);
	if (w->rr.n)
		say(w, "re-resolving %zu endpoint host name%s every %g s",
		    w->rr.n, w->rr.n == 1 ? "" : "s", w->rr.interval);
	fds[0] = (struct pollfd){ .fd = w->icmp, .events = POLLIN };
	fds[1] = (struct pollfd){ .fd = sfd, .events = POLLIN };
	fds[2] = (struct pollfd){ .fd = w->inotify, .events = POLLIN };
	/* Only a controller's wgmesh.ko drops anything. */
	if (w->self_ctrl < w->t->n_controllers &&
	    evlog_open(&w->events, false, true, err, sizeof(err)))
		say(w, "not logging drop events: %s", err);
	fds[3] = (struct pollfd){ .fd = evlog_fd(&w->events),
				  .events = POLLIN };
	for (;;) {
		double until;
		int timeout;

		now = now_mono();
		if (w->apply_at && now >= w->apply_at)
			reapply(w, now);
		if (now >= next) {
			/* Woken over an interval late: watch did not run. */
			if (now - next > w->p.interval)
				paused(w, now - next, now);
			tick(w, now);
			next += w->p.interval;
			if (next < now)
				next = now + w->p.interval;
		}
		if (now >= reresolve_due(&w->rr))
			reresolve_tick(&w->rr, now);
		if (now >= evlog_due(&w->events))
			evlog_tick(&w->events, now);
		until = w->apply_at && w->apply_at < next ? w->apply_at : next;
		if (reresolve_due(&w->rr) < until)
			until = reresolve_due(&w->rr);
		if (evlog_due(&w->events) < until)
			until = evlog_due(&w->events);
		timeout = (int)ceil((until - now) * 1000);
		fds[4] = (struct pollfd){ .fd = reresolve_fd(&w->rr),
					  .events = POLLIN };
		if (poll(fds, 5, timeout < 0 ? 0 : timeout) < 0 &&
		    errno != EINTR) {
			ret = cli_err("poll: %s", strerror(errno));
			break;
		}
		now = now_mono();
		if (fds[0].revents & POLLIN)
			probe_recv(w, now);
		if (fds[2].revents & POLLIN)
			on_file(w, now);
		if ((fds[3].revents & (POLLIN | POLLERR)) &&
		    evlog_read(&w->events, w->t, now))
			fds[3].fd = -1;
		if (fds[4].revents & (POLLIN | POLLHUP))
			reresolve_read(&w->rr, now);
		if ((fds[1].revents & POLLIN) && on_signal(w, sfd, now))
			break;
	}
	close(sfd);
	evlog_close(&w->events);
	return ret;
}

static int cmd_watch(int argc, char **argv)
{
	const char *interval = NULL, *dead_after = NULL, *resolve = NULL;
	bool events = false, json = false;
	struct watch w = {
		.icmp = -1,
		.inotify = -1,
	};
	const struct cli_opt opts[] = {
		{ .name = "--interval", .value = &interval,
		  .needs = "SECONDS" },
		{ .name = "--dead-after", .value = &dead_after,
		  .needs = "SECONDS" },
		{ .name = "--resolve-interval", .value = &resolve,
		  .needs = "SECONDS" },
		{ .name = "--private-key-file", .value = &w.key_file,
		  .needs = "a PATH" },
		{ .name = "--events", .flag = &events },
		{ .name = "--json", .flag = &json },
		{ 0 },
	};
	int ret;

	if (cli_parse(&cli_watch, argc, argv, opts, &w.file, 1))
		return CLI_FAILED;
	if (!w.file)
		return cli_usage_err(&cli_watch, "missing FILE");
	if (parse_seconds(&cli_watch, "--interval", interval,
			  &w.cli_interval) ||
	    parse_seconds(&cli_watch, "--dead-after", dead_after,
			  &w.cli_dead_after) ||
	    parse_seconds(&cli_watch, "--resolve-interval", resolve,
			  &w.cli_resolve))
		return CLI_FAILED;
	if (json && !events)
		return cli_usage_err(&cli_watch, "--json needs --events");
	/* Only reads: the kernel itself decides who may listen. */
	if (events)
		return evlog_run(w.file, json);
	if (cli_need_net_admin(&cli_watch, "read and change the interface"))
		return CLI_FAILED;
	/* One line per event, at once, also into a pipe or the journal. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (nlwg_open(&w.wg))
		return cli_err("%s", w.wg.s.err);
	reresolve_init(&w.rr, &w.wg, rr_say, &w);
	ret = watch_load(&w, NULL, now_mono()) || probe_open(&w) ||
	      file_watch(&w) ? CLI_FAILED : run(&w);
	if (w.icmp >= 0)
		close(w.icmp);
	if (w.inotify >= 0)
		close(w.inotify);
	free(w.base);
	reresolve_free(&w.rr);
	if (w.t)
		watch_unload(&w);
	nlwg_close(&w.wg);
	return ret;
}

const struct cli_cmd cli_watch = {
	.name = "watch",
	.run = cmd_watch,
	.args = "FILE [--interval SECONDS] [--dead-after SECONDS]\n"
		"                 [--resolve-interval SECONDS]\n"
		"                 [--private-key-file PATH] [--events [--json]]",
	.summary = "keep the mesh up while controllers die and return",
	.help = "Probes every other controller each interval (default 2 s;\n"
		"ICMPv6 echo to its ::1, its handshake and rx bytes); one\n"
		"silent for --dead-after (default 8 s) is dead: on a peer its\n"
		"/56 moves to a live controller's AllowedIPs, the same one on\n"
		"every machine, and back once it answered that long again.\n"
		"Every --resolve-interval (default 30 s) it resolves the\n"
		"controllers' endpoint host names again (in a child process)\n"
		"and sets an endpoint whose address changed, nothing else.\n"
		"The options override [Mesh] ProbeInterval, DeadAfter and\n"
		"ResolveInterval.\n"
		"When FILE changes (and on SIGHUP) it applies it as \"up\" does\n"
		"(with --private-key-file, else up's default key); a FILE that\n"
		"does not load is refused and nothing changes.\n"
		"One line per change, and per packet drop wgmesh.ko reports\n"
		"(at most 10 per 10 s); SIGTERM stops, leaving the configuration.\n"
		"--events only prints the drops (reason, source, destination,\n"
		"packets since the last line), one line or, with --json, one\n"
		"JSON object each (needs CAP_NET_ADMIN in the namespace).",
};
