// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of lib/reresolve.c, what "wgmesh watch" does with
 * controllers' host names: when an endpoint is set (changed, unset
 * before, session gone) and when not (unchanged, roamed with a live
 * session, failure), the lines it logs (one per failure, rate-limited),
 * and the rounds in a child process: only names are resolved (not
 * literals, not this controller), the results reach the device with
 * WGPEER_F_UPDATE_ONLY and the endpoint alone, and a child that hangs is
 * killed at the timeout, its names failed, the endpoint kept.
 */
#include <arpa/inet.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sodium.h>

#include "lib/reresolve.h"
#include "lib/resolve.h"
#include "ktap.h"

static union wg_endpoint ep6(const char *a, uint16_t port)
{
	union wg_endpoint e = { 0 };

	e.sin6.sin6_family = AF_INET6;
	e.sin6.sin6_port = htons(port);
	inet_pton(AF_INET6, a, &e.sin6.sin6_addr);
	return e;
}

static union wg_endpoint ep4(const char *a, uint16_t port)
{
	union wg_endpoint e = { 0 };

	e.sin.sin_family = AF_INET;
	e.sin.sin_port = htons(port);
	inet_pton(AF_INET, a, &e.sin.sin_addr);
	return e;
}

static void decisions(void)
{
	union wg_endpoint none = { 0 }, a = ep6("2001:db8::1", 51820),
			  b = ep6("2001:db8::2", 51820),
			  a2 = ep6("2001:db8::1", 51821),
			  v4 = ep4("192.0.2.1", 51820);

	ktap_ok(reresolve_endpoint_equal(&a, &a) &&
		!reresolve_endpoint_equal(&a, &b) &&
		!reresolve_endpoint_equal(&a, &a2) &&
		!reresolve_endpoint_equal(&a, &v4) &&
		!reresolve_endpoint_equal(&none, &a) &&
		reresolve_endpoint_equal(&none, &none),
		"endpoints equal by family, address and port");
	ktap_ok(reresolve_decide(&a, true, &a, 0, &a) == RERESOLVE_SAME &&
		reresolve_decide(&a, false, &none, 0, &a) == RERESOLVE_SAME,
		"unchanged: nothing sent (also on the first round)");
	ktap_ok(reresolve_decide(&a, true, &a, 0, &b) == RERESOLVE_SET &&
		reresolve_decide(&a, true, &a, 0, &a2) == RERESOLVE_SET &&
		reresolve_decide(&a, true, &a, 0, &v4) == RERESOLVE_SET,
		"a new answer (address, port or family) is set, packets "
		"coming or not");
	ktap_ok(reresolve_decide(&a, true, &none, 0, &b) == RERESOLVE_NOTED &&
		reresolve_decide(&a, false, &none, 0, &b) == RERESOLVE_NOTED,
		"differing on the first round: noted, not set (it may be "
		"where WireGuard roamed)");
	ktap_ok(reresolve_decide(&none, false, &none, 0, &b) == RERESOLVE_SET &&
		reresolve_decide(&none, false, &b, 0, &b) == RERESOLVE_SET,
		"an entry up left without endpoint is filled in");
	ktap_ok(reresolve_decide(&v4, true, &a, 0, &a) == RERESOLVE_ROAMED,
		"the same answer, WireGuard roamed, packets keep coming: kept");
	ktap_ok(reresolve_decide(&v4, false, &a, 0, &a) == RERESOLVE_SET,
		"... but set once nothing came since the last round");
	ktap_ok(reresolve_decide(&a, true, &a, EAI_NONAME, &none) ==
		RERESOLVE_FAILED &&
		reresolve_decide(&none, false, &none, EAI_AGAIN, &none) ==
		RERESOLVE_FAILED, "a failure keeps the endpoint (set or not)");
}

static struct reresolve_name name(void)
{
	static char ctrl[] = "c1", host[] = "c1.example";

	return (struct reresolve_name){ .ctrl = ctrl, .host = host,
					.port = 51820 };
}

