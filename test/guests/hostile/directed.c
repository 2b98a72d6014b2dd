/* SPDX-License-Identifier: MIT */
/*
 * Directed modes: one known hole each (issue 14), replayed with IRQs
 * masked and GICC_IAR polled, so that what arrives, and when, depends only
 * on the GIC and not on a handler. Each prints its findings and a verdict
 * line `hostile: NAME PASS|FAIL`; bare QEMU passes them all.
 *
 *   debug   the guest's debug and PMU registers must not follow it into
 *           the hypervisor's services, and must read back consistently
 *           (what it wrote, or zero throughout);
 *   vtimer  a timer that fires while its PPI cannot be listed, then has
 *           its pending bit cleared while still asserting, must arrive;
 *           CNTV_CTL_EL0.IMASK must read back as written;
 *   lr      GICD writes on interrupts held in list registers must take
 *           effect (pending cleared, active cleared, re-init), and two
 *           list registers held active must not block the others.
 */
#include "hostile.h"

#define PSCI_VERSION  0x84000000ul
#define MDSCR_SS      (1ul << 0)
#define MDSCR_KDE     (1ul << 13)
#define MDSCR_MDE     (1ul << 15)
#define PMCR_E        (1ul << 0)
#define PMCR_C        (1ul << 2)
#define PMCCFILTR_U   (1ul << 30)
#define PMCCFILTR_NSU (1ul << 28)
#define PMCCFILTR_NSH (1ul << 27)
#define SPI_SPARE     34u /* no device behind it on bare QEMU virt or under Keel */

static uint64_t hvc_version(void)
{
	register uint64_t x0 __asm__("x0") = PSCI_VERSION;
	__asm__ volatile("hvc #0"
	                 : "+r"(x0)::"x1", "x2", "x3", "x4", "x5", "x6", "x7", "x8", "x9", "x10",
	                   "x11", "x12", "x13", "x14", "x15", "x16", "x17", "memory");
	return x0;
}

/* ---- debug leak --------------------------------------------------------- */

#define BCR_EXEC_ANY 0x1e7ul /* E, PMC=EL1+EL0, BAS=all */
/* E, PAC=EL1+EL0, LSC=load+store, BAS=all, MASK=22: 4 MiB from 0x400000,
 * where the services are linked. */
#define WCR_4MIB     (1ul | 3ul << 1 | 3ul << 3 | 0xfful << 5 | 22ul << 24)
#define WVR_SERVICES 0x400000ul

struct debug_regs {
	uint64_t mdscr, bvr[4], bcr[4], wvr, wcr;
};

static void debug_write(void)
{
	volatile struct hostile_config *c = &hostile_cfg;
	__asm__ volatile("msr oslar_el1, xzr\n\tisb" ::: "memory");
	__asm__ volatile("msr mdscr_el1, %0\n\tisb" ::"r"(MDSCR_SS | MDSCR_KDE | MDSCR_MDE));
	__asm__ volatile("msr dbgbvr0_el1, %0\n\tmsr dbgbcr0_el1, %1" ::"r"(c->bp[0]),
	                 "r"(BCR_EXEC_ANY));
	__asm__ volatile("msr dbgbvr1_el1, %0\n\tmsr dbgbcr1_el1, %1" ::"r"(c->bp[1]),
	                 "r"(BCR_EXEC_ANY));
	__asm__ volatile("msr dbgbvr2_el1, %0\n\tmsr dbgbcr2_el1, %1" ::"r"(c->bp[2]),
	                 "r"(BCR_EXEC_ANY));
	__asm__ volatile("msr dbgbvr3_el1, %0\n\tmsr dbgbcr3_el1, %1" ::"r"(c->bp[3]),
	                 "r"(BCR_EXEC_ANY));
	__asm__ volatile("msr dbgwvr0_el1, %0\n\tmsr dbgwcr0_el1, %1\n\tisb" ::"r"(WVR_SERVICES),
	                 "r"(WCR_4MIB)
	                 : "memory");
}

