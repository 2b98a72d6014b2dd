/* SPDX-License-Identifier: MIT */
/*
 * The guest's device tree, written with libfdt's sequential-write API. The
 * devices are where QEMU virt has them, so an unmodified arm64 kernel finds
 * them with the drivers it already has (docs/guests.md, "Guest physical map").
 */
#include "guest_fdt.h"
#include "vmdesc.h"

#include <keel/devctl.h>
#include <libfdt.h>
#include <stdint.h>
#include <stdio.h>

#define PHANDLE_GIC    1
#define PHANDLE_CLOCK  2
#define GIC_SPI        0
#define GIC_PPI        1
#define IRQ_LEVEL_HI   4
#define PL011_PERIPHID 0x00241011u
#define PPI_SEC_PHYS   13
#define PPI_NS_PHYS    14
#define PPI_VIRT       11
#define PPI_HYP        10

/* Sequential writes with a sticky error: the first failure is kept. */
struct writer {
	void *fdt;
	int err;
};

static void begin(struct writer *w, const char *name)
{
	if (!w->err)
		w->err = fdt_begin_node(w->fdt, name);
}

static void end(struct writer *w)
{
	if (!w->err)
		w->err = fdt_end_node(w->fdt);
}

static void prop(struct writer *w, const char *name, const void *val, int len)
{
	if (!w->err)
		w->err = fdt_property(w->fdt, name, val, len);
}

static void prop_u32(struct writer *w, const char *name, uint32_t v)
{
	if (!w->err)
		w->err = fdt_property_u32(w->fdt, name, v);
}

static void prop_u64(struct writer *w, const char *name, uint64_t v)
{
	if (!w->err)
		w->err = fdt_property_u64(w->fdt, name, v);
}

static void prop_str(struct writer *w, const char *name, const char *s)
{
	if (!w->err)
		w->err = fdt_property_string(w->fdt, name, s);
}

/* "a\0b\0" lists: the literal's own size, final NUL included. */
#define PROP_STRINGS(w, name, lit) prop(w, name, lit, (int)sizeof(lit))

/* A list of 32-bit cells. */
static void prop_cells(struct writer *w, const char *name, const uint32_t *v, int n)
{
	fdt32_t cells[16];
	for (int i = 0; i < n && i < 16; i++)
		cells[i] = cpu_to_fdt32(v[i]);
	prop(w, name, cells, n * (int)sizeof(fdt32_t));
}

/* reg with #address-cells = #size-cells = 2: (base, size) pairs. */
static void prop_reg(struct writer *w, const uint64_t *pairs, int n)
{
	fdt64_t cells[4];
	for (int i = 0; i < 2 * n && i < 4; i++)
		cells[i] = cpu_to_fdt64(pairs[i]);
	prop(w, "reg", cells, 2 * n * (int)sizeof(fdt64_t));
}

static void node_name(char *buf, size_t size, const char *base, unsigned long unit)
{
	snprintf(buf, size, "%s@%lx", base, unit);
}

static void chosen(struct writer *w, const struct guest_fdt_config *c)
{
	char stdout_path[32];
	node_name(stdout_path, sizeof(stdout_path), "/pl011", GUEST_UART_BASE);
	begin(w, "chosen");
	prop_str(w, "bootargs", c->bootargs ? c->bootargs : "");
	prop_str(w, "stdout-path", stdout_path);
	if (c->initrd_end > c->initrd_start) {
		prop_u64(w, "linux,initrd-start", c->initrd_start);
		prop_u64(w, "linux,initrd-end", c->initrd_end);
	}
	end(w);
}

static void memory(struct writer *w, const struct guest_fdt_config *c)
{
	char name[32];
	node_name(name, sizeof(name), "memory", c->ram_base);
	begin(w, name);
	prop_str(w, "device_type", "memory");
	const uint64_t reg[] = {c->ram_base, c->ram_size};
	prop_reg(w, reg, 1);
	end(w);
}

static void cpus(struct writer *w, const struct guest_fdt_config *c)
{
	begin(w, "cpus");
	prop_u32(w, "#address-cells", 1);
	prop_u32(w, "#size-cells", 0);
	for (unsigned i = 0; i < c->vcpus; i++) {
		char name[16];
		node_name(name, sizeof(name), "cpu", i);
		begin(w, name);
		prop_str(w, "device_type", "cpu");
		prop_str(w, "compatible", "arm,cortex-a72");
		prop_u32(w, "reg", i); /* MPIDR Aff0 = vCPU index */
		prop_str(w, "enable-method", "psci");
		end(w);
	}
	end(w);
	begin(w, "psci");
	PROP_STRINGS(w, "compatible", "arm,psci-1.0\0arm,psci-0.2");
	prop_str(w, "method", "hvc");
	end(w);
}

