// SPDX-License-Identifier: GPL-2.0
/*
 * icount.so: a QEMU TCG plugin that counts the guest instructions executed
 * between two marker instructions (mark.h) and writes one line per window:
 *
 *   window ID insns N
 *
 * to the file named by out=PATH (default: QEMU's log, qemu_plugin_outs).
 *
 *   -plugin file=icount.so,out=PATH[,exact=1][,profile=1]
 *
 * Counting: every translation block adds its instruction count to one
 * counter when it starts executing (an inline add, no helper call). A
 * marker is recognised when its TB is translated and gets a callback of
 * its own, which knows the marker's index in its TB, so its position in the
 * instruction stream is  counter - TB length + index: the markers split TB
 * accounting exactly. N counts the start marker and every instruction
 * executed after it up to, not including, the stop marker: on every vCPU,
 * user and kernel, interrupts included; a halted vCPU executes nothing.
 *
 * Precision: a TB is counted as a whole when it starts. When an exception
 * (page fault, I/O that makes icount re-translate, ...) leaves a TB part way,
 * its remaining instructions are counted although they did not run, and they
 * are counted again when execution resumes there. exact=1 counts per
 * instruction instead (an inline add on every instruction; slower), which
 * is exact for retired instructions. Either way the count is deterministic
 * as far as the guest's execution is; with -icount shift=0 and one vCPU it
 * is (timer interrupts arrive at fixed instruction counts).
 *
 * Spans (mark.h: ICOUNT_SPAN_MAGIC, a guest module emits them around
 * the work of interest, e.g. icount/span.c around a controller's
 * forwarding): they nest, and every instruction while at least one is
 * open counts once into the span total; a stop with none open is counted
 * as stray and otherwise ignored. A window's line then also has
 *
 *   window ID insns N span S starts K stops L stray M
 *
 * (S: span instructions inside the window, K/L: span markers in it).
 * When a span ends while others are open, counting pauses until the
 * guest reaches the resume point (mark.h, ICOUNT_ADDR_MAGIC: the bench
 * announces ip6_forward()) or a span starts; the announcement flushes
 * the translations (qemu_plugin_reset()) so that the point's block is
 * translated again, with its callback.
 *
 * One counter for all vCPUs: the plugin refuses to load with more than
 * one (the sum of several vCPUs' streams has no stable order).
 *
 * profile=1: additionally count, per translated block, how often it ran
 * while a window was open, and when a window stops write after its line
 *
 *   tb ID VADDR NINSNS EXECS
 *
 * per translation that ran in it (VADDR: 16 hex digits, the block's first
 * instruction; the same block translated twice appears twice), then reset
 * and, for blocks that started while a span was open,
 *
 *   span ID VADDR NINSNS EXECS
 *
 * then reset those counts: windows to be profiled must not overlap. The bench maps
 * VADDR to functions with the guest's kallsyms. A block is attributed as
 * a whole to the function it starts in. This costs a helper call per
 * executed block, but no guest instruction: the counts stay the same.
 */
#include <errno.h>
#include <stdarg.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qemu-plugin.h"
#include "mark.h"

QEMU_PLUGIN_EXPORT int qemu_plugin_version = QEMU_PLUGIN_VERSION;

static uint64_t counter;	/* instructions executed (TB mode: started) */
static FILE *out;
static bool exact, profile;
static unsigned int open_windows;
static uint64_t start_at[ICOUNT_ID_MAX + 1];
static bool started[ICOUNT_ID_MAX + 1];

/* spans: how many are open, since when, and totals since the start */
static struct {
	unsigned int open;
	bool paused;
	uint64_t since, insns, starts, stops, stray;
} span;

static qemu_plugin_id_t self;
static uint64_t resume_at, announcing;	/* the resume point, being announced */

/* a window's span totals when it started */
static struct {
	uint64_t insns, starts, stops, stray;
} span_at[ICOUNT_ID_MAX + 1];

