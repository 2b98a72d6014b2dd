/* SPDX-License-Identifier: MIT */
/*
 * The per-CPU scheduler (kernel/core/sched.c): fixed priorities, round-robin
 * slices, budgets and periods, sleepers, tickless next-event computation.
 * Times are plain tick counts.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <keel/sched.h>
#include <keel/thread.h>
#include <keel/thread_state.h>

#define SLICE 10
#define NTH   6

static struct sched_cpu s;
static struct thread th[NTH];

/* thread_init is in thread.c, which this test does not link: do its part. */
static void init_thread(struct thread *t, uint32_t id, uint8_t prio)
{
	memset(t, 0, sizeof(*t));
	t->id = id;
	t->prio = prio;
	t->state = KEEL_TS_INACTIVE;
	list_init(&t->ipc_node);
	list_init(&t->sched_node);
	list_init(&t->partition_node);
}

/* Off the queues as a stop takes it (the caller of sched_remove sets the
 * state), so that it may be made ready again. */
static void stop(struct thread *t)
{
	sched_remove(&s, t);
	thread_set_state(t, KEEL_TS_INACTIVE);
}

/* t, the thread making the call (only a running thread sleeps), sleeps. */
static void call_sleep(struct thread *t, uint64_t until)
{
	t->state = KEEL_TS_RUNNING;
	sched_sleep(&s, t, until);
}

static void budget(struct thread *t, uint64_t b, uint64_t period, uint64_t period_start)
{
	t->budget = b;
	t->period = period;
	t->remaining = (int64_t)b;
	t->period_start = period_start;
}

static int setup(void **state)
{
	(void)state;
	memset(&s, 0xa5, sizeof(s)); /* sched_init must set every field */
	sched_init(&s, SLICE);
	for (unsigned i = 0; i < NTH; i++)
		init_thread(&th[i], 100 + i, 0);
	return 0;
}

static unsigned list_len(const struct list *l)
{
	unsigned n = 0;
	for (const struct list *p = l->next; p != l; p = p->next)
		n++;
	return n;
}

static void init_state(void **state)
{
	(void)state;
	assert_int_equal(s.ready_mask, 0);
	assert_null(s.current);
	assert_int_equal(s.slice_ticks, SLICE);
	assert_false(s.need_resched);
	for (unsigned p = 0; p < SCHED_PRIOS; p++)
		assert_true(list_empty(&s.ready[p]));
	assert_true(list_empty(&s.throttled));
	assert_true(list_empty(&s.sleeping));
	assert_true(s.dirty); /* the first kernel entry decides */
	assert_int_equal(s.armed_event, SCHED_NO_EVENT);
}

static void idle_when_nothing_ready(void **state)
{
	(void)state;
	assert_null(sched_pick(&s, 0));
	assert_null(s.current);
	assert_int_equal(sched_next_event(&s, 0), SCHED_NO_EVENT);
	assert_null(sched_pick(&s, 1000));
}

static void lone_unbudgeted_thread_is_tickless(void **state)
{
	(void)state;
	struct thread *a = &th[0];
	a->prio = 3;
	sched_make_ready(&s, a, 5);
	assert_int_equal(a->state, KEEL_TS_READY);
	assert_true(s.need_resched); /* the CPU was idle */
	assert_int_equal(s.ready_mask, 1ull << 3);

	assert_ptr_equal(sched_pick(&s, 5), a);
	assert_false(s.need_resched);
	assert_int_equal(a->state, KEEL_TS_RUNNING);
	assert_int_equal(a->run_start, 5);
	assert_int_equal(s.slice_end, 5 + SLICE);
	assert_int_equal(s.ready_mask, 0);
	assert_false(list_linked(&a->sched_node));
	/* Nobody to share with and no budget: no timer at all. */
	assert_int_equal(sched_next_event(&s, 5), SCHED_NO_EVENT);
	/* Slice over, but alone: it keeps the CPU. */
	assert_ptr_equal(sched_pick(&s, 5 + 3 * SLICE), a);
	assert_int_equal(a->state, KEEL_TS_RUNNING);
	assert_int_equal(sched_next_event(&s, 5 + 3 * SLICE), SCHED_NO_EVENT);
}

