/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every difference between the kernels wgmesh supports (Debian's 6.1 and
 * 6.12) lives here, so the rest of the module reads like current upstream.
 */

#ifndef _WGMESH_COMPAT_H
#define _WGMESH_COMPAT_H

#include <linux/version.h>
#include <linux/netlink.h>
#include <net/genetlink.h>

/* 6.12 moved the unaligned access helpers to linux/. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 12, 0)
#include <linux/unaligned.h>
#else
#include <asm/unaligned.h>
#endif

/* 6.5 moved the GSO helpers out of skbuff.h. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 5, 0)
#include <net/gso.h>
#endif

/* 6.6 moved the parsed dump attributes into a struct genl_info. */
static inline struct nlattr **wgmesh_dump_attrs(struct netlink_callback *cb)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 6, 0)
	return genl_info_dump(cb)->attrs;
#else
	return genl_dumpit_info(cb)->attrs;
#endif
}

/* 6.2 added the check that a dump's context fits struct netlink_callback. */
#ifndef NL_ASSERT_DUMP_CTX_FITS
#define NL_ASSERT_DUMP_CTX_FITS(type_name)				\
	BUILD_BUG_ON(sizeof(type_name) >				\
		     sizeof_field(struct netlink_callback, ctx))
#endif

/*
 * Formatted extack messages arrived in 6.3. Older kernels only get the
 * constant message; the offending attribute is reported either way, which
 * lets userspace name the member itself.
 */
#ifdef NL_SET_ERR_MSG_FMT
#define wgmesh_err_attr_fmt(extack, attr, msg, fmt, ...) do {		\
	NL_SET_ERR_MSG_FMT(extack, fmt, ##__VA_ARGS__);			\
	NL_SET_BAD_ATTR(extack, attr);					\
} while (0)
#else
/* no_printk() checks the format and uses the arguments, printing nothing. */
#define wgmesh_err_attr_fmt(extack, attr, msg, fmt, ...) do {		\
	NL_SET_ERR_MSG_ATTR(extack, attr, msg);				\
	no_printk(fmt, ##__VA_ARGS__);					\
} while (0)
#endif

/*
 * Drop events are for CAP_NET_ADMIN in the device's namespace only. The
 * kernel checks that at bind time for a group flagged
 * GENL_MCAST_CAP_NET_ADMIN (upstream 6.7, and stable 6.1.66 on, so both of
 * Debian's 6.1 and 6.12 have it); 6.1 has no per-family bind callback to
 * check it ourselves. A kernel without the flag gets no events group, and
 * the datapath never looks for listeners. WGMESH_NO_EVENTS (make
 * WGMESH_NO_EVENTS=1) builds the same module without them, for the
 * benchmark's baseline of what a drop costs (selftests/bench/icount.sh).
 */
#if defined(GENL_MCAST_CAP_NET_ADMIN) && !defined(WGMESH_NO_EVENTS)
#define wgmesh_have_events	true
#define WGMESH_MCGRP_ADMIN(grp)					\
	{ .name = (grp), .flags = GENL_MCAST_CAP_NET_ADMIN }
#else
#define wgmesh_have_events	false
#define WGMESH_MCGRP_ADMIN(grp)	{ .name = (grp) }
#endif

#endif /* _WGMESH_COMPAT_H */
