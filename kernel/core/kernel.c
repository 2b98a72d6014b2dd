/* SPDX-License-Identifier: MIT */
#include <keel/arch.h>
#include <keel/kernel.h>
#include <keel/spinlock.h>

#define SCHED_SLICE_US 2000

struct sched_cpu sched_cpus[KEEL_MAX_CPUS];
static struct spinlock kernel_big_lock = SPINLOCK_INIT;

void kernel_lock(void)
{
	spin_lock(&kernel_big_lock);
}

void kernel_unlock(void)
{
	spin_unlock(&kernel_big_lock);
}

void kernel_sched_init(void)
{
	uint64_t slice = arch_counter_freq() / 1000000 * SCHED_SLICE_US;
	for (unsigned cpu = 0; cpu < KEEL_MAX_CPUS; cpu++)
		sched_init(&sched_cpus[cpu], slice);
}

struct thread *kernel_pick_next(void)
{
	for (;;) {
		struct sched_cpu *s = this_sched();
		uint64_t now = arch_counter();
		struct thread *t = sched_pick(s, now);
		uint64_t ev = sched_next_event(s, now);
		if (ev == SCHED_NO_EVENT)
			arch_timer_stop();
		else
			arch_timer_set(ev);
		if (t)
			return t;
		/* Nothing to run: wait with the lock free so other CPUs can wake us. */
		kernel_unlock();
		arch_idle_wait();
		kernel_lock();
	}
}