static void higher_priority_preempts_and_preempted_goes_first(void **state)
{
	(void)state;
	struct thread *a = &th[0], *b = &th[1], *hi = &th[2];
	a->prio = 2;
	b->prio = 2;
	hi->prio = 9;

	sched_make_ready(&s, a, 0);
	sched_make_ready(&s, b, 0);
	assert_ptr_equal(sched_pick(&s, 0), a);

	/* Lower or equal priority made ready: no reschedule. */
	struct thread *lo = &th[3], *eq = &th[4];
	lo->prio = 1;
	eq->prio = 2;
	sched_make_ready(&s, lo, 1);
	assert_false(s.need_resched);
	sched_make_ready(&s, eq, 1);
	assert_false(s.need_resched);
	sched_remove(&s, eq);
	assert_ptr_equal(sched_pick(&s, 1), a);

	sched_make_ready(&s, hi, 2);
	assert_true(s.need_resched);
	assert_int_equal(s.ready_mask, (1ull << 9) | (1ull << 2) | (1ull << 1));
	assert_ptr_equal(sched_pick(&s, 2), hi);
	assert_false(s.need_resched);
	assert_int_equal(a->state, KEEL_TS_READY);
	assert_int_equal(list_len(&s.ready[2]), 2);
	/* The preempted thread keeps its turn: it is at the front, ahead of b. */
	assert_ptr_equal(s.ready[2].next, &a->sched_node);

	/* hi blocks: a, not b, runs next, with a fresh slice. */
	sched_remove(&s, hi);
	assert_null(s.current);
	assert_ptr_equal(sched_pick(&s, 4), a);
	assert_int_equal(s.slice_end, 4 + SLICE);
	assert_ptr_equal(sched_pick(&s, 4 + SLICE), b);
	assert_ptr_equal(sched_pick(&s, 4 + 2 * SLICE), a);
}

static void round_robin_only_when_slice_expires(void **state)
{
	(void)state;
	struct thread *a = &th[0], *b = &th[1], *c = &th[2];
	a->prio = b->prio = c->prio = 4;
	sched_make_ready(&s, a, 0);
	sched_make_ready(&s, b, 0);
	sched_make_ready(&s, c, 0);

	assert_ptr_equal(sched_pick(&s, 0), a);
	/* Before slice_end the current keeps the CPU whatever is ready. */
	assert_ptr_equal(sched_pick(&s, SLICE - 1), a);
	assert_int_equal(a->run_start, 0);
	assert_int_equal(sched_next_event(&s, SLICE - 1), SLICE);

	assert_ptr_equal(sched_pick(&s, SLICE), b);
	assert_int_equal(a->state, KEEL_TS_READY);
	/* a went last: behind c. */
	assert_ptr_equal(s.ready[4].next, &c->sched_node);
	assert_ptr_equal(s.ready[4].prev, &a->sched_node);
	assert_int_equal(sched_next_event(&s, SLICE), 2 * SLICE);

	assert_ptr_equal(sched_pick(&s, 2 * SLICE), c);
	assert_ptr_equal(sched_pick(&s, 3 * SLICE), a);
	assert_ptr_equal(sched_pick(&s, 4 * SLICE), b);
	assert_int_equal(s.ready_mask, 1ull << 4);
}

static void lower_priority_never_gets_slice(void **state)
{
	(void)state;
	struct thread *a = &th[0], *lo = &th[1];
	a->prio = 5;
	lo->prio = 4;
	sched_make_ready(&s, a, 0);
	sched_make_ready(&s, lo, 0);
	assert_ptr_equal(sched_pick(&s, 0), a);
	assert_ptr_equal(sched_pick(&s, 10 * SLICE), a);
	/* No equal priority waiting: no slice event. */
	assert_int_equal(sched_next_event(&s, 10 * SLICE), SCHED_NO_EVENT);
	assert_int_equal(lo->state, KEEL_TS_READY);
}

