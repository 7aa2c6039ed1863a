/* SPDX-License-Identifier: GPL-2.0 */
/*
 * net.ipv4.ip_forward for exit gateways (README "Exits"): an exit's NAT
 * needs the kernel's IPv4 forwarding, which has no router-advertisement
 * side effect (unlike IPv6's), so "up" turns it on and "down" turns it
 * back off, but only if wgmesh turned it on. Which meshes hold it is
 * recorded under IPFWD_RUN_DIR/<network namespace>/<mesh> (the sysctl is
 * per network namespace): a mesh whose up finds it 0 enables it and holds
 * it, a mesh whose up finds it 1 held by another mesh holds it too, and
 * the last holder's release sets it back to 0. One that was 1 with no
 * holder is the administrator's, and never changed.
 */
#ifndef WGMESH_IPFORWARD_H
#define WGMESH_IPFORWARD_H

#include <stdbool.h>
#include <stddef.h>

#define IPFWD_SYSCTL	"/proc/sys/net/ipv4/ip_forward"
#define IPFWD_RUN_DIR	"/run/wgmesh/ip_forward"

/* Hold it on for @mesh; *@enabled: this call turned it on. 0 or -1 (@err). */
int ipfwd_hold(const char *mesh, bool *enabled, char *err, size_t errlen);
/*
 * Drop @mesh's hold; *@restored: it was the last and ip_forward is 0
 * again. 0 (also when @mesh held nothing) or -1 (@err).
 */
int ipfwd_release(const char *mesh, bool *restored, char *err,
		  size_t errlen);

/*
 * net.ipv4.conf.all.src_valid_mark for a machine with Table and FwMark
 * (README "Per-VPN routing tables"): strict reverse-path filtering must
 * look the replies' source up with their (restored) mark, as wg-quick
 * arranges; held and given back by the meshes in the same way under
 * SRCVMARK_RUN_DIR. 1 on "all" is enough: the kernel ORs all and the
 * interface's.
 */
#define SRCVMARK_SYSCTL		"/proc/sys/net/ipv4/conf/all/src_valid_mark"
#define SRCVMARK_RUN_DIR	"/run/wgmesh/src_valid_mark"

int srcvmark_hold(const char *mesh, bool *enabled, char *err, size_t errlen);
int srcvmark_release(const char *mesh, bool *restored, char *err,
		     size_t errlen);

#endif
