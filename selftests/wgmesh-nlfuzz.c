// SPDX-License-Identifier: GPL-2.0
/*
 * wgmesh-nlfuzz: throw malformed requests at the wgmesh genl family.
 *
 *   wgmesh-nlfuzz DEV COUNT [SEED]
 *
 * Sends COUNT requests built from SEED (default 1, so a run is repeatable):
 * every command number (valid, 0, unknown), every combination of netlink
 * flags, genl versions and reserved fields, and attribute lists that are
 * mostly valid SET_TOPOLOGY/GET requests for DEV with a few mutations
 * (attributes missing, repeated, of the wrong type or length, zero-length,
 * oversized, nested deeply, unknown, in the wrong set; members by the
 * thousand) or plain random bytes. Every request must be answered (an ack,
 * an error or a finished dump) within a second; the errno of each answer
 * is tallied. Then a valid SET_TOPOLOGY must still work and read back.
 *
 * Output: KTAP, two results: "all N requests answered" and "a valid
 * topology still applies". Exit 0 when both pass.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <linux/genetlink.h>
#include <linux/netlink.h>

#include "../tools/nl/mesh.h"

#define MAXMSG (256 * 1024)

static uint64_t rng;

static uint32_t rnd(uint32_t n)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return n ? (uint32_t)((rng * 0x2545F4914F6CDD1DULL) >> 32) % n : 0;
}

struct msg {
	unsigned char *buf;
	size_t len;
};

static bool room(struct msg *m, size_t n)
{
	return m->len + NLA_ALIGN(n) + NLA_HDRLEN <= MAXMSG;
}

/* Appends an attribute header (+ payload); returns its offset. */
static size_t put(struct msg *m, uint16_t type, const void *data, size_t len)
{
	struct nlattr a = { .nla_len = (uint16_t)(NLA_HDRLEN + len),
			    .nla_type = type };
	size_t at = m->len;

	if (!room(m, len))
		return at;
	memcpy(m->buf + m->len, &a, sizeof(a));
	if (len && data)
		memcpy(m->buf + m->len + NLA_HDRLEN, data, len);
	else if (len)
		memset(m->buf + m->len + NLA_HDRLEN, 0, len);
	m->len += NLA_ALIGN(NLA_HDRLEN + len);
	return at;
}

static void end(struct msg *m, size_t at)
{
	size_t n = m->len - at;

	((struct nlattr *)(m->buf + at))->nla_len = n > 0xffff ? 0xffff : n;
}

static void put_u32(struct msg *m, uint16_t type, uint32_t v)
{
	put(m, type, &v, sizeof(v));
}

static void put_u64(struct msg *m, uint16_t type, uint64_t v)
{
	put(m, type, &v, sizeof(v));
}

/* A random attribute of any type and shape, @depth levels of nests. */
static void put_junk(struct msg *m, int depth)
{
	uint16_t type = rnd(4) ? rnd(24) : rnd(65536);
	unsigned char bytes[512];
	size_t len, at, i;

	switch (rnd(6)) {
	case 0:
		put(m, type, NULL, 0);
		break;
	case 1:
		put_u32(m, type, rnd(4) ? rnd(70000) : (uint32_t)rng);
		break;
	case 2:
		put_u64(m, type, rng);
		break;
	case 3:
		len = rnd(sizeof(bytes));
		for (i = 0; i < len; i++)
			bytes[i] = rnd(256);
		put(m, type, bytes, len);
		break;
	default:
		at = put(m, type | (rnd(2) ? NLA_F_NESTED : 0), NULL, 0);
		for (i = rnd(4); depth > 0 && i > 0; i--)
			put_junk(m, depth - 1);
		end(m, at);
	}
}

/* What put_topology() breaks in an otherwise valid request. */
enum mutation {
	M_NONE, M_NO_DEV, M_PREFIX, M_SELF, M_FLAGS, M_NO_ID, M_MEMBER_FLAGS,
	M_MEMBER_JUNK, M_DUP_ID, M_ALLOW, M_TWICE, M_JUNK, M_MAX
};

