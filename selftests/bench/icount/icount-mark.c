// SPDX-License-Identifier: GPL-2.0
/*
 * icount-mark start|stop ID: execute the start or stop marker of window ID
 * (mark.h), for the icount.so plugin to count the instructions between
 * them. icount-mark resume HEXADDR: announce the spans' resume point.
 * Harmless without the plugin: a marker is a NOP.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mark.h"

int main(int argc, char **argv)
{
	struct icount_marks m;
	unsigned long long addr;
	unsigned long id;
	char *end;

	if (argc == 3 && !strcmp(argv[1], "resume")) {
		addr = strtoull(argv[2], &end, 16);
		if (*argv[2] == '\0' || *end || !addr || icount_announce(addr)) {
			fprintf(stderr, "icount-mark: bad address '%s' (hex) or no memory\n",
				argv[2]);
			return 2;
		}
		return 0;
	}
	if (argc != 3 || (strcmp(argv[1], "start") && strcmp(argv[1], "stop"))) {
		fprintf(stderr, "usage: icount-mark start|stop ID\n"
				"       icount-mark resume HEXADDR\n");
		return 2;
	}
	id = strtoul(argv[2], &end, 0);
	if (*argv[2] == '\0' || *end || id > ICOUNT_ID_MAX ||
	    icount_marks_init(&m, id)) {
		fprintf(stderr, "icount-mark: bad window id '%s' (0..%u) or no memory\n",
			argv[2], ICOUNT_ID_MAX);
		return 2;
	}
	if (!strcmp(argv[1], "start"))
		m.start();
	else
		m.stop();
	return 0;
}
