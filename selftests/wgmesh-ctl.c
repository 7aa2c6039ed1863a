// SPDX-License-Identifier: GPL-2.0
/*
 * wgmesh-ctl: a small driver of the wgmesh genl family for the VM selftests.
 *
 * Usage (-u UID: drop to that uid/gid and no groups first, to test that
 * unprivileged requests are refused; busybox's setpriv cannot. --rcvbuf N:
 * read replies with an N-byte buffer, which makes the kernel build dump
 * messages that fit it; --hold DIR: set builds its request, creates
 * DIR/ready, waits up to a minute for DIR/go, then sends it, so that a test
 * can change the memory cgroup's limit between the two):
 *   wgmesh-ctl [-u UID] [--rcvbuf N] [--hold DIR] CMD ...
 *   wgmesh-ctl attach DEV
 *   wgmesh-ctl detach DEV
 *   wgmesh-ctl set DEV --prefix PREFIX --self CID [--generation N]
 *                      [--default-deny] [--controller CID[:GROUPS]]...
 *                      [--peer PID[:GROUPS[:isolated|:exit]]]... [--allow G-H]...
 *                      [--allow-all] [--random-peers N[:SEED]]
 *                      [--ipv4 A.B.C.D/LEN] [--member-ipv4 c:CID=A.B.C.D]...
 *                      [--subnet c:CID=PREFIX/LEN]...   (p:PID for peers)
 *   wgmesh-ctl show DEV
 *   wgmesh-ctl stats DEV [--device | --member c:CID | --member p:PID]
 *   wgmesh-ctl race DEV       (DEV's topology must be the first SET after its
 *                              attach, with 1,000+ members: reads one 4 KiB
 *                              message of a GET_TOPOLOGY dump, then detaches,
 *                              attaches and sets the same topology again,
 *                              then reads the rest; prints "intr=yes|no",
 *                              whether a message was flagged NLM_F_DUMP_INTR,
 *                              and exits 0 only for yes)
 *   wgmesh-ctl events DEV     (joins the drop events group and reads until
 *                              SIGTERM/SIGINT, then prints "events=N
 *                              packets=M" for DEV and exits 0: a listener
 *                              for selftests/bench, which only needs one)
 *   wgmesh-ctl raw DEV CASE   (a deliberately odd request, for tests;
 *                              CASE: short-prefix, long-ifname, unknown-attr,
 *                              output-attr, member-stats, no-member-id,
 *                              bad-flags, bad-member-flags, both-devs,
 *                              no-dev, controller-id-17bit, missing-prefix,
 *                              self-not-controller, self-id-17bit,
 *                              allow-group-64, allow-no-mask, twice-prefix,
 *                              get-with-prefix, ifindex-0; and a valid
 *                              one: peer-first, a peer with subnet
 *                              172.27.88.0/24 before the controller with
 *                              192.168.7.0/24)
 *
 * DEV is an interface name, or "@N" for ifindex N. CID is a controller id
 * (address bytes 5..6), PID a peer id (address bytes 8..11), GROUPS a 64-bit
 * group bitmask, N and G numbers (groups 0..63); all accept C syntax
 * (0x3bf7, 10). PREFIX is the mesh /40 as an address, e.g. fdeb:f20c::.
 * --self's controller is added to the controllers if not listed.
 * --random-peers adds N random distinct peer ids (groups 0, reproducible
 * with SEED); --allow-all lets every group talk to every group (the
 * largest policy there is). --ipv4 is the mesh IPv4 range, --member-ipv4
 * a member's IPv4 address and --subnet (IPv4 or IPv6) a subnet routed to
 * a member, both naming it c:CID or p:PID.
 *
 * Output (one line per record, space separated key=value, ids in hex):
 *   show:  topology ifindex=5 ifname=wg0 generation=7 prefix=fdeb:f20c::
 *                   self=0x3bf7 flags=default-deny controllers=2 peers=3
 *                   allow=0-1,2-2            (flags=none / allow=none if empty)
 *                   [ipv4=10.128.0.0/16]
 *          controller id=0x3bf7 groups=0x1 flags=none [ipv4=10.128.0.1]
 *          peer id=0x698750a0 groups=0x2 flags=isolated
 *                   [subnets=172.27.88.0/24,fd01::/64]
 *          (a device attached without topology prints only
 *           "topology ifindex=5 ifname=wg0 generation=none")
 *   stats: device rx_packets=.. rx_bytes=.. local_packets=.. local_bytes=..
 *                 fwd_packets=.. fwd_bytes=.. tx_packets=.. tx_bytes=..
 *                 pass_packets=.. drop_spoofed=.. drop_outside=..
 *                 drop_unknown=.. drop_policy=.. drop_isolated=..
 *                 drop_hoplimit=.. drop_toobig=.. drop_malformed=..
 *                 drop_xmit=..
 *                 drop_packets=.. drop_crossing=..
 *          controller id=0x3bf7 local_packets=.. local_bytes=..
 *                 fwd_packets=.. fwd_bytes=.. tx_packets=.. tx_bytes=..
 *                 drop_packets=..
 *          peer id=0x698750a0 <the same keys>
 *          --device / --member print only that line (exit 1 if no such
 *          member).
 * Errors: one line on stderr "wgmesh-ctl: WGMESH_CMD_<op> <dev>: <strerror>:
 * <kernel extack message>", exit 1 (2 for usage errors).
 */

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <grp.h>
#include <unistd.h>
#include <poll.h>
#include <signal.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <linux/genetlink.h>
#include <linux/netlink.h>

