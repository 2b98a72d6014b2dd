/* SPDX-License-Identifier: MIT */
/*
 * Endpoints: synchronous rendezvous. A sender (send or call) and a receiver
 * meet; the message (KEEL_MSG_WORDS registers) and the badge of the
 * sender's capability go straight from one thread's registers to the
 * other's. A caller then waits for the receiver's reply, which only that
 * receiver can give. Whoever arrives first waits in the endpoint's queue,
 * in FIFO order. Clients name the endpoint, never the server thread, so a
 * server can be replaced while its clients' messages wait in the queue.
 */
#ifndef KEEL_ENDPOINT_H
#define KEEL_ENDPOINT_H

#include <keel/list.h>
#include <keel/thread.h>
#include <stdbool.h>
#include <stdint.h>

struct notification;

struct endpoint {
	uint32_t id;
	struct list senders;   /* threads blocked in send or call */
	struct list receivers; /* threads blocked in receive */
	/* Signals of this notification wake a receiver too (EP_BIND), so a
	 * server waits for calls and signals in one place. */
	struct notification *bound;
	/* No server will come (EP_CLOSE): calls and sends fail at once. */
	bool closed;
};

void endpoint_init(struct endpoint *ep, uint32_t id);
/* `t` sends `msg`; with `call`, t then waits for the reply. */
void ep_send(struct endpoint *ep, struct thread *t, const uint64_t *msg, uint64_t badge, bool call);
/* A fault or exit message on the supervisor's endpoint; t stays stopped, in
 * `final_state` (KEEL_TS_FAULTED or KEEL_TS_EXITED). */
void ep_send_fault(struct endpoint *ep, struct thread *t, const uint64_t *msg, uint64_t badge,
                   unsigned final_state);
/* `t` receives: at once if a sender waits, else it blocks. */
void ep_recv(struct endpoint *ep, struct thread *t);
/* `t` replies to its pending caller. 0 or -KEEL_ESRCH if there is none. */
int ep_reply(struct thread *t, const uint64_t *msg);
/* Registers of a completed IPC: x0 = 0, x1..x6 = msg (x7 untouched).
 * Inline: it is on the IPC fast path. */
static inline void ep_set_message(struct thread *to, const uint64_t *msg)
{
	regs_set(&to->regs, 0, 0);
	for (unsigned i = 0; i < KEEL_MSG_WORDS; i++)
		regs_set(&to->regs, 1 + i, msg[i]);
}
/* Bind n to ep; -KEEL_EBUSY if either is bound already. */
int ep_bind(struct endpoint *ep, struct notification *n);
/* A signal for ep's bound notification: handed to a waiting receiver
 * (true), or not (false: the notification keeps the bits). */
bool ep_take_signal(struct endpoint *ep, uint64_t bits);
/* Close ep (no server will answer: every sender waiting fails, and so
 * does every later one, a vCPU's exit as an access where nothing is), or
 * open it again. */
void ep_close(struct endpoint *ep, bool closed);
/* Take `t` off the endpoint or notification queue it waits on, if any. */
void ep_cancel(struct thread *t);
/* The endpoint or notification `t` waits on is destroyed: its wait fails
 * as a call without a reply would (thread_give_up_call), except that a
 * fault or exit message is dropped and its sender stays stopped. */
void ep_wait_fail(struct thread *t);
struct untyped;
/* Untyped reset: a bound notification in u's range is forgotten. */
void ep_forget_inside(struct endpoint *ep, const struct untyped *u);
/* Threads waiting in the endpoint's queues (for `ps`). */
unsigned ep_queue_length(const struct endpoint *ep);

#endif
