// SPDX-License-Identifier: GPL-2.0
/*
 * Decision microbenchmark: what the datapath spends per packet deciding
 * (classify source, is it this controller, classify destination, policy),
 * on meshes of growing size built by the module's own snapshot code, over
 * random member addresses so that every packet hits a different member.
 *
 * Compiled only into WGMESH_BENCH=1 or WGMESH_DEBUG=1 builds. Runs when the
 * bench parameter is set to a number of runs: at load (insmod wgmesh.ko
 * bench=11) or later (echo 11 > /sys/module/wgmesh/parameters/bench).
 * Prints two parseable lines per mesh size (selftests/bench collects them):
 *
 *   wgmesh bench: mode=random|hot peers=N ctrls=C pkts=P runs=R \
 *                 build_us=B ns_median=M ns_min=L ns_max=H verdicts=F/D/L
 *
 * mode=random: every packet between two members drawn from the whole mesh
 * (the worst case for caches); mode=hot: packets among 256 members (active
 * flows), where only the algorithm's cost can grow with the mesh;
 * mode=subnet: IPv4 between hosts of random members' routed subnets (one
 * /24 each); mode=subnet8: IPv6 between hosts of random members' subnets
 * of 8 distinct prefix lengths (/48../62), the longest-prefix match's
 * worst realistic case. ns_* is
 * per packet: a run is P decisions timed in chunks of BENCH_CHUNK, and the
 * median, minimum and maximum are over the chunks of all runs (a chunk an
 * interrupt or another guest hit does not move the median). build_us is
 * the time to build the snapshot's lookup tables; verdicts count
 * forward/drop/local of one run, proof that the timed loop makes real,
 * varied decisions.
 */

#include <linux/bottom_half.h>
#include <linux/ktime.h>
#include <linux/moduleparam.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/vmalloc.h>

#include "selftest/util.h"

#define BENCH_CTRLS 8
#define BENCH_GROUPS 8
#define BENCH_PKTS 65536U
#define BENCH_CHUNK 4096
#define BENCH_CHUNKS (BENCH_PKTS / BENCH_CHUNK)
#define BENCH_MAX_RUNS 101
#define BENCH_HOT 256

static const u32 sizes[] = { 10, 1000, 10000, 100000 };

/* An IPv6 pair, or an IPv4 one in the first word of each address. */
struct pair {
	struct in6_addr src, dst;
};

enum verdict { V_FORWARD, V_DROP, V_LOCAL, V_MAX };

/* The hook's decision (wgmesh_decide*(), as kernel/hook.c calls them). */
static enum verdict decide(const struct wgmesh_topology *t,
			   const struct in6_addr *src,
			   const struct in6_addr *dst, bool ipv4)
{
	const struct wgmesh_member *s = NULL, *d = NULL;
	enum wgmesh_ctr ctr;
	bool takeover;

	if (ipv4)
		ctr = wgmesh_decide4(t, src->s6_addr32[0], dst->s6_addr32[0],
				     &s, &d);
	else
		ctr = wgmesh_decide(t, src, dst, &s, &d, &takeover);
	switch (ctr) {
	case WGMESH_CTR_FWD_PACKETS:
		return V_FORWARD;
	case WGMESH_CTR_LOCAL_PACKETS:
		return V_LOCAL;
	default:
		return V_DROP;
	}
}

/*
 * A default-deny mesh of @n_peers peers spread over 8 groups, each group
 * allowed to itself and the next, one peer in ten isolated: every branch
 * of the policy is taken, in the same proportions at every size.
 */
enum subnets { NO_SUBNETS, SUBNET_24, SUBNETS_8_LENS };

/*
 * Each peer's subnet, distinct and disjoint: an IPv4 /24, or an IPv6 /48
 * to /62 (8 lengths, in turn) inside that peer's own /48 of 2000::/3.
 */
static void bench_subnet(struct wgmesh_subnet *s, u32 i, enum subnets kind)
{
	s->member = BENCH_CTRLS + i;
	if (kind == SUBNET_24) {
		s->family = AF_INET;
		s->len = 24;
		s->key = (u64)(0x10000 + i) << 40;
	} else {
		s->family = AF_INET6;
		s->len = 48 + 2 * (i % 8);
		s->key = 0x2000000000000000ULL | (u64)i << 16;
	}
}

