/* SPDX-License-Identifier: MIT */
#include <keel/cap.h>
#include <keel/endpoint.h>
#include <keel/fastpath.h>
#include <keel/kernel.h>
#include <keel/notification.h>
#include <keel/partition.h>
#include <keel/thread_state.h>

/*
 * `next` may take the CPU from the running thread without the scheduler:
 * nothing is pending for it, no ready thread has next's priority or more
 * (so it is what sched_pick would choose, and it needs no slice timer), and
 * next has no budget (so it needs no budget timer). The timer armed now
 * stays right, or fires early, which is harmless.
 */
static bool may_switch_to(const struct sched_cpu *s, const struct thread *next,
                          const struct thread *cur)
{
	return !s->dirty && !s->need_resched && s->current == cur && next->cpu == cur->cpu &&
	       !next->budget && (s->ready_mask >> next->prio) == 0;
}

static void switch_to(struct sched_cpu *s, struct thread *next)
{
	uint64_t now = arch_counter();
	thread_set_state(next, KEEL_TS_RUNNING);
	next->run_start = now;
	s->current = next;
	s->slice_end = now + s->slice_ticks;
}

static struct endpoint *endpoint_of(struct thread *t, unsigned rights, uint64_t *badge)
{
	struct cap *c;
	if (cap_lookup(&t->partition->cspace, regs_arg(&t->regs, 0), KEEL_OBJ_ENDPOINT, rights, &c))
		return NULL;
	*badge = c->badge;
	return c->obj;
}

static bool fast_call(struct sched_cpu *s, struct thread *t)
{
	uint64_t badge;
	struct endpoint *ep = endpoint_of(t, KEEL_R_WRITE, &badge);
	if (!ep || list_empty(&ep->receivers))
		return false;
	struct thread *r = container_of(ep->receivers.next, struct thread, ipc_node);
	if (r->reply_to || !may_switch_to(s, r, t))
		return false;
	list_remove(&r->ipc_node);
	r->blocked_on = NULL;
	ep_set_message(r, regs_args(&t->regs) + 1);
	regs_set(&r->regs, 7, badge);
	thread_set_state(t, KEEL_TS_BLOCKED_REPLY);
	t->reply_from = r;
	r->reply_to = t;
	switch_to(s, r);
	return true;
}

static bool fast_reply_recv(struct sched_cpu *s, struct thread *t)
{
	uint64_t badge;
	struct endpoint *ep = endpoint_of(t, KEEL_R_READ, &badge);
	struct thread *caller = t->reply_to;
	if (!ep || !caller || caller->exit_kind || !list_empty(&ep->senders) ||
	    (ep->bound && ep->bound->bits) || caller->state != KEEL_TS_BLOCKED_REPLY ||
	    !may_switch_to(s, caller, t))
		return false;
	ep_set_message(caller, regs_args(&t->regs) + 1);
	caller->reply_from = NULL;
	t->reply_to = NULL;
	thread_set_state(t, KEEL_TS_BLOCKED_RECV);
	t->blocked_on = ep;
	list_push_back(&ep->receivers, &t->ipc_node);
	switch_to(s, caller);
	return true;
}

bool fastpath_try(struct thread *t)
{
	struct sched_cpu *s = this_sched();
	uint64_t no = regs_sysno(&t->regs);

	if (no == KEEL_SYS_CALL)
		return fast_call(s, t);
	if (no == KEEL_SYS_REPLY_RECV)
		return fast_reply_recv(s, t);
	return false;
}
