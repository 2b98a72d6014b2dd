/* SPDX-License-Identifier: MIT */
/*
 * Endpoints and notifications (kernel/core/endpoint.c, notification.c) with
 * the real threads, scheduler and per-CPU state (thread.c, sched.c,
 * kernel.c) on fake CPUs: fake_arch.cpu_id is the CPU the kernel runs on,
 * fake_arch.counter the time, and arch_ipi_send is recorded.
 */
#define _POSIX_C_SOURCE 200809L /* alarm() */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <fake_arch.h>
#include <keel/endpoint.h>
#include <keel/errno.h>
#include <keel/fault.h>
#include <keel/kernel.h>
#include <keel/notification.h>
#include <keel/partition.h>
#include <keel/sched.h>
#include <keel/thread.h>
#include <keel/timer.h>

#define NTH    8
#define POISON 0xdeadbeefcafef00dull
#define NOW    1000

static struct thread th[NTH];
static struct endpoint ep;
static struct notification nt;

static const uint64_t msg1[KEEL_MSG_WORDS] = {11, 12, 13, 14, 15, 16};
static const uint64_t msg2[KEEL_MSG_WORDS] = {21, 22, 23, 24, 25, 26};
static const uint64_t msg3[KEEL_MSG_WORDS] = {31, 32, 33, 34, 35, 36};
static const uint64_t reply[KEEL_MSG_WORDS] = {0x100, 0x200, 0x300, 0x400, 0x500, 0x600};

static int setup(void **state)
{
	(void)state;
	fake_arch_reset();
	fake_arch.counter = NOW;
	kernel_sched_init();
	for (unsigned i = 0; i < NTH; i++) {
		thread_init(&th[i], 1 + i);
		for (unsigned r = 0; r < 31; r++)
			th[i].regs.x[r] = POISON;
	}
	endpoint_init(&ep, 7);
	notification_init(&nt, 9);
	return 0;
}

/* The kernel lock, taken through these so that a failed assertion (which
 * leaves the test early) does not leave it held for the next test. */
static bool holding_lock;

static void lock(void)
{
	kernel_lock();
	holding_lock = true;
}

static void unlock(void)
{
	holding_lock = false;
	kernel_unlock();
}

static int teardown(void **state)
{
	(void)state;
	if (holding_lock)
		unlock();
	alarm(0);
	return 0;
}

static struct sched_cpu *cpu(unsigned n)
{
	return &sched_cpus[n];
}

/* t becomes the running thread of `c`, and that CPU is the one in the kernel. */
static void run(struct thread *t, unsigned c, uint8_t prio)
{
	t->cpu = (uint16_t)c;
	t->prio = prio;
	sched_make_ready(cpu(c), t, fake_arch.counter);
	assert_ptr_equal(sched_pick(cpu(c), fake_arch.counter), t);
	assert_int_equal(t->state, KEEL_TS_RUNNING);
	fake_arch.cpu_id = c;
	fake_ipi_clear();
}

static void assert_msg(const struct thread *t, const uint64_t *msg, uint64_t badge)
{
	assert_int_equal(t->regs.x[0], 0);
	for (unsigned i = 0; i < KEEL_MSG_WORDS; i++)
		assert_int_equal(t->regs.x[1 + i], msg[i]);
	assert_int_equal(t->regs.x[7], badge);
}

static void assert_on_no_queue(const struct thread *t)
{
	assert_false(list_linked(&t->ipc_node));
	assert_null(t->blocked_on);
}

/* --- endpoints ---------------------------------------------------------------- */

static void recv_first_then_send(void **state)
{
	(void)state;
	struct thread *s = &th[0], *c = &th[1];
	run(s, 0, 10);
	ep_recv(&ep, s);
	assert_int_equal(s->state, KEEL_TS_BLOCKED_RECV);
	assert_ptr_equal(s->blocked_on, &ep);
	assert_true(list_linked(&s->ipc_node));
	assert_int_equal(ep_queue_length(&ep), 1);
	assert_null(cpu(0)->current);

	run(c, 0, 5);
	ep_send(&ep, c, msg1, 0xb1, false);
	assert_msg(s, msg1, 0xb1);
	assert_int_equal(s->state, KEEL_TS_READY);
	assert_on_no_queue(s);
	assert_int_equal(ep_queue_length(&ep), 0);
	/* The sender goes on running with result 0; nobody owes anybody a reply. */
	assert_int_equal(c->regs.x[0], 0);
	assert_int_equal(c->regs.x[1], POISON);
	assert_int_equal(c->state, KEEL_TS_RUNNING);
	assert_ptr_equal(cpu(0)->current, c);
	assert_null(c->reply_from);
	assert_null(s->reply_to);
	/* The receiver has the higher priority: it takes the CPU at once. */
	assert_true(cpu(0)->need_resched);
	assert_ptr_equal(sched_pick(cpu(0), NOW), s);
	assert_int_equal(fake_arch.ipi_count, 0);
}

static void send_first_then_recv_in_fifo_order(void **state)
{
	(void)state;
	struct thread *s = &th[0], *c1 = &th[1], *c2 = &th[2], *c3 = &th[3];
	const uint64_t *msgs[] = {msg1, msg2, msg3};
	struct thread *cs[] = {c1, c2, c3};

	for (unsigned i = 0; i < 3; i++) {
		run(cs[i], 0, 5);
		ep_send(&ep, cs[i], msgs[i], 0xa0 + i, false);
		assert_int_equal(cs[i]->state, KEEL_TS_BLOCKED_SEND);
		assert_ptr_equal(cs[i]->blocked_on, &ep);
		assert_null(cpu(0)->current);
		assert_int_equal(cs[i]->regs.x[0], POISON); /* no result yet */
	}
	assert_int_equal(ep_queue_length(&ep), 3);

	run(s, 0, 10);
	for (unsigned i = 0; i < 3; i++) {
		ep_recv(&ep, s);
		assert_msg(s, msgs[i], 0xa0 + i);
		assert_int_equal(s->state, KEEL_TS_RUNNING); /* a sender waited: no blocking */
		assert_ptr_equal(cpu(0)->current, s);
		assert_int_equal(cs[i]->state, KEEL_TS_READY);
		assert_int_equal(cs[i]->regs.x[0], 0);
		assert_on_no_queue(cs[i]);
		for (unsigned j = i + 1; j < 3; j++)
			assert_int_equal(cs[j]->state, KEEL_TS_BLOCKED_SEND);
		assert_int_equal(ep_queue_length(&ep), 2 - i);
	}
	/* Woken in the order they sent. */
	assert_ptr_equal(cpu(0)->ready[5].next, &c1->sched_node);
	assert_ptr_equal(cpu(0)->ready[5].prev, &c3->sched_node);

	/* Queue empty: the next receive blocks. */
	ep_recv(&ep, s);
	assert_int_equal(s->state, KEEL_TS_BLOCKED_RECV);
	assert_int_equal(ep_queue_length(&ep), 1);
	assert_int_equal(fake_arch.ipi_count, 0);
}