#include "../tools/lib/array.h"
#include "../tools/nl/events.h"
#include "../tools/nl/mesh.h"

static const char *prog = "wgmesh-ctl";

static void usage(void)
{
	fprintf(stderr,
		"usage: %s [-u UID] [--rcvbuf N] [--hold DIR] attach DEV | detach DEV | show DEV\n"
		"       %s set DEV --prefix PREFIX --self CID [--generation N] [--default-deny]\n"
		"              [--controller CID[:GROUPS]]... [--peer PID[:GROUPS[:isolated|:exit]]]...\n"
		"              [--allow G-H]... [--allow-all] [--random-peers N[:SEED]]\n"
		"              [--ipv4 A.B.C.D/LEN] [--member-ipv4 c:CID=A.B.C.D]... [--subnet c:CID=PREFIX/LEN]...\n"
		"       %s stats DEV [--device | --member c:CID | --member p:PID]\n"
		"       %s race DEV | raw DEV CASE | events DEV\n"
		"       %s spray PREFIX N   (UDP to PREFIX:dead:1..N:0:1)\n",
		prog, prog, prog, prog, prog);
	exit(2);
}

static void die_usage(const char *what, const char *arg)
{
	fprintf(stderr, "%s: invalid %s: '%s'\n", prog, what, arg);
	exit(2);
}

static uint64_t number(const char *s, const char **end, uint64_t max,
		       const char *what)
{
	char *e;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &e, 0);
	if (errno || e == s || v > max || (!end && *e))
		die_usage(what, s);
	if (end)
		*end = e;
	return v;
}

struct members {
	struct meshnl_member *m;
	size_t n, cap;
};

static struct meshnl_member *add(struct members *ms)
{
	if (!array_grow(&ms->m, &ms->cap, ms->n, sizeof(*ms->m))) {
		fprintf(stderr, "%s: out of memory\n", prog);
		exit(1);
	}
	return &ms->m[ms->n++];
}

/* ID[:GROUPS[:isolated|:exit]] */
static void parse_member(struct members *ms, const char *arg, bool ctrl)
{
	struct meshnl_member *m = add(ms);
	const char *e;

	m->id = number(arg, &e, ctrl ? 0xffff : 0xffffffff,
		       ctrl ? "controller" : "peer");
	if (*e == ':') {
		m->groups = number(e + 1, &e, UINT64_MAX, "group mask");
		if (*e == ':' && !ctrl && !strcmp(e + 1, "isolated")) {
			m->flags = WGMESH_MEMBER_F_ISOLATED;
			e += strlen(e);
		} else if (*e == ':' && !ctrl && !strcmp(e + 1, "exit")) {
			m->flags = WGMESH_MEMBER_F_EXIT;
			e += strlen(e);
		}
	}
	if (*e)
		die_usage(ctrl ? "controller" : "peer", arg);
}

/* Distinct nonzero ids: i -> (i + 1) * odd + offset is a bijection. */
static void random_peers(struct members *ms, const char *arg)
{
	const char *e;
	uint64_t n = number(arg, &e, WGMESH_MAX_PEERS, "--random-peers");
	uint32_t seed = 1, k, c, i;

	if (*e == ':')
		seed = number(e + 1, NULL, UINT32_MAX, "--random-peers seed");
	else if (*e)
		die_usage("--random-peers", arg);
	k = (seed * 2654435761U) | 1;
	c = seed * 40503U + 0x5bd1e995U;
	if (!c)
		c = 1;
	for (i = 0; i < n; i++) {
		struct meshnl_member *m = add(ms);

		m->id = (i + 1) * k + c;
		if (!m->id)
			m->id = c;
	}
}

static void dev_arg(const char *arg, const char **ifname, uint32_t *ifindex)
{
	if (arg[0] == '@') {
		*ifname = NULL;
		*ifindex = number(arg + 1, NULL, UINT32_MAX, "ifindex");
	} else {
		*ifname = arg;
		*ifindex = 0;
	}
}

