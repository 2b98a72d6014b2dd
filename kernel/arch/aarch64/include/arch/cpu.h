/* SPDX-License-Identifier: MIT */
#ifndef KEEL_ARCH_CPU_H
#define KEEL_ARCH_CPU_H

#include <stdint.h>

static inline void cpu_send_event(void)
{
	__asm__ volatile("dsb ishst\n\tsev" ::: "memory");
}

static inline void cpu_wait_event(void)
{
	__asm__ volatile("wfe" ::: "memory");
}

static inline void cpu_wait_interrupt(void)
{
	__asm__ volatile("dsb sy\n\twfi" ::: "memory");
}

static inline void cpu_irq_enable(void)
{
	__asm__ volatile("msr daifclr, #2" ::: "memory");
}

static inline void cpu_irq_disable(void)
{
	__asm__ volatile("msr daifset, #2" ::: "memory");
}

#endif
