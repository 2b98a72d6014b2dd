/* SPDX-License-Identifier: MIT */
/* Reading RAM, CPUs, PSCI conduit and command line from the boot device tree. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <keel/bootinfo.h>
#include <keel/errno.h>

static void *load_dtb(const char *name)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s.dtb", KEEL_TEST_DTB_DIR, name);
	FILE *f = fopen(path, "rb");
	if (!f)
		fail_msg("cannot open %s", path);
	void *buf = calloc(1, 1 << 20);
	size_t n = fread(buf, 1, 1 << 20, f);
	fclose(f);
	assert_true(n > 40);
	return buf;
}

static void qemu_virt_tree(void **state)
{
	(void)state;
	struct bootinfo bi;
	void *fdt = load_dtb("qemu-virt");
	assert_int_equal(bootinfo_from_fdt(fdt, &bi), 0);
	assert_int_equal(bi.ram_count, 1);
	assert_int_equal(bi.ram[0].base, 0x40000000);
	assert_int_equal(bi.ram[0].size, 2ull << 30);
	assert_int_equal(bi.cpu_count, 4);
	for (unsigned i = 0; i < 4; i++)
		assert_int_equal(bi.cpu_mpidr[i], i);
	assert_false(bi.psci_hvc); /* EL2 present: QEMU's PSCI is reached by SMC */
	free(fdt);
}

static void several_nodes_and_ranges(void **state)
{
	(void)state;
	struct bootinfo bi;
	void *fdt = load_dtb("two-ranges");
	assert_int_equal(bootinfo_from_fdt(fdt, &bi), 0);
	assert_int_equal(bi.ram_count, 3); /* the disabled node is skipped */
	assert_int_equal(bi.ram[0].base, 0x40000000);
	assert_int_equal(bi.ram[1].base, 0x100000000ull);
	assert_int_equal(bi.ram[1].size, 0x100000000ull);
	assert_int_equal(bi.ram[2].base, 0x80000000);
	assert_int_equal(bootinfo_ram_total(&bi), 0x40000000ull + 0x100000000ull + 0x10000000ull);
	assert_int_equal(bi.cpu_count, 2);
	assert_int_equal(bi.cpu_mpidr[1], 0x100);
	assert_true(bi.psci_hvc);
	assert_string_equal(bi.bootargs, "console=ttyAMA0 keel.loglevel=3 keel.selftest=crash");
	free(fdt);
}

static void one_cell_addresses(void **state)
{
	(void)state;
	struct bootinfo bi;
	void *fdt = load_dtb("one-cell");
	assert_int_equal(bootinfo_from_fdt(fdt, &bi), 0);
	assert_int_equal(bi.ram_count, 1);
	assert_int_equal(bi.ram[0].size, 0x3b400000);
	assert_int_equal(bi.cpu_count, 4);
	assert_int_equal(bi.cpu_mpidr[3], 3);
	assert_false(bi.psci_hvc);
	assert_string_equal(bi.bootargs, "");
	free(fdt);
}

static void cpus_beyond_the_limit_are_counted(void **state)
{
	(void)state;
	struct bootinfo bi;
	void *fdt = load_dtb("too-many-cpus");
	assert_int_equal(bootinfo_from_fdt(fdt, &bi), 0);
	assert_int_equal(bi.cpu_count, BOOTINFO_MAX_CPUS);
	assert_int_equal(bi.cpus_ignored, 10 - BOOTINFO_MAX_CPUS);
	free(fdt);
}

static void malformed_trees_are_refused(void **state)
{
	(void)state;
	struct bootinfo bi;
	static const struct {
		const char *name;
		int err;
	} cases[] = {
	        {"no-memory", -KEEL_ENOENT},
	        {"bad-reg", -KEEL_EINVAL},
	        {"wrapping-range", -KEEL_ERANGE},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		void *fdt = load_dtb(cases[i].name);
		assert_int_equal(bootinfo_from_fdt(fdt, &bi), cases[i].err);
		free(fdt);
	}
}

static void garbage_is_not_a_tree(void **state)
{
	(void)state;
	struct bootinfo bi;
	uint32_t atags[16] = {5, 0x54410001, 1, 0x1000}; /* what QEMU raspi4b leaves at 0x100 */
	assert_int_equal(bootinfo_from_fdt(atags, &bi), -KEEL_EINVAL);
	assert_int_equal(bootinfo_from_fdt(NULL, &bi), -KEEL_EINVAL);
	assert_string_equal(bi.bootargs, "");

	/* A valid tree whose header claims more bytes than its blocks hold. */
	void *fdt = load_dtb("one-cell");
	((uint8_t *)fdt)[8] = 0x7f; /* off_dt_struct far outside totalsize */
	assert_int_equal(bootinfo_from_fdt(fdt, &bi), -KEEL_EINVAL);
	free(fdt);
}

static void bootargs_lookup(void **state)
{
	(void)state;
	char v[8];
	const char *args = "root=/dev/vda  keel.loglevel=3 keel.x= keel.long=123456789 k=1";
	assert_true(bootargs_get(args, "keel.loglevel", v, sizeof(v)));
	assert_string_equal(v, "3");
	assert_true(bootargs_get(args, "keel.x", v, sizeof(v)));
	assert_string_equal(v, "");
	assert_true(bootargs_get(args, "k", v, sizeof(v)));
	assert_string_equal(v, "1");
	assert_false(bootargs_get(args, "keel", v, sizeof(v)));
	assert_false(bootargs_get(args, "keel.long", v, sizeof(v))); /* does not fit */
	assert_false(bootargs_get(args, "absent", v, sizeof(v)));
	assert_false(bootargs_get("", "k", v, sizeof(v)));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(qemu_virt_tree),
	        cmocka_unit_test(several_nodes_and_ranges),
	        cmocka_unit_test(one_cell_addresses),
	        cmocka_unit_test(cpus_beyond_the_limit_are_counted),
	        cmocka_unit_test(malformed_trees_are_refused),
	        cmocka_unit_test(garbage_is_not_a_tree),
	        cmocka_unit_test(bootargs_lookup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
