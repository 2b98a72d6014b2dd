/* SPDX-License-Identifier: MIT */
/*
 * The thread state machine. Every change of a thread's state goes through
 * thread_set_state, which stops the CPU (CHECK) on a transition the table
 * of thread_state.c does not list: a thread stopped by one CPU that
 * another CPU then queues on an endpoint or puts to sleep is caught there
 * rather than run again later (docs/architecture.md, "Thread states and
 * stops").
 */
#ifndef KEEL_THREAD_STATE_H
#define KEEL_THREAD_STATE_H

#include <stdbool.h>

struct thread;

/* Whether a thread in state `from` may go to state `to` (enum keel_thread_state). */
bool thread_state_legal(unsigned from, unsigned to);
/* t goes to `state`; an illegal transition is a kernel bug and panics. */
void thread_set_state(struct thread *t, unsigned state);
/* The state of a thread just made (thread_init): INACTIVE. */
void thread_state_init(struct thread *t);

#endif
