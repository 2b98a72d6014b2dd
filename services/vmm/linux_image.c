/* SPDX-License-Identifier: MIT */
/*
 * The arm64 Image header (booting.rst): code0/1, text_offset at 0x08,
 * image_size at 0x10, flags at 0x18, magic at 0x38, all little-endian.
 * image_size counts the BSS and the boot page tables, so it is the RAM the
 * kernel occupies from its load address, larger than the file.
 */
#include "linux_image.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define FLAG_BE         (1ul << 0) /* kernel is big-endian */
#define TEXT_OFFSET_MAX LINUX_IMAGE_ALIGN
#define PAGE            4096ul

static uint64_t le64(const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static int fail(char *err, size_t err_size, const char *why)
{
	snprintf(err, err_size, "%s", why);
	return -1;
}

int linux_image_check(const void *image, size_t size, unsigned long ram_size,
                      struct linux_image *out, char *err, size_t err_size)
{
	const uint8_t *h = image;
	if (size < LINUX_HEADER_SIZE) {
		snprintf(err, err_size, "is %zu bytes, shorter than the 64-byte arm64 Image header",
		         size);
		return -1;
	}
	uint32_t magic = (uint32_t)le64(h + 0x38);
	if (magic != LINUX_IMAGE_MAGIC) {
		snprintf(err, err_size,
		         "has magic 0x%08x at offset 0x38, not 0x%08x: not an arm64 Image", magic,
		         LINUX_IMAGE_MAGIC);
		return -1;
	}
	struct linux_image li = {le64(h + 0x08), le64(h + 0x10), le64(h + 0x18)};
	if (li.flags & FLAG_BE)
		return fail(err, err_size, "is a big-endian kernel");
	if (li.image_size == 0)
		return fail(err, err_size,
		            "has image_size 0 (kernels before 3.17 are not supported)");
	if (li.text_offset >= TEXT_OFFSET_MAX || li.text_offset % PAGE) {
		snprintf(err, err_size, "has text_offset 0x%lx, not a page multiple below 2 MiB",
		         li.text_offset);
		return -1;
	}
	if (size > li.image_size) {
		snprintf(err, err_size, "is %zu bytes, larger than its image_size %lu", size,
		         li.image_size);
		return -1;
	}
	if (li.image_size > ram_size || li.text_offset > ram_size - li.image_size) {
		snprintf(err, err_size,
		         "needs %lu KiB (image_size), more than the VM's %lu KiB of RAM",
		         (li.text_offset + li.image_size) >> 10, ram_size >> 10);
		return -1;
	}
	*out = li;
	return 0;
}

int linux_layout(const struct linux_image *li, unsigned long ram_size, size_t initrd_size,
                 struct linux_layout *out, char *err, size_t err_size)
{
	struct linux_layout l = {.kernel = li->text_offset};
	l.kernel_end = l.kernel + li->image_size;
	l.initrd_size = initrd_size;
	if (ram_size < LINUX_DTB_REGION || l.kernel_end > ram_size - LINUX_DTB_REGION ||
	    initrd_size > ram_size - LINUX_DTB_REGION - l.kernel_end) {
		snprintf(
		        err, err_size,
		        "%lu MiB of RAM cannot hold the kernel (%lu KiB), the initrd (%zu KiB) and "
		        "the device tree (2 MiB)",
		        ram_size >> 20, li->image_size >> 10, initrd_size >> 10);
		return -1;
	}
	l.dtb = ram_size - LINUX_DTB_REGION;
	l.initrd = initrd_size ? (l.dtb - initrd_size) & ~(PAGE - 1) : 0;
	if (initrd_size && l.initrd < l.kernel_end)
		return fail(err, err_size, "no room for the initrd between kernel and device tree");
	*out = l;
	return 0;
}

void linux_load(void *ram, const struct linux_layout *l, const void *image, size_t image_size,
                const void *initrd)
{
	uint8_t *mem = ram;
	memcpy(mem + l->kernel, image, image_size);
	if (l->initrd_size)
		memcpy(mem + l->initrd, initrd, l->initrd_size);
}
