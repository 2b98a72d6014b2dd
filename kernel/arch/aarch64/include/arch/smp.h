/* SPDX-License-Identifier: MIT */
#ifndef KEEL_ARCH_SMP_H
#define KEEL_ARCH_SMP_H

#include <stdint.h>

/* Read by secondary_entry with the MMU off; see smp.c. */
extern uint64_t smp_boot_hwid[];
void smp_boot_table_init(void);

#endif
