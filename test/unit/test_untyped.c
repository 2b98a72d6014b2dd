/* SPDX-License-Identifier: MIT */
/*
 * Untyped memory (kernel/core/untyped.c): child untypeds, UNTYPED_INFO and
 * UNTYPED_RESET, through the real system-call decoder (syscall.c) and the
 * real objects it reaches, on the host arch fake.
 *
 * A supervisor partition, outside the arena, holds the whole arena as
 * untyped. Each test has it build "vmm" (a partition and its thread) in
 * the arena and hand vmm a pool untyped; vmm carves the VM's untyped
 * (slot VM_UT) from the pool, and the tests reset that. After each test
 * the supervisor resets the arena, which checks on the way that a reset
 * leaves nothing behind: every partition but its own has left the list.
 *
 * A reset range is poisoned (AddressSanitizer) until something is carved
 * from it again, so any pointer into it that a reset left behind is
 * reported as soon as the kernel follows it.
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
#include <keel/errno.h>
#include <keel/fault.h>
#include <keel/frame.h>
#include <keel/irq.h>
#include <keel/kernel.h>
#include <keel/log.h>
#include <keel/notification.h>
#include <keel/partition.h>
#include <keel/smp.h>
#include <keel/syscall.h>
#include <keel/untyped.h>

#include "syscall_world.h"

/* A thread from `ut` in vmm's `slot`, configured into the partition in
 * vmm's slot `part` (0: vmm's own). */
static struct thread *make_thread(unsigned ut, unsigned slot, unsigned part)
{
	struct thread *t = make(ut, KEEL_OBJ_THREAD, slot);
	assert_int_equal(call(vmm, KEEL_SYS_THREAD_CONFIG, slot, part, 0x1000, 0x2000, 0), 0);
	return t;
}

/* t enters the kernel from its CPU. Only the thread a CPU runs makes a
 * call that blocks (thread_state.c): t is started if need be, and picked. */
static struct thread *running(struct thread *t)
{
	if (t->state == KEEL_TS_INACTIVE)
		thread_wake(t);
	assert_ptr_equal(sched_pick(&sched_cpus[t->cpu], fake_arch.counter), t);
	return t;
}

static bool listed(const struct partition *p)
{
	for (const struct partition *q = partition_first(); q; q = q->next)
		if (q == p)
			return true;
	return false;
}

static bool in_thread_list(const struct partition *p, const struct thread *t)
{
	for (const struct list *l = p->threads.next; l != &p->threads; l = l->next)
		if (l == &t->partition_node)
			return true;
	return false;
}

static void assert_woken_with(const struct thread *t, long err)
{
	assert_int_equal(t->state, KEEL_TS_READY);
	assert_int_equal((long)t->regs.x[0], err);
	assert_null(t->blocked_on);
	assert_false(list_linked(&t->ipc_node));
}

/* --- retype of untyped and UNTYPED_INFO ------------------------------------ */

static void child_untyped_is_aligned_and_its_header_outside(void **state)
{
	(void)state;
	uint64_t base, size, avail;
	const struct untyped *vm = obj(vmm, VM_UT);

	assert_int_equal(info(vmm, VM_UT, &base, &size, &avail), 0);
	assert_int_equal(base % (2 * MIB), 0);
	assert_int_equal(size, VM_SIZE);
	assert_int_equal(avail, VM_SIZE);
	assert_int_equal(vm->base, base);
	assert_false(untyped_contains(vm, vm));
	assert_true(untyped_contains(obj(vmm, POOL), vm));
	assert_ptr_equal(vmm_p->cspace.slots[VM_UT].parent, &vmm_p->cspace.slots[POOL]);

	/* Below 2 MiB, page aligned; a grandchild lies in its parent. */
	assert_int_equal(retype(vmm, VM_UT, KEEL_OBJ_UNTYPED, 3 * PAGE, 0, 8), 0);
	assert_int_equal(info(vmm, 8, &base, &size, &avail), 0);
	assert_int_equal(base % PAGE, 0);
	assert_int_equal(size, 3 * PAGE);
	assert_true(untyped_contains(vm, (void *)(uintptr_t)base));
	assert_false(untyped_contains(obj(vmm, 8), obj(vmm, 8)));
}