/* watch started while the entry is roamed away from the answer */
static void first_round(void)
{
	struct reresolve_name n = name();
	struct wg_peer p = { .endpoint = ep4("192.0.2.1", 51820) };
	char line[512];

	n.got = ep6("2001:db8::1", 51820);
	ktap_ok(reresolve_step(&n, &p, false, 0, line, sizeof(line)) ==
		RERESOLVE_NOTED && !*line &&
		reresolve_endpoint_equal(&n.last, &n.got),
		"first round, the entry elsewhere: noted, no line, nothing set");
	ktap_ok(reresolve_step(&n, &p, true, 30, line, sizeof(line)) ==
		RERESOLVE_ROAMED && !*line,
		"... packets came from there since: a roamed entry, kept");
	ktap_ok(reresolve_step(&n, &p, false, 60, line, sizeof(line)) ==
		RERESOLVE_SET && !strcmp(line, "endpoint of c1: "
		"192.0.2.1:51820 -> [2001:db8::1]:51820 (c1.example)"),
		"... once they stop, the answer is set: '%s'", line);
	n = name();
	n.reloaded = true;
	n.got = ep6("2001:db8::1", 51820);
	ktap_ok(reresolve_step(&n, &p, true, 90, line, sizeof(line)) ==
		RERESOLVE_SET && !n.reloaded,
		"a name new with a reload (host or port changed): its first "
		"answer is set at once");
}

static void steps(void)
{
	struct reresolve_name n = name();
	struct wg_peer p = { .endpoint = ep6("2001:db8::1", 51820) };
	char line[512];

	n.got = ep6("2001:db8::1", 51820);
	ktap_ok(reresolve_step(&n, &p, true, 0, line, sizeof(line)) ==
		RERESOLVE_SAME && !*line &&
		reresolve_endpoint_equal(&n.last, &p.endpoint),
		"unchanged: no line, the answer remembered");
	n.got = ep6("2001:db8::2", 51820);
	ktap_ok(reresolve_step(&n, &p, true, 30, line, sizeof(line)) ==
		RERESOLVE_SET && !strcmp(line, "endpoint of c1: "
		"[2001:db8::1]:51820 -> [2001:db8::2]:51820 (c1.example)"),
		"changed: '%s'", line);
	p.endpoint = n.got;
	n.gai_err = EAI_NONAME;
	snprintf(n.err, sizeof(n.err), "Name or service not known");
	ktap_ok(reresolve_step(&n, &p, true, 60, line, sizeof(line)) ==
		RERESOLVE_FAILED && !strcmp(line, "controller c1: cannot "
		"resolve c1.example (Name or service not known): endpoint "
		"stays [2001:db8::2]:51820"), "a failure: '%s'", line);
	ktap_ok(reresolve_step(&n, &p, true, 90, line, sizeof(line)) ==
		RERESOLVE_FAILED && !*line &&
		reresolve_step(&n, &p, true, 60 + RERESOLVE_LOG_EVERY - 1, line,
			       sizeof(line)) == RERESOLVE_FAILED && !*line,
		"... not said again within %g s", RERESOLVE_LOG_EVERY);
	ktap_ok(reresolve_step(&n, &p, true, 60 + RERESOLVE_LOG_EVERY, line,
			       sizeof(line)) == RERESOLVE_FAILED &&
		strstr(line, "endpoint stays [2001:db8::2]:51820 (failing for "
		       "600 s)"), "... then once more: '%s'", line);
	ktap_ok(reresolve_endpoint_equal(&n.last, &p.endpoint),
		"a failure keeps the last answer");
	n.gai_err = 0;
	n.got = p.endpoint;
	ktap_ok(reresolve_step(&n, &p, true, 700, line, sizeof(line)) ==
		RERESOLVE_SAME && !strcmp(line, "controller c1: c1.example "
		"resolves again") && !n.failing,
		"resolving again is said: '%s'", line);
	n.gai_err = EAI_AGAIN;
	ktap_ok(reresolve_step(&n, &p, true, 710, line, sizeof(line)) ==
		RERESOLVE_FAILED && *line,
		"a new failure is said at once: '%s'", line);
	n.gai_err = 0;
	n.got = ep6("2001:db8::3", 51820);
	ktap_ok(reresolve_step(&n, &p, true, 720, line, sizeof(line)) ==
		RERESOLVE_SET && !strcmp(line, "controller c1: c1.example "
		"resolves again\nendpoint of c1: [2001:db8::2]:51820 -> "
		"[2001:db8::3]:51820 (c1.example)"),
		"resolving again to a new address: both lines");
	n = name();
	n.got = ep4("192.0.2.7", 51820);
	ktap_ok(reresolve_step(&n, NULL, false, 0, line, sizeof(line)) ==
		RERESOLVE_SET && !strcmp(line, "endpoint of c1: - -> "
		"192.0.2.7:51820 (c1.example)"), "filled in: '%s'", line);
}

