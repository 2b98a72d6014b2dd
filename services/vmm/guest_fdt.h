/* SPDX-License-Identifier: MIT */
/*
 * The device tree a Linux guest boots with: RAM, vCPUs (PSCI over HVC), the
 * GICv2 (distributor emulated by the kernel, GICV mapped as the CPU
 * interface), the architected timer and one PL011. A pure function of its
 * configuration, so the host unit tests read the result back with libfdt.
 */
#ifndef GUEST_FDT_H
#define GUEST_FDT_H

#include <stdbool.h>
#include <stddef.h>

/* The guest physical map (QEMU virt's addresses, so guests need nothing new). */
#define GUEST_GICD_BASE  0x08000000ul
#define GUEST_GICD_SIZE  0x10000ul
#define GUEST_GICC_BASE  0x08010000ul
#define GUEST_GICC_SIZE  0x2000ul
#define GUEST_UART_BASE  0x09000000ul
#define GUEST_UART_SIZE  0x1000ul
#define GUEST_UART_SPI   1            /* INTID 33 */
#define GUEST_MGMT_BASE  0x0a000000ul /* the management VM's mailbox (mgmt.c) */
#define GUEST_MGMT_SIZE  0x1000ul
#define GUEST_RAM_BASE   0x40000000ul
#define GUEST_UART_CLOCK 24000000u

struct vm_pass;

struct guest_fdt_config {
	unsigned long ram_base, ram_size;
	unsigned vcpus;
	const char *bootargs;
	unsigned long initrd_start, initrd_end; /* IPAs; equal: no initrd */
	bool mgmt_mailbox;                      /* the management VM */
	unsigned virtio;                        /* 1 << KEEL_VIRTIO_*: virtio-mmio devices */
	const struct vm_pass *pass;             /* passthrough devices (vmdesc.h) */
	unsigned npass;
};

/* Writes the tree into buf; 0, or a negative libfdt error (-FDT_ERR_NOSPACE). */
int guest_fdt_build(void *buf, size_t size, const struct guest_fdt_config *c);

#endif
