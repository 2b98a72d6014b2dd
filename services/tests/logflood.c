/* SPDX-License-Identifier: MIT */
/*
 * Floods the kernel log through write(2) and times every call: the kernel
 * holds its lock for a whole write, so the longest call is the longest log
 * write under the lock (docs/benchmarks.md, "Kernel log under a flood").
 * Under -icount shift=0,sleep=off with a 1 GHz counter a tick is one
 * executed instruction.
 *
 * Args: size=BYTES asked of each write (65536), total=BYTES to get through
 * (1 MiB); lines are 100 characters. Prints, after a pause that lets its
 * log budget refill:
 *   logflood: calls N size S taken T max M avg A
 * (M and A in counter ticks per call).
 */
#include <keel/service.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define LINE 100

static unsigned long now(void)
{
	unsigned long t = 0, f = 1;
	keel_time(&t, &f);
	return t;
}

static char *make_lines(size_t size)
{
	char *buf = malloc(size);
	if (!buf)
		return NULL;
	for (size_t i = 0; i < size; i++)
		buf[i] = i % LINE == LINE - 1 ? '\n' : (char)('a' + i % 26);
	return buf;
}

int main(int argc, char **argv)
{
	size_t size = (size_t)keel_arg(argc, argv, "size", 65536);
	unsigned long total = (unsigned long)keel_arg(argc, argv, "total", 1 << 20);
	char *buf = make_lines(size);
	unsigned long calls = 0, taken = 0, max = 0, sum = 0;

	if (!buf) {
		printf("logflood: no memory for %zu bytes\n", size);
		return 1;
	}
	while (taken < total) {
		unsigned long t0 = now();
		ssize_t n = write(1, buf, size);
		unsigned long d = now() - t0;
		if (n <= 0) {
			printf("logflood: write returned %ld\n", (long)n);
			free(buf);
			return 1;
		}
		calls++;
		taken += (unsigned long)n;
		sum += d;
		max = d > max ? d : max;
	}
	keel_sleep(500000); /* the budget refills: the report must get through */
	/* A new line first: the flood may end mid-line. */
	printf("\nlogflood: calls %lu size %zu taken %lu max %lu avg %lu\n", calls, size, taken,
	       max, calls ? sum / calls : 0);
	free(buf);
	return 0;
}
