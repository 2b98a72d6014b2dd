/* SPDX-License-Identifier: MIT */
/* The `passthrough` node of a VM description (services/vmm/passthrough.c):
 * the good case, every malformed case with its message, and the guest's
 * tree node. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <libfdt.h>

#include "guest_fdt.h"
#include "vmdesc.h"

static uint8_t fdt[8192];
static int vm, dev;
static struct vm_desc d;
static char err[VMDESC_ERR_MAX + 100];

static void reg(uint64_t base, uint64_t size)
{
	fdt32_t c[4] = {cpu_to_fdt32(base >> 32), cpu_to_fdt32(base), cpu_to_fdt32(size >> 32),
	                cpu_to_fdt32(size)};
	assert_int_equal(fdt_setprop(fdt, dev, "reg", c, sizeof(c)), 0);
}

static int serial1(void **state)
{
	(void)state;
	assert_int_equal(fdt_create_empty_tree(fdt, sizeof(fdt)), 0);
	int vms = fdt_add_subnode(fdt, 0, "vms");
	vm = fdt_add_subnode(fdt, vms, "gvm");
	fdt_setprop_string(fdt, vm, "kernel", "linux");
	fdt_setprop_u32(fdt, vm, "memory-mib", 256);
	fdt_setprop_u32(fdt, vm, "priority", 10);
	int pt = fdt_add_subnode(fdt, vm, "passthrough");
	dev = fdt_add_subnode(fdt, pt, "serial1");
	reg(0x09040000, 0x1000);
	fdt_setprop_u32(fdt, dev, "interrupts", 8);
	static const char compat[] = "arm,pl011\0arm,primecell";
	fdt_setprop(fdt, dev, "compatible", compat, sizeof(compat));
	return 0;
}

static int read_vm(void)
{
	return vmdesc_read(fdt, vm, 4, &d, err, sizeof(err));
}

static void expect(const char *msg)
{
	assert_int_equal(read_vm(), -1);
	assert_string_equal(err, msg);
}

static void good(void **state)
{
	(void)state;
	assert_int_equal(read_vm(), 0);
	assert_int_equal(d.npass, 1);
	assert_string_equal(d.pass[0].name, "serial1");
	assert_int_equal(d.pass[0].base, 0x09040000);
	assert_int_equal(d.pass[0].size, 0x1000);
	assert_int_equal(d.pass[0].spi, 8);
	assert_true(d.pass[0].present);
	/* No interrupt is fine too. */
	fdt_delprop(fdt, dev, "interrupts");
	assert_int_equal(read_vm(), 0);
	assert_int_equal(d.pass[0].spi, -1);
}

static void errors(void **state)
{
	(void)state;
	reg(0x09040800, 0x1000);
	expect("config error in /vms/gvm/passthrough/serial1: property 'reg' must be whole 4 KiB "
	       "pages (0x9040800, size 0x1000)");
	reg(0x09000000, 0x1000);
	expect("config error in /vms/gvm/passthrough/serial1: property 'reg' (0x9000000, size "
	       "0x1000) overlaps the guest's emulated PL011");
	reg(0x40000000, 0x1000);
	expect("config error in /vms/gvm/passthrough/serial1: property 'reg' (0x40000000, size "
	       "0x1000) overlaps the guest's RAM");
	fdt_setprop_u32(fdt, dev, "reg", 1);
	expect("config error in /vms/gvm/passthrough/serial1: property 'reg' must be one "
	       "<address size> pair of 2 cells each");
	reg(0x09040000, 0x1000);
	fdt_setprop_u32(fdt, dev, "interrupts", 1);
	expect("config error in /vms/gvm/passthrough/serial1: property 'interrupts': SPI 1 is not "
	       "free in the guest (0..95, not 1 or 24..31)");
	fdt_setprop_u32(fdt, dev, "interrupts", 8);
	fdt_setprop_u32(fdt, dev, "clock", 8);
	expect("config error in /vms/gvm/passthrough/serial1: property 'clock' is unknown");
	fdt_delprop(fdt, dev, "clock");
	fdt_delprop(fdt, dev, "compatible");
	expect("config error in /vms/gvm/passthrough/serial1: property 'compatible' must be a list "
	       "of non-empty strings");
}

static void two_devices_overlap(void **state)
{
	(void)state;
	int pt = fdt_subnode_offset(fdt, vm, "passthrough");
	dev = fdt_add_subnode(fdt, pt, "serial2");
	reg(0x09040000, 0x2000);
	fdt_setprop_string(fdt, dev, "compatible", "x");
	/* Whichever comes second in the tree is refused (libfdt adds first). */
	assert_int_equal(read_vm(), -1);
	assert_non_null(strstr(err, "property 'reg' overlaps passthrough device 'serial"));
}

static void guest_tree_node(void **state)
{
	(void)state;
	static uint8_t buf[65536];
	assert_int_equal(read_vm(), 0);
	struct guest_fdt_config c = {.ram_base = 0x40000000,
	                             .ram_size = 256 << 20,
	                             .vcpus = 1,
	                             .pass = d.pass,
	                             .npass = d.npass};
	assert_int_equal(guest_fdt_build(buf, sizeof(buf), &c), 0);
	int n = fdt_path_offset(buf, "/serial1@9040000");
	assert_true(n >= 0);
	int len;
	const fdt32_t *irq = fdt_getprop(buf, n, "interrupts", &len);
	assert_int_equal(len, 12);
	assert_int_equal(fdt32_to_cpu(irq[1]), 8);
	assert_non_null(fdt_getprop(buf, n, "clocks", &len));
	assert_int_equal(len, 8);
	/* Left out when the host does not have it. */
	d.pass[0].present = false;
	assert_int_equal(guest_fdt_build(buf, sizeof(buf), &c), 0);
	assert_true(fdt_path_offset(buf, "/serial1@9040000") < 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup(good, serial1),
	        cmocka_unit_test_setup(errors, serial1),
	        cmocka_unit_test_setup(two_devices_overlap, serial1),
	        cmocka_unit_test_setup(guest_tree_node, serial1),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
