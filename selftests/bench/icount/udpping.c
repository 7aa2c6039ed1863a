// SPDX-License-Identifier: GPL-2.0
/*
 * udpping: a closed-loop UDP load for the instruction-count benchmark.
 *
 *   udpping -s ADDR [-p PORT] [-f]
 *       server: acknowledge every burst (forever)
 *   udpping -c ADDR [-p PORT] [-n COUNT] [-w BURST] [-i ID] [-W WARMUP]
 *               [-t TIMEOUT_MS] [-f]
 *       client: WARMUP bursts unmeasured, then the start marker of window
 *       ID (mark.h), COUNT 64-byte datagrams in bursts of BURST, each
 *       burst waiting for its ack, then the stop marker. Prints
 *       "sent=.. bursts=.. retries=.. lost=.." on stdout.
 *   udpping -c ADDR -o [-p PORT] [-n COUNT] [-w BURST] [-i ID] [-W WARMUP]
 *               [-S USEC] [-D MSEC] [-f]
 *       one way: the same, but no burst waits for an ack (nobody need
 *       listen: the drop benchmark's datagrams never arrive); each burst
 *       is followed by a USEC (default 1000) sleep that lets the path
 *       drain, and the stop marker by a MSEC (default 100) one more, so
 *       that what the datagrams cost the receiving side lands inside the
 *       window (the drop bench gives 1100: a drop event's flush, a second
 *       after the first drop, too).
 *       Prints "sent=.. bursts=.. retries=0 lost=0".
 *
 * Every datagram carries its burst's attempt number; the server answers the
 * last datagram of a burst with the number of that burst's datagrams it
 * got. A burst whose ack does not come within TIMEOUT_MS is sent again
 * under a new attempt number and counts as a retry: a measurement is only
 * clean with retries=0 and lost=0. BURST=1 is ping-pong; larger bursts
 * approach a throughput load while staying closed-loop (deterministic).
 *
 * -f: run as SCHED_FIFO (priority 1). On one CPU a normal task's wakeup may
 * or may not preempt the sender mid-burst depending on the scheduler's
 * accumulated run times, so how a burst is batched through WireGuard's
 * workers changed from window to window (spreads of several % at 32); a
 * FIFO sender always finishes its burst, and a FIFO receiver always runs at
 * once when a datagram arrives.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "mark.h"

#define MAGIC	0x75647070u	/* "udpp" */
#define SIZE	64		/* UDP payload bytes */

struct msg {
	uint32_t magic;
	uint32_t attempt;
	uint16_t idx;
	uint16_t burst;
	uint32_t count;	/* ack: datagrams of this attempt received */
	unsigned char pad[SIZE - 16];
};

_Static_assert(sizeof(struct msg) == SIZE, "datagram size");

static void die(const char *what)
{
	perror(what);
	exit(1);
}

static int sock_for(const char *addr, unsigned int port, struct sockaddr_storage *ss,
		    socklen_t *len)
{
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
	int fd;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET6, addr, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		*len = sizeof(*s6);
	} else if (inet_pton(AF_INET, addr, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons(port);
		*len = sizeof(*s4);
	} else {
		fprintf(stderr, "udpping: '%s' is no IP address\n", addr);
		exit(2);
	}
	fd = socket(ss->ss_family, SOCK_DGRAM, 0);
	if (fd < 0)
		die("socket");
	return fd;
}

static __attribute__((noreturn)) void server(int fd)
{
	struct sockaddr_storage from;
	uint32_t attempt = 0, count = 0;
	struct msg m;

	for (;;) {
		socklen_t flen = sizeof(from);
		ssize_t r = recvfrom(fd, &m, sizeof(m), 0, (struct sockaddr *)&from, &flen);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			die("recvfrom");
		}
		if (r != sizeof(m) || m.magic != MAGIC)
			continue;
		if (m.attempt != attempt) {
			attempt = m.attempt;
			count = 0;
		}
		count++;
		if (m.idx + 1 == m.burst) {
			m.count = count;
			if (sendto(fd, &m, sizeof(m), 0, (struct sockaddr *)&from, flen) < 0)
				perror("udpping: sendto (ack)");
		}
	}
}

struct stats {
	unsigned long bursts, retries, lost;
};

/* one burst of W datagrams until it is acknowledged */
static void burst(int fd, unsigned int w, int timeout_ms, uint32_t *attempt,
		  struct stats *st)
{
	struct msg m, ack;
	unsigned int i;

	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		uint32_t a = ++*attempt;

		memset(&m, 0, sizeof(m));
		m.magic = MAGIC;
		m.attempt = a;
		m.burst = w;
		for (i = 0; i < w; i++) {
			m.idx = i;
			if (send(fd, &m, sizeof(m), 0) < 0 && errno != ECONNREFUSED)
				die("send");
		}
		for (;;) {
			int r = poll(&p, 1, timeout_ms);

			if (r < 0 && errno == EINTR)
				continue;
			if (r < 0)
				die("poll");
			if (r == 0)
				break;	/* timeout: again */
			if (recv(fd, &ack, sizeof(ack), 0) != sizeof(ack) ||
			    ack.magic != MAGIC || ack.attempt != a)
				continue;	/* stale or foreign */
			st->bursts++;
			st->lost += w - (ack.count < w ? ack.count : w);
			return;
		}
		st->retries++;
	}
}

