// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the /etc/hosts block rewriting behind
 * "wgmesh hosts --install" and "--remove": only the mesh's own marked
 * block changes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/hosts.h"
#include "ktap.h"

static void expect(const char *what, const char *old, const char *inst,
		   const char *lines, const char *want)
{
	char err[256] = "";
	char *got = hosts_block_rewrite(old, old ? strlen(old) : 0, inst,
					lines, err, sizeof(err));
	bool ok = want ? got && !strcmp(got, want) : !got && err[0];

	if (!ok)
		ktap_diag("got: %s; err: %s", got ? got : "(null)", err);
	ktap_ok(ok, "%s", what);
	free(got);
}

#define B "# BEGIN wgmesh m\n"
#define E "# END wgmesh m\n"
#define SYS "127.0.0.1 localhost\n::1 localhost\n"

int main(void)
{
	ktap_plan(13);
	expect("missing file: block alone", NULL, "m", "fd::1 a.m\n",
	       B "fd::1 a.m\n" E);
	expect("appended after the system lines", SYS, "m", "fd::1 a.m\n",
	       SYS B "fd::1 a.m\n" E);
	expect("last line without newline gets one", "127.0.0.1 x", "m",
	       "fd::1 a.m\n", "127.0.0.1 x\n" B "fd::1 a.m\n" E);
	expect("block replaced in place, lines around kept",
	       SYS B "fd::9 old.m\n" E "10.0.0.1 after\n", "m", "fd::1 a.m\n",
	       SYS B "fd::1 a.m\n" E "10.0.0.1 after\n");
	expect("up to date block gives the same text",
	       SYS B "fd::1 a.m\n" E, "m", "fd::1 a.m\n",
	       SYS B "fd::1 a.m\n" E);
	expect("other instance's block untouched",
	       SYS "# BEGIN wgmesh mm\nfd::7 z.mm\n# END wgmesh mm\n", "m",
	       "fd::1 a.m\n",
	       SYS "# BEGIN wgmesh mm\nfd::7 z.mm\n# END wgmesh mm\n" B
	       "fd::1 a.m\n" E);
	expect("marker must be the whole line",
	       "# BEGIN wgmesh m extra\n", "m", "x\n",
	       "# BEGIN wgmesh m extra\n" B "x\n" E);
	expect("END without newline at end of file",
	       SYS B "old\n# END wgmesh m", "m", "new\n", SYS B "new\n" E);
	expect("BEGIN without END is refused", SYS B "fd::1 a.m\n", "m",
	       "x\n", NULL);
	expect("remove: the block goes, lines around it stay",
	       SYS B "fd::1 a.m\n" E "10.0.0.1 after\n", "m", NULL,
	       SYS "10.0.0.1 after\n");
	expect("remove: no block, the text as it was (no newline added)",
	       "127.0.0.1 x", "m", NULL, "127.0.0.1 x");
	expect("remove: another instance's block stays",
	       SYS "# BEGIN wgmesh mm\nz\n# END wgmesh mm\n" B "a\n" E, "m",
	       NULL, SYS "# BEGIN wgmesh mm\nz\n# END wgmesh mm\n");
	expect("remove: BEGIN without END is refused", SYS B "a\n", "m", NULL,
	       NULL);
	return ktap_finish();
}
