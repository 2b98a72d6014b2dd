/* SPDX-License-Identifier: MIT */
#ifndef KEEL_ARCH_PSCI_H
#define KEEL_ARCH_PSCI_H

#include <stdbool.h>
#include <stdint.h>

/* Whether the device tree lists PSCI firmware, and whether it is reached by
 * HVC rather than SMC (QEMU virt with EL2, TF-A). */
void psci_init(bool in_tree, bool hvc);
int psci_cpu_on(uint64_t mpidr, uint64_t entry, uint64_t context);
uint32_t psci_version(void);

#endif
