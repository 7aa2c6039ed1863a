// SPDX-License-Identifier: GPL-2.0
/* WireGuard keys through libsodium, in wg(8)'s base64 format. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "keys.h"

int wgmesh_key_from_base64(const char *text, uint8_t key[WGMESH_KEY_LEN])
{
	const char *end;
	size_t len;

	if (strlen(text) != WGMESH_KEY_B64_LEN ||
	    text[WGMESH_KEY_B64_LEN - 1] != '=')
		return -1;
	if (sodium_base642bin(key, WGMESH_KEY_LEN, text, WGMESH_KEY_B64_LEN,
			      NULL, &len, &end,
			      sodium_base64_VARIANT_ORIGINAL) ||
	    len != WGMESH_KEY_LEN || end != text + WGMESH_KEY_B64_LEN)
		return -1;
	return 0;
}

void wgmesh_key_to_base64(const uint8_t key[WGMESH_KEY_LEN], char *out)
{
	sodium_bin2base64(out, WGMESH_KEY_B64_LEN + 1, key, WGMESH_KEY_LEN,
			  sodium_base64_VARIANT_ORIGINAL);
}

void wgmesh_key_generate(uint8_t key[WGMESH_KEY_LEN])
{
	randombytes_buf(key, WGMESH_KEY_LEN);
	/* Clamp as wg genkey does, so both print the same kind of key. */
	key[0] &= 248;
	key[31] = (key[31] & 127) | 64;
}

int wgmesh_key_public(uint8_t pub[WGMESH_KEY_LEN],
		      const uint8_t priv[WGMESH_KEY_LEN])
{
	/* libsodium clamps a copy of the scalar, like the kernel does. */
	return crypto_scalarmult_base(pub, priv) ? -1 : 0;
}

int wgmesh_key_load_file(const char *what, const char *path,
			 uint8_t key[WGMESH_KEY_LEN], char *err, size_t errlen)
{
	char buf[128];
	struct stat st;
	ssize_t n;
	int fd, ret = -1;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "%s %s: %s", what, path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st)) {
		snprintf(err, errlen, "%s %s: %s", what, path, strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s %s: not a regular file", what, path);
		goto out;
	}
	if (st.st_mode & (S_IRWXG | S_IRWXO)) {
		snprintf(err, errlen, "%s %s has mode %04o: it must not be "
			 "accessible by group or others (chmod 600)", what,
			 path, (unsigned int)(st.st_mode & 07777));
		goto out;
	}
	n = read(fd, buf, sizeof(buf) - 1);
	if (n < 0) {
		snprintf(err, errlen, "%s %s: %s", what, path, strerror(errno));
		goto out;
	}
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r' ||
			 buf[n - 1] == ' ' || buf[n - 1] == '\t'))
		n--;
	buf[n] = '\0';
	if (wgmesh_key_from_base64(buf, key)) {
		snprintf(err, errlen, "%s %s: not a WireGuard key (44 "
			 "characters of base64)", what, path);
		goto out;
	}
	ret = 0;
out:
	sodium_memzero(buf, sizeof(buf));
	close(fd);
	return ret;
}

int wgmesh_key_load_private(const char *path, uint8_t key[WGMESH_KEY_LEN],
			    char *err, size_t errlen)
{
	return wgmesh_key_load_file("private key file", path, key, err, errlen);
}

int wgmesh_key_default_path(const struct wgmesh_topology *t, char *buf,
			    size_t len)
{
	int n = snprintf(buf, len, "%s/%s.key", WGMESH_KEY_DIR, t->interface);

	return n < 0 || (size_t)n >= len ? -1 : 0;
}