static void child_untyped_size_errors(void **state)
{
	(void)state;
	uint64_t left = free_bytes(vmm, POOL);

	assert_int_equal(retype(vmm, POOL, KEEL_OBJ_UNTYPED, 0, 0, 8), -KEEL_EINVAL);
	assert_int_equal(retype(vmm, POOL, KEEL_OBJ_UNTYPED, PAGE + 1, 0, 8), -KEEL_EINVAL);
	assert_int_equal(retype(vmm, POOL, KEEL_OBJ_UNTYPED, (left + PAGE) & ~(PAGE - 1), 0, 8),
	                 -KEEL_ENOMEM);
	/* Its header takes room too. */
	assert_int_equal(retype(vmm, POOL, KEEL_OBJ_UNTYPED, left & ~(PAGE - 1), 0, 8),
	                 -KEEL_ENOMEM);
	assert_true(slot_empty(vmm_p, 8));
	assert_int_equal(free_bytes(vmm, POOL), left);
	/* Larger than a frame may be. */
	assert_int_equal(retype(vmm, POOL, KEEL_OBJ_UNTYPED, 8 * MIB, 0, 8), 0);
}

static void info_and_reset_check_rights(void **state)
{
	(void)state;
	uint64_t base, size, avail;

	assert_int_equal(call(vmm, KEEL_SYS_CAP_COPY, VM_UT, 0, 8, KEEL_R_READ, 0), 0);
	assert_int_equal(call(vmm, KEEL_SYS_CAP_COPY, VM_UT, 0, 9, KEEL_R_CONTROL, 0), 0);
	(void)make(POOL, KEEL_OBJ_ENDPOINT, 10);
	assert_int_equal(reset(vmm, 8), -KEEL_EPERM);
	assert_int_equal(info(vmm, 8, &base, &size, &avail), 0);
	assert_int_equal(info(vmm, 9, &base, &size, &avail), -KEEL_EPERM);
	assert_int_equal(reset(vmm, 10), -KEEL_ETYPE);
	assert_int_equal(reset(vmm, 11), -KEEL_ENOCAP);
	assert_int_equal(retype(vmm, 8, KEEL_OBJ_ENDPOINT, 0, 0, 11), -KEEL_EPERM);
	/* Copies of the untyped capability are not objects in its range. */
	assert_int_equal(reset(vmm, 9), 0);
	assert_false(slot_empty(vmm_p, 8));
}

/* --- what a reset destroys ---------------------------------------------- */

static void reset_gives_the_same_addresses_again(void **state)
{
	(void)state;
	uint64_t base, size, avail;
	const unsigned types[] = {KEEL_OBJ_ENDPOINT, KEEL_OBJ_FRAME, KEEL_OBJ_PARTITION,
	                          KEEL_OBJ_THREAD, KEEL_OBJ_NOTIFICATION};
	void *before[5];

	for (unsigned i = 0; i < 5; i++)
		before[i] = make(VM_UT, types[i], 8 + i);
	uint64_t phys = frame_phys(9);
	uint16_t vmid = ((struct partition *)before[2])->vmid;
	memset((void *)(uintptr_t)phys, 0xaa, PAGE);
	assert_int_equal(info(vmm, VM_UT, &base, &size, &avail), 0);
	assert_true(avail < VM_SIZE);

	assert_int_equal(reset(vmm, VM_UT), 0);
	for (unsigned i = 0; i < 5; i++)
		assert_true(slot_empty(vmm_p, 8 + i));
	assert_int_equal(free_bytes(vmm, VM_UT), VM_SIZE);
	assert_false(slot_empty(vmm_p, VM_UT));
	assert_int_equal(fake_arch.memory_reused, 1);
	assert_int_equal(fake_arch.reused_base, base);
	assert_int_equal(fake_arch.reused_size, VM_SIZE);

	for (unsigned i = 0; i < 5; i++)
		assert_ptr_equal(make(VM_UT, types[i], 8 + i), before[i]);
	assert_int_equal(frame_phys(9), phys);
	for (uint64_t i = 0; i < PAGE; i++)
		assert_int_equal(((const uint8_t *)(uintptr_t)phys)[i], 0);
	/* The destroyed partition's VMID was freed: the lowest free one again. */
	assert_int_equal(((struct partition *)before[2])->vmid, vmid);
}

