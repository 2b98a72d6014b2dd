/* SPDX-License-Identifier: MIT */
/*
 * The rule of every kernel entry from a thread. Between the exception and
 * the kernel lock, another CPU may have stopped, paused, destroyed or reset
 * the thread (THREAD_STOP, PARTITION_DESTROY, UNTYPED_RESET); handling its
 * exception then would queue a stopped thread on an endpoint or a sleep
 * queue, from where it runs again: a paused vCPU would go on, a rebooted
 * VM would run its old code on its reloaded RAM. (Inline: every system
 * call, exit and interrupt passes here.)
 */
#ifndef KEEL_ENTRY_H
#define KEEL_ENTRY_H

#include <keel/kernel.h>
#include <keel/thread.h>

/*
 * The first thing every exception entry from thread t (the one this CPU
 * was running) does once it holds the kernel lock: t's registers are
 * saved (on_cpu cleared) and its time charged. True when t's own exception
 * (system call, vCPU exit, fault) may be handled; false when another CPU
 * stopped t while this one waited for the lock: the exception is dropped,
 * so that the trapping instruction runs again if t is ever resumed. An
 * interrupt is the CPU's, not t's, and is served either way.
 */
static inline bool kernel_entry(struct thread *t)
{
	struct sched_cpu *s = this_sched();

	t->on_cpu = false;
	sched_charge(s, arch_counter());
	/* Only this CPU makes t its running thread (t->cpu cannot change while
	 * on_cpu), and only a stop takes that away from outside: still
	 * running here, t was not stopped meanwhile, nor stopped and started
	 * again (then it is READY, and its exception belongs to the run that
	 * was stopped). */
	return s->current == t && t->state == KEEL_TS_RUNNING;
}

#endif
