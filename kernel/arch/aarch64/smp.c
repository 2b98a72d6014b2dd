/* SPDX-License-Identifier: MIT */
/*
 * Secondary CPU release. A started CPU runs secondary_entry (head.S) with its
 * MMU and caches off, finds its logical number by looking its MPIDR up in
 * smp_boot_hwid[], and turns on the MMU with mmu_boot_root. Both are written
 * with caches on, so they are cleaned to memory before each release.
 */
#include <arch/cache.h>
#include <arch/mmu.h>
#include <arch/smp.h>
#include <arch/sysreg.h>
#include <bsp.h>
#include <keel/arch.h>
#include <keel/config.h>
#include <keel/errno.h>

extern char secondary_entry[];
extern uintptr_t __stack_chk_guard;

/* Slots of CPUs not (yet) started hold ~0, which no MPIDR matches. */
uint64_t smp_boot_hwid[KEEL_MAX_CPUS];

void smp_boot_table_init(void)
{
	for (unsigned i = 0; i < KEEL_MAX_CPUS; i++)
		smp_boot_hwid[i] = ~0ull;
	smp_boot_hwid[0] = arch_cpu_hwid();
}

uint64_t arch_cpu_hwid(void)
{
	return sysreg_read(mpidr_el1) & MPIDR_AFF_MASK;
}

const char *arch_cpu_start_method(void)
{
	return bsp_cpu_start_method;
}

int arch_cpu_start(unsigned cpu, uint64_t hwid)
{
	if (cpu == 0 || cpu >= KEEL_MAX_CPUS)
		return -KEEL_EINVAL;
	smp_boot_hwid[cpu] = hwid & MPIDR_AFF_MASK;
	dcache_clean_range((uintptr_t)smp_boot_hwid, sizeof(smp_boot_hwid));
	dcache_clean_range((uintptr_t)&mmu_boot_root, sizeof(mmu_boot_root));
	dcache_clean_range((uintptr_t)&__stack_chk_guard, sizeof(__stack_chk_guard));
	return bsp_cpu_start(hwid, (uintptr_t)secondary_entry);
}
