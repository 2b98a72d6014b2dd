/* SPDX-License-Identifier: MIT */
/* Boards whose firmware (QEMU, TF-A) implements PSCI CPU_ON. */
#include <arch/psci.h>
#include <bsp.h>

const char bsp_cpu_start_method[] = "psci";

int bsp_cpu_start(uint64_t mpidr, uint64_t entry)
{
	return psci_cpu_on(mpidr, entry, 0);
}