/* The rounds: a fake resolver, a fake device. */
#define K(c) "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" c "="
static const char topo[] =
	"[Mesh]\nName = vpn\n"
	"[Controller a]\nEndpoint = a.example:51820\nPublicKey = " K("E") "\n"
	"[Controller b]\nEndpoint = 192.0.2.2\nPublicKey = " K("I") "\n"
	"[Controller c]\nEndpoint = [2001:db8::3]:7\nPublicKey = " K("M") "\n"
	"[Controller d]\nEndpoint = slow.example\nPublicKey = " K("Q") "\n"
	"[Controller e]\nEndpoint = e.example:9\nPublicKey = " K("U") "\n"
	"[Controller f]\nEndpoint = gone.example\nPublicKey = " K("Y") "\n";

static struct wg_device dev;
static struct wg_device sent;
static int n_sets;
static char said[4096];

static int fake_resolve(const char *host, uint16_t port,
			union wg_endpoint *out, char *err, size_t errlen)
{
	if (!strcmp(host, "slow.example"))
		sleep(5);
	if (!strcmp(host, "gone.example")) {
		snprintf(err, errlen, "Name or service not known");
		return EAI_NONAME;
	}
	if (!strcmp(host, "a.example"))
		*out = ep6("2001:db8::a", port);
	else
		*out = ep6("2001:db8::e", port);
	return 0;
}

static int fake_get(struct reresolve *r, struct wg_device *cur)
{
	(void)r;
	memset(cur, 0, sizeof(*cur));
	for (size_t i = 0; i < dev.n_peers; i++) {
		struct wg_peer *p = wg_device_add_peer(cur);

		if (!p)
			return -1;
		memcpy(p->public_key, dev.peers[i].public_key, WG_KEY_LEN);
		p->endpoint = dev.peers[i].endpoint;
		p->rx_bytes = dev.peers[i].rx_bytes;
	}
	return 0;
}

static int fake_set(struct reresolve *r, const struct wg_device *set)
{
	(void)r;
	n_sets++;
	wg_device_free(&sent);
	memset(&sent, 0, sizeof(sent));
	for (size_t i = 0; i < set->n_peers; i++) {
		struct wg_peer *p = wg_device_add_peer(&sent);

		if (!p)
			return -1;
		*p = set->peers[i];
		p->ips = NULL;
		p->n_ips = p->cap_ips = 0;
		for (size_t k = 0; k < dev.n_peers; k++)
			if (!memcmp(dev.peers[k].public_key, p->public_key,
				    WG_KEY_LEN))
				dev.peers[k].endpoint = p->endpoint;
	}
	return 0;
}

static void fake_say(void *ctx, const char *line)
{
	size_t o = strlen(said);

	(void)ctx;
	snprintf(said + o, sizeof(said) - o, "%s\n", line);
}

/* Wait for the child's results (or its timeout) as watch's loop does. */
static void round_trip(struct reresolve *r, double *now)
{
	for (int i = 0; i < 100 && reresolve_fd(r) >= 0; i++) {
		struct pollfd pfd = { .fd = reresolve_fd(r), .events = POLLIN };
		double due = reresolve_due(r);

		if (poll(&pfd, 1, 100) > 0)
			reresolve_read(r, *now);
		else if ((*now += 0.1) >= due)
			reresolve_tick(r, *now);
	}
}

