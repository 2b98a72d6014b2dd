/* SPDX-License-Identifier: MIT */
/* The kernel lock's sleep: a waiter that spun its turns sleeps until the
 * unlock that hands it the lock sends it an IPI, and an unlock that hands
 * the lock to nobody asleep sends none. The other CPU is played by the fake
 * arch's hook, run while the waiter sleeps. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <fake_arch.h>
#include <keel/kernel.h>

static unsigned ipis_at_handover, ipi_target;

/* CPU 0, the holder, lets go while CPU 1 sleeps for the lock. */
static void cpu0_unlocks(void)
{
	unsigned sleeper = fake_arch.cpu_id;
	fake_arch.cpu_id = 0;
	fake_ipi_clear();
	kernel_unlock();
	ipis_at_handover = fake_arch.ipi_count;
	ipi_target = fake_arch.ipi_cpu[0];
	fake_arch.cpu_id = sleeper;
}

static void the_next_owner_asleep_is_woken(void **state)
{
	(void)state;
	fake_arch_reset();
	kernel_lock(); /* CPU 0 holds it */

	fake_arch.cpu_id = 1;
	fake_arch.ipi_wait_hook = cpu0_unlocks;
	kernel_lock(); /* spins, sleeps, and gets it from CPU 0 */
	fake_arch.ipi_wait_hook = NULL;
	assert_int_equal(fake_arch.ipi_waits, 1);
	assert_int_equal(ipis_at_handover, 1);
	assert_int_equal(ipi_target, 1);

	fake_ipi_clear();
	kernel_unlock(); /* nobody waits */
	assert_int_equal(fake_arch.ipi_count, 0);
}

static void an_uncontended_lock_never_sleeps(void **state)
{
	(void)state;
	fake_arch_reset();
	for (unsigned cpu = 0; cpu < 4; cpu++) {
		fake_arch.cpu_id = cpu;
		kernel_lock();
		kernel_unlock();
	}
	assert_int_equal(fake_arch.ipi_waits, 0);
	assert_int_equal(fake_arch.ipi_count, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(the_next_owner_asleep_is_woken),
	        cmocka_unit_test(an_uncontended_lock_never_sleeps),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
