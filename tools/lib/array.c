// SPDX-License-Identifier: GPL-2.0
/* Growing arrays, see array.h. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"

#define ARRAY_MIN 8

void *array_grow(void *arrp, size_t *cap, size_t n, size_t size)
{
	void *arr;

	/* *arrp is a T *: read and write it as the pointer it is. */
	memcpy(&arr, arrp, sizeof(arr));
	if (n >= *cap || !arr) {	/* no array has no room, whatever cap says */
		size_t c = *cap ? 2 * *cap : ARRAY_MIN;

		if (c <= n)	/* an array allocated elsewhere, to size */
			c = n + 1;
		if (c > SIZE_MAX / size)
			return NULL;
		arr = realloc(arr, c * size);
		if (!arr)
			return NULL;
		memcpy(arrp, &arr, sizeof(arr));
		*cap = c;
	}
	return memset((char *)arr + n * size, 0, size);
}

void *array_push(void *arrp, size_t *n, size_t *cap, size_t size)
{
	void *e = array_grow(arrp, cap, *n, size);

	if (e)
		(*n)++;
	return e;
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
