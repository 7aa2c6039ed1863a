/* SPDX-License-Identifier: GPL-2.0 */
/*
 * For the unit tests that prove a secret is never printed: whether a text
 * shows any trace of a key.
 */
#ifndef WGMESH_TESTS_SHOWS_KEY_H
#define WGMESH_TESTS_SHOWS_KEY_H

#include <stdbool.h>
#include <string.h>
#include <sodium.h>

#include "lib/keys.h"

/* A trace of @key in @text: its base64 (or a third of it), hex, raw. */
static inline bool shows_key(const char *text, const uint8_t key[WG_KEY_LEN])
{
	char b64[WGMESH_KEY_B64_LEN + 1], hex[2 * WG_KEY_LEN + 1];

	wgmesh_key_to_base64(key, b64);
	sodium_bin2hex(hex, sizeof(hex), key, WG_KEY_LEN);
	b64[15] = '\0';
	hex[16] = '\0';
	return strstr(text, b64) || strstr(text, hex) ||
	       memmem(text, strlen(text), key, 8);
}

#endif
