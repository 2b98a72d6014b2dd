/* SPDX-License-Identifier: MIT */
/*
 * A bare-metal guest at EL1 with the MMU off: its UART accesses fall outside
 * its stage-2 map, so each one is an MMIO exit that the kernel turns into a
 * message to the VM's service (vmm) and completes with the reply.
 */
#include "guest.h"

#include <stdbool.h>
#include <stdint.h>

#define SGI_TEST 1

/* What the last expected abort said (guest_sync). */
static volatile uint64_t sync_esr, sync_far;
static volatile bool expect_abort;

/* The cost of one emulated MMIO read, exit to reply, in counter ticks
 * (instructions under -icount shift=0 with a 1 GHz counter). */
static void time_mmio(void)
{
	enum { N = 64 };
	uint64_t t0 = counter();
	for (int i = 0; i < N; i++)
		(void)*(volatile uint32_t *)(UART + UART_FR);
	uint64_t t1 = counter();
	puts_("mmio read exit: ");
	put_dec((t1 - t0) / N);
	puts_(" ticks avg over 64\n");
}

/* The virtual distributor lives in the kernel: program it, read it back,
 * and time an access (no service is involved). */
static void try_gicd(void)
{
	*(volatile uint32_t *)GICD = 1;             /* GICD_CTLR */
	*(volatile uint32_t *)(GICD + 0x104) = 0x5; /* enable interrupts 32 and 34 */
	puts_("gicd ctlr=0x");
	put_hex(*(volatile uint32_t *)GICD);
	puts_(" isenabler1=0x");
	put_hex(*(volatile uint32_t *)(GICD + 0x104));
	puts_("\n");
	enum { N = 64 };
	uint64_t t0 = counter();
	for (int i = 0; i < N; i++)
		(void)*(volatile uint32_t *)(GICD + 0x004); /* GICD_TYPER */
	uint64_t t1 = counter();
	puts_("gicd read exit: ");
	put_dec((t1 - t0) / N);
	puts_(" ticks avg over 64\n");
}

static volatile uint32_t irq_seen;
static volatile uint64_t irq_at;

void guest_irq(void)
{
	uint32_t iar = *(volatile uint32_t *)(GICC + GICC_IAR);
	irq_at = counter();
	if ((iar & 0x3ff) == PPI_VTIMER)
		__asm__ volatile("msr cntv_ctl_el0, %0" ::"r"(3ul)); /* masked: the line drops */
	irq_seen = iar & 0x3ff;
	*(volatile uint32_t *)(GICC + GICC_EOIR) = iar;
}

/* The virtual timer fires while the vCPU sleeps in WFI: the kernel wakes
 * it and injects PPI 27 through a list register. */
static void try_vtimer(void)
{
	uint64_t deadline = counter() + counter_freq() / 1000; /* 1 ms */
	irq_seen = 0;
	__asm__ volatile("msr cntv_cval_el0, %0\n\tmsr cntv_ctl_el0, %1\n\tisb" ::"r"(deadline),
	                 "r"(1ul));
	while (irq_seen != PPI_VTIMER)
		__asm__ volatile("wfi");
	puts_("vtimer irq after wfi: ");
	put_dec(irq_at - deadline);
	puts_(" ticks late\n");
}

/* An SGI to itself through the virtual distributor, from the write to the
 * handler: the cost of one virtual interrupt injection. */
static void try_sgi(void)
{
	enum { N = 16 };
	uint64_t total = 0;
	for (int i = 0; i < N; i++) {
		irq_seen = 0;
		uint64_t t0 = counter();
		*(volatile uint32_t *)(GICD + GICD_SGIR) = (2u << 24) | SGI_TEST;
		while (irq_seen != SGI_TEST)
			;
		total += irq_at - t0;
	}
	puts_("sgi injection: ");
	put_dec(total / N);
	puts_(" ticks avg over 16\n");
}

static void try_interrupts(void)
{
	/* Without a virtual CPU interface (a GICv3 host) nothing is there. */
	sync_esr = 0;
	expect_abort = true;
	uint32_t iidr = *(volatile uint32_t *)(GICC + GICC_IIDR);
	expect_abort = false;
	if (sync_esr || !iidr) {
		puts_("no virtual cpu interface\n");
		return;
	}
	*(volatile uint32_t *)(GICD + 0x100) = (1u << PPI_VTIMER) | (1u << SGI_TEST);
	*(volatile uint8_t *)(GICD + 0x400 + PPI_VTIMER) = 0xa0; /* IPRIORITYR, a byte */
	*(volatile uint32_t *)(GICC + GICC_PMR) = 0xf0;
	*(volatile uint32_t *)(GICC + GICC_CTLR) = 1;
	__asm__ volatile("msr daifclr, #2" ::: "memory");
	try_vtimer();
	try_sgi();
	__asm__ volatile("msr daifset, #2" ::: "memory");
}

/* Only the abort that try_bad_access provokes is expected: note it, step over. */
void guest_sync(void)
{
	uint64_t esr, far, elr;
	__asm__ volatile("mrs %0, esr_el1\n\tmrs %1, far_el1\n\tmrs %2, elr_el1"
	                 : "=r"(esr), "=r"(far), "=r"(elr));
	if (!expect_abort || (esr >> 26) != 0x25)
		guest_unexpected(0x200);
	expect_abort = false;
	sync_esr = esr;
	sync_far = far;
	__asm__ volatile("msr elr_el1, %0" ::"r"(elr + 4));
}

/* Nothing is at 0x50000000 (outside its 1 MiB of RAM): the read comes back
 * as a synchronous external abort, and the guest carries on. */
static void try_bad_access(void)
{
	sync_esr = 0;
	expect_abort = true;
	(void)*(volatile uint32_t *)0x50000000ul;
	puts_("bad access: esr=0x");
	put_hex((uint32_t)sync_esr);
	puts_(" far=0x");
	put_hex((uint32_t)sync_far);
	puts_("\n");
}

void guest_main(void)
{
	puts_("Hello from a Keel VM\n");
	time_mmio();
	try_gicd();
	try_interrupts();
	try_bad_access();
	uint32_t fr = *(volatile uint32_t *)(UART + UART_FR);
	puts_("uart fr=0x");
	put_hex(fr);
	puts_("\n");
	psci_system_off();
	puts_("FAIL: still running after SYSTEM_OFF\n");
}
