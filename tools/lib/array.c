// SPDX-License-Identifier: GPL-2.0
/* Growing arrays, see array.h. */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "array.h"

#define ARRAY_MIN 8

/* array_grow(), moving a full array by malloc, copy and wipe if @wipe. */
static void *grow(void *arrp, size_t *cap, size_t n, size_t size, bool wipe)
{
	void *arr;

	/* *arrp is a T *: read and write it as the pointer it is. */
	memcpy(&arr, arrp, sizeof(arr));
	if (n >= *cap || !arr) {	/* no array has no room, whatever cap says */
		size_t c = *cap ? 2 * *cap : ARRAY_MIN;
		void *moved;

		if (c <= n)	/* an array allocated elsewhere, to size */
			c = n + 1;
		if (c > SIZE_MAX / size)
			return NULL;
		if (!wipe || !arr) {
			arr = realloc(arr, c * size);
			if (!arr)
				return NULL;
		} else {
			moved = malloc(c * size);
			if (!moved)
				return NULL;
			memcpy(moved, arr, n * size);
			sodium_memzero(arr, n * size);	/* n >= *cap here */
			free(arr);
			arr = moved;
		}
		memcpy(arrp, &arr, sizeof(arr));
		*cap = c;
	}
	return memset((char *)arr + n * size, 0, size);
}

void *array_grow(void *arrp, size_t *cap, size_t n, size_t size)
{
	return grow(arrp, cap, n, size, false);
}

void *array_push(void *arrp, size_t *n, size_t *cap, size_t size)
{
	void *e = array_grow(arrp, cap, *n, size);

	if (e)
		(*n)++;
	return e;
}

void *array_push_wiped(void *arrp, size_t *n, size_t *cap, size_t size)
{
	void *e = grow(arrp, cap, *n, size, true);

	if (e)
		(*n)++;
	return e;
}

struct secret_stream {
	char **buf;
	size_t *len, cap;
};

static ssize_t secret_write(void *cookie, const char *data, size_t n)
{
	struct secret_stream *s = cookie;

	/* Room for the n bytes and a NUL after them, grown as arrays are. */
	if (*s->len + n >= s->cap) {
		size_t c = s->cap ? 2 * s->cap : ARRAY_MIN;
		char *moved;

		while (c <= *s->len + n && c <= SIZE_MAX / 2)
			c *= 2;
		if (c <= *s->len + n || !(moved = malloc(c))) {
			errno = ENOMEM;
			return -1;
		}
		if (*s->buf) {
			memcpy(moved, *s->buf, *s->len);
			sodium_memzero(*s->buf, s->cap);
			free(*s->buf);
		}
		*s->buf = moved;
		s->cap = c;
	}
	memcpy(*s->buf + *s->len, data, n);
	*s->len += n;
	(*s->buf)[*s->len] = '\0';
	return (ssize_t)n;
}

static int secret_close(void *cookie)
{
	free(cookie);
	return 0;
}

FILE *array_secret_stream(char **buf, size_t *len)
{
	cookie_io_functions_t io = { .write = secret_write,
				     .close = secret_close };
	struct secret_stream *s = calloc(1, sizeof(*s));
	FILE *f;

	*buf = NULL;
	*len = 0;
	if (!s)
		return NULL;
	s->buf = buf;
	s->len = len;
	f = fopencookie(s, "w", io);
	if (!f) {
		free(s);
		return NULL;
	}
	setvbuf(f, NULL, _IONBF, 0);
	return f;
}

char *array_read_file(FILE *f, size_t max, size_t *len)
{
	size_t cap = 0, n = 0;
	char *buf = NULL;

	errno = 0;
	for (;;) {
		size_t got;

		/* Room for one more byte, then fill whatever is there. */
		if (!array_grow(&buf, &cap, n, 1))
			goto nomem;
		got = fread(buf + n, 1, cap - n, f);
		n += got;
		if (n > max) {
			free(buf);
			errno = EFBIG;
			return NULL;
		}
		if (got == 0)
			break;
	}
	if (ferror(f)) {
		int e = errno;	/* fread's, when it set one */

		free(buf);
		errno = e ? e : EIO;
		return NULL;
	}
	buf[n] = '\0';	/* fread stopped short: cap > n */
	*len = n;
	return buf;
nomem:
	free(buf);
	errno = ENOMEM;
	return NULL;
}