static void put_member(struct msg *m, uint16_t type, uint32_t id,
		       enum mutation mut)
{
	size_t at = put(m, type | NLA_F_NESTED, NULL, 0);

	if (mut != M_NO_ID)
		put_u32(m, WGMESH_MEMBER_A_ID, id);
	if (rnd(2))
		put_u64(m, WGMESH_MEMBER_A_GROUPS, rnd(3) ? rnd(8) : rng);
	if (type == WGMESH_A_PEER && (mut == M_MEMBER_FLAGS || !rnd(3)))
		put_u32(m, WGMESH_MEMBER_A_FLAGS,
			mut == M_MEMBER_FLAGS ? rnd(256) : rnd(2));
	if (mut == M_MEMBER_JUNK)
		put_junk(m, rnd(12));
	end(m, at);
}

/* A SET_TOPOLOGY for @dev, valid unless @mut says what to break. */
static void put_topology(struct msg *m, const char *dev, enum mutation mut)
{
	static const unsigned char prefix[16] = { 0xfd, 0x12, 0x34, 0x56 };
	uint32_t self = 0x100 + rnd(4), n, i, bad;

	if (mut != M_NO_DEV)
		put(m, WGMESH_A_IFNAME, dev, strlen(dev) + 1);
	put(m, WGMESH_A_PREFIX, prefix, mut == M_PREFIX ? rnd(32) : 16);
	put_u32(m, WGMESH_A_SELF_ID, mut == M_SELF ? (uint32_t)rng : self);
	if (mut == M_TWICE)
		put_u32(m, WGMESH_A_SELF_ID, self);
	if (rnd(2))
		put_u64(m, WGMESH_A_GENERATION, rng);
	if (mut == M_FLAGS || rnd(2))
		put_u32(m, WGMESH_A_FLAGS, mut == M_FLAGS ? (uint32_t)rng :
			rnd(2));
	for (i = 0x100; i < 0x104; i++)
		put_member(m, WGMESH_A_CONTROLLER, i, M_NONE);
	n = rnd(50) ? rnd(64) : rnd(6000);
	bad = rnd(n + 1);
	for (i = 0; i < n && room(m, 64); i++)
		put_member(m, WGMESH_A_PEER,
			   mut == M_DUP_ID && i == bad ? 1 : i + 1,
			   i == bad ? mut : M_NONE);
	for (i = rnd(6); i > 0; i--) {
		size_t at = put(m, WGMESH_A_ALLOW | NLA_F_NESTED, NULL, 0);

		if (mut != M_ALLOW || rnd(2))
			put_u32(m, WGMESH_ALLOW_A_GROUP, mut == M_ALLOW ?
				rnd(1000) : rnd(64));
		if (mut != M_ALLOW || rnd(2))
			put_u64(m, WGMESH_ALLOW_A_MASK, rng);
		end(m, at);
	}
	if (mut == M_JUNK)
		put_junk(m, rnd(16));
}

/* The attributes of one request: valid-looking, mutated, or noise. */
static void build(struct msg *m, const char *dev)
{
	size_t i, n;

	switch (rnd(5)) {
	case 0:		/* noise */
		n = rnd(2048);
		for (i = 0; i < n && m->len < MAXMSG; i++)
			m->buf[m->len++] = rnd(256);
		return;
	case 1:		/* a device and junk */
		if (rnd(2))
			put(m, WGMESH_A_IFNAME, dev, strlen(dev) + 1);
		else
			put_u32(m, WGMESH_A_IFINDEX, rnd(8));
		for (i = rnd(8); i > 0; i--)
			put_junk(m, rnd(16));
		return;
	default:
		/* Mostly malformed: each valid one waits a grace period. */
		put_topology(m, dev, rnd(20) ? 1 + rnd(M_MAX - 1) : M_NONE);
	}
}

static bool verbose;

