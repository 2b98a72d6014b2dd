/* SPDX-License-Identifier: MIT */
/*
 * Kernel-wide state: one scheduler per CPU and the kernel lock. Like seL4 on
 * SMP, Keel serialises kernel entries with one lock: every path through the
 * kernel is short and bounded, so a finer scheme would buy little and cost
 * clarity.
 */
#ifndef KEEL_KERNEL_H
#define KEEL_KERNEL_H

#include <keel/arch.h>
#include <keel/bootinfo.h>
#include <keel/config.h>
#include <keel/sched.h>

extern struct sched_cpu sched_cpus[KEEL_MAX_CPUS];

static inline struct sched_cpu *this_sched(void)
{
	return &sched_cpus[arch_cpu_id()];
}

static inline struct thread *current_thread(void)
{
	return this_sched()->current;
}

/* Whether t is the only thread placed on its CPU (thread.h). */
static inline bool thread_alone_on_cpu(const struct thread *t)
{
	return t->placed && sched_cpus[t->cpu].placed == 1;
}

void kernel_lock(void);
void kernel_unlock(void);
void kernel_sched_init(void);
/* With the lock held: the thread this CPU runs next, waiting (lock dropped)
 * while there is none. Programs the CPU's timer for the next event. */
struct thread *kernel_pick_next(void);
/* Create the root service (vmm) from the boot bundle and make it runnable. */
int root_service_start(uint64_t dtb, uint64_t dtb_size, const struct bootinfo *bi);

#endif
