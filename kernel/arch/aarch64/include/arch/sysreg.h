/* SPDX-License-Identifier: MIT */
#ifndef KEEL_ARCH_SYSREG_H
#define KEEL_ARCH_SYSREG_H

#ifdef __ASSEMBLER__
#define ULL(x) x
#else
#define ULL(x) x##ull
#include <stdint.h>

#define sysreg_read(reg)                                                                           \
	({                                                                                         \
		uint64_t v_;                                                                       \
		__asm__ volatile("mrs %0, " #reg : "=r"(v_));                                      \
		v_;                                                                                \
	})

#define sysreg_write(reg, val)                                                                     \
	do {                                                                                       \
		uint64_t v_ = (val);                                                               \
		__asm__ volatile("msr " #reg ", %0" ::"r"(v_) : "memory");                         \
	} while (0)

#define isb()    __asm__ volatile("isb" ::: "memory")
#define dsb(opt) __asm__ volatile("dsb " #opt ::: "memory")
#define dmb(opt) __asm__ volatile("dmb " #opt ::: "memory")

#endif

/* MPIDR affinity fields Aff3..Aff0, without the U and MT bits. */
#define MPIDR_AFF_MASK ULL(0xff00ffffff)

#define SCTLR_EL2_M    (ULL(1) << 0)
#define SCTLR_EL2_A    (ULL(1) << 1)
#define SCTLR_EL2_C    (ULL(1) << 2)
#define SCTLR_EL2_SA   (ULL(1) << 3)
#define SCTLR_EL2_I    (ULL(1) << 12)
#define SCTLR_EL2_WXN  (ULL(1) << 19)
/* RES1 bits of SCTLR_EL2 when HCR_EL2.E2H is 0. */
#define SCTLR_EL2_RES1 ULL(0x30c50830)

#define HCR_EL2_FMO  (ULL(1) << 3)
#define HCR_EL2_IMO  (ULL(1) << 4)
#define HCR_EL2_AMO  (ULL(1) << 5)
#define HCR_EL2_TWI  (ULL(1) << 13)
#define HCR_EL2_TWE  (ULL(1) << 14)
#define HCR_EL2_RW   (ULL(1) << 31)
/* While no guest runs: EL1 is AArch64, interrupts and SErrors come to EL2. */
#define HCR_EL2_HOST (HCR_EL2_RW | HCR_EL2_AMO | HCR_EL2_IMO | HCR_EL2_FMO)

#endif
