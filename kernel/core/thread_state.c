/* SPDX-License-Identifier: MIT */
#include <keel/panic.h>
#include <keel/thread_state.h>

#define S(state) (1u << KEEL_TS_##state)

/* The states that wake a blocked thread: ready, or throttled when its
 * budget is spent. */
#define WOKEN (S(READY) | S(THROTTLED))

/*
 * For each state, the states it may go to. Any thread may be stopped
 * (INACTIVE). Only RUNNING goes to a blocked or sleeping state: a thread
 * blocks by its own system call or exit, so a thread that is no longer
 * running (stopped while its exception waited for the kernel lock) cannot
 * be queued or put to sleep. The one exception is a vCPU whose exit the
 * service answers "retry later" (KEEL_EXIT_REPLY_RETRY): from waiting for
 * that reply it goes to sleep, still blocked by its own exit. A state
 * without a queue place may be set again (a stop of a stopped thread, the
 * final state of a fault message set as the sender blocks and again as it
 * is taken); THROTTLED is set again when a release finds the thread still
 * in debt.
 */
const uint16_t thread_state_next[THREAD_STATES] = {
        [KEEL_TS_INACTIVE] = S(INACTIVE) | WOKEN | S(FAULTED) | S(EXITED),
        [KEEL_TS_READY] = S(RUNNING) | S(INACTIVE),
        [KEEL_TS_RUNNING] = WOKEN | S(SLEEPING) | S(BLOCKED_SEND) | S(BLOCKED_RECV) |
                            S(BLOCKED_REPLY) | S(BLOCKED_WAIT) | S(INACTIVE) | S(FAULTED) |
                            S(EXITED),
        /* A call taken becomes a wait for the reply; a fault message taken
         * ends the sender. */
        [KEEL_TS_BLOCKED_SEND] = WOKEN | S(BLOCKED_REPLY) | S(FAULTED) | S(EXITED) | S(INACTIVE),
        /* The IPC fast path hands the CPU straight to a receiver or caller. */
        [KEEL_TS_BLOCKED_RECV] = WOKEN | S(RUNNING) | S(INACTIVE),
        /* A vCPU's exit answered "not now" sleeps before it is made again. */
        [KEEL_TS_BLOCKED_REPLY] = WOKEN | S(RUNNING) | S(BLOCKED_REPLY) | S(SLEEPING) | S(INACTIVE),
        [KEEL_TS_BLOCKED_WAIT] = WOKEN | S(INACTIVE),
        [KEEL_TS_SLEEPING] = WOKEN | S(INACTIVE),
        [KEEL_TS_THROTTLED] = WOKEN | S(INACTIVE),
        [KEEL_TS_FAULTED] = S(FAULTED) | S(INACTIVE),
        [KEEL_TS_EXITED] = S(EXITED) | S(INACTIVE),
};

void thread_state_illegal(const struct thread *t, unsigned state)
{
	panic("thread %u: state %u -> %u is not a legal transition", (unsigned)t->id,
	      (unsigned)t->state, state);
}

void thread_state_init(struct thread *t)
{
	t->state = KEEL_TS_INACTIVE;
}
