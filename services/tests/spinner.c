/* SPDX-License-Identifier: MIT */
/*
 * Burns CPU forever. With report=1 it says, every half second of counter
 * time for three times, how far it got: proof that it still gets the CPU
 * next to a budgeted higher-priority hog.
 */
#include <keel/service.h>
#include <stdio.h>

int main(int argc, char **argv)
{
	long report = keel_arg(argc, argv, "report", 0);
	long delay_ms = keel_arg(argc, argv, "delay_ms", 0);
	if (delay_ms > 0)
		keel_sleep((unsigned long)delay_ms * 1000);
	unsigned long t = 0, freq = 1, loops = 0, reports = 0;
	keel_time(&t, &freq);
	unsigned long next = t + freq / 2;

	for (;;) {
		loops++;
		if (!report || (loops & 0xfff))
			continue;
		keel_time(&t, &freq);
		if (t >= next && reports < 3) {
			printf("alive, %lu loops\n", loops);
			next = t + freq / 2;
			reports++;
		}
	}
}