static void gic_and_timer(struct writer *w, const struct guest_fdt_config *c)
{
	char name[32];
	node_name(name, sizeof(name), "intc", GUEST_GICD_BASE);
	begin(w, name);
	prop_str(w, "compatible", "arm,cortex-a15-gic");
	prop_u32(w, "#interrupt-cells", 3);
	prop(w, "interrupt-controller", "", 0);
	const uint64_t reg[] = {GUEST_GICD_BASE, GUEST_GICD_SIZE, GUEST_GICC_BASE, GUEST_GICC_SIZE};
	prop_reg(w, reg, 2);
	prop_u32(w, "phandle", PHANDLE_GIC);
	end(w);

	/* GICv2 PPI flags carry a mask of the CPUs the PPI is wired to. */
	uint32_t ppi = ((1u << c->vcpus) - 1) << 8 | IRQ_LEVEL_HI;
	const uint32_t irqs[] = {GIC_PPI, PPI_SEC_PHYS, ppi, GIC_PPI, PPI_NS_PHYS, ppi,
	                         GIC_PPI, PPI_VIRT,     ppi, GIC_PPI, PPI_HYP,     ppi};
	begin(w, "timer");
	prop_str(w, "compatible", "arm,armv8-timer");
	prop_cells(w, "interrupts", irqs, 12);
	prop(w, "always-on", "", 0);
	end(w);
}

static void uart(struct writer *w)
{
	begin(w, "apb-pclk");
	prop_str(w, "compatible", "fixed-clock");
	prop_u32(w, "#clock-cells", 0);
	prop_u32(w, "clock-frequency", GUEST_UART_CLOCK);
	prop_str(w, "clock-output-names", "clk24mhz");
	prop_u32(w, "phandle", PHANDLE_CLOCK);
	end(w);

	char name[32];
	node_name(name, sizeof(name), "pl011", GUEST_UART_BASE);
	begin(w, name);
	PROP_STRINGS(w, "compatible", "arm,pl011\0arm,primecell");
	const uint64_t reg[] = {GUEST_UART_BASE, GUEST_UART_SIZE};
	prop_reg(w, reg, 1);
	const uint32_t irq[] = {GIC_SPI, GUEST_UART_SPI, IRQ_LEVEL_HI};
	prop_cells(w, "interrupts", irq, 3);
	const uint32_t clocks[] = {PHANDLE_CLOCK, PHANDLE_CLOCK};
	prop_cells(w, "clocks", clocks, 2);
	PROP_STRINGS(w, "clock-names", "uartclk\0apb_pclk");
	/* Linux's AMBA bus then need not read the PeriphID registers. */
	prop_u32(w, "arm,primecell-periphid", PL011_PERIPHID);
	end(w);
}

/* Not a device any Linux driver binds, so keelctl may map it through
 * /dev/mem (docs/management.md); the node tells keelctl it is there. */
static void mgmt_mailbox(struct writer *w)
{
	char name[32];
	node_name(name, sizeof(name), "keel-mgmt", GUEST_MGMT_BASE);
	begin(w, name);
	prop_str(w, "compatible", "keel,mgmt-mailbox-v1");
	const uint64_t reg[] = {GUEST_MGMT_BASE, GUEST_MGMT_SIZE};
	prop_reg(w, reg, 1);
	end(w);
}

/* Coherent DMA: the virtio service reads the rings through a cacheable
 * mapping. */
static void virtio_mmio(struct writer *w, unsigned devices)
{
	for (unsigned i = 0; i < KEEL_VIRTIO_DEVS; i++) {
		if (!(devices & (1u << i)))
			continue;
		char name[32];
		unsigned long base = KEEL_VIRTIO_BASE + i * KEEL_VIRTIO_STRIDE;
		node_name(name, sizeof(name), "virtio_mmio", base);
		begin(w, name);
		prop_str(w, "compatible", "virtio,mmio");
		const uint64_t reg[] = {base, KEEL_VIRTIO_STRIDE};
		prop_reg(w, reg, 1);
		const uint32_t irq[] = {GIC_SPI, KEEL_VIRTIO_SPI + i, IRQ_LEVEL_HI};
		prop_cells(w, "interrupts", irq, 3);
		prop(w, "dma-coherent", "", 0);
		end(w);
	}
}

int guest_fdt_build(void *buf, size_t size, const struct guest_fdt_config *c)
{
	struct writer w = {buf, 0};
	if (c->vcpus == 0 || c->vcpus > 8)
		return -FDT_ERR_BADVALUE;
	w.err = fdt_create(buf, (int)size);
	if (!w.err)
		w.err = fdt_finish_reservemap(buf);
	begin(&w, "");
	PROP_STRINGS(&w, "compatible", "keel,guest\0linux,dummy-virt");
	prop_str(&w, "model", "Keel VM");
	prop_u32(&w, "#address-cells", 2);
	prop_u32(&w, "#size-cells", 2);
	prop_u32(&w, "interrupt-parent", PHANDLE_GIC);
	chosen(&w, c);
	memory(&w, c);
	cpus(&w, c);
	gic_and_timer(&w, c);
	uart(&w);
	if (c->mgmt_mailbox)
		mgmt_mailbox(&w);
	virtio_mmio(&w, c->virtio);
	if (!w.err)
		w.err = passthrough_fdt(buf, c->pass, c->npass, PHANDLE_CLOCK);
	end(&w);
	if (!w.err)
		w.err = fdt_finish(buf);
	return w.err;
}
