/* SPDX-License-Identifier: MIT */
#include <bsp.h>

/* Tegra186 (Jetson TX2): UARTA is the debug console on the carrier board. */
static const struct bsp_region tx2_mmio[] = {
        {"uarta", 0x03100000, 0x10000},
        {"gic-400", 0x03881000, 0x7000},
};

static const struct bsp_gic tx2_gics[] = {
        {.version = GIC_V2,
         .gicd = 0x03881000,
         .gicc = 0x03882000,
         .gich = 0x03884000,
         .gicv = 0x03886000},
};

const struct board board = {
        .name = "tx2",
        .uart_base = 0x03100000,
        .mmio = tx2_mmio,
        .mmio_count = sizeof(tx2_mmio) / sizeof(tx2_mmio[0]),
        .default_ram = {"ram", 0x80000000, 0x70000000},
        .default_cpus = 1,
        .gics = tx2_gics,
        .gic_count = sizeof(tx2_gics) / sizeof(tx2_gics[0]),
};
