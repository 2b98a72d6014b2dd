/* SPDX-License-Identifier: MIT */
/* VM descriptions of /vms (services/vmm/vmdesc.c): every malformed case gives a
 * message naming the node and the property. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <libfdt.h>

#include "vmdesc.h"

#include <keel/devctl.h>

#define NCPUS 4

static uint8_t fdt[8192];
static int node;
static struct vm_desc d;
static char err[VMDESC_ERR_MAX];

static void set_u32s(const char *name, const uint32_t *v, int n)
{
	fdt32_t cells[8];
	for (int i = 0; i < n; i++)
		cells[i] = cpu_to_fdt32(v[i]);
	assert_int_equal(fdt_setprop(fdt, node, name, cells, n * 4), 0);
}

static void set_u32(const char *name, uint32_t v)
{
	set_u32s(name, &v, 1);
}

static void set_str(const char *name, const char *s)
{
	assert_int_equal(fdt_setprop_string(fdt, node, name, s), 0);
}

static void del(const char *name)
{
	assert_int_equal(fdt_delprop(fdt, node, name), 0);
}

/* The Linux VM of vmconfigs/gvm.dtsi. */
static int linux_vm(void **state)
{
	(void)state;
	assert_int_equal(fdt_create_empty_tree(fdt, sizeof(fdt)), 0);
	int vms = fdt_add_subnode(fdt, 0, "vms");
	assert_true(vms >= 0);
	node = fdt_add_subnode(fdt, vms, "gvm");
	assert_true(node >= 0);
	set_str("kernel", "linux");
	set_str("initrd", "initramfs");
	set_str("bootargs", "console=ttyAMA0");
	set_u32("memory-mib", 256);
	set_u32("vcpus", 2);
	const uint32_t cpus[] = {1, 2};
	set_u32s("cpus", cpus, 2);
	set_u32("priority", 10);
	return 0;
}

/* The bare-metal VM of vmconfigs/tests.dtsi. */
static int elf_vm(void **state)
{
	(void)state;
	assert_int_equal(fdt_create_empty_tree(fdt, sizeof(fdt)), 0);
	int vms = fdt_add_subnode(fdt, 0, "vms");
	node = fdt_add_subnode(fdt, vms, "hello-vm");
	set_str("image", "hello-guest");
	set_u32("memory-kib", 1024);
	set_u32("cpu", 1);
	set_u32("priority", 15);
	return 0;
}

static int read_vm(void)
{
	memset(&d, 0x5a, sizeof(d));
	return vmdesc_read(fdt, node, NCPUS, &d, err, sizeof(err));
}

static void expect(const char *msg)
{
	assert_int_equal(read_vm(), -1);
	assert_string_equal(err, msg);
}

static void good_linux(void **state)
{
	(void)state;
	assert_int_equal(read_vm(), 0);
	assert_string_equal(err, "");
	assert_string_equal(d.path, "/vms/gvm");
	assert_string_equal(d.name, "gvm");
	assert_int_equal(d.kind, VM_KIND_LINUX);
	assert_string_equal(d.image, "linux");
	assert_string_equal(d.initrd, "initramfs");
	assert_string_equal(d.bootargs, "console=ttyAMA0");
	assert_int_equal(d.ram_size, 256ul << 20);
	assert_int_equal(d.vcpus, 2);
	assert_int_equal(d.cpus[0], 1);
	assert_int_equal(d.cpus[1], 2);
	assert_int_equal(d.prio, 10);
	assert_int_equal(d.budget_us, 0);
	assert_null(d.uart_endpoint);

	set_u32("budget-us", 2000);
	set_u32("period-us", 10000);
	set_str("uart-endpoint", "gvm-uart");
	set_u32("uart-badge", 7);
	assert_int_equal(read_vm(), 0);
	assert_int_equal(d.budget_us, 2000);
	assert_int_equal(d.period_us, 10000);
	assert_string_equal(d.uart_endpoint, "gvm-uart");
	assert_int_equal(d.uart_badge, 7);
}