static void call_then_recv_then_reply(void **state)
{
	(void)state;
	struct thread *s = &th[0], *c = &th[1];
	run(c, 0, 5);
	ep_send(&ep, c, msg1, 0x55, true);
	assert_int_equal(c->state, KEEL_TS_BLOCKED_SEND);
	assert_true(c->ipc_is_call);

	run(s, 0, 10);
	ep_recv(&ep, s);
	assert_msg(s, msg1, 0x55);
	assert_int_equal(c->state, KEEL_TS_BLOCKED_REPLY);
	assert_ptr_equal(c->reply_from, s);
	assert_ptr_equal(s->reply_to, c);
	assert_on_no_queue(c);
	assert_false(list_linked(&c->sched_node)); /* not runnable */
	assert_int_equal(cpu(0)->ready_mask, 0);
	assert_int_equal(c->regs.x[0], POISON);

	assert_int_equal(ep_reply(s, reply), 0);
	assert_int_equal(c->regs.x[0], 0);
	for (unsigned i = 0; i < KEEL_MSG_WORDS; i++)
		assert_int_equal(c->regs.x[1 + i], reply[i]);
	assert_int_equal(c->state, KEEL_TS_READY);
	assert_null(c->reply_from);
	assert_null(s->reply_to);
	assert_ptr_equal(cpu(0)->current, s);
	assert_false(cpu(0)->need_resched); /* the caller has the lower priority */
	/* One reply per call. */
	assert_int_equal(ep_reply(s, msg2), -KEEL_ESRCH);
	assert_int_equal(c->regs.x[1], reply[0]);
}

static void recv_then_call_then_reply(void **state)
{
	(void)state;
	struct thread *s = &th[0], *c = &th[1];
	run(s, 0, 3);
	ep_recv(&ep, s);

	run(c, 0, 3);
	ep_send(&ep, c, msg2, 0x66, true);
	assert_msg(s, msg2, 0x66);
	assert_int_equal(s->state, KEEL_TS_READY);
	assert_int_equal(c->state, KEEL_TS_BLOCKED_REPLY);
	assert_null(cpu(0)->current); /* the caller left the CPU */
	assert_ptr_equal(c->reply_from, s);
	assert_ptr_equal(s->reply_to, c);
	assert_false(list_linked(&c->sched_node));
	assert_int_equal(c->regs.x[0], POISON);

	assert_ptr_equal(sched_pick(cpu(0), NOW), s);
	assert_int_equal(ep_reply(s, reply), 0);
	assert_int_equal(c->regs.x[0], 0);
	assert_int_equal(c->regs.x[6], reply[5]);
	assert_int_equal(c->state, KEEL_TS_READY);
	assert_null(c->reply_from);
	assert_null(s->reply_to);
}

static void second_call_without_reply_fails_the_first_caller(void **state)
{
	(void)state;
	struct thread *s = &th[0], *c1 = &th[1], *c2 = &th[2];
	run(c1, 0, 5);
	ep_send(&ep, c1, msg1, 1, true);
	run(c2, 1, 5);
	ep_send(&ep, c2, msg2, 2, true);
	run(s, 0, 10);
	ep_recv(&ep, s); /* takes c1's call */
	assert_ptr_equal(s->reply_to, c1);
	fake_ipi_clear();
	ep_recv(&ep, s); /* receives again without replying: takes c2's call */
	assert_msg(s, msg2, 2);
	assert_ptr_equal(s->reply_to, c2);
	assert_ptr_equal(c2->reply_from, s);
	assert_int_equal(c2->state, KEEL_TS_BLOCKED_REPLY);
	/* c1 is given up: it learns so instead of waiting for ever. */
	assert_null(c1->reply_from);
	assert_int_equal(c1->regs.x[0], (uint64_t)-KEEL_ESRCH);
	assert_int_equal(c1->state, KEEL_TS_READY);
	assert_int_equal(fake_arch.ipi_count, 0);

	/* Stopping c1 now must not touch the server's link to c2. */
	thread_stop(c1);
	assert_ptr_equal(s->reply_to, c2);
	assert_int_equal(ep_reply(s, reply), 0);
	assert_int_equal(c2->state, KEEL_TS_READY);
	assert_int_equal(c2->regs.x[1], reply[0]);
	assert_int_equal(fake_arch.ipi_count, 1); /* c2 waits on CPU 1 */
	assert_int_equal(fake_arch.ipi_cpu[0], 1);
	assert_int_equal(c1->regs.x[1], POISON);
}

static void reply_without_caller(void **state)
{
	(void)state;
	struct thread *s = &th[0], *c = &th[1];
	run(s, 0, 3);
	c->regs.x[1] = 1;
	assert_int_equal(ep_reply(s, reply), -KEEL_ESRCH);
	assert_int_equal(s->regs.x[0], POISON);
	assert_int_equal(s->regs.x[1], POISON);
	assert_int_equal(s->state, KEEL_TS_RUNNING);
	/* A plain send leaves no reply owed either. */
	ep_recv(&ep, s);
	run(c, 0, 1);
	ep_send(&ep, c, msg1, 0, false);
	assert_ptr_equal(sched_pick(cpu(0), NOW), s);
	assert_int_equal(ep_reply(s, reply), -KEEL_ESRCH);
	assert_int_equal(c->regs.x[1], 1);
}

static void stop_server_owing_reply_fails_the_caller(void **state)
{
	(void)state;
	struct thread *s = &th[0], *c = &th[1];
	run(c, 0, 5);
	ep_send(&ep, c, msg1, 0, true);
	run(s, 0, 10);
	ep_recv(&ep, s);
	assert_int_equal(c->state, KEEL_TS_BLOCKED_REPLY);

	thread_stop(s);
	assert_int_equal(c->regs.x[0], (uint64_t)-KEEL_ESRCH);
	assert_int_equal(c->regs.x[1], POISON); /* no reply message */
	assert_int_equal(c->state, KEEL_TS_READY);
	assert_null(c->reply_from);
	assert_null(s->reply_to);
	assert_int_equal(s->state, KEEL_TS_INACTIVE);
	assert_null(cpu(0)->current);
	assert_ptr_equal(sched_pick(cpu(0), NOW), c);
	assert_int_equal(fake_arch.ipi_count, 0);
}

static void stop_caller_waiting_for_reply(void **state)
{
	(void)state;
	struct thread *s = &th[0], *c = &th[1];
	run(s, 0, 10);
	ep_recv(&ep, s);
	run(c, 0, 5);
	ep_send(&ep, c, msg1, 0, true);
	assert_ptr_equal(sched_pick(cpu(0), NOW), s);

	thread_stop(c);
	assert_int_equal(c->state, KEEL_TS_INACTIVE);
	assert_null(c->reply_from);
	assert_null(s->reply_to);
	assert_int_equal(ep_reply(s, reply), -KEEL_ESRCH);
	assert_int_equal(c->regs.x[1], POISON);
	assert_int_equal(c->state, KEEL_TS_INACTIVE); /* not woken by anything */
	assert_false(list_linked(&c->sched_node));
}

static void stop_queued_sender_leaves_the_queue(void **state)
{
	(void)state;
	struct thread *s = &th[0], *c1 = &th[1], *c2 = &th[2], *c3 = &th[3];
	run(c1, 0, 5);
	ep_send(&ep, c1, msg1, 1, false);
	run(c2, 0, 5);
	ep_send(&ep, c2, msg2, 2, true);
	run(c3, 0, 5);
	ep_send(&ep, c3, msg3, 3, false);
	assert_int_equal(ep_queue_length(&ep), 3);

	thread_stop(c2);
	assert_int_equal(c2->state, KEEL_TS_INACTIVE);
	assert_on_no_queue(c2);
	assert_int_equal(ep_queue_length(&ep), 2);

	run(s, 0, 10);
	ep_recv(&ep, s);
	assert_msg(s, msg1, 1);
	ep_recv(&ep, s);
	assert_msg(s, msg3, 3);
	assert_null(s->reply_to);
	assert_int_equal(ep_queue_length(&ep), 0);
	assert_int_equal(c2->regs.x[0], POISON);
	assert_int_equal(c2->state, KEEL_TS_INACTIVE);
}

