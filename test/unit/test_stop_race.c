/* SPDX-License-Identifier: MIT */
/*
 * Stop races (keel/entry.h, core/thread_state.c): a thread on CPU 1
 * takes an exception whose handling waits for the kernel lock while CPU 0
 * stops, pauses, destroys or resets it. The fake arch interleaves the two
 * deterministically: the thread's registers hold its system call (saved
 * by the exception entry, before the lock), CPU 0 makes its calls, then
 * CPU 1 gets the lock and does what arch/aarch64/user.c does with it. A
 * stopped thread's exception must be dropped: it stays stopped, on no
 * endpoint, notification, sleep or ready queue. The world is
 * syscall_world.h's (vmm and its untyped memory).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sanitizer/asan_interface.h>

#include <fake_arch.h>
#include <keel/cap.h>
#include <keel/endpoint.h>
#include <keel/entry.h>
#include <keel/errno.h>
#include <keel/fault.h>
#include <keel/frame.h>
#include <keel/irq.h>
#include <keel/kernel.h>
#include <keel/notification.h>
#include <keel/partition.h>
#include <keel/syscall.h>
#include <keel/thread_state.h>
#include <keel/untyped.h>

#include "syscall_world.h"

/* vmm's slots for the thread under test and its objects. */
#define WORKER 8
#define EP     9
#define NTFN   10
#define PEER   11
#define PART   12

#define WORKER_CPU 1
#define ARG        0x5a5a

/* A thread of vmm's partition (or of partition `part`), started on `cpu`. */
static struct thread *started(unsigned ut, unsigned slot, unsigned part, unsigned cpu)
{
	struct thread *t = make(ut, KEEL_OBJ_THREAD, slot);
	assert_int_equal(call(vmm, KEEL_SYS_THREAD_CONFIG, slot, part, 0x1000, 0x2000, 0), 0);
	assert_int_equal(call(vmm, KEEL_SYS_THREAD_SCHED, slot, 10, 0, 0, cpu), 0);
	assert_int_equal(call(vmm, KEEL_SYS_THREAD_START, slot, 0, 0, 0, 0), 0);
	return t;
}

/* CPU 1 picks the worker and enters it; the worker then traps with system
 * call `no`, whose registers the exception entry saved before the lock. */
static struct thread *worker;

static struct thread *worker_traps(unsigned ut, unsigned part, uint64_t no, uint64_t a0)
{
	struct thread *t = started(ut, WORKER, part, WORKER_CPU);
	worker = t;
	assert_ptr_equal(sched_pick(&sched_cpus[WORKER_CPU], fake_arch.counter), t);
	t->on_cpu = true;
	t->regs.x[0] = a0;
	t->regs.x[1] = ARG;
	t->regs.x[8] = no;
	return t;
}

/* A test that failed before CPU 1 took the lock leaves the worker on it,
 * which would make the fixture's reset busy. */
static int teardown_worker(void **state)
{
	if (worker)
		worker->on_cpu = false;
	worker = NULL;
	return teardown(state);
}

/* What arch/aarch64/user.c does on CPU 1 once it holds the kernel lock for
 * t's system call: true when the call was handled. */
static bool svc_gets_the_lock(struct thread *t)
{
	fake_arch.cpu_id = WORKER_CPU;
	bool live = kernel_entry(t);
	if (live)
		syscall_keel(t);
	fake_arch.cpu_id = 0;
	return live;
}

static bool on_list(const struct list *head, const struct list *node)
{
	for (const struct list *p = head->next; p != head; p = p->next)
		if (p == node)
			return true;
	return false;
}

/* t is in no queue of any kind: nothing can wake it or hand it a message. */
static void assert_held_nowhere(const struct thread *t)
{
	const struct sched_cpu *s = &sched_cpus[t->cpu];
	assert_false(list_linked(&t->ipc_node));
	assert_null(t->blocked_on);
	assert_false(list_linked(&t->sched_node));
	assert_false(on_list(&s->sleeping, &t->sched_node));
	assert_false(on_list(&s->ready[t->prio], &t->sched_node));
	assert_ptr_not_equal(s->current, t);
	assert_null(t->reply_from);
	assert_false(t->on_cpu);
}

/* The call did nothing: no result was written over its first argument. */
static void assert_call_untouched(const struct thread *t, uint64_t a0)
{
	assert_int_equal(t->regs.x[0], a0);
	assert_int_equal(t->regs.x[1], ARG);
}

/* --- the race, per kind of call ------------------------------------------ */

