/* SPDX-License-Identifier: GPL-2.0 */
/*
 * /etc/hosts lines "<address> <machine>.<domain>": controllers at ::1
 * sorted by name, then peers sorted by name at their address in their
 * designated controller's subnet.
 */
#ifndef WGMESH_HOSTS_H
#define WGMESH_HOSTS_H

#include <stdio.h>

#include "topology.h"

/* Write the lines to @f; 0, or -1 on a write error. */
int wgmesh_hosts_write(FILE *f, const struct wgmesh_topology *t);
/* The same lines in a malloc'ed string; NULL when out of memory. */
char *wgmesh_hosts_text(const struct wgmesh_topology *t);

/*
 * "wgmesh hosts --install FILE" calls this (hosts_install.c): rewrites the
 * marked block in /etc/hosts. Prints its own error, returns the exit
 * status.
 */
int wgmesh_hosts_install(const struct wgmesh_topology *t);

#endif /* WGMESH_HOSTS_H */