static void good_elf(void **state)
{
	(void)state;
	assert_int_equal(read_vm(), 0);
	assert_int_equal(d.kind, VM_KIND_ELF);
	assert_string_equal(d.image, "hello-guest");
	assert_null(d.initrd);
	assert_int_equal(d.ram_size, 1024 * 1024);
	assert_int_equal(d.vcpus, 1);
	assert_int_equal(d.cpus[0], 1);
	assert_int_equal(d.prio, 15);
	del("memory-kib"); /* default 1 MiB */
	del("cpu");        /* default CPU 0 */
	assert_int_equal(read_vm(), 0);
	assert_int_equal(d.ram_size, 1024 * 1024);
	assert_int_equal(d.cpus[0], 0);
	set_u32("vcpus", 3);
	set_u32("cpu", 2); /* every vCPU on CPU 2 */
	assert_int_equal(read_vm(), 0);
	assert_int_equal(d.vcpus, 3);
	assert_int_equal(d.cpus[2], 2);
}

static void cpus_errors(void **state)
{
	(void)state;
	const uint32_t one[] = {1}, far[] = {1, 4};
	set_u32s("cpus", one, 1);
	expect("config error in /vms/gvm: property 'cpus' has 1 entries, 'vcpus' is 2");
	set_u32s("cpus", far, 2);
	expect("config error in /vms/gvm: property 'cpus' names CPU 4, but 4 CPUs are online");
	set_u32("cpu", 1);
	expect("config error in /vms/gvm: property 'cpus' and 'cpu' are both given");
	del("cpus");
	set_u32("cpu", 9);
	expect("config error in /vms/gvm: property 'cpu' names CPU 9, but 4 CPUs are online");
	set_u32("vcpus", 0);
	expect("config error in /vms/gvm: property 'vcpus' must be 1..8");
	set_u32("vcpus", 9);
	expect("config error in /vms/gvm: property 'vcpus' must be 1..8");
	assert_int_equal(fdt_setprop(fdt, node, "vcpus", "ab", 2), 0);
	expect("config error in /vms/gvm: property 'vcpus' must be one 32-bit cell");
}

static void image_errors(void **state)
{
	(void)state;
	set_str("image", "hello-guest");
	expect("config error in /vms/gvm: property 'kernel' or 'image' (bare ELF) is needed, and "
	       "only one of them");
	del("image");
	del("kernel");
	expect("config error in /vms/gvm: property 'kernel' or 'image' (bare ELF) is needed, and "
	       "only one of them");
	assert_int_equal(fdt_setprop(fdt, node, "kernel", "", 1), 0);
	expect("config error in /vms/gvm: property 'kernel' must be one non-empty string");
	assert_int_equal(fdt_setprop(fdt, node, "kernel", "a\0b", 4), 0);
	expect("config error in /vms/gvm: property 'kernel' must be one non-empty string");
	del("kernel");
	set_str("image", "hello-guest");
	expect("config error in /vms/gvm: property 'initrd' needs 'kernel' (a Linux VM)");
	del("initrd");
	expect("config error in /vms/gvm: property 'bootargs' needs 'kernel' (a Linux VM)");
}

/* An empty command line is valid; a property that is no string is not. */
static void bootargs_may_be_empty(void **state)
{
	(void)state;
	assert_int_equal(fdt_setprop(fdt, node, "bootargs", "", 1), 0);
	assert_int_equal(read_vm(), 0);
	assert_string_equal(d.bootargs, "");
	assert_int_equal(fdt_setprop(fdt, node, "bootargs", "", 0), 0);
	expect("config error in /vms/gvm: property 'bootargs' must be one string");
	assert_int_equal(fdt_setprop(fdt, node, "bootargs", "a\0b", 4), 0);
	expect("config error in /vms/gvm: property 'bootargs' must be one string");
}

