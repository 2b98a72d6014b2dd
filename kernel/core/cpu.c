/* SPDX-License-Identifier: MIT */
#include <keel/arch.h>
#include <keel/config.h>
#include <keel/cpu.h>
#include <keel/kernel.h>
#include <keel/log.h>
#include <keel/timer.h>

#define TIMER_CHECK_DELAY_US   100
/* Generous: under TCG on a loaded host a CPU's thread may not run for a
 * while; the wait ends as soon as the interrupt arrives (about 100 us). */
#define TIMER_CHECK_TIMEOUT_MS 1000

static bool timer_fired[KEEL_MAX_CPUS];

void timer_expired(void)
{
	struct sched_cpu *s = this_sched();

	__atomic_store_n(&timer_fired[arch_cpu_id()], true, __ATOMIC_RELEASE);
	s->need_resched = true;
	/* The arch stopped the timer: whatever the next decision computes, even
	 * the deadline that was armed, must be armed again. */
	s->armed_event = SCHED_NO_EVENT;
}

bool cpu_timer_irq_seen(unsigned cpu)
{
	return cpu < KEEL_MAX_CPUS && __atomic_load_n(&timer_fired[cpu], __ATOMIC_ACQUIRE);
}

static void check_timer_irq(void)
{
	unsigned cpu = arch_cpu_id();
	uint64_t freq = arch_counter_freq();
	uint64_t now = arch_counter();
	uint64_t give_up = now + freq / 1000 * TIMER_CHECK_TIMEOUT_MS;

	arch_timer_set(now + freq / 1000000 * TIMER_CHECK_DELAY_US);
	arch_irq_enable();
	while (!cpu_timer_irq_seen(cpu) && arch_counter() < give_up)
		arch_cpu_relax();
	arch_irq_save();
	arch_timer_stop();
	if (!cpu_timer_irq_seen(cpu))
		log_err("cpu", "cpu%u: EL2 timer interrupt did not arrive", cpu);
}

void cpu_bringup(void)
{
	arch_cpu_local_init();
	check_timer_irq();
}

_Noreturn void cpu_idle(void)
{
	for (;;)
		arch_wait_for_interrupt();
}
