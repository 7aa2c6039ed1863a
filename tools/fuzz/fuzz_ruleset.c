// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness over the firewall's reading of "nft -a list ruleset"
 * and the batches planned from it (make -C tools fuzz). Whatever the
 * ruleset text, parsing must not fail but for memory, and every batch
 * line must be one of the commands the plans write, touching table inet
 * wgmesh or a plain-named chain, with no ';', '#' or brace that text read
 * from the ruleset could have smuggled in: the batch is run as root.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/firewall.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const verbs[] = {
	"add table ", "add chain ", "add rule ", "insert rule ",
	"delete table ", "delete chain ", "delete rule ", "flush chain ",
};

static void check_line(const char *l, size_t n)
{
	const char *ours = "add chain inet wgmesh input-m { ";
	const char *tag = " comment \"wgmesh:m\"";
	size_t body = n, i, v;

	for (v = 0; v < sizeof(verbs) / sizeof(verbs[0]); v++)
		if (!strncmp(l, verbs[v], strlen(verbs[v])))
			break;
	if (v == sizeof(verbs) / sizeof(verbs[0]))
		abort();
	/* Our own chain's spec is the one line with braces and ';'. */
	if (!strncmp(l, ours, strlen(ours)))
		return;
	/* A rule ends with our tag, whose quotes are ours too. */
	if (n > strlen(tag) && !strncmp(l + n - strlen(tag), tag, strlen(tag)))
		body = n - strlen(tag);
	for (i = 0; i < body; i++)
		if (strchr(";#{}\"\\", l[i]))
			abort();
}

static void check_batch(char *batch)
{
	char *l = batch, *e;

	if (!batch)
		return;
	if (!*batch || batch[strlen(batch) - 1] != '\n')
		abort();
	for (; *l; l = e + 1) {
		e = strchr(l, '\n');
		check_line(l, (size_t)(e - l));
	}
	free(batch);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fw_rules want = { .owner = "m", .udp_ports = { 51820, 7 },
				 .n_udp_ports = 2 };
	struct fw_rules none = { .owner = "m" };
	struct fw_ruleset rs;
	size_t n_foreign;
	char *text, *batch;

	text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (fw_ruleset_parse(text, &rs))
		abort();	/* only out of memory may fail */
	free(text);

	if (fw_plan_apply(&rs, &want, &batch, &n_foreign))
		abort();
	check_batch(batch);
	if (fw_plan_apply(&rs, &none, &batch, &n_foreign))
		abort();
	check_batch(batch);
	if (fw_plan_remove(&rs, "m", &batch))
		abort();
	check_batch(batch);
	fw_ruleset_free(&rs);
	return 0;
}