static void stop_queued_receiver_leaves_the_queue(void **state)
{
	(void)state;
	struct thread *s = &th[0], *c = &th[1];
	run(s, 0, 10);
	ep_recv(&ep, s);
	thread_stop(s);
	assert_int_equal(s->state, KEEL_TS_INACTIVE);
	assert_on_no_queue(s);
	assert_int_equal(ep_queue_length(&ep), 0);

	run(c, 0, 5);
	ep_send(&ep, c, msg1, 0, false);
	assert_int_equal(c->state, KEEL_TS_BLOCKED_SEND); /* nobody to receive */
	assert_int_equal(s->regs.x[1], POISON);
	assert_int_equal(s->state, KEEL_TS_INACTIVE);
}

static void fault_with_receiver_waiting(void **state)
{
	(void)state;
	struct thread *s = &th[0], *f = &th[1];
	run(s, 0, 10);
	ep_recv(&ep, s);
	run(f, 0, 5);
	ep_send_fault(&ep, f, msg3, 0xf0, KEEL_TS_FAULTED);
	assert_msg(s, msg3, 0xf0);
	assert_int_equal(s->state, KEEL_TS_READY);
	assert_int_equal(f->state, KEEL_TS_FAULTED);
	assert_false(list_linked(&f->sched_node));
	assert_on_no_queue(f);
	assert_null(f->reply_from);
	assert_null(s->reply_to);
	assert_null(cpu(0)->current);
	assert_int_equal(f->regs.x[0], POISON);

	assert_ptr_equal(sched_pick(cpu(0), NOW), s);
	sched_remove(cpu(0), s);
	assert_null(sched_pick(cpu(0), NOW + 100000)); /* f is never picked */
}

static void exit_message_before_receiver(void **state)
{
	(void)state;
	struct thread *s = &th[0], *f = &th[1];
	run(f, 0, 5);
	ep_send_fault(&ep, f, msg2, 0xf1, KEEL_TS_EXITED);
	assert_int_equal(f->state, KEEL_TS_BLOCKED_SEND);
	assert_true(f->ipc_is_fault);
	assert_int_equal(ep_queue_length(&ep), 1);

	run(s, 0, 10);
	ep_recv(&ep, s);
	assert_msg(s, msg2, 0xf1);
	assert_int_equal(f->state, KEEL_TS_EXITED); /* the final state asked for */
	assert_false(list_linked(&f->sched_node));
	assert_on_no_queue(f);
	assert_int_equal(cpu(0)->ready_mask, 0);
	assert_null(s->reply_to);
	assert_null(f->reply_from);
	assert_int_equal(f->regs.x[0], POISON);
	assert_int_equal(ep_reply(s, reply), -KEEL_ESRCH);
}

/* --- which CPU learns about a wake-up ---------------------------------------- */

static void cross_cpu_wake_sends_ipi(void **state)
{
	(void)state;
	struct thread *s = &th[0], *c = &th[1];
	run(s, 1, 10);
	ep_recv(&ep, s); /* on CPU 1, which goes idle */
	assert_null(cpu(1)->current);
	assert_int_equal(fake_arch.ipi_count, 0); /* it blocked itself */

	run(c, 0, 5);
	ep_send(&ep, c, msg1, 0, false);
	assert_int_equal(s->state, KEEL_TS_READY);
	assert_int_equal(fake_arch.ipi_count, 1);
	assert_int_equal(fake_arch.ipi_cpu[0], 1);
	assert_true(cpu(1)->need_resched);
	assert_ptr_equal(cpu(1)->ready[10].next, &s->sched_node);
	assert_int_equal(cpu(0)->ready_mask, 0);
	assert_ptr_equal(cpu(0)->current, c);
	assert_ptr_equal(sched_pick(cpu(1), NOW), s);
}

static void same_cpu_wake_sends_no_ipi(void **state)
{
	(void)state;
	struct thread *s = &th[0], *c = &th[1], *w = &th[2];
	run(s, 2, 10);
	ep_recv(&ep, s);
	run(c, 2, 5);
	ep_send(&ep, c, msg1, 0, false);
	assert_int_equal(s->state, KEEL_TS_READY);
	assert_true(cpu(2)->need_resched);
	assert_int_equal(fake_arch.ipi_count, 0);

	run(w, 2, 20);
	ntfn_wait(&nt, w);
	assert_ptr_equal(sched_pick(cpu(2), NOW), s);
	ntfn_signal(&nt, 1);
	assert_int_equal(w->state, KEEL_TS_READY);
	assert_int_equal(fake_arch.ipi_count, 0);
}

static void cross_cpu_wake_of_lower_priority_sends_no_ipi(void **state)
{
	(void)state;
	struct thread *s = &th[0], *h = &th[1], *c = &th[2];
	run(s, 1, 3);
	ep_recv(&ep, s);
	run(h, 1, 20); /* CPU 1 busy with a higher priority */

	run(c, 0, 5);
	ep_send(&ep, c, msg1, 0, false);
	assert_int_equal(s->state, KEEL_TS_READY);
	assert_false(cpu(1)->need_resched);
	assert_int_equal(fake_arch.ipi_count, 0);
	assert_ptr_equal(sched_pick(cpu(1), NOW), h);
}

static void cross_cpu_reply_sends_ipi(void **state)
{
	(void)state;
	struct thread *s = &th[0], *c = &th[1];
	run(c, 3, 5);
	ep_send(&ep, c, msg1, 0, true);
	run(s, 0, 10);
	ep_recv(&ep, s);
	assert_int_equal(fake_arch.ipi_count, 0); /* the caller stays blocked */
	assert_int_equal(ep_reply(s, reply), 0);
	assert_int_equal(fake_arch.ipi_count, 1);
	assert_int_equal(fake_arch.ipi_cpu[0], 3);
	assert_ptr_equal(sched_pick(cpu(3), NOW), c);
}

static void stop_thread_running_on_another_cpu_sends_ipi(void **state)
{
	(void)state;
	struct thread *t = &th[0], *me = &th[1];
	run(t, 1, 5);
	run(me, 0, 5);
	thread_stop(t);
	assert_int_equal(t->state, KEEL_TS_INACTIVE);
	assert_null(cpu(1)->current);
	assert_int_equal(fake_arch.ipi_count, 1);
	assert_int_equal(fake_arch.ipi_cpu[0], 1);

	/* Stopping a thread that is only ready there needs no IPI; nor does
	 * stopping the thread this CPU runs. */
	struct thread *r = &th[2];
	r->cpu = 1;
	r->prio = 5;
	thread_wake(r);
	fake_ipi_clear();
	thread_stop(r);
	assert_int_equal(cpu(1)->ready_mask, 0);
	thread_stop(me);
	assert_null(cpu(0)->current);
	assert_int_equal(fake_arch.ipi_count, 0);
}

