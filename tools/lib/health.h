/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What "wgmesh status" reports as problems of a mesh interface (and
 * "status --check" exits 2 for): each has a stable code for scripts and a
 * one-line message. Pure: the caller says what it found.
 *
 *   not_in_file          its key is not a machine of the --file topology
 *   module_not_loaded    a controller, and wgmesh.ko is not loaded
 *   module_not_attached  a controller, and wgmesh.ko is not attached to it
 *   no_topology          wgmesh.ko attached, but no topology pushed
 *   no_endpoint          a controller member without an endpoint (its
 *                        host name did not resolve at "up")
 */
#ifndef WGMESH_HEALTH_H
#define WGMESH_HEALTH_H

#include <stdbool.h>
#include <stddef.h>

#define HEALTH_MAX 16	/* reported per interface; more are counted */

struct health_problem {
	const char *code;
	char message[160];
};

struct health {
	struct health_problem v[HEALTH_MAX];
	size_t n;		/* reported in v[] */
	size_t more;		/* found beyond HEALTH_MAX */
};

/* What is known of the interface itself. */
struct health_input {
	bool controller;	/* this machine is a controller */
	bool role_known;	/* from the file or from its addresses */
	bool not_in_file;	/* --file given and its key is not in it */
	bool module_loaded;
	bool attached;		/* wgmesh.ko is attached to the interface */
	bool has_topology;	/* ... and has a topology */
};

/* The problems of @in, into @h (emptied first). */
void health_interface(const struct health_input *in, struct health *h);

/* Controller member @name has no endpoint. */
void health_no_endpoint(struct health *h, const char *name);

#endif /* WGMESH_HEALTH_H */
