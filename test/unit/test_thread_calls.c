/* SPDX-License-Identifier: MIT */
/*
 * Thread calls (THREAD_STOP, THREAD_SCHED, THREAD_START) on a thread that
 * another CPU still runs: stopped, it stays on that CPU (on_cpu) until the
 * CPU enters the kernel and saves its registers. Cases found by the
 * system-call fuzzer (test/fuzz/fuzz_syscall.c), through the real decoder
 * on the host arch fake. And TIME, which also gives the caller's CPU time.
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
#include <keel/errno.h>
#include <keel/frame.h>
#include <keel/irq.h>
#include <keel/kernel.h>
#include <keel/partition.h>
#include <keel/smp.h>
#include <keel/syscall.h>
#include <keel/untyped.h>

#include "syscall_world.h"

/* A thread of vmm's partition started on CPU 1, which runs it now. */
static struct thread *running_on_cpu1(unsigned slot)
{
	struct thread *t = make(POOL, KEEL_OBJ_THREAD, slot);
	assert_int_equal(call(vmm, KEEL_SYS_THREAD_CONFIG, slot, 0, 0x1000, 0x2000, 0), 0);
	assert_int_equal(call(vmm, KEEL_SYS_THREAD_SCHED, slot, 10, 0, 0, 1), 0);
	assert_int_equal(call(vmm, KEEL_SYS_THREAD_START, slot, 0, 0, 0, 0), 0);
	assert_ptr_equal(sched_pick(&sched_cpus[1], fake_arch.counter), t);
	t->on_cpu = true; /* as arch_run_next leaves it */
	return t;
}

/* Stopped from CPU 0 before CPU 1 ever charged it (used == 0): moving it
 * to CPU 0 and starting it there would let CPU 0 run it while CPU 1 still
 * does, and CPU 1 then save its registers over CPU 0's. */
static void a_thread_still_on_its_cpu_cannot_move(void **state)
{
	(void)state;
	struct thread *t = running_on_cpu1(8);
	assert_int_equal(call(vmm, KEEL_SYS_THREAD_STOP, 8, 0, 0, 0, 0), 0);
	assert_int_equal(t->used, 0);

	assert_int_equal(call(vmm, KEEL_SYS_THREAD_SCHED, 8, 10, 0, 0, 0), -KEEL_EBUSY);
	assert_int_equal(t->cpu, 1);

	t->on_cpu = false; /* CPU 1 entered the kernel and saved its registers */
	assert_int_equal(call(vmm, KEEL_SYS_THREAD_SCHED, 8, 10, 0, 0, 0), 0);
	assert_int_equal(t->cpu, 0);
}

/* Staying on its CPU is safe: that CPU saves its registers before it can
 * pick it again. */
static void a_thread_still_on_its_cpu_may_change_priority(void **state)
{
	(void)state;
	struct thread *t = running_on_cpu1(8);
	assert_int_equal(call(vmm, KEEL_SYS_THREAD_STOP, 8, 0, 0, 0, 0), 0);
	assert_int_equal(call(vmm, KEEL_SYS_THREAD_SCHED, 8, 20, 0, 0, 1), 0);
	assert_int_equal(t->prio, 20);
	assert_int_equal(call(vmm, KEEL_SYS_THREAD_START, 8, 0, 0, 0, 0), 0);
	assert_int_equal(t->state, KEEL_TS_READY);
	t->on_cpu = false; /* CPU 1 saves its registers, then may pick it again */
}

/* TIME gives the caller's own CPU time as charged at this entry. */
static void time_gives_the_callers_cpu_time(void **state)
{
	(void)state;
	fake_arch.counter = 5000;
	vmm->used = 1234;
	assert_int_equal(call(vmm, KEEL_SYS_TIME, 0, 0, 0, 0, 0), 0);
	assert_int_equal(vmm->regs.x[1], 5000);
	assert_int_equal(vmm->regs.x[2], fake_arch.counter_freq);
	assert_int_equal(vmm->regs.x[3], 1234);
}

int main(void)
{
	(void)mapped; /* helpers of syscall_world.h this file does not need */
	(void)free_bytes;
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	        T(a_thread_still_on_its_cpu_cannot_move),
	        T(a_thread_still_on_its_cpu_may_change_priority),
	        T(time_gives_the_callers_cpu_time),
#undef T
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
