/* SPDX-License-Identifier: MIT */
/* The arch.h hooks for AArch64 at EL2. */
#include <arch/cpu.h>
#include <arch/cpu_local.h>
#include <arch/sysreg.h>
#include <bsp.h>
#include <keel/arch.h>

struct cpu_local cpu_locals[KEEL_MAX_CPUS] __attribute__((aligned(64)));

unsigned arch_cpu_id(void)
{
	return (unsigned)this_cpu()->id;
}

uint64_t arch_counter(void)
{
	isb(); /* keep the read from being hoisted above earlier instructions */
	return sysreg_read(cntpct_el0);
}

uint64_t arch_counter_freq(void)
{
	return sysreg_read(cntfrq_el0);
}

unsigned long arch_irq_save(void)
{
	unsigned long daif = sysreg_read(daif);
	cpu_irq_disable();
	return daif;
}

void arch_irq_restore(unsigned long flags)
{
	sysreg_write(daif, flags);
}

void arch_cpu_relax(void)
{
	__asm__ volatile("yield" ::: "memory");
}

_Noreturn void arch_halt(void)
{
	cpu_irq_disable();
	for (;;)
		cpu_wait_interrupt();
}

void arch_console_write(const char *s, unsigned long n)
{
	for (unsigned long i = 0; i < n; i++) {
		if (s[i] == '\n')
			uart_putc('\r');
		uart_putc(s[i]);
	}
}