static void wake_uses_the_counter(void **state)
{
	(void)state;
	struct thread *t = &th[0];
	t->cpu = 0;
	t->prio = 4;
	t->budget = 10;
	t->period = 100;
	t->remaining = 0;
	t->period_start = 0;
	fake_arch.counter = 50; /* inside the period: throttled */
	thread_wake(t);
	assert_int_equal(t->state, KEEL_TS_THROTTLED);
	thread_stop(t);
	fake_arch.counter = 150; /* the period is over: a new budget */
	thread_wake(t);
	assert_int_equal(t->state, KEEL_TS_READY);
	assert_int_equal(t->remaining, 10);
	assert_int_equal(t->period_start, 100);
}

/* --- notifications ------------------------------------------------------------ */

static void signal_accumulates_wait_takes(void **state)
{
	(void)state;
	struct thread *t = &th[0];
	ntfn_signal(&nt, 0x1);
	ntfn_signal(&nt, 0x4);
	ntfn_signal(&nt, 0x1);
	assert_int_equal(nt.bits, 0x5);

	run(t, 0, 5);
	ntfn_wait(&nt, t);
	assert_int_equal(t->regs.x[0], 0);
	assert_int_equal(t->regs.x[1], 0x5);
	assert_int_equal(t->state, KEEL_TS_RUNNING); /* bits were there: no blocking */
	assert_ptr_equal(cpu(0)->current, t);
	assert_int_equal(nt.bits, 0);
	assert_true(list_empty(&nt.waiters));
	assert_on_no_queue(t);
}

static void waiter_blocks_then_signal_wakes(void **state)
{
	(void)state;
	struct thread *t = &th[0];
	run(t, 0, 5);
	ntfn_wait(&nt, t);
	assert_int_equal(t->state, KEEL_TS_BLOCKED_WAIT);
	assert_ptr_equal(t->blocked_on, &nt);
	assert_true(list_linked(&t->ipc_node));
	assert_null(cpu(0)->current);
	assert_int_equal(t->regs.x[1], POISON);

	ntfn_signal(&nt, 0x8);
	assert_int_equal(t->regs.x[0], 0);
	assert_int_equal(t->regs.x[1], 0x8);
	assert_int_equal(t->state, KEEL_TS_READY);
	assert_on_no_queue(t);
	assert_int_equal(nt.bits, 0); /* delivered, not kept */
	assert_true(cpu(0)->need_resched);

	/* No waiter any more: the next signal is kept. */
	ntfn_signal(&nt, 0x2);
	assert_int_equal(nt.bits, 0x2);
	assert_int_equal(t->regs.x[1], 0x8);
}

static void waiters_are_woken_one_per_signal_in_order(void **state)
{
	(void)state;
	struct thread *t1 = &th[0], *t2 = &th[1];
	run(t1, 0, 5);
	ntfn_wait(&nt, t1);
	run(t2, 0, 5);
	ntfn_wait(&nt, t2);

	ntfn_signal(&nt, 0x10);
	assert_int_equal(t1->state, KEEL_TS_READY);
	assert_int_equal(t1->regs.x[1], 0x10);
	assert_int_equal(t2->state, KEEL_TS_BLOCKED_WAIT);
	assert_int_equal(t2->regs.x[1], POISON);
	ntfn_signal(&nt, 0x20);
	assert_int_equal(t2->state, KEEL_TS_READY);
	assert_int_equal(t2->regs.x[1], 0x20);
	assert_int_equal(nt.bits, 0);
}

static void poll_takes_and_clears(void **state)
{
	(void)state;
	assert_int_equal(ntfn_poll(&nt), 0);
	ntfn_signal(&nt, 0x30);
	ntfn_signal(&nt, 0x03);
	assert_int_equal(ntfn_poll(&nt), 0x33);
	assert_int_equal(nt.bits, 0);
	assert_int_equal(ntfn_poll(&nt), 0);

	/* After a poll, a wait blocks. */
	struct thread *t = &th[0];
	run(t, 0, 5);
	ntfn_wait(&nt, t);
	assert_int_equal(t->state, KEEL_TS_BLOCKED_WAIT);
}

static void stop_waiter_leaves_notification(void **state)
{
	(void)state;
	struct thread *t = &th[0];
	run(t, 0, 5);
	ntfn_wait(&nt, t);
	thread_stop(t);
	assert_int_equal(t->state, KEEL_TS_INACTIVE);
	assert_on_no_queue(t);
	assert_true(list_empty(&nt.waiters));
	ntfn_signal(&nt, 0x4);
	assert_int_equal(nt.bits, 0x4);
	assert_int_equal(t->regs.x[1], POISON);
	assert_int_equal(t->state, KEEL_TS_INACTIVE);
}

static void cross_cpu_signal_sends_ipi(void **state)
{
	(void)state;
	struct thread *t = &th[0];
	run(t, 2, 7);
	ntfn_wait(&nt, t);
	fake_arch.cpu_id = 0; /* an interrupt handled on CPU 0 */
	ntfn_signal(&nt, KEEL_IRQ_BADGE);
	assert_int_equal(t->regs.x[1], KEEL_IRQ_BADGE);
	assert_int_equal(fake_arch.ipi_count, 1);
	assert_int_equal(fake_arch.ipi_cpu[0], 2);
}

/* --- kernel.c: per-CPU schedulers and the pick-next loop ---------------------- */

static void kernel_sched_init_gives_every_cpu_a_slice(void **state)
{
	(void)state;
	for (unsigned c = 0; c < KEEL_MAX_CPUS; c++) {
		assert_int_equal(cpu(c)->slice_ticks, 2000); /* 2 ms at 1 MHz */
		assert_null(cpu(c)->current);
		assert_int_equal(cpu(c)->ready_mask, 0);
	}
	fake_arch.counter_freq = 54000000; /* rpi4 */
	kernel_sched_init();
	assert_int_equal(cpu(KEEL_MAX_CPUS - 1)->slice_ticks, 108000);
}

static void pick_next_programs_the_timer(void **state)
{
	(void)state;
	struct thread *a = &th[0], *b = &th[1];
	a->cpu = b->cpu = 0;
	a->prio = b->prio = 5;
	thread_wake(a);

	lock();
	assert_ptr_equal(kernel_pick_next(), a);
	/* Alone, no budget: tickless, and the timer is already off. */
	assert_false(fake_arch.timer_armed);
	assert_int_equal(fake_arch.timer_sets, 0);
	assert_int_equal(cpu(0)->armed_event, SCHED_NO_EVENT);

	thread_wake(b);
	fake_arch.counter = NOW + 10;
	assert_ptr_equal(kernel_pick_next(), a);
	assert_true(fake_arch.timer_armed);
	assert_int_equal(fake_arch.timer_deadline, NOW + 2000); /* a's slice end */
	assert_int_equal(cpu(0)->armed_event, NOW + 2000);
	assert_int_equal(fake_arch.timer_sets, 1);

	/* Nothing new before the deadline: the same thread, no timer access. */
	fake_arch.counter = NOW + 20;
	assert_ptr_equal(kernel_pick_next(), a);
	assert_int_equal(fake_arch.timer_sets, 1);

	fake_arch.counter = NOW + 2000;
	assert_ptr_equal(kernel_pick_next(), b);
	assert_int_equal(fake_arch.timer_deadline, NOW + 4000);
	assert_int_equal(fake_arch.timer_sets, 2);

	/* b blocks: a is alone again and the timer goes off. */
	thread_block(b, KEEL_TS_BLOCKED_RECV);
	assert_ptr_equal(kernel_pick_next(), a);
	assert_false(fake_arch.timer_armed);
	assert_int_equal(fake_arch.timer_stops, 1);
	assert_int_equal(cpu(0)->armed_event, SCHED_NO_EVENT);
	unlock();
	assert_int_equal(fake_arch.idle_waits, 0);
}