static void budget_exhaustion_throttles_until_replenished(void **state)
{
	(void)state;
	struct thread *a = &th[0], *lo = &th[1];
	a->prio = 7;
	budget(a, 30, 100, 0);
	lo->prio = 1;

	sched_make_ready(&s, a, 0);
	sched_make_ready(&s, lo, 0);
	assert_ptr_equal(sched_pick(&s, 0), a);
	assert_int_equal(sched_next_event(&s, 0), 30); /* budget end */

	sched_charge(&s, 20);
	assert_int_equal(a->remaining, 10);
	assert_int_equal(a->used, 20);
	assert_int_equal(a->run_start, 20);
	assert_ptr_equal(sched_pick(&s, 20), a);
	assert_int_equal(a->throttle_count, 0);
	assert_int_equal(sched_next_event(&s, 20), 30);

	sched_charge(&s, 30);
	assert_int_equal(a->remaining, 0);
	assert_int_equal(a->used, 30);
	/* Out of budget: throttled at this pick although it has the top priority. */
	assert_ptr_equal(sched_pick(&s, 30), lo);
	assert_int_equal(a->state, KEEL_TS_THROTTLED);
	assert_int_equal(a->throttle_count, 1);
	assert_int_equal(s.ready_mask & (1ull << 7), 0);
	assert_ptr_equal(s.throttled.next, &a->sched_node);
	assert_int_equal(sched_next_event(&s, 30), 100); /* replenishment */

	/* Not yet. */
	assert_ptr_equal(sched_pick(&s, 99), lo);
	assert_int_equal(a->state, KEEL_TS_THROTTLED);

	/* period_start + period: released by the pick, full budget, and it preempts lo. */
	assert_ptr_equal(sched_pick(&s, 100), a);
	assert_int_equal(a->state, KEEL_TS_RUNNING);
	assert_int_equal(a->remaining, 30);
	assert_int_equal(a->period_start, 100);
	assert_int_equal(a->throttle_count, 1);
	assert_true(list_empty(&s.throttled));
	assert_int_equal(lo->state, KEEL_TS_READY);
	assert_int_equal(sched_next_event(&s, 100), 130);
}

static void overrun_is_carried_as_debt(void **state)
{
	(void)state;
	struct thread *a = &th[0];
	budget(a, 10, 100, 0);
	sched_make_ready(&s, a, 0);
	assert_ptr_equal(sched_pick(&s, 0), a);
	sched_charge(&s, 25); /* ran past its budget (late timer) */
	assert_int_equal(a->remaining, -15);
	assert_int_equal(a->used, 25);
	sched_charge(&s, 20); /* earlier than run_start: nothing */
	assert_int_equal(a->used, 25);
	assert_int_equal(a->run_start, 25);
	assert_null(sched_pick(&s, 25)); /* throttled; nothing else */
	assert_int_equal(a->state, KEEL_TS_THROTTLED);
	assert_int_equal(a->throttle_count, 1);
	assert_null(s.current);
	/* Charging with nobody running does nothing. */
	sched_charge(&s, 50);
	assert_int_equal(a->used, 25);
	assert_int_equal(sched_next_event(&s, 25), 100);

	/* One budget per period pays the debt first: -15 + 10 is still short. */
	assert_null(sched_pick(&s, 100));
	assert_int_equal(a->state, KEEL_TS_THROTTLED);
	assert_int_equal(a->remaining, -5);
	assert_int_equal(a->period_start, 100);
	assert_int_equal(sched_next_event(&s, 100), 200);
	assert_ptr_equal(sched_pick(&s, 200), a);
	assert_int_equal(a->remaining, 5);
	assert_int_equal(a->period_start, 200);
	assert_int_equal(sched_next_event(&s, 200), 205);
	/* Over the three periods it ran 25 + 5 ticks: never more than its share. */
}

