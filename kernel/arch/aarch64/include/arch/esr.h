/* SPDX-License-Identifier: MIT */
/*
 * Decoding the syndrome (ESR_EL2) of a guest's data abort: which register,
 * how wide, which direction. Plain C so the host unit tests check it.
 */
#ifndef KEEL_ARCH_ESR_H
#define KEEL_ARCH_ESR_H

#include <stdbool.h>
#include <stdint.h>

#define ESR_EC(esr) ((unsigned)((esr) >> 26) & 0x3f)
#define ESR_ISV     (1ull << 24)
#define ESR_SSE     (1ull << 21)
#define ESR_SF      (1ull << 15)
#define ESR_WNR     (1ull << 6)
#define ESR_REG_XZR 31

struct dabt_access {
	unsigned reg;   /* Rt: 0-30, or 31 for xzr/wzr */
	unsigned width; /* bytes: 1, 2, 4 or 8 */
	bool write;
	bool sign_extend; /* a load that sign-extends (ldrsb, ldrsh, ldrsw) */
	bool reg64;       /* into Xt (else Wt: the upper half is zero) */
};

/* false when the syndrome is not valid (ISV = 0: a load pair, writeback,
 * ...), so the access cannot be emulated from the syndrome alone. */
static inline bool esr_dabt_decode(uint64_t esr, struct dabt_access *out)
{
	if (!(esr & ESR_ISV))
		return false;
	out->reg = (unsigned)(esr >> 16) & 0x1f;
	out->width = 1u << ((esr >> 22) & 3);
	out->write = (esr & ESR_WNR) != 0;
	out->sign_extend = !out->write && (esr & ESR_SSE);
	out->reg64 = (esr & ESR_SF) != 0;
	return true;
}

/* The value a load of `width` bytes leaves in its register. */
static inline uint64_t dabt_load_value(const struct dabt_access *a, uint64_t v)
{
	if (a->width == 8)
		return v;
	unsigned bits = 8 * a->width;
	v &= (1ull << bits) - 1;
	if (a->sign_extend && (v >> (bits - 1)))
		v |= ~0ull << bits;
	return a->reg64 ? v : (uint32_t)v;
}

#endif
