/* SPDX-License-Identifier: MIT */
/* EL1 state of a vCPU, switched by the kernel with the vCPU (user.c). */
#ifndef KEEL_ARCH_VCPU_H
#define KEEL_ARCH_VCPU_H

#include <stdint.h>

struct vcpu_sysregs {
	uint64_t sctlr, ttbr0, ttbr1, tcr, mair, amair, vbar, contextidr;
	uint64_t tpidr, tpidrro, sp_el1, elr, spsr, esr, far, afsr0, afsr1;
	uint64_t par, cpacr, cntkctl, csselr, cntv_ctl, cntv_cval;
};

/* SCTLR_EL1 at reset: MMU and caches off, RES1 bits. */
#define VCPU_SCTLR_RESET 0x30d00800ull
/* EL1h with D, A, I, F masked, as after reset. */
#define VCPU_PSTATE_EL1H 0x3c5ull

#include <arch/regs.h>

/* A vCPU at reset: EL1h, MMU off, pc and x0 as the boot protocol wants. */
static inline void vcpu_regs_init(struct arch_regs *r, struct vcpu_sysregs *el1, uint64_t pc,
                                  uint64_t sp, uint64_t x0)
{
	*r = (struct arch_regs){.pc = pc, .pstate = VCPU_PSTATE_EL1H};
	r->x[0] = x0;
	*el1 = (struct vcpu_sysregs){.sctlr = VCPU_SCTLR_RESET, .sp_el1 = sp};
}

#endif
