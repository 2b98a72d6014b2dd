/* SPDX-License-Identifier: MIT */
/*
 * Host fake of kernel/include/keel/arch.h, so the unit tests run the real
 * core code. Console output is captured; the counter and the CPU number are
 * set by the test.
 */
#include "fake_arch.h"

#include <keel/arch.h>
#include <stdlib.h>
#include <string.h>

struct fake_arch fake_arch = {.counter_freq = 1000000};

unsigned arch_cpu_id(void)
{
	return fake_arch.cpu_id;
}

uint64_t arch_counter(void)
{
	return fake_arch.counter;
}

uint64_t arch_counter_freq(void)
{
	return fake_arch.counter_freq;
}

unsigned long arch_irq_save(void)
{
	unsigned long was = fake_arch.irq_masked;
	fake_arch.irq_masked = 1;
	return was;
}

void arch_irq_restore(unsigned long flags)
{
	fake_arch.irq_masked = flags;
}

void arch_cpu_relax(void)
{
}

_Noreturn void arch_halt(void)
{
	abort();
}

void arch_console_write(const char *s, unsigned long n)
{
	size_t room = sizeof(fake_arch.console) - 1 - fake_arch.console_len;
	if (n > room)
		n = room;
	memcpy(fake_arch.console + fake_arch.console_len, s, n);
	fake_arch.console_len += n;
	fake_arch.console[fake_arch.console_len] = '\0';
}

void fake_console_clear(void)
{
	fake_arch.console_len = 0;
	fake_arch.console[0] = '\0';
}
