/* SPDX-License-Identifier: MIT */
/*
 * arm64 Linux Images (Documentation/arch/arm64/booting.rst): the header
 * check, where kernel, initrd and device tree go in guest RAM, and the copy.
 * Pure, so the host unit tests compile it as it is.
 */
#ifndef LINUX_IMAGE_H
#define LINUX_IMAGE_H

#include <stddef.h>

#define LINUX_IMAGE_MAGIC 0x644d5241u /* "ARM\x64" at offset 0x38 */
#define LINUX_HEADER_SIZE 64
#define LINUX_DTB_MAX     0x10000ul  /* room for the generated device tree */
#define LINUX_DTB_REGION  0x200000ul /* the tree gets the last 2 MiB of RAM */
#define LINUX_IMAGE_ALIGN 0x200000ul
#define LINUX_ERR_MAX     160

struct linux_image {
	unsigned long text_offset, image_size, flags;
};

/* Offsets from the start of guest RAM (which is 2 MiB aligned). */
struct linux_layout {
	unsigned long kernel, kernel_end; /* entry = kernel */
	unsigned long initrd, initrd_size;
	unsigned long dtb;
};

/* 0, or -1 with the reason in `err` ("bad magic 0x... at offset 0x38"). */
int linux_image_check(const void *image, size_t size, unsigned long ram_size,
                      struct linux_image *out, char *err, size_t err_size);

/* The kernel text_offset bytes into RAM, the device tree in the last 2 MiB,
 * the initrd just below it. 0, or -1 with the reason in `err`. */
int linux_layout(const struct linux_image *li, unsigned long ram_size, size_t initrd_size,
                 struct linux_layout *out, char *err, size_t err_size);

/* Copies kernel and initrd into `ram` (the whole guest RAM) per `l`. */
void linux_load(void *ram, const struct linux_layout *l, const void *image, size_t image_size,
                const void *initrd);

#endif
