/* SPDX-License-Identifier: MIT */
#ifndef KEEL_ARCH_MMIO_H
#define KEEL_ARCH_MMIO_H

#include <stdint.h>

/*
 * Device registers are mapped Device-nGnRE, so single-copy accesses of the
 * right width are all that is needed; the barriers order them against normal
 * memory (a DMA buffer written before the doorbell, for instance).
 */
static inline uint32_t mmio_read32(uint64_t addr)
{
	uint32_t v = *(volatile uint32_t *)(uintptr_t)addr;
	__asm__ volatile("dmb oshld" ::: "memory");
	return v;
}

static inline void mmio_write32(uint64_t addr, uint32_t v)
{
	__asm__ volatile("dmb oshst" ::: "memory");
	*(volatile uint32_t *)(uintptr_t)addr = v;
}

static inline uint64_t mmio_read64(uint64_t addr)
{
	uint64_t v = *(volatile uint64_t *)(uintptr_t)addr;
	__asm__ volatile("dmb oshld" ::: "memory");
	return v;
}

static inline void mmio_write64(uint64_t addr, uint64_t v)
{
	__asm__ volatile("dmb oshst" ::: "memory");
	*(volatile uint64_t *)(uintptr_t)addr = v;
}

static inline void mmio_write8(uint64_t addr, uint8_t v)
{
	__asm__ volatile("dmb oshst" ::: "memory");
	*(volatile uint8_t *)(uintptr_t)addr = v;
}

#endif