/* The arch stopped the timer for an interrupt that came before the armed
 * deadline (a stale one, signalled before the kernel moved the deadline).
 * The deadline, though unchanged, must be armed again: a budgeted hog left
 * running past it would starve its CPU for good. */
static void a_deadline_is_armed_again_after_the_timer_stopped(void **state)
{
	(void)state;
	struct thread *a = &th[0], *b = &th[1];
	a->cpu = b->cpu = 0;
	a->prio = b->prio = 5;
	thread_wake(a);
	thread_wake(b);

	lock();
	assert_ptr_equal(kernel_pick_next(), a);
	assert_int_equal(fake_arch.timer_deadline, NOW + 2000); /* a's slice end */
	fake_arch.counter = NOW + 10;
	arch_timer_stop();
	timer_expired();
	assert_ptr_equal(kernel_pick_next(), a);
	assert_true(fake_arch.timer_armed);
	assert_int_equal(fake_arch.timer_deadline, NOW + 2000);
	assert_int_equal(cpu(0)->armed_event, NOW + 2000);
	unlock();
}

static void pick_next_sees_wakeups_and_the_timer(void **state)
{
	(void)state;
	struct thread *a = &th[0], *h = &th[1], *b = &th[2];
	a->cpu = h->cpu = b->cpu = 0;
	a->prio = b->prio = 5;
	h->prio = 9;
	thread_wake(a);
	lock();
	assert_ptr_equal(kernel_pick_next(), a);

	/* A higher priority woken here (by a system call of a): it runs. */
	thread_wake(h);
	assert_ptr_equal(kernel_pick_next(), h);
	assert_int_equal(a->state, KEEL_TS_READY);
	thread_block(h, KEEL_TS_BLOCKED_WAIT);
	assert_ptr_equal(kernel_pick_next(), a);

	/* An equal priority woken here: a keeps its slice, the timer is armed for it. */
	thread_wake(b);
	assert_ptr_equal(kernel_pick_next(), a);
	uint64_t slice_end = cpu(0)->slice_end;
	assert_int_equal(cpu(0)->armed_event, slice_end);
	/* The timer fires (timer_expired sets need_resched): b's turn. */
	fake_arch.counter = slice_end;
	cpu(0)->need_resched = true;
	assert_ptr_equal(kernel_pick_next(), b);

	/* The running thread blocked: decided again, even before the deadline. */
	thread_block(b, KEEL_TS_BLOCKED_RECV);
	assert_ptr_equal(kernel_pick_next(), a);
	unlock();
}

static struct thread *idle_wakes;

static void wake_from_cpu1(void)
{
	/* Another CPU takes the lock (so it must be free) and wakes a thread here. */
	kernel_lock();
	fake_arch.cpu_id = 1;
	fake_arch.counter += 5;
	thread_wake(idle_wakes);
	fake_arch.cpu_id = 0;
	kernel_unlock();
}

static void pick_next_idles_until_woken(void **state)
{
	(void)state;
	struct thread *t = &th[0];
	t->cpu = 0;
	t->prio = 1;
	idle_wakes = t;
	fake_arch.idle_hook = wake_from_cpu1;
	alarm(10); /* a lock held across the idle wait would spin for ever */

	lock();
	assert_ptr_equal(kernel_pick_next(), t);
	unlock();
	assert_int_equal(fake_arch.idle_waits, 1);
	assert_int_equal(fake_arch.ipi_count, 1); /* CPU 1 woke CPU 0 */
	assert_int_equal(fake_arch.ipi_cpu[0], 0);
	assert_int_equal(t->state, KEEL_TS_RUNNING);
	assert_int_equal(t->run_start, NOW + 5);
	assert_false(fake_arch.timer_armed);
}

/* --- remote wake-ups that only change the other CPU's deadline ---------------- */

/*
 * A remote CPU must also be told when the wake-up only brings it a new
 * deadline: a thread of the current one's priority (a slice end). A CPU
 * running one unbudgeted thread has its timer stopped (tickless), so without
 * the IPI the woken thread would never get a slice while the current one
 * computes.
 */
static void remote_wake_of_equal_priority_is_signalled(void **state)
{
	(void)state;
	struct thread *a = &th[0], *b = &th[1], *c = &th[2];
	run(b, 1, 5);
	ep_recv(&ep, b); /* b waits on CPU 1 */
	run(a, 1, 5);    /* a, alone on CPU 1, computes */
	assert_int_equal(sched_next_event(cpu(1), NOW), SCHED_NO_EVENT); /* CPU 1 timer off */

	run(c, 0, 5);
	ep_send(&ep, c, msg1, 0, false); /* wakes b, from CPU 0 */
	assert_int_equal(b->state, KEEL_TS_READY);
	/* CPU 1 now has a slice end due but nothing tells it to arm its timer. */
	assert_int_equal(sched_next_event(cpu(1), NOW), NOW + 2000);
	assert_int_equal(fake_arch.ipi_count, 1);
}

/*
 * Likewise a budgeted thread woken onto an idle CPU with its budget used up
 * is throttled there; its replenishment is that CPU's next event, so the
 * sleeping CPU must wake to arm its timer.
 */
static void remote_wake_into_throttle_is_signalled(void **state)
{
	(void)state;
	struct thread *t = &th[0], *c = &th[1];
	t->cpu = 1;
	t->prio = 5;
	t->budget = 100;
	t->period = 1000;
	t->period_start = NOW - 10;
	t->remaining = 0;
	assert_null(cpu(1)->current); /* CPU 1 idles, timer stopped */

	run(c, 0, 5);
	thread_wake(t);
	assert_int_equal(t->state, KEEL_TS_THROTTLED);
	assert_int_equal(sched_next_event(cpu(1), NOW), NOW - 10 + 1000);
	assert_int_equal(fake_arch.ipi_count, 1);
}

/* A server that faults while a caller waits for its reply releases the
 * caller with -KEEL_ESRCH; with no supervisor it is simply stopped. */
static void faulting_server_releases_its_caller(void **state)
{
	(void)state;
	struct partition *p = calloc(1, sizeof(*p));
	struct thread *client = &th[0], *server = &th[1];
	strcpy(p->name, "srv");
	server->partition = p;
	run(server, 0, 20);
	ep_recv(&ep, server);
	run(client, 0, 10);
	ep_send(&ep, client, msg1, 0, true);
	assert_int_equal(client->state, KEEL_TS_BLOCKED_REPLY);
	assert_ptr_equal(server->reply_to, client);

	fault_raise(server, KEEL_FAULT_MEMORY, 0x50000000, 0x400000, 0x93c28045);
	assert_int_equal(server->state, KEEL_TS_FAULTED);
	assert_null(server->reply_to);
	assert_null(client->reply_from);
	assert_int_equal(client->state, KEEL_TS_READY);
	assert_int_equal((int64_t)client->regs.x[0], -KEEL_ESRCH);
	free(p);
}