static void caps_to_objects_inside_go_from_every_cspace(void **state)
{
	(void)state;
	struct partition *q = make(POOL, KEEL_OBJ_PARTITION, 8);
	struct partition *p = make(VM_UT, KEEL_OBJ_PARTITION, 9);
	(void)make(VM_UT, KEEL_OBJ_ENDPOINT, 10);
	(void)make(POOL, KEEL_OBJ_ENDPOINT, 11);

	assert_int_equal(call(vmm, KEEL_SYS_CAP_COPY, 10, 8, 5, KEEL_R_ALL, 0), 0);
	assert_int_equal(call(vmm, KEEL_SYS_CAP_MINT, 10, 0, 12, KEEL_R_ALL, 0x42), 0);
	/* An outside endpoint reaches q through p, which goes. */
	assert_int_equal(call(vmm, KEEL_SYS_CAP_COPY, 11, 9, 6, KEEL_R_ALL, 0), 0);
	assert_int_equal(cap_derive(&p->cspace.slots[6], &q->cspace, 6, KEEL_R_ALL, false, 0), 0);

	assert_int_equal(reset(vmm, VM_UT), 0);
	assert_true(slot_empty(q, 5));
	assert_true(slot_empty(vmm_p, 10));
	assert_true(slot_empty(vmm_p, 12));
	assert_true(slot_empty(vmm_p, 9));
	/* q's copy stays, re-parented to the original: a revoke still reaches it. */
	assert_false(slot_empty(q, 6));
	assert_ptr_equal(q->cspace.slots[6].parent, &vmm_p->cspace.slots[11]);
	assert_int_equal(call(vmm, KEEL_SYS_CAP_REVOKE, 11, 0, 0, 0, 0), 0);
	assert_true(slot_empty(q, 6));
}

static void resetting_a_parent_reaches_what_its_children_carved(void **state)
{
	(void)state;
	struct partition *q = make(POOL, KEEL_OBJ_PARTITION, 8);
	assert_int_equal(retype(vmm, VM_UT, KEEL_OBJ_UNTYPED, 2 * MIB, 0, 9), 0);
	(void)make(9, KEEL_OBJ_ENDPOINT, 10);
	assert_int_equal(call(vmm, KEEL_SYS_CAP_COPY, 10, 8, 5, KEEL_R_ALL, 0), 0);

	assert_int_equal(reset(vmm, VM_UT), 0);
	assert_true(slot_empty(vmm_p, 9));
	assert_true(slot_empty(vmm_p, 10));
	assert_true(slot_empty(q, 5));
}

static void partitions_inside_leave_the_list(void **state)
{
	(void)state;
	struct partition *p = make(VM_UT, KEEL_OBJ_PARTITION, 8);
	struct partition *vm = make(VM_UT, KEEL_OBJ_VM, 9);
	uint32_t pid = p->id, vmid_low = p->vmid < vm->vmid ? p->vmid : vm->vmid;
	/* Threads outside, in partitions inside. */
	struct thread *t = make_thread(POOL, 10, 8);
	struct thread *v = make(POOL, KEEL_OBJ_VCPU, 11);
	assert_int_equal(call(vmm, KEEL_SYS_THREAD_CONFIG, 11, 9, 0x80000, 0, 0), 0);
	(void)make_thread(VM_UT, 12, 8);
	assert_int_equal(call(vmm, KEEL_SYS_THREAD_START, 10, 0, 0, 0, 0), 0);
	assert_true(listed(p));
	assert_ptr_equal(partition_by_id(pid), p);

	assert_int_equal(reset(vmm, VM_UT), 0);
	assert_false(listed(p));
	assert_false(listed(vm));
	assert_null(partition_by_id(pid));
	assert_null(t->partition);
	assert_null(v->partition);
	assert_int_equal(t->state, KEEL_TS_INACTIVE);
	assert_false(list_linked(&t->sched_node));
	assert_false(list_linked(&t->partition_node));
	assert_int_equal(call(vmm, KEEL_SYS_THREAD_START, 10, 0, 0, 0, 0), -KEEL_EINVAL);
	/* Ready for a partition of its own again. */
	assert_int_equal(call(vmm, KEEL_SYS_THREAD_CONFIG, 10, 0, 0x1000, 0x2000, 0), 0);
	assert_true(in_thread_list(vmm_p, t));
	assert_int_equal(((struct partition *)make(POOL, KEEL_OBJ_PARTITION, 13))->vmid, vmid_low);
}

