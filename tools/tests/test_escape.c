// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of cli_escape(): what a message may echo from a file or an
 * argument reaches the terminal as text, never as control sequences.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "ktap.h"

static void expect(const char *in, const char *want, const char *what)
{
	char out[128];

	cli_escape(in, out, sizeof(out));
	if (strcmp(out, want))
		ktap_diag("got '%s', want '%s'", out, want);
	ktap_ok(!strcmp(out, want), "%s", what);
}

int main(void)
{
	char small[8];

	ktap_plan(9);
	expect("peer1: bad Endpoint 'x'", "peer1: bad Endpoint 'x'",
	       "plain text is kept");
	expect("a\x1b[31mred", "a\\x1b[31mred", "ESC is escaped");
	expect("l1\nl2\r\tx", "l1\\nl2\\r\\tx", "newline, CR and tab as \\n \\r \\t");
	expect("\x7f\x01", "\\x7f\\x01", "DEL and other C0 controls");
	expect("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x94\x91", "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x94\x91",
	       "valid UTF-8 is kept");
	expect("\xc2\x9b" "2J", "\\xc2\\x9b2J", "C1 controls (U+009B CSI) are escaped");
	expect("\xff\xc3(\xe0\x80\xaf", "\\xff\\xc3(\\xe0\\x80\\xaf",
	       "invalid and overlong UTF-8 byte by byte");
	cli_escape("abcdefghij", small, sizeof(small));
	ktap_ok(!strcmp(small, "abcdefg"), "truncated, still terminated");
	cli_escape("ab\x1b", small, 5);
	ktap_ok(!strcmp(small, "ab"), "an escape that does not fit is dropped whole");
	return ktap_finish();
}