static void memory_errors(void **state)
{
	(void)state;
	del("memory-mib");
	expect("config error in /vms/gvm: property 'memory-mib' is missing");
	set_u32("memory-mib", 255);
	expect("config error in /vms/gvm: property 'memory-mib' must be a multiple of 2 MiB for a "
	       "Linux VM");
	set_u32("memory-mib", 0);
	expect("config error in /vms/gvm: property 'memory-mib' must be 1..4096");
	set_u32("memory-mib", 8192);
	expect("config error in /vms/gvm: property 'memory-mib' must be 1..4096");
	set_u32("memory-mib", 256);
	set_u32("memory-kib", 4096);
	expect("config error in /vms/gvm: property 'memory-mib' and 'memory-kib' are both given");
	del("memory-mib");
	assert_int_equal(read_vm(), 0);
	assert_int_equal(d.ram_size, 4096 * 1024);
	set_u32("memory-kib", 1026);
	expect("config error in /vms/gvm: property 'memory-kib' must be a multiple of 4 up to "
	       "4194304");
	set_u32("memory-kib", 1024);
	expect("config error in /vms/gvm: property 'memory-kib' must be a multiple of 2 MiB for a "
	       "Linux VM");
}

static void sched_errors(void **state)
{
	(void)state;
	del("priority");
	expect("config error in /vms/gvm: property 'priority' is missing");
	set_u32("priority", 64);
	expect("config error in /vms/gvm: property 'priority' must be 0..63");
	set_u32("priority", 10);
	set_u32("budget-us", 100);
	expect("config error in /vms/gvm: property 'budget-us' needs period-us, and must not "
	       "exceed it");
	set_u32("period-us", 50);
	expect("config error in /vms/gvm: property 'budget-us' needs period-us, and must not "
	       "exceed it");
	set_u32("period-us", 100);
	assert_int_equal(read_vm(), 0);
}

static void type_and_name(void **state)
{
	(void)state;
	assert_int_equal(read_vm(), 0);
	assert_int_equal(d.type, VM_TYPE_GVM);
	set_str("type", "mvm");
	assert_int_equal(read_vm(), 0);
	assert_int_equal(d.type, VM_TYPE_MVM);
	assert_string_equal(vmdesc_type_name(d.type), "mvm");
	set_str("type", "rt");
	expect("config error in /vms/gvm: property 'type' must be \"gvm\", \"mvm\" or \"rtvm\", "
	       "not \"rt\"");
	set_str("type", "rtvm");
	assert_int_equal(read_vm(), 0);
	assert_int_equal(d.type, VM_TYPE_RTVM);
	const uint32_t same[] = {3, 3};
	set_u32s("cpus", same, 2);
	expect("config error in /vms/gvm: property 'cpus' names CPU 3 twice; an RTVM has a CPU per "
	       "vCPU");
	const uint32_t two[] = {2, 3};
	set_u32s("cpus", two, 2);
	set_u32("budget-us", 100);
	set_u32("period-us", 1000);
	expect("config error in /vms/gvm: property 'budget-us' does not apply to an RTVM, which "
	       "owns its CPUs");

	int vms = fdt_path_offset(fdt, "/vms");
	node = fdt_add_subnode(fdt, vms, "bad name");
	set_str("image", "x");
	set_u32("priority", 1);
	expect("config error in /vms/bad name: property 'name' may hold only letters, digits, '-' "
	       "and '_'");
	node = fdt_add_subnode(fdt, vms, "a-very-long-vm-name");
	set_str("image", "x");
	set_u32("priority", 1);
	expect("config error in /vms/a-very-long-vm-name: property 'name' must be 1..15 "
	       "characters");
}

static void uart_and_unknown(void **state)
{
	(void)state;
	set_u32("uart-badge", 3);
	expect("config error in /vms/gvm: property 'uart-badge' needs 'uart-endpoint'");
	set_u32("uart-endpoint", 3);
	expect("config error in /vms/gvm: property 'uart-endpoint' must be one non-empty string");
	set_str("uart-endpoint", "devemu-mmio");
	set_u32("uart-badge", 0);
	expect("config error in /vms/gvm: property 'uart-badge' must be 1..8 with 'uart-endpoint'");
	set_u32("uart-badge", 9);
	expect("config error in /vms/gvm: property 'uart-badge' must be 1..8 with 'uart-endpoint'");
	set_u32("uart-badge", 8);
	assert_int_equal(read_vm(), 0);
	del("uart-endpoint");
	del("uart-badge");
	set_u32("memory-mb", 256);
	expect("config error in /vms/gvm: property 'memory-mb' is unknown");
}

