/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Just enough of the kernel's API, in userspace, to compile the module's
 * own kernel/topology.[ch] and kernel/selftest/bench.c unchanged for the
 * host CPU: the native figure of the decision microbenchmark. Every
 * <linux/...> and <net/...> header those files include lands here.
 * Semantics that matter for timing are the kernel's (hash_32 is the
 * kernel's multiplicative hash); the rest (RCU, BH, module parameters) are
 * no-ops in a single-threaded program.
 */
#ifndef _KSHIM_H
#define _KSHIM_H

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef unsigned long long u64;
typedef int64_t s64;
typedef uint8_t __u8;
typedef uint16_t __u16;
typedef uint32_t __u32;
typedef unsigned long long __u64;
typedef int32_t __s32;
typedef uint16_t __be16;
typedef uint32_t __be32;
typedef u64 u64_stats_t;
typedef struct { int refs; } refcount_t;
typedef struct { s64 counter; } atomic64_t;
struct u64_stats_sync { int unused; };
struct rcu_head { void *unused; };
struct work_struct { void (*func)(struct work_struct *work); };
struct rcu_work { struct work_struct work; };
struct workqueue_struct { int unused; };
struct sk_buff;
struct kernel_param;
struct kernel_param_ops {
	int (*set)(const char *val, const struct kernel_param *kp);
	int (*get)(char *buf, const struct kernel_param *kp);
};
struct kernel_param {
	void *arg;
	const struct kernel_param_ops *ops;
};

#define __percpu
#define __force
#define __init
#define __exit
#define ____cacheline_aligned __attribute__((aligned(64)))
#define GFP_KERNEL 0
#define __GFP_ZERO 0
#define PAGE_SIZE 4096UL
#define GFP_KERNEL_ACCOUNT 0
#define __GFP_RETRY_MAYFAIL 0
#define __GFP_NOWARN 0
#define WQ_UNBOUND 0
#define BIT(n) (1UL << (n))
#define BIT_ULL(n) (1ULL << (n))
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define READ_ONCE(x) (*(const volatile __typeof__(x) *)&(x))
#define WRITE_ONCE(x, v) (*(volatile __typeof__(x) *)&(x) = (v))
#define container_of(p, type, member) \
	((type *)((char *)(p) - offsetof(type, member)))
#define max(a, b) ((a) > (b) ? (a) : (b))
#define max_t(t, a, b) max((t)(a), (t)(b))
#define min_t(t, a, b) min((t)(a), (t)(b))
#define swap(a, b) do { __typeof__(a) _t = (a); (a) = (b); (b) = _t; } while (0)
#define DIV_ROUND_UP(n, d) (((n) + (d) - 1) / (d))
#define GENMASK_ULL(h, l) ((~0ULL >> (63 - (h))) & (~0ULL << (l)))
#define BUILD_BUG_ON(c) _Static_assert(!(c), #c)
#define __aligned(x) __attribute__((aligned(x)))
#define check_mul_overflow(a, b, d) __builtin_mul_overflow(a, b, d)
#define min(a, b) ((a) < (b) ? (a) : (b))
#define pr_info(...) printf(__VA_ARGS__)
#define pr_err(...) fprintf(stderr, __VA_ARGS__)
#define module_param_cb(name, o, a, perm) \
	const struct kernel_param shim_param_##name = { .arg = (a), .ops = (o) }
#define MODULE_PARM_DESC(name, desc)
#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)
#define U16_MAX 0xffff
#define U32_MAX 0xffffffffU
#define GOLDEN_RATIO_32 0x61C88647
#define GOLDEN_RATIO_64 0x61C8864680B583EBull

static inline u32 __hash_32(u32 val)
{
	return val * GOLDEN_RATIO_32;
}

static inline u32 hash_32(u32 val, unsigned int bits)
{
	return __hash_32(val) >> (32 - bits);
}

static inline u64 hash_64(u64 val, unsigned int bits)
{
	return val * GOLDEN_RATIO_64 >> (64 - bits);
}

static inline u64 rol64(u64 w, unsigned int s)
{
	return w << (s & 63) | w >> ((-s) & 63);
}

static inline unsigned int ilog2(unsigned long v)
{
	return 63 - __builtin_clzl(v);
}

static inline unsigned long roundup_pow_of_two(unsigned long v)
{
	return v <= 1 ? 1 : 1UL << (64 - __builtin_clzl(v - 1));
}