static void replenishment_counts_whole_periods_and_caps(void **state)
{
	(void)state;
	struct thread *a = &th[0];
	budget(a, 10, 100, 0);
	a->remaining = 3;
	/* Not a period yet: nothing added. */
	sched_make_ready(&s, a, 99);
	assert_int_equal(a->remaining, 3);
	assert_int_equal(a->period_start, 0);
	stop(a);
	/* Five periods later: period_start on the period grid, one budget in hand. */
	sched_make_ready(&s, a, 550);
	assert_int_equal(a->period_start, 500);
	assert_int_equal(a->remaining, 10);
	assert_int_equal(a->state, KEEL_TS_READY);
	/* A deep debt is paid by several periods at once. */
	stop(a);
	a->remaining = -25;
	sched_make_ready(&s, a, 830); /* periods 500..800: +30 */
	assert_int_equal(a->period_start, 800);
	assert_int_equal(a->remaining, 5);
	assert_int_equal(a->state, KEEL_TS_READY);
}

static void unbudgeted_thread_is_never_throttled(void **state)
{
	(void)state;
	struct thread *a = &th[0], *lo = &th[1];
	a->prio = 3;
	lo->prio = 0;
	sched_make_ready(&s, a, 0);
	sched_make_ready(&s, lo, 0);
	assert_ptr_equal(sched_pick(&s, 0), a);
	sched_charge(&s, 1000000);
	assert_int_equal(a->used, 1000000);
	assert_int_equal(a->remaining, 0);
	assert_ptr_equal(sched_pick(&s, 1000000), a);
	assert_int_equal(a->throttle_count, 0);
	assert_int_equal(a->state, KEEL_TS_RUNNING);
	assert_int_equal(sched_next_event(&s, 1000000), SCHED_NO_EVENT);
	/* Made ready again with remaining 0: still ready, not throttled. */
	stop(a);
	sched_make_ready(&s, a, 1000001);
	assert_int_equal(a->state, KEEL_TS_READY);
	assert_true(list_empty(&s.throttled));
}

static void make_ready_without_budget_throttles_or_replenishes(void **state)
{
	(void)state;
	struct thread *a = &th[0], *b = &th[1];
	a->prio = b->prio = 6;
	budget(a, 10, 100, 0);
	a->remaining = 0;
	sched_make_ready(&s, a, 50); /* period not over: throttled, not ready */
	assert_int_equal(a->state, KEEL_TS_THROTTLED);
	assert_int_equal(a->throttle_count, 1);
	assert_int_equal(s.ready_mask, 0);
	assert_false(s.need_resched);
	assert_int_equal(sched_next_event(&s, 50), 100);

	budget(b, 10, 100, 0);
	b->remaining = 0;
	sched_make_ready(&s, b, 120); /* period over: replenished and ready */
	assert_int_equal(b->state, KEEL_TS_READY);
	assert_int_equal(b->remaining, 10);
	assert_int_equal(b->period_start, 100); /* the period grid, not the wake-up time */
	assert_int_equal(b->throttle_count, 0);
	assert_int_equal(s.ready_mask, 1ull << 6);
}

static void next_event_budget_end_versus_slice_end(void **state)
{
	(void)state;
	struct thread *a = &th[0], *b = &th[1], *lo = &th[2];
	a->prio = b->prio = 5;
	lo->prio = 1;
	budget(a, 50, 100, 0);
	sched_make_ready(&s, a, 0);
	sched_make_ready(&s, lo, 0);
	assert_ptr_equal(sched_pick(&s, 0), a);
	/* Only a lower priority is ready: the budget end. */
	assert_int_equal(sched_next_event(&s, 0), 50);
	/* An equal priority arrives: the slice end is earlier. */
	sched_make_ready(&s, b, 2);
	assert_int_equal(sched_next_event(&s, 2), SLICE);
	/* Budget almost spent: its end is earlier than the slice end. */
	sched_charge(&s, 7);
	assert_int_equal(a->remaining, 43);
	a->remaining = 1;
	assert_int_equal(sched_next_event(&s, 7), 8);
}

