/* SPDX-License-Identifier: MIT */
/*
 * The payload of `keelctl create` (services/vmm/create_blob.c): only a
 * complete, well-formed tree with exactly one VM under /vms is taken. A
 * property whose length points back at its own tag made libfdt's walk
 * loop forever inside vmm (found by fuzz.vmdesc): it must be refused.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <libfdt.h>

#include "create_blob.h"

static uint64_t blob[512]; /* 8-byte aligned, as vmm's copy is */
static const char *why;

static int one_vm(void)
{
	assert_int_equal(fdt_create_empty_tree(blob, sizeof(blob)), 0);
	int vms = fdt_add_subnode(blob, 0, "vms");
	int node = fdt_add_subnode(blob, vms, "gvm2");
	assert_int_equal(fdt_setprop_u32(blob, node, "priority", 10), 0);
	assert_int_equal(fdt_setprop_u32(blob, node, "cpu", 2), 0);
	assert_int_equal(fdt_pack(blob), 0);
	return node;
}

static void accepts_one_vm(void **state)
{
	(void)state;
	int node = one_vm();
	assert_int_equal(create_blob_vm(blob, fdt_totalsize(blob), &why), node);
	assert_string_equal(fdt_get_name(blob, node, NULL), "gvm2");
}

static void refuses_incomplete_or_not_one(void **state)
{
	(void)state;
	one_vm();
	assert_int_equal(create_blob_vm(blob, fdt_totalsize(blob) - 1, &why), -1);
	assert_string_equal(why, "the configuration is not a complete device tree blob");
	assert_int_equal(create_blob_vm(blob, 20, &why), -1);
	assert_int_equal(fdt_open_into(blob, blob, sizeof(blob)), 0);
	fdt_add_subnode(blob, fdt_path_offset(blob, "/vms"), "other");
	assert_int_equal(create_blob_vm(blob, sizeof(blob), &why), -1);
	assert_string_equal(why, "the configuration must have exactly one VM under /vms");
}

/* The length of "priority" set to -12: libfdt's next tag is then the same
 * tag, for ever. */
static void refuses_backward_property(void **state)
{
	(void)state;
	int node = one_vm();
	int prop = fdt_first_property_offset(blob, node);
	assert_true(prop >= 0);
	uint8_t *tag = (uint8_t *)blob + fdt_off_dt_struct(blob) + prop;
	fdt32_t len = cpu_to_fdt32(0xfffffff4u);
	memcpy(tag + 4, &len, sizeof(len));
	assert_int_equal(create_blob_vm(blob, fdt_totalsize(blob), &why), -1);
	assert_string_equal(why, "the configuration is not a well-formed device tree");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(accepts_one_vm),
	        cmocka_unit_test(refuses_incomplete_or_not_one),
	        cmocka_unit_test(refuses_backward_property),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