static inline void *kzalloc(size_t n, int gfp) { (void)gfp; return calloc(1, n); }
static inline void *kmalloc(size_t n, int gfp) { (void)gfp; return malloc(n); }
static inline void *kcalloc(size_t n, size_t s, int gfp) { (void)gfp; return calloc(n, s); }
static inline void *kvcalloc(size_t n, size_t s, int gfp) { (void)gfp; return calloc(n, s); }
static inline void *vmalloc(size_t n) { return malloc(n); }
static inline void *__vmalloc(size_t n, int gfp) { (void)gfp; return calloc(1, n); }
static inline void kfree(const void *p) { free((void *)p); }
static inline void kvfree(const void *p) { free((void *)p); }
static inline void vfree(const void *p) { free((void *)p); }
static inline size_t array_size(size_t a, size_t b) { return a * b; }

/* xorshift64*: the kernel's get_random_u32 is far slower; it only builds
 * meshes and addresses here, never inside a timed loop
 */
static inline u32 get_random_u32(void)
{
	static u64 s;

	if (!s && getrandom(&s, sizeof(s), 0) != sizeof(s))
		s = (u64)time(NULL) | 1;
	s ^= s >> 12;
	s ^= s << 25;
	s ^= s >> 27;
	return (u32)((s * 0x2545F4914F6CDD1DULL) >> 32);
}

static inline u64 get_random_u64(void)
{
	return (u64)get_random_u32() << 32 | get_random_u32();
}

static inline void get_random_bytes(void *buf, size_t n)
{
	u8 *b = buf;

	while (n--)
		*b++ = (u8)get_random_u32();
}

static inline u64 ktime_get_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (u64)ts.tv_sec * 1000000000ULL + (u64)ts.tv_nsec;
}

static inline u64 div_u64(u64 a, u32 b) { return a / b; }
static inline void local_bh_disable(void) {}
static inline void local_bh_enable(void) {}
static inline void rcu_read_lock(void) {}
static inline void rcu_read_unlock(void) {}
static inline void cond_resched(void) {}
#define this_cpu_ptr(p) (p)
static inline void u64_stats_update_begin(struct u64_stats_sync *s) { (void)s; }
static inline void u64_stats_update_end(struct u64_stats_sync *s) { (void)s; }
static inline void u64_stats_inc(u64_stats_t *p) { (*p)++; }
static inline void u64_stats_add(u64_stats_t *p, u64 v) { *p += v; }
static inline void refcount_inc(refcount_t *r) { r->refs++; }
static inline void refcount_set(refcount_t *r, int v) { r->refs = v; }
static inline int refcount_read(const refcount_t *r) { return r->refs; }
static inline bool refcount_dec_and_test(refcount_t *r) { return !--r->refs; }
static inline void might_sleep(void) {}
static inline s64 atomic64_read(const atomic64_t *a) { return a->counter; }
static inline void atomic64_set(atomic64_t *a, s64 v) { a->counter = v; }
static inline void atomic64_add(s64 v, atomic64_t *a) { a->counter += v; }

/* A snapshot's last reference goes at once: no readers to wait for. */
#define INIT_RCU_WORK(w, f) ((w)->work.func = (f))
#define to_rcu_work(w) container_of(w, struct rcu_work, work)
static inline bool queue_rcu_work(struct workqueue_struct *wq,
				  struct rcu_work *w)
{
	(void)wq;
	w->work.func(&w->work);
	return true;
}

static inline struct workqueue_struct *alloc_workqueue(const char *name,
							unsigned int flags,
							int max)
{
	static struct workqueue_struct wq;

	(void)name;
	(void)flags;
	(void)max;
	return &wq;
}

static inline void destroy_workqueue(struct workqueue_struct *wq)
{
	(void)wq;
}

static inline void call_rcu(struct rcu_head *head, void (*fn)(struct rcu_head *))
{
	fn(head);
}

static inline void sort(void *base, size_t num, size_t size,
			int (*cmp)(const void *, const void *), void *swap)
{
	(void)swap;
	qsort(base, num, size, cmp);
}

static inline int kstrtouint(const char *s, unsigned int base, unsigned int *res)
{
	char *end;
	unsigned long v = strtoul(s, &end, (int)base);

	if (end == s || *end)
		return -EINVAL;
	*res = (unsigned int)v;
	return 0;
}

static inline int param_get_uint(char *buf, const struct kernel_param *kp)
{
	return sprintf(buf, "%u\n", *(unsigned int *)kp->arg);
}

#endif /* _KSHIM_H */
