/* SPDX-License-Identifier: GPL-2.0 */
/* The part of kernel/compat.h the benchmarked files use, in userspace. */
#ifndef _KSHIM_COMPAT_H
#define _KSHIM_COMPAT_H

#include <endian.h>

#include "kshim.h"

static inline u64 get_unaligned_be64(const void *p)
{
	u64 v;

	memcpy(&v, p, sizeof(v));
	return be64toh(v);
}

static inline void put_unaligned_be64(u64 v, void *p)
{
	v = htobe64(v);
	memcpy(p, &v, sizeof(v));
}

#endif /* _KSHIM_COMPAT_H */