/* "A.B.C.D/LEN" or "IPV6/LEN" into @s; exits on a bad one. */
static void parse_prefix(const char *arg, struct meshnl_subnet *s)
{
	char buf[INET6_ADDRSTRLEN + 4];
	const char *slash = strchr(arg, '/');

	if (!slash || (size_t)(slash - arg) >= sizeof(buf))
		die_usage("prefix", arg);
	memcpy(buf, arg, slash - arg);
	buf[slash - arg] = '\0';
	s->family = strchr(buf, ':') ? AF_INET6 : AF_INET;
	if (inet_pton(s->family, buf, s->addr) != 1)
		die_usage("prefix", arg);
	s->len = number(slash + 1, NULL, s->family == AF_INET ? 32 : 128,
			"prefix length");
}

/* "c:CID=VALUE" or "p:PID=VALUE": the member, and VALUE in *@value. */
static struct meshnl_member *member_ref(struct members *ctrls,
					struct members *peers,
					const char *arg, const char **value)
{
	struct members *ms = arg[0] == 'c' ? ctrls : peers;
	const char *e;
	uint32_t id;
	size_t i;

	if ((arg[0] != 'c' && arg[0] != 'p') || arg[1] != ':')
		die_usage("member reference", arg);
	id = number(arg + 2, &e, UINT32_MAX, "member reference");
	if (*e != '=')
		die_usage("member reference", arg);
	*value = e + 1;
	for (i = 0; i < ms->n; i++)
		if (ms->m[i].id == id)
			return &ms->m[i];
	die_usage("member reference (no such member)", arg);
	return NULL;
}

/* --member-ipv4 and --subnet, once every member is known. */
static void apply_refs(struct members *ctrls, struct members *peers,
		       int argc, char **argv)
{
	struct meshnl_member *m;
	struct meshnl_subnet *sn;
	const char *v;
	int i;

	for (i = 0; i + 1 < argc; i++) {
		if (!strcmp(argv[i], "--member-ipv4")) {
			m = member_ref(ctrls, peers, argv[++i], &v);
			if (inet_pton(AF_INET, v, &m->ipv4) != 1)
				die_usage("--member-ipv4", argv[i]);
		} else if (!strcmp(argv[i], "--subnet")) {
			m = member_ref(ctrls, peers, argv[++i], &v);
			sn = array_push(&m->subnets, &m->n_subnets,
					&m->cap_subnets, sizeof(*sn));
			if (!sn) {
				fprintf(stderr, "%s: out of memory\n", prog);
				exit(1);
			}
			parse_prefix(v, sn);
		}
	}
}

static void free_members(struct members *ms)
{
	for (size_t i = 0; i < ms->n; i++)
		free(ms->m[i].subnets);
	free(ms->m);
}

static const char *hold_dir;

/* --hold: DIR/ready now, DIR/go (polled for a minute) before sending. */
static int hold(struct meshnl *nl)
{
	char path[4096];
	FILE *f;
	int i;

	snprintf(path, sizeof(path), "%s/ready", hold_dir);
	f = fopen(path, "w");
	if (!f || fclose(f)) {
		snprintf(nl->s.err, sizeof(nl->s.err), "--hold %.200s: %s",
			 hold_dir, strerror(errno));
		return -1;
	}
	snprintf(path, sizeof(path), "%s/go", hold_dir);
	for (i = 0; i < 6000 && access(path, F_OK); i++)
		usleep(10000);
	return 0;
}

static int send_set(struct meshnl *nl, const char *ifname, uint32_t ifindex,
		    const struct meshnl_topology *t)
{
	struct nlmsghdr *nlh;
	int ret;

	if (!hold_dir)
		return meshnl_set_topology(nl, ifname, ifindex, t);
	nlh = meshnl_set_topology_msg(nl, ifname, ifindex, t);
	if (!nlh)
		return -ENOMEM;
	ret = hold(nl);
	if (!ret)
		ret = meshnl_set_topology_send(nl, nlh, ifname, ifindex);
	free(nlh);
	return ret;
}

