/* SPDX-License-Identifier: MIT */
/* EL1 state of a vCPU, switched by the kernel with the vCPU (user.c). */
#ifndef KEEL_ARCH_VCPU_H
#define KEEL_ARCH_VCPU_H

#include <stdbool.h>
#include <stdint.h>

struct vcpu_sysregs {
	uint64_t sctlr, ttbr0, ttbr1, tcr, mair, amair, vbar, contextidr;
	uint64_t tpidr, tpidrro, sp_el1, elr, spsr, esr, far, afsr0, afsr1;
	uint64_t par, cpacr, cntkctl, csselr, cntv_ctl, cntv_cval;
	uint64_t vmpidr; /* what the guest reads as MPIDR_EL1 */
	/* The guest's OS lock (OSLAR_EL1/OSLSR_EL1, trapped by MDCR_EL2.TDOSA):
	 * its own view only, the CPU's stays locked. Set at reset. */
	bool os_lock;
};

/* A vCPU's share of the GICv2 virtual CPU interface (arch/aarch64/vgic_lr.c):
 * its list registers while it is on a CPU, and the interface state saved
 * while it is off (its listed interrupts then go back to the distributor). */
#define VGIC_LRS 4

struct vgic_cpu {
	uint32_t lr[VGIC_LRS]; /* as last written */
	uint8_t lr_used;       /* bit n: lr[n] holds an interrupt */
	bool dirty;            /* the distributor may have something new for it */
	bool waiting;          /* a deliverable interrupt did not fit */
	bool armed;            /* ... and a maintenance interrupt will say when it can */
	uint32_t hcr, vmcr, apr;
};

/* SCTLR_EL1 at reset: MMU and caches off, RES1 bits. */
#define VCPU_SCTLR_RESET 0x30d00800ull
/* EL1h with D, A, I, F masked, as after reset. */
#define VCPU_PSTATE_EL1H 0x3c5ull

#include <arch/regs.h>

struct thread;
/* vcpu.c, for the context switch and exception entry in user.c: a vCPU's
 * EL1 registers in and out of the CPU, its exits, and the work done on
 * every return to it (pending abort, list registers). */
void vcpu_el1_save(struct vcpu_sysregs *s);
void vcpu_el1_load(const struct vcpu_sysregs *s);
void vcpu_exit(struct thread *t, uint64_t esr);
void vcpu_enter(struct thread *t);
/* HCR_EL2 for t's next run on this CPU. */
uint64_t vcpu_hcr(const struct thread *t);

/* A vCPU at reset: EL1h, MMU off, pc and x0 as the boot protocol wants. */
static inline void vcpu_regs_init(struct arch_regs *r, struct vcpu_sysregs *el1, uint64_t pc,
                                  uint64_t sp, uint64_t x0, unsigned index)
{
	*r = (struct arch_regs){.pc = pc, .pstate = VCPU_PSTATE_EL1H};
	r->x[0] = x0;
	/* MPIDR: Aff0 = vCPU index, bit 31 RES1; the guest's device tree agrees. */
	*el1 = (struct vcpu_sysregs){.sctlr = VCPU_SCTLR_RESET,
	                             .sp_el1 = sp,
	                             .vmpidr = (1ull << 31) | index,
	                             .os_lock = true};
}

#endif
