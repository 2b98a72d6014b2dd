/* SPDX-License-Identifier: MIT */
/*
 * Device memory for services and guests (KEEL_SYS_DEVICE_FRAME). A device
 * frame names MMIO outside every untyped: only its header is carved from
 * one. So that such a frame can never reach RAM or the kernel's own
 * devices, the kernel keeps the ranges it refuses (RAM, its image, the GIC,
 * its UART) and, when the loader gave one, the host device tree, whose
 * enabled nodes are the only MMIO it hands out. Live device frames are
 * listed (one frame per range), so that a reset of the untyped that holds
 * a header can take the frame's mappings down everywhere, although its
 * physical range lies outside the untyped.
 */
#ifndef KEEL_DEVMEM_H
#define KEEL_DEVMEM_H

#include <stdint.h>

#define DEVMEM_FORBIDDEN_MAX 24
#define DEVMEM_FRAMES_MAX    32

struct bootinfo;
struct frame;
struct untyped;

/* Boot: the RAM of `bi`, which no device frame may touch, and the tree
 * (NULL: none, as on QEMU's raspi4b, then every request is -KEEL_ENODEV). */
void devmem_init(const void *fdt, const struct bootinfo *bi);
/* One more range no device frame may touch (the kernel's own devices). */
void devmem_forbid(uint64_t base, uint64_t size);
/* devmem_init, then the kernel image and the board's GIC and UART
 * (devmem_board.c). */
void devmem_init_board(const void *fdt, const struct bootinfo *bi);
/* Whether [phys, phys + size) may become a device frame: 0, -KEEL_EINVAL
 * (not whole pages), -KEEL_EPERM (the kernel's or RAM), -KEEL_ENODEV (not
 * an enabled node of the host tree), -KEEL_EBUSY (a live frame overlaps
 * it), -KEEL_ENOMEM (DEVMEM_FRAMES_MAX frames live). */
int devmem_check(uint64_t phys, uint64_t size);
/* A frame made after devmem_check said yes. */
void devmem_add(struct frame *f);
/* Untyped reset: frames whose header lies in u are unmapped from every
 * partition and leave the list, so their range can be claimed again. */
void devmem_forget_inside(const struct untyped *u);

#endif
