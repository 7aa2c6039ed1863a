/* SPDX-License-Identifier: GPL-2.0 */
/*
 * WireGuard keys (X25519 through libsodium), in wg(8)'s formats: 44
 * characters of standard base64. Private keys live in their own files,
 * never readable by group or others.
 */
#ifndef WGMESH_KEYS_H
#define WGMESH_KEYS_H

#include <stddef.h>
#include <stdint.h>

#include "topology.h"

#define WGMESH_KEY_B64_LEN	44	/* without the NUL */
/* Default private key file: WGMESH_KEY_DIR "/" <interface> ".key". */
#define WGMESH_KEY_DIR		"/etc/wireguard"

/* Strict wg(8) decoding: 44 characters, '=' last, 32 bytes. 0 or -1. */
int wgmesh_key_from_base64(const char *text, uint8_t key[WGMESH_KEY_LEN]);
/* @out holds WGMESH_KEY_B64_LEN + 1 bytes. */
void wgmesh_key_to_base64(const uint8_t key[WGMESH_KEY_LEN], char *out);

/* A fresh random private key, clamped like wg genkey. */
void wgmesh_key_generate(uint8_t key[WGMESH_KEY_LEN]);
/* The public key of @priv. 0, or -1 for a degenerate key. */
int wgmesh_key_public(uint8_t pub[WGMESH_KEY_LEN],
		      const uint8_t priv[WGMESH_KEY_LEN]);

/*
 * Load a secret key file (base64, one line): a private key, or a mesh
 * secret. Refuses files readable or writable by group or others, naming
 * the file (as "@what PATH") and its mode; the content is never quoted.
 * 0, or -1 and one line in @err.
 */
int wgmesh_key_load_file(const char *what, const char *path,
			 uint8_t key[WGMESH_KEY_LEN], char *err, size_t errlen);
/* The same as a "private key file". */
int wgmesh_key_load_private(const char *path, uint8_t key[WGMESH_KEY_LEN],
			    char *err, size_t errlen);

/* WGMESH_KEY_DIR/<interface>.key into @buf; -1 when it does not fit. */
int wgmesh_key_default_path(const struct wgmesh_topology *t, char *buf,
			    size_t len);

#endif /* WGMESH_KEYS_H */
