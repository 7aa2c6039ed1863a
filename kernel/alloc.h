/* SPDX-License-Identifier: GPL-2.0 */
/*
 * How a topology's memory is allocated. It is user input, possibly from an
 * unprivileged user who owns a network namespace: everything is charged to
 * the sender's memory cgroup, and an allocation that does not fit fails
 * with ENOMEM rather than invoking the OOM killer.
 */

#ifndef _WGMESH_ALLOC_H
#define _WGMESH_ALLOC_H

#include <linux/overflow.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#define WGMESH_GFP (GFP_KERNEL_ACCOUNT | __GFP_RETRY_MAYFAIL | __GFP_NOWARN)

/*
 * A zeroed array of @n elements (at least one); free it with kvfree().
 * Arrays over a page come from vmalloc page by page: kvmalloc() would try
 * one physically contiguous block first, rounded up to a power of two
 * (4 MB for the 2.4 MB member array of 100,000 peers).
 */
static inline void *wgmesh_zalloc_array(size_t n, size_t size)
{
	size_t bytes;

	if (check_mul_overflow(max_t(size_t, n, 1), size, &bytes))
		return NULL;
	if (bytes <= PAGE_SIZE)
		return kzalloc(bytes, WGMESH_GFP);
	return __vmalloc(bytes, WGMESH_GFP | __GFP_ZERO);
}

#endif /* _WGMESH_ALLOC_H */