static void bad_access_policy(void **state)
{
	(void)state;
	assert_int_equal(read_vm(), 0);
	assert_false(d.stop_on_bad_access); /* abort by default */
	set_str("on-bad-access", "stop");
	assert_int_equal(read_vm(), 0);
	assert_true(d.stop_on_bad_access);
	set_str("on-bad-access", "abort");
	assert_int_equal(read_vm(), 0);
	assert_false(d.stop_on_bad_access);
	set_str("on-bad-access", "ignore");
	expect("config error in /vms/gvm: property 'on-bad-access' must be \"abort\" or "
	       "\"stop\", not \"ignore\"");
}

static void set_empty(const char *name)
{
	assert_int_equal(fdt_setprop(fdt, node, name, NULL, 0), 0);
}

static void virtio_devices(void **state)
{
	(void)state;
	assert_int_equal(read_vm(), 0);
	assert_int_equal(d.virtio, 0);
	assert_null(d.virtio_endpoint);
	set_empty("virtio-net");
	expect("config error in /vms/gvm: property 'virtio-net' needs 'virtio-endpoint', the "
	       "service of the devices");
	set_str("virtio-endpoint", "virtio-mmio");
	expect("config error in /vms/gvm: property 'virtio-net' needs 'uart-badge' (with "
	       "'uart-endpoint'): the devices' badge");
	set_str("uart-endpoint", "devemu-mmio");
	set_u32("uart-badge", 2);
	assert_int_equal(read_vm(), 0);
	assert_int_equal(d.virtio, 1u << KEEL_VIRTIO_NET);
	assert_string_equal(d.virtio_endpoint, "virtio-mmio");
	set_u32("virtio-net", 1);
	expect("config error in /vms/gvm: property 'virtio-net' takes no value");
	del("virtio-net");
	set_u32("virtio-blk", 64);
	expect("config error in /vms/gvm: property 'virtio-blk' must be <first-MiB MiB-count>");
	const uint32_t empty[] = {64, 0};
	set_u32s("virtio-blk", empty, 2);
	expect("config error in /vms/gvm: property 'virtio-blk' gives the VM no disk (MiB count "
	       "0)");
	const uint32_t huge[] = {0xfffff000u, 0x2000};
	set_u32s("virtio-blk", huge, 2);
	expect("config error in /vms/gvm: property 'virtio-blk' ends past 1048576 MiB");
	const uint32_t slice[] = {64, 128};
	set_u32s("virtio-blk", slice, 2);
	assert_int_equal(read_vm(), 0);
	assert_int_equal(d.virtio, 1u << KEEL_VIRTIO_BLK);
	assert_int_equal(d.disk_first_mib, 64);
	assert_int_equal(d.disk_mib, 128);
	del("virtio-blk");
	expect("config error in /vms/gvm: property 'virtio-endpoint' names no device "
	       "('virtio-blk', "
	       "'virtio-net')");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup(good_linux, linux_vm),
	        cmocka_unit_test_setup(good_elf, elf_vm),
	        cmocka_unit_test_setup(cpus_errors, linux_vm),
	        cmocka_unit_test_setup(image_errors, linux_vm),
	        cmocka_unit_test_setup(bootargs_may_be_empty, linux_vm),
	        cmocka_unit_test_setup(memory_errors, linux_vm),
	        cmocka_unit_test_setup(sched_errors, linux_vm),
	        cmocka_unit_test_setup(uart_and_unknown, linux_vm),
	        cmocka_unit_test_setup(type_and_name, linux_vm),
	        cmocka_unit_test_setup(bad_access_policy, linux_vm),
	        cmocka_unit_test_setup(virtio_devices, linux_vm),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
