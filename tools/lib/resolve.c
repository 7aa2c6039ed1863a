// SPDX-License-Identifier: GPL-2.0
/* Controllers' endpoints with wg's retry policy, see resolve.h. */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "array.h"
#include "resolve.h"

int resolve_endpoint(const char *host, uint16_t port, union wg_endpoint *out,
		     char *err, size_t errlen)
{
	struct addrinfo hints = {
		.ai_family = AF_UNSPEC,
		.ai_socktype = SOCK_DGRAM,
		.ai_protocol = IPPROTO_UDP,
		.ai_flags = AI_NUMERICSERV,
	};
	struct addrinfo *res, *r;
	char service[8];
	int ret;

	snprintf(service, sizeof(service), "%u", port);
	ret = getaddrinfo(host, service, &hints, &res);
	if (ret) {
		snprintf(err, errlen, "%s", ret == EAI_SYSTEM ?
			 strerror(errno) : gai_strerror(ret));
		return ret;
	}
	for (r = res; r; r = r->ai_next) {
		if ((r->ai_family == AF_INET &&
		     r->ai_addrlen == sizeof(out->sin)) ||
		    (r->ai_family == AF_INET6 &&
		     r->ai_addrlen == sizeof(out->sin6))) {
			memset(out, 0, sizeof(*out));
			memcpy(out, r->ai_addr, r->ai_addrlen);
			break;
		}
	}
	freeaddrinfo(res);
	if (!r) {
		snprintf(err, errlen, "no IPv4 or IPv6 address");
		return EAI_NODATA;
	}
	return 0;
}

bool resolve_transient(int gai_err)
{
	/* wg's permanent failures: retrying cannot help (glibc's advice). */
	return gai_err != EAI_NONAME && gai_err != EAI_FAIL &&
	       gai_err != EAI_NODATA;
}

int resolve_retries(const char *value, long *retries, char *err,
		    size_t errlen)
{
	char *end;
	long v;

	if (!value) {
		*retries = RESOLVE_RETRIES_DEFAULT;
		return 0;
	}
	if (!strcmp(value, "infinity")) {
		*retries = RESOLVE_FOREVER;
		return 0;
	}
	errno = 0;
	v = strtol(value, &end, 10);
	if (!*value || *end || errno || v < 0 || v > 1000000) {
		snprintf(err, errlen, "%s='%s': want a number of retries or "
			 "'infinity'", RESOLVE_RETRIES_ENV, value);
		return -1;
	}
	*retries = v;
	return 0;
}

unsigned int resolve_delay_us(unsigned int k)
{
	unsigned int t = 1000000;

	/* wg: timeout = min(20 s, timeout * 6 / 5) after each retry. */
	while (k-- && t < 20000000)
		t = t * 6 / 5;
	return t < 20000000 ? t : 20000000;
}

const char *resolve_endpoint_str(const union wg_endpoint *e, char *buf,
				 size_t len)
{
	char a[INET6_ADDRSTRLEN];

	if (e->sa.sa_family == AF_INET) {
		inet_ntop(AF_INET, &e->sin.sin_addr, a, sizeof(a));
		snprintf(buf, len, "%s:%u", a, ntohs(e->sin.sin_port));
	} else if (e->sa.sa_family == AF_INET6) {
		inet_ntop(AF_INET6, &e->sin6.sin6_addr, a, sizeof(a));
		snprintf(buf, len, "[%s]:%u", a, ntohs(e->sin6.sin6_port));
	} else {
		snprintf(buf, len, "-");
	}
	return buf;
}

int resolve_mesh(const struct wgmesh_topology *t, struct mesh_self self,
		 struct wg_device *want, struct resolve_pending **pending,
		 size_t *n)
{
	size_t cap = 0;

	*pending = NULL;
	*n = 0;
	for (size_t i = 0; i < t->n_controllers; i++) {
		const struct wgmesh_controller *c = &t->controllers[i];
		struct resolve_pending *p;
		struct wg_peer *peer = NULL;
		char err[sizeof(p->err)];
		int ret;

		if (c == self.ctrl || !c->endpoint_host)
			continue;
		for (size_t j = 0; j < want->n_peers && !peer; j++)
			if (!memcmp(want->peers[j].public_key, c->public_key,
				    WG_KEY_LEN))
				peer = &want->peers[j];
		if (!peer)
			continue;
		ret = resolve_endpoint(c->endpoint_host, c->endpoint_port,
				       &peer->endpoint, err, sizeof(err));
		if (!ret) {
			peer->set_endpoint = true;
			continue;
		}
		p = array_push(pending, n, &cap, sizeof(*p));
		if (!p) {
			free(*pending);
			*pending = NULL;
			*n = 0;
			return -1;
		}
		p->ctrl = c;
		p->gai_err = ret;
		memcpy(p->err, err, sizeof(p->err));
	}
	return 0;
}