struct tb_prof {
	uint64_t vaddr;
	uint64_t execs;
	uint64_t span_execs;	/* started while a span was open */
	uint32_t n;
};
static struct tb_prof **profs;
static size_t nprofs, profs_cap;

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void say(const char *fmt, ...)
{
	char buf[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (out) {
		fputs(buf, out);
		fflush(out);
	} else {
		qemu_plugin_outs(buf);
	}
}

/*
 * A marker's callback data, packed into the pointer: the tag (32 bits),
 * the marker's index in its TB and the TB's length (16 bits each; a TB
 * holds at most 512 instructions).
 */
static void *pack(uint32_t tag, size_t idx, size_t n)
{
	return (void *)(uintptr_t)((uint64_t)tag << 32 | (uint64_t)idx << 16 | n);
}

static void dump_profile(unsigned int id)
{
	FILE *f = out ? out : stderr;
	size_t i;

	for (i = 0; i < nprofs; i++) {
		if (!profs[i]->execs)
			continue;
		fprintf(f, "tb %u %016" PRIx64 " %u %" PRIu64 "\n", id,
			profs[i]->vaddr, profs[i]->n, profs[i]->execs);
		if (profs[i]->span_execs)
			fprintf(f, "span %u %016" PRIx64 " %u %" PRIu64 "\n",
				id, profs[i]->vaddr, profs[i]->n,
				profs[i]->span_execs);
		profs[i]->execs = 0;
		profs[i]->span_execs = 0;
	}
	fflush(f);
}

/* span instructions up to @pos, the open span included */
static uint64_t span_insns(uint64_t pos)
{
	return span.insns + (span.open && !span.paused ? pos - span.since : 0);
}

static void on_span(uint32_t tag, uint64_t pos)
{
	if (!(tag & ICOUNT_STOP)) {
		if (!span.open++ || span.paused)
			span.since = pos;
		span.paused = false;
		span.starts++;
		return;
	}
	if (!span.open) {
		span.stray++;
		return;
	}
	span.stops++;
	span.open--;
	if (!span.paused)
		span.insns += pos - span.since;
	span.paused = span.open;
}

static void on_resume(unsigned int vcpu, void *data)
{
	uint64_t d = (uintptr_t)data;

	(void)vcpu;
	if (span.open && span.paused) {
		/* the first instruction of its TB */
		span.since = exact ? counter : counter - (d & 0xffff);
		span.paused = false;
	}
}

static void on_translate(qemu_plugin_id_t id, struct qemu_plugin_tb *tb);
static void at_exit(qemu_plugin_id_t id, void *data);

static void after_reset(qemu_plugin_id_t id)
{
	qemu_plugin_register_vcpu_tb_trans_cb(id, on_translate);
	qemu_plugin_register_atexit_cb(id, at_exit, NULL);
}

/* One more 16 bits of the resume point (mark.h); the last sets it. */
static void on_announce(uint32_t tag)
{
	unsigned int i = (tag - ICOUNT_ADDR_MAGIC) >> 16;

	announcing = (announcing & ~(0xffffull << (48 - 16 * i))) |
		     (uint64_t)(tag & 0xffff) << (48 - 16 * i);
	if (i < 3)
		return;
	resume_at = announcing;
	say("resume at %016" PRIx64 "\n", resume_at);
	/* retranslate: the point's block may have run already */
	qemu_plugin_reset(self, after_reset);
}

static void on_marker(unsigned int vcpu, void *data)
{
	uint64_t d = (uintptr_t)data, pos;
	uint32_t tag = d >> 32, id = tag & ICOUNT_ID_MAX;
	size_t idx = (d >> 16) & 0xffff, n = d & 0xffff;

	(void)vcpu;
	if (exact) {
		/* the marker has no inline add: count it here */
		pos = counter++;
	} else {
		pos = counter - n + idx;
	}
	if ((tag & 0xffff0000u) == ICOUNT_SPAN_MAGIC) {
		on_span(tag, pos);
		return;
	}
	if ((tag & 0xffff0000u) != ICOUNT_MAGIC) {
		on_announce(tag);
		return;
	}
	if (!(tag & ICOUNT_STOP)) {
		if (started[id])
			say("window %u restarted\n", id);
		else
			open_windows++;
		started[id] = true;
		start_at[id] = pos;
		span_at[id].insns = span_insns(pos);
		span_at[id].starts = span.starts;
		span_at[id].stops = span.stops;
		span_at[id].stray = span.stray;
		return;
	}
	if (!started[id]) {
		say("window %u stop-without-start\n", id);
		return;
	}
	started[id] = false;
	open_windows--;
	say("window %u insns %" PRIu64 " span %" PRIu64 " starts %" PRIu64
	    " stops %" PRIu64 " stray %" PRIu64 "\n", id, pos - start_at[id],
	    span_insns(pos) - span_at[id].insns,
	    span.starts - span_at[id].starts, span.stops - span_at[id].stops,
	    span.stray - span_at[id].stray);
	if (profile)
		dump_profile(id);
}

static void on_tb_profile(unsigned int vcpu, void *data)
{
	struct tb_prof *p = data;

	(void)vcpu;
	if (open_windows) {
		p->execs++;
		if (span.open && !span.paused)
			p->span_execs++;
	}
}

static bool is_marker(struct qemu_plugin_insn *insn, uint32_t *tag)
{
	const unsigned char *b;

	if (qemu_plugin_insn_size(insn) != 8)
		return false;
	b = qemu_plugin_insn_data(insn);
	if (b[0] != 0x0f || b[1] != 0x1f || b[2] != 0x84 || b[3] != 0x00)
		return false;
	memcpy(tag, b + 4, 4);
	return (*tag & 0xffff0000u) == ICOUNT_MAGIC ||
	       (*tag & 0xffff0000u) == ICOUNT_SPAN_MAGIC ||
	       ((*tag & 0xffff0000u) >= ICOUNT_ADDR_MAGIC &&
		(*tag & 0xffff0000u) <= ICOUNT_ADDR_MAGIC + 0x30000u);
}

static void on_translate(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
	size_t n = qemu_plugin_tb_n_insns(tb), i;
	uint32_t tag;

	(void)id;
	if (!exact)
		qemu_plugin_register_vcpu_tb_exec_inline(tb, QEMU_PLUGIN_INLINE_ADD_U64,
							 &counter, n);
	if (resume_at && qemu_plugin_tb_vaddr(tb) == resume_at)
		qemu_plugin_register_vcpu_insn_exec_cb(qemu_plugin_tb_get_insn(tb, 0),
						       on_resume, QEMU_PLUGIN_CB_NO_REGS,
						       pack(0, 0, n));
	for (i = 0; i < n; i++) {
		struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);

		if (is_marker(insn, &tag))
			qemu_plugin_register_vcpu_insn_exec_cb(insn, on_marker,
							       QEMU_PLUGIN_CB_NO_REGS,
							       pack(tag, i, n));
		else if (exact)
			qemu_plugin_register_vcpu_insn_exec_inline(insn,
								   QEMU_PLUGIN_INLINE_ADD_U64,
								   &counter, 1);
	}
	if (profile) {
		struct tb_prof *p = calloc(1, sizeof(*p));

		if (!p)
			return;
		if (nprofs == profs_cap) {
			size_t cap = profs_cap ? 2 * profs_cap : 4096;
			struct tb_prof **np = realloc(profs, cap * sizeof(*np));

			if (!np) {
				free(p);
				return;
			}
			profs = np;
			profs_cap = cap;
		}
		p->vaddr = qemu_plugin_tb_vaddr(tb);
		p->n = n;
		profs[nprofs++] = p;
		qemu_plugin_register_vcpu_tb_exec_cb(tb, on_tb_profile,
						     QEMU_PLUGIN_CB_NO_REGS, p);
	}
}

