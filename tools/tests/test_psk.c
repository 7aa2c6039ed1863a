// SPDX-License-Identifier: GPL-2.0
/*
 * Preshared keys (lib/psk.c): HKDF-SHA256 against RFC 5869's test vectors,
 * loading the mesh secret, and the derivation of a pair's key against the vector of README
 * "Preshared keys", which was computed independently of this code with
 * python3's hmac and hashlib:
 *
 *   import hmac, hashlib, base64
 *   b = base64.b64decode
 *   secret = bytes(range(32))
 *   a = b("6c477hy/3TFSFdjPkfXpsQVVDUWOrOWvxJY6DozGOhM=")   # ctrl1
 *   c = b("QN4h95qrsqvf2h0nV7czkARncTITnuZIFlrE+YY10BQ=")   # peer1
 *   prk = hmac.new(b"wgmesh psk v1", secret, hashlib.sha256).digest()
 *   info = b"wg-test-one" + min(a, c) + max(a, c)
 *   psk = hmac.new(prk, info + b"\x01", hashlib.sha256).digest()
 *   print(base64.b64encode(psk).decode())
 *   # NDX77MVC+ZUcZofyOB0gwap2Zj640kNSTj/Rw6e+l9M=
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "lib/keys.h"
#include "lib/psk.h"
#include "ktap.h"

#define SECRET_B64 "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
#define CTRL1 "6c477hy/3TFSFdjPkfXpsQVVDUWOrOWvxJY6DozGOhM="
#define PEER1 "QN4h95qrsqvf2h0nV7czkARncTITnuZIFlrE+YY10BQ="
#define VECTOR "NDX77MVC+ZUcZofyOB0gwap2Zj640kNSTj/Rw6e+l9M="

static size_t unhex(uint8_t *out, const char *h)
{
	size_t n = 0;

	for (; h[0] && h[1]; h += 2) {
		unsigned int b;

		sscanf(h, "%2x", &b);
		out[n++] = (uint8_t)b;
	}
	return n;
}

/* HKDF(@salt, @ikm, @info) is @okm (hex, its length is L). */
static bool hkdf_is(const char *salt, const char *ikm, const char *info,
		    const char *okm)
{
	uint8_t s[80], k[80], i[80], want[100], got[100];
	size_t ns = unhex(s, salt), nk = unhex(k, ikm), ni = unhex(i, info);
	size_t n = unhex(want, okm);

	return !psk_hkdf_sha256(got, n, s, ns, k, nk, i, ni) &&
	       !memcmp(got, want, n);
}

/* psk_load(): the secret's file, checked as a private key file is. */
static void load(void)
{
	char dir[] = "/tmp/wgmesh-psk-XXXXXX", path[64], want[WGMESH_ERR_LEN];
	char err[WGMESH_ERR_LEN] = "";
	struct wgmesh_topology t = { .psk_file = path };
	uint8_t secret[32], expected[32];
	FILE *f;

	if (!mkdtemp(dir))
		abort();
	snprintf(path, sizeof(path), "%s/mesh.psk", dir);
	ktap_ok(psk_load(&t, secret, err, sizeof(err)) == -1 &&
		strstr(err, "preshared key file ") == err &&
		strstr(err, ": No such file or directory"),
		"a missing secret is named: %s", err);
	f = fopen(path, "w");
	if (!f)
		abort();
	fputs(SECRET_B64 "\n", f);
	fclose(f);
	chmod(path, 0640);
	snprintf(want, sizeof(want), "preshared key file %s has mode 0640: it "
		 "must not be accessible by group or others (chmod 600)", path);
	ktap_ok(psk_load(&t, secret, err, sizeof(err)) == -1 &&
		!strcmp(err, want), "a secret group may read is refused: %s",
		err);
	chmod(path, 0600);
	wgmesh_key_from_base64(SECRET_B64, expected);
	ktap_ok(psk_load(&t, secret, err, sizeof(err)) == 1 &&
		!memcmp(secret, expected, 32), "a private secret is loaded");
	f = fopen(path, "w");
	if (!f)
		abort();
	fputs("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8\n", f);
	fclose(f);
	ktap_ok(psk_load(&t, secret, err, sizeof(err)) == -1 &&
		!strstr(err, "AAECAw") && strstr(err, "not a WireGuard key"),
		"a malformed secret is refused without quoting it: %s", err);
	t.psk_file = NULL;
	ktap_ok(psk_load(&t, secret, err, sizeof(err)) == 0,
		"no PresharedKeyFile: nothing to load");
	unlink(path);
	rmdir(dir);
	sodium_memzero(secret, sizeof(secret));
}

int main(void)
{
	uint8_t secret[32], a[32], b[32], psk[32], again[32], other[32];
	uint8_t big[255 * 32 + 1];
	char b64[WGMESH_KEY_B64_LEN + 1];

	if (sodium_init() < 0)
		return 1;
	ktap_plan(8 + 5);

	ktap_ok(hkdf_is("000102030405060708090a0b0c",
			"0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b",
			"f0f1f2f3f4f5f6f7f8f9",
			"3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db0"
			"2d56ecc4c5bf34007208d5b887185865"),
		"HKDF-SHA256: RFC 5869 test case 1 (L = 42, two blocks)");
	ktap_ok(hkdf_is("", "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", "",
			"8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec345"
			"4e5f3c738d2d9d201395faa4b61a96c8"),
		"HKDF-SHA256: RFC 5869 test case 3 (no salt, no info)");
	ktap_ok(psk_hkdf_sha256(big, sizeof(big), NULL, 0, a, 0, NULL, 0) &&
		!psk_hkdf_sha256(big, sizeof(big) - 1, NULL, 0, a, 0, NULL, 0),
		"HKDF-SHA256: at most 255 blocks of output");

	wgmesh_key_from_base64(SECRET_B64, secret);
	wgmesh_key_from_base64(CTRL1, a);
	wgmesh_key_from_base64(PEER1, b);
	psk_derive(psk, secret, "wg-test-one", a, b);
	wgmesh_key_to_base64(psk, b64);
	ktap_ok(!strcmp(b64, VECTOR),
		"the derivation matches the documented vector");
	psk_derive(again, secret, "wg-test-one", b, a);
	ktap_ok(!memcmp(psk, again, 32),
		"both ends of a pair derive the same key (order of the keys)");
	psk_derive(other, secret, "wg-test-two", a, b);
	ktap_ok(memcmp(psk, other, 32),
		"another mesh Name gives another key from the same secret");
	secret[0] ^= 1;
	psk_derive(other, secret, "wg-test-one", a, b);
	ktap_ok(memcmp(psk, other, 32), "another secret gives another key");
	secret[0] ^= 1;
	b[31] ^= 1;
	psk_derive(other, secret, "wg-test-one", a, b);
	ktap_ok(memcmp(psk, other, 32), "another pair gives another key");
	sodium_memzero(secret, sizeof(secret));
	sodium_memzero(psk, sizeof(psk));
	load();
	return ktap_finish();
}
