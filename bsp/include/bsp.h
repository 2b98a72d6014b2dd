/* SPDX-License-Identifier: MIT */
/*
 * What a board tells the kernel. Everything that differs between boards is
 * here, as data; adding a board means adding a bsp/<board>/ folder with a
 * board.c that defines `board` and a board.cmake that picks the drivers.
 */
#ifndef KEEL_BSP_H
#define KEEL_BSP_H

#include <stddef.h>
#include <stdint.h>

struct bsp_region {
	const char *name;
	uint64_t base;
	uint64_t size;
};

enum gic_version {
	GIC_NONE = 0,
	GIC_V2 = 2,
	GIC_V3 = 3,
};

/* One GIC layout the board may have; QEMU virt lists both v2 and v3. */
struct bsp_gic {
	enum gic_version version;
	uint64_t gicd;
	uint64_t gicc; /* v2: CPU interface */
	uint64_t gich; /* v2: virtual interface control */
	uint64_t gicv; /* v2: virtual CPU interface */
	uint64_t gicr; /* v3: first redistributor */
};

struct board {
	const char *name;
	uint64_t uart_base;
	/* MMIO the kernel itself maps: UART, GIC. Guests' devices are not here. */
	const struct bsp_region *mmio;
	size_t mmio_count;
	/* Used only when the loader passes no device tree (QEMU raspi4b). */
	struct bsp_region default_ram;
	unsigned default_cpus;
	const struct bsp_gic *gics;
	size_t gic_count;
};

extern const struct board board;

/* Start secondary CPU `mpidr` at physical address `entry`. 0 or -KEEL_E*. */
int bsp_cpu_start(uint64_t mpidr, uint64_t entry);
/* Name of the CPU start method, for the boot log. */
extern const char bsp_cpu_start_method[];

/* The board's console UART, polled; callable before and after the MMU is on. */
void uart_putc(char c);

#endif