/* With a supervisor, the fault becomes a message on its endpoint, badged. */
static void fault_goes_to_the_supervisor(void **state)
{
	(void)state;
	struct partition *p = calloc(1, sizeof(*p));
	struct thread *sup = &th[2], *victim = &th[1];
	struct endpoint fault_ep;
	endpoint_init(&fault_ep, 42);
	strcpy(p->name, "victim");
	p->id = 9;
	p->fault_ep = &fault_ep;
	p->fault_badge = 0x33;
	victim->partition = p;
	run(sup, 0, 30);
	ep_recv(&fault_ep, sup);
	run(victim, 0, 10);
	fault_raise(victim, KEEL_FAULT_MEMORY, 0x50000000, 0x400abc, 0x93c28045);
	assert_int_equal(victim->state, KEEL_TS_FAULTED);
	assert_int_equal(sup->state, KEEL_TS_READY);
	assert_int_equal(sup->regs.x[1], KEEL_FAULT_MEMORY);
	assert_int_equal(sup->regs.x[2], 0x50000000);
	assert_int_equal(sup->regs.x[3], 0x400abc);
	assert_int_equal(sup->regs.x[6], 9);    /* partition id */
	assert_int_equal(sup->regs.x[7], 0x33); /* badge */
	free(p);
}

/* --- placement: the threads each CPU may have to run ---------------------- */

/* THREAD_SCHED and THREAD_START, from the CPU in the kernel. */
static void start(struct thread *t, unsigned c, uint8_t prio)
{
	t->cpu = (uint16_t)c;
	t->prio = prio;
	thread_wake(t);
}

/* Started, and then the running thread of its CPU, which is the one in the kernel. */
static void start_running(struct thread *t, unsigned c, uint8_t prio)
{
	start(t, c, prio);
	assert_ptr_equal(sched_pick(cpu(c), NOW), t);
	fake_arch.cpu_id = c;
}

static void a_thread_is_placed_from_start_to_stop(void **state)
{
	(void)state;
	struct thread *a = &th[0], *b = &th[1], *c = &th[2];
	assert_int_equal(cpu(1)->placed, 0);
	start_running(a, 1, 10);
	assert_true(a->placed);
	assert_int_equal(cpu(1)->placed, 1);
	assert_true(thread_alone_on_cpu(a));
	/* Blocked, it may be woken there at any time: still placed. */
	ep_recv(&ep, a);
	assert_int_equal(cpu(1)->placed, 1);
	assert_true(thread_alone_on_cpu(a));

	fake_arch.cpu_id = 0;
	start(b, 1, 5);
	assert_int_equal(cpu(1)->placed, 2);
	assert_false(thread_alone_on_cpu(a));
	assert_false(thread_alone_on_cpu(b));
	run(c, 0, 5);
	ep_send(&ep, c, msg1, 0, false); /* a woken again: counted once */
	assert_int_equal(a->state, KEEL_TS_READY);
	assert_int_equal(cpu(1)->placed, 2);
	assert_int_equal(cpu(0)->placed, 0); /* c was never started (run()) */

	thread_stop(b);
	thread_stop(b);
	assert_false(b->placed);
	assert_int_equal(cpu(1)->placed, 1);
	assert_true(thread_alone_on_cpu(a));
	/* Stopped, it may move to another CPU. */
	start(b, 2, 5);
	assert_int_equal(cpu(1)->placed, 1);
	assert_int_equal(cpu(2)->placed, 1);
	thread_stop(a);
	assert_int_equal(cpu(1)->placed, 0);
	assert_false(thread_alone_on_cpu(a));
}

/* A vCPU alone on its CPU may be idling in its guest's WFI, where only an
 * interrupt reaches it: the CPU hears of a second thread placed there even
 * when that thread would not preempt. */
static void a_thread_joining_a_lone_one_interrupts_its_cpu(void **state)
{
	(void)state;
	struct thread *v = &th[0], *low = &th[1], *low2 = &th[2];
	start_running(v, 1, 60);
	fake_arch.cpu_id = 0;
	fake_ipi_clear();
	start(low, 1, 1);
	assert_false(cpu(1)->need_resched);
	assert_int_equal(fake_arch.ipi_count, 1);
	assert_int_equal(fake_arch.ipi_cpu[0], 1);
	/* A third changes nothing there. */
	fake_ipi_clear();
	start(low2, 1, 1);
	assert_int_equal(fake_arch.ipi_count, 0);
	/* Nor does one started by that CPU itself, which is in the kernel. */
	thread_stop(low);
	thread_stop(low2);
	assert_true(thread_alone_on_cpu(v));
	fake_arch.cpu_id = 1;
	start(low, 1, 1);
	assert_int_equal(fake_arch.ipi_count, 0);
	assert_false(thread_alone_on_cpu(v));
	assert_ptr_equal(sched_pick(cpu(1), NOW), v);
}

/* A faulted or exited thread can run again only once stopped and started:
 * its placement ends with its fault or exit message, whoever takes it. */
static void faults_and_exits_end_placement(void **state)
{
	(void)state;
	struct thread *s = &th[0], *f = &th[1], *g = &th[2];
	struct partition *p = calloc(1, sizeof(*p));
	strcpy(p->name, "x");

	/* Taken at once by a waiting receiver. */
	start_running(s, 0, 10);
	ep_recv(&ep, s);
	start_running(f, 0, 20);
	ep_send_fault(&ep, f, msg3, 0xf0, KEEL_TS_FAULTED);
	assert_int_equal(f->state, KEEL_TS_FAULTED);
	assert_false(f->placed);
	assert_int_equal(cpu(0)->placed, 1);

	/* Queued until received: placed until then. */
	start_running(g, 0, 30);
	ep_send_fault(&ep, g, msg2, 0xf1, KEEL_TS_EXITED);
	assert_int_equal(g->state, KEEL_TS_BLOCKED_SEND);
	assert_int_equal(cpu(0)->placed, 2);
	assert_ptr_equal(sched_pick(cpu(0), NOW), s);
	ep_recv(&ep, s);
	assert_int_equal(g->state, KEEL_TS_EXITED);
	assert_false(g->placed);
	assert_int_equal(cpu(0)->placed, 1);

	/* Dropped (its endpoint went): as without a supervisor. */
	thread_stop(g);
	start_running(g, 0, 30);
	ep_send_fault(&ep, g, msg2, 0xf1, KEEL_TS_EXITED);
	assert_int_equal(cpu(0)->placed, 2);
	ep_wait_fail(g);
	assert_int_equal(g->state, KEEL_TS_EXITED);
	assert_int_equal(cpu(0)->placed, 1);

	/* No supervisor: stopped at once. */
	f->partition = p;
	thread_stop(f);
	start_running(f, 0, 40);
	assert_int_equal(cpu(0)->placed, 2);
	fault_raise(f, KEEL_FAULT_EXIT, 0, 0, 0);
	assert_int_equal(f->state, KEEL_TS_EXITED);
	assert_int_equal(cpu(0)->placed, 1);
	assert_true(thread_alone_on_cpu(s));
	free(p);
}

/* A vCPU whose exit's server dies is not handed an error in its guest's
 * x0: its exit is abandoned and the guest retries the access. */
