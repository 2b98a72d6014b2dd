/* SPDX-License-Identifier: MIT */
/*
 * Bringing up the other CPUs. Logical CPU 0 is the one that booted; the rest
 * are numbered in device-tree order. Each secondary runs cpu_bringup() on
 * itself and then reports online; the boot CPU waits for each in turn, with
 * a deadline, so a CPU that never arrives is reported, not waited for.
 */
#include <keel/arch.h>
#include <keel/config.h>
#include <keel/cpu.h>
#include <keel/errno.h>
#include <keel/kernel.h>
#include <keel/log.h>
#include <keel/selftest.h>
#include <keel/smp.h>

#define CPU_START_TIMEOUT_MS 500

static uint32_t online_mask = 1; /* the boot CPU */

unsigned smp_online_count(void)
{
	return (unsigned)__builtin_popcount(__atomic_load_n(&online_mask, __ATOMIC_ACQUIRE));
}

bool smp_cpu_online(unsigned cpu)
{
	return cpu < 32 && (__atomic_load_n(&online_mask, __ATOMIC_ACQUIRE) >> cpu) & 1;
}

static bool wait_online(unsigned cpu)
{
	uint64_t deadline = arch_counter() + arch_counter_freq() / 1000 * CPU_START_TIMEOUT_MS;

	while (!smp_cpu_online(cpu)) {
		if (arch_counter() > deadline)
			return false;
		arch_cpu_relax();
	}
	return true;
}

static void start_one(unsigned cpu, uint64_t hwid)
{
	int err = arch_cpu_start(cpu, hwid);

	if (err) {
		log_err("smp", "cpu%u (hwid 0x%llx): start failed: %s", cpu,
		        (unsigned long long)hwid, keel_strerror(err));
		return;
	}
	if (!wait_online(cpu))
		log_err("smp", "cpu%u (hwid 0x%llx): did not come online within %u ms", cpu,
		        (unsigned long long)hwid, CPU_START_TIMEOUT_MS);
}

unsigned smp_start_secondaries(const struct bootinfo *bi)
{
	uint64_t self = arch_cpu_hwid();
	unsigned next = 1;

	for (unsigned i = 0; i < bi->cpu_count; i++) {
		if (bi->cpu_mpidr[i] == self)
			continue;
		if (next >= KEEL_MAX_CPUS) {
			log_warn("smp", "more than %u CPUs: hwid 0x%llx left off", KEEL_MAX_CPUS,
			         (unsigned long long)bi->cpu_mpidr[i]);
			continue;
		}
		start_one(next++, bi->cpu_mpidr[i]);
	}
	return smp_online_count();
}

_Noreturn void smp_secondary_main(unsigned cpu)
{
	cpu_bringup();
	__atomic_fetch_or(&online_mask, 1u << cpu, __ATOMIC_RELEASE);
	log_info("smp", "cpu%u online (hwid 0x%llx)", cpu, (unsigned long long)arch_cpu_hwid());
	selftest_secondary(cpu);
	kernel_lock();
	arch_run_next();
}