static void debug_read(struct debug_regs *d)
{
	__asm__ volatile("mrs %0, mdscr_el1" : "=r"(d->mdscr));
	d->mdscr &= MDSCR_SS | MDSCR_KDE | MDSCR_MDE;
	__asm__ volatile("mrs %0, dbgbvr0_el1\n\tmrs %1, dbgbcr0_el1"
	                 : "=r"(d->bvr[0]), "=r"(d->bcr[0]));
	__asm__ volatile("mrs %0, dbgbvr1_el1\n\tmrs %1, dbgbcr1_el1"
	                 : "=r"(d->bvr[1]), "=r"(d->bcr[1]));
	__asm__ volatile("mrs %0, dbgbvr2_el1\n\tmrs %1, dbgbcr2_el1"
	                 : "=r"(d->bvr[2]), "=r"(d->bcr[2]));
	__asm__ volatile("mrs %0, dbgbvr3_el1\n\tmrs %1, dbgbcr3_el1"
	                 : "=r"(d->bvr[3]), "=r"(d->bcr[3]));
	__asm__ volatile("mrs %0, dbgwvr0_el1\n\tmrs %1, dbgwcr0_el1" : "=r"(d->wvr), "=r"(d->wcr));
}

/* "kept" (what was written), "raz" (all zero) or "mismatch". */
static const char *debug_class(const struct debug_regs *d)
{
	bool kept = d->mdscr == (MDSCR_SS | MDSCR_KDE | MDSCR_MDE) && d->wvr == WVR_SERVICES &&
	            (d->wcr & 0x1f001fff) == (WCR_4MIB & 0x1f001fff);
	bool zero = !d->mdscr && !d->wvr && !d->wcr;
	for (int i = 0; i < 4; i++) {
		kept = kept && d->bvr[i] == hostile_cfg.bp[i] &&
		       (d->bcr[i] & 0x1ff) == BCR_EXEC_ANY;
		zero = zero && !d->bvr[i] && !d->bcr[i];
	}
	return kept ? "kept" : zero ? "raz" : "mismatch";
}

static bool same(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return *a == *b;
}

/* The cycle counter across one trapping HVC with `filter`: the least of 16
 * tries, so that a host preempting QEMU counts once at most. */
static uint64_t hvc_cycles(uint64_t filter)
{
	uint64_t best = ~0ull;
	__asm__ volatile(
	        "msr pmccfiltr_el0, %0\n\tmsr pmcntenset_el0, %1\n\tmsr pmcr_el0, %2\n\tisb" ::"r"(
	                filter),
	        "r"(1ul << 31), "r"(PMCR_E | PMCR_C));
	for (int i = 0; i < 16; i++) {
		uint64_t c0, c1;
		__asm__ volatile("isb\n\tmrs %0, pmccntr_el0" : "=r"(c0));
		hvc_version();
		__asm__ volatile("isb\n\tmrs %0, pmccntr_el0" : "=r"(c1));
		if (c1 - c0 < best)
			best = c1 - c0;
	}
	return best;
}

void directed_debug(void)
{
	struct debug_regs d;
	debug_write();
	debug_read(&d);
	const char *before = debug_class(&d);
	/* Exits the services on this CPU answer: devemu (the UART) and vmm
	 * (PSCI). */
	for (int i = 0; i < 200; i++) {
		puts_("hostile: debug exit ");
		put_dec((uint64_t)i);
		put('\n');
		hvc_version();
	}
	debug_read(&d);
	const char *after = debug_class(&d);
	puts_("hostile: debug regs before ");
	puts_(before);
	puts_(" after ");
	puts_(after);
	puts_("\n");
	bool regs_ok = same(before, after) && !same(before, "mismatch");

	uint64_t el1 = hvc_cycles(PMCCFILTR_U | PMCCFILTR_NSU);
	uint64_t el2 = hvc_cycles(PMCCFILTR_NSH);
	bool pmu_ok = el2 <= 2 * el1 + 2000;
	puts_("hostile: debug pmu hvc-cycles el1-only");
	line_kv("", el1);
	line_kv("with-el2", el2);
	puts_(pmu_ok ? " no-leak\n" : " LEAK\n");
	__asm__ volatile("msr pmcr_el0, xzr\n\tmsr mdscr_el1, xzr\n\tmsr dbgbcr0_el1, xzr\n\t"
	                 "msr dbgbcr1_el1, xzr\n\tmsr dbgbcr2_el1, xzr\n\tmsr dbgbcr3_el1, xzr\n\t"
	                 "msr dbgwcr0_el1, xzr\n\tisb" ::
	                         : "memory");
	pass_fail("debug", regs_ok && pmu_ok);
}