static void dead_server_abandons_a_vcpu_exit(void **state)
{
	(void)state;
	struct thread *server = &th[0], *vcpu = &th[1];
	run(server, 0, 20);
	ep_recv(&ep, server);
	run(vcpu, 0, 10);
	vcpu->regs.x[0] = 0x1234;
	vcpu->exit_kind = KEEL_EXIT_MMIO;
	const uint64_t msg[KEEL_MSG_WORDS] = {KEEL_EXIT_MMIO, 0x09000000};
	ep_send(&ep, vcpu, msg, 1, true);
	assert_int_equal(vcpu->state, KEEL_TS_BLOCKED_REPLY);
	thread_stop(server);
	assert_int_equal(vcpu->state, KEEL_TS_READY);
	assert_int_equal(vcpu->regs.x[0], 0x1234);
	assert_int_equal(vcpu->exit_kind, 0);
}

/* A closed endpoint (its server gone for good): a queued call fails with
 * ESRCH, a queued vCPU exit fails (an abort for its guest, not a retry
 * that would loop), a fault message ends its sender; later ones fail at
 * once; opened again, it queues as before. */
static void closed_endpoint_fails_its_senders(void **state)
{
	(void)state;
	struct thread *caller = &th[0], *vcpu = &th[1], *faulty = &th[2], *late = &th[3];
	const uint64_t msg[KEEL_MSG_WORDS] = {KEEL_EXIT_MMIO, 0x09000000};
	run(caller, 0, 5);
	ep_send(&ep, caller, msg1, 1, true);
	run(vcpu, 0, 10);
	vcpu->exit_kind = KEEL_EXIT_MMIO;
	ep_send(&ep, vcpu, msg, 2, true);
	run(faulty, 0, 6);
	ep_send_fault(&ep, faulty, msg2, 3, KEEL_TS_FAULTED);
	assert_int_equal(ep_queue_length(&ep), 3);

	ep_close(&ep, true);
	assert_int_equal(ep_queue_length(&ep), 0);
	assert_int_equal(caller->state, KEEL_TS_READY);
	assert_int_equal(caller->regs.x[0], (uint64_t)-KEEL_ESRCH);
	assert_int_equal(vcpu->state, KEEL_TS_READY);
	assert_int_equal(vcpu->exit_kind, 0);
	assert_int_equal(fake_arch.vcpu_exits_failed, 1);
	assert_int_equal(faulty->state, KEEL_TS_FAULTED);
	assert_on_no_queue(caller);
	assert_on_no_queue(vcpu);

	run(late, 0, 30);
	ep_send(&ep, late, msg3, 4, true);
	assert_int_equal(late->state, KEEL_TS_RUNNING);
	assert_int_equal(late->regs.x[0], (uint64_t)-KEEL_ESRCH);
	assert_int_equal(ep_queue_length(&ep), 0);

	ep_close(&ep, false);
	ep_send(&ep, late, msg3, 4, true);
	assert_int_equal(late->state, KEEL_TS_BLOCKED_SEND);
	assert_int_equal(ep_queue_length(&ep), 1);
}

/* A vCPU of `c` waits on the server's reply to an exit of `kind`. */
static void vcpu_exit_waits(struct thread *server, struct thread *vcpu, unsigned c, unsigned kind)
{
	run(server, 0, 20);
	ep_recv(&ep, server);
	run(vcpu, c, 10);
	vcpu->exit_kind = (uint8_t)kind;
	const uint64_t msg[KEEL_MSG_WORDS] = {kind, 0x09000000};
	ep_send(&ep, vcpu, msg, 1, true);
	assert_int_equal(vcpu->state, KEEL_TS_BLOCKED_REPLY);
	assert_ptr_equal(sched_pick(cpu(0), NOW), server);
	fake_arch.cpu_id = 0;
	fake_ipi_clear();
}

/* "Not now": the vCPU sleeps on its own CPU for the time the reply asks,
 * its exit not completed (the guest makes it again), and that CPU is
 * kicked to set its timer. */
static void retry_reply_defers_a_vcpu_exit(void **state)
{
	(void)state;
	struct thread *server = &th[0], *vcpu = &th[1];
	vcpu_exit_waits(server, vcpu, 1, KEEL_EXIT_HVC);
	const uint64_t retry[KEEL_MSG_WORDS] = {0x77, KEEL_EXIT_REPLY_RETRY, 500};
	assert_int_equal(ep_reply(server, retry), 0);
	assert_int_equal(vcpu->state, KEEL_TS_SLEEPING);
	assert_true(list_linked(&vcpu->sched_node));
	assert_int_equal(vcpu->wake_at, NOW + 500); /* the fake counter runs at 1 MHz */
	assert_int_equal(vcpu->exit_kind, 0);
	assert_int_equal(fake_arch.vcpu_exits_retried, 1);
	assert_int_equal(fake_arch.vcpu_exits_completed, 0);
	assert_int_equal(vcpu->regs.x[0], POISON); /* no result for the guest */
	assert_null(server->reply_to);
	assert_null(vcpu->reply_from);
	assert_int_equal(fake_arch.ipi_count, 1);
	assert_int_equal(fake_arch.ipi_cpu[0], 1);
	/* The server's next receive does not give it up: it is answered. */
	ep_recv(&ep, server);
	assert_int_equal(vcpu->state, KEEL_TS_SLEEPING);

	assert_null(sched_pick(cpu(1), NOW + 499));
	assert_ptr_equal(sched_pick(cpu(1), NOW + 500), vcpu);
}

/* The sleep is bounded; a CPU whose timer is due sooner is not kicked. */
static void retry_reply_is_bounded(void **state)
{
	(void)state;
	struct thread *server = &th[0], *vcpu = &th[1];
	vcpu_exit_waits(server, vcpu, 1, KEEL_EXIT_MMIO);
	cpu(1)->armed_event = NOW + 10;
	const uint64_t retry[KEEL_MSG_WORDS] = {0, KEEL_EXIT_REPLY_RETRY, ~0ull};
	assert_int_equal(ep_reply(server, retry), 0);
	assert_int_equal(vcpu->wake_at, NOW + KEEL_EXIT_RETRY_MAX_US);
	assert_int_equal(fake_arch.ipi_count, 0);
}

/* Deferred on the server's own CPU: no kick. Stopped while deferred: off
 * the sleep queue, and nothing wakes it. */
static void deferred_vcpu_stops(void **state)
{
	(void)state;
	struct thread *server = &th[0], *vcpu = &th[1];
	vcpu_exit_waits(server, vcpu, 0, KEEL_EXIT_MMIO);
	const uint64_t retry[KEEL_MSG_WORDS] = {0, KEEL_EXIT_REPLY_RETRY, 100};
	assert_int_equal(ep_reply(server, retry), 0);
	assert_int_equal(fake_arch.ipi_count, 0);
	thread_stop(vcpu);
	assert_int_equal(vcpu->state, KEEL_TS_INACTIVE);
	assert_false(list_linked(&vcpu->sched_node));
	assert_ptr_equal(sched_pick(cpu(0), NOW + 1000), server);
}

