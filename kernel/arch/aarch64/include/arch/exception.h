/* SPDX-License-Identifier: MIT */
#ifndef KEEL_ARCH_EXCEPTION_H
#define KEEL_ARCH_EXCEPTION_H

#include <stdint.h>

/* What vectors.S saves on entry; FRAME_* in asm.h must match. */
struct exc_frame {
	uint64_t x[31];
	uint64_t sp;
	uint64_t elr;
	uint64_t spsr;
	uint64_t esr;
	uint64_t far;
};

_Static_assert(sizeof(struct exc_frame) == 288, "vectors.S frame layout");

/* Vector slot, in table order: {EL2 SP0, EL2 SPx, lower A64, lower A32} x {sync, irq, fiq, serror}.
 */
enum exc_vector {
	VEC_CUR_SP0_SYNC,
	VEC_CUR_SP0_IRQ,
	VEC_CUR_SP0_FIQ,
	VEC_CUR_SP0_SERROR,
	VEC_CUR_SPX_SYNC,
	VEC_CUR_SPX_IRQ,
	VEC_CUR_SPX_FIQ,
	VEC_CUR_SPX_SERROR,
	VEC_LOW64_SYNC,
	VEC_LOW64_IRQ,
	VEC_LOW64_FIQ,
	VEC_LOW64_SERROR,
	VEC_LOW32_SYNC,
	VEC_LOW32_IRQ,
	VEC_LOW32_FIQ,
	VEC_LOW32_SERROR,
};

void exception_dispatch(struct exc_frame *frame, unsigned vector);
const char *esr_class_name(unsigned ec);

#endif
