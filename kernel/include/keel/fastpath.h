/* SPDX-License-Identifier: MIT */
/*
 * IPC fast path: CALL to a waiting server and REPLY_RECV to a waiting
 * client, on one CPU, when the partner is the thread the scheduler would
 * pick anyway. The message goes register to register and the CPU switches
 * straight to the partner, with no scheduler queue touched. Anything else
 * (errors included) falls back to the ordinary path, which has the same
 * semantics.
 */
#ifndef KEEL_FASTPATH_H
#define KEEL_FASTPATH_H

#include <keel/thread.h>
#include <stdbool.h>

/* With the kernel lock held, t the running thread: true if handled. */
bool fastpath_try(struct thread *t);

#endif