static void a_receive_of_a_stopped_thread_is_dropped(void **state)
{
	(void)state;
	struct endpoint *ep = make(POOL, KEEL_OBJ_ENDPOINT, EP);
	struct thread *t = worker_traps(POOL, 0, KEEL_SYS_RECV, EP);

	assert_int_equal(call(vmm, KEEL_SYS_THREAD_STOP, WORKER, 0, 0, 0, 0), 0);
	bool handled = svc_gets_the_lock(t);

	assert_int_equal(t->state, KEEL_TS_INACTIVE);
	assert_held_nowhere(t);
	assert_int_equal(ep_queue_length(ep), 0);
	assert_call_untouched(t, EP);
	assert_int_equal(sched_cpus[WORKER_CPU].placed, 0);
	assert_false(handled); /* dropped */
}

static void a_sleep_of_a_stopped_thread_is_dropped(void **state)
{
	(void)state;
	struct thread *t = worker_traps(POOL, 0, KEEL_SYS_SLEEP, 100);

	assert_int_equal(call(vmm, KEEL_SYS_THREAD_STOP, WORKER, 0, 0, 0, 0), 0);
	bool handled = svc_gets_the_lock(t);

	assert_int_equal(t->state, KEEL_TS_INACTIVE);
	assert_held_nowhere(t);
	/* Its deadline passes: nothing on CPU 1 to run. */
	fake_arch.counter += 1000;
	assert_null(sched_pick(&sched_cpus[WORKER_CPU], fake_arch.counter));
	assert_int_equal(t->state, KEEL_TS_INACTIVE);
	assert_false(handled); /* dropped */
}

static void a_wait_of_a_stopped_thread_is_dropped(void **state)
{
	(void)state;
	struct notification *n = make(POOL, KEEL_OBJ_NOTIFICATION, NTFN);
	struct thread *t = worker_traps(POOL, 0, KEEL_SYS_WAIT, NTFN);

	assert_int_equal(call(vmm, KEEL_SYS_THREAD_STOP, WORKER, 0, 0, 0, 0), 0);
	bool handled = svc_gets_the_lock(t);

	assert_held_nowhere(t);
	assert_true(list_empty(&n->waiters));
	/* A signal now stays in the notification, taken by no one. */
	assert_int_equal(call(vmm, KEEL_SYS_SIGNAL, NTFN, 0, 0, 0, 0), 0);
	assert_int_equal(t->state, KEEL_TS_INACTIVE);
	assert_call_untouched(t, NTFN);
	assert_false(handled); /* dropped */
}

/* A call that would meet a waiting server at once: the server keeps
 * waiting, with no message and no caller to reply to. */
static void a_call_of_a_stopped_thread_reaches_no_server(void **state)
{
	(void)state;
	struct endpoint *ep = make(POOL, KEEL_OBJ_ENDPOINT, EP);
	struct thread *server = started(POOL, PEER, 0, 0);
	assert_ptr_equal(sched_pick(&sched_cpus[0], fake_arch.counter), server);
	call(server, KEEL_SYS_RECV, EP, 0, 0, 0, 0);
	assert_int_equal(server->state, KEEL_TS_BLOCKED_RECV);
	struct thread *t = worker_traps(POOL, 0, KEEL_SYS_CALL, EP);

	assert_int_equal(call(vmm, KEEL_SYS_THREAD_STOP, WORKER, 0, 0, 0, 0), 0);
	bool handled = svc_gets_the_lock(t);

	assert_held_nowhere(t);
	assert_int_equal(server->state, KEEL_TS_BLOCKED_RECV);
	assert_null(server->reply_to);
	assert_int_equal(ep_queue_length(ep), 1); /* the server alone */
	assert_int_equal(t->state, KEEL_TS_INACTIVE);
	assert_false(handled); /* dropped */
}

/* An exit with a fault endpoint would send its message and leave the
 * thread FAULTED/EXITED: a stopped thread sends nothing. */
static void an_exit_of_a_stopped_thread_sends_no_message(void **state)
{
	(void)state;
	struct endpoint *ep = make(POOL, KEEL_OBJ_ENDPOINT, EP);
	(void)make(POOL, KEEL_OBJ_PARTITION, PART);
	assert_int_equal(call(vmm, KEEL_SYS_PARTITION_CONFIG, PART, SCRATCH_IPA, EP, 7, 0), 0);
	struct thread *t = worker_traps(POOL, PART, KEEL_SYS_THREAD_EXIT, 3);

	assert_int_equal(call(vmm, KEEL_SYS_THREAD_STOP, WORKER, 0, 0, 0, 0), 0);
	bool handled = svc_gets_the_lock(t);

	assert_int_equal(t->state, KEEL_TS_INACTIVE);
	assert_held_nowhere(t);
	assert_int_equal(ep_queue_length(ep), 0);
	assert_false(handled); /* dropped */
}

/* --- stopped and started again before the lock (pause, resume) ------------ */

/* The exception belongs to the run that was stopped: dropped, the thread
 * runs again from its saved registers (on hardware, from the trapping
 * instruction again), once, from its CPU's ready queue. */
