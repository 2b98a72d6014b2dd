/* SPDX-License-Identifier: MIT */
/*
 * The random mix: one operation per call, chosen and filled by the seeded
 * generator, so a seed replays exactly (on bare QEMU; under a hypervisor,
 * what interrupts arrive when may differ). IRQs stay masked: what the mix
 * makes pending is only seen through GICC_IAR, by the mix itself or by the
 * next recover phase.
 */
#include "hostile.h"

#define RAM_OUTSIDE 0x50000000ul /* past 256 MiB on bare QEMU, past any Keel test VM */

/* Registers of the distributor, most of them per interrupt. */
static const uint16_t gicd_regs[] = {
        GICD_CTLR,      GICD_TYPER,   GICD_IGROUPR,   GICD_ISENABLER, GICD_ICENABLER,
        GICD_ISPENDR,   GICD_ICPENDR, GICD_ISACTIVER, GICD_ICACTIVER, GICD_IPRIORITYR,
        GICD_ITARGETSR, GICD_ICFGR,   GICD_SGIR,      GICD_CPENDSGIR, GICD_SPENDSGIR,
};
enum { NGICD = sizeof(gicd_regs) / sizeof(gicd_regs[0]) };

static const uint16_t gicc_regs[] = {
        GICC_CTLR,   GICC_PMR,   GICC_BPR,    GICC_IAR,  GICC_EOIR,
        GICC_RPR,    GICC_HPPIR, GICC_ABPR,   GICC_AIAR, GICC_AEOIR,
        GICC_AHPPIR, GICC_APR0,  GICC_NSAPR0, GICC_IIDR, GICC_DIR,
};
enum { NGICC = sizeof(gicc_regs) / sizeof(gicc_regs[0]) };

/* A register offset for `base`: its per-interrupt array at a random line. */
static unsigned long gicd_offset(uint16_t base, unsigned lines)
{
	uint64_t r = rnd();
	switch (base) {
	case GICD_ISENABLER:
	case GICD_ICENABLER:
	case GICD_ISPENDR:
	case GICD_ICPENDR:
	case GICD_ISACTIVER:
	case GICD_ICACTIVER:
	case GICD_IGROUPR: return base + 4 * (r % (lines / 32));
	case GICD_IPRIORITYR:
	case GICD_ITARGETSR: return base + r % lines;
	case GICD_ICFGR: return base + 4 * (r % (lines / 16));
	case GICD_CPENDSGIR:
	case GICD_SPENDSGIR: return base + (r % 16);
	default: return base;
	}
}

/* Mostly few bits, now and then all: a write that sets every enable or
 * pending bit at once is a different test from one that sets one. */
static uint32_t wild_value(void)
{
	uint64_t r = rnd();
	switch (r % 4) {
	case 0: return 1u << (r >> 8) % 32;
	case 1: return (uint32_t)(r >> 16);
	case 2: return (r >> 8 & 1) ? ~0u : 0;
	default: return (uint32_t)(r >> 16) & (uint32_t)(r >> 40);
	}
}

/* A zero byte in GICD_SPENDSGIRn sets nothing (GICv2 4.3.16); QEMU 10
 * marks the SGI pending with no source, then stops on its own assertion
 * (gic_clear_pending_sgi) when the SGI is acknowledged, so the reference
 * could not run past one. Every byte names a source. */
static uint32_t spendsgir_value(uint32_t v)
{
	return v | 0x01010101u;
}

static void gicd_op(void)
{
	unsigned lines = gic_lines();
	uint16_t base = gicd_regs[rnd() % NGICD];
	unsigned long a = GICD + gicd_offset(base, lines);
	bool byte_reg = base == GICD_IPRIORITYR || base == GICD_ITARGETSR ||
	                base == GICD_CPENDSGIR || base == GICD_SPENDSGIR;
	uint64_t r = rnd();
	if (r & 1) {
		crumb(CRUMB_GICD_RD, a & ~3ul, 0);
		(void)rd32(a & ~3ul);
	} else if (byte_reg && (r & 2)) {
		uint8_t b = (uint8_t)(r >> 8);
		b = base == GICD_SPENDSGIR ? (uint8_t)spendsgir_value(b) : b;
		crumb(CRUMB_GICD_WR8, a, b);
		wr8(a, b);
	} else if (base == GICD_SGIR) {
		/* Filter 0 with a target list, 2 self; 3 is reserved. */
		uint32_t v = (uint32_t)(r >> 8 & 3) << 24 | (uint32_t)(r >> 16 & 0xff) << 16 |
		             (uint32_t)(r >> 32 & 0xf);
		crumb(CRUMB_GICD_WR, a, v);
		wr32(a, v);
	} else {
		uint32_t v = wild_value();
		v = base == GICD_SPENDSGIR ? spendsgir_value(v) : v;
		crumb(CRUMB_GICD_WR, a & ~3ul, v);
		wr32(a & ~3ul, v);
	}
}