static void threads_inside_leave_partitions_outside(void **state)
{
	(void)state;
	struct thread *in = make_thread(VM_UT, 8, 0);
	struct thread *out = make_thread(POOL, 9, 0);
	assert_true(in_thread_list(vmm_p, in));
	assert_int_equal(call(vmm, KEEL_SYS_THREAD_START, 8, 0, 0, 0, 0), 0);
	assert_true(list_linked(&in->sched_node));

	assert_int_equal(reset(vmm, VM_UT), 0);
	assert_false(in_thread_list(vmm_p, in));
	assert_true(in_thread_list(vmm_p, out));
	assert_int_equal(sched_cpus[0].ready_mask, 0);
}

/* --- IPC with the other side inside --------------------------------------- */

static void waiters_outside_on_objects_inside_fail(void **state)
{
	(void)state;
	struct thread *r = make_thread(POOL, 8, 0), *w = make_thread(POOL, 9, 0);
	struct thread *s = make_thread(POOL, 10, 0);
	(void)make(VM_UT, KEEL_OBJ_ENDPOINT, 11);
	(void)make(VM_UT, KEEL_OBJ_NOTIFICATION, 12);
	(void)make(VM_UT, KEEL_OBJ_ENDPOINT, 13);

	call(running(r), KEEL_SYS_RECV, 11, 0, 0, 0, 0);
	call(running(w), KEEL_SYS_WAIT, 12, 0, 0, 0, 0);
	call(running(s), KEEL_SYS_CALL, 13, 1, 2, 3, 4);
	assert_int_equal(r->state, KEEL_TS_BLOCKED_RECV);
	assert_int_equal(w->state, KEEL_TS_BLOCKED_WAIT);
	assert_int_equal(s->state, KEEL_TS_BLOCKED_SEND);

	assert_int_equal(reset(vmm, VM_UT), 0);
	assert_woken_with(r, -KEEL_ESRCH);
	assert_woken_with(w, -KEEL_ESRCH);
	assert_woken_with(s, -KEEL_ESRCH);
	assert_null(s->reply_from);
}

static void a_fault_message_on_an_endpoint_inside_is_dropped(void **state)
{
	(void)state;
	(void)make(POOL, KEEL_OBJ_PARTITION, 8);
	struct partition *q = obj(vmm, 8);
	(void)make(VM_UT, KEEL_OBJ_ENDPOINT, 9);
	assert_int_equal(call(vmm, KEEL_SYS_PARTITION_CONFIG, 8, SCRATCH_IPA, 9, 7, 0), 0);
	struct thread *f = make_thread(POOL, 10, 8);
	fault_raise(running(f), KEEL_FAULT_MEMORY, 0xdead, 0x1000, 0x92000046);
	assert_int_equal(f->state, KEEL_TS_BLOCKED_SEND);

	assert_int_equal(reset(vmm, VM_UT), 0);
	/* As without a fault endpoint: stopped, not resumed. */
	assert_int_equal(f->state, KEEL_TS_FAULTED);
	assert_null(f->blocked_on);
	assert_false(list_linked(&f->sched_node));
	/* Its next fault stops its thread. */
	assert_null(q->fault_ep);
	struct thread *g = make_thread(POOL, 11, 8);
	fault_raise(running(g), KEEL_FAULT_EXIT, 0, 0, 0);
	assert_int_equal(g->state, KEEL_TS_EXITED);
}

static void a_vcpu_exit_to_an_endpoint_inside_is_abandoned(void **state)
{
	(void)state;
	(void)make(POOL, KEEL_OBJ_VM, 8);
	struct thread *v = make(POOL, KEEL_OBJ_VCPU, 9);
	assert_int_equal(call(vmm, KEEL_SYS_THREAD_CONFIG, 9, 8, 0x80000, 0, 0), 0);
	struct endpoint *ep = make(VM_UT, KEEL_OBJ_ENDPOINT, 10);
	const uint64_t msg[KEEL_MSG_WORDS] = {KEEL_EXIT_MMIO, 0x9000000, 4, 0, 0, v->id};
	v->regs.x[0] = 0x1234;
	v->exit_kind = KEEL_EXIT_MMIO;
	ep_send(ep, running(v), msg, 0, true);
	assert_int_equal(v->state, KEEL_TS_BLOCKED_SEND);

	assert_int_equal(reset(vmm, VM_UT), 0);
	/* Retried when it runs: no error lands in the guest's registers. */
	assert_int_equal(v->state, KEEL_TS_READY);
	assert_int_equal(v->exit_kind, 0);
	assert_int_equal(v->regs.x[0], 0x1234);
}

