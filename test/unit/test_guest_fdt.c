/* SPDX-License-Identifier: MIT */
/* The Linux guest's device tree (services/vmm/guest_fdt.c), read back with libfdt. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <libfdt.h>

#include "guest_fdt.h"

#include <keel/devctl.h>

static uint8_t buf[0x10000];

static const struct guest_fdt_config two_vcpus = {
        .ram_base = 0x40000000,
        .ram_size = 256ul << 20,
        .vcpus = 2,
        .bootargs = "console=ttyAMA0 earlycon",
        .initrd_start = 0x4fc00000,
        .initrd_end = 0x4fd00000,
};

static int build(const struct guest_fdt_config *c)
{
	memset(buf, 0xa5, sizeof(buf));
	int err = guest_fdt_build(buf, sizeof(buf), c);
	if (!err)
		assert_int_equal(fdt_check_header(buf), 0);
	return err;
}

static int node(const char *path)
{
	int off = fdt_path_offset(buf, path);
	assert_true(off >= 0);
	return off;
}

static const fdt32_t *prop(const char *path, const char *name, int want_len)
{
	int len;
	const fdt32_t *p = fdt_getprop(buf, node(path), name, &len);
	assert_non_null(p);
	assert_int_equal(len, want_len);
	return p;
}

static uint64_t cell64(const fdt32_t *p, int i)
{
	return (uint64_t)fdt32_to_cpu(p[2 * i]) << 32 | fdt32_to_cpu(p[2 * i + 1]);
}

static void memory_and_root(void **state)
{
	(void)state;
	assert_int_equal(build(&two_vcpus), 0);
	assert_int_equal(fdt32_to_cpu(*prop("/", "#address-cells", 4)), 2);
	assert_int_equal(fdt32_to_cpu(*prop("/", "#size-cells", 4)), 2);
	const fdt32_t *reg = prop("/memory@40000000", "reg", 16);
	assert_int_equal(cell64(reg, 0), 0x40000000);
	assert_int_equal(cell64(reg, 1), 256ul << 20);
	assert_string_equal(fdt_getprop(buf, node("/memory@40000000"), "device_type", NULL),
	                    "memory");
	/* interrupt-parent is the GIC's phandle */
	uint32_t gic = fdt_get_phandle(buf, node("/intc@8000000"));
	assert_true(gic != 0);
	assert_int_equal(fdt32_to_cpu(*prop("/", "interrupt-parent", 4)), gic);
}

static int count_cpus(void)
{
	int n = 0, sub;
	fdt_for_each_subnode (sub, buf, node("/cpus")) {
		assert_string_equal(fdt_getprop(buf, sub, "device_type", NULL), "cpu");
		assert_string_equal(fdt_getprop(buf, sub, "enable-method", NULL), "psci");
		const fdt32_t *reg = fdt_getprop(buf, sub, "reg", NULL);
		assert_non_null(reg);
		assert_int_equal(fdt32_to_cpu(*reg), n); /* MPIDR Aff0 = vCPU index */
		n++;
	}
	return n;
}

static void cpus_and_psci(void **state)
{
	(void)state;
	assert_int_equal(build(&two_vcpus), 0);
	assert_int_equal(count_cpus(), 2);
	assert_int_equal(fdt32_to_cpu(*prop("/cpus", "#address-cells", 4)), 1);
	assert_int_equal(fdt32_to_cpu(*prop("/cpus", "#size-cells", 4)), 0);
	assert_string_equal(fdt_getprop(buf, node("/psci"), "method", NULL), "hvc");
	assert_int_equal(fdt_node_check_compatible(buf, node("/psci"), "arm,psci-0.2"), 0);
	assert_int_equal(fdt_node_check_compatible(buf, node("/psci"), "arm,psci-1.0"), 0);

	struct guest_fdt_config one = two_vcpus;
	one.vcpus = 1;
	assert_int_equal(build(&one), 0);
	assert_int_equal(count_cpus(), 1);
	one.vcpus = 0;
	assert_true(guest_fdt_build(buf, sizeof(buf), &one) < 0);
}

