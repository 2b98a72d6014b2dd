/* SPDX-License-Identifier: MIT */
/*
 * Path lengths of a VM's exits and interrupts, for scripts/bench
 * (keel-vmbench.img). A bare-metal guest at EL1, MMU off. It sleeps in WFI
 * until VB_START_MS of counter time, so that it measures alone, then
 * times, in counter ticks (instructions under -icount shift=0 with a
 * 1 GHz counter):
 *   - a read and a write of its PL011 (an MMIO exit, answered by vmm or
 *     by devemu depending on the VM's uart-endpoint);
 *   - a read of the virtual GIC distributor (settled in the kernel);
 *   - a self-SGI, from the GICD_SGIR write to the handler;
 *   - the virtual timer, from its deadline to the handler (vCPU in WFI);
 *   - the PL011's interrupt (SPI 33), from the IMSC write that raises it
 *     to the handler: one MMIO exit plus the injection by the service.
 * Every line starts with "vmbench VB_TAG:".
 */
#include "guest.h"

#include <stdint.h>

#ifndef VB_TAG
#define VB_TAG "?"
#endif
#ifndef VB_START_MS
#define VB_START_MS 0
#endif

#define SGI_TEST 1

static void result(const char *what, uint64_t ticks, const char *how)
{
	puts_("vmbench " VB_TAG ": ");
	puts_(what);
	puts_(": ");
	put_dec(ticks);
	puts_(" ticks ");
	puts_(how);
	puts_("\n");
}

static volatile uint32_t irq_seen;
static volatile uint64_t irq_at;

void guest_irq(void)
{
	uint32_t iar = rd32(GICC + GICC_IAR);
	irq_at = counter();
	uint32_t id = iar & 0x3ff;
	if (id == PPI_VTIMER)
		__asm__ volatile("msr cntv_ctl_el0, %0" ::"r"(3ul)); /* masked: the line drops */
	else if (id == SPI_UART)
		wr32(UART + UART_IMSC, 0); /* the service lowers the line */
	irq_seen = id;
	wr32(GICC + GICC_EOIR, iar);
}

/* Sleep in WFI until the virtual timer reaches `deadline`; returns how
 * late the handler ran. */
static uint64_t sleep_until(uint64_t deadline)
{
	irq_seen = 0;
	__asm__ volatile("msr cntv_cval_el0, %0\n\tmsr cntv_ctl_el0, %1\n\tisb" ::"r"(deadline),
	                 "r"(1ul));
	while (irq_seen != PPI_VTIMER)
		__asm__ volatile("wfi");
	return irq_at - deadline;
}

enum { NIRQ = 16 };

/* The cheapest of 8 batches of 16 accesses, per access: a batch that
 * something else (the console draining earlier output) interrupted does
 * not count. */
enum { BATCHES = 8, BATCH = 16 };
#define TIME_ACCESS(access)                                                                        \
	({                                                                                         \
		uint64_t best = ~0ull;                                                             \
		for (int b = 0; b < BATCHES; b++) {                                                \
			uint64_t t0 = counter();                                                   \
			for (int i = 0; i < BATCH; i++)                                            \
				access;                                                            \
			uint64_t t = (counter() - t0) / BATCH;                                     \
			best = t < best ? t : best;                                                \
		}                                                                                  \
		best;                                                                              \
	})

static void time_mmio(void)
{
	result("uart read exit", TIME_ACCESS((void)rd32(UART + UART_FR)), "min of 8x16");
	result("uart write exit", TIME_ACCESS(wr32(UART + UART_IMSC, 0)), "min of 8x16");
	result("gicd read", TIME_ACCESS((void)rd32(GICD + GICD_TYPER)), "min of 8x16");
}

static void time_sgi(void)
{
	uint64_t total = 0;
	for (int i = 0; i < NIRQ; i++) {
		irq_seen = 0;
		uint64_t t0 = counter();
		wr32(GICD + GICD_SGIR, (2u << 24) | SGI_TEST); /* to this CPU only */
		while (irq_seen != SGI_TEST)
			;
		total += irq_at - t0;
	}
	result("sgi injection", total / NIRQ, "avg over 16");
}

static void time_vtimer(void)
{
	uint64_t total = 0, step = counter_freq() / 10000; /* 100 us */
	for (int i = 0; i < NIRQ; i++)
		total += sleep_until(counter() + step);
	result("vtimer irq after wfi", total / NIRQ, "late, avg over 16");
}

/* The PL011's TX interrupt: with its FIFO empty, unmasking it raises the
 * line, so a service that models the interrupt injects SPI 33 before it
 * completes the write. vmm's minimal UART has no interrupt. */
static void time_uart_irq(void)
{
	wr32(GICD + GICD_ISENABLER + 4, 1u << (SPI_UART - 32));
	*(volatile uint8_t *)(GICD + GICD_IPRIORITYR + SPI_UART) = 0xa0;
	*(volatile uint8_t *)(GICD + GICD_ITARGETSR + SPI_UART) = 1;
	uint64_t total = 0, patience = counter_freq() / 10; /* 100 ms */
	for (int i = 0; i < NIRQ; i++) {
		irq_seen = 0;
		uint64_t t0 = counter();
		wr32(UART + UART_IMSC, UART_INT_TX);
		while (irq_seen != SPI_UART && counter() - t0 < patience)
			;
		if (irq_seen != SPI_UART) {
			wr32(UART + UART_IMSC, 0);
			puts_("vmbench " VB_TAG ": uart irq: none\n");
			return;
		}
		total += irq_at - t0;
	}
	result("uart irq", total / NIRQ, "from the IMSC write, avg over 16");
}

void guest_main(void)
{
	if (!rd32(GICC + GICC_IIDR)) {
		puts_("vmbench " VB_TAG ": FAIL: no virtual cpu interface\n");
		return;
	}
	wr32(GICD, 1); /* GICD_CTLR */
	wr32(GICD + GICD_ISENABLER, (1u << PPI_VTIMER) | (1u << SGI_TEST));
	*(volatile uint8_t *)(GICD + GICD_IPRIORITYR + PPI_VTIMER) = 0xa0;
	wr32(GICC + GICC_PMR, 0xf0);
	wr32(GICC + GICC_CTLR, 1);
	__asm__ volatile("msr daifclr, #2" ::: "memory");

	sleep_until(counter_freq() / 1000 * VB_START_MS);
	puts_("vmbench " VB_TAG ": start\n");
	time_mmio();
	time_sgi();
	time_vtimer();
	time_uart_irq();
	puts_("vmbench " VB_TAG ": done\n");
	__asm__ volatile("msr daifset, #2" ::: "memory");
	psci_system_off();
	puts_("vmbench " VB_TAG ": FAIL: still running after SYSTEM_OFF\n");
}