static void next_event_earliest_replenishment_and_sleeper(void **state)
{
	(void)state;
	struct thread *t1 = &th[0], *t2 = &th[1], *z1 = &th[2], *z2 = &th[3];
	budget(t1, 10, 300, 0);
	budget(t2, 10, 200, 0);
	t1->remaining = t2->remaining = 0;
	sched_make_ready(&s, t1, 5);
	sched_make_ready(&s, t2, 5);
	assert_int_equal(sched_next_event(&s, 5), 200);

	call_sleep(z1, 500);
	assert_int_equal(sched_next_event(&s, 5), 200);
	call_sleep(z2, 150);
	assert_int_equal(sched_next_event(&s, 5), 150);
	assert_int_equal(z2->state, KEEL_TS_SLEEPING);
	assert_int_equal(z2->wake_at, 150);

	/* Events are absolute; with nothing running, the events still count. */
	assert_null(sched_pick(&s, 100));
	assert_int_equal(sched_next_event(&s, 100), 150);
	assert_ptr_equal(sched_pick(&s, 150), z2);
	assert_int_equal(sched_next_event(&s, 150), 200);
	sched_remove(&s, z2);
	assert_ptr_equal(sched_pick(&s, 200), t2);
	assert_int_equal(t2->remaining, 10);
	/* t2 runs with a budget: its budget end comes before t1's replenishment. */
	assert_int_equal(sched_next_event(&s, 200), 210);
}

static void sleep_and_wake_at_wake_at(void **state)
{
	(void)state;
	struct thread *a = &th[0], *lo = &th[1];
	a->prio = 8;
	lo->prio = 2;
	sched_make_ready(&s, a, 0);
	sched_make_ready(&s, lo, 0);
	assert_ptr_equal(sched_pick(&s, 0), a);

	sched_sleep(&s, a, 50);
	assert_null(s.current);
	assert_int_equal(a->state, KEEL_TS_SLEEPING);
	assert_int_equal(s.ready_mask, 1ull << 2);
	assert_ptr_equal(sched_pick(&s, 1), lo);
	assert_int_equal(sched_next_event(&s, 1), 50);
	assert_ptr_equal(sched_pick(&s, 49), lo);
	assert_int_equal(a->state, KEEL_TS_SLEEPING);
	/* Due: woken by the pick and, higher, it preempts lo. */
	assert_ptr_equal(sched_pick(&s, 50), a);
	assert_int_equal(a->state, KEEL_TS_RUNNING);
	assert_true(list_empty(&s.sleeping));
	assert_int_equal(lo->state, KEEL_TS_READY);
	assert_int_equal(sched_next_event(&s, 50), SCHED_NO_EVENT);
}

static void remove_keeps_ready_mask_right(void **state)
{
	(void)state;
	struct thread *a = &th[0], *b = &th[1], *c = &th[2], *t = &th[3], *z = &th[4];
	a->prio = b->prio = 4;
	c->prio = 9;
	t->prio = 4;
	budget(t, 10, 100, 0);
	t->remaining = 0;
	sched_make_ready(&s, a, 0);
	sched_make_ready(&s, b, 0);
	sched_make_ready(&s, c, 0);
	sched_make_ready(&s, t, 0); /* throttled */
	call_sleep(z, 70);
	assert_int_equal(s.ready_mask, (1ull << 4) | (1ull << 9));

	sched_remove(&s, a);
	assert_int_equal(s.ready_mask, (1ull << 4) | (1ull << 9));
	assert_false(list_linked(&a->sched_node));
	/* A throttled thread of the same priority leaves: b is still ready. */
	sched_remove(&s, t);
	assert_true(list_empty(&s.throttled));
	assert_int_equal(s.ready_mask, (1ull << 4) | (1ull << 9));
	assert_int_equal(sched_next_event(&s, 0), 70);
	sched_remove(&s, z);
	assert_int_equal(sched_next_event(&s, 0), SCHED_NO_EVENT);
	sched_remove(&s, b);
	assert_int_equal(s.ready_mask, 1ull << 9);
	/* Removing twice, or a thread on no queue, changes nothing. */
	sched_remove(&s, b);
	sched_remove(&s, a);
	assert_int_equal(s.ready_mask, 1ull << 9);

	assert_ptr_equal(sched_pick(&s, 1), c);
	assert_int_equal(s.ready_mask, 0);
	sched_remove(&s, c); /* the running thread */
	assert_null(s.current);
	assert_null(sched_pick(&s, 2));
	/* The released throttled thread is not brought back by a pick. */
	assert_null(sched_pick(&s, 200));
	assert_int_equal(t->state, KEEL_TS_THROTTLED); /* the caller sets the state */
}

