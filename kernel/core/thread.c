/* SPDX-License-Identifier: MIT */
#include <keel/endpoint.h>
#include <keel/errno.h>
#include <keel/kernel.h>
#include <keel/notification.h>
#include <keel/thread.h>
#include <keel/thread_state.h>
#include <keel/untyped.h>
#include <string.h>

void thread_init(struct thread *t, uint32_t id)
{
	memset(t, 0, sizeof(*t));
	t->id = id;
	thread_state_init(t);
	list_init(&t->ipc_node);
	list_init(&t->sched_node);
	list_init(&t->partition_node);
}

/* True when t was not placed and now is. */
static bool place(struct thread *t)
{
	if (t->placed)
		return false;
	t->placed = true;
	sched_cpus[t->cpu].placed++;
	return true;
}

static void unplace(struct thread *t)
{
	if (!t->placed)
		return;
	t->placed = false;
	sched_cpus[t->cpu].placed--;
}

void thread_wake(struct thread *t)
{
	struct sched_cpu *s = &sched_cpus[t->cpu];
	bool joins_one = place(t) && s->placed == 2;

	uint64_t now = arch_counter();

	sched_make_ready(s, t, now);
	/* Another CPU must hear of it when t preempts its thread, and also when
	 * t brings it an earlier deadline (a slice end, a replenishment): only
	 * that CPU can set its own timer, which may be off (tickless). And when
	 * t joins a thread that was alone there: a vCPU may be idling in its
	 * guest's WFI, which must trap again, or t, if of lower priority, would
	 * wait for that vCPU's next exit. */
	if (t->cpu != arch_cpu_id() &&
	    (s->need_resched || sched_next_event(s, now) < s->armed_event || joins_one))
		arch_ipi_send(t->cpu);
}

void thread_defer(struct thread *t, uint64_t until)
{
	struct sched_cpu *s = &sched_cpus[t->cpu];
	sched_sleep(s, t, until);
	/* Only that CPU can set its timer, which may be off or set later. */
	if (t->cpu != arch_cpu_id() && sched_next_event(s, arch_counter()) < s->armed_event)
		arch_ipi_send(t->cpu);
}

static bool ends_placement(unsigned state)
{
	return state == KEEL_TS_INACTIVE || state == KEEL_TS_FAULTED || state == KEEL_TS_EXITED;
}

void thread_block(struct thread *t, unsigned state)
{
	struct sched_cpu *s = &sched_cpus[t->cpu];
	bool running_elsewhere = s->current == t && t->cpu != arch_cpu_id();

	sched_remove(s, t);
	thread_set_state(t, state);
	if (ends_placement(state))
		unplace(t);
	/* That CPU is in the thread right now: make it enter the kernel and pick again. */
	if (running_elsewhere)
		arch_ipi_send(t->cpu);
}

void thread_end(struct thread *t, unsigned state)
{
	thread_set_state(t, state);
	unplace(t);
}

void thread_set_result(struct thread *t, long err)
{
	regs_set(&t->regs, 0, (uint64_t)err);
}

void thread_give_up_call(struct thread *caller)
{
	caller->reply_from = NULL;
	if (caller->exit_kind)
		arch_vcpu_exit_abandon(caller);
	else
		thread_set_result(caller, -KEEL_ESRCH);
	thread_wake(caller);
}

void thread_release_partners(struct thread *t)
{
	/* Whoever waits for this thread's reply learns that it will not come. */
	if (t->reply_to) {
		struct thread *caller = t->reply_to;
		t->reply_to = NULL;
		thread_give_up_call(caller);
	}
	if (t->reply_from) {
		t->reply_from->reply_to = NULL;
		t->reply_from = NULL;
	}
}

void thread_stop(struct thread *t)
{
	thread_release_partners(t);
	ep_cancel(t);
	thread_block(t, KEEL_TS_INACTIVE);
}

bool thread_stop_off_cpu(struct thread *t)
{
	/* thread_stop kicks the thread its CPU counts as current; after an
	 * earlier stop, that CPU may still run it without counting it. */
	bool kicked = sched_cpus[t->cpu].current == t;

	thread_stop(t);
	if (!t->on_cpu)
		return true;
	if (!kicked && t->cpu != arch_cpu_id())
		arch_ipi_send(t->cpu);
	return false;
}

void thread_forget_inside(struct thread *t, const struct untyped *u)
{
	if (!t->blocked_on)
		return;
	if (untyped_contains(u, t->blocked_on))
		ep_wait_fail(t);
	else if (t->state == KEEL_TS_BLOCKED_WAIT)
		ntfn_forget_inside(t->blocked_on, u);
	else
		ep_forget_inside(t->blocked_on, u);
}
