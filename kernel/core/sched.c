/* SPDX-License-Identifier: MIT */
#include <keel/sched.h>
#include <keel/thread_state.h>
#include <keel_abi.h>

void sched_init(struct sched_cpu *s, uint64_t slice_ticks)
{
	for (unsigned p = 0; p < SCHED_PRIOS; p++)
		list_init(&s->ready[p]);
	list_init(&s->throttled);
	list_init(&s->sleeping);
	s->ready_mask = 0;
	s->current = NULL;
	s->slice_ticks = slice_ticks;
	s->slice_end = 0;
	s->need_resched = false;
	s->dirty = true;
	s->armed_event = SCHED_NO_EVENT;
	s->placed = 0;
}

static int top_ready_prio(const struct sched_cpu *s)
{
	return s->ready_mask ? 63 - __builtin_clzll(s->ready_mask) : -1;
}

static void ready_push(struct sched_cpu *s, struct thread *t, bool front)
{
	s->dirty = true;
	if (front)
		list_push_front(&s->ready[t->prio], &t->sched_node);
	else
		list_push_back(&s->ready[t->prio], &t->sched_node);
	s->ready_mask |= 1ull << t->prio;
	thread_set_state(t, KEEL_TS_READY);
}

static struct thread *ready_pop(struct sched_cpu *s, unsigned prio)
{
	struct list *n = list_pop_front(&s->ready[prio]);
	if (list_empty(&s->ready[prio]))
		s->ready_mask &= ~(1ull << prio);
	return container_of(n, struct thread, sched_node);
}

static bool exhausted(const struct thread *t)
{
	return t->budget && t->remaining <= 0;
}

/* One budget per elapsed period, never more than one budget in hand.
 * (periods * budget <= the time elapsed, so it cannot overflow in practice.) */
static void replenish_if_due(struct thread *t, uint64_t now)
{
	if (!t->budget || now < t->period_start + t->period)
		return;
	uint64_t periods = (now - t->period_start) / t->period;
	t->period_start += periods * t->period;
	t->remaining += (int64_t)(periods * t->budget);
	if (t->remaining > (int64_t)t->budget)
		t->remaining = (int64_t)t->budget;
}

static void throttle(struct sched_cpu *s, struct thread *t)
{
	s->dirty = true;
	thread_set_state(t, KEEL_TS_THROTTLED);
	t->throttle_count++;
	list_push_back(&s->throttled, &t->sched_node);
}

void sched_make_ready(struct sched_cpu *s, struct thread *t, uint64_t now)
{
	replenish_if_due(t, now);
	if (exhausted(t)) {
		throttle(s, t);
		return;
	}
	ready_push(s, t, false);
	if (!s->current || t->prio > s->current->prio)
		s->need_resched = true;
}

void sched_remove(struct sched_cpu *s, struct thread *t)
{
	s->dirty = true;
	if (s->current == t)
		s->current = NULL;
	if (!list_linked(&t->sched_node))
		return;
	bool was_ready = t->state == KEEL_TS_READY;
	list_remove(&t->sched_node);
	if (was_ready && list_empty(&s->ready[t->prio]))
		s->ready_mask &= ~(1ull << t->prio);
}

void sched_sleep(struct sched_cpu *s, struct thread *t, uint64_t until)
{
	s->dirty = true;
	sched_remove(s, t);
	thread_set_state(t, KEEL_TS_SLEEPING);
	t->wake_at = until;
	list_push_back(&s->sleeping, &t->sched_node);
}

void sched_charge(struct sched_cpu *s, uint64_t now)
{
	struct thread *t = s->current;
	if (!t || now < t->run_start)
		return;
	uint64_t ran = now - t->run_start;
	t->used += ran;
	if (t->budget)
		t->remaining -= (int64_t)ran;
	t->run_start = now;
}

static void release_due(struct sched_cpu *s, uint64_t now)
{
	struct list *pos, *tmp;

	list_for_each_safe(pos, tmp, &s->throttled)
	{
		struct thread *t = container_of(pos, struct thread, sched_node);
		if (now >= t->period_start + t->period) {
			list_remove(pos);
			sched_make_ready(s, t, now); /* still in debt: throttled again */
		}
	}
	list_for_each_safe(pos, tmp, &s->sleeping)
	{
		struct thread *t = container_of(pos, struct thread, sched_node);
		if (now >= t->wake_at) {
			list_remove(pos);
			sched_make_ready(s, t, now);
		}
	}
}

/* Whether the running thread keeps the CPU against the best ready one. */
static bool current_keeps_cpu(const struct sched_cpu *s, int top, uint64_t now)
{
	const struct thread *cur = s->current;
	return top < cur->prio || (top == cur->prio && now < s->slice_end);
}

struct thread *sched_pick(struct sched_cpu *s, uint64_t now)
{
	struct thread *cur = s->current;

	release_due(s, now);
	s->need_resched = false;
	s->dirty = false;
	if (cur && cur->state == KEEL_TS_RUNNING) {
		if (exhausted(cur)) {
			throttle(s, cur);
		} else if (current_keeps_cpu(s, top_ready_prio(s), now)) {
			return cur;
		} else {
			/* Preempted by a higher priority: keep its turn. Slice over: go last. */
			ready_push(s, cur, top_ready_prio(s) > cur->prio);
		}
	}
	int top = top_ready_prio(s);
	if (top < 0) {
		s->current = NULL;
		return NULL;
	}
	struct thread *next = ready_pop(s, (unsigned)top);
	thread_set_state(next, KEEL_TS_RUNNING);
	next->run_start = now;
	s->slice_end = now + s->slice_ticks;
	s->current = next;
	return next;
}

void sched_rotate(struct sched_cpu *s, uint64_t now)
{
	(void)now;
	s->slice_end = 0; /* equal priorities go first; a lone thread continues */
	s->need_resched = true;
	s->dirty = true;
}

static uint64_t earlier(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

uint64_t sched_next_event(const struct sched_cpu *s, uint64_t now)
{
	uint64_t ev = SCHED_NO_EVENT;
	const struct thread *cur = s->current;
	const struct list *pos;

	(void)now;
	if (cur && cur->state == KEEL_TS_RUNNING) {
		if (cur->budget)
			ev = earlier(ev,
			             cur->run_start +
			                     (uint64_t)(cur->remaining > 0 ? cur->remaining : 0));
		if (!list_empty(&s->ready[cur->prio]))
			ev = earlier(ev, s->slice_end);
	}
	for (pos = s->throttled.next; pos != &s->throttled; pos = pos->next) {
		const struct thread *t = container_of(pos, struct thread, sched_node);
		ev = earlier(ev, t->period_start + t->period);
	}
	for (pos = s->sleeping.next; pos != &s->sleeping; pos = pos->next)
		ev = earlier(ev, container_of(pos, struct thread, sched_node)->wake_at);
	return ev;
}
