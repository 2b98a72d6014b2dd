/* SPDX-License-Identifier: MIT */
#include <bsp.h>

/* hw/arm/virt.c memory map (QEMU 10), low region only. */
static const struct bsp_region virt_mmio[] = {
        {"gic", 0x08000000, 0x01000000},
        {"uart0", 0x09000000, 0x1000},
};

static const struct bsp_gic virt_gics[] = {
        {.version = GIC_V3, .gicd = 0x08000000, .gicr = 0x080a0000},
        {.version = GIC_V2,
         .gicd = 0x08000000,
         .gicc = 0x08010000,
         .gich = 0x08030000,
         .gicv = 0x08040000},
};

const struct board board = {
        .name = "qemu-virt",
        .uart_base = 0x09000000,
        .mmio = virt_mmio,
        .mmio_count = sizeof(virt_mmio) / sizeof(virt_mmio[0]),
        .default_ram = {"ram", 0x40000000, 0x40000000},
        .default_cpus = 1,
        .gics = virt_gics,
        .gic_count = sizeof(virt_gics) / sizeof(virt_gics[0]),
};
