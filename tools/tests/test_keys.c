// SPDX-License-Identifier: GPL-2.0
/* Keys: X25519 against RFC 7748, wg's base64 format, clamping. */
#include <string.h>

#include <sodium.h>

#include "lib/keys.h"
#include "ktap.h"

static void hex(uint8_t *out, const char *h)
{
	for (size_t i = 0; i < 32; i++) {
		unsigned int b;

		sscanf(h + 2 * i, "%2x", &b);
		out[i] = (uint8_t)b;
	}
}

int main(void)
{
	uint8_t priv[32], pub[32], want[32], k[32];
	char b64[WGMESH_KEY_B64_LEN + 1];
	int clamped = 0, distinct = 1, roundtrip = 0;

	if (sodium_init() < 0)
		return 1;
	ktap_plan(7);

	/* RFC 7748 section 6.1, Alice. */
	hex(priv, "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
	hex(want, "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a");
	ktap_ok(!wgmesh_key_public(pub, priv) && !memcmp(pub, want, 32),
		"X25519 public key matches RFC 7748's test vector");

	wgmesh_key_to_base64(want, b64);
	ktap_ok(!strcmp(b64, "hSDwCYkwp1R0i33ctD73Wg2/Og0mOBr066SpjqqbTmo=") &&
		!wgmesh_key_from_base64(b64, k) && !memcmp(k, want, 32),
		"base64 encodes like wg and decodes back: %s", b64);

	ktap_ok(wgmesh_key_from_base64("hSDwCYkwp1R0i33ctD73Wg2/Og0mOBr066SpjqqbTmo", k) &&
		wgmesh_key_from_base64("hSDwCYkwp1R0i33ctD73Wg2/Og0mOBr066SpjqqbTmo==", k) &&
		wgmesh_key_from_base64("hSDwCYkwp1R0i33ctD73Wg2_Og0mOBr066SpjqqbTmo=", k) &&
		wgmesh_key_from_base64(" SDwCYkwp1R0i33ctD73Wg2/Og0mOBr066SpjqqbTmo=", k) &&
		wgmesh_key_from_base64("", k),
		"base64 decoding is strict: 44 characters, standard alphabet");

	for (int i = 0; i < 64; i++) {
		uint8_t prev[32];

		memcpy(prev, priv, 32);
		wgmesh_key_generate(priv);
		clamped += (priv[0] & 7) == 0 && (priv[31] & 0xc0) == 0x40;
		distinct &= !!memcmp(prev, priv, 32);
		wgmesh_key_to_base64(priv, b64);
		roundtrip += !wgmesh_key_from_base64(b64, k) &&
			     !memcmp(k, priv, 32);
	}
	ktap_ok(clamped == 64, "generated keys are clamped like wg genkey's");
	ktap_ok(distinct, "generated keys differ from one another");
	ktap_ok(roundtrip == 64, "generated keys round-trip through base64");

	/* libsodium clamps internally: an unclamped key gives the same pub. */
	memcpy(k, priv, 32);
	k[0] |= 7;
	k[31] |= 0x80;
	ktap_ok(!wgmesh_key_public(pub, priv) && !wgmesh_key_public(want, k) &&
		!memcmp(pub, want, 32),
		"public key derivation clamps, as WireGuard does");
	sodium_memzero(priv, sizeof(priv));
	return ktap_finish();
}
