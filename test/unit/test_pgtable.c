/* SPDX-License-Identifier: MIT */
/* The page-table builder behind the EL2 stage-1 map (and stage 2 later). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include <arch/pgtable.h>
#include <keel/errno.h>

#define GIB        (1ull << 30)
#define MIB        (1ull << 20)
#define KIB        (1ull << 10)
#define POOL_PAGES 64

struct fixture {
	uint8_t (*pages)[PT_PAGE_SIZE];
	struct pt_pool pool;
	struct pgtable pt;
};

static int setup_pool(void **state, size_t pages, unsigned va_bits)
{
	struct fixture *f = calloc(1, sizeof(*f));
	f->pages = aligned_alloc(PT_PAGE_SIZE, pages * PT_PAGE_SIZE);
	f->pool = (struct pt_pool){f->pages, pages, 0};
	struct pt_allocator alloc = {pt_pool_alloc, &f->pool};
	assert_int_equal(pt_init(&f->pt, PT_FMT_EL2_S1, va_bits, alloc), 0);
	*state = f;
	return 0;
}

static int setup39(void **state)
{
	return setup_pool(state, POOL_PAGES, 39);
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	free(f->pages);
	free(f);
	return 0;
}

static void expect_mapping(struct pgtable *pt, uint64_t va, uint64_t pa, unsigned attrs,
                           uint64_t block)
{
	uint64_t got_pa = 0, got_block = 0;
	unsigned got_attrs = 0;
	assert_true(pt_lookup(pt, va, &got_pa, &got_attrs, &got_block));
	assert_int_equal(got_pa, pa);
	assert_int_equal(got_attrs, attrs);
	assert_int_equal(got_block, block);
}

static void start_level_follows_va_bits(void **state)
{
	(void)state;
	static const struct {
		unsigned va_bits, level;
	} cases[] = {{48, 0}, {40, 0}, {39, 1}, {31, 1}, {30, 2}, {22, 2}};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		void *s;
		setup_pool(&s, 4, cases[i].va_bits);
		struct fixture *f = s;
		assert_int_equal(f->pt.start_level, cases[i].level);
		teardown(&s);
	}
}

static void rejects_bad_va_bits(void **state)
{
	(void)state;
	uint8_t page[PT_PAGE_SIZE] __attribute__((aligned(4096)));
	uint8_t(*pages)[PT_PAGE_SIZE] = &page;
	struct pt_pool pool = {pages, 1, 0};
	struct pgtable pt;
	struct pt_allocator alloc = {pt_pool_alloc, &pool};
	assert_int_equal(pt_init(&pt, PT_FMT_EL2_S1, 21, alloc), -KEEL_EINVAL);
	assert_int_equal(pt_init(&pt, PT_FMT_EL2_S1, 49, alloc), -KEEL_EINVAL);
	assert_int_equal(pool.used, 0);
}

static void uses_largest_blocks(void **state)
{
	struct fixture *f = *state;
	/* 1 GiB + 2 MiB + 4 KiB, all suitably aligned: one of each size. */
	uint64_t size = GIB + 2 * MIB + 4 * KIB;
	assert_int_equal(pt_map(&f->pt, GIB, GIB, size, PT_READ | PT_WRITE, PT_MAP_STRICT), 0);
	expect_mapping(&f->pt, GIB + 123, GIB + 123, PT_READ | PT_WRITE, GIB);
	expect_mapping(&f->pt, 2 * GIB + 5, 2 * GIB + 5, PT_READ | PT_WRITE, 2 * MIB);
	expect_mapping(&f->pt, 2 * GIB + 2 * MIB, 2 * GIB + 2 * MIB, PT_READ | PT_WRITE, 4 * KIB);
	assert_false(pt_lookup(&f->pt, 2 * GIB + 2 * MIB + 4 * KIB, NULL, NULL, NULL));
	assert_false(pt_lookup(&f->pt, GIB - 1, NULL, NULL, NULL));
	/* root, one L2 table, one L3 table */
	assert_int_equal(f->pool.used, 3);
}

