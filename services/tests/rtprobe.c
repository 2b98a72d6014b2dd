/* SPDX-License-Identifier: MIT */
/*
 * A high-priority periodic thread: sleeps `period_us`, `count` times, and
 * measures how late each wake-up is, while a lower-priority spinner shares
 * its CPU. Prints min/avg/max lateness in counter ticks and microseconds.
 */
#include <keel/service.h>
#include <stdio.h>

int main(int argc, char **argv)
{
	unsigned long period = (unsigned long)keel_arg(argc, argv, "period_us", 1000);
	unsigned long count = (unsigned long)keel_arg(argc, argv, "count", 200);
	unsigned long t0 = 0, t1 = 0, freq = 1000, min = ~0ul, max = 0, sum = 0;
	long delay_ms = keel_arg(argc, argv, "delay_ms", 0);

	if (delay_ms > 0)
		keel_sleep((unsigned long)delay_ms * 1000);
	keel_time(&t0, &freq);
	unsigned long want = period * (freq / 1000) / 1000;
	for (unsigned long i = 0; i < count; i++) {
		keel_time(&t0, &freq);
		keel_sleep(period);
		keel_time(&t1, &freq);
		unsigned long late = t1 - t0 > want ? t1 - t0 - want : 0;
		sum += late;
		min = late < min ? late : min;
		max = late > max ? late : max;
	}
	unsigned long khz = freq >= 1000 ? freq / 1000 : 1;
	printf("%s: %lu wake-ups of %lu us: lateness min %lu avg %lu max %lu ticks "
	       "(max %lu us)\n",
	       argv[0], count, period, min, count ? sum / count : 0, max, max * 1000 / khz);
	printf("%s: done\n", argv[0]);
	return 0;
}
