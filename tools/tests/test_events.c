// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the drop event parser (nl/events.c) and of the lines and
 * JSON objects watch prints for them (events.c).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <linux/genetlink.h>

#include "events.h"
#include "ktap.h"

#define FAMILY 0x20

static struct nlmsghdr *event(char *buf, uint8_t cmd)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *g;

	nlh->nlmsg_type = FAMILY;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = cmd;
	g->version = WGMESH_GENL_VERSION;
	mnl_attr_put_u32(nlh, WGMESH_A_IFINDEX, 7);
	mnl_attr_put_strz(nlh, WGMESH_A_IFNAME, "wg0");
	return nlh;
}

static void expect(const char *got, const char *want, const char *what)
{
	if (strcmp(got, want))
		ktap_diag("got '%s', want '%s'", got, want);
	ktap_ok(!strcmp(got, want), "%s", what);
}

int main(void)
{
	char buf[MNL_SOCKET_BUFFER_SIZE], line[512];
	struct evlog l = { 0 };
	struct meshev_event e;
	struct nlmsghdr *nlh;
	struct nlattr *nest;
	uint8_t dst[16];
	int saved, n;
	long before, early;
	double due;
	FILE *cap;

	ktap_plan(13);

	inet_pton(AF_INET6, "fd12:3456:7800:2::1:2", dst);
	nlh = event(buf, WGMESH_CMD_DROP_EVENT);
	mnl_attr_put_u32(nlh, WGMESH_A_DROP_REASON, WGMESH_DROP_POLICY);
	nest = mnl_attr_nest_start(nlh, WGMESH_A_PEER);
	mnl_attr_put_u32(nlh, WGMESH_MEMBER_A_ID, 0x1234abcd);
	mnl_attr_nest_end(nlh, nest);
	mnl_attr_put(nlh, WGMESH_A_DST_ADDR, 16, dst);
	mnl_attr_put_u64(nlh, WGMESH_A_DROP_COUNT, 3);
	ktap_ok(!meshev_parse(nlh, FAMILY, &e) && e.ifindex == 7 &&
		e.reason == WGMESH_DROP_POLICY &&
		e.src_kind == MESHEV_SRC_PEER && e.src_id == 0x1234abcd &&
		e.dst_family == AF_INET6 && e.packets == 3,
		"a policy drop from a peer parses");
	evlog_format(&l, NULL, &e, line, sizeof(line));
	expect(line, "wg0: dropped 3 packets (policy) from peer id 0x1234abcd "
	       "to fd12:3456:7800:2::1:2", "its line (no file: the id)");
	l.json = true;
	evlog_format(&l, NULL, &e, line, sizeof(line));
	expect(line, "{\"interface\": \"wg0\", \"reason\": \"policy\", "
	       "\"packets\": 3, \"from\": {\"role\": \"peer\", \"id\": "
	       "305441741, \"name\": null}, \"to\": \"fd12:3456:7800:2::1:2\"}",
	       "its JSON");

	nlh = event(buf, WGMESH_CMD_DROP_EVENT);
	mnl_attr_put_u32(nlh, WGMESH_A_DROP_REASON, WGMESH_DROP_SPOOFED);
	mnl_attr_put(nlh, WGMESH_A_SRC_ADDR, 4, "\x0a\x00\x00\x09");
	mnl_attr_put(nlh, WGMESH_A_DST_ADDR, 4, "\x0a\x00\x00\x01");
	mnl_attr_put_u64(nlh, WGMESH_A_DROP_COUNT, 1);
	ktap_ok(!meshev_parse(nlh, FAMILY, &e) &&
		e.src_kind == MESHEV_SRC_ADDR && e.src_family == AF_INET,
		"a spoofed IPv4 drop parses, with its source address");
	l.json = false;
	evlog_format(&l, NULL, &e, line, sizeof(line));
	expect(line, "wg0: dropped 1 packet (spoofed) from 10.0.0.9 to 10.0.0.1",
	       "its line");
	l.json = true;
	evlog_format(&l, NULL, &e, line, sizeof(line));
	expect(line, "{\"interface\": \"wg0\", \"reason\": \"spoofed\", "
	       "\"packets\": 1, \"from\": {\"address\": \"10.0.0.9\"}, "
	       "\"to\": \"10.0.0.1\"}", "its JSON");

	nlh = event(buf, WGMESH_CMD_DROP_EVENT);
	mnl_attr_put_u64(nlh, WGMESH_A_EVENTS_LOST, 42);
	ktap_ok(!meshev_parse(nlh, FAMILY, &e) && e.lost == 42,
		"a summary parses");
	l.json = false;
	evlog_format(&l, NULL, &e, line, sizeof(line));
	expect(line, "wg0: 42 dropped packets not reported (event limit)",
	       "its line");

	nlh = event(buf, WGMESH_CMD_DROP_EVENT);
	ktap_ok(meshev_parse(nlh, FAMILY, &e) == -EINVAL,
		"an event with neither reason nor loss is refused");
	nlh = event(buf, WGMESH_CMD_DROP_EVENT);
	mnl_attr_put_u32(nlh, WGMESH_A_DROP_REASON, WGMESH_DROP_POLICY);
	mnl_attr_put(nlh, WGMESH_A_DST_ADDR, 5, "\x0a\x00\x00\x01\x00");
	ktap_ok(meshev_parse(nlh, FAMILY, &e) == -EINVAL,
		"an address of 5 bytes is refused");

	/* The daemon's limit: a burst, then the rest counted at the end of
	 * the window, not with the next event (which may never come).
	 */
	nlh = event(buf, WGMESH_CMD_DROP_EVENT);
	mnl_attr_put_u32(nlh, WGMESH_A_DROP_REASON, WGMESH_DROP_SPOOFED);
	mnl_attr_put_u64(nlh, WGMESH_A_DROP_COUNT, 1);
	meshev_parse(nlh, FAMILY, &e);
	l.json = false;
	l.limited = true;
	fflush(stdout);
	saved = dup(STDOUT_FILENO);
	cap = tmpfile();
	dup2(fileno(cap), STDOUT_FILENO);
	for (int i = 0; i < EVLOG_BURST + 2; i++)
		evlog_event(&l, NULL, &e, 100.0 + i * 0.1);
	due = evlog_due(&l);
	fflush(stdout);
	before = ftell(cap);
	evlog_tick(&l, due - 0.5);
	fflush(stdout);
	early = ftell(cap);
	evlog_tick(&l, due);
	fflush(stdout);
	dup2(saved, STDOUT_FILENO);
	close(saved);
	ktap_ok(due == 100.0 + EVLOG_WINDOW && before > 0 && early == before &&
		evlog_due(&l) == INFINITY,
		"%d events in a burst: nothing said before the window's end, "
		"then nothing due", EVLOG_BURST + 2);
	rewind(cap);
	n = 0;
	while (fgets(line, sizeof(line), cap))
		n++;
	fclose(cap);
	line[strcspn(line, "\n")] = 0;
	ktap_ok(n == EVLOG_BURST + 1, "%d lines, then one at the window's end "
		"(%d)", EVLOG_BURST, n);
	expect(line, "wg0: 2 drop events not logged (at most 10 per 10 s)",
	       "which counts the events held back");
	evlog_close(&l);
	return ktap_finish();
}
