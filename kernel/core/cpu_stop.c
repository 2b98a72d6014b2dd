/* SPDX-License-Identifier: MIT */
#include <keel/arch.h>
#include <keel/cpu_stop.h>
#include <keel/timer.h>

static unsigned stop_owner = CPU_STOP_NOBODY;
static uint32_t parked_mask;

bool cpu_stop_claim(void)
{
	unsigned nobody = CPU_STOP_NOBODY;
	return __atomic_compare_exchange_n(&stop_owner, &nobody, arch_cpu_id(), false,
	                                   __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
}

unsigned cpu_stop_owner(void)
{
	return __atomic_load_n(&stop_owner, __ATOMIC_ACQUIRE);
}

_Noreturn void cpu_stop_park(void)
{
	arch_irq_save();
	__atomic_fetch_or(&parked_mask, 1u << arch_cpu_id(), __ATOMIC_RELEASE);
	arch_halt();
}

void cpu_stop_poll(void)
{
	unsigned owner = cpu_stop_owner();
	if (owner != CPU_STOP_NOBODY && owner != arch_cpu_id())
		cpu_stop_park();
}

uint32_t cpu_stop_others(uint32_t others, uint64_t timeout_us)
{
	uint64_t deadline = arch_counter() + us_to_ticks(timeout_us);

	for (unsigned cpu = 0; cpu < 32; cpu++)
		if (others & (1u << cpu))
			arch_ipi_send(cpu);
	for (;;) {
		uint32_t missing = others & ~__atomic_load_n(&parked_mask, __ATOMIC_ACQUIRE);
		if (!missing || arch_counter() >= deadline)
			return missing;
		arch_cpu_relax();
	}
}