static void a_caller_inside_leaves_its_server_nothing_to_reply_to(void **state)
{
	(void)state;
	struct thread *server = make_thread(POOL, 8, 0);
	struct thread *caller = make_thread(VM_UT, 9, 0);
	(void)make(POOL, KEEL_OBJ_ENDPOINT, 10);
	call(running(server), KEEL_SYS_RECV, 10, 0, 0, 0, 0);
	call(running(caller), KEEL_SYS_CALL, 10, 5, 6, 7, 8);
	assert_ptr_equal(server->reply_to, caller);
	assert_int_equal(server->regs.x[1], 5);

	assert_int_equal(reset(vmm, VM_UT), 0);
	assert_null(server->reply_to);
	assert_int_equal(call(running(server), KEEL_SYS_REPLY, 0, 1, 2, 3, 4), -KEEL_ESRCH);
}

static void a_server_inside_gives_its_caller_esrch(void **state)
{
	(void)state;
	struct thread *server = make_thread(VM_UT, 8, 0);
	struct thread *caller = make_thread(POOL, 9, 0);
	(void)make(POOL, KEEL_OBJ_ENDPOINT, 10);
	call(running(server), KEEL_SYS_RECV, 10, 0, 0, 0, 0);
	call(running(caller), KEEL_SYS_CALL, 10, 5, 6, 7, 8);
	assert_int_equal(caller->state, KEEL_TS_BLOCKED_REPLY);

	assert_int_equal(reset(vmm, VM_UT), 0);
	assert_woken_with(caller, -KEEL_ESRCH);
	assert_null(caller->reply_from);
}

/* --- memory, interrupts, bindings ----------------------------------------- */

static void frames_inside_are_unmapped_from_partitions_outside(void **state)
{
	(void)state;
	struct partition *q = make(POOL, KEEL_OBJ_PARTITION, 8);
	uint64_t block;
	assert_int_equal(retype(vmm, VM_UT, KEEL_OBJ_FRAME, 2 * MIB, 0, 9), 0);
	(void)make(VM_UT, KEEL_OBJ_FRAME, 10);
	(void)make(POOL, KEEL_OBJ_FRAME, 11);
	assert_int_equal(call(vmm, KEEL_SYS_FRAME_MAP, 9, 0, 0x40000000, RW, 0), 0);
	assert_int_equal(call(vmm, KEEL_SYS_FRAME_MAP, 10, 0, 0x50000000, RW, 0), 0);
	assert_int_equal(call(vmm, KEEL_SYS_FRAME_MAP, 11, 0, 0x50001000, RW, 0), 0);
	assert_int_equal(call(vmm, KEEL_SYS_FRAME_MAP, 10, 8, 0x1000, KEEL_R_READ, 0), 0);
	assert_true(pt_lookup(&vmm_p->s2, 0x40000000, NULL, NULL, &block));
	assert_int_equal(block, 2 * MIB);
	unsigned flushes = fake_arch.space_flushes;

	assert_int_equal(reset(vmm, VM_UT), 0);
	assert_false(mapped(vmm_p, 0x40000000));
	assert_false(mapped(vmm_p, 0x50000000));
	assert_false(mapped(q, 0x1000));
	assert_true(mapped(vmm_p, 0x50001000));
	assert_true(mapped(vmm_p, SCRATCH_IPA));
	assert_true(fake_arch.space_flushes >= flushes + 2);
	/* The range is free to map again. */
	assert_int_equal(retype(vmm, VM_UT, KEEL_OBJ_FRAME, 2 * MIB, 0, 9), 0);
	assert_int_equal(call(vmm, KEEL_SYS_FRAME_MAP, 9, 0, 0x40000000, RW, 0), 0);
}

