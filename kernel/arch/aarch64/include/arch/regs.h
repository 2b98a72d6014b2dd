/* SPDX-License-Identifier: MIT */
/*
 * User register state of a thread, as the EL0 exception entry saves it.
 * Plain C, so the host unit tests use it too. REGS_* in asm.h must match.
 */
#ifndef KEEL_ARCH_REGS_H
#define KEEL_ARCH_REGS_H

#include <stdint.h>

struct arch_regs {
	uint64_t x[31];
	uint64_t sp;     /* SP_EL0 */
	uint64_t pc;     /* ELR_EL2 */
	uint64_t pstate; /* SPSR_EL2 */
	uint64_t tpidr;  /* TPIDR_EL0: musl's thread pointer */
	uint64_t pad;
	uint64_t fp[64]; /* q0..q31, saved only when another thread takes the CPU */
	uint64_t fpsr;
	uint64_t fpcr;
};

_Static_assert(__builtin_offsetof(struct arch_regs, sp) == 248, "asm.h REGS_SP");
_Static_assert(__builtin_offsetof(struct arch_regs, fp) == 288, "asm.h REGS_FP");

#define PSTATE_EL0T 0x0 /* EL0, SP_EL0, all of DAIF unmasked */

static inline void regs_init_user(struct arch_regs *r, uint64_t pc, uint64_t sp, uint64_t arg)
{
	*r = (struct arch_regs){.pc = pc, .sp = sp, .pstate = PSTATE_EL0T};
	r->x[0] = arg;
}

/* System-call view: number in x8, arguments x0..x7, results x0..x7. */
static inline uint64_t regs_sysno(const struct arch_regs *r)
{
	return r->x[8];
}

static inline uint64_t regs_arg(const struct arch_regs *r, unsigned i)
{
	return r->x[i];
}

/* x0..x7 as an array. */
static inline const uint64_t *regs_args(const struct arch_regs *r)
{
	return r->x;
}

static inline void regs_set(struct arch_regs *r, unsigned i, uint64_t v)
{
	r->x[i] = v;
}

#endif