/* ---- vtimer loss -------------------------------------------------------- */

#define SGI_FILL 8u /* 8..11: one per list register of a GIC-400 or QEMU's GICv2 */

static void enable_irq(unsigned id, uint8_t prio)
{
	wr8(GICD + GICD_IPRIORITYR + id, prio);
	if (id >= 32)
		wr8(GICD + GICD_ITARGETSR + id, 1);
	wr32(GICD + GICD_ISENABLER + 4 * (id / 32), 1u << (id % 32));
}

static void gic_on(bool eoimode)
{
	wr32(GICD + GICD_CTLR, 1);
	wr32(GICC + GICC_PMR, 0xff);
	wr32(GICC + GICC_CTLR, 1 | (eoimode ? GICC_CTLR_EOIMODE : 0));
}

static void sgi_self(unsigned id)
{
	wr32(GICD + GICD_SGIR, SGIR_SELF | id);
}

static uint32_t wait_id(uint64_t us)
{
	return gic_poll_iar(us) & 0x3ff;
}

void directed_vtimer(void)
{
	gic_quiesce();
	/* Each one preempts the one before: a GIC only acknowledges an
	 * interrupt of higher priority than the running one. */
	for (unsigned i = 0; i < 4; i++)
		enable_irq(SGI_FILL + i, (uint8_t)(0x40 - 0x10 * i));
	enable_irq(PPI_VTIMER, 0x80);
	gic_timer_level();
	gic_on(false);
	uint32_t held[4], n = 0;
	for (; n < 4; n++) {
		sgi_self(SGI_FILL + n);
		held[n] = gic_poll_iar(hostile_cfg.deadline_us);
		if ((held[n] & 0x3ff) == IAR_SPURIOUS)
			break;
	}
	uint32_t filled = n;
	__asm__ volatile("msr cntv_cval_el0, %0\n\tmsr cntv_ctl_el0, %1\n\tisb" ::"r"(counter()),
	                 "r"(CNTV_ENABLE)
	                 : "memory");
	uint64_t end = counter() + us_to_ticks(2000);
	while (counter() < end)
		;
	wr32(GICD + GICD_ICPENDR, 1u << PPI_VTIMER);
	uint64_t ctl;
	__asm__ volatile("mrs %0, cntv_ctl_el0" : "=r"(ctl));
	while (n)
		wr32(GICC + GICC_EOIR, held[--n]);
	uint32_t got = wait_id(hostile_cfg.deadline_us);
	__asm__ volatile("msr cntv_ctl_el0, xzr\n\tisb" ::: "memory");
	if (got != IAR_SPURIOUS)
		wr32(GICC + GICC_EOIR, got);

	puts_("hostile: vtimer held");
	line_kv("", filled);
	puts_(" cntv_ctl 0x");
	put_hex((uint32_t)ctl);
	puts_(ctl & CNTV_IMASK ? " imask changed" : " imask kept");
	puts_(got == PPI_VTIMER ? " timer delivered\n" : " timer LOST\n");
	pass_fail("vtimer", filled == 4 && !(ctl & CNTV_IMASK) && (ctl & 4) && got == PPI_VTIMER);
}

/* ---- list-register drift ------------------------------------------------ */

static bool check(const char *name, bool ok, uint32_t got)
{
	puts_("hostile: lr ");
	puts_(name);
	puts_(ok ? " PASS" : " FAIL");
	line_kv("got", got);
	puts_("\n");
	return ok;
}

static void reset_for(unsigned a, unsigned b, bool eoimode)
{
	gic_quiesce();
	enable_irq(a, 0x80);
	if (b != a)
		enable_irq(b, 0x80);
	gic_on(eoimode);
}

