/* SPDX-License-Identifier: MIT */
/*
 * Per-CPU fixed-priority scheduler with a budget and period per thread.
 *
 * - Highest priority ready thread runs; equal priorities share the CPU
 *   round-robin, one slice each.
 * - A thread with a budget may run `budget` ticks in every `period`; when it
 *   has used them it is throttled until its period ends, whatever its
 *   priority. So a partition's share is guaranteed (nothing of lower
 *   priority takes it) and bounded (it cannot take more).
 * - Tickless: sched_next_event says when the next decision is due (budget
 *   end, slice end, replenishment, wake-up), and the caller programs the
 *   one-shot timer for exactly that; with one thread and no budget there is
 *   no timer interrupt at all.
 *
 * All functions take `now` and touch no hardware, so the unit tests drive
 * them directly. The caller holds the kernel lock.
 */
#ifndef KEEL_SCHED_H
#define KEEL_SCHED_H

#include <keel/list.h>
#include <keel/thread.h>
#include <stdbool.h>
#include <stdint.h>

#define SCHED_PRIOS    64
#define SCHED_NO_EVENT UINT64_MAX

struct sched_cpu {
	struct list ready[SCHED_PRIOS];
	uint64_t ready_mask; /* bit p: ready[p] non-empty */
	struct list throttled;
	struct list sleeping;
	struct thread *current;
	uint64_t slice_ticks;
	uint64_t slice_end;
	bool need_resched;
	bool dirty;           /* queues changed since the last sched_pick */
	unsigned placed;      /* threads placed here (thread.h): started, not yet stopped */
	uint64_t armed_event; /* what the CPU's timer is set for */
};

void sched_init(struct sched_cpu *s, uint64_t slice_ticks);
/* t becomes runnable (woken, started, replenished). */
void sched_make_ready(struct sched_cpu *s, struct thread *t, uint64_t now);
/* t leaves every scheduler queue (it blocks, stops or moves). */
void sched_remove(struct sched_cpu *s, struct thread *t);
/* t sleeps until `until`. */
void sched_sleep(struct sched_cpu *s, struct thread *t, uint64_t until);
/* Charge the running thread for the time since it was last charged. */
void sched_charge(struct sched_cpu *s, uint64_t now);
/* Decide who runs now; NULL means idle. */
struct thread *sched_pick(struct sched_cpu *s, uint64_t now);
/* The running thread gives up the rest of its slice. */
void sched_rotate(struct sched_cpu *s, uint64_t now);
/* When the next scheduling event is due, or SCHED_NO_EVENT. */
uint64_t sched_next_event(const struct sched_cpu *s, uint64_t now);

#endif