static void irq_bound_to_a_notification_inside_is_unbound(void **state)
{
	(void)state;
	struct notification *out = make(POOL, KEEL_OBJ_NOTIFICATION, 8);
	(void)make(VM_UT, KEEL_OBJ_NOTIFICATION, 9);
	(void)make(VM_UT, KEEL_OBJ_ENDPOINT, 10);
	assert_int_equal(call(vmm, KEEL_SYS_IRQ_CLAIM, IRQ_CTL, 40, 11, 0, 0), 0);
	assert_int_equal(call(vmm, KEEL_SYS_IRQ_BIND, 11, 9, 0, 0, 0), 0);
	assert_int_equal(call(vmm, KEEL_SYS_IRQ_CLAIM, IRQ_CTL, 41, 12, 0, 0), 0);
	assert_int_equal(call(vmm, KEEL_SYS_IRQ_BIND, 12, 8, 0, 0, 0), 0);
	assert_int_equal(call(vmm, KEEL_SYS_EP_BIND, 10, 8, 0, 0, 0), 0);
	assert_true(fake_arch.irq_unmasked[40]);

	assert_int_equal(reset(vmm, VM_UT), 0);
	assert_false(fake_arch.irq_unmasked[40]);
	assert_null(((struct irq_handler *)obj(vmm, 11))->ntfn);
	assert_null(out->bound_ep);
	/* Neither interrupt reaches memory in the range any more. */
	irq_dispatch(40);
	irq_dispatch(41);
	assert_int_equal(out->bits, KEEL_IRQ_BADGE);
	/* The handler's capability stays and binds again. */
	(void)make(VM_UT, KEEL_OBJ_NOTIFICATION, 9);
	assert_int_equal(call(vmm, KEEL_SYS_IRQ_BIND, 11, 9, 0, 0, 0), 0);
	assert_true(fake_arch.irq_unmasked[40]);
}

static void bindings_routes_and_fault_endpoints_into_the_range_go(void **state)
{
	(void)state;
	struct endpoint *ep_out = make(POOL, KEEL_OBJ_ENDPOINT, 8);
	struct partition *vm = make(POOL, KEEL_OBJ_VM, 9);
	(void)make(VM_UT, KEEL_OBJ_NOTIFICATION, 10);
	(void)make(VM_UT, KEEL_OBJ_ENDPOINT, 11);
	assert_int_equal(call(vmm, KEEL_SYS_EP_BIND, 8, 10, 0, 0, 0), 0);
	assert_int_equal(call(vmm, KEEL_SYS_VM_MMIO_ROUTE, 9, 0x9000000, PAGE, 11, 1), 0);
	assert_int_equal(call(vmm, KEEL_SYS_VM_MMIO_ROUTE, 9, 0xa000000, PAGE, 8, 2), 0);
	assert_int_equal(call(vmm, KEEL_SYS_PARTITION_CONFIG, 9, SCRATCH_IPA, 11, 3, 0), 0);

	assert_int_equal(reset(vmm, VM_UT), 0);
	assert_null(ep_out->bound);
	assert_null(vm->fault_ep);
	assert_null(vm->routes[0].ep);
	assert_ptr_equal(vm->routes[1].ep, ep_out);
	/* Free to bind again, and a receive finds no stale notification. */
	(void)make(VM_UT, KEEL_OBJ_NOTIFICATION, 10);
	assert_int_equal(call(vmm, KEEL_SYS_EP_BIND, 8, 10, 0, 0, 0), 0);
}

static void the_console_notification_inside_gives_the_log_back(void **state)
{
	(void)state;
	(void)make(VM_UT, KEEL_OBJ_NOTIFICATION, 8);
	assert_int_equal(call(vmm, KEEL_SYS_CONSOLE_CLAIM, UART, 8, 0, 0, 0), 0);
	fake_console_clear();
	log_info("test", "to the ring only");
	assert_null(strstr(fake_arch.console, "to the ring only"));

	assert_int_equal(reset(vmm, VM_UT), 0);
	log_info("test", "to the UART again");
	assert_non_null(strstr(fake_arch.console, "to the UART again"));
}

/* --- refusals -------------------------------------------------------------- */

static void reset_refuses_the_callers_own_memory(void **state)
{
	(void)state;
	(void)make(VM_UT, KEEL_OBJ_ENDPOINT, 8);
	struct thread *inside = make_thread(VM_UT, 9, 0);
	struct partition *p = make(VM_UT, KEEL_OBJ_PARTITION, 10);
	struct thread *outside = make_thread(POOL, 11, 10);
	assert_int_equal(call(vmm, KEEL_SYS_CAP_COPY, VM_UT, 10, 1, KEEL_R_ALL, 0), 0);
	assert_int_equal(call(&sup, KEEL_SYS_CAP_COPY, SUP_ARENA, SUP_VMM, 12, KEEL_R_ALL, 0), 0);
	uint64_t mark = ((struct untyped *)obj(vmm, VM_UT))->watermark;

	assert_int_equal(reset(vmm, 12), -KEEL_EINVAL);
	assert_int_equal(reset(inside, VM_UT), -KEEL_EINVAL);
	assert_int_equal(call(outside, KEEL_SYS_UNTYPED_RESET, 1, 0, 0, 0, 0), -KEEL_EINVAL);
	assert_int_equal(((struct untyped *)obj(vmm, VM_UT))->watermark, mark);
	assert_false(slot_empty(vmm_p, 8));
	assert_true(listed(p));
	assert_true(p->alive);
	assert_int_equal(fake_arch.memory_reused, 0);
}

