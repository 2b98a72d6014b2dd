/* SPDX-License-Identifier: MIT */
#ifndef KEEL_ARCH_PSCI_H
#define KEEL_ARCH_PSCI_H

#include <stdbool.h>
#include <stdint.h>

/* Firmware is reached by SMC (QEMU virt with EL2, TF-A) unless told HVC. */
void psci_use_hvc(bool hvc);
int psci_cpu_on(uint64_t mpidr, uint64_t entry, uint64_t context);
uint32_t psci_version(void);

#endif