static void remove_throttled_thread_of_an_empty_level(void **state)
{
	(void)state;
	struct thread *t = &th[0], *other = &th[1];
	t->prio = 3;
	other->prio = 3;
	budget(t, 5, 50, 0);
	sched_make_ready(&s, t, 0);
	assert_ptr_equal(sched_pick(&s, 0), t);
	sched_charge(&s, 5);
	assert_null(sched_pick(&s, 5));
	assert_int_equal(t->state, KEEL_TS_THROTTLED);
	sched_make_ready(&s, other, 6);
	sched_remove(&s, t);
	assert_int_equal(s.ready_mask, 1ull << 3);
	assert_ptr_equal(sched_pick(&s, 60), other);
	assert_int_equal(sched_next_event(&s, 60), SCHED_NO_EVENT);
}

static void lone_yield_keeps_cpu_over_lower_priority(void **state)
{
	(void)state;
	struct thread *a = &th[0], *lo = &th[2];
	a->prio = 2;
	lo->prio = 1;
	sched_make_ready(&s, a, 0);
	sched_make_ready(&s, lo, 0);
	assert_ptr_equal(sched_pick(&s, 0), a);

	/* Alone at its priority (lo is lower): a yield changes nothing. */
	sched_rotate(&s, 1);
	assert_true(s.need_resched);
	assert_ptr_equal(sched_pick(&s, 1), a);
	assert_false(s.need_resched);

	assert_ptr_equal(sched_pick(&s, 100), a);
	assert_int_equal(lo->state, KEEL_TS_READY);
}

static void yield_gives_cpu_to_equal_priority(void **state)
{
	(void)state;
	struct thread *a = &th[0], *b = &th[1], *c = &th[2];
	a->prio = b->prio = c->prio = 2;
	sched_make_ready(&s, a, 0);
	sched_make_ready(&s, b, 0);
	sched_make_ready(&s, c, 0);
	assert_ptr_equal(sched_pick(&s, 0), a);
	assert_ptr_equal(sched_pick(&s, 3), a); /* inside its slice */
	sched_rotate(&s, 3);
	assert_true(s.need_resched);
	assert_ptr_equal(sched_pick(&s, 3), b);
	assert_int_equal(a->state, KEEL_TS_READY);
	assert_ptr_equal(s.ready[2].prev, &a->sched_node); /* last */
	assert_ptr_equal(s.ready[2].next, &c->sched_node);
	assert_int_equal(s.slice_end, 3 + SLICE); /* b gets a whole slice */
}

static void extreme_priorities(void **state)
{
	(void)state;
	struct thread *top = &th[0], *bottom = &th[1];
	top->prio = SCHED_PRIOS - 1;
	bottom->prio = 0;
	sched_make_ready(&s, bottom, 0);
	sched_make_ready(&s, top, 0);
	assert_int_equal(s.ready_mask, (1ull << 63) | 1ull);
	assert_ptr_equal(sched_pick(&s, 0), top);
	sched_remove(&s, top);
	assert_ptr_equal(sched_pick(&s, 1), bottom);
	assert_int_equal(s.ready_mask, 0);
}

