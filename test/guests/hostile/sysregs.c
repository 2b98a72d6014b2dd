/* SPDX-License-Identifier: MIT */
/*
 * System registers a guest may touch and a hypervisor must either give it
 * or emulate consistently: debug (self-hosted, with the OS lock), the PMU
 * and the virtual timer. One random read or write per call. PSTATE.D stays
 * set throughout, so no breakpoint, watchpoint or step fires at EL1 here,
 * on bare QEMU or anywhere; PMU interrupts are never enabled (PMINTENCLR
 * only), so nothing here can raise a level that stays up.
 */
#include "hostile.h"

#define RD(reg)                                                                                    \
	do {                                                                                       \
		uint64_t v_;                                                                       \
		__asm__ volatile("mrs %0, " reg : "=r"(v_)::"memory");                             \
	} while (0)
#define WR(reg, val) __asm__ volatile("msr " reg ", %0\n\tisb" ::"r"((uint64_t)(val)) : "memory")
#define RW(reg, val)                                                                               \
	do {                                                                                       \
		if (write)                                                                         \
			WR(reg, val);                                                              \
		else                                                                               \
			RD(reg);                                                                   \
	} while (0)

/* Breakpoint and watchpoint controls: enabled or not, any privilege,
 * address-match types only (linked and context types are left to the
 * directed mode). */
static uint64_t bcr_value(uint64_t r)
{
	return (r & 1) | (r & 0x6) | (0xful << 5) | (r >> 8 & 0x3) << 14;
}

static uint64_t wcr_value(uint64_t r)
{
	return (r & 1) | (r & 0x6) | (r >> 3 & 3) << 3 | (r >> 8 & 0xff) << 5 |
	       (r >> 20 & 0x1f) << 24;
}

static void debug_op(unsigned which, bool write, uint64_t r)
{
	uint64_t addr = 0x400000ul + (r >> 12 & 0xffffc);
	switch (which) {
	case 0: RW("mdscr_el1", r & (1ul << 0 | 1ul << 13 | 1ul << 15 | 1ul << 12)); break;
	case 1: RW("oslar_el1", r >> 8 & 1); break;
	case 2: RW("osdlr_el1", 0); break; /* DLK=1 powers debug down on hardware */
	case 3: RW("dbgbvr0_el1", addr); break;
	case 4: RW("dbgbcr0_el1", bcr_value(r)); break;
	case 5: RW("dbgbvr1_el1", addr); break;
	case 6: RW("dbgbcr1_el1", bcr_value(r)); break;
	case 7: RW("dbgwvr0_el1", addr); break;
	case 8: RW("dbgwcr0_el1", wcr_value(r)); break;
	case 9: RW("dbgwvr1_el1", addr); break;
	case 10: RW("dbgwcr1_el1", wcr_value(r)); break;
	case 11: RW("mdccint_el1", 0); break;
	case 12: RW("dbgclaimset_el1", r >> 8 & 0xff); break;
	case 13: RW("dbgclaimclr_el1", r >> 8 & 0xff); break;
	default: RD("oslsr_el1"); break;
	}
}

static void pmu_op(unsigned which, bool write, uint64_t r)
{
	switch (which) {
	case 0: RW("pmcr_el0", r & 0x7f); break;
	case 1: RW("pmcntenset_el0", r >> 8 & 0x8000003ful); break;
	case 2: RW("pmcntenclr_el0", r >> 8 & 0x8000003ful); break;
	case 3: RW("pmccntr_el0", r); break;
	case 4: RW("pmuserenr_el0", r >> 8 & 0xf); break;
	case 5: RW("pmselr_el0", r >> 8 & 0x1f); break;
	case 6: RW("pmxevtyper_el0", r >> 8 & 0xfc0003fful); break;
	case 7: RW("pmccfiltr_el0", r & 0xfc000000ul); break;
	case 8: RW("pmovsclr_el0", ~0ul); break;
	case 9: RW("pmevcntr0_el0", r); break;
	case 10: RW("pmevtyper0_el0", r >> 8 & 0xfc0003fful); break;
	case 11: RW("pmintenclr_el1", ~0ul); break;
	default: RD("pmceid0_el0"); break;
	}
}

static void timer_op(unsigned which, bool write, uint64_t r)
{
	switch (which) {
	case 0: RW("cntv_ctl_el0", r & 3); break;
	case 1: RW("cntv_cval_el0", counter() + (r >> 8 & 0xffff)); break;
	case 2: RW("cntv_tval_el0", r >> 8 & 0xffff); break;
	case 3: RW("cntkctl_el1", r & 0x3ff); break;
	case 4: RD("cntvct_el0"); break;
	default: RD("cntpct_el0"); break;
	}
}

void sysreg_op(void)
{
	uint64_t r = rnd();
	bool write = r >> 40 & 1;
	unsigned which = (unsigned)(r >> 41);
	crumb(CRUMB_SYSREG, (r >> 60 & 3) << 8 | which, write);
	unsigned group = (unsigned)(r >> 60 & 3);
	if (group < 2 && (hostile_cfg.skip & SKIP_DEBUG))
		group = 3;
	switch (group) {
	case 0:
	case 1: debug_op(which % 15, write, rnd()); break;
	case 2: pmu_op(which % 13, write, rnd()); break;
	default: timer_op(which % 6, write, rnd()); break;
	}
}