static void misaligned_pa_falls_back_to_pages(void **state)
{
	struct fixture *f = *state;
	/* va 2 MiB-aligned but pa only 4 KiB-aligned: no block may be used. */
	assert_int_equal(
	        pt_map(&f->pt, 4 * MIB, 4 * MIB + 4 * KIB, 2 * MIB, PT_READ, PT_MAP_STRICT), 0);
	expect_mapping(&f->pt, 4 * MIB, 4 * MIB + 4 * KIB, PT_READ, 4 * KIB);
	expect_mapping(&f->pt, 6 * MIB - 1, 6 * MIB + 4 * KIB - 1, PT_READ, 4 * KIB);
}

static void attributes_encode_as_specified(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(pt_map(&f->pt, 0x9000000, 0x9000000, 4 * KIB,
	                        PT_READ | PT_WRITE | PT_DEVICE, PT_MAP_STRICT),
	                 0);
	assert_int_equal(
	        pt_map(&f->pt, 0x40200000, 0x40200000, 8 * KIB, PT_READ | PT_EXEC, PT_MAP_STRICT),
	        0);
	expect_mapping(&f->pt, 0x9000000, 0x9000000, PT_READ | PT_WRITE | PT_DEVICE, 4 * KIB);
	expect_mapping(&f->pt, 0x40201000, 0x40201000, PT_READ | PT_EXEC, 4 * KIB);

	/* Check the raw descriptor of the code page: RO, executable, normal, AF. */
	uint64_t *l1 = f->pt.root;
	uint64_t *l2 = (uint64_t *)(uintptr_t)(l1[1] & PTE_ADDR_MASK);
	uint64_t *l3 = (uint64_t *)(uintptr_t)(l2[1] & PTE_ADDR_MASK);
	uint64_t d = l3[1]; /* 0x40201000 */
	assert_true(d & PTE_AF);
	assert_true(d & PTE_AP_RO);
	assert_false(d & PTE_XN);
	assert_int_equal((d >> 2) & 7, MAIR_IDX_NORMAL);
	assert_int_equal(d & 3, 3); /* page descriptor */
}

static void device_memory_is_never_executable(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(pt_map(&f->pt, 0x8000000, 0x8000000, 64 * KIB,
	                        PT_READ | PT_EXEC | PT_DEVICE, PT_MAP_STRICT),
	                 0);
	unsigned attrs;
	assert_true(pt_lookup(&f->pt, 0x8000000, NULL, &attrs, NULL));
	assert_false(attrs & PT_EXEC);
}

static void strict_map_refuses_overlap(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(pt_map(&f->pt, 2 * MIB, 2 * MIB, 2 * MIB, PT_READ, PT_MAP_STRICT), 0);
	assert_int_equal(
	        pt_map(&f->pt, 3 * MIB, 3 * MIB, 4 * KIB, PT_READ | PT_WRITE, PT_MAP_STRICT),
	        -KEEL_EEXIST);
	/* The original mapping is untouched. */
	expect_mapping(&f->pt, 3 * MIB, 3 * MIB, PT_READ, 2 * MIB);
}

static void fill_holes_keeps_existing_mappings(void **state)
{
	struct fixture *f = *state;
	/* A kernel image mapped read-only page by page inside a RAM range. */
	assert_int_equal(pt_map(&f->pt, GIB + 2 * MIB, GIB + 2 * MIB, 16 * KIB, PT_READ | PT_EXEC,
	                        PT_MAP_STRICT),
	                 0);
	assert_int_equal(pt_map(&f->pt, GIB, GIB, GIB, PT_READ | PT_WRITE, PT_MAP_FILL_HOLES), 0);
	expect_mapping(&f->pt, GIB + 2 * MIB + 8 * KIB, GIB + 2 * MIB + 8 * KIB, PT_READ | PT_EXEC,
	               4 * KIB);
	expect_mapping(&f->pt, GIB + 2 * MIB + 16 * KIB, GIB + 2 * MIB + 16 * KIB,
	               PT_READ | PT_WRITE, 4 * KIB);
	expect_mapping(&f->pt, GIB, GIB, PT_READ | PT_WRITE, 2 * MIB);
	expect_mapping(&f->pt, GIB + 4 * MIB, GIB + 4 * MIB, PT_READ | PT_WRITE, 2 * MIB);
	expect_mapping(&f->pt, 2 * GIB - 4 * KIB, 2 * GIB - 4 * KIB, PT_READ | PT_WRITE, 2 * MIB);
}

