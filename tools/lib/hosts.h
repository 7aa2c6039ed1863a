/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The mesh's /etc/hosts lines, "<address> <machine>.<domain>": controllers
 * at ::1 sorted by name, then peers sorted by name at their address in
 * their designated controller's subnet. With [Mesh] IPv4, each machine's
 * IPv4 line follows its IPv6 line.
 *
 * "wgmesh hosts --install" puts them in /etc/hosts between
 *
 *   # BEGIN wgmesh <instance>
 *   ...
 *   # END wgmesh <instance>
 *
 * and only that block is ever rewritten (one block per mesh instance).
 * The file is replaced atomically (temporary file + rename). The path is
 * $WGMESH_HOSTS when set, else /etc/hosts.
 */
#ifndef HOSTS_H
#define HOSTS_H

#include <stddef.h>
#include <stdio.h>

#include "topology.h"

#define HOSTS_PATH "/etc/hosts"
#define HOSTS_ENV "WGMESH_HOSTS"

/* Write the lines to @f; 0, or -1 on a write error. */
int hosts_write(FILE *f, const struct wgmesh_topology *t);
/* The same lines in a malloc'ed string; NULL when out of memory. */
char *hosts_text(const struct wgmesh_topology *t);

/*
 * @old (@len bytes, may be NULL/0) with the block of @instance replaced by
 * @lines (each ending in a newline), or appended when there is none; with
 * @lines NULL, the block removed (@old unchanged when it has none).
 * Returns a malloc'ed string, or NULL with one line in @err (a BEGIN line
 * without its END, out of memory).
 */
char *hosts_block_rewrite(const char *old, size_t len, const char *instance,
			  const char *lines, char *err, size_t errlen);

/*
 * Bring the block of @t in the hosts file up to date (a file already up
 * to date is left alone). @path receives the file's real path. 0, or -1
 * with one line in @err.
 */
int hosts_install(const struct wgmesh_topology *t, char *path,
		  size_t pathlen, char *err, size_t errlen);

/*
 * Remove the block of mesh @instance from the hosts file: 0 when removed,
 * 1 when there was none, or -1 with one line in @err and errno set.
 */
int hosts_remove(const char *instance, char *path, size_t pathlen, char *err,
		 size_t errlen);

/*
 * What to do about failing with @err (an errno) on hosts file @path: a
 * read-only file system or a file in the Nix store (NixOS) asks for the
 * system configuration instead; "" when there is nothing to add.
 */
const char *hosts_hint(int err, const char *path);

#endif /* HOSTS_H */
