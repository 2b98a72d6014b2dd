/* SPDX-License-Identifier: MIT */
/*
 * Service images (libs/keel/svcimage.c, keel/svcimage.h): a good image is
 * read field by field, and every kind of damage is refused with its own
 * message: truncation (in the header or in the ELF), bytes past the end, no
 * magic, a changed header byte, a changed ELF byte, another ABI version,
 * bad names. The image cmake/mksvcimage.py writes is read back too.
 */
#define _POSIX_C_SOURCE 200809L /* mkstemp, fdopen, getpid */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <keel/svcimage.h>

#define ELF_SIZE 300

static uint8_t img[KEEL_SVCIMG_HDR_SIZE + ELF_SIZE + 8];
static char why[160];

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* Header CRC over bytes 0..83, as mksvcimage.py computes it. */
static void reseal(void)
{
	put32(img + 84, keel_crc32(0, img, KEEL_SVCIMG_HDR_SIZE - 4));
}

static void build(uint32_t abi, const char *name, const char *version)
{
	memset(img, 0, sizeof(img));
	memcpy(img, KEEL_SVCIMG_MAGIC, 8);
	put32(img + 8, KEEL_SVCIMG_HDR_SIZE);
	put32(img + 12, abi);
	put32(img + 16, 2);
	put32(img + 20, ELF_SIZE);
	for (int i = 0; i < ELF_SIZE; i++)
		img[KEEL_SVCIMG_HDR_SIZE + i] = (uint8_t)(i * 7 + 1);
	put32(img + 24, keel_crc32(0, img + KEEL_SVCIMG_HDR_SIZE, ELF_SIZE));
	put32(img + 28, KEEL_SVCIMG_LIVE);
	strcpy((char *)img + 32, name);
	strcpy((char *)img + 48, version);
	for (int i = 0; i < KEEL_SVCIMG_BUILD_ID; i++)
		img[64 + i] = (uint8_t)(0xa0 + i);
	reseal();
}

static int parse(size_t len, struct keel_svcimg *out)
{
	return keel_svcimg_parse(img, len, out, why, sizeof(why));
}

static void refused(size_t len, const char *message)
{
	struct keel_svcimg out;
	assert_int_equal(parse(len, &out), -1);
	if (!strstr(why, message))
		fail_msg("'%s' not in '%s'", message, why);
}

static void crc32_is_ieee(void **state)
{
	(void)state;
	assert_int_equal(keel_crc32(0, "123456789", 9), 0xcbf43926u);
	/* Continuing a CRC is the CRC of the whole. */
	assert_int_equal(keel_crc32(keel_crc32(0, "1234", 4), "56789", 5), 0xcbf43926u);
}

static void good_image_is_read(void **state)
{
	(void)state;
	struct keel_svcimg out;
	char hex[2 * KEEL_SVCIMG_BUILD_ID + 1];
	build(KEEL_SVC_ABI_VERSION, "devemu", "1.1.0");
	assert_int_equal(parse(KEEL_SVCIMG_HDR_SIZE + ELF_SIZE, &out), 0);
	assert_string_equal(out.name, "devemu");
	assert_string_equal(out.version, "1.1.0");
	assert_int_equal(out.abi_version, KEEL_SVC_ABI_VERSION);
	assert_int_equal(out.state_version, 2);
	assert_int_equal(out.flags, KEEL_SVCIMG_LIVE);
	assert_ptr_equal(out.elf, img + KEEL_SVCIMG_HDR_SIZE);
	assert_int_equal(out.elf_size, ELF_SIZE);
	keel_svcimg_build_hex(&out, hex);
	assert_string_equal(hex, "a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3");
	assert_true(keel_svcimg_is_image(img, 8));
}

static void truncation_is_refused(void **state)
{
	(void)state;
	build(KEEL_SVC_ABI_VERSION, "devemu", "1.1.0");
	refused(0, "not a Keel service image");
	refused(40, "truncated image: 40 bytes, the header alone is 88");
	refused(KEEL_SVCIMG_HDR_SIZE + ELF_SIZE - 1, "truncated image: 387 bytes, the header "
	                                             "announces 388");
	refused(KEEL_SVCIMG_HDR_SIZE + ELF_SIZE + 8,
	        "image of 396 bytes, the header announces 388");
}