/* one way: W datagrams, no ack, then a pause of @usec */
static void burst_oneway(int fd, unsigned int w, unsigned long usec,
			 uint32_t *attempt, struct stats *st)
{
	struct timespec ts = { usec / 1000000, (usec % 1000000) * 1000 };
	struct msg m;
	unsigned int i;

	memset(&m, 0, sizeof(m));
	m.magic = MAGIC;
	m.attempt = ++*attempt;
	m.burst = w;
	for (i = 0; i < w; i++) {
		m.idx = i;
		/* an ICMP error from an earlier datagram may fail one send */
		if (send(fd, &m, sizeof(m), 0) < 0 && errno != ECONNREFUSED)
			die("send");
	}
	st->bursts++;
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

int main(int argc, char **argv)
{
	unsigned long count = 1000, warmup = 16, n, id = 0;
	unsigned int port = 7777, w = 1;
	int opt, mode = 0, timeout_ms = 2000, fd, fifo = 0, oneway = 0;
	unsigned long usec = 1000, drain_ms = 100;
	struct sockaddr_storage ss;
	struct stats st = { 0 }, warm = { 0 };
	struct icount_marks marks;
	uint32_t attempt = 0;
	const char *addr = NULL;
	socklen_t len;

	while ((opt = getopt(argc, argv, "s:c:p:n:w:i:W:t:S:D:of")) != -1) {
		switch (opt) {
		case 's':
		case 'c':
			mode = opt;
			addr = optarg;
			break;
		case 'p': port = strtoul(optarg, NULL, 0); break;
		case 'n': count = strtoul(optarg, NULL, 0); break;
		case 'w': w = strtoul(optarg, NULL, 0); break;
		case 'i': id = strtoul(optarg, NULL, 0); break;
		case 'W': warmup = strtoul(optarg, NULL, 0); break;
		case 't': timeout_ms = atoi(optarg); break;
		case 'f': fifo = 1; break;
		case 'o': oneway = 1; break;
		case 'S': usec = strtoul(optarg, NULL, 0); break;
		case 'D': drain_ms = strtoul(optarg, NULL, 0); break;
		default: goto usage;
		}
	}
	if (!mode || optind != argc || !w || w > 1024 || !count || id > ICOUNT_ID_MAX)
		goto usage;
	if (fifo) {
		struct sched_param sp = { .sched_priority = 1 };

		if (sched_setscheduler(0, SCHED_FIFO, &sp) < 0)
			die("sched_setscheduler");
	}
	fd = sock_for(addr, port, &ss, &len);
	if (mode == 's') {
		if (bind(fd, (struct sockaddr *)&ss, len) < 0)
			die("bind");
		server(fd);
	}
	if (connect(fd, (struct sockaddr *)&ss, len) < 0)
		die("connect");
	if (icount_marks_init(&marks, id))
		die("mmap");
	if (oneway) {
		struct timespec drain = { 0, 100 * 1000 * 1000 };

		for (n = 0; n < warmup; n++)
			burst_oneway(fd, w, usec, &attempt, &warm);
		while (nanosleep(&drain, &drain) < 0 && errno == EINTR)
			;
		drain.tv_sec = drain_ms / 1000;
		drain.tv_nsec = (drain_ms % 1000) * 1000 * 1000;
		marks.start();
		for (n = 0; n < count; n += w)
			burst_oneway(fd, w, usec, &attempt, &st);
		while (nanosleep(&drain, &drain) < 0 && errno == EINTR)
			;
		marks.stop();
		printf("sent=%lu bursts=%lu retries=0 lost=0\n", st.bursts * w,
		       st.bursts);
		return 0;
	}
	for (n = 0; n < warmup; n++)
		burst(fd, w, timeout_ms, &attempt, &warm);
	marks.start();
	for (n = 0; n < count; n += w)
		burst(fd, w, timeout_ms, &attempt, &st);
	marks.stop();
	printf("sent=%lu bursts=%lu retries=%lu lost=%lu warmup_retries=%lu\n",
	       st.bursts * w, st.bursts, st.retries, st.lost, warm.retries);
	return 0;
usage:
	fprintf(stderr, "usage: udpping -s ADDR [-p PORT] [-f]\n"
		"       udpping -c ADDR [-p PORT] [-n COUNT] [-w BURST] [-i ID]"
		" [-W WARMUP] [-t TIMEOUT_MS] [-f]\n"
		"       udpping -c ADDR -o [-p PORT] [-n COUNT] [-w BURST] [-i ID]"
		" [-W WARMUP] [-S USEC] [-D MSEC] [-f]\n");
	return 2;
}
