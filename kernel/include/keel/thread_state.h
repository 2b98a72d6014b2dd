/* SPDX-License-Identifier: MIT */
/*
 * The thread state machine. Every change of a thread's state goes through
 * thread_set_state, which panics on a transition the table of
 * thread_state.c does not list: a thread stopped by one CPU that
 * another CPU then queues on an endpoint or puts to sleep is caught there
 * rather than run again later (docs/architecture.md, "Thread states and
 * stops").
 */
#ifndef KEEL_THREAD_STATE_H
#define KEEL_THREAD_STATE_H

#include <keel/thread.h>
#include <stdbool.h>
#include <stdint.h>

#define THREAD_STATES (KEEL_TS_EXITED + 1)

/* Per state, the mask of the states it may go to (thread_state.c). */
extern const uint16_t thread_state_next[THREAD_STATES];

/* Whether a thread in state `from` may go to state `to` (enum keel_thread_state). */
static inline bool thread_state_legal(unsigned from, unsigned to)
{
	return from < THREAD_STATES && to < THREAD_STATES && (thread_state_next[from] & (1u << to));
}
/* A kernel bug: t was to go to `state`, which its state does not allow. */
_Noreturn void thread_state_illegal(const struct thread *t, unsigned state);

/* t goes to `state`. Inline: the IPC fast path changes two states per
 * message. t->state is always a valid index, being written only here. */
static inline void thread_set_state(struct thread *t, unsigned state)
{
	if (!thread_state_legal(t->state, state))
		thread_state_illegal(t, state);
	t->state = (uint8_t)state;
}

/* The state of a thread just made (thread_init): INACTIVE. */
void thread_state_init(struct thread *t);

#endif