static void at_exit(qemu_plugin_id_t id, void *data)
{
	size_t i;

	(void)id;
	(void)data;
	for (i = 0; i <= ICOUNT_ID_MAX; i++)
		if (started[i])
			say("window %zu unfinished\n", i);
	say("total insns %" PRIu64 "\n", counter);
	if (out)
		fclose(out);
	out = NULL;
}

static bool flag(const char *v, bool *res)
{
	if (!strcmp(v, "1") || !strcmp(v, "on") || !strcmp(v, "true"))
		*res = true;
	else if (!strcmp(v, "0") || !strcmp(v, "off") || !strcmp(v, "false"))
		*res = false;
	else
		return false;
	return true;
}

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info,
					   int argc, char **argv)
{
	const char *path = NULL;
	int i;

	for (i = 0; i < argc; i++) {
		const char *a = argv[i];

		if (!strncmp(a, "out=", 4)) {
			path = a + 4;
		} else if (!strncmp(a, "exact=", 6) && flag(a + 6, &exact)) {
		} else if (!strncmp(a, "profile=", 8) && flag(a + 8, &profile)) {
		} else {
			fprintf(stderr, "icount: unknown argument '%s'"
				" (out=PATH, exact=0|1, profile=0|1)\n", a);
			return -1;
		}
	}
	if (info->system_emulation && info->system.max_vcpus > 1) {
		fprintf(stderr, "icount: %d vCPUs: one counter needs one vCPU (-smp 1)\n",
			info->system.max_vcpus);
		return -1;
	}
	if (path) {
		out = fopen(path, "w");
		if (!out) {
			fprintf(stderr, "icount: %s: %s\n", path, strerror(errno));
			return -1;
		}
	}
	self = id;
	after_reset(id);
	return 0;
}
