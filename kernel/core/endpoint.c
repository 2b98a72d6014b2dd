/* SPDX-License-Identifier: MIT */
#include <keel/arch.h>
#include <keel/endpoint.h>
#include <keel/errno.h>
#include <keel/notification.h>
#include <keel/thread_state.h>
#include <keel/timer.h>
#include <keel/untyped.h>
#include <string.h>

void endpoint_init(struct endpoint *ep, uint32_t id)
{
	ep->id = id;
	list_init(&ep->senders);
	list_init(&ep->receivers);
	ep->bound = NULL;
	ep->closed = false;
}

/* Registers of a receive result: x0 = 0, x1..x6 message, x7 badge. */
static void deliver(struct thread *to, const uint64_t *msg, uint64_t badge)
{
	ep_set_message(to, msg);
	regs_set(&to->regs, 7, badge);
}

/* The sender's side of a completed rendezvous with `receiver`. */
static void sender_done(struct thread *sender, struct thread *receiver, bool call, bool fault)
{
	if (fault) {
		thread_end(sender, sender->ipc_fault_state);
	} else if (call) {
		/* A server that takes a new call without replying to the last one
		 * gives that one up: its caller learns so instead of waiting forever. */
		struct thread *old = receiver->reply_to;
		if (old && old != sender)
			thread_give_up_call(old);
		thread_set_state(sender, KEEL_TS_BLOCKED_REPLY);
		sender->reply_from = receiver;
		receiver->reply_to = sender;
	} else {
		thread_set_result(sender, 0);
	}
}

static void wait_on(struct list *q, struct thread *t, void *ep, unsigned state)
{
	thread_block(t, state);
	t->blocked_on = ep;
	list_push_back(q, &t->ipc_node);
}

/* A send, call or fault message that no server will take. */
static void refuse(struct thread *t, bool fault)
{
	if (fault)
		thread_end(t, t->ipc_fault_state); /* as if it had no fault endpoint */
	else if (t->exit_kind)
		arch_vcpu_exit_fail(t);
	else
		thread_set_result(t, -KEEL_ESRCH);
}

static void send_common(struct endpoint *ep, struct thread *t, const uint64_t *msg, uint64_t badge,
                        bool call, bool fault)
{
	if (ep->closed) {
		refuse(t, fault);
		return;
	}
	struct list *n = list_pop_front(&ep->receivers);

	if (n) {
		struct thread *r = container_of(n, struct thread, ipc_node);
		r->blocked_on = NULL;
		deliver(r, msg, badge);
		if (call || fault)
			thread_block(t, fault ? t->ipc_fault_state : KEEL_TS_BLOCKED_REPLY);
		sender_done(t, r, call, fault);
		thread_wake(r);
		return;
	}
	memcpy(t->ipc_msg, msg, sizeof(t->ipc_msg));
	t->ipc_badge = badge;
	t->ipc_is_call = call;
	t->ipc_is_fault = fault;
	wait_on(&ep->senders, t, ep, KEEL_TS_BLOCKED_SEND);
}

void ep_send(struct endpoint *ep, struct thread *t, const uint64_t *msg, uint64_t badge, bool call)
{
	send_common(ep, t, msg, badge, call, false);
}

void ep_send_fault(struct endpoint *ep, struct thread *t, const uint64_t *msg, uint64_t badge,
                   unsigned final_state)
{
	t->ipc_fault_state = (uint8_t)final_state;
	send_common(ep, t, msg, badge, false, true);
}

/* A receive that returns the bound notification's bits, not a message. */
static void deliver_signal(struct thread *to, uint64_t bits)
{
	const uint64_t msg[KEEL_MSG_WORDS] = {bits};
	deliver(to, msg, KEEL_BADGE_SIGNAL);
}

void ep_recv(struct endpoint *ep, struct thread *t)
{
	struct list *n = list_pop_front(&ep->senders);

	if (!n) {
		/* Messages first: a vCPU waiting for its exit reply matters more. */
		uint64_t bits = ep->bound ? ntfn_poll(ep->bound) : 0;
		if (bits)
			deliver_signal(t, bits);
		else
			wait_on(&ep->receivers, t, ep, KEEL_TS_BLOCKED_RECV);
		return;
	}
	struct thread *s = container_of(n, struct thread, ipc_node);
	s->blocked_on = NULL;
	deliver(t, s->ipc_msg, s->ipc_badge);
	sender_done(s, t, s->ipc_is_call, s->ipc_is_fault);
	if (!s->ipc_is_call && !s->ipc_is_fault)
		thread_wake(s);
}

int ep_reply(struct thread *t, const uint64_t *msg)
{
	struct thread *caller = t->reply_to;

	if (!caller)
		return -KEEL_ESRCH;
	t->reply_to = NULL;
	caller->reply_from = NULL;
	if (caller->exit_kind && msg[1] == KEEL_EXIT_REPLY_RETRY) {
		arch_vcpu_exit_retry(caller);
		caller->exit_kind = 0;
		uint64_t us = msg[2] < KEEL_EXIT_RETRY_MAX_US ? msg[2] : KEEL_EXIT_RETRY_MAX_US;
		thread_defer(caller, arch_counter() + us_to_ticks(us));
		return 0;
	}
	if (caller->exit_kind) {
		arch_vcpu_exit_complete(caller, msg);
		caller->exit_kind = 0;
	} else {
		ep_set_message(caller, msg);
	}
	thread_wake(caller);
	return 0;
}

int ep_bind(struct endpoint *ep, struct notification *n)
{
	if (ep->bound || n->bound_ep)
		return -KEEL_EBUSY;
	ep->bound = n;
	n->bound_ep = ep;
	return 0;
}

bool ep_take_signal(struct endpoint *ep, uint64_t bits)
{
	struct list *n = list_pop_front(&ep->receivers);
	if (!n)
		return false;
	struct thread *r = container_of(n, struct thread, ipc_node);
	r->blocked_on = NULL;
	deliver_signal(r, bits);
	thread_wake(r);
	return true;
}

void ep_close(struct endpoint *ep, bool closed)
{
	struct list *n;

	ep->closed = closed;
	while (closed && (n = list_pop_front(&ep->senders))) {
		struct thread *s = container_of(n, struct thread, ipc_node);
		bool fault = s->ipc_is_fault;
		s->blocked_on = NULL;
		refuse(s, fault);
		if (!fault)
			thread_wake(s);
	}
}

void ep_cancel(struct thread *t)
{
	if (t->blocked_on && list_linked(&t->ipc_node))
		list_remove(&t->ipc_node);
	t->blocked_on = NULL;
}

void ep_wait_fail(struct thread *t)
{
	bool fault = t->state == KEEL_TS_BLOCKED_SEND && t->ipc_is_fault;

	ep_cancel(t);
	if (fault)
		thread_end(t, t->ipc_fault_state); /* as if it had no fault endpoint */
	else
		thread_give_up_call(t);
}

void ep_forget_inside(struct endpoint *ep, const struct untyped *u)
{
	if (untyped_contains(u, ep->bound))
		ep->bound = NULL;
}

unsigned ep_queue_length(const struct endpoint *ep)
{
	unsigned n = 0;
	for (const struct list *p = ep->senders.next; p != &ep->senders; p = p->next)
		n++;
	for (const struct list *p = ep->receivers.next; p != &ep->receivers; p = p->next)
		n++;
	return n;
}
