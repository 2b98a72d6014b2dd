/* SPDX-License-Identifier: MIT */
/*
 * The witness beside a flooding guest (test/guests/flood, test/qemu/
 * flood_test.py): rounds of WITNESS_CALLS HVC round trips (PSCI_VERSION,
 * answered by vmm) and one console line through its PL011 (devemu's, the
 * flag register read before every store, as Linux does), forever. A round
 * is what a VM's console and vCPU need of the shared services; how many
 * of them it completes while another VM floods is the test's measure.
 *
 * Output, one line a round:
 *   witness: round R ms T hvc-us H line-us L
 * T: milliseconds since its start; H: this round's HVC round trips, L: the
 * previous round's line, in microseconds.
 */
#include "guest.h"

#include <stdint.h>

#ifndef WITNESS_CALLS
#define WITNESS_CALLS 20
#endif
#define PSCI_VERSION 0x84000000ul
#define PSCI_1_0     0x10000ul
#define UART_DR      0x00
#define FR_TXFF      (1u << 5)

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

void guest_main(void)
{
	uint64_t freq = counter_freq(), start = counter(), line_ticks = 0;
	wputs("witness: start calls ");
	wput_dec(WITNESS_CALLS);
	wputs("\n");
	for (uint64_t round = 1;; round++) {
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
		wput_dec((t1 - start) * 1000 / freq);
		wputs(" hvc-us ");
		wput_dec((t1 - t0) * 1000000 / freq);
		wputs(" line-us ");
		wput_dec(line_ticks * 1000000 / freq);
		wputs("\n");
		line_ticks = counter() - t1;
	}
}
