/* SPDX-License-Identifier: MIT */
/*
 * Limits of VMs created at run time (services/vmm/vmlimits.c): the system
 * description's /vms caps the priority (always below vmm's and the
 * services'), the CPUs and the memory a `keelctl create` may ask for; a
 * description read by vmdesc.c that asks for more is refused, naming the
 * property (issue 14, hole 6: a VM of priority 63 on CPU 0 starved every
 * service).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <libfdt.h>

#include "vmlimits.h"

#define NCPUS 4
#define FLOOR 20 /* vmm's priority, the lowest of the default system */

static uint8_t sys[4096], req[4096];
static struct vm_limits lim;
static struct vm_desc d;
static char err[VMDESC_ERR_MAX + 100];

static int system_vms(void)
{
	assert_int_equal(fdt_create_empty_tree(sys, sizeof(sys)), 0);
	int vms = fdt_add_subnode(sys, 0, "vms");
	assert_true(vms >= 0);
	return vms;
}

static void sys_u32s(const char *prop, const uint32_t *v, int n)
{
	fdt32_t cells[8];
	for (int i = 0; i < n; i++)
		cells[i] = cpu_to_fdt32(v[i]);
	assert_int_equal(fdt_setprop(sys, fdt_path_offset(sys, "/vms"), prop, cells, n * 4), 0);
}

static void sys_u32(const char *prop, uint32_t v)
{
	sys_u32s(prop, &v, 1);
}

/* What `keelctl create` sends: /vms with one bare-metal VM. */
static void request(uint32_t prio, uint32_t cpu, uint32_t kib)
{
	assert_int_equal(fdt_create_empty_tree(req, sizeof(req)), 0);
	int vms = fdt_add_subnode(req, 0, "vms");
	int node = fdt_add_subnode(req, vms, "hog");
	assert_int_equal(fdt_setprop_string(req, node, "image", "intruder"), 0);
	assert_int_equal(fdt_setprop_u32(req, node, "memory-kib", kib), 0);
	assert_int_equal(fdt_setprop_u32(req, node, "cpu", cpu), 0);
	assert_int_equal(fdt_setprop_u32(req, node, "priority", prio), 0);
	assert_int_equal(vmdesc_read(req, node, NCPUS, &d, err, sizeof(err)), 0);
}

static int check(void)
{
	err[0] = '\0';
	return vmlimits_check(&d, &lim, err, sizeof(err));
}

/* The hole itself: without a word in the system description, a run-time
 * VM may not take priority 63 on CPU 0, nor vmm's own 20. */
static void default_ceiling_below_services(void **state)
{
	(void)state;
	system_vms();
	assert_int_equal(vmlimits_read(sys, NCPUS, FLOOR, &lim, err, sizeof(err)), 0);
	request(63, 0, 1024);
	assert_int_equal(check(), -1);
	assert_non_null(strstr(err, "config error in /vms/hog: property 'priority' is 63"));
	assert_non_null(strstr(err, "at most 19"));
	request(FLOOR, 0, 1024);
	assert_int_equal(check(), -1);
	request(FLOOR - 1, 3, 1024);
	assert_int_equal(check(), 0);
}

static void configured_limits(void **state)
{
	(void)state;
	system_vms();
	const uint32_t cpus[] = {1, 2};
	sys_u32("runtime-max-priority", 12);
	sys_u32s("runtime-cpus", cpus, 2);
	sys_u32("runtime-max-memory-mib", 2);
	assert_int_equal(vmlimits_read(sys, NCPUS, FLOOR, &lim, err, sizeof(err)), 0);
	request(12, 2, 2048);
	assert_int_equal(check(), 0);
	request(13, 2, 2048);
	assert_int_equal(check(), -1);
	assert_non_null(strstr(err, "may take at most 12"));
	request(5, 0, 1024);
	assert_int_equal(check(), -1);
	assert_non_null(strstr(err, "property 'cpus': CPU 0 is not open"));
	request(5, 3, 1024);
	assert_int_equal(check(), -1);
	request(5, 1, 2052);
	assert_int_equal(check(), -1);
	assert_non_null(strstr(err, "property 'memory-mib': 3 MiB"));
	assert_non_null(strstr(err, "at most 2 MiB"));
}

/* A ceiling at or above the services' is a mistake in the description:
 * reported, and no VM may be created until it is fixed. */
static void bad_system_description_refuses_all(void **state)
{
	(void)state;
	system_vms();
	sys_u32("runtime-max-priority", FLOOR);
	assert_int_equal(vmlimits_read(sys, NCPUS, FLOOR, &lim, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "'runtime-max-priority' is 20, it must be below 20"));
	request(0, 1, 1024);
	assert_int_equal(check(), -1);
	assert_non_null(strstr(err, "allows no VM created at run time"));

	system_vms();
	const uint32_t cpus[] = {1, 4};
	sys_u32s("runtime-cpus", cpus, 2);
	assert_int_equal(vmlimits_read(sys, NCPUS, FLOOR, &lim, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "names CPU 4"));

	system_vms();
	sys_u32("runtime-max-memory-mib", 4097);
	assert_int_equal(vmlimits_read(sys, NCPUS, FLOOR, &lim, err, sizeof(err)), -1);
}

/* Services at priority 0 leave no room below them: no run-time VM. */
static void no_room_below_services(void **state)
{
	(void)state;
	system_vms();
	assert_int_equal(vmlimits_read(sys, NCPUS, 0, &lim, err, sizeof(err)), 0);
	request(0, 1, 1024);
	assert_int_equal(check(), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(default_ceiling_below_services),
	        cmocka_unit_test(configured_limits),
	        cmocka_unit_test(bad_system_description_refuses_all),
	        cmocka_unit_test(no_room_below_services),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