static struct wgmesh_topology *bench_topology(u32 n_peers, enum subnets kind,
					      u64 *build_ns)
{
	struct wgmesh_topology *t;
	enum wgmesh_build_err what;
	u32 i, dup;
	u64 t0;

	t = wgmesh_topology_alloc(BENCH_CTRLS, n_peers,
				  kind == NO_SUBNETS ? 0 : n_peers);
	if (!t)
		return NULL;
	random_ids(t);
	t->self_id = ctrl_of(t, 0)->id;
	t->flags = WGMESH_F_DEFAULT_DENY;
	for (i = 0; i < BENCH_GROUPS; i++) {
		u32 g = (i + 1) % BENCH_GROUPS;

		t->allow[i] |= BIT_ULL(g) | BIT_ULL(i);
		t->allow[g] |= BIT_ULL(i);
	}
	for (i = 0; i < BENCH_CTRLS; i++)
		ctrl_of(t, i)->class.groups = ~0ULL;
	for (i = 0; i < n_peers; i++) {
		peer_of(t, i)->class.groups = BIT_ULL(i % BENCH_GROUPS);
		peer_of(t, i)->class.flags = i % 10 ? 0 :
					     WGMESH_MEMBER_F_ISOLATED;
		if (kind != NO_SUBNETS)
			bench_subnet(&t->subnets.v[i], i, kind);
	}
	t0 = ktime_get_ns();
	if (wgmesh_topology_build(t, &what, &dup)) {
		wgmesh_topology_put(t);
		return NULL;
	}
	*build_ns = ktime_get_ns() - t0;
	t->self = 0;
	return t;
}

/* A host in a random subnet, as a packet address. */
static void subnet_host(const struct wgmesh_topology *t, struct in6_addr *a)
{
	const struct wgmesh_subnet *s = wgmesh_subnet_at(&t->subnets,
							  rnd(t->subnets.n));
	u64 key = s->key | ((u64)get_random_u32() & ~wgmesh_mask(s->len));

	memset(a, 0, sizeof(*a));
	if (s->family == AF_INET) {
		a->s6_addr32[0] = htonl(key >> 32);
		return;
	}
	put_unaligned_be64(key, a->s6_addr);
	a->s6_addr32[3] = (__force __be32)get_random_u32();
}

/*
 * One pass over every pair, as softirq would run it, storing the time of
 * each chunk in @ns (BENCH_CHUNKS entries).
 */
static void timed_run(const struct wgmesh_topology *t, const struct pair *p,
		      bool ipv4, u32 *counts, u64 *ns)
{
	u32 i, c;
	u64 t0;

	local_bh_disable();
	rcu_read_lock();
	for (c = 0; c < BENCH_CHUNKS; c++) {
		t0 = ktime_get_ns();
		for (i = c * BENCH_CHUNK; i < (c + 1) * BENCH_CHUNK; i++)
			counts[decide(t, &p[i].src, &p[i].dst, ipv4)]++;
		ns[c] = ktime_get_ns() - t0;
	}
	rcu_read_unlock();
	local_bh_enable();
}