static void a_thread_on_a_cpu_makes_reset_busy_until_it_leaves(void **state)
{
	(void)state;
	struct thread *t = make_thread(VM_UT, 8, 0);
	struct thread *r = make_thread(POOL, 9, 0);
	(void)make(VM_UT, KEEL_OBJ_ENDPOINT, 10);
	uint64_t left = free_bytes(vmm, VM_UT);
	assert_int_equal(call(vmm, KEEL_SYS_THREAD_SCHED, 8, 10, 0, 0, 1), 0);
	assert_int_equal(call(vmm, KEEL_SYS_THREAD_START, 8, 0, 0, 0, 0), 0);
	assert_ptr_equal(sched_pick(&sched_cpus[1], fake_arch.counter), t);
	t->on_cpu = true; /* CPU 1 runs it */
	call(running(r), KEEL_SYS_RECV, 10, 0, 0, 0, 0);
	fake_ipi_clear();

	assert_int_equal(reset(vmm, VM_UT), -KEEL_EBUSY);
	assert_int_equal(fake_arch.ipi_count, 1);
	assert_int_equal(fake_arch.ipi_cpu[0], 1);
	assert_int_equal(t->state, KEEL_TS_INACTIVE);
	assert_null(sched_cpus[1].current);
	/* Stopped, nothing freed. */
	assert_false(slot_empty(vmm_p, 8));
	assert_int_equal(free_bytes(vmm, VM_UT), left);
	assert_int_equal(r->state, KEEL_TS_BLOCKED_RECV);
	assert_int_equal(fake_arch.memory_reused, 0);

	/* Still there: kicked again. */
	assert_int_equal(reset(vmm, VM_UT), -KEEL_EBUSY);
	assert_int_equal(fake_arch.ipi_count, 2);

	t->on_cpu = false; /* its CPU saved its registers */
	assert_int_equal(reset(vmm, VM_UT), 0);
	assert_true(slot_empty(vmm_p, 8));
	assert_woken_with(r, -KEEL_ESRCH);
}

/* --- placement ---------------------------------------------------------------- */

/* A CPU counts the threads started there and not yet stopped or gone:
 * THREAD_START, THREAD_STOP, THREAD_EXIT, a move with THREAD_SCHED and
 * the reset of the untyped a thread lives in. */
static void placement_follows_the_thread_calls_and_reset(void **state)
{
	(void)state;
	struct thread *a = make_thread(VM_UT, 8, 0), *b = make_thread(POOL, 9, 0);
	assert_int_equal(call(vmm, KEEL_SYS_THREAD_SCHED, 8, 10, 0, 0, 1), 0);
	assert_int_equal(call(vmm, KEEL_SYS_THREAD_SCHED, 9, 5, 0, 0, 1), 0);
	assert_int_equal(sched_cpus[1].placed, 0); /* on CPU 1, not started */
	assert_int_equal(call(vmm, KEEL_SYS_THREAD_START, 8, 0, 0, 0, 0), 0);
	assert_true(thread_alone_on_cpu(a));
	assert_int_equal(call(vmm, KEEL_SYS_THREAD_START, 9, 0, 0, 0, 0), 0);
	assert_int_equal(sched_cpus[1].placed, 2);
	assert_false(thread_alone_on_cpu(a));

	assert_int_equal(call(vmm, KEEL_SYS_THREAD_STOP, 9, 0, 0, 0, 0), 0);
	assert_true(thread_alone_on_cpu(a));
	assert_int_equal(call(vmm, KEEL_SYS_THREAD_SCHED, 9, 5, 0, 0, 0), 0);
	assert_int_equal(call(vmm, KEEL_SYS_THREAD_START, 9, 0, 0, 0, 0), 0);
	assert_int_equal(sched_cpus[0].placed, 1);
	assert_int_equal(sched_cpus[1].placed, 1);
	/* No fault endpoint: its exit stops it. */
	call(running(b), KEEL_SYS_THREAD_EXIT, 0, 0, 0, 0, 0);
	assert_int_equal(b->state, KEEL_TS_EXITED);
	assert_int_equal(sched_cpus[0].placed, 0);
	assert_int_equal(call(vmm, KEEL_SYS_THREAD_STOP, 9, 0, 0, 0, 0), 0);
	assert_int_equal(sched_cpus[0].placed, 0);

	assert_int_equal(reset(vmm, VM_UT), 0);
	assert_int_equal(sched_cpus[1].placed, 0);
}