static void stopped_and_started_again_runs_from_the_ready_queue(void **state)
{
	(void)state;
	struct endpoint *ep = make(POOL, KEEL_OBJ_ENDPOINT, EP);
	struct thread *t = worker_traps(POOL, 0, KEEL_SYS_RECV, EP);

	assert_int_equal(call(vmm, KEEL_SYS_THREAD_STOP, WORKER, 0, 0, 0, 0), 0);
	assert_int_equal(call(vmm, KEEL_SYS_THREAD_START, WORKER, 0, 0, 0, 0), 0);
	bool handled = svc_gets_the_lock(t);

	assert_int_equal(t->state, KEEL_TS_READY);
	assert_true(on_list(&sched_cpus[WORKER_CPU].ready[t->prio], &t->sched_node));
	assert_int_equal(ep_queue_length(ep), 0);
	assert_call_untouched(t, EP);
	assert_ptr_equal(sched_pick(&sched_cpus[WORKER_CPU], fake_arch.counter), t);
	assert_int_equal(t->state, KEEL_TS_RUNNING);
	assert_true(list_empty(&sched_cpus[WORKER_CPU].ready[t->prio]));
	assert_false(handled); /* dropped */
}

/* --- the other ways to lose a thread -------------------------------------- */

static void a_thread_of_a_destroyed_partition_stays_exited(void **state)
{
	(void)state;
	(void)make(POOL, KEEL_OBJ_PARTITION, PART);
	struct thread *t = worker_traps(POOL, PART, KEEL_SYS_SLEEP, 100);

	assert_int_equal(call(vmm, KEEL_SYS_PARTITION_DESTROY, PART, 0, 0, 0, 0), 0);
	bool handled = svc_gets_the_lock(t);

	assert_int_equal(t->state, KEEL_TS_EXITED);
	assert_held_nowhere(t);
	fake_arch.counter += 1000;
	assert_null(sched_pick(&sched_cpus[WORKER_CPU], fake_arch.counter));
	assert_false(handled); /* dropped */
}

/* A reset that finds the thread on its CPU is refused until the CPU has
 * taken the lock; the exception it then brings is dropped, and the
 * reset goes through. */
static void a_reset_waits_for_the_cpu_then_drops_the_exception(void **state)
{
	(void)state;
	struct endpoint *ep = make(POOL, KEEL_OBJ_ENDPOINT, EP);
	struct thread *t = worker_traps(VM_UT, 0, KEEL_SYS_RECV, EP);
	uint64_t left = free_bytes(vmm, VM_UT);

	assert_int_equal(reset(vmm, VM_UT), -KEEL_EBUSY);
	assert_int_equal(free_bytes(vmm, VM_UT), left);
	bool handled = svc_gets_the_lock(t);
	assert_int_equal(ep_queue_length(ep), 0);
	assert_int_equal(reset(vmm, VM_UT), 0);
	worker = NULL; /* its memory is free */
	assert_int_equal(ep_queue_length(ep), 0);
	assert_true(mapped(vmm_p, SCRATCH_IPA)); /* vmm's own memory is not VM_UT's */
	assert_false(handled);                   /* dropped */
}

/* Stopped but not yet off CPU 1, the thread must not move: started on
 * CPU 0, it would run there while CPU 1 still enters the kernel from it. */
static void a_thread_still_on_its_cpu_cannot_move(void **state)
{
	(void)state;
	(void)make(POOL, KEEL_OBJ_ENDPOINT, EP);
	struct thread *t = worker_traps(POOL, 0, KEEL_SYS_RECV, EP);

	assert_int_equal(call(vmm, KEEL_SYS_THREAD_STOP, WORKER, 0, 0, 0, 0), 0);
	assert_int_equal(call(vmm, KEEL_SYS_THREAD_SCHED, WORKER, 10, 0, 0, 0), -KEEL_EBUSY);
	assert_int_equal(t->cpu, WORKER_CPU);
	bool handled = svc_gets_the_lock(t);
	assert_int_equal(call(vmm, KEEL_SYS_THREAD_SCHED, WORKER, 10, 0, 0, 0), 0);
	assert_int_equal(t->cpu, 0);
	assert_false(handled); /* dropped */
}

/* --- no race: the exception is handled ------------------------------------ */

static void a_running_threads_call_is_handled(void **state)
{
	(void)state;
	struct endpoint *ep = make(POOL, KEEL_OBJ_ENDPOINT, EP);
	struct thread *t = worker_traps(POOL, 0, KEEL_SYS_RECV, EP);

	assert_true(svc_gets_the_lock(t));
	assert_false(t->on_cpu);
	assert_int_equal(t->state, KEEL_TS_BLOCKED_RECV);
	assert_int_equal(ep_queue_length(ep), 1);
	assert_ptr_equal(t->blocked_on, ep);
}

