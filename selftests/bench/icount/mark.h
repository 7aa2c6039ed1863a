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

#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

#define ICOUNT_MAGIC	0x1c0a0000u	/* upper 16 bits of every marker tag */
#define ICOUNT_STOP	0x8000u		/* a stop marker; a start marker has it clear */
#define ICOUNT_ID_MAX	0x7fffu		/* window ids 0..0x7fff */

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

#endif