static int cmd_set(struct meshnl *nl, const char *ifname, uint32_t ifindex,
		   int argc, char **argv)
{
	struct members ctrls = { 0 }, peers = { 0 };
	struct meshnl_topology t = { 0 };
	bool have_prefix = false, have_self = false, self_listed = false;
	struct in6_addr prefix;
	int i, ret;
	size_t j;

	for (i = 0; i < argc; i++) {
		const char *opt = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(opt, "--default-deny")) {
			t.flags |= WGMESH_F_DEFAULT_DENY;
			continue;
		}
		if (!strcmp(opt, "--allow-all")) {
			memset(t.allow, 0xff, sizeof(t.allow));
			continue;
		}
		if (!val)
			usage();
		i++;
		if (!strcmp(opt, "--prefix")) {
			if (inet_pton(AF_INET6, val, &prefix) != 1)
				die_usage("--prefix", val);
			memcpy(t.prefix, &prefix, 16);
			have_prefix = true;
		} else if (!strcmp(opt, "--self")) {
			t.self_id = number(val, NULL, 0xffff, "--self");
			have_self = true;
		} else if (!strcmp(opt, "--generation")) {
			t.generation = number(val, NULL, UINT64_MAX,
					      "--generation");
		} else if (!strcmp(opt, "--controller")) {
			parse_member(&ctrls, val, true);
		} else if (!strcmp(opt, "--peer")) {
			parse_member(&peers, val, false);
		} else if (!strcmp(opt, "--random-peers")) {
			random_peers(&peers, val);
		} else if (!strcmp(opt, "--allow")) {
			const char *e;
			unsigned int a, b;

			a = number(val, &e, WGMESH_MAX_GROUPS - 1, "--allow");
			if (*e != '-')
				die_usage("--allow", val);
			b = number(e + 1, NULL, WGMESH_MAX_GROUPS - 1, "--allow");
			meshnl_allow(&t, a, b);
		} else if (!strcmp(opt, "--ipv4")) {
			struct meshnl_subnet r = { 0 };

			parse_prefix(val, &r);
			if (r.family != AF_INET)
				die_usage("--ipv4", val);
			memcpy(&t.ipv4_prefix, r.addr, 4);
			t.ipv4_len = r.len;
		} else if (strcmp(opt, "--member-ipv4") &&
			   strcmp(opt, "--subnet")) {
			usage();
		}
	}
	if (!have_prefix || !have_self)
		usage();
	for (j = 0; j < ctrls.n; j++)
		self_listed |= ctrls.m[j].id == t.self_id;
	if (!self_listed)
		add(&ctrls)->id = t.self_id;
	apply_refs(&ctrls, &peers, argc, argv);
	t.ctrls = ctrls.m;
	t.n_ctrls = ctrls.n;
	t.peers = peers.m;
	t.n_peers = peers.n;
	ret = send_set(nl, ifname, ifindex, &t);
	free_members(&ctrls);
	free_members(&peers);
	return ret;
}

/* Minimal attribute writer for "raw": no libmnl, so anything goes. */
struct raw {
	unsigned char buf[1024];
	size_t len;
};

static size_t raw_put(struct raw *r, uint16_t type, const void *data,
		      size_t len)
{
	struct nlattr a = { .nla_len = NLA_HDRLEN + len, .nla_type = type };
	size_t at = r->len;

	memcpy(r->buf + r->len, &a, sizeof(a));
	if (len)
		memcpy(r->buf + r->len + NLA_HDRLEN, data, len);
	r->len += NLA_ALIGN(NLA_HDRLEN + len);
	return at;
}

static size_t raw_nest(struct raw *r, uint16_t type)
{
	return raw_put(r, type | NLA_F_NESTED, NULL, 0);
}

static void raw_end(struct raw *r, size_t at)
{
	((struct nlattr *)(r->buf + at))->nla_len = r->len - at;
}

static void raw_put_u32(struct raw *r, uint16_t type, uint32_t v)
{
	raw_put(r, type, &v, sizeof(v));
}

static void raw_put_u64(struct raw *r, uint16_t type, uint64_t v)
{
	raw_put(r, type, &v, sizeof(v));
}

static void raw_member(struct raw *r, uint16_t type, bool id, uint32_t v,
		       uint32_t flags, bool stats)
{
	size_t e = raw_nest(r, type);

	if (id)
		raw_put_u32(r, WGMESH_MEMBER_A_ID, v);
	if (flags)
		raw_put_u32(r, WGMESH_MEMBER_A_FLAGS, flags);
	if (stats)
		raw_end(r, raw_nest(r, WGMESH_MEMBER_A_STATS));
	raw_end(r, e);
}

/* A member with one routed IPv4 subnet @a/@len. */
static void raw_subnet_member(struct raw *r, uint16_t type, uint32_t id,
			      const char *a, uint32_t len)
{
	size_t e = raw_nest(r, type), s;
	struct in_addr in;

	if (inet_pton(AF_INET, a, &in) != 1)
		die_usage("subnet", a);
	raw_put_u32(r, WGMESH_MEMBER_A_ID, id);
	s = raw_nest(r, WGMESH_MEMBER_A_SUBNET);
	raw_put(r, WGMESH_SUBNET_A_IPV4, &in, sizeof(in));
	raw_put_u32(r, WGMESH_SUBNET_A_PREFIX_LEN, len);
	raw_end(r, s);
	raw_end(r, e);
}

static int raw_attach(struct meshnl *nl, struct raw *r)
{
	return meshnl_request(nl, WGMESH_CMD_ATTACH, 0, r->buf, r->len);
}

