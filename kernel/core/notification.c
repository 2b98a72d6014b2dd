/* SPDX-License-Identifier: MIT */
#include <keel/endpoint.h>
#include <keel/notification.h>
#include <keel/untyped.h>

void notification_init(struct notification *n, uint32_t id)
{
	n->id = id;
	n->bits = 0;
	list_init(&n->waiters);
	n->bound_ep = NULL;
}

void ntfn_signal(struct notification *n, uint64_t badge)
{
	struct list *w = list_pop_front(&n->waiters);

	if (!w) {
		n->bits |= badge;
		if (n->bound_ep && ep_take_signal(n->bound_ep, n->bits))
			n->bits = 0;
		return;
	}
	struct thread *t = container_of(w, struct thread, ipc_node);
	t->blocked_on = NULL;
	regs_set(&t->regs, 0, 0);
	regs_set(&t->regs, 1, n->bits | badge);
	n->bits = 0;
	thread_wake(t);
}

void ntfn_wait(struct notification *n, struct thread *t)
{
	if (n->bits) {
		regs_set(&t->regs, 0, 0);
		regs_set(&t->regs, 1, n->bits);
		n->bits = 0;
		return;
	}
	thread_block(t, KEEL_TS_BLOCKED_WAIT);
	t->blocked_on = n;
	list_push_back(&n->waiters, &t->ipc_node);
}

uint64_t ntfn_poll(struct notification *n)
{
	uint64_t bits = n->bits;
	n->bits = 0;
	return bits;
}

void ntfn_forget_inside(struct notification *n, const struct untyped *u)
{
	if (untyped_contains(u, n->bound_ep))
		n->bound_ep = NULL;
}
