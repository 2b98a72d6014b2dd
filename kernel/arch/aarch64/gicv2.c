/* SPDX-License-Identifier: MIT */
/* GICv2 (GIC-400): memory-mapped distributor and CPU interface. */
#include <arch/gic.h>
#include <arch/mmio.h>
#include <arch/sysreg.h>
#include <keel/arch.h>
#include <keel/config.h>
#include <keel/errno.h>

#define GICD_CTLR       0x000
#define GICD_TYPER      0x004
#define GICD_ICENABLER  0x180
#define GICD_ISENABLER  0x100
#define GICD_ISACTIVER  0x300
#define GICD_ICACTIVER  0x380
#define GICD_IPRIORITYR 0x400
#define GICD_ITARGETSR  0x800
#define GICD_SGIR       0xf00

#define GICC_CTLR 0x00
#define GICC_PMR  0x04
#define GICC_BPR  0x08
#define GICC_IAR  0x0c
#define GICC_EOIR 0x10
#define GICC_DIR  0x1000

#define GICC_CTLR_ENABLE  (1u << 0)
#define GICC_CTLR_EOIMODE (1u << 9) /* EOIR drops priority, DIR deactivates */

#define PRIO_WORD (GIC_PRIO_DEFAULT * 0x01010101u)

static uint64_t gicd, gicc;
/* GICv2 targets CPU interfaces, whose numbers need not be the CPUs'. */
static uint8_t cpu_if_mask[KEEL_MAX_CPUS];

static unsigned gicv2_lines(void)
{
	return 32 * ((mmio_read32(gicd + GICD_TYPER) & 0x1f) + 1);
}

static int gicv2_init_dist(const struct bsp_gic *desc)
{
	gicd = desc->gicd;
	gicc = desc->gicc;
	mmio_write32(gicd + GICD_CTLR, 0);
	unsigned lines = gicv2_lines();
	for (unsigned i = 32; i < lines; i += 32)
		mmio_write32(gicd + GICD_ICENABLER + i / 8, 0xffffffffu);
	for (unsigned i = 32; i < lines; i += 4) {
		mmio_write32(gicd + GICD_IPRIORITYR + i, PRIO_WORD);
		mmio_write32(gicd + GICD_ITARGETSR + i, 0x01010101u);
	}
	mmio_write32(gicd + GICD_CTLR, 1);
	return 0;
}

static void gicv2_init_cpu(void)
{
	/* Reading a banked SGI target byte gives this CPU's own interface. */
	cpu_if_mask[arch_cpu_id()] = (uint8_t)mmio_read32(gicd + GICD_ITARGETSR);
	/* SGIs and PPIs are banked per CPU: each CPU sets up its own. */
	mmio_write32(gicd + GICD_ICENABLER, 0xffffffffu);
	for (unsigned i = 0; i < 32; i += 4)
		mmio_write32(gicd + GICD_IPRIORITYR + i, PRIO_WORD);
	mmio_write32(gicc + GICC_PMR, 0xf0);
	mmio_write32(gicc + GICC_BPR, 0);
	/* Split EOI: a physical interrupt passed to a guest stays active
	 * after the kernel's EOIR until the guest's EOI deactivates it through
	 * the list register's HW bit (docs/guests.md, Passthrough). */
	mmio_write32(gicc + GICC_CTLR, GICC_CTLR_ENABLE | GICC_CTLR_EOIMODE);
	mmio_write32(gicd + GICD_ISENABLER, 1u << GIC_SGI_RESCHEDULE);
}

static void gicv2_enable_ppi(unsigned intid)
{
	mmio_write32(gicd + GICD_ISENABLER, 1u << intid);
}

static uint32_t gicv2_ack(void)
{
	return mmio_read32(gicc + GICC_IAR);
}

static void gicv2_eoi(uint32_t iar)
{
	mmio_write32(gicc + GICC_EOIR, iar);
}

static void gicv2_deactivate(uint32_t iar)
{
	mmio_write32(gicc + GICC_DIR, iar);
}

static void gicv2_clear_active(unsigned intid)
{
	mmio_write32(gicd + GICD_ICACTIVER + (uint64_t)(intid / 32) * 4, 1u << (intid % 32));
}

/* GICD_I[SC]ACTIVER0 is banked: the calling CPU's own PPIs. */
static void gicv2_set_ppi_active(unsigned intid, bool active)
{
	mmio_write32(gicd + (active ? GICD_ISACTIVER : GICD_ICACTIVER), 1u << intid);
}

static bool gicv2_ppi_active(unsigned intid)
{
	return mmio_read32(gicd + GICD_ISACTIVER) & (1u << intid);
}

static void gicv2_send_sgi(unsigned cpu, uint64_t hwid, unsigned sgi)
{
	(void)hwid;
	dsb(ishst);
	mmio_write32(gicd + GICD_SGIR, ((uint32_t)cpu_if_mask[cpu] << 16) | sgi);
}

static void gicv2_set_spi_enabled(unsigned intid, bool enabled)
{
	uint64_t reg = enabled ? GICD_ISENABLER : GICD_ICENABLER;
	mmio_write32(gicd + reg + (uint64_t)(intid / 32) * 4, 1u << (intid % 32));
}

static void gicv2_route_spi(unsigned intid, unsigned cpu, uint64_t hwid)
{
	(void)hwid;
	uint64_t reg = gicd + GICD_ITARGETSR + (intid & ~3u);
	unsigned shift = (intid % 4) * 8;
	uint32_t v = mmio_read32(reg) & ~(0xffu << shift);
	mmio_write32(reg, v | ((uint32_t)cpu_if_mask[cpu] << shift));
}

const struct gic_driver gicv2_driver = {
        .version = GIC_V2,
        .name = "GICv2",
        .iar_id_mask = 0x3ff,
        .init_dist = gicv2_init_dist,
        .init_cpu = gicv2_init_cpu,
        .enable_ppi = gicv2_enable_ppi,
        .ack = gicv2_ack,
        .eoi = gicv2_eoi,
        .deactivate = gicv2_deactivate,
        .clear_active = gicv2_clear_active,
        .set_ppi_active = gicv2_set_ppi_active,
        .ppi_active = gicv2_ppi_active,
        .send_sgi = gicv2_send_sgi,
        .set_spi_enabled = gicv2_set_spi_enabled,
        .route_spi = gicv2_route_spi,
};