/* Made pending, cleared before it is taken: never delivered. */
static bool lr_pending_cleared(void)
{
	reset_for(5, SPI_SPARE, false);
	sgi_self(5);
	wr8(GICD + GICD_CPENDSGIR + 5, 0xff);
	uint32_t sgi = wait_id(20000);
	wr32(GICD + GICD_ISPENDR + 4, 1u << (SPI_SPARE - 32));
	wr32(GICD + GICD_ICPENDR + 4, 1u << (SPI_SPARE - 32));
	uint32_t spi = wait_id(20000);
	bool ok = check("sgi-pending-cleared", sgi == IAR_SPURIOUS, sgi);
	return check("spi-pending-cleared", spi == IAR_SPURIOUS, spi) && ok;
}

/* Taken, priority dropped (EOImode 1), deactivated through ICACTIVER:
 * it can be taken again. */
static bool lr_active_cleared(void)
{
	reset_for(6, 6, true);
	sgi_self(6);
	uint32_t first = gic_poll_iar(hostile_cfg.deadline_us);
	wr32(GICC + GICC_EOIR, first);
	wr32(GICD + GICD_ICACTIVER, 1u << 6);
	sgi_self(6);
	uint32_t again = gic_poll_iar(hostile_cfg.deadline_us);
	if ((again & 0x3ff) != IAR_SPURIOUS) {
		wr32(GICC + GICC_EOIR, again);
		wr32(GICC + GICC_DIR, again);
	}
	return check("active-cleared", (first & 0x3ff) == 6 && (again & 0x3ff) == 6, again & 0x3ff);
}

/* Left active (no EOI, or EOImode 1 without DIR), then the GIC is
 * re-initialised as an OS does (active priorities and ICACTIVER cleared):
 * the interrupt is delivered again. */
static bool lr_reinit(bool eoimode, const char *name)
{
	reset_for(7, 7, eoimode);
	sgi_self(7);
	uint32_t first = gic_poll_iar(hostile_cfg.deadline_us);
	if (eoimode)
		wr32(GICC + GICC_EOIR, first);
	reset_for(7, 7, false); /* not gic_note_active: an OS has no such list */
	sgi_self(7);
	uint32_t again = wait_id(hostile_cfg.deadline_us);
	if (again != IAR_SPURIOUS)
		wr32(GICC + GICC_EOIR, again);
	return check(name, (first & 0x3ff) == 7 && again == 7, again);
}

/* Two interrupts taken and left active (EOImode 1, priority dropped):
 * four more made pending must all still come. */
static bool lr_underflow(void)
{
	gic_quiesce();
	for (unsigned id = 8; id < 14; id++)
		enable_irq(id, 0x80);
	gic_on(true);
	uint32_t stuck[2];
	for (unsigned i = 0; i < 2; i++) {
		sgi_self(8 + i);
		stuck[i] = gic_poll_iar(hostile_cfg.deadline_us);
		wr32(GICC + GICC_EOIR, stuck[i]);
	}
	for (unsigned id = 10; id < 14; id++)
		sgi_self(id);
	uint32_t seen = 0;
	for (unsigned i = 0; i < 4; i++) {
		uint32_t iar = gic_poll_iar(hostile_cfg.deadline_us);
		if ((iar & 0x3ff) == IAR_SPURIOUS)
			break;
		seen |= 1u << (iar & 0x3ff);
		wr32(GICC + GICC_EOIR, iar);
		wr32(GICC + GICC_DIR, iar);
	}
	for (unsigned i = 0; i < 2; i++)
		wr32(GICC + GICC_DIR, stuck[i]);
	return check("underflow", seen == 0x3c00u, seen >> 10);
}

void directed_lr(void)
{
	bool ok = lr_pending_cleared();
	ok = lr_active_cleared() && ok;
	ok = lr_reinit(false, "reinit-no-eoi") && ok;
	ok = lr_reinit(true, "reinit-eoimode1-no-dir") && ok;
	ok = lr_underflow() && ok;
	gic_quiesce();
	pass_fail("lr-drift", ok);
}
