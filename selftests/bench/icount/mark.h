/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Guest side of the instruction-count markers (see icount.c): a marker is
 * the 8-byte NOP  0f 1f 84 00 <disp32>  (nopl disp32(%rax,%rax,1)) with
 * disp32 = ICOUNT_MAGIC | ICOUNT_STOP? | window id. The tag is chosen at run
 * time, so the NOP is written into an executable page of its own and
 * called; both markers of a window are written before the first one runs
 * (no self-modifying code inside a window).
 */
#ifndef WGMESH_ICOUNT_MARK_H
#define WGMESH_ICOUNT_MARK_H

#define ICOUNT_MAGIC	0x1c0a0000u	/* upper 16 bits of every window tag */
#define ICOUNT_STOP	0x8000u		/* a stop marker; a start marker has it clear */
#define ICOUNT_ID_MAX	0x7fffu		/* window ids 0..0x7fff */

/*
 * Span markers (tag ICOUNT_SPAN_MAGIC, | ICOUNT_STOP to end one) mark the
 * parts of a window to count on their own: spans nest (a count of open
 * ones), and every instruction while at least one is open counts once.
 * The fixed tags let a kernel module emit them inline (icount/span.c).
 */
#define ICOUNT_SPAN_MAGIC	0x1c0b0000u

/*
 * The resume point: a guest address, announced 16 bits a marker under
 * tags ICOUNT_ADDR_MAGIC + 0x10000 * i | bits (i = 0: bits 63..48, up to
 * i = 3: bits 15..0, which completes it). When a span ends while others
 * are still open, counting pauses until execution reaches that address,
 * or a span starts: with batches (the stack forwards a GRO batch after
 * running ingress for all of it) the span then keeps each packet's own
 * path and leaves out what the transmit of the ones before ran.
 */
#define ICOUNT_ADDR_MAGIC	0x1c0c0000u

#ifndef __KERNEL__
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

struct icount_marks {
	void (*start)(void);
	void (*stop)(void);
};

static inline void icount_put(unsigned char *p, uint32_t tag)
{
	static const unsigned char nop[4] = { 0x0f, 0x1f, 0x84, 0x00 };

	memcpy(p, nop, 4);
	memcpy(p + 4, &tag, 4);	/* x86: little endian, as the plugin reads it */
	p[8] = 0xc3;		/* ret */
}

/* icount_marks_init: the start and stop markers of window ID; 0 or -1 */
static inline int icount_marks_init(struct icount_marks *m, unsigned int id)
{
	unsigned char *p;

	if (id > ICOUNT_ID_MAX)
		return -1;
	p = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return -1;
	icount_put(p, ICOUNT_MAGIC | id);
	icount_put(p + 64, ICOUNT_MAGIC | ICOUNT_STOP | id);
	m->start = (void (*)(void))p;
	m->stop = (void (*)(void))(p + 64);
	return 0;
}

/* icount_announce: the resume point (ICOUNT_ADDR_MAGIC); 0 or -1 */
static inline int icount_announce(uint64_t addr)
{
	unsigned char *p;
	int i;

	p = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return -1;
	for (i = 0; i < 4; i++)
		icount_put(p + 64 * i, (ICOUNT_ADDR_MAGIC + 0x10000u * i) |
				       ((addr >> (48 - 16 * i)) & 0xffff));
	for (i = 0; i < 4; i++)
		((void (*)(void))(p + 64 * i))();
	munmap(p, 4096);
	return 0;
}
#endif /* !__KERNEL__ */

#endif