static void gicc_op(void)
{
	uint16_t off = gicc_regs[rnd() % NGICC];
	uint64_t r = rnd();
	unsigned long a = GICC + off;
	if (off == GICC_IAR || off == GICC_AIAR || (r & 1)) {
		crumb(CRUMB_GICC_RD, a, 0);
		uint32_t v = rd32(a);
		if (off == GICC_IAR || off == GICC_AIAR)
			gic_note_active(v);
		return;
	}
	uint32_t v = wild_value();
	switch (off) {
	case GICC_CTLR: v &= 0x3ff; break; /* EOImode and friends */
	case GICC_EOIR:
	case GICC_AEOIR:
	case GICC_DIR: v = (uint32_t)(r >> 8) % 64; break; /* SGIs, PPIs, first SPIs */
	case GICC_APR0:
	case GICC_NSAPR0: v = 0; break; /* anything but 0 or a value read is UNPREDICTABLE */
	default: break;
	}
	crumb(CRUMB_GICC_WR, a, v);
	wr32(a, v);
}

/* RAM: a scratch buffer written and read back; a word that changed behind
 * the guest's back is reported. */
static uint64_t scratch[2048];

static void ram_op(void)
{
	uint64_t r = rnd();
	unsigned i = (unsigned)(r >> 8) % (sizeof(scratch) / sizeof(scratch[0]));
	crumb(CRUMB_RAM, (uint64_t)&scratch[i], r);
	scratch[i] = r;
	__asm__ volatile("dc civac, %0\n\tdsb sy" ::"r"(&scratch[i]) : "memory");
	if (scratch[i] != r)
		puts_("hostile: FAIL: ram changed\n");
}

/* Outside RAM and between devices: an abort on bare QEMU and under Keel
 * alike (guest_sync steps over it). */
static void outside_op(void)
{
	static const unsigned long at[] = {RAM_OUTSIDE, 0x09001000ul, 0x0c000000ul, 0x7f00000000ul};
	uint64_t r = rnd();
	unsigned long a = at[r % 4] + ((r >> 8) & 0xffc);
	crumb(CRUMB_OUTSIDE, a, r & 4);
	if (r & 4)
		(void)rd32(a);
	else
		wr32(a, (uint32_t)(r >> 16));
}

/* The UART without losing it: status reads and interrupt masks only. */
static void uart_op(void)
{
	static const uint16_t regs[] = {UART_FR, UART_IMSC, UART_RIS, UART_MIS, UART_ICR};
	uint64_t r = rnd();
	uint16_t off = regs[r % 5];
	crumb(CRUMB_UART, UART + off, (uint32_t)(r >> 8) & 0x7ff);
	if (off == UART_IMSC || off == UART_ICR)
		wr32(UART + off, (uint32_t)(r >> 8) & 0x7ff);
	else
		(void)rd32(UART + off);
}

/* A call that legitimately does not return, or stops the VM: not made. */
static bool stops(uint32_t fn)
{
	static const uint32_t ids[] = {0x84000001, 0x84000002, 0x84000008, 0x84000009, 0x8400000b,
	                               0x8400000c, 0x8400000e, 0x84000012, 0x84000015};
	fn &= ~0x40000000u;
	for (unsigned i = 0; i < sizeof(ids) / sizeof(ids[0]); i++)
		if (fn == ids[i])
			return true;
	return false;
}

static void call_op(void)
{
	register uint64_t x0 __asm__("x0"), x1 __asm__("x1"), x2 __asm__("x2"), x3 __asm__("x3");
	uint64_t r = rnd(), fn;
	do {
		fn = (r & 1) ? (0x84000000u | (r >> 8 & 0x1f) | (r >> 16 & 1) << 30) : rnd();
		r = rnd();
	} while (stops((uint32_t)fn) || ((uint32_t)fn & ~0x40000000u) == 0x84000003);
	crumb(CRUMB_CALL, fn, r & 2);
	x0 = fn;
	x1 = rnd();
	x2 = rnd();
	x3 = rnd();
	if (r & 2)
		__asm__ volatile("hvc #0"
		                 : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3)::"x4", "x5", "x6", "x7",
		                   "x8", "x9", "x10", "x11", "x12", "x13", "x14", "x15", "x16",
		                   "x17", "memory");
	else
		__asm__ volatile("smc #0"
		                 : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3)::"x4", "x5", "x6", "x7",
		                   "x8", "x9", "x10", "x11", "x12", "x13", "x14", "x15", "x16",
		                   "x17", "memory");
}

/* WFI needs something to wake it: the timer, on a GIC just set up for it.
 * Whatever else the mix left pending may wake it first; both are fine. */
void chaos_wfi(void)
{
	crumb(CRUMB_WFI, 0, 0);
	gic_quiesce();
	gic_enable_checked();
	__asm__ volatile("msr cntv_cval_el0, %0\n\tmsr cntv_ctl_el0, %1\n\tisb\n\twfi" ::"r"(
	                         counter() + us_to_ticks(200)),
	                 "r"(CNTV_ENABLE)
	                 : "memory");
	__asm__ volatile("msr cntv_ctl_el0, xzr\n\tisb" ::: "memory");
}

void chaos_op(void)
{
	uint64_t r = rnd() % 100;
	if (r < 30)
		gicd_op();
	else if (r < 50)
		gicc_op();
	else if (r < 70)
		sysreg_op();
	else if (r < 78)
		call_op();
	else if (r < 85)
		ram_op();
	else if (r < 92)
		outside_op();
	else if (r < 97)
		uart_op();
	else if (r < 99) {
		crumb(CRUMB_WFE, 0, 0);
		__asm__ volatile("wfe" ::: "memory");
	} else
		chaos_wfi();
}