/* WGMESH_NLFUZZ_VERBOSE=1: each answer's extack message, for debugging. */
static void print_extack(const struct nlmsghdr *r)
{
	const struct nlmsgerr *e = NLMSG_DATA(r);
	size_t off = sizeof(*e);
	const struct nlattr *a;

	if (!(r->nlmsg_flags & NLM_F_CAPPED))
		off += NLMSG_ALIGN(e->msg.nlmsg_len - NLMSG_HDRLEN);
	printf("# answer %d", e->error);
	if ((r->nlmsg_flags & NLM_F_ACK_TLVS) &&
	    NLMSG_HDRLEN + off < r->nlmsg_len)
		mnl_attr_for_each(a, r, off)
			if (mnl_attr_get_type(a) == NLMSGERR_ATTR_MSG)
				printf(": %s", mnl_attr_get_str(a));
	printf("\n");
}

static const uint16_t flag_bits[] = {
	NLM_F_ACK, NLM_F_ECHO, NLM_F_ROOT, NLM_F_MATCH, NLM_F_ATOMIC,
	NLM_F_REPLACE, NLM_F_EXCL, NLM_F_CREATE, NLM_F_APPEND, NLM_F_MULTI,
};

/*
 * Sends one request and reads until its ack, error or end of dump.
 * Returns the errno of the answer (0 for success), or -1 when none came.
 */
static int exchange(int fd, uint16_t family, uint32_t seq, uint8_t cmd,
		    uint16_t flags, const struct msg *attrs, char *rbuf)
{
	static unsigned char req[MAXMSG + 64];
	struct nlmsghdr *nlh = (struct nlmsghdr *)req;
	struct genlmsghdr *g = (struct genlmsghdr *)(nlh + 1);
	size_t len = NLMSG_HDRLEN + GENL_HDRLEN + attrs->len;
	bool dump = (flags & NLM_F_DUMP) == NLM_F_DUMP;

	memset(req, 0, NLMSG_HDRLEN + GENL_HDRLEN);
	nlh->nlmsg_len = len;
	nlh->nlmsg_type = family;
	/* Without an ack asked for, a request that works stays silent. */
	nlh->nlmsg_flags = NLM_F_REQUEST | flags | (dump ? 0 : NLM_F_ACK);
	nlh->nlmsg_seq = seq;
	g->cmd = cmd;
	g->version = rnd(16) ? WGMESH_GENL_VERSION : rnd(256);
	g->reserved = rnd(16) ? 0 : rnd(65536);
	memcpy(req + NLMSG_HDRLEN + GENL_HDRLEN, attrs->buf, attrs->len);
	if (send(fd, req, len, 0) < 0)
		return errno;
	for (;;) {
		ssize_t n = recv(fd, rbuf, NLS_BUFLEN, 0);
		struct nlmsghdr *r;
		int left;

		if (n < 0)
			return errno == EAGAIN ? -1 : errno;
		left = (int)n;
		for (r = (struct nlmsghdr *)rbuf; NLMSG_OK(r, (unsigned int)left);
		     r = NLMSG_NEXT(r, left)) {
			if (r->nlmsg_seq != seq)
				continue;
			if (r->nlmsg_type == NLMSG_ERROR) {
				if (verbose)
					print_extack(r);
				return -((struct nlmsgerr *)NLMSG_DATA(r))->error;
			}
			if (r->nlmsg_type == NLMSG_DONE)
				return -*(int *)NLMSG_DATA(r);
		}
	}
}

