/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Minimal KTAP output for the userspace unit tests: ktap_plan(N) first,
 * then one ktap_ok() per test, then "return ktap_finish();".
 */
#ifndef WGMESH_TESTS_KTAP_H
#define WGMESH_TESTS_KTAP_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>

static int ktap_planned, ktap_n, ktap_fails, ktap_skips;

static inline void ktap_plan(int n)
{
	ktap_planned = n;
	printf("TAP version 13\n1..%d\n", n);
	fflush(stdout);
}

static inline void ktap_diag(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));
static inline void ktap_diag(const char *fmt, ...)
{
	va_list ap;

	fputs("# ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
}

static inline bool ktap_ok(bool ok, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static inline bool ktap_ok(bool ok, const char *fmt, ...)
{
	va_list ap;

	ktap_n++;
	if (!ok)
		ktap_fails++;
	printf("%sok %d ", ok ? "" : "not ", ktap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
	fflush(stdout);
	return ok;
}

static inline void ktap_skip(const char *what, const char *why)
{
	ktap_n++;
	ktap_skips++;
	printf("ok %d %s # SKIP %s\n", ktap_n, what, why);
}

static inline int ktap_finish(void)
{
	if (ktap_n != ktap_planned) {
		printf("# planned %d tests but ran %d\n", ktap_planned, ktap_n);
		ktap_fails++;
	}
	printf("# Totals: pass:%d fail:%d xfail:0 xpass:0 skip:%d error:0\n",
	       ktap_n - ktap_fails - ktap_skips, ktap_fails, ktap_skips);
	return ktap_fails ? 1 : 0;
}

#endif /* WGMESH_TESTS_KTAP_H */
