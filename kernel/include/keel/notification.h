/* SPDX-License-Identifier: MIT */
/*
 * Notifications: asynchronous signals. A signal ORs the badge of the
 * signaller's capability into a word; a waiter gets the accumulated word
 * and clears it. Interrupts reach services this way (irq.c).
 */
#ifndef KEEL_NOTIFICATION_H
#define KEEL_NOTIFICATION_H

#include <keel/list.h>
#include <keel/thread.h>
#include <stdint.h>

struct endpoint;

struct notification {
	uint32_t id;
	uint64_t bits;
	struct list waiters;
	struct endpoint *bound_ep; /* whose receivers its signals also wake */
};

void notification_init(struct notification *n, uint32_t id);
void ntfn_signal(struct notification *n, uint64_t badge);
/* Blocks t unless bits are pending; the result lands in t's x1. */
void ntfn_wait(struct notification *n, struct thread *t);
/* Pending bits, cleared; 0 if none. */
uint64_t ntfn_poll(struct notification *n);
struct untyped;
/* Untyped reset: an endpoint in u's range it is bound to is forgotten. */
void ntfn_forget_inside(struct notification *n, const struct untyped *u);

#endif
