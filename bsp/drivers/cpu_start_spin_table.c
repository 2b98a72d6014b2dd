/* SPDX-License-Identifier: MIT */
/*
 * Spin-table start, as the Raspberry Pi armstub (and QEMU raspi4b) parks the
 * secondary cores: core n polls the 64-bit release address 0xd8 + 8 * n with
 * its MMU and caches off, and jumps to whatever non-zero value appears there.
 */
#include <arch/cache.h>
#include <arch/cpu.h>
#include <bsp.h>
#include <keel/errno.h>

#define SPIN_TABLE_BASE 0xd8
#define SPIN_TABLE_CPUS 4

const char bsp_cpu_start_method[] = "spin-table";

int bsp_cpu_start(uint64_t mpidr, uint64_t entry)
{
	uint64_t core = mpidr & 0xff;

	if (core == 0 || core >= SPIN_TABLE_CPUS || (mpidr & ~0xffull))
		return -KEEL_EINVAL;

	volatile uint64_t *release = (volatile uint64_t *)(SPIN_TABLE_BASE + 8 * core);
	*release = entry;
	/* The parked core reads with its caches off: push the value to memory. */
	dcache_clean_range((uintptr_t)release, sizeof(*release));
	cpu_send_event();
	return 0;
}
