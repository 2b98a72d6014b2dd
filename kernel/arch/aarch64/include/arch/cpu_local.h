/* SPDX-License-Identifier: MIT */
/* Per-CPU data, reached through TPIDR_EL2 (CPU_* offsets in asm.h). */
#ifndef KEEL_ARCH_CPU_LOCAL_H
#define KEEL_ARCH_CPU_LOCAL_H

#include <arch/regs.h>
#include <keel/config.h>
#include <stdint.h>

struct thread;
struct partition;

struct cpu_local {
	uint64_t id;
	struct arch_regs *cur_regs; /* where the EL0 entry saves registers */
	uint64_t kstack_top;
	struct thread *fp_owner;  /* whose FP/SIMD registers the CPU holds */
	struct partition *space;  /* whose stage-2 table VTTBR_EL2 holds */
	struct thread *el1_owner; /* vCPU whose EL1 registers the CPU holds */
	uint64_t hcr;             /* HCR_EL2 as last written */
	uint32_t fp_trapped;      /* CPTR_EL2.TFP is set */
	uint32_t service_el1;     /* EL1 registers are set up for services */
	struct thread *last;      /* the thread the CPU last returned to */
	uint64_t gich_muted;      /* GICH_HCR written 0 for a WFI (vgic_cpu_mute) */
	uint64_t pad[6];          /* one 128-byte slot per CPU (asm.h) */
};

_Static_assert(sizeof(struct cpu_local) == 128, "asm.h CPU_LOCAL_SIZE");

extern struct cpu_local cpu_locals[KEEL_MAX_CPUS];

#include <arch/sysreg.h>

/* This CPU's block: TPIDR_EL2 points at it from boot on. */
static inline struct cpu_local *this_cpu(void)
{
	return (struct cpu_local *)sysreg_read(tpidr_el2);
}

#endif
