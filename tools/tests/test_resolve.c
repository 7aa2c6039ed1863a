// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of lib/resolve.c: wg's retry policy (which failures are
 * retried, WG_ENDPOINT_RESOLUTION_RETRIES, the waits), literals resolved
 * without DNS, endpoints as text.
 */
#include <arpa/inet.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>

#include "lib/resolve.h"
#include "ktap.h"

int main(void)
{
	union wg_endpoint e = { 0 };
	char err[256], buf[INET6_ADDRSTRLEN + 10];
	unsigned long long total = 0;
	long r = 0;

	ktap_plan(13);
	ktap_ok(resolve_transient(EAI_AGAIN) && resolve_transient(EAI_SYSTEM) &&
		resolve_transient(EAI_MEMORY),
		"temporary failures (no DNS yet) are retried");
	ktap_ok(!resolve_transient(EAI_NONAME) && !resolve_transient(EAI_FAIL) &&
		!resolve_transient(EAI_NODATA),
		"a name that does not exist is not retried (as in wg)");
	ktap_ok(!resolve_retries(NULL, &r, err, sizeof(err)) && r == 15,
		"unset: 15 retries, wg's default");
	ktap_ok(!resolve_retries("infinity", &r, err, sizeof(err)) &&
		r == RESOLVE_FOREVER, "\"infinity\": no limit");
	ktap_ok(!resolve_retries("0", &r, err, sizeof(err)) && r == 0,
		"0: no retry");
	ktap_ok(resolve_retries("5x", &r, err, sizeof(err)) == -1 &&
		strstr(err, "WG_ENDPOINT_RESOLUTION_RETRIES='5x'") &&
		resolve_retries("-1", &r, err, sizeof(err)) == -1 &&
		resolve_retries("", &r, err, sizeof(err)) == -1,
		"a bad value is an error naming the variable");
	ktap_ok(resolve_delay_us(0) == 1000000 && resolve_delay_us(1) == 1200000 &&
		resolve_delay_us(2) == 1440000, "waits: 1 s, then 1.2 times longer");
	ktap_ok(resolve_delay_us(100) == 20000000 && resolve_delay_us(17) <= 20000000,
		"waits: at most 20 s");
	for (unsigned int k = 0; k < 15; k++)
		total += resolve_delay_us(k);
	ktap_ok(total > 71000000 && total < 73000000,
		"15 retries wait about 72 s in all (%llu us)", total);
	ktap_ok(!resolve_endpoint("2001:db8::5", 7, &e, err, sizeof(err)) &&
		e.sa.sa_family == AF_INET6 && ntohs(e.sin6.sin6_port) == 7 &&
		!strcmp(resolve_endpoint_str(&e, buf, sizeof(buf)),
			"[2001:db8::5]:7"), "an IPv6 literal, as [addr]:port");
	ktap_ok(!resolve_endpoint("192.0.2.1", 51820, &e, err, sizeof(err)) &&
		!strcmp(resolve_endpoint_str(&e, buf, sizeof(buf)),
			"192.0.2.1:51820"), "an IPv4 literal, as addr:port");
	memset(&e, 0, sizeof(e));
	ktap_ok(!strcmp(resolve_endpoint_str(&e, buf, sizeof(buf)), "-"),
		"no endpoint: -");
	ktap_ok(!strcmp(RESOLVE_RETRIES_ENV, "WG_ENDPOINT_RESOLUTION_RETRIES"),
		"the knob is wg-quick's");
	return ktap_finish();
}