static int cmp_u64(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

/* Per-packet time in tenths of a nanosecond, printed as N.N. */
static u64 tenths(u64 chunk_ns)
{
	return div_u64(chunk_ns * 10 + BENCH_CHUNK / 2, BENCH_CHUNK);
}

/* One mesh size in one mode: its snapshot, its packets, its timings. */
struct bench_case {
	struct wgmesh_topology *t;
	bool owns_t;
	bool ipv4;
	const char *mode;
	struct pair *p;
	u64 *ns;
	u64 build_ns;
	u32 first[V_MAX];
};

#define MODES 4		/* random, hot, subnet, subnet8 */

static void report(struct bench_case *bc, u32 runs)
{
	u32 n = runs * BENCH_CHUNKS;
	u64 med, lo, hi;

	sort(bc->ns, n, sizeof(*bc->ns), cmp_u64, NULL);
	med = tenths(bc->ns[n / 2]);
	lo = tenths(bc->ns[0]);
	hi = tenths(bc->ns[n - 1]);
	pr_info("bench: mode=%s peers=%u ctrls=%u pkts=%u runs=%u build_us=%llu ns_median=%llu.%llu ns_min=%llu.%llu ns_max=%llu.%llu verdicts=%u/%u/%u\n",
		bc->mode, bc->t->n_peers, bc->t->n_ctrls, BENCH_PKTS, runs,
		div_u64(bc->build_ns, 1000), div_u64(med, 10), med % 10,
		div_u64(lo, 10), lo % 10, div_u64(hi, 10), hi % 10,
		bc->first[V_FORWARD], bc->first[V_DROP], bc->first[V_LOCAL]);
}

static int case_alloc(struct bench_case *bc, const char *mode, u32 runs)
{
	bc->mode = mode;
	bc->p = vmalloc(array_size(BENCH_PKTS, sizeof(*bc->p)));
	bc->ns = kcalloc(runs * BENCH_CHUNKS, sizeof(*bc->ns), GFP_KERNEL);
	return bc->p && bc->ns ? 0 : -ENOMEM;
}

/* A subnet case of one size: its own snapshot, hosts of its subnets. */
static int prepare_subnets(struct bench_case *bc, const char *mode,
			   u32 n_peers, enum subnets kind, u32 runs)
{
	u32 i;

	bc->t = bench_topology(n_peers, kind, &bc->build_ns);
	if (!bc->t)
		return -ENOMEM;
	bc->owns_t = true;
	bc->ipv4 = kind == SUBNET_24;
	if (case_alloc(bc, mode, runs))
		return -ENOMEM;
	for (i = 0; i < BENCH_PKTS; i++) {
		subnet_host(bc->t, &bc->p[i].src);
		subnet_host(bc->t, &bc->p[i].dst);
	}
	return 0;
}

/* Fills the MODES cases of one size, from @bc on. */
static int prepare(struct bench_case *bc, u32 n_peers, u32 runs)
{
	struct bench_case *hot = bc + 1;
	u32 i;

	bc->t = bench_topology(n_peers, NO_SUBNETS, &bc->build_ns);
	if (!bc->t)
		return -ENOMEM;
	bc->owns_t = true;
	hot->t = bc->t;
	hot->build_ns = bc->build_ns;
	if (case_alloc(bc, "random", runs) || case_alloc(hot, "hot", runs))
		return -ENOMEM;
	for (i = 0; i < BENCH_PKTS; i++) {
		member_addr(bc->t, &bc->p[i].src, 16);
		member_addr(bc->t, &bc->p[i].dst, 16);
	}
	/* The hot set: pairs among the first random pairs' members. */
	for (i = 0; i < BENCH_PKTS; i++) {
		hot->p[i].src = bc->p[rnd(BENCH_HOT / 2)].src;
		hot->p[i].dst = bc->p[rnd(BENCH_HOT / 2)].dst;
	}
	return prepare_subnets(bc + 2, "subnet", n_peers, SUBNET_24, runs) ?:
	       prepare_subnets(bc + 3, "subnet8", n_peers, SUBNETS_8_LENS,
			       runs);
}

/*
 * Every case is timed once per round, round after round, so that whatever
 * else the machine does drifts over all sizes alike (an emulated CPU
 * shared with other work is noisy).
 */
static int bench_run(u32 runs)
{
	struct bench_case *bc;
	u32 i, r, n = MODES * ARRAY_SIZE(sizes), counts[V_MAX];
	int ret = 0;

	bc = kcalloc(n, sizeof(*bc), GFP_KERNEL);
	if (!bc)
		return -ENOMEM;
	pr_info("bench: start runs=%u\n", runs);
	for (i = 0; i < ARRAY_SIZE(sizes) && !ret; i++)
		ret = prepare(&bc[MODES * i], sizes[i], runs);
	if (ret)
		goto out;
	/* An untimed pass warms caches and branch predictors alike. */
	for (i = 0; i < n; i++)
		timed_run(bc[i].t, bc[i].p, bc[i].ipv4, counts, bc[i].ns);
	for (r = 0; r < runs; r++) {
		for (i = 0; i < n; i++) {
			memset(counts, 0, sizeof(counts));
			timed_run(bc[i].t, bc[i].p, bc[i].ipv4, counts,
				  &bc[i].ns[r * BENCH_CHUNKS]);
			if (!r)
				memcpy(bc[i].first, counts, sizeof(counts));
			cond_resched();
		}
	}
	for (i = 0; i < n; i++)
		report(&bc[i], runs);
out:
	pr_info("bench: %s\n", ret ? "failed" : "done");
	for (i = 0; i < n; i++) {
		if (bc[i].owns_t)
			wgmesh_topology_put(bc[i].t);
		vfree(bc[i].p);
		kfree(bc[i].ns);
	}
	kfree(bc);
	return ret;
}

static unsigned int bench_runs;

static int bench_set(const char *val, const struct kernel_param *kp)
{
	unsigned int runs;
	int ret;

	ret = kstrtouint(val, 0, &runs);
	if (ret)
		return ret;
	if (runs > BENCH_MAX_RUNS)
		return -ERANGE;
	*(unsigned int *)kp->arg = runs;
	return runs ? bench_run(runs) : 0;
}

static const struct kernel_param_ops bench_ops = {
	.set = bench_set,
	.get = param_get_uint,
};

module_param_cb(bench, &bench_ops, &bench_runs, 0644);
MODULE_PARM_DESC(bench,
		 "run the decision microbenchmark this many times per mesh size (WGMESH_BENCH builds)");