static void rounds(void)
{
	struct wgmesh_topology *t;
	struct reresolve r;
	char err[WGMESH_ERR_LEN] = "";
	double now = 1000;
	union wg_endpoint want_a = ep6("2001:db8::a", 51820),
			  old_a = ep6("2001:db8::1", 51820);
	const struct wg_peer *pa, *pe;

	if (wgmesh_topology_parse(topo, strlen(topo), "t.conf", &t, err,
				  sizeof(err))) {
		ktap_diag("%s", err);
		exit(1);
	}
	/* On controller e: a, d, f are names; b and c literals. */
	for (size_t i = 0; i < t->n_controllers; i++) {
		struct wg_peer *p = wg_device_add_peer(&dev);

		memcpy(p->public_key, t->controllers[i].public_key, WG_KEY_LEN);
	}
	dev.peers[0].endpoint = old_a;
	dev.peers[0].rx_bytes = 100;
	reresolve_init(&r, NULL, fake_say, NULL);
	r.resolve = fake_resolve;
	r.get = fake_get;
	r.set = fake_set;
	ktap_ok(!reresolve_load(&r, t, &t->controllers[4], 1, now) &&
		r.n == 3 && !strcmp(r.names[0].ctrl, "a") &&
		!strcmp(r.names[1].ctrl, "d") &&
		!strcmp(r.names[2].ctrl, "f") &&
		r.timeout == RERESOLVE_TIMEOUT && reresolve_due(&r) == now &&
		reresolve_fd(&r) < 0,
		"names only (no literal, not itself); a round due at once");
	r.timeout = 1;
	ktap_ok(!reresolve_tick(&r, now) && reresolve_fd(&r) >= 0 &&
		reresolve_due(&r) == now + 1,
		"a round runs in a child, killed after the timeout");
	round_trip(&r, &now);
	ktap_ok(reresolve_fd(&r) < 0 && r.child == 0,
		"the hanging child is gone at the timeout (reaped)");
	pa = &dev.peers[0];
	pe = &dev.peers[3];
	ktap_ok(n_sets == 0 &&
		reresolve_endpoint_equal(&pa->endpoint, &old_a),
		"a's first answer differs: only noted (it may be roamed), nothing sent");
	ktap_ok(!pe->endpoint.sa.sa_family &&
		!dev.peers[1].endpoint.sa.sa_family,
		"d (no answer) is not set, nor the literals");
	ktap_ok(strstr(said, "controller d: cannot resolve slow.example (no "
		       "answer within 1 s): endpoint stays unset\n") &&
		!strstr(said, "endpoint of"),
		"said: the timeout, no endpoint set");
	/* d answers now; a received nothing since; f's failure said once. */
	*said = '\0';
	r.resolve = fake_resolve;
	free(r.names[1].host);
	r.names[1].host = strdup("d.example");
	now += 1;
	reresolve_tick(&r, now);
	round_trip(&r, &now);
	ktap_ok(n_sets == 1 && sent.n_peers == 2 &&
		sent.peers[0].flags == WGPEER_F_UPDATE_ONLY &&
		sent.peers[0].set_endpoint && !sent.peers[0].set_ips &&
		!sent.peers[0].set_keepalive &&
		!sent.peers[0].set_preshared_key && !sent.peers[0].n_ips &&
		reresolve_endpoint_equal(&pa->endpoint, &want_a),
		"the next round: a (nothing came from it) set, endpoint alone, "
		"WGPEER_F_UPDATE_ONLY");
	ktap_ok(!strcmp(said, "endpoint of a: [2001:db8::1]:51820 -> "
			"[2001:db8::a]:51820 (a.example)\n"
			"controller d: d.example resolves again\n"
			"endpoint of d: - -> [2001:db8::e]:51820 "
			"(d.example)\n"),
		"... and d filled in, f not said again");
	*said = '\0';
	now += 1;
	reresolve_tick(&r, now);
	round_trip(&r, &now);
	ktap_ok(n_sets == 1 && !*said,
		"a round with nothing changed sends and says nothing");
	/* A reload keeps what was learnt; a changed name starts afresh. */
	ktap_ok(!reresolve_load(&r, t, NULL, 2, now) && r.n == 4 &&
		!r.names[0].failing && r.names[0].last.sa.sa_family &&
		r.names[3].failing && r.interval == 2 &&
		!r.names[0].reloaded && r.names[2].reloaded &&
		!strcmp(r.names[2].ctrl, "e") && !r.names[3].reloaded,
		"a reload keeps each name's state (on a peer: e too)");
	reresolve_free(&r);
	wgmesh_topology_free(t);
	wg_device_free(&dev);
	wg_device_free(&sent);
}

int main(void)
{
	if (sodium_init() < 0)
		return 1;
	ktap_plan(8 + 4 + 10 + 10);
	decisions();
	first_round();
	steps();
	rounds();
	return ktap_finish();
}
