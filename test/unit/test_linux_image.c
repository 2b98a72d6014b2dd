/* SPDX-License-Identifier: MIT */
/* The arm64 Image header check and guest RAM layout (services/vmm/linux_image.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "linux_image.h"

#define MIB (1ul << 20)

static uint8_t image[4096];
static char err[LINUX_ERR_MAX];

static void put64(size_t off, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		image[off + i] = (uint8_t)(v >> (8 * i));
}

/* A header like Debian's 6.1 kernel: text_offset 0, 4 KiB pages, anywhere. */
static void good_header(unsigned long image_size)
{
	memset(image, 0, sizeof(image));
	put64(0x08, 0);
	put64(0x10, image_size);
	put64(0x18, 0xa);
	put64(0x38, 0x644d5241);
}

static void accepts_good(void **state)
{
	(void)state;
	struct linux_image li;
	good_header(28 * MIB);
	assert_int_equal(linux_image_check(image, sizeof(image), 256 * MIB, &li, err, sizeof(err)),
	                 0);
	assert_int_equal(li.text_offset, 0);
	assert_int_equal(li.image_size, 28 * MIB);
	assert_int_equal(li.flags, 0xa);
	put64(0x08, 0x80000); /* older kernels */
	assert_int_equal(linux_image_check(image, sizeof(image), 256 * MIB, &li, err, sizeof(err)),
	                 0);
	assert_int_equal(li.text_offset, 0x80000);
}

static void expect_error(size_t size, unsigned long ram, const char *needle)
{
	struct linux_image li = {1, 2, 3};
	assert_int_equal(linux_image_check(image, size, ram, &li, err, sizeof(err)), -1);
	if (!strstr(err, needle))
		fail_msg("'%s' not in '%s'", needle, err);
	assert_int_equal(li.text_offset, 1); /* untouched */
}

static void refuses_bad(void **state)
{
	(void)state;
	good_header(28 * MIB);
	image[0x38] = 'X';
	expect_error(sizeof(image), 256 * MIB, "not an arm64 Image");
	good_header(28 * MIB);
	expect_error(63, 256 * MIB, "shorter than the 64-byte");
	expect_error(0, 256 * MIB, "shorter than the 64-byte");
	good_header(300 * MIB);
	expect_error(sizeof(image), 256 * MIB, "more than the VM's 262144 KiB of RAM");
	good_header(0);
	expect_error(sizeof(image), 256 * MIB, "image_size 0");
	good_header(1024); /* file larger than what the header says it occupies */
	expect_error(sizeof(image), 256 * MIB, "larger than its image_size");
	good_header(28 * MIB);
	put64(0x18, 0xb);
	expect_error(sizeof(image), 256 * MIB, "big-endian");
	good_header(28 * MIB);
	put64(0x08, 0x200000);
	expect_error(sizeof(image), 256 * MIB, "text_offset");
	good_header(28 * MIB);
	put64(0x08, 0x80001);
	expect_error(sizeof(image), 256 * MIB, "text_offset");
}

static void layout(void **state)
{
	(void)state;
	struct linux_image li = {0, 28 * MIB, 0xa};
	struct linux_layout l;
	assert_int_equal(linux_layout(&li, 256 * MIB, 1000000, &l, err, sizeof(err)), 0);
	assert_int_equal(l.kernel, 0);
	assert_int_equal(l.kernel_end, 28 * MIB);
	/* tree in the last 2 MiB: 8-byte aligned, crosses no 2 MiB boundary */
	assert_int_equal(l.dtb, 254 * MIB);
	assert_int_equal(l.dtb % (2 * MIB), 0);
	/* initrd page aligned, just below the tree, above the kernel */
	assert_int_equal(l.initrd % 4096, 0);
	assert_true(l.initrd + l.initrd_size <= l.dtb);
	assert_true(l.dtb - l.initrd < 1000000 + 4096);
	assert_true(l.initrd >= l.kernel_end);
	assert_int_equal(l.initrd_size, 1000000);

	assert_int_equal(linux_layout(&li, 256 * MIB, 0, &l, err, sizeof(err)), 0);
	assert_int_equal(l.initrd_size, 0);

	li.text_offset = 0x80000;
	assert_int_equal(linux_layout(&li, 256 * MIB, 0, &l, err, sizeof(err)), 0);
	assert_int_equal(l.kernel, 0x80000);
}

static void layout_too_small(void **state)
{
	(void)state;
	struct linux_image li = {0, 28 * MIB, 0xa};
	struct linux_layout l;
	assert_int_equal(linux_layout(&li, 30 * MIB, 1 * MIB, &l, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "30 MiB of RAM cannot hold"));
	assert_int_equal(linux_layout(&li, 30 * MIB, 0, &l, err, sizeof(err)), 0);
	assert_int_equal(linux_layout(&li, 29 * MIB, 0, &l, err, sizeof(err)), -1);
	assert_int_equal(linux_layout(&li, 1 * MIB, 0, &l, err, sizeof(err)), -1);
}

static void load(void **state)
{
	(void)state;
	static uint8_t ram[64 * 1024];
	const uint8_t kernel[] = {1, 2, 3, 4}, initrd[] = {9, 8, 7};
	struct linux_layout l = {.kernel = 0x1000, .initrd = 0x8000, .initrd_size = 3};
	memset(ram, 0, sizeof(ram));
	linux_load(ram, &l, kernel, sizeof(kernel), initrd);
	assert_memory_equal(ram + 0x1000, kernel, sizeof(kernel));
	assert_memory_equal(ram + 0x8000, initrd, sizeof(initrd));
	assert_int_equal(ram[0xfff], 0);
	assert_int_equal(ram[0x1004], 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(accepts_good), cmocka_unit_test(refuses_bad),
	        cmocka_unit_test(layout),       cmocka_unit_test(layout_too_small),
	        cmocka_unit_test(load),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
