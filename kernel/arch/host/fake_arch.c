/* SPDX-License-Identifier: MIT */
/*
 * Host fake of kernel/include/keel/arch.h, so the unit tests run the real
 * core code. Console output is captured; the counter and the CPU number are
 * set by the test.
 */
#include "fake_arch.h"

#include <keel/arch.h>
#include <keel/errno.h>
#include <keel/smp.h>
#include <keel/thread.h>
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

void fake_arch_reset(void)
{
	memset(&fake_arch, 0, sizeof(fake_arch));
	fake_arch.counter_freq = 1000000;
}

void fake_ipi_clear(void)
{
	fake_arch.ipi_count = 0;
	memset(fake_arch.ipi_cpu, 0, sizeof(fake_arch.ipi_cpu));
}

void arch_ipi_send(unsigned cpu)
{
	if (fake_arch.ipi_count < FAKE_IPI_LOG)
		fake_arch.ipi_cpu[fake_arch.ipi_count] = cpu;
	fake_arch.ipi_count++;
}

void arch_timer_set(uint64_t deadline)
{
	fake_arch.timer_armed = true;
	fake_arch.timer_deadline = deadline;
	fake_arch.timer_sets++;
}

void arch_timer_stop(void)
{
	fake_arch.timer_armed = false;
	fake_arch.timer_stops++;
}

void arch_cpu_local_init(void)
{
}

void arch_irq_enable(void)
{
	fake_arch.irq_masked = 0;
}

void arch_wait_for_interrupt(void)
{
	fake_arch.wfi_count++;
}

void arch_wait_for_ipi(void)
{
	fake_arch.ipi_waits++;
	if (fake_arch.ipi_wait_hook)
		fake_arch.ipi_wait_hook();
}

void arch_idle_wait(void)
{
	fake_arch.idle_waits++;
	if (!fake_arch.idle_hook)
		abort(); /* kernel_pick_next would wait forever */
	fake_arch.idle_hook();
}

_Noreturn void arch_run_next(void)
{
	abort(); /* would enter a thread: not on the host */
}

void arch_space_flush(unsigned vmid)
{
	fake_arch.space_flushes++;
	fake_arch.last_flushed_vmid = vmid;
}

void arch_memory_reused(uint64_t base, uint64_t size)
{
	fake_arch.memory_reused++;
	fake_arch.reused_base = base;
	fake_arch.reused_size = size;
}

void arch_irq_mask(unsigned intid)
{
	if (intid < FAKE_IRQS)
		fake_arch.irq_unmasked[intid] = false;
}

void arch_irq_unmask(unsigned intid)
{
	if (intid < FAKE_IRQS)
		fake_arch.irq_unmasked[intid] = true;
}

void arch_irq_deactivate(unsigned intid)
{
	if (intid < FAKE_IRQS)
		fake_arch.irq_deactivated[intid]++;
}

int arch_irq_route(unsigned intid, unsigned cpu)
{
	if (intid >= FAKE_IRQS)
		return -KEEL_EINVAL;
	if (fake_arch.irq_route_result)
		return fake_arch.irq_route_result;
	fake_arch.irq_cpu[intid] = cpu;
	fake_arch.irq_unmasked[intid] = true;
	return 0;
}

void arch_vcpu_exit_complete(struct thread *vcpu, const uint64_t *msg)
{
	(void)vcpu;
	(void)msg;
	fake_arch.vcpu_exits_completed++;
}

int arch_vm_init(struct partition *vm)
{
	(void)vm;
	return 0;
}

bool arch_vgic_available(void)
{
	return !fake_arch.vgic_absent;
}

void arch_vcpu_reset(struct thread *vcpu)
{
	(void)vcpu;
}

void arch_vcpu_exit_retry(struct thread *vcpu)
{
	(void)vcpu;
	fake_arch.vcpu_exits_retried++;
}

void arch_vcpu_exit_fail(struct thread *vcpu)
{
	vcpu->exit_kind = 0;
	fake_arch.vcpu_exits_failed++;
}

void arch_vcpu_exit_abandon(struct thread *vcpu)
{
	vcpu->exit_kind = 0;
}

void arch_sync_for_guest(uint64_t phys, uint64_t size)
{
	(void)phys;
	(void)size;
}

/* smp.c starts CPUs on hardware; on the host two are online. */
bool smp_cpu_online(unsigned cpu)
{
	return cpu < 2;
}

unsigned smp_online_count(void)
{
	return 2;
}

/* A panic's reset: the host has no PSCI, so panic halts (arch_halt). */
int arch_system_reset(void)
{
	return -KEEL_ENODEV;
}