/* Cases that are not SET_TOPOLOGY requests; -1: not one of them. */
static int raw_other(struct meshnl *nl, struct raw *r, const char *c)
{
	if (!strcmp(c, "both-devs")) {
		raw_put_u32(r, WGMESH_A_IFINDEX, 1);
		return raw_attach(nl, r);
	}
	if (!strcmp(c, "unknown-attr")) {
		raw_put_u32(r, 200, 1);
		return raw_attach(nl, r);
	}
	if (!strcmp(c, "output-attr")) {
		raw_put_u32(r, WGMESH_A_NUM_PEERS, 1);
		return raw_attach(nl, r);
	}
	if (!strcmp(c, "get-with-prefix")) {
		raw_put(r, WGMESH_A_PREFIX, "\xfd\xeb\xf2\x0c", 16);
		return meshnl_request(nl, WGMESH_CMD_GET_TOPOLOGY, NLM_F_DUMP,
				      r->buf, r->len);
	}
	return -1;
}

static int cmd_raw(struct meshnl *nl, const char *dev, const char *c)
{
	static const unsigned char prefix[16] = { 0xfd, 0xeb, 0xf2, 0x0c };
	uint32_t self = 0x3bf7;
	struct raw r = { .len = 0 };
	int ret;

	if (!strcmp(c, "long-ifname")) {
		raw_put(&r, WGMESH_A_IFNAME, "0123456789abcdefghij",
			sizeof("0123456789abcdefghij"));
		return raw_attach(nl, &r);
	}
	if (!strcmp(c, "no-dev"))
		return raw_attach(nl, &r);
	if (!strcmp(c, "ifindex-0")) {
		raw_put_u32(&r, WGMESH_A_IFINDEX, 0);
		return raw_attach(nl, &r);
	}
	raw_put(&r, WGMESH_A_IFNAME, dev, strlen(dev) + 1);
	ret = raw_other(nl, &r, c);
	if (ret != -1)
		return ret;
	/* the rest are SET_TOPOLOGY requests, valid but for one thing */
	raw_put(&r, WGMESH_A_PREFIX, prefix,
		!strcmp(c, "short-prefix") ? 8 : 16);
	if (!strcmp(c, "twice-prefix"))
		raw_put(&r, WGMESH_A_PREFIX, prefix, 16);
	if (!strcmp(c, "missing-prefix")) {
		r.len = 0;
		raw_put(&r, WGMESH_A_IFNAME, dev, strlen(dev) + 1);
	}
	raw_put_u32(&r, WGMESH_A_SELF_ID,
		    !strcmp(c, "self-id-17bit") ? 0x13bf7 : self);
	if (!strcmp(c, "bad-flags"))
		raw_put_u32(&r, WGMESH_A_FLAGS, 0x80);
	if (!strcmp(c, "peer-first")) {
		raw_subnet_member(&r, WGMESH_A_PEER, 5, "172.27.88.0", 24);
		raw_subnet_member(&r, WGMESH_A_CONTROLLER, self, "192.168.7.0",
				  24);
	} else {
		raw_member(&r, WGMESH_A_CONTROLLER, true,
			   !strcmp(c, "controller-id-17bit") ? 0x13bf7 :
			   !strcmp(c, "self-not-controller") ? 0x1234 : self,
			   0, false);
	}
	if (!strcmp(c, "member-stats")) {
		raw_member(&r, WGMESH_A_PEER, true, 5, 0, true);
	} else if (!strcmp(c, "no-member-id")) {
		raw_member(&r, WGMESH_A_PEER, false, 0, 0, false);
	} else if (!strcmp(c, "bad-member-flags")) {
		raw_member(&r, WGMESH_A_PEER, true, 5, 0x80, false);
	} else if (!strcmp(c, "allow-group-64") ||
		   !strcmp(c, "allow-no-mask")) {
		size_t e = raw_nest(&r, WGMESH_A_ALLOW);

		raw_put_u32(&r, WGMESH_ALLOW_A_GROUP,
			    !strcmp(c, "allow-group-64") ? 64 : 1);
		if (!strcmp(c, "allow-group-64"))
			raw_put_u64(&r, WGMESH_ALLOW_A_MASK, 1);
		raw_end(&r, e);
	} else if (strcmp(c, "short-prefix") && strcmp(c, "bad-flags") &&
		   strcmp(c, "controller-id-17bit") &&
		   strcmp(c, "self-not-controller") &&
		   strcmp(c, "missing-prefix") && strcmp(c, "twice-prefix") &&
		   strcmp(c, "self-id-17bit") && strcmp(c, "peer-first")) {
		die_usage("raw case", c);
	}
	return meshnl_request(nl, WGMESH_CMD_SET_TOPOLOGY, 0, r.buf, r.len);
}

