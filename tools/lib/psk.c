// SPDX-License-Identifier: GPL-2.0
/* Preshared keys derived from the mesh secret, see psk.h. */
#include <string.h>

#include <sodium.h>

#include "keys.h"
#include "psk.h"

#define HASH_LEN crypto_auth_hmacsha256_BYTES	/* 32 */

int psk_hkdf_sha256(uint8_t *out, size_t outlen, const uint8_t *salt,
		    size_t saltlen, const uint8_t *ikm, size_t ikmlen,
		    const uint8_t *info, size_t infolen)
{
	static const uint8_t zeros[HASH_LEN];
	crypto_auth_hmacsha256_state st;
	uint8_t prk[HASH_LEN], t[HASH_LEN];
	size_t done = 0;

	if (outlen > 255 * HASH_LEN)
		return -1;
	/* libsodium wants pointers even for nothing. */
	if (!saltlen)
		salt = zeros;
	if (!ikmlen)
		ikm = zeros;
	if (!infolen)
		info = zeros;
	/*
	 * Extract: PRK = HMAC(salt, IKM). No salt is HashLen zero bytes
	 * (RFC 5869 2.2), which HMAC pads an empty key to anyway.
	 */
	crypto_auth_hmacsha256_init(&st, salt, saltlen ? saltlen : HASH_LEN);
	crypto_auth_hmacsha256_update(&st, ikm, ikmlen);
	crypto_auth_hmacsha256_final(&st, prk);
	/* Expand: T(i) = HMAC(PRK, T(i-1) || info || i), T(0) empty. */
	for (uint8_t i = 1; done < outlen; i++) {
		size_t n = outlen - done < HASH_LEN ? outlen - done : HASH_LEN;

		crypto_auth_hmacsha256_init(&st, prk, sizeof(prk));
		if (i > 1)
			crypto_auth_hmacsha256_update(&st, t, sizeof(t));
		crypto_auth_hmacsha256_update(&st, info, infolen);
		crypto_auth_hmacsha256_update(&st, &i, 1);
		crypto_auth_hmacsha256_final(&st, t);
		memcpy(out + done, t, n);
		done += n;
	}
	sodium_memzero(&st, sizeof(st));
	sodium_memzero(prk, sizeof(prk));
	sodium_memzero(t, sizeof(t));
	return 0;
}

void psk_derive(uint8_t psk[WGMESH_KEY_LEN],
		const uint8_t secret[WGMESH_KEY_LEN], const char *mesh,
		const uint8_t a[WGMESH_KEY_LEN],
		const uint8_t b[WGMESH_KEY_LEN])
{
	size_t len = strlen(mesh);
	uint8_t info[WGMESH_NAME_MAX + 2 * WGMESH_KEY_LEN];
	bool swap = memcmp(a, b, WGMESH_KEY_LEN) > 0;

	/* Names are at most WGMESH_NAME_MAX bytes: the parser sees to it. */
	if (len > WGMESH_NAME_MAX)
		len = WGMESH_NAME_MAX;
	memcpy(info, mesh, len);
	memcpy(info + len, swap ? b : a, WGMESH_KEY_LEN);
	memcpy(info + len + WGMESH_KEY_LEN, swap ? a : b, WGMESH_KEY_LEN);
	psk_hkdf_sha256(psk, WGMESH_KEY_LEN, (const uint8_t *)PSK_SALT,
			strlen(PSK_SALT), secret, WGMESH_KEY_LEN, info,
			len + 2 * WGMESH_KEY_LEN);
}

int psk_load(const struct wgmesh_topology *t,
	     uint8_t secret[WGMESH_KEY_LEN], char *err, size_t errlen)
{
	if (!t->psk_file)
		return 0;
	if (wgmesh_key_load_file("preshared key file", t->psk_file, secret,
				 err, errlen))
		return -1;
	return 1;
}
