/* SPDX-License-Identifier: MIT */
#ifndef KEEL_ARCH_MMU_H
#define KEEL_ARCH_MMU_H

#include <keel/bootinfo.h>
#include <stdint.h>

/* EL2 virtual addresses are 39 bits (T0SZ = 25), identity-mapped. */
#define MMU_VA_BITS 39

/* Before the MMU: map the image, the board's MMIO and the device tree. */
uint64_t mmu_build_boot_tables(uint64_t dtb);
void mmu_enable(uint64_t root);
/* After the device tree is read: map the RAM it describes. */
int mmu_map_ram(const struct bootinfo *bi);

extern uint64_t mmu_boot_root;
/* The loader's device tree if it looked valid and is mapped, else 0. */
extern uint64_t mmu_boot_fdt;

#endif