static void print_flags(uint32_t flags, bool topo)
{
	if (!flags)
		printf("none");
	else if (topo)
		printf("%s", flags & WGMESH_F_DEFAULT_DENY ? "default-deny" : "?");
	else
		printf("%s%s%s", flags & WGMESH_MEMBER_F_ISOLATED ? "isolated" : "",
		       (flags & WGMESH_MEMBER_F_ISOLATED) &&
		       (flags & WGMESH_MEMBER_F_EXIT) ? "," : "",
		       flags & WGMESH_MEMBER_F_EXIT ? "exit" : "");
}

/* The counters a member has (uapi/wgmesh.h); a device has them all. */
static const int member_counters[] = {
	WGMESH_STATS_A_LOCAL_PACKETS, WGMESH_STATS_A_LOCAL_BYTES,
	WGMESH_STATS_A_FWD_PACKETS, WGMESH_STATS_A_FWD_BYTES,
	WGMESH_STATS_A_TX_PACKETS, WGMESH_STATS_A_TX_BYTES,
	WGMESH_STATS_A_DROP_PACKETS,
};

static void print_stats(const uint64_t *c, bool member)
{
	size_t i, n = sizeof(member_counters) / sizeof(member_counters[0]);

	if (member) {
		for (i = 0; i < n; i++)
			printf(" %s=%" PRIu64,
			       meshnl_stat_names[member_counters[i]],
			       c[member_counters[i]]);
	} else {
		for (i = 0; i <= WGMESH_STATS_A_MAX; i++)
			if (meshnl_stat_names[i])
				printf(" %s=%" PRIu64, meshnl_stat_names[i],
				       c[i]);
	}
	printf("\n");
}

static void print_member(const struct meshnl_member *m, bool ctrl, bool stats)
{
	printf(ctrl ? "controller id=0x%04x" : "peer id=0x%08x", m->id);
	if (stats) {
		print_stats(m->stats, true);
		return;
	}
	printf(" groups=0x%" PRIx64 " flags=", m->groups);
	print_flags(m->flags, false);
	if (m->ipv4) {
		char a[INET_ADDRSTRLEN];

		printf(" ipv4=%s", inet_ntop(AF_INET, &m->ipv4, a, sizeof(a)));
	}
	for (size_t i = 0; i < m->n_subnets; i++) {
		char a[INET6_ADDRSTRLEN];

		printf("%s%s/%u", i ? "," : " subnets=",
		       inet_ntop(m->subnets[i].family, m->subnets[i].addr, a,
				 sizeof(a)), m->subnets[i].len);
	}
	printf("\n");
}

static void print_topology(const struct meshnl_state *s)
{
	const struct meshnl_topology *t = &s->topo;
	char prefix[INET6_ADDRSTRLEN];
	const char *sep = "";
	unsigned int a, b;
	size_t i;

	printf("topology ifindex=%u ifname=%s generation=", s->ifindex,
	       s->ifname);
	if (!s->has_topology) {
		printf("none\n");
		return;
	}
	inet_ntop(AF_INET6, t->prefix, prefix, sizeof(prefix));
	printf("%" PRIu64 " prefix=%s self=0x%04x flags=", t->generation,
	       prefix, t->self_id);
	print_flags(t->flags, true);
	printf(" controllers=%zu peers=%zu allow=", t->n_ctrls, t->n_peers);
	for (a = 0; a < WGMESH_MAX_GROUPS; a++) {
		for (b = a; b < WGMESH_MAX_GROUPS; b++) {
			if (t->allow[a] & (1ULL << b)) {
				printf("%s%u-%u", sep, a, b);
				sep = ",";
			}
		}
	}
	printf("%s", *sep ? "" : "none");
	if (t->ipv4_len) {
		char a[INET_ADDRSTRLEN];

		printf(" ipv4=%s/%u", inet_ntop(AF_INET, &t->ipv4_prefix, a,
						sizeof(a)), t->ipv4_len);
	}
	printf("\n");
	for (i = 0; i < t->n_ctrls; i++)
		print_member(&t->ctrls[i], true, false);
	for (i = 0; i < t->n_peers; i++)
		print_member(&t->peers[i], false, false);
}