static int fuzz(struct meshnl *nl, const char *dev, unsigned long count,
		unsigned long *answered, unsigned long *ok)
{
	int fd = mnl_socket_get_fd(nl->s.nl), size = 4 * MAXMSG, err;
	struct timeval tv = { .tv_sec = 1 };
	unsigned long errs[256] = { 0 }, i;
	struct msg m;

	m.buf = malloc(MAXMSG);
	if (!m.buf)
		return -ENOMEM;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &size, sizeof(size)))
		setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof(size));
	for (i = 0; i < count; i++) {
		uint16_t flags = 0;
		uint8_t cmd;
		size_t b;

		cmd = rnd(4) ? WGMESH_CMD_SET_TOPOLOGY : rnd(8) ? rnd(8) :
		      rnd(256);
		for (b = 0; b < sizeof(flag_bits) / sizeof(flag_bits[0]); b++)
			if (!rnd(2 * sizeof(flag_bits) / sizeof(flag_bits[0])))
				flags |= flag_bits[b];
		if ((cmd == WGMESH_CMD_GET_TOPOLOGY ||
		     cmd == WGMESH_CMD_GET_STATS) && rnd(2))
			flags |= NLM_F_DUMP;
		m.len = 0;
		build(&m, dev);
		err = exchange(fd, nl->family, (uint32_t)(i + 1), cmd, flags,
			       &m, nl->s.buf);
		if (err < 0) {
			printf("# request %lu (cmd %u, flags 0x%x, %zu bytes) got no answer\n",
			       i, cmd, flags, m.len);
			continue;
		}
		(*answered)++;
		*ok += !err;
		errs[err & 0xff]++;
	}
	for (i = 0; i < 256; i++)
		if (errs[i])
			printf("# %lu answered %s\n", errs[i],
			       i ? strerror((int)i) : "success");
	free(m.buf);
	return 0;
}

/* A small valid topology must apply and read back as set. */
static bool still_works(struct meshnl *nl, const char *dev)
{
	struct meshnl_member ctrl = { .id = 0x3bf7, .groups = 1 };
	struct meshnl_member peers[2] = { { .id = 7, .groups = 2 },
					  { .id = 8 } };
	struct meshnl_topology t = {
		.prefix = { 0xfd, 0xeb, 0xf2, 0x0c }, .self_id = 0x3bf7,
		.generation = 424242, .flags = WGMESH_F_DEFAULT_DENY,
		.ctrls = &ctrl, .n_ctrls = 1, .peers = peers, .n_peers = 2,
	};
	struct meshnl_state st;
	bool ok;

	meshnl_allow(&t, 0, 1);
	if (meshnl_attach(nl, dev, 0) && nl->s.err[0] &&
	    !strstr(nl->s.err, "File exists"))
		printf("# %s\n", nl->s.err);
	if (meshnl_set_topology(nl, dev, 0, &t) ||
	    meshnl_get(nl, dev, 0, false, &st)) {
		printf("# %s\n", nl->s.err);
		return false;
	}
	ok = st.has_topology && st.topo.generation == 424242 &&
	     st.topo.n_ctrls == 1 && st.topo.n_peers == 2 &&
	     st.topo.allow[0] == 2 && st.topo.allow[1] == 1;
	meshnl_state_free(&st);
	return ok;
}

int main(int argc, char **argv)
{
	unsigned long count, answered = 0, ok = 0;
	struct meshnl nl;
	int ret;

	if (argc < 3 || argc > 4) {
		fprintf(stderr, "usage: wgmesh-nlfuzz DEV COUNT [SEED]\n");
		return 2;
	}
	count = strtoul(argv[2], NULL, 0);
	verbose = getenv("WGMESH_NLFUZZ_VERBOSE");
	rng = argc > 3 ? strtoull(argv[3], NULL, 0) : 1;
	rng = rng * 0x9E3779B97F4A7C15ULL | 1;
	if (meshnl_open(&nl, 0)) {
		fprintf(stderr, "wgmesh-nlfuzz: %s\n", nl.s.err);
		meshnl_close(&nl);
		return 1;
	}
	printf("TAP version 13\n1..2\n");
	ret = fuzz(&nl, argv[1], count, &answered, &ok);
	printf("# %lu of %lu requests answered, %lu succeeded\n", answered,
	       count, ok);
	printf("%sok 1 all %lu malformed requests answered\n",
	       !ret && answered == count ? "" : "not ", count);
	ret = still_works(&nl, argv[1]);
	printf("%sok 2 a valid topology still applies and reads back\n",
	       ret ? "" : "not ");
	meshnl_close(&nl);
	return answered == count && ret ? 0 : 1;
}
