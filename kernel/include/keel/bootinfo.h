/* SPDX-License-Identifier: MIT */
/*
 * What the kernel takes from the boot device tree: RAM ranges, the CPUs,
 * the PSCI conduit and the command line. The full tree is left to the root
 * service; the kernel reads only this.
 */
#ifndef KEEL_BOOTINFO_H
#define KEEL_BOOTINFO_H

#include <keel/config.h>
#include <stdbool.h>
#include <stdint.h>

#define BOOTINFO_MAX_RAM  8
#define BOOTINFO_MAX_CPUS KEEL_MAX_CPUS

struct mem_range {
	uint64_t base;
	uint64_t size;
};

struct bootinfo {
	struct mem_range ram[BOOTINFO_MAX_RAM];
	unsigned ram_count;
	uint64_t cpu_mpidr[BOOTINFO_MAX_CPUS];
	unsigned cpu_count;
	unsigned cpus_ignored; /* present in the tree beyond BOOTINFO_MAX_CPUS */
	bool psci;             /* the tree lists PSCI firmware */
	bool psci_hvc;
	const char *bootargs; /* points into the tree; "" when absent */
};

/* Fill `bi` from the flattened tree at `fdt`. 0 or -KEEL_E*. */
int bootinfo_from_fdt(const void *fdt, struct bootinfo *bi);
uint64_t bootinfo_ram_total(const struct bootinfo *bi);
/* Value of `key=value` in the command line, copied into buf; false if absent. */
bool bootargs_get(const char *bootargs, const char *key, char *buf, unsigned size);

#endif