static int cmd_stats(const struct meshnl_state *s, int argc, char **argv)
{
	const struct meshnl_topology *t = &s->topo;
	bool device = false, ctrl = false, all = true;
	uint32_t id = 0;
	size_t i;

	if (argc == 1 && !strcmp(argv[0], "--device")) {
		device = true;
		all = false;
	} else if (argc == 2 && !strcmp(argv[0], "--member") &&
		   (argv[1][0] == 'c' || argv[1][0] == 'p') &&
		   argv[1][1] == ':') {
		ctrl = argv[1][0] == 'c';
		id = number(argv[1] + 2, NULL, UINT32_MAX, "--member");
		all = false;
	} else if (argc) {
		usage();
	}
	if (all || device) {
		printf("device");
		print_stats(s->dev_stats, false);
		if (device)
			return 0;
	}
	for (i = 0; i < t->n_ctrls; i++) {
		if (all || (ctrl && t->ctrls[i].id == id)) {
			print_member(&t->ctrls[i], true, true);
			if (!all)
				return 0;
		}
	}
	for (i = 0; i < t->n_peers; i++) {
		if (all || (!ctrl && t->peers[i].id == id)) {
			print_member(&t->peers[i], false, true);
			if (!all)
				return 0;
		}
	}
	if (all)
		return 0;
	fprintf(stderr, "%s: stats %s: no %s 0x%x in the topology\n", prog,
		s->ifname, ctrl ? "controller" : "peer", id);
	return 1;
}

/* Reads one reply of @s's dump; 1: more to come, 0: done, -1: error. */
static int read_dump(struct meshnl *nl, bool *intr)
{
	const struct nlmsghdr *r;
	int n = mnl_socket_recvfrom(nl->s.nl, nl->s.buf, nl->s.buflen);

	if (n < 0)
		return -1;
	for (r = (const struct nlmsghdr *)nl->s.buf; mnl_nlmsg_ok(r, n);
	     r = mnl_nlmsg_next(r, &n)) {
		if (r->nlmsg_flags & NLM_F_DUMP_INTR)
			*intr = true;
		if (r->nlmsg_type == NLMSG_ERROR)
			return -1;
		if (r->nlmsg_type == NLMSG_DONE)
			return 0;
	}
	return 1;
}

static int cmd_race(struct meshnl *nl, const char *ifname)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct meshnl_state st;
	struct meshnl dumper;
	struct nlmsghdr *nlh;
	struct genlmsghdr *g;
	bool intr = false;
	int ret;

	if (meshnl_get(nl, ifname, 0, false, &st))
		return -1;
	ret = meshnl_open(&dumper, 4096);
	if (ret)
		goto out;
	nlh = nls_msg(&dumper.s, buf, dumper.family, NLM_F_DUMP);
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = WGMESH_CMD_GET_TOPOLOGY;
	g->version = WGMESH_GENL_VERSION;
	mnl_attr_put_strz(nlh, WGMESH_A_IFNAME, ifname);
	ret = -1;
	snprintf(nl->s.err, sizeof(nl->s.err),
		 "race %s: the dump failed or fit one message", ifname);
	if (mnl_socket_sendto(dumper.s.nl, nlh, nlh->nlmsg_len) < 0 ||
	    read_dump(&dumper, &intr) != 1)
		goto close;
	if (meshnl_detach(nl, ifname, 0) || meshnl_attach(nl, ifname, 0) ||
	    meshnl_set_topology(nl, ifname, 0, &st.topo))
		goto close;
	while ((ret = read_dump(&dumper, &intr)) == 1)
		;
	printf("intr=%s\n", intr ? "yes" : "no");
	if (!ret && !intr)
		ret = 1;
close:
	meshnl_close(&dumper);
out:
	meshnl_state_free(&st);
	return ret;
}

struct ev_count {
	const char *ifname;
	uint64_t events, packets;
};

static void ev_count(const struct meshev_event *e, void *data)
{
	struct ev_count *c = data;

	if (strcmp(e->ifname, c->ifname))
		return;
	c->events++;
	c->packets += e->packets;
}

static volatile sig_atomic_t ev_stop;

static void ev_signal(int sig)
{
	(void)sig;
	ev_stop = 1;
}

/*
 * "spray P N": one datagram to port 9 of each of P:dead:I:0:1, I = 1 to N
 * (P: the first four groups of an IPv6 address; I in decimal, so N is at
 * most 9999), from one socket as fast as sendto() goes: a burst of N
 * destinations on any kernel (bash's /dev/udp costs a socket and a
 * connect each, far slower under KASAN). Exits 1 if any send failed.
 */
static int cmd_spray(const char *pfx, const char *count)
{
	unsigned long n = number(count, NULL, 9999, "count"), i, bad = 0;
	struct sockaddr_in6 sa = { .sin6_family = AF_INET6,
				   .sin6_port = htons(9) };
	char addr[INET6_ADDRSTRLEN + 32];
	int fd = socket(AF_INET6, SOCK_DGRAM, 0);

	if (fd < 0) {
		fprintf(stderr, "%s: socket: %s\n", prog, strerror(errno));
		return 1;
	}
	for (i = 1; i <= n; i++) {
		snprintf(addr, sizeof(addr), "%s:dead:%lu:0:1", pfx, i);
		if (inet_pton(AF_INET6, addr, &sa.sin6_addr) != 1)
			die_usage("prefix (four groups)", pfx);
		if (sendto(fd, "x\n", 2, 0, (struct sockaddr *)&sa,
			   sizeof(sa)) < 0)
			bad++;
	}
	close(fd);
	printf("sent %lu, failed %lu\n", n - bad, bad);
	return bad ? 1 : 0;
}

