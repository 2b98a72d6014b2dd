/* SPDX-License-Identifier: MIT */
/*
 * The witness beside flooding guests (test/guests/flood, test/qemu/
 * flood_test.py): a light VM whose needs of the shared services are well
 * within its share. Every WITNESS_PERIOD_US (the virtual timer wakes it; it
 * sleeps in WFI between rounds) a round: WITNESS_CALLS HVC round trips
 * (PSCI_VERSION, answered by vmm) and one console line through its PL011
 * (devemu's; the flag register read before every store, as Linux does).
 * A round that starts after the next deadline skips the deadlines it
 * missed, so the rounds done over a stretch of time say how much of it the
 * witness got what it needed.
 *
 * Output, one line a round:
 *   witness: round R ms T late-us L hvc-us H line-us P
 * T: milliseconds since its start, at the round's start; L: how late the
 * round started after its deadline; H: its HVC round trips; P: the previous
 * round's line, in microseconds.
 */
#include "guest.h"

#include <stdbool.h>
#include <stdint.h>

#ifndef WITNESS_CALLS
#define WITNESS_CALLS 5
#endif
#ifndef WITNESS_PERIOD_US
#define WITNESS_PERIOD_US 20000
#endif
#define PSCI_VERSION    0x84000000ul
#define PSCI_1_0        0x10000ul
#define UART_DR         0x00
#define FR_TXFF         (1u << 5)
#define CNTV_CTL_ENABLE 1ul

static volatile bool tick;

void guest_irq(void)
{
	uint32_t iar = rd32(GICC + GICC_IAR);
	if ((iar & 0x3ff) == PPI_VTIMER) {
		__asm__ volatile("msr cntv_ctl_el0, xzr\n\tisb");
		tick = true;
	}
	if ((iar & 0x3ff) < 1020)
		wr32(GICC + GICC_EOIR, iar);
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
	uint64_t start = counter(), next = start, line = 0;
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
		wputs("witness: round ");
		wput_dec(round);
		wputs(" ms ");
		wput_dec(us(t0 - start, freq) / 1000);
		wputs(" late-us ");
		wput_dec(us(t0 - next, freq));
		wputs(" hvc-us ");
		wput_dec(us(t1 - t0, freq));
		wputs(" line-us ");
		wput_dec(us(line, freq));
		wputs("\n");
		line = counter() - t1;
	}
}
