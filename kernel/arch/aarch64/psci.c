/* SPDX-License-Identifier: MIT */
/* PSCI 0.2+ calls from EL2 to the firmware (SMCCC, 64-bit function IDs). */
#include <arch/psci.h>
#include <keel/arch.h>
#include <keel/errno.h>

#define PSCI_VERSION      0x84000000u
#define PSCI_CPU_ON_64    0xc4000003u
#define PSCI_SYSTEM_RESET 0x84000009u

#define PSCI_E_INVALID_PARAMS (-2)
#define PSCI_E_ALREADY_ON     (-4)

static bool use_hvc;
static bool present = true; /* until the device tree says otherwise */

void psci_init(bool in_tree, bool hvc)
{
	present = in_tree;
	use_hvc = hvc;
}

static int64_t psci_call(uint64_t fn, uint64_t a1, uint64_t a2, uint64_t a3)
{
	register uint64_t x0 __asm__("x0") = fn;
	register uint64_t x1 __asm__("x1") = a1;
	register uint64_t x2 __asm__("x2") = a2;
	register uint64_t x3 __asm__("x3") = a3;

	/* SMCCC 1.0 lets the firmware corrupt x4-x17. */
	if (use_hvc)
		__asm__ volatile("hvc #0"
		                 : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3)
		                 :
		                 : "x4", "x5", "x6", "x7", "x8", "x9", "x10", "x11", "x12", "x13",
		                   "x14", "x15", "x16", "x17", "memory");
	else
		__asm__ volatile("smc #0"
		                 : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3)
		                 :
		                 : "x4", "x5", "x6", "x7", "x8", "x9", "x10", "x11", "x12", "x13",
		                   "x14", "x15", "x16", "x17", "memory");
	return (int64_t)x0;
}

uint32_t psci_version(void)
{
	return (uint32_t)psci_call(PSCI_VERSION, 0, 0, 0);
}

int psci_cpu_on(uint64_t mpidr, uint64_t entry, uint64_t context)
{
	int64_t ret = psci_call(PSCI_CPU_ON_64, mpidr, entry, context);

	if (ret == 0)
		return 0;
	if (ret == PSCI_E_ALREADY_ON)
		return -KEEL_EEXIST;
	if (ret == PSCI_E_INVALID_PARAMS)
		return -KEEL_EINVAL;
	return -KEEL_ENODEV;
}

int arch_system_reset(void)
{
	/* Without firmware an SMC is undefined at EL2: it would fault, not fail. */
	if (!present)
		return -KEEL_ENODEV;
	psci_call(PSCI_SYSTEM_RESET, 0, 0, 0);
	return -KEEL_ENODEV;
}
