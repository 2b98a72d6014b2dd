/* SPDX-License-Identifier: MIT */
/* Constants shared by assembly and C. */
#ifndef KEEL_ARCH_ASM_H
#define KEEL_ARCH_ASM_H

#define KEEL_STACK_SIZE 0x4000

/* struct exc_frame layout (exception.h) */
#define FRAME_SP   248
#define FRAME_ELR  256
#define FRAME_ESR  272
#define FRAME_SIZE 288

/* CPTR_EL2 with its RES1 bits and no FP/SIMD trap (TFP = 0). */
#define CPTR_EL2_NOTRAP 0x33ff

#endif
