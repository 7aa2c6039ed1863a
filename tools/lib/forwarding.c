// SPDX-License-Identifier: GPL-2.0
/* Forwarding sysctls of a machine that owns subnets, see forwarding.h. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "array.h"
#include "forwarding.h"

/* The integer in @root/@path, or -1 when it cannot be read. */
static int sysctl_read(const char *root, const char *path)
{
	char file[512];
	FILE *f;
	int v;

	snprintf(file, sizeof(file), "%s/%s", root, path);
	f = fopen(file, "r");
	if (!f)
		return -1;
	if (fscanf(f, "%d", &v) != 1)
		v = -1;
	fclose(f);
	return v;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Interfaces with accept_ra=1, sorted (malloc'ed names), but @skip and "all"/"default"/"lo". */
static size_t ra_interfaces(const char *root, const char *skip, char ***out)
{
	char dir[512], path[600];
	struct dirent *e;
	size_t n = 0, cap = 0;
	char **v = NULL;
	DIR *d;

	*out = NULL;
	snprintf(dir, sizeof(dir), "%s/net/ipv6/conf", root);
	d = opendir(dir);
	if (!d)
		return 0;
	while ((e = readdir(d))) {
		char **nv;

		if (e->d_name[0] == '.' || !strcmp(e->d_name, "all") ||
		    !strcmp(e->d_name, "default") || !strcmp(e->d_name, "lo") ||
		    !strcmp(e->d_name, skip))
			continue;
		snprintf(path, sizeof(path), "net/ipv6/conf/%s/accept_ra",
			 e->d_name);
		if (sysctl_read(root, path) != 1)
			continue;
		nv = array_grow(&v, &cap, n, sizeof(*v));
		if (!nv)
			break;
		*nv = strdup(e->d_name);
		if (!*nv)
			break;
		n++;
	}
	closedir(d);
	if (n)
		qsort(v, n, sizeof(*v), name_cmp);
	*out = v;
	return n;
}

size_t forwarding_check(const struct wgmesh_owned *o, const char *root,
			const char *mesh_if,
			void (*warn)(void *ctx, const char *line), void *ctx)
{
	bool v4 = false, v6 = false;
	char line[512], **ra;
	size_t n = 0, nra;
	int fwd;

	for (size_t i = 0; i < o->n_subnets; i++) {
		v4 |= o->subnets[i].family == AF_INET;
		v6 |= o->subnets[i].family == AF_INET6;
	}
	if (v4 && sysctl_read(root, "net/ipv4/ip_forward") == 0) {
		warn(ctx, "this machine routes IPv4 subnets but "
		     "net.ipv4.ip_forward is 0: the mesh cannot reach them "
		     "(sysctl -w net.ipv4.ip_forward=1)");
		n++;
	}
	if (!v6)
		return n;
	fwd = sysctl_read(root, "net/ipv6/conf/all/forwarding");
	nra = ra_interfaces(root, mesh_if, &ra);
	if (fwd == 0) {
		warn(ctx, nra ? "this machine routes IPv6 subnets but "
		     "net.ipv6.conf.all.forwarding is 0: the mesh cannot reach "
		     "them (first set accept_ra=2 where named below, then "
		     "sysctl -w net.ipv6.conf.all.forwarding=1)" :
		     "this machine routes IPv6 subnets but "
		     "net.ipv6.conf.all.forwarding is 0: the mesh cannot reach "
		     "them (sysctl -w net.ipv6.conf.all.forwarding=1)");
		n++;
	}
	for (size_t i = 0; i < nra; i++) {
		snprintf(line, sizeof(line), "%s: accept_ra=1 %s router "
			 "advertisements once IPv6 forwarding is on, losing "
			 "its default route: set net.ipv6.conf.%s.accept_ra=2",
			 ra[i], fwd == 0 ? "would ignore" : "ignores", ra[i]);
		warn(ctx, line);
		n++;
		free(ra[i]);
	}
	free(ra);
	return n;
}
