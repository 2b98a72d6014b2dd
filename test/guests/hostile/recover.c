/* SPDX-License-Identifier: MIT */
/*
 * The recover phase: whatever the random mix left in the GIC, a guest that
 * re-initialises its distributor and CPU interface the way a rebooting OS
 * does must get its interrupts again. Checked: the virtual timer (PPI 27),
 * a self-SGI and the PL011's transmit interrupt (SPI 1, INTID 33), each
 * within hostile_cfg.deadline_us, taken by the IRQ handler below.
 */
#include "hostile.h"

volatile struct irq_seen irqs;

/* Interrupts the random mix acknowledged (GICC_IAR) and did not end: a
 * re-initialising guest ends them too, in reverse order, to drop their
 * active priorities. */
#define ACTIVE_MAX 256
static uint32_t active_iar[ACTIVE_MAX];
static unsigned active_n;

void gic_note_active(uint32_t iar)
{
	if ((iar & 0x3ff) < 1020 && active_n < ACTIVE_MAX)
		active_iar[active_n++] = iar;
}

unsigned gic_lines(void)
{
	unsigned n = 32 * ((rd32(GICD + GICD_TYPER) & 0x1f) + 1);
	return n > 1020 ? 1020 : n;
}

static void mask_irqs(void)
{
	__asm__ volatile("msr daifset, #2\n\tisb" ::: "memory");
}

static void unmask_irqs(void)
{
	__asm__ volatile("msr daifclr, #2\n\tisb" ::: "memory");
}

static void sources_off(void)
{
	__asm__ volatile("msr cntv_ctl_el0, xzr\n\tisb" ::: "memory");
	wr32(UART + UART_IMSC, 0);
	wr32(UART + UART_ICR, 0x7ff);
	wr32(UART + UART_LCR_H, 0x60); /* 8 bits, FIFOs off: TX raised when empty */
	wr32(UART + UART_CR, 0x301);   /* UARTEN, TXE, RXE */
}

/* Bare QEMU recomputes the running priority from these at each priority
 * drop, so stale bits would come back at the next EOIR. */
static void apr_clear(void)
{
	for (unsigned i = 0; i < 4; i++) {
		wr32(GICC + GICC_APR0 + 4 * i, 0);
		wr32(GICC + GICC_NSAPR0 + 4 * i, 0);
	}
}

static void end_noted(void)
{
	while (active_n) {
		uint32_t iar = active_iar[--active_n];
		wr32(GICC + GICC_EOIR, iar);
	}
	/* The mix's own EOIRs (and EOImode 1) leave the priority stack out of
	 * step with the list above; an EOIR drops the highest active priority
	 * whatever its ID, so drop until the running priority is idle. Bare
	 * QEMU keeps the running priority apart from GICC_APRn: writing those
	 * alone would not do. */
	apr_clear();
	for (int i = 0; i < 256 && (rd32(GICC + GICC_RPR) & 0xff) != 0xff; i++)
		wr32(GICC + GICC_EOIR, 0);
	apr_clear();
}

static void drain(void)
{
	for (int i = 0; i < 256; i++) {
		uint32_t iar = rd32(GICC + GICC_IAR);
		if ((iar & 0x3ff) >= 1020)
			return;
		wr32(GICC + GICC_EOIR, iar);
	}
}

void gic_quiesce(void)
{
	unsigned words = gic_lines() / 32;
	mask_irqs();
	sources_off();
	wr32(GICD + GICD_CTLR, 0);
	/* EOImode 0: an EOIR both drops the priority and deactivates. */
	wr32(GICC + GICC_CTLR, 1);
	wr32(GICC + GICC_PMR, 0xff);
	wr32(GICC + GICC_BPR, 0);
	end_noted();
	for (unsigned w = 0; w < words; w++) {
		wr32(GICD + GICD_ICENABLER + 4 * w, ~0u);
		wr32(GICD + GICD_ICPENDR + 4 * w, ~0u);
		wr32(GICD + GICD_ICACTIVER + 4 * w, ~0u);
		wr32(GICD + GICD_IGROUPR + 4 * w, 0); /* group 0: what GICC_CTLR=1 lets through */
	}
	for (unsigned sgi = 0; sgi < 16; sgi += 4)
		wr32(GICD + GICD_CPENDSGIR + sgi, ~0u);
	for (unsigned irq = 0; irq < words * 32; irq += 4)
		wr32(GICD + GICD_IPRIORITYR + irq, 0xa0a0a0a0u);
	for (unsigned irq = 32; irq < words * 32; irq += 4)
		wr32(GICD + GICD_ITARGETSR + irq, 0x01010101u);
	for (unsigned w = 2; w < words * 2; w++)
		wr32(GICD + GICD_ICFGR + 4 * w, 0); /* SPIs level-sensitive */
	drain(); /* CPU interface on, distributor off: nothing should come */
}

