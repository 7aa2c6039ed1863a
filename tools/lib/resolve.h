/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Controllers' endpoints for "wgmesh up": host names resolved with the
 * retry policy of wg(8) and wg-quick: WG_ENDPOINT_RESOLUTION_RETRIES
 * (default 15, "infinity" for no limit) retries of names whose failure may
 * be temporary (no DNS server reachable yet: EAI_AGAIN and the like), the
 * first after 1 s and each next one 1.2 times later, at most 20 s apart
 * (15 retries: about 72 s). A name the resolver says does not exist
 * (EAI_NONAME, EAI_FAIL, EAI_NODATA) is not retried, as in wg.
 */
#ifndef WGMESH_RESOLVE_H
#define WGMESH_RESOLVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "derive.h"

#define RESOLVE_RETRIES_ENV	"WG_ENDPOINT_RESOLUTION_RETRIES"
#define RESOLVE_RETRIES_DEFAULT	15
#define RESOLVE_FOREVER		(-1L)

/*
 * Resolve "host" (IP literal or name) and @port. 0, or the getaddrinfo
 * error (EAI_*; EAI_NODATA also when there is no IPv4 or IPv6 address)
 * with one line in @err.
 */
int resolve_endpoint(const char *host, uint16_t port, union wg_endpoint *out,
		     char *err, size_t errlen);

/* Whether a resolve_endpoint() error may go away by itself (retry it). */
bool resolve_transient(int gai_err);

/*
 * The retries @value (the environment variable's, NULL when unset) asks
 * for: RESOLVE_RETRIES_DEFAULT, a number, or RESOLVE_FOREVER. 0, or -1
 * with one line in @err.
 */
int resolve_retries(const char *value, long *retries, char *err,
		    size_t errlen);

/* The wait before retry @k (0 for the first), in microseconds. */
unsigned int resolve_delay_us(unsigned int k);

/* "1.2.3.4:5", "[::1]:5" or "-" into @buf (INET6_ADDRSTRLEN + 10). */
const char *resolve_endpoint_str(const union wg_endpoint *e, char *buf,
				 size_t len);

/* A controller whose endpoint did not resolve, and why. */
struct resolve_pending {
	const struct wgmesh_controller *ctrl;
	int gai_err;
	char err[256];
};

/*
 * Resolve once the endpoint of every controller of @t but @self into its
 * peer of @want (matched by public key), which keeps no endpoint when it
 * does not resolve: those go to *@pending (malloc'ed, *@n of them).
 * 0, or -1 when out of memory.
 */
int resolve_mesh(const struct wgmesh_topology *t, struct mesh_self self,
		 struct wg_device *want, struct resolve_pending **pending,
		 size_t *n);

#endif /* WGMESH_RESOLVE_H */
