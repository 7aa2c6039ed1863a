/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One growth policy for every dynamic array of the CLI (nl/ uses it too):
 * the capacity doubles when the array is full, starting at 8 elements, so
 * n appends cost O(n) copying in all. Arrays carry their count and their
 * capacity side by side (peers/n_peers/cap_peers).
 */
#ifndef ARRAY_H
#define ARRAY_H

#include <stddef.h>
#include <stdio.h>

/*
 * Make room for element @n of the array at *@arrp (a pointer to the
 * array's pointer; elements of @size bytes, *@cap allocated, @n in use).
 * Returns element @n, zeroed, or NULL when out of memory with the array
 * left as it was. The caller counts the new element in.
 */
void *array_grow(void *arrp, size_t *cap, size_t n, size_t size);

/* array_grow() for element *@n, then ++*@n: the new element, or NULL. */
void *array_push(void *arrp, size_t *n, size_t *cap, size_t size);

/*
 * array_push() for an array that holds secrets (WireGuard peers with
 * their preshared keys): when it grows, its elements move to a new
 * allocation and the old one is wiped before it is freed, where realloc()
 * would leave them behind. The owner wipes the last one before freeing it.
 */
void *array_push_wiped(void *arrp, size_t *n, size_t *cap, size_t size);

/*
 * A write-only stream into a growing buffer (open_memstream(3) for
 * secrets): unbuffered, so stdio keeps no copy, and grown as
 * array_push_wiped() grows, so no old allocation keeps one either. After
 * fclose(), *@buf holds the *@len bytes written and a NUL (or is NULL
 * when nothing was written); the caller wipes and frees it. NULL when out
 * of memory.
 */
FILE *array_secret_stream(char **buf, size_t *len);

/*
 * All of @f in a malloc'ed buffer, grown the same way, with a NUL after
 * its *@len bytes. At most @max bytes: more fails with EFBIG. NULL with
 * errno set (ENOMEM, or fread's error, else EIO) on failure.
 */
char *array_read_file(FILE *f, size_t max, size_t *len);

#endif /* ARRAY_H */