/* The timer's PPI level-sensitive, as its device tree node says
 * (interrupts = <1 11 4>): an edge-triggered one would not come back
 * after its pending bit was cleared while the timer still asserts. */
void gic_timer_level(void)
{
	uint32_t cfg = rd32(GICD + GICD_ICFGR + 4);
	wr32(GICD + GICD_ICFGR + 4, cfg & ~(2u << 2 * (PPI_VTIMER - 16)));
}

void gic_enable_checked(void)
{
	gic_timer_level();
	wr8(GICD + GICD_IPRIORITYR + PPI_VTIMER, 0x80);
	wr8(GICD + GICD_IPRIORITYR + HOSTILE_SGI, 0x80);
	wr8(GICD + GICD_IPRIORITYR + SPI_UART, 0x80);
	wr8(GICD + GICD_ITARGETSR + SPI_UART, 0x01);
	wr32(GICD + GICD_ISENABLER, 1u << PPI_VTIMER | 1u << HOSTILE_SGI);
	wr32(GICD + GICD_ISENABLER + 4, 1u << (SPI_UART - 32));
	wr32(GICD + GICD_CTLR, 1);
	wr32(GICC + GICC_PMR, 0xff);
	wr32(GICC + GICC_CTLR, 1);
}

uint32_t gic_poll_iar(uint64_t timeout_us)
{
	uint64_t end = counter() + us_to_ticks(timeout_us);
	do {
		uint32_t iar = rd32(GICC + GICC_IAR);
		if ((iar & 0x3ff) != IAR_SPURIOUS)
			return iar;
	} while (counter() < end);
	return IAR_SPURIOUS;
}

/* Taken only inside recover(): the random mix runs with IRQs masked. A
 * source the checks do not expect is disabled so that it cannot hold the
 * CPU (a level the random mix left asserted). */
void guest_irq(void)
{
	uint32_t iar = rd32(GICC + GICC_IAR), id = iar & 0x3ff;
	if (id >= 1020)
		return;
	if (id == PPI_VTIMER) {
		__asm__ volatile("msr cntv_ctl_el0, xzr\n\tisb" ::: "memory");
		irqs.timer++;
	} else if (id == HOSTILE_SGI) {
		irqs.sgi++;
	} else if (id == SPI_UART) {
		wr32(UART + UART_IMSC, 0);
		wr32(UART + UART_ICR, UART_INT_TX);
		irqs.uart++;
	} else {
		irqs.other++;
		if (id >= 16)
			wr32(GICD + GICD_ICENABLER + 4 * (id / 32), 1u << (id % 32));
	}
	wr32(GICC + GICC_EOIR, iar);
}

static bool wait_for(volatile uint32_t *count)
{
	uint64_t end = counter() + us_to_ticks(hostile_cfg.deadline_us);
	while (!*count && counter() < end)
		;
	return *count != 0;
}

struct recover_result recover(void)
{
	struct recover_result r;
	gic_quiesce();
	gic_enable_checked();
	irqs.timer = irqs.sgi = irqs.uart = irqs.other = 0;
	unmask_irqs();

	__asm__ volatile("msr cntv_cval_el0, %0\n\tmsr cntv_ctl_el0, %1\n\tisb" ::"r"(
	                         counter() + us_to_ticks(1000)),
	                 "r"(CNTV_ENABLE)
	                 : "memory");
	r.timer = wait_for(&irqs.timer);

	wr32(GICD + GICD_SGIR, SGIR_SELF | HOSTILE_SGI);
	r.sgi = wait_for(&irqs.sgi);

	/* The transmitter is idle, or becomes so once this byte is out. */
	wr32(UART + UART_IMSC, UART_INT_TX);
	put('\0' + '.');
	r.uart = wait_for(&irqs.uart);

	mask_irqs();
	sources_off();
	return r;
}
