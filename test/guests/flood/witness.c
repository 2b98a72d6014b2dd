/* SPDX-License-Identifier: MIT */
/*
 * The witness beside flooding guests (test/guests/flood, test/qemu/
 * flood_test.py): a light VM, whose needs of the shared services stay well
 * within its share, even on QEMU's TCG, where an exit costs a hundred
 * times what it does on a board. Every WITNESS_PERIOD_US (the virtual
 * timer wakes it; it sleeps in WFI between rounds) a round: WITNESS_CALLS
 * HVC round trips (PSCI_VERSION, answered by vmm), and every WITNESS_LINE
 * rounds a short console line through its PL011 (devemu's; the flag
 * register read before every store, as Linux does). A round that starts
 * after the next deadline skips the deadlines it missed, so the rounds
 * done over a stretch of time say how much of it the witness got what it
 * needed.
 *
 * Output: the console line, and every WITNESS_REPORT rounds the longest
 * times of the rounds since the last report:
 *   w R T S
 *   witness: rounds R ms T late-max L hvc-max H line-max P
 * R: the round; T: milliseconds since its start, at the round's start; S:
 * (R + T) % 1000, so that a reader can tell a line cut by another; L:
 * how late a round started after its deadline; H: a round's HVC round
 * trips; P: a console line; in microseconds.
 */
#include "guest.h"

#include <stdbool.h>
#include <stdint.h>

#ifndef WITNESS_CALLS
#define WITNESS_CALLS 2
#endif
#ifndef WITNESS_LINE
#define WITNESS_LINE 5
#endif
#ifndef WITNESS_PERIOD_US
#define WITNESS_PERIOD_US 20000
#endif
#ifndef WITNESS_REPORT
#define WITNESS_REPORT 50
#endif
#define PSCI_VERSION    0x84000000ul
#define PSCI_1_0        0x10000ul
#define UART_DR         0x00
#define FR_TXFF         (1u << 5)
#define CNTV_CTL_ENABLE 1ul

static volatile bool tick;

void guest_irq(void)
{
	guest_vtimer_tick(&tick);
}

static void wput(char c)
{
	while (rd32(UART + UART_FR) & FR_TXFF)
		;
	wr8(UART + UART_DR, (uint8_t)c);
}

static void wputs(const char *s)
{
	while (*s)
		wput(*s++);
}

static void wput_dec(uint64_t v)
{
	char buf[21];
	int n = 0;
	do {
		buf[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n)
		wput(buf[--n]);
}

static uint64_t psci_version(void)
{
	register uint64_t x0 __asm__("x0") = PSCI_VERSION;
	__asm__ volatile("hvc #0" : "+r"(x0)::"x1", "x2", "x3", "memory");
	return x0;
}

static uint64_t us(uint64_t ticks, uint64_t freq)
{
	return ticks * 1000000 / freq;
}

void guest_main(void)
{
	uint64_t freq = counter_freq(), period = freq * WITNESS_PERIOD_US / 1000000;
	wputs("witness: start period-us ");
	wput_dec(WITNESS_PERIOD_US);
	wputs(" calls ");
	wput_dec(WITNESS_CALLS);
	wputs("\n");
	gic_enable_vtimer();
	__asm__ volatile("msr daifclr, #2" ::: "memory");
	uint64_t start = counter(), next = start, late_max = 0, hvc_max = 0, line_max = 0;
	for (uint64_t round = 1;; round++) {
		next += period;
		uint64_t now = counter();
		while (next <= now) /* missed: skipped, not made up */
			next += period;
		tick = false;
		__asm__ volatile("msr cntv_cval_el0, %0\n\tmsr cntv_ctl_el0, %1\n\tisb" ::"r"(next),
		                 "r"(CNTV_CTL_ENABLE));
		while (!tick)
			__asm__ volatile("wfi" ::: "memory");
		uint64_t t0 = counter();
		for (unsigned i = 0; i < WITNESS_CALLS; i++) {
			if (psci_version() != PSCI_1_0) {
				wputs("witness: FAIL: PSCI_VERSION\n");
				return;
			}
		}
		uint64_t t1 = counter();
		if (round % WITNESS_LINE == 0) {
			uint64_t ms = us(t0 - start, freq) / 1000;
			wputs("w ");
			wput_dec(round);
			wputs(" ");
			wput_dec(ms);
			wputs(" ");
			wput_dec((round + ms) % 1000);
			wputs("\n");
		}
		uint64_t t2 = counter();
		late_max = t0 - next > late_max ? t0 - next : late_max;
		hvc_max = t1 - t0 > hvc_max ? t1 - t0 : hvc_max;
		line_max = t2 - t1 > line_max ? t2 - t1 : line_max;
		if (round % WITNESS_REPORT)
			continue;
		wputs("witness: rounds ");
		wput_dec(round);
		wputs(" ms ");
		wput_dec(us(t2 - start, freq) / 1000);
		wputs(" late-max ");
		wput_dec(us(late_max, freq));
		wputs(" hvc-max ");
		wput_dec(us(hvc_max, freq));
		wputs(" line-max ");
		wput_dec(us(line_max, freq));
		wputs("\n");
		late_max = hvc_max = line_max = 0;
	}
}
