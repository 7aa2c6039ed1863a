// SPDX-License-Identifier: GPL-2.0
/*
 * icount-mark start|stop ID: execute the start or stop marker of window ID
 * (mark.h), for the icount.so plugin to count the instructions between
 * them. Harmless without the plugin: the marker is a NOP.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mark.h"

int main(int argc, char **argv)
{
	struct icount_marks m;
	unsigned long id;
	char *end;

	if (argc != 3 || (strcmp(argv[1], "start") && strcmp(argv[1], "stop"))) {
		fprintf(stderr, "usage: icount-mark start|stop ID\n");
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
