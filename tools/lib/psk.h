/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Preshared keys: one mesh secret ([Mesh] PresharedKeyFile, 32 bytes in
 * wg's base64 format, made by "wgmesh genpsk") from which every machine
 * derives the WireGuard preshared key of each of its pairs, so that both
 * ends of a pair compute the same key and no per-pair file exists:
 *
 *   PRK = HKDF-Extract(salt = "wgmesh psk v1", IKM = secret)
 *   PSK = HKDF-Expand(PRK, info = Name || min(A, B) || max(A, B), 32)
 *
 * HKDF with SHA-256 as RFC 5869 defines it; "wgmesh psk v1" is those 13
 * ASCII bytes; Name is the mesh's [Mesh] Name (its bytes, no NUL); A and B
 * are the pair's two 32-byte public keys, ordered as unsigned byte strings
 * (memcmp). The name makes one secret give other keys in another mesh.
 * libsodium 1.0.18 has no HKDF: it is built here on its HMAC-SHA-256.
 * tests/test_psk.c checks it against RFC 5869 and a vector computed
 * independently (README "Preshared keys" gives it).
 */
#ifndef WGMESH_PSK_H
#define WGMESH_PSK_H

#include <stddef.h>
#include <stdint.h>

#include "topology.h"

#define PSK_SALT	"wgmesh psk v1"

/*
 * HKDF-SHA256 (RFC 5869), extract then expand: @outlen bytes (at most
 * 255 * 32) of keying material into @out. 0, or -1 when @outlen is too
 * long.
 */
int psk_hkdf_sha256(uint8_t *out, size_t outlen, const uint8_t *salt,
		    size_t saltlen, const uint8_t *ikm, size_t ikmlen,
		    const uint8_t *info, size_t infolen);

/*
 * The preshared key of the pair @a, @b (public keys, in either order) in
 * mesh @mesh, from the mesh secret @secret.
 */
void psk_derive(uint8_t psk[WGMESH_KEY_LEN],
		const uint8_t secret[WGMESH_KEY_LEN], const char *mesh,
		const uint8_t a[WGMESH_KEY_LEN],
		const uint8_t b[WGMESH_KEY_LEN]);

/*
 * Load @t's PresharedKeyFile into @secret: refused, as a private key file
 * is, when group or others may access it. 1 when loaded, 0 when @t has no
 * PresharedKeyFile (@secret untouched), or -1 and one line in @err naming
 * the file.
 */
int psk_load(const struct wgmesh_topology *t,
	     uint8_t secret[WGMESH_KEY_LEN], char *err, size_t errlen);

#endif /* WGMESH_PSK_H */
