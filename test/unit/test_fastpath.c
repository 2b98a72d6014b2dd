/* SPDX-License-Identifier: MIT */
/*
 * The IPC fast path (kernel/core/fastpath.c): when it may switch straight to
 * the partner, that it leaves exactly the state the ordinary path would
 * (message, badge, states, reply links, queues), and that it declines
 * everything it cannot do without the scheduler.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <fake_arch.h>
#include <keel/cap.h>
#include <keel/endpoint.h>
#include <keel/fastpath.h>
#include <keel/kernel.h>
#include <keel/partition.h>

#define NOW     1000000
#define EP_SLOT 5

static struct partition *client_p, *server_p;
static struct thread client, server, other;
static struct endpoint ep;

static int setup(void **state)
{
	(void)state;
	fake_arch_reset();
	fake_arch.counter = NOW;
	kernel_sched_init();
	client_p = calloc(1, sizeof(*client_p));
	server_p = calloc(1, sizeof(*server_p));
	cspace_init(&client_p->cspace);
	cspace_init(&server_p->cspace);
	endpoint_init(&ep, 3);
	assert_int_equal(
	        cap_install(&client_p->cspace, EP_SLOT, KEEL_OBJ_ENDPOINT, &ep, KEEL_R_WRITE, 0x77),
	        0);
	assert_int_equal(
	        cap_install(&server_p->cspace, EP_SLOT, KEEL_OBJ_ENDPOINT, &ep, KEEL_R_READ, 0), 0);
	thread_init(&client, 1);
	thread_init(&server, 2);
	thread_init(&other, 3);
	client.partition = other.partition = client_p;
	server.partition = server_p;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	cspace_unregister(&client_p->cspace);
	cspace_unregister(&server_p->cspace);
	free(client_p);
	free(server_p);
	return 0;
}

/* t becomes the running thread of CPU c. */
static void run(struct thread *t, unsigned c, uint8_t prio)
{
	t->cpu = (uint16_t)c;
	t->prio = prio;
	sched_make_ready(&sched_cpus[c], t, NOW);
	assert_ptr_equal(sched_pick(&sched_cpus[c], NOW), t);
	fake_arch.cpu_id = c;
}

/* The server waits in receive on CPU c at `prio`, the client runs there. */
static void server_waits(unsigned c, uint8_t prio)
{
	run(&server, c, prio);
	ep_recv(&ep, &server);
	assert_int_equal(server.state, KEEL_TS_BLOCKED_RECV);
	sched_pick(&sched_cpus[c], NOW);
}

static void set_call(struct thread *t, uint64_t no, uint64_t first)
{
	t->regs.x[0] = EP_SLOT;
	t->regs.x[8] = no;
	for (unsigned i = 1; i <= KEEL_MSG_WORDS; i++)
		t->regs.x[i] = first + i;
}

static void call_switches_to_the_waiting_server(void **state)
{
	(void)state;
	server_waits(0, 20);
	run(&client, 0, 10);
	set_call(&client, KEEL_SYS_CALL, 100);
	assert_true(fastpath_try(&client));
	assert_ptr_equal(sched_cpus[0].current, &server);
	assert_int_equal(server.state, KEEL_TS_RUNNING);
	assert_int_equal(server.regs.x[0], 0);
	assert_int_equal(server.regs.x[1], 101);
	assert_int_equal(server.regs.x[6], 106);
	assert_int_equal(server.regs.x[7], 0x77); /* the client's badge */
	assert_int_equal(client.state, KEEL_TS_BLOCKED_REPLY);
	assert_ptr_equal(server.reply_to, &client);
	assert_ptr_equal(client.reply_from, &server);
	assert_true(list_empty(&ep.receivers));
	assert_int_equal(fake_arch.ipi_count, 0);
}

static void reply_recv_switches_back_and_waits_again(void **state)
{
	(void)state;
	server_waits(0, 20);
	run(&client, 0, 10);
	set_call(&client, KEEL_SYS_CALL, 100);
	assert_true(fastpath_try(&client));
	set_call(&server, KEEL_SYS_REPLY_RECV, 200);
	assert_true(fastpath_try(&server));
	assert_ptr_equal(sched_cpus[0].current, &client);
	assert_int_equal(client.state, KEEL_TS_RUNNING);
	assert_int_equal(client.regs.x[0], 0);
	assert_int_equal(client.regs.x[1], 201);
	assert_int_equal(client.regs.x[6], 206);
	assert_null(client.reply_from);
	assert_null(server.reply_to);
	assert_int_equal(server.state, KEEL_TS_BLOCKED_RECV);
	assert_ptr_equal(ep.receivers.next, &server.ipc_node);
}

static void declines_server_on_another_cpu(void **state)
{
	(void)state;
	server_waits(1, 20);
	run(&client, 0, 10);
	set_call(&client, KEEL_SYS_CALL, 100);
	assert_false(fastpath_try(&client));
	assert_int_equal(server.state, KEEL_TS_BLOCKED_RECV);
	assert_int_equal(client.state, KEEL_TS_RUNNING);
}

static void declines_budgeted_partner(void **state)
{
	(void)state;
	server.budget = 100;
	server.period = 1000;
	server_waits(0, 20);
	run(&client, 0, 10);
	set_call(&client, KEEL_SYS_CALL, 100);
	assert_false(fastpath_try(&client));
	assert_int_equal(client.state, KEEL_TS_RUNNING);
}

static void declines_when_a_ready_thread_outranks_the_partner(void **state)
{
	(void)state;
	server_waits(0, 20);
	run(&client, 0, 30);
	other.cpu = 0;
	other.prio = 25; /* ready, above the server: the scheduler must decide */
	sched_make_ready(&sched_cpus[0], &other, NOW);
	sched_cpus[0].need_resched = false;
	sched_cpus[0].dirty = false;
	set_call(&client, KEEL_SYS_CALL, 100);
	assert_false(fastpath_try(&client));
	assert_int_equal(server.state, KEEL_TS_BLOCKED_RECV);
}

static void declines_without_rights_or_receiver(void **state)
{
	(void)state;
	run(&client, 0, 10);
	set_call(&client, KEEL_SYS_CALL, 100);
	assert_false(fastpath_try(&client)); /* nobody waits */
	server_waits(0, 20);
	run(&client, 0, 10);
	set_call(&client, KEEL_SYS_CALL, 100);
	client.regs.x[0] = EP_SLOT + 1; /* empty slot: the slow path reports it */
	assert_false(fastpath_try(&client));
	set_call(&server, KEEL_SYS_REPLY_RECV, 0);
	assert_false(fastpath_try(&server)); /* no caller to reply to */
	set_call(&client, KEEL_SYS_SEND, 100);
	assert_false(fastpath_try(&client)); /* only call and reply_recv */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup_teardown(call_switches_to_the_waiting_server, setup,
	                                        teardown),
	        cmocka_unit_test_setup_teardown(reply_recv_switches_back_and_waits_again, setup,
	                                        teardown),
	        cmocka_unit_test_setup_teardown(declines_server_on_another_cpu, setup, teardown),
	        cmocka_unit_test_setup_teardown(declines_budgeted_partner, setup, teardown),
	        cmocka_unit_test_setup_teardown(declines_when_a_ready_thread_outranks_the_partner,
	                                        setup, teardown),
	        cmocka_unit_test_setup_teardown(declines_without_rights_or_receiver, setup,
	                                        teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