/* Only a vCPU's exit reads w1: a thread's call gets the words as they are. */
static void retry_word_is_plain_data_for_a_thread(void **state)
{
	(void)state;
	struct thread *server = &th[0], *client = &th[1];
	run(server, 0, 20);
	ep_recv(&ep, server);
	run(client, 1, 10);
	ep_send(&ep, client, msg1, 1, true);
	const uint64_t words[KEEL_MSG_WORDS] = {0, KEEL_EXIT_REPLY_RETRY, 100};
	assert_int_equal(ep_reply(server, words), 0);
	assert_int_equal(client->state, KEEL_TS_READY);
	for (unsigned i = 0; i < KEEL_MSG_WORDS; i++)
		assert_int_equal(client->regs.x[1 + i], words[i]);
	assert_int_equal(fake_arch.vcpu_exits_retried, 0);
}

/* A server blocked on its endpoint also wakes for its bound notification. */
static void bound_notification_wakes_the_receiver(void **state)
{
	(void)state;
	struct notification n;
	notification_init(&n, 5);
	struct thread *server = &th[0];
	assert_int_equal(ep_bind(&ep, &n), 0);
	assert_int_equal(ep_bind(&ep, &n), -KEEL_EBUSY);
	run(server, 0, 20);
	ep_recv(&ep, server);
	assert_int_equal(server->state, KEEL_TS_BLOCKED_RECV);
	ntfn_signal(&n, 0x4);
	assert_int_equal(server->state, KEEL_TS_READY);
	assert_int_equal(server->regs.x[1], 0x4);
	assert_int_equal(server->regs.x[7], KEEL_BADGE_SIGNAL);
	assert_int_equal(n.bits, 0);
}

/* Signals that arrive while the server is busy wait in the notification
 * and come with its next receive, after any queued message. */
static void bound_signal_pending_at_receive(void **state)
{
	(void)state;
	struct notification n;
	notification_init(&n, 5);
	struct thread *server = &th[0], *client = &th[1];
	assert_int_equal(ep_bind(&ep, &n), 0);
	ntfn_signal(&n, 0x1);
	ntfn_signal(&n, 0x2);
	assert_int_equal(n.bits, 0x3);
	run(client, 0, 10);
	const uint64_t msg[KEEL_MSG_WORDS] = {77};
	ep_send(&ep, client, msg, 9, false);
	run(server, 0, 20);
	ep_recv(&ep, server);
	assert_int_equal(server->regs.x[7], 9); /* the message first */
	assert_int_equal(server->regs.x[1], 77);
	ep_recv(&ep, server);
	assert_int_equal(server->regs.x[7], KEEL_BADGE_SIGNAL);
	assert_int_equal(server->regs.x[1], 0x3);
	assert_int_equal(n.bits, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup_teardown(recv_first_then_send, setup, teardown),
	        cmocka_unit_test_setup_teardown(bound_notification_wakes_the_receiver, setup,
	                                        teardown),
	        cmocka_unit_test_setup_teardown(bound_signal_pending_at_receive, setup, teardown),
	        cmocka_unit_test_setup_teardown(dead_server_abandons_a_vcpu_exit, setup, teardown),
	        cmocka_unit_test_setup_teardown(closed_endpoint_fails_its_senders, setup, teardown),
	        cmocka_unit_test_setup_teardown(send_first_then_recv_in_fifo_order, setup,
	                                        teardown),
	        cmocka_unit_test_setup_teardown(call_then_recv_then_reply, setup, teardown),
	        cmocka_unit_test_setup_teardown(recv_then_call_then_reply, setup, teardown),
	        cmocka_unit_test_setup_teardown(second_call_without_reply_fails_the_first_caller,
	                                        setup, teardown),
	        cmocka_unit_test_setup_teardown(reply_without_caller, setup, teardown),
	        cmocka_unit_test_setup_teardown(stop_server_owing_reply_fails_the_caller, setup,
	                                        teardown),
	        cmocka_unit_test_setup_teardown(stop_caller_waiting_for_reply, setup, teardown),
	        cmocka_unit_test_setup_teardown(stop_queued_sender_leaves_the_queue, setup,
	                                        teardown),
	        cmocka_unit_test_setup_teardown(stop_queued_receiver_leaves_the_queue, setup,
	                                        teardown),
	        cmocka_unit_test_setup_teardown(fault_with_receiver_waiting, setup, teardown),
	        cmocka_unit_test_setup_teardown(exit_message_before_receiver, setup, teardown),
	        cmocka_unit_test_setup_teardown(cross_cpu_wake_sends_ipi, setup, teardown),
	        cmocka_unit_test_setup_teardown(same_cpu_wake_sends_no_ipi, setup, teardown),
	        cmocka_unit_test_setup_teardown(cross_cpu_wake_of_lower_priority_sends_no_ipi,
	                                        setup, teardown),
	        cmocka_unit_test_setup_teardown(cross_cpu_reply_sends_ipi, setup, teardown),
	        cmocka_unit_test_setup_teardown(retry_reply_defers_a_vcpu_exit, setup, teardown),
	        cmocka_unit_test_setup_teardown(retry_reply_is_bounded, setup, teardown),
	        cmocka_unit_test_setup_teardown(deferred_vcpu_stops, setup, teardown),
	        cmocka_unit_test_setup_teardown(retry_word_is_plain_data_for_a_thread, setup,
	                                        teardown),
	        cmocka_unit_test_setup_teardown(stop_thread_running_on_another_cpu_sends_ipi, setup,
	                                        teardown),
	        cmocka_unit_test_setup_teardown(wake_uses_the_counter, setup, teardown),
	        cmocka_unit_test_setup_teardown(signal_accumulates_wait_takes, setup, teardown),
	        cmocka_unit_test_setup_teardown(waiter_blocks_then_signal_wakes, setup, teardown),
	        cmocka_unit_test_setup_teardown(waiters_are_woken_one_per_signal_in_order, setup,
	                                        teardown),
	        cmocka_unit_test_setup_teardown(poll_takes_and_clears, setup, teardown),
	        cmocka_unit_test_setup_teardown(stop_waiter_leaves_notification, setup, teardown),
	        cmocka_unit_test_setup_teardown(cross_cpu_signal_sends_ipi, setup, teardown),
	        cmocka_unit_test_setup_teardown(kernel_sched_init_gives_every_cpu_a_slice, setup,
	                                        teardown),
	        cmocka_unit_test_setup_teardown(pick_next_programs_the_timer, setup, teardown),
	        cmocka_unit_test_setup_teardown(a_deadline_is_armed_again_after_the_timer_stopped,
	                                        setup, teardown),
	        cmocka_unit_test_setup_teardown(pick_next_sees_wakeups_and_the_timer, setup,
	                                        teardown),
	        cmocka_unit_test_setup_teardown(pick_next_idles_until_woken, setup, teardown),
	        cmocka_unit_test_setup_teardown(remote_wake_of_equal_priority_is_signalled, setup,
	                                        teardown),
	        cmocka_unit_test_setup_teardown(faulting_server_releases_its_caller, setup,
	                                        teardown),
	        cmocka_unit_test_setup_teardown(fault_goes_to_the_supervisor, setup, teardown),
	        cmocka_unit_test_setup_teardown(a_thread_is_placed_from_start_to_stop, setup,
	                                        teardown),
	        cmocka_unit_test_setup_teardown(a_thread_joining_a_lone_one_interrupts_its_cpu,
	                                        setup, teardown),
	        cmocka_unit_test_setup_teardown(faults_and_exits_end_placement, setup, teardown),
	        cmocka_unit_test_setup_teardown(remote_wake_into_throttle_is_signalled, setup,
	                                        teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
