/* SPDX-License-Identifier: GPL-2.0 */
/*
 * "wgmesh hosts --install": the mesh's lines live in /etc/hosts between
 *
 *   # BEGIN wgmesh <instance>
 *   ...
 *   # END wgmesh <instance>
 *
 * and only that block is ever rewritten (one block per mesh instance).
 * The file is replaced atomically (temporary file + rename). The path is
 * $WGMESH_HOSTS when set, else /etc/hosts.
 */
#ifndef WGMESH_HOSTS_INSTALL_H
#define WGMESH_HOSTS_INSTALL_H

#include <stddef.h>

#define WGMESH_HOSTS_PATH "/etc/hosts"
#define WGMESH_HOSTS_ENV "WGMESH_HOSTS"

/*
 * @old (@len bytes, may be NULL/0) with the block of @instance replaced by
 * @lines (each ending in a newline), or appended when there is none.
 * Returns a malloc'ed string, or NULL with one line in @err (a BEGIN line
 * without its END, out of memory).
 */
char *hosts_block_rewrite(const char *old, size_t len, const char *instance,
			  const char *lines, char *err, size_t errlen);

#endif