static void gic_timer_uart(void **state)
{
	(void)state;
	assert_int_equal(build(&two_vcpus), 0);
	const fdt32_t *reg = prop("/intc@8000000", "reg", 32);
	assert_int_equal(cell64(reg, 0), 0x08000000);
	assert_int_equal(cell64(reg, 1), 0x10000);
	assert_int_equal(cell64(reg, 2), 0x08010000);
	assert_int_equal(cell64(reg, 3), 0x2000);
	assert_int_equal(
	        fdt_node_check_compatible(buf, node("/intc@8000000"), "arm,cortex-a15-gic"), 0);
	assert_int_equal(fdt32_to_cpu(*prop("/intc@8000000", "#interrupt-cells", 4)), 3);
	prop("/intc@8000000", "interrupt-controller", 0);

	const fdt32_t *t = prop("/timer", "interrupts", 48);
	const uint32_t ppis[] = {13, 14, 11, 10};
	for (int i = 0; i < 4; i++) {
		assert_int_equal(fdt32_to_cpu(t[3 * i]), 1); /* PPI */
		assert_int_equal(fdt32_to_cpu(t[3 * i + 1]), ppis[i]);
		assert_int_equal(fdt32_to_cpu(t[3 * i + 2]), 0x304); /* 2 CPUs, level high */
	}

	const char *uart = "/pl011@9000000";
	reg = prop(uart, "reg", 16);
	assert_int_equal(cell64(reg, 0), 0x09000000);
	assert_int_equal(cell64(reg, 1), 0x1000);
	const fdt32_t *irq = prop(uart, "interrupts", 12);
	assert_int_equal(fdt32_to_cpu(irq[0]), 0); /* SPI 1 = INTID 33 */
	assert_int_equal(fdt32_to_cpu(irq[1]), 1);
	assert_int_equal(fdt32_to_cpu(irq[2]), 4);
	assert_int_equal(fdt32_to_cpu(*prop(uart, "arm,primecell-periphid", 4)), 0x00241011);
	const fdt32_t *clocks = prop(uart, "clocks", 8);
	int clk = fdt_node_offset_by_phandle(buf, fdt32_to_cpu(clocks[0]));
	assert_true(clk >= 0);
	assert_int_equal(fdt32_to_cpu(*prop("/apb-pclk", "clock-frequency", 4)), 24000000);
	assert_int_equal(fdt_node_check_compatible(buf, clk, "fixed-clock"), 0);
	assert_int_equal(fdt_stringlist_search(buf, node(uart), "clock-names", "apb_pclk"), 1);
}

static void chosen(void **state)
{
	(void)state;
	assert_int_equal(build(&two_vcpus), 0);
	int c = node("/chosen");
	assert_string_equal(fdt_getprop(buf, c, "bootargs", NULL), "console=ttyAMA0 earlycon");
	assert_string_equal(fdt_getprop(buf, c, "stdout-path", NULL), "/pl011@9000000");
	assert_int_equal(cell64(prop("/chosen", "linux,initrd-start", 8), 0), 0x4fc00000);
	assert_int_equal(cell64(prop("/chosen", "linux,initrd-end", 8), 0), 0x4fd00000);
	/* the stdout path resolves */
	assert_int_equal(fdt_path_offset(buf, "/pl011@9000000") >= 0, 1);

	struct guest_fdt_config none = two_vcpus;
	none.initrd_start = none.initrd_end = 0;
	none.bootargs = NULL;
	assert_int_equal(build(&none), 0);
	c = node("/chosen");
	assert_null(fdt_getprop(buf, c, "linux,initrd-start", NULL));
	assert_string_equal(fdt_getprop(buf, c, "bootargs", NULL), "");
}

/* Only the management VM's tree has the mailbox keelctl looks for. */
static void mgmt_mailbox(void **state)
{
	(void)state;
	assert_int_equal(build(&two_vcpus), 0);
	assert_true(fdt_path_offset(buf, "/keel-mgmt@a000000") < 0);
	struct guest_fdt_config mvm = two_vcpus;
	mvm.mgmt_mailbox = true;
	assert_int_equal(build(&mvm), 0);
	const char *mb = "/keel-mgmt@a000000";
	assert_int_equal(fdt_node_check_compatible(buf, node(mb), "keel,mgmt-mailbox-v1"), 0);
	const fdt32_t *reg = prop(mb, "reg", 16);
	assert_int_equal(cell64(reg, 0), 0x0a000000);
	assert_int_equal(cell64(reg, 1), 0x1000);
}

static void too_small(void **state)
{
	(void)state;
	assert_int_equal(guest_fdt_build(buf, 256, &two_vcpus), -FDT_ERR_NOSPACE);
}

/* One virtio-mmio node per device, where devemu's slots are, with its SPI. */
static void virtio_nodes(void **state)
{
	(void)state;
	assert_int_equal(build(&two_vcpus), 0);
	assert_true(fdt_path_offset(buf, "/virtio_mmio@a001000") < 0);
	struct guest_fdt_config c = two_vcpus;
	c.virtio = 1u << KEEL_VIRTIO_NET;
	assert_int_equal(build(&c), 0);
	assert_true(fdt_path_offset(buf, "/virtio_mmio@a001000") < 0);
	const char *net = "/virtio_mmio@a001200";
	assert_int_equal(fdt_node_check_compatible(buf, node(net), "virtio,mmio"), 0);
	const fdt32_t *reg = prop(net, "reg", 16);
	assert_int_equal(cell64(reg, 0), 0x0a001200);
	assert_int_equal(cell64(reg, 1), 0x200);
	const fdt32_t *irq = prop(net, "interrupts", 12);
	assert_int_equal(fdt32_to_cpu(irq[0]), 0);  /* SPI */
	assert_int_equal(fdt32_to_cpu(irq[1]), 25); /* INTID 57 */
	assert_int_equal(fdt32_to_cpu(irq[2]), 4);  /* level, high */
	prop(net, "dma-coherent", 0);
	c.virtio |= 1u << KEEL_VIRTIO_BLK;
	assert_int_equal(build(&c), 0);
	irq = prop("/virtio_mmio@a001000", "interrupts", 12);
	assert_int_equal(fdt32_to_cpu(irq[1]), 24);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(memory_and_root), cmocka_unit_test(cpus_and_psci),
	        cmocka_unit_test(gic_timer_uart),  cmocka_unit_test(chosen),
	        cmocka_unit_test(mgmt_mailbox),    cmocka_unit_test(too_small),
	        cmocka_unit_test(virtio_nodes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