/* Threads outside the range whose partition is inside, and a vCPU switched
 * off and on again (PSCI CPU_OFF, CPU_ON: stop, configure, start). */
static void placement_ends_with_the_partition(void **state)
{
	(void)state;
	(void)make(VM_UT, KEEL_OBJ_PARTITION, 8);
	(void)make(VM_UT, KEEL_OBJ_VM, 9);
	struct thread *t = make_thread(POOL, 10, 8);
	struct thread *v = make(POOL, KEEL_OBJ_VCPU, 11);
	assert_int_equal(call(vmm, KEEL_SYS_THREAD_CONFIG, 11, 9, 0x80000, 0, 0), 0);
	assert_int_equal(call(vmm, KEEL_SYS_THREAD_SCHED, 11, 20, 0, 0, 1), 0);
	assert_int_equal(call(vmm, KEEL_SYS_THREAD_START, 10, 0, 0, 0, 0), 0);
	assert_int_equal(call(vmm, KEEL_SYS_THREAD_START, 11, 0, 0, 0, 0), 0);
	assert_true(thread_alone_on_cpu(v));
	assert_int_equal(call(vmm, KEEL_SYS_THREAD_STOP, 11, 0, 0, 0, 0), 0);
	assert_int_equal(sched_cpus[1].placed, 0);
	assert_int_equal(call(vmm, KEEL_SYS_THREAD_CONFIG, 11, 9, 0x80000, 0, 0), 0);
	assert_int_equal(call(vmm, KEEL_SYS_THREAD_START, 11, 0, 0, 0, 0), 0);
	assert_true(thread_alone_on_cpu(v));
	assert_int_equal(sched_cpus[0].placed, 1);

	assert_int_equal(reset(vmm, VM_UT), 0);
	assert_int_equal(t->state, KEEL_TS_INACTIVE);
	assert_int_equal(v->state, KEEL_TS_INACTIVE);
	assert_int_equal(sched_cpus[0].placed, 0);
	assert_int_equal(sched_cpus[1].placed, 0);
}

/* PARTITION_DESTROY stops its threads for good. */
static void placement_ends_with_partition_destroy(void **state)
{
	(void)state;
	(void)make(POOL, KEEL_OBJ_PARTITION, 8);
	(void)make_thread(POOL, 9, 8);
	assert_int_equal(call(vmm, KEEL_SYS_THREAD_START, 9, 0, 0, 0, 0), 0);
	assert_int_equal(sched_cpus[0].placed, 1);
	assert_int_equal(call(vmm, KEEL_SYS_PARTITION_DESTROY, 8, 0, 0, 0, 0), 0);
	assert_int_equal(sched_cpus[0].placed, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	        T(child_untyped_is_aligned_and_its_header_outside),
	        T(child_untyped_size_errors),
	        T(info_and_reset_check_rights),
	        T(reset_gives_the_same_addresses_again),
	        T(caps_to_objects_inside_go_from_every_cspace),
	        T(resetting_a_parent_reaches_what_its_children_carved),
	        T(partitions_inside_leave_the_list),
	        T(threads_inside_leave_partitions_outside),
	        T(waiters_outside_on_objects_inside_fail),
	        T(a_fault_message_on_an_endpoint_inside_is_dropped),
	        T(a_vcpu_exit_to_an_endpoint_inside_is_abandoned),
	        T(a_caller_inside_leaves_its_server_nothing_to_reply_to),
	        T(a_server_inside_gives_its_caller_esrch),
	        T(frames_inside_are_unmapped_from_partitions_outside),
	        T(irq_bound_to_a_notification_inside_is_unbound),
	        T(bindings_routes_and_fault_endpoints_into_the_range_go),
	        T(the_console_notification_inside_gives_the_log_back),
	        T(reset_refuses_the_callers_own_memory),
	        T(a_thread_on_a_cpu_makes_reset_busy_until_it_leaves),
	        T(placement_follows_the_thread_calls_and_reset),
	        T(placement_ends_with_the_partition),
	        T(placement_ends_with_partition_destroy),
#undef T
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
