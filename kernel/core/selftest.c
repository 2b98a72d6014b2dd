/* SPDX-License-Identifier: MIT */
#include <keel/arch.h>
#include <keel/bootinfo.h>
#include <keel/config.h>
#include <keel/kernel.h>
#include <keel/log.h>
#include <keel/selftest.h>
#include <keel/smp.h>
#include <keel/timer.h>
#include <string.h>

#define BEAT_US       20000
#define BEATS_BEFORE  3
#define BEAT_WAIT_US  3000000
#define FAULT_ADDRESS 0xdead0000ull

enum selftest { SELFTEST_NONE, SELFTEST_CRASH, SELFTEST_CRASH_SMP, SELFTEST_UNKNOWN };

static enum selftest selftest;
static char selftest_name[16];
static unsigned beats[KEEL_MAX_CPUS];

void selftest_parse(const char *bootargs)
{
	if (!bootargs_get(bootargs, "keel.selftest", selftest_name, sizeof(selftest_name)))
		return;
	if (!strcmp(selftest_name, "crash"))
		selftest = SELFTEST_CRASH;
	else if (!strcmp(selftest_name, "crash-smp"))
		selftest = SELFTEST_CRASH_SMP;
	else
		selftest = SELFTEST_UNKNOWN;
}

static uint64_t deadline_us(uint64_t us)
{
	return arch_counter() + us_to_ticks(us);
}

/* Interrupts open between beats, as an idle CPU waits: a stop IPI is taken. */
static _Noreturn void beat_open(unsigned cpu)
{
	for (unsigned n = 0;; n++) {
		log_info("selftest", "cpu%u beat %u", cpu, n);
		__atomic_store_n(&beats[cpu], n + 1, __ATOMIC_RELEASE);
		uint64_t next = deadline_us(BEAT_US);
		arch_irq_enable();
		while (arch_counter() < next)
			arch_cpu_relax();
		arch_irq_save();
	}
}

/* Interrupts masked throughout, each beat under the kernel lock: only the
 * lock's spin loop can stop this CPU once the boot CPU holds the lock. */
static _Noreturn void beat_locked(unsigned cpu)
{
	arch_irq_save();
	for (unsigned n = 0;; n++) {
		kernel_lock();
		log_info("selftest", "cpu%u beat %u (kernel lock)", cpu, n);
		kernel_unlock();
		__atomic_store_n(&beats[cpu], n + 1, __ATOMIC_RELEASE);
		uint64_t next = deadline_us(BEAT_US);
		while (arch_counter() < next)
			arch_cpu_relax();
	}
}

void selftest_secondary(unsigned cpu)
{
	if (selftest != SELFTEST_CRASH_SMP)
		return;
	if (cpu & 1)
		beat_open(cpu);
	beat_locked(cpu);
}

static bool every_cpu_beat(void)
{
	for (unsigned cpu = 1; cpu < KEEL_MAX_CPUS; cpu++)
		if (smp_cpu_online(cpu) &&
		    __atomic_load_n(&beats[cpu], __ATOMIC_ACQUIRE) < BEATS_BEFORE)
			return false;
	return true;
}

static void fault(void)
{
	log_info("selftest", "loading from unmapped address 0x%llx",
	         (unsigned long long)FAULT_ADDRESS);
	(void)*(volatile uint64_t *)(uintptr_t)FAULT_ADDRESS;
}

void selftest_boot_cpu(void)
{
	if (selftest == SELFTEST_NONE)
		return;
	if (selftest == SELFTEST_CRASH)
		fault();
	if (selftest == SELFTEST_CRASH_SMP) {
		uint64_t end = deadline_us(BEAT_WAIT_US);
		while (!every_cpu_beat() && arch_counter() < end)
			arch_cpu_relax();
		log_info("selftest", "holding the kernel lock");
		kernel_lock();
		fault();
	}
	log_err("selftest", "unknown or failed self-test '%s'", selftest_name);
}