static void released_throttled_thread_runs_in_priority_order(void **state)
{
	(void)state;
	/* Two budgeted threads at different priorities, both throttled; the
	 * replenishment releases both and the higher one runs. */
	struct thread *a = &th[0], *b = &th[1];
	a->prio = 3;
	b->prio = 6;
	budget(a, 10, 100, 0);
	budget(b, 10, 100, 0);
	a->remaining = b->remaining = 0;
	sched_make_ready(&s, a, 10);
	sched_make_ready(&s, b, 10);
	assert_int_equal(list_len(&s.throttled), 2);
	assert_null(sched_pick(&s, 10));
	assert_ptr_equal(sched_pick(&s, 100), b);
	assert_int_equal(a->state, KEEL_TS_READY);
	assert_int_equal(a->remaining, 10);
	assert_true(list_empty(&s.throttled));
}

static void dirty_tracks_queue_changes(void **state)
{
	(void)state;
	struct thread *a = &th[0], *b = &th[1], *z = &th[2];
	a->prio = 4;
	b->prio = 1;
	sched_make_ready(&s, a, 0);
	assert_ptr_equal(sched_pick(&s, 0), a);
	assert_false(s.dirty);
	assert_ptr_equal(sched_pick(&s, 5), a); /* nothing new */
	assert_false(s.dirty);

	sched_make_ready(&s, b, 6); /* even a lower priority */
	assert_true(s.dirty);
	assert_false(s.need_resched);
	assert_ptr_equal(sched_pick(&s, 6), a);
	assert_false(s.dirty);
	call_sleep(z, 50);
	assert_true(s.dirty);
	sched_pick(&s, 7);
	sched_remove(&s, b);
	assert_true(s.dirty);
	sched_pick(&s, 8);
	sched_rotate(&s, 9);
	assert_true(s.dirty);
	sched_pick(&s, 9);
	/* A thread woken straight into throttling changes the next event too. */
	struct thread *t = &th[3];
	budget(t, 5, 100, 0);
	t->remaining = 0;
	assert_false(s.dirty);
	sched_make_ready(&s, t, 10);
	assert_int_equal(t->state, KEEL_TS_THROTTLED);
	assert_true(s.dirty);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup(init_state, setup),
	        cmocka_unit_test_setup(idle_when_nothing_ready, setup),
	        cmocka_unit_test_setup(lone_unbudgeted_thread_is_tickless, setup),
	        cmocka_unit_test_setup(higher_priority_preempts_and_preempted_goes_first, setup),
	        cmocka_unit_test_setup(round_robin_only_when_slice_expires, setup),
	        cmocka_unit_test_setup(lower_priority_never_gets_slice, setup),
	        cmocka_unit_test_setup(budget_exhaustion_throttles_until_replenished, setup),
	        cmocka_unit_test_setup(overrun_is_carried_as_debt, setup),
	        cmocka_unit_test_setup(replenishment_counts_whole_periods_and_caps, setup),
	        cmocka_unit_test_setup(unbudgeted_thread_is_never_throttled, setup),
	        cmocka_unit_test_setup(make_ready_without_budget_throttles_or_replenishes, setup),
	        cmocka_unit_test_setup(next_event_budget_end_versus_slice_end, setup),
	        cmocka_unit_test_setup(next_event_earliest_replenishment_and_sleeper, setup),
	        cmocka_unit_test_setup(sleep_and_wake_at_wake_at, setup),
	        cmocka_unit_test_setup(remove_keeps_ready_mask_right, setup),
	        cmocka_unit_test_setup(remove_throttled_thread_of_an_empty_level, setup),
	        cmocka_unit_test_setup(lone_yield_keeps_cpu_over_lower_priority, setup),
	        cmocka_unit_test_setup(yield_gives_cpu_to_equal_priority, setup),
	        cmocka_unit_test_setup(extreme_priorities, setup),
	        cmocka_unit_test_setup(released_throttled_thread_runs_in_priority_order, setup),
	        cmocka_unit_test_setup(dirty_tracks_queue_changes, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
