/* SPDX-License-Identifier: MIT */
/*
 * Passthrough devices of a VM description (docs/guests.md, "Passthrough"):
 *
 *   gvm {
 *       ...
 *       passthrough {
 *           serial1 {
 *               reg = <0x0 0x09040000 0x0 0x1000>;   host PA and size, whole
 *                                                    pages, at the same IPA
 *               interrupts = <8>;                    SPI 8 (INTID 40), optional,
 *                                                    the same SPI in the guest
 *               compatible = "arm,pl011", "arm,primecell";
 *           };
 *       };
 *   };
 *
 * Read and checked here before anything is allocated, and written into the
 * guest's device tree (passthrough_fdt). Pure (libfdt and libc), so the
 * host unit tests compile it as it is; vm_pass.c gives the devices to the VM.
 */
#include "guest_fdt.h"
#include "vmdesc.h"

#include <libfdt.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define PAGE         0x1000ul
#define SPI_MAX      95 /* the virtual distributor's last SPI (VGIC_SPIS - 1) */
#define IRQ_LEVEL_HI 4

struct pass_reader {
	const void *fdt;
	int node;
	const struct vm_desc *d;
	const char *name;
	char *err;
	size_t err_size;
};

static int bad(const struct pass_reader *r, const char *fmt, ...)
{
	char why[VMDESC_ERR_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	snprintf(r->err, r->err_size, "config error in %s/passthrough%s%s: %s", r->d->path,
	         r->name ? "/" : "", r->name ? r->name : "", why);
	return -1;
}

/* Where the guest already has something: its emulated devices and RAM. */
static const char *guest_conflict(const struct vm_desc *d, unsigned long base, unsigned long size)
{
	static const struct {
		unsigned long base, size;
		const char *what;
	} taken[] = {
	        {GUEST_GICD_BASE, 0x1000000ul, "the guest's GIC"},
	        {GUEST_UART_BASE, GUEST_UART_SIZE, "the guest's emulated PL011"},
	        {GUEST_MGMT_BASE, 0x2000ul, "the guest's mailbox and virtio devices"},
	};
	for (size_t i = 0; i < sizeof(taken) / sizeof(taken[0]); i++)
		if (base < taken[i].base + taken[i].size && taken[i].base < base + size)
			return taken[i].what;
	if (base < GUEST_RAM_BASE + d->ram_size && GUEST_RAM_BASE < base + size)
		return "the guest's RAM";
	return NULL;
}

static int read_reg(const struct pass_reader *r, struct vm_pass *p)
{
	int len;
	const fdt32_t *reg = fdt_getprop(r->fdt, r->node, "reg", &len);
	if (!reg || len != 16)
		return bad(r, "property 'reg' must be one <address size> pair of 2 cells each");
	p->base = (unsigned long)fdt32_to_cpu(reg[0]) << 32 | fdt32_to_cpu(reg[1]);
	p->size = (unsigned long)fdt32_to_cpu(reg[2]) << 32 | fdt32_to_cpu(reg[3]);
	if (!p->size || (p->base | p->size) % PAGE || p->base + p->size < p->base)
		return bad(r, "property 'reg' must be whole 4 KiB pages (0x%lx, size 0x%lx)",
		           p->base, p->size);
	const char *what = guest_conflict(r->d, p->base, p->size);
	if (what)
		return bad(r, "property 'reg' (0x%lx, size 0x%lx) overlaps %s", p->base, p->size,
		           what);
	for (unsigned i = 0; i < r->d->npass; i++) {
		const struct vm_pass *o = &r->d->pass[i];
		if (p->base < o->base + o->size && o->base < p->base + p->size)
			return bad(r, "property 'reg' overlaps passthrough device '%s'", o->name);
	}
	return 0;
}

static int read_irq(const struct pass_reader *r, struct vm_pass *p)
{
	int len;
	const fdt32_t *irq = fdt_getprop(r->fdt, r->node, "interrupts", &len);
	p->spi = -1;
	if (!irq)
		return 0;
	if (len != 4)
		return bad(r, "property 'interrupts' must be one SPI number");
	unsigned long spi = fdt32_to_cpu(*irq);
	/* The emulated PL011's and the virtio devices' SPIs are the guest's. */
	if (spi > SPI_MAX || spi == GUEST_UART_SPI || (spi >= 24 && spi < 32))
		return bad(r,
		           "property 'interrupts': SPI %lu is not free in the guest "
		           "(0..%d, not 1 or 24..31)",
		           spi, SPI_MAX);
	for (unsigned i = 0; i < r->d->npass; i++)
		if (r->d->pass[i].spi == (int)spi)
			return bad(r, "property 'interrupts': SPI %lu is also '%s''s", spi,
			           r->d->pass[i].name);
	p->spi = (int)spi;
	return 0;
}

static int read_compatible(const struct pass_reader *r, struct vm_pass *p)
{
	int len;
	const char *c = fdt_getprop(r->fdt, r->node, "compatible", &len);
	if (!c || len < 2 || c[len - 1] != '\0' || c[0] == '\0')
		return bad(r, "property 'compatible' must be a list of non-empty strings");
	p->compatible = c;
	p->compatible_len = len;
	return 0;
}

static int check_known(const struct pass_reader *r)
{
	int prop;
	fdt_for_each_property_offset (prop, r->fdt, r->node) {
		const char *name;
		if (!fdt_getprop_by_offset(r->fdt, prop, &name, NULL))
			continue;
		if (strcmp(name, "reg") != 0 && strcmp(name, "interrupts") != 0 &&
		    strcmp(name, "compatible") != 0)
			return bad(r, "property '%s' is unknown", name);
	}
	if (fdt_first_subnode(r->fdt, r->node) >= 0)
		return bad(r, "a device has no child nodes");
	return 0;
}

/* NOLINTNEXTLINE(readability-non-const-parameter): bad() writes the reason through r.err. */
static int read_device(const void *fdt, int node, struct vm_desc *d, char *err, size_t size)
{
	struct vm_pass p = {.present = true};
	struct pass_reader r = {fdt, node, d, fdt_get_name(fdt, node, NULL), err, size};
	p.name = r.name;
	if (d->npass == VMDESC_MAX_PASS)
		return bad(&r, "more than %d passthrough devices", VMDESC_MAX_PASS);
	if (check_known(&r) || read_reg(&r, &p) || read_irq(&r, &p) || read_compatible(&r, &p))
		return -1;
	d->pass[d->npass++] = p;
	return 0;
}

int passthrough_read(const void *fdt, int node, struct vm_desc *d, char *err, size_t err_size)
{
	int pt = fdt_subnode_offset(fdt, node, "passthrough"), dev;
	struct pass_reader r = {fdt, pt, d, NULL, err, err_size};
	d->npass = 0;
	if (pt < 0)
		return 0;
	if (fdt_first_property_offset(fdt, pt) >= 0)
		return bad(&r, "holds device nodes only, no properties");
	fdt_for_each_subnode (dev, fdt, pt)
		if (read_device(fdt, dev, d, err, err_size))
			return -1;
	return 0;
}

static bool has_compatible(const struct vm_pass *p, const char *want)
{
	for (int off = 0; off < p->compatible_len; off += (int)strlen(p->compatible + off) + 1)
		if (!strcmp(p->compatible + off, want))
			return true;
	return false;
}

/* A PrimeCell needs its bus clock, a PL011 also its UART clock: the same
 * 24 MHz fixed clock the emulated PL011 has (QEMU's are too). */
static int clocks(void *fdt, const struct vm_pass *p, uint32_t clock)
{
	static const char pl011_names[] = "uartclk\0apb_pclk";
	fdt32_t cells[2] = {cpu_to_fdt32(clock), cpu_to_fdt32(clock)};
	if (has_compatible(p, "arm,pl011")) {
		int err = fdt_property(fdt, "clocks", cells, sizeof(cells));
		return err ? err
		           : fdt_property(fdt, "clock-names", pl011_names, sizeof(pl011_names));
	}
	if (has_compatible(p, "arm,primecell")) {
		int err = fdt_property(fdt, "clocks", cells, sizeof(cells[0]));
		return err ? err : fdt_property_string(fdt, "clock-names", "apb_pclk");
	}
	return 0;
}

static int device_node(void *fdt, const struct vm_pass *p, uint32_t clock)
{
	char name[48];
	snprintf(name, sizeof(name), "%s@%lx", p->name, p->base);
	fdt64_t reg[2] = {cpu_to_fdt64(p->base), cpu_to_fdt64(p->size)};
	fdt32_t irq[3] = {0, cpu_to_fdt32((uint32_t)p->spi), cpu_to_fdt32(IRQ_LEVEL_HI)};
	int err = fdt_begin_node(fdt, name);
	if (!err)
		err = fdt_property(fdt, "compatible", p->compatible, p->compatible_len);
	if (!err)
		err = fdt_property(fdt, "reg", reg, sizeof(reg));
	if (!err && p->spi >= 0)
		err = fdt_property(fdt, "interrupts", irq, sizeof(irq));
	if (!err)
		err = clocks(fdt, p, clock);
	return err ? err : fdt_end_node(fdt);
}

int passthrough_fdt(void *fdt, const struct vm_pass *pass, unsigned n, unsigned clock)
{
	for (unsigned i = 0; i < n; i++) {
		if (!pass[i].present)
			continue;
		int err = device_node(fdt, &pass[i], clock);
		if (err)
			return err;
	}
	return 0;
}