static void damage_is_refused(void **state)
{
	(void)state;
	size_t len = KEEL_SVCIMG_HDR_SIZE + ELF_SIZE;
	build(KEEL_SVC_ABI_VERSION, "devemu", "1.1.0");
	img[0] = 'X';
	refused(len, "no KEELSVC1 magic");

	build(KEEL_SVC_ABI_VERSION, "devemu", "1.1.0");
	img[50] ^= 1; /* a version byte, CRC not redone */
	refused(len, "header checksum mismatch");

	build(KEEL_SVC_ABI_VERSION, "devemu", "1.1.0");
	img[KEEL_SVCIMG_HDR_SIZE + 123] ^= 0x40;
	refused(len, "ELF checksum mismatch");

	build(KEEL_SVC_ABI_VERSION, "devemu", "1.1.0");
	put32(img + 8, 64);
	reseal();
	refused(len, "header of 64 bytes");
}

static void other_abi_is_refused(void **state)
{
	(void)state;
	build(9, "devemu", "1.1.0");
	refused(KEEL_SVCIMG_HDR_SIZE + ELF_SIZE,
	        "ABI version 9, this hypervisor runs services of ABI version 1");
}

static void bad_fields_are_refused(void **state)
{
	(void)state;
	size_t len = KEEL_SVCIMG_HDR_SIZE + ELF_SIZE;
	build(KEEL_SVC_ABI_VERSION, "", "1.1.0");
	refused(len, "bad service name");
	build(KEEL_SVC_ABI_VERSION, "dev emu", "1.1.0");
	refused(len, "bad service name");
	build(KEEL_SVC_ABI_VERSION, "devemu", "1.1.0");
	memset(img + 32, 'a', 16); /* no NUL */
	reseal();
	refused(len, "bad service name");
	build(KEEL_SVC_ABI_VERSION, "devemu", "");
	refused(len, "bad version string");
	build(KEEL_SVC_ABI_VERSION, "devemu", "1.1.0");
	put32(img + 16, 0);
	reseal();
	refused(len, "state-format version 0");
}

/* What the build writes is what vmm reads: mksvcimage.py over this very
 * program (an ELF64 like any other for the tool). */
static void mksvcimage_output_is_read(void **state)
{
	(void)state;
	char cmd[1024], out_path[] = "/tmp/test_svcimage_XXXXXX";
	int fd = mkstemp(out_path);
	assert_true(fd >= 0);
	snprintf(cmd, sizeof(cmd),
	         "python3 %s --name console --version 1.0.1 --state-version 3 --live "
	         "/proc/%d/exe %s",
	         MKSVCIMAGE, (int)getpid(), out_path);
	assert_int_equal(system(cmd), 0);
	FILE *f = fdopen(fd, "rb");
	assert_non_null(f);
	static uint8_t buf[16 << 20];
	size_t n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	unlink(out_path);
	struct keel_svcimg out;
	assert_int_equal(keel_svcimg_parse(buf, n, &out, why, sizeof(why)), 0);
	assert_string_equal(out.name, "console");
	assert_string_equal(out.version, "1.0.1");
	assert_int_equal(out.state_version, 3);
	assert_int_equal(out.flags, KEEL_SVCIMG_LIVE);
	assert_memory_equal(out.elf,
	                    "\x7f"
	                    "ELF",
	                    4);
	uint8_t zero[KEEL_SVCIMG_BUILD_ID] = {0};
	assert_memory_not_equal(out.build_id, zero, sizeof(zero)); /* gcc links one in */
	buf[n - 1] ^= 1;
	assert_int_equal(keel_svcimg_parse(buf, n, &out, why, sizeof(why)), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(crc32_is_ieee),
	        cmocka_unit_test(good_image_is_read),
	        cmocka_unit_test(truncation_is_refused),
	        cmocka_unit_test(damage_is_refused),
	        cmocka_unit_test(other_abi_is_refused),
	        cmocka_unit_test(bad_fields_are_refused),
	        cmocka_unit_test(mksvcimage_output_is_read),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