/* The thread preempted meanwhile by a wake-up on its CPU is still that
 * CPU's running thread until it picks again. */
static void a_wake_up_on_its_cpu_does_not_drop_the_call(void **state)
{
	(void)state;
	(void)make(POOL, KEEL_OBJ_ENDPOINT, EP);
	struct thread *t = worker_traps(POOL, 0, KEEL_SYS_SLEEP, 100);
	(void)make(POOL, KEEL_OBJ_THREAD, PEER);
	assert_int_equal(call(vmm, KEEL_SYS_THREAD_CONFIG, PEER, 0, 0x1000, 0x2000, 0), 0);
	assert_int_equal(call(vmm, KEEL_SYS_THREAD_SCHED, PEER, 20, 0, 0, WORKER_CPU), 0);
	assert_int_equal(call(vmm, KEEL_SYS_THREAD_START, PEER, 0, 0, 0, 0), 0);

	assert_true(svc_gets_the_lock(t));
	assert_int_equal(t->state, KEEL_TS_SLEEPING);
	assert_true(on_list(&sched_cpus[WORKER_CPU].sleeping, &t->sched_node));
}

/* --- the state machine ---------------------------------------------------- */

static void only_a_running_thread_blocks_or_sleeps(void **state)
{
	(void)state;
	static const unsigned waits[] = {KEEL_TS_BLOCKED_SEND, KEEL_TS_BLOCKED_RECV,
	                                 KEEL_TS_BLOCKED_WAIT, KEEL_TS_SLEEPING};
	for (unsigned i = 0; i < sizeof(waits) / sizeof(waits[0]); i++) {
		assert_true(thread_state_legal(KEEL_TS_RUNNING, waits[i]));
		for (unsigned from = KEEL_TS_INACTIVE; from <= KEEL_TS_EXITED; from++)
			if (from != KEEL_TS_RUNNING &&
			    !(from == KEEL_TS_BLOCKED_REPLY && waits[i] == KEEL_TS_SLEEPING))
				assert_false(thread_state_legal(from, waits[i]));
	}
	/* A vCPU's exit answered "retry later" sleeps from waiting for that reply. */
	assert_true(thread_state_legal(KEEL_TS_BLOCKED_REPLY, KEEL_TS_SLEEPING));
	/* Waiting for a reply also follows a call taken from the send queue. */
	assert_true(thread_state_legal(KEEL_TS_BLOCKED_SEND, KEEL_TS_BLOCKED_REPLY));
	assert_false(thread_state_legal(KEEL_TS_INACTIVE, KEEL_TS_BLOCKED_REPLY));
}

static void any_thread_stops_and_only_a_stopped_one_starts(void **state)
{
	(void)state;
	for (unsigned from = KEEL_TS_INACTIVE; from <= KEEL_TS_EXITED; from++) {
		assert_true(thread_state_legal(from, KEEL_TS_INACTIVE));
		/* Only the scheduler's pick or the IPC fast path make a thread run. */
		bool may_run = from == KEEL_TS_READY || from == KEEL_TS_BLOCKED_RECV ||
		               from == KEEL_TS_BLOCKED_REPLY;
		assert_int_equal(thread_state_legal(from, KEEL_TS_RUNNING), may_run);
	}
	/* Faulted and exited threads leave only by a stop. */
	assert_false(thread_state_legal(KEEL_TS_FAULTED, KEEL_TS_READY));
	assert_false(thread_state_legal(KEEL_TS_EXITED, KEEL_TS_READY));
	/* A ready thread pushed again would be on its queue twice. */
	assert_false(thread_state_legal(KEEL_TS_READY, KEEL_TS_READY));
	assert_false(thread_state_legal(KEEL_TS_EXITED + 1, KEEL_TS_INACTIVE));
	assert_false(thread_state_legal(KEEL_TS_INACTIVE, KEEL_TS_EXITED + 1));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown_worker)
	        T(a_receive_of_a_stopped_thread_is_dropped),
	        T(a_sleep_of_a_stopped_thread_is_dropped),
	        T(a_wait_of_a_stopped_thread_is_dropped),
	        T(a_call_of_a_stopped_thread_reaches_no_server),
	        T(an_exit_of_a_stopped_thread_sends_no_message),
	        T(stopped_and_started_again_runs_from_the_ready_queue),
	        T(a_thread_of_a_destroyed_partition_stays_exited),
	        T(a_reset_waits_for_the_cpu_then_drops_the_exception),
	        T(a_thread_still_on_its_cpu_cannot_move),
	        T(a_running_threads_call_is_handled),
	        T(a_wake_up_on_its_cpu_does_not_drop_the_call),
	        T(only_a_running_thread_blocks_or_sleeps),
	        T(any_thread_stops_and_only_a_stopped_one_starts),
#undef T
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
