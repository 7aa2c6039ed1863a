// SPDX-License-Identifier: GPL-2.0
/*
 * lib/array.c: the wiped growth of arrays that hold secrets, and the
 * stream conf builds a configuration in (it may hold keys): what goes in
 * comes out whole, however often it grows.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "lib/array.h"
#include "ktap.h"

struct item {
	unsigned char key[32];
	size_t i;
};

int main(void)
{
	struct item *v = NULL;
	size_t n = 0, cap = 0, len = 0;
	char *text = NULL, line[64];
	bool ok = true;
	FILE *f;

	if (sodium_init() < 0)
		return 1;
	ktap_plan(4);

	for (size_t i = 0; i < 1000 && ok; i++) {
		struct item *e = array_push_wiped(&v, &n, &cap, sizeof(*v));

		ok = e && !e->i && !e->key[0];
		if (ok) {
			memset(e->key, (int)(i & 0xff), sizeof(e->key));
			e->i = i;
		}
	}
	for (size_t i = 0; i < n && ok; i++)
		ok = v[i].i == i && v[i].key[31] == (unsigned char)i;
	ktap_ok(ok && n == 1000 && cap >= n,
		"array_push_wiped: 1000 elements, zeroed new, kept as they grew");
	sodium_memzero(v, cap * sizeof(*v));
	free(v);

	f = array_secret_stream(&text, &len);
	ktap_ok(f != NULL, "array_secret_stream opens");
	if (!f)
		return ktap_finish();
	for (int i = 0; i < 5000; i++)
		fprintf(f, "PresharedKey = %040d\n", i);
	ok = !fclose(f) && text && len == 5000 * 56 && !text[len];
	ktap_ok(ok, "the stream holds every byte written, then a NUL (%zu)",
		len);
	for (int i = 0; i < 5000 && ok; i++) {
		snprintf(line, sizeof(line), "PresharedKey = %040d\n", i);
		ok = !memcmp(text + (size_t)i * 56, line, 56);
	}
	ktap_ok(ok, "in order");
	if (text) {
		sodium_memzero(text, len);
		free(text);
	}
	return ktap_finish();
}
