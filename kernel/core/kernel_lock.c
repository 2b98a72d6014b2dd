/* SPDX-License-Identifier: MIT */
/*
 * The kernel lock: a ticket lock, fair, so no CPU starves. A waiter spins
 * KERNEL_LOCK_SPINS turns, then sleeps in WFI until the CPU that hands it
 * the lock sends it an IPI.
 *
 * On a board a spin that long already means a hold far past the kernel's
 * bound. Under an emulator with fewer host cores than CPUs (QEMU's
 * multi-threaded TCG on a 2-core host) the host deschedules the CPU that
 * holds the lock, the spinners take the host cores it needs, and the
 * system collapses: the vGIC rework's MVM did not reach its shell in 90 s,
 * 17 s with the sleep (docs/benchmarks.md, "One TCG thread"). A CPU that
 * entered for an interrupt still has it pending while it waits, so its WFI
 * ends at once and it spins on; the others sleep.
 */
#include <keel/arch.h>
#include <keel/cpu_stop.h>
#include <keel/kernel.h>
#include <keel/spinlock.h>

#define KERNEL_LOCK_SPINS 1024

static struct spinlock kernel_big_lock = SPINLOCK_INIT;

/* Each sleeping CPU's ticket + 1 (0: awake; the ticket 0xffffffff also
 * reads 0, which only its bit in `sleepers` tells apart), and which CPUs
 * sleep. */
static uint32_t sleeping_for[KEEL_MAX_CPUS];
static uint32_t sleepers;
_Static_assert(KEEL_MAX_CPUS <= 32, "sleepers has a bit per CPU");

static uint32_t owner(void)
{
	return __atomic_load_n(&kernel_big_lock.owner, __ATOMIC_ACQUIRE);
}

static void sleep_until_owner(uint32_t ticket)
{
	unsigned me = arch_cpu_id();
	__atomic_store_n(&sleeping_for[me], ticket + 1, __ATOMIC_RELAXED);
	__atomic_fetch_or(&sleepers, 1u << me, __ATOMIC_RELAXED);
	/* Against kernel_unlock's fence: either it sees this CPU asleep and
	 * wakes it, or this CPU sees the lock handed on and does not sleep. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (owner() != ticket)
		arch_wait_for_ipi();
	__atomic_fetch_and(&sleepers, ~(1u << me), __ATOMIC_RELAXED);
	__atomic_store_n(&sleeping_for[me], 0, __ATOMIC_RELAXED);
}

/* Every entry to the kernel proper comes here: a CPU that another one's
 * panic stopped parks before the lock, and while it waits for it (the
 * panic's IPI ends a sleep too). */
void kernel_lock(void)
{
	cpu_stop_poll();
	uint32_t ticket = __atomic_fetch_add(&kernel_big_lock.next, 1, __ATOMIC_RELAXED);
	for (unsigned spins = 0; owner() != ticket; spins++) {
		cpu_stop_poll();
		if (spins < KERNEL_LOCK_SPINS) {
			arch_cpu_relax();
			continue;
		}
		sleep_until_owner(ticket);
		spins = 0;
	}
}

void kernel_unlock(void)
{
	/* Read while held: once it is let go, the next holder may move it on. */
	uint32_t next = kernel_big_lock.owner + 1;
	spin_unlock(&kernel_big_lock);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	uint32_t asleep = __atomic_load_n(&sleepers, __ATOMIC_RELAXED);
	for (unsigned cpu = 0; asleep; cpu++, asleep >>= 1)
		if ((asleep & 1) &&
		    __atomic_load_n(&sleeping_for[cpu], __ATOMIC_RELAXED) == next + 1)
			arch_ipi_send(cpu);
}
