/* SPDX-License-Identifier: GPL-2.0 */
/*
 * wg-quick configuration of one machine of the mesh.
 *
 * Controller: Address <subnet>::1/40, ListenPort; one [Peer] per other
 * controller (AllowedIPs its /56, Endpoint) and per peer (AllowedIPs its
 * /96 in every controller subnet). Peer: one Address per controller
 * (<subnet>:<suffix>/56), one [Peer] per controller (its /56, Endpoint).
 * Every [Peer] has PersistentKeepalive = 25. The private key is set by a
 * PostUp "wg set %i private-key FILE" unless embedding is asked for.
 * With [Mesh] PresharedKeyFile, every [Peer] needs the PresharedKey of its
 * pair (psk.h): that is a secret too, so it is only written when
 * embedding, and without it the configuration is refused (it could not
 * make a handshake).
 * With IPv4 and subnets, each machine also gets "Address = <ipv4>/LEN"
 * and the AllowedIPs of derive.h's routing model (wg-quick makes the
 * routes from them).
 */
#ifndef WGQUICK_H
#define WGQUICK_H

#include <stdbool.h>
#include <stdio.h>

#include "topology.h"

struct wgquick_opts {
	const char *private_key_file;	/* NULL: wgmesh_key_default_path() */
	/* Read it and write PrivateKey =, and PresharedKey = if any. */
	bool embed_private_key;
};

/*
 * 0, or -1 and one line in @err (unknown machine, key file problems,
 * preshared keys without embedding).
 */
int wgquick_write(FILE *f, const struct wgmesh_topology *t,
		  const char *machine, const struct wgquick_opts *o, char *err,
		  size_t errlen);

#endif /* WGQUICK_H */
