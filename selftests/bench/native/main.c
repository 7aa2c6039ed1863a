// SPDX-License-Identifier: GPL-2.0
/*
 * decide-bench: the module's decision microbenchmark (kernel/selftest/
 * bench.c, included as is) on the host CPU, with the module's own snapshot
 * code (kernel/topology.c) linked next to it, for the native figure a TCG
 * guest cannot give. Prints the same "wgmesh bench: ..." lines as dmesg.
 *
 *   decide-bench [RUNS]   (default 21)
 */

#include "kshim.h"

#include "selftest/bench.c"

int main(int argc, char **argv)
{
	unsigned int runs = 21;

	if (argc > 1 && (kstrtouint(argv[1], 10, &runs) || !runs ||
			 runs > BENCH_MAX_RUNS)) {
		fprintf(stderr, "decide-bench: RUNS must be 1..%d\n", BENCH_MAX_RUNS);
		return 2;
	}
	return bench_run(runs) ? 1 : 0;
}
