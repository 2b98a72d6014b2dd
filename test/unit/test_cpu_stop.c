/* SPDX-License-Identifier: MIT */
/* Stopping the other CPUs for a panic: one CPU claims the stop, it is
 * never parked by its own stop, and exactly the CPUs asked are kicked.
 * (Parking itself halts the CPU: the QEMU panic.* tests see it.) */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <fake_arch.h>
#include <keel/cpu_stop.h>

static void one_claim_kicks_the_cpus_asked(void **state)
{
	(void)state;
	fake_arch_reset();
	assert_int_equal(cpu_stop_owner(), CPU_STOP_NOBODY);
	cpu_stop_poll(); /* no stop asked: returns */

	fake_arch.cpu_id = 2;
	assert_true(cpu_stop_claim());
	assert_int_equal(cpu_stop_owner(), 2);
	fake_arch.cpu_id = 1;
	assert_false(cpu_stop_claim()); /* a second panic does not report */
	fake_arch.cpu_id = 2;
	assert_false(cpu_stop_claim()); /* nor a recursive one */
	cpu_stop_poll();                /* the owner is not parked by its stop */

	/* Nobody parks in the fake, so with no time to wait all are missing. */
	assert_int_equal(cpu_stop_others(0x0b, 0), 0x0b);
	assert_int_equal(fake_arch.ipi_count, 3);
	assert_int_equal(fake_arch.ipi_cpu[0], 0);
	assert_int_equal(fake_arch.ipi_cpu[1], 1);
	assert_int_equal(fake_arch.ipi_cpu[2], 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(one_claim_kicks_the_cpus_asked),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
