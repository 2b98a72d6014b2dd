/* SPDX-License-Identifier: MIT */
#include <bsp.h>

/* BCM2711 in low-peripheral mode (the firmware's default), as on QEMU raspi4b. */
static const struct bsp_region rpi4_mmio[] = {
        {"uart0", 0xfe201000, 0x1000},
        {"gic-400", 0xff840000, 0x8000},
};

static const struct bsp_gic rpi4_gics[] = {
        {.version = GIC_V2,
         .gicd = 0xff841000,
         .gicc = 0xff842000,
         .gich = 0xff844000,
         .gicv = 0xff846000},
};

const struct board board = {
        .name = "rpi4",
        .uart_base = 0xfe201000,
        .mmio = rpi4_mmio,
        .mmio_count = sizeof(rpi4_mmio) / sizeof(rpi4_mmio[0]),
        /* The first GiB is RAM on every RPi4 model; the firmware's tree says more. */
        .default_ram = {"ram", 0x0, 0x3c000000},
        .default_cpus = 4,
        .gics = rpi4_gics,
        .gic_count = sizeof(rpi4_gics) / sizeof(rpi4_gics[0]),
};