/* events DEV: a listener that discards what it reads, counting DEV's */

static int cmd_events(const char *ifname)
{
	struct sigaction sa = { .sa_handler = ev_signal };
	struct ev_count c = { .ifname = ifname };
	struct meshev ev = { 0 };
	int ret;

	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	if (meshev_open(&ev)) {
		fprintf(stderr, "%s: %s\n", prog, ev.s.err);
		return 1;
	}
	while (!ev_stop) {
		struct pollfd p = { .fd = meshev_fd(&ev), .events = POLLIN };

		if (poll(&p, 1, -1) < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "%s: poll: %s\n", prog,
				strerror(errno));
			meshev_close(&ev);
			return 1;
		}
		ret = meshev_read(&ev, ev_count, &c);
		if (ret < 0 && ret != -ENOBUFS) {
			fprintf(stderr, "%s: %s\n", prog, ev.s.err);
			meshev_close(&ev);
			return 1;
		}
	}
	meshev_close(&ev);
	printf("events=%llu packets=%llu\n", (unsigned long long)c.events,
	       (unsigned long long)c.packets);
	return 0;
}

int main(int argc, char **argv)
{
	const char *cmd, *dev, *ifname;
	struct meshnl_state state;
	size_t rcvbuf = 0;
	struct meshnl nl;
	uint32_t ifindex;
	int ret;

	if (argc > 2 && !strcmp(argv[1], "-u")) {
		uid_t uid = number(argv[2], NULL, UINT32_MAX - 1, "uid");

		if (setgroups(0, NULL) || setgid(uid) || setuid(uid)) {
			fprintf(stderr, "%s: drop to uid %u: %s\n", prog,
				(unsigned int)uid, strerror(errno));
			return 1;
		}
		argc -= 2;
		argv += 2;
	}
	if (argc > 2 && !strcmp(argv[1], "--rcvbuf")) {
		rcvbuf = number(argv[2], NULL, NLS_BUFLEN, "--rcvbuf");
		argc -= 2;
		argv += 2;
	}
	if (argc > 2 && !strcmp(argv[1], "--hold")) {
		hold_dir = argv[2];
		argc -= 2;
		argv += 2;
	}
	if (argc < 3)
		usage();
	cmd = argv[1];
	dev = argv[2];
	if (!strcmp(cmd, "spray")) {
		if (argc != 4)
			usage();
		return cmd_spray(argv[2], argv[3]);
	}
	if (!strcmp(cmd, "events")) {
		if (argc != 3)
			usage();
		return cmd_events(dev);
	}
	dev_arg(dev, &ifname, &ifindex);
	if (strcmp(cmd, "attach") && strcmp(cmd, "detach") &&
	    strcmp(cmd, "set") && strcmp(cmd, "show") && strcmp(cmd, "stats") &&
	    strcmp(cmd, "raw") && strcmp(cmd, "race"))
		usage();
	if (!strcmp(cmd, "raw") && argc != 4)
		usage();
	if ((!strcmp(cmd, "attach") || !strcmp(cmd, "detach") ||
	     !strcmp(cmd, "show") || !strcmp(cmd, "race")) && argc != 3)
		usage();

	if (meshnl_open(&nl, rcvbuf)) {
		fprintf(stderr, "%s: %s\n", prog, nl.s.err);
		meshnl_close(&nl);
		return 1;
	}
	if (!strcmp(cmd, "attach"))
		ret = meshnl_attach(&nl, ifname, ifindex);
	else if (!strcmp(cmd, "detach"))
		ret = meshnl_detach(&nl, ifname, ifindex);
	else if (!strcmp(cmd, "raw"))
		ret = cmd_raw(&nl, dev, argv[3]);
	else if (!strcmp(cmd, "race"))
		ret = cmd_race(&nl, dev);
	else if (!strcmp(cmd, "set"))
		ret = cmd_set(&nl, ifname, ifindex, argc - 3, argv + 3);
	else
		ret = meshnl_get(&nl, ifname, ifindex, !strcmp(cmd, "stats"),
				 &state);
	if (ret) {
		if (ret < 0)
			fprintf(stderr, "%s: %s\n", prog, nl.s.err);
		meshnl_close(&nl);
		return 1;
	}
	if (!strcmp(cmd, "show")) {
		print_topology(&state);
		meshnl_state_free(&state);
	} else if (!strcmp(cmd, "stats")) {
		ret = cmd_stats(&state, argc - 3, argv + 3);
		meshnl_state_free(&state);
	}
	meshnl_close(&nl);
	return ret;
}
