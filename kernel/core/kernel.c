/* SPDX-License-Identifier: MIT */
#include <keel/arch.h>
#include <keel/kernel.h>

#define SCHED_SLICE_US 2000

struct sched_cpu sched_cpus[KEEL_MAX_CPUS];

void kernel_sched_init(void)
{
	uint64_t slice = arch_counter_freq() * SCHED_SLICE_US / 1000000;
	for (unsigned cpu = 0; cpu < KEEL_MAX_CPUS; cpu++)
		sched_init(&sched_cpus[cpu], slice);
}

/* Nothing changed since the last decision and no deadline has passed: the
 * running thread simply goes on (the common case of most system calls). */
static bool nothing_to_decide(const struct sched_cpu *s, uint64_t now)
{
	return !s->dirty && !s->need_resched && s->current &&
	       s->current->state == KEEL_TS_RUNNING && now < s->armed_event;
}

static void arm_timer(struct sched_cpu *s, uint64_t ev)
{
	if (ev == s->armed_event)
		return;
	if (ev == SCHED_NO_EVENT)
		arch_timer_stop();
	else
		arch_timer_set(ev);
	s->armed_event = ev;
}

struct thread *kernel_pick_next(void)
{
	for (;;) {
		struct sched_cpu *s = this_sched();
		uint64_t now = arch_counter();
		if (nothing_to_decide(s, now))
			return s->current;
		struct thread *t = sched_pick(s, now);
		arm_timer(s, sched_next_event(s, now));
		if (t)
			return t;
		/* Nothing to run: wait with the lock free so other CPUs can wake us. */
		kernel_unlock();
		arch_idle_wait();
		kernel_lock();
	}
}
