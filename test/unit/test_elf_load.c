/* SPDX-License-Identifier: MIT */
/*
 * The service loader's ELF checks (services/vmm/elf_load.c): a segment is
 * accepted only when its file bytes are inside the image and its pages
 * are inside [ELF_PAGE, ELF_VA_LIMIT), whatever the 64-bit sums would
 * wrap to; the span it returns always holds the bytes the loader copies
 * (issue 14, hole 6).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "elf_load.h"
#include "keel_abi.h"

#define IMAGE_SIZE 0x4000ul

static Elf64_Phdr seg(uint64_t vaddr, uint64_t memsz, uint64_t offset, uint64_t filesz)
{
	Elf64_Phdr ph;
	memset(&ph, 0, sizeof(ph));
	ph.p_type = PT_LOAD;
	ph.p_vaddr = vaddr;
	ph.p_memsz = memsz;
	ph.p_offset = offset;
	ph.p_filesz = filesz;
	return ph;
}

/* What the loader relies on for an accepted segment. */
static void assert_copy_fits(const Elf64_Phdr *ph, const struct elf_span *s)
{
	assert_int_equal(s->start % ELF_PAGE, 0);
	assert_int_equal(s->size % ELF_PAGE, 0);
	assert_true(s->size > 0);
	assert_true(s->start >= ELF_PAGE && s->start < ELF_VA_LIMIT);
	assert_true(s->size <= ELF_VA_LIMIT - s->start);
	assert_true(s->offset < ELF_PAGE);
	assert_true(ph->p_filesz <= s->size - s->offset);
	assert_true(ph->p_memsz <= s->size - s->offset);
}

static void ordinary_segment(void **state)
{
	(void)state;
	Elf64_Phdr ph = seg(0x400123, 0x2100, 0x123, 0x1000);
	struct elf_span s;
	assert_int_equal(elf_segment(&ph, IMAGE_SIZE, &s), 0);
	assert_int_equal(s.start, 0x400000);
	assert_int_equal(s.offset, 0x123);
	assert_int_equal(s.size, 0x3000);
	assert_copy_fits(&ph, &s);
}

static void bounds_refused(void **state)
{
	(void)state;
	struct elf_span s;
	Elf64_Phdr below = seg(0x800, 0x100, 0, 0x100);
	Elf64_Phdr above = seg(ELF_VA_LIMIT - 0x1000, 0x1001, 0, 0);
	Elf64_Phdr past_file = seg(0x1000, 0x2000, IMAGE_SIZE - 0x10, 0x11);
	Elf64_Phdr file_over_mem = seg(0x1000, 0x10, 0, 0x20);
	assert_int_equal(elf_segment(&below, IMAGE_SIZE, &s), -KEEL_EINVAL);
	assert_int_equal(elf_segment(&above, IMAGE_SIZE, &s), -KEEL_EINVAL);
	assert_int_equal(elf_segment(&past_file, IMAGE_SIZE, &s), -KEEL_EINVAL);
	assert_int_equal(elf_segment(&file_over_mem, IMAGE_SIZE, &s), -KEEL_EINVAL);
	Elf64_Phdr last = seg(ELF_VA_LIMIT - 0x1000, 0x1000, 0, 0x1000);
	assert_int_equal(elf_segment(&last, IMAGE_SIZE, &s), 0);
	assert_copy_fits(&last, &s);
}

/* p_vaddr + p_memsz wrapped to a small number used to pass the limit
 * check; the frame was then sized from the wrapped sum (0 bytes here, a
 * page for the kernel) while p_filesz bytes were copied into it. */
static void wrapping_sum_refused(void **state)
{
	(void)state;
	struct elf_span s;
	Elf64_Phdr ph = seg(0x1000, UINT64_MAX - 0x7ff, 0, 0x3000);
	long err = elf_segment(&ph, IMAGE_SIZE, &s);
	if (!err)
		assert_copy_fits(&ph, &s);
	assert_int_equal(err, -KEEL_EINVAL);
	Elf64_Phdr high = seg(UINT64_MAX - 0xfff, 0x2000, 0, 0x100);
	assert_int_equal(elf_segment(&high, IMAGE_SIZE, &s), -KEEL_EINVAL);
	Elf64_Phdr offset = seg(0x1000, 0x1000, UINT64_MAX - 0x10, 0x20);
	assert_int_equal(elf_segment(&offset, IMAGE_SIZE, &s), -KEEL_EINVAL);
}

/* A segment of no bytes maps no page: the loader must not ask for a
 * frame of size 0. */
static void empty_segment_refused(void **state)
{
	(void)state;
	struct elf_span s;
	Elf64_Phdr ph = seg(0x2000, 0, 0, 0);
	long err = elf_segment(&ph, IMAGE_SIZE, &s);
	if (!err)
		assert_true(s.size > 0);
}

static void header_checks(void **state)
{
	(void)state;
	static uint8_t image[IMAGE_SIZE];
	Elf64_Ehdr *eh = (Elf64_Ehdr *)image;
	const Elf64_Ehdr *out;
	memcpy(eh->e_ident, ELFMAG, SELFMAG);
	eh->e_ident[EI_CLASS] = ELFCLASS64;
	eh->e_type = ET_EXEC;
	eh->e_machine = EM_AARCH64;
	eh->e_phentsize = sizeof(Elf64_Phdr);
	eh->e_phoff = sizeof(*eh);
	eh->e_phnum = (IMAGE_SIZE - sizeof(*eh)) / sizeof(Elf64_Phdr);
	assert_int_equal(elf_check(image, sizeof(image), &out), 0);
	assert_ptr_equal(elf_phdr(out, 1), (const Elf64_Phdr *)(image + sizeof(*eh)) + 1);
	eh->e_phnum++;
	assert_int_equal(elf_check(image, sizeof(image), &out), -KEEL_EINVAL);
	eh->e_phnum = 1;
	eh->e_phoff = UINT64_MAX - 8;
	assert_int_equal(elf_check(image, sizeof(image), &out), -KEEL_EINVAL);
}

/* Program headers at an offset that is no multiple of 8 would be read
 * through a misaligned Elf64_Phdr pointer (found by fuzz.svcimage). */
static void misaligned_phdrs_refused(void **state)
{
	(void)state;
	static uint64_t image[IMAGE_SIZE / 8];
	Elf64_Ehdr *eh = (Elf64_Ehdr *)image;
	const Elf64_Ehdr *out;
	memcpy(eh->e_ident, ELFMAG, SELFMAG);
	eh->e_ident[EI_CLASS] = ELFCLASS64;
	eh->e_type = ET_EXEC;
	eh->e_machine = EM_AARCH64;
	eh->e_phentsize = sizeof(Elf64_Phdr);
	eh->e_phnum = 1;
	eh->e_phoff = sizeof(*eh) + 1;
	assert_int_equal(elf_check(image, sizeof(image), &out), -KEEL_EINVAL);
	eh->e_phoff = sizeof(*eh) + 8;
	assert_int_equal(elf_check(image, sizeof(image), &out), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(ordinary_segment),     cmocka_unit_test(bounds_refused),
	        cmocka_unit_test(wrapping_sum_refused), cmocka_unit_test(empty_segment_refused),
	        cmocka_unit_test(header_checks),        cmocka_unit_test(misaligned_phdrs_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