static void rejects_bad_arguments(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(pt_map(&f->pt, 1, 0, 4 * KIB, PT_READ, PT_MAP_STRICT), -KEEL_EINVAL);
	assert_int_equal(pt_map(&f->pt, 0, 0x800, 4 * KIB, PT_READ, PT_MAP_STRICT), -KEEL_EINVAL);
	assert_int_equal(pt_map(&f->pt, 0, 0, 100, PT_READ, PT_MAP_STRICT), -KEEL_EINVAL);
	assert_int_equal(pt_map(&f->pt, 0, 0, 0, PT_READ, PT_MAP_STRICT), -KEEL_EINVAL);
	assert_int_equal(pt_map(&f->pt, 0, 0, 4 * KIB, PT_WRITE, PT_MAP_STRICT), -KEEL_EINVAL);
	/* Beyond the 39-bit input range, or wrapping it. */
	assert_int_equal(pt_map(&f->pt, 1ull << 39, 0, 4 * KIB, PT_READ, PT_MAP_STRICT),
	                 -KEEL_ERANGE);
	assert_int_equal(pt_map(&f->pt, (1ull << 39) - 4 * KIB, 0, 8 * KIB, PT_READ, PT_MAP_STRICT),
	                 -KEEL_ERANGE);
	/* Output beyond 48 bits. */
	assert_int_equal(pt_map(&f->pt, 0, 1ull << 48, 4 * KIB, PT_READ, PT_MAP_STRICT),
	                 -KEEL_ERANGE);
	assert_int_equal(f->pool.used, 1); /* nothing allocated for refused requests */
	assert_false(pt_lookup(&f->pt, 1ull << 39, NULL, NULL, NULL));
}

static void reports_pool_exhaustion(void **state)
{
	void *s;
	setup_pool(&s, 2, 39); /* root + one table: not enough for a 4 KiB page */
	struct fixture *f = s;
	assert_int_equal(pt_map(&f->pt, 0, 0, 4 * KIB, PT_READ, PT_MAP_STRICT), -KEEL_ENOMEM);
	assert_false(pt_lookup(&f->pt, 0, NULL, NULL, NULL));
	/* A 1 GiB block needs no table at all and still fits. */
	assert_int_equal(pt_map(&f->pt, GIB, GIB, GIB, PT_READ, PT_MAP_STRICT), 0);
	expect_mapping(&f->pt, GIB, GIB, PT_READ, GIB);
	teardown(&s);
	(void)state;
}

static void maps_full_48_bit_space_with_level0_root(void **state)
{
	void *s;
	setup_pool(&s, 8, 48);
	struct fixture *f = s;
	uint64_t va = 0x7f0000000000ull;
	assert_int_equal(pt_map(&f->pt, va, 0x80000000, 2 * MIB, PT_READ | PT_WRITE, PT_MAP_STRICT),
	                 0);
	expect_mapping(&f->pt, va + 0x1234, 0x80001234, PT_READ | PT_WRITE, 2 * MIB);
	teardown(&s);
	(void)state;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(start_level_follows_va_bits),
	        cmocka_unit_test(rejects_bad_va_bits),
	        cmocka_unit_test_setup_teardown(uses_largest_blocks, setup39, teardown),
	        cmocka_unit_test_setup_teardown(misaligned_pa_falls_back_to_pages, setup39,
	                                        teardown),
	        cmocka_unit_test_setup_teardown(attributes_encode_as_specified, setup39, teardown),
	        cmocka_unit_test_setup_teardown(device_memory_is_never_executable, setup39,
	                                        teardown),
	        cmocka_unit_test_setup_teardown(strict_map_refuses_overlap, setup39, teardown),
	        cmocka_unit_test_setup_teardown(fill_holes_keeps_existing_mappings, setup39,
	                                        teardown),
	        cmocka_unit_test_setup_teardown(rejects_bad_arguments, setup39, teardown),
	        cmocka_unit_test(reports_pool_exhaustion),
	        cmocka_unit_test(maps_full_48_bit_space_with_level0_root),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
