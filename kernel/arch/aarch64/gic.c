/* SPDX-License-Identifier: MIT */
/*
 * GIC front end: picks the GIC version the CPU really has among the ones the
 * board lists (QEMU virt can be started with either), and dispatches EL2
 * interrupts. ID_AA64PFR0_EL1.GIC says whether the GICv3 system-register
 * CPU interface exists; GIC-400 boards (RPi4, TX2) report 0.
 */
#include <arch/gic.h>
#include <arch/smp.h>
#include <arch/sysreg.h>
#include <arch/timer.h>
#include <arch/vgic.h>
#include <bsp.h>
#include <keel/arch.h>
#include <keel/config.h>
#include <keel/errno.h>
#include <keel/irq.h>
#include <keel/log.h>
#include <keel/timer.h>
#include <stdbool.h>
#include <stddef.h>

static const struct gic_driver *gic;
static const struct bsp_gic *gic_desc;

static bool cpu_has_gicv3_sysregs(void)
{
	return ((sysreg_read(id_aa64pfr0_el1) >> 24) & 0xf) != 0;
}

int gic_init(void)
{
	enum gic_version want = cpu_has_gicv3_sysregs() ? GIC_V3 : GIC_V2;
	const struct gic_driver *drv = want == GIC_V3 ? &gicv3_driver : &gicv2_driver;

	for (size_t i = 0; i < board.gic_count; i++) {
		if (board.gics[i].version != want)
			continue;
		int err = drv->init_dist(&board.gics[i]);
		if (err)
			return err;
		gic = drv;
		gic_desc = &board.gics[i];
		return 0;
	}
	log_err("gic", "board %s lists no GICv%d, which this CPU has", board.name, (int)want);
	return -KEEL_ENODEV;
}

void gic_init_cpu(void)
{
	gic->init_cpu();
}

void gic_enable_ppi(unsigned intid)
{
	gic->enable_ppi(intid);
}

bool gic_virt_iface(uint64_t *gich, uint64_t *gicv)
{
	if (!gic || gic->version != GIC_V2 || !gic_desc->gich || !gic_desc->gicv)
		return false;
	*gich = gic_desc->gich;
	*gicv = gic_desc->gicv;
	return true;
}

const char *gic_name(void)
{
	return gic ? gic->name : "none";
}

void gic_handle_irq(void)
{
	for (;;) {
		uint32_t iar = gic->ack();
		uint32_t intid = iar & gic->iar_id_mask;
		bool passed = false; /* a guest's EOI deactivates it */
		if (intid >= GIC_SPURIOUS)
			return;
		if (intid == GIC_PPI_HYP_TIMER)
			timer_el2_irq();
		else if (intid == GIC_PPI_VIRT_TIMER)
			passed = vtimer_irq();
		else if (intid == GIC_PPI_MAINTENANCE)
			vgic_maintenance_irq();
		else if (intid >= IRQ_FIRST_SPI)
			passed = irq_dispatch(intid);
		else if (intid != GIC_SGI_RESCHEDULE)
			log_warn("gic", "unexpected interrupt %u", intid);
		/* A reschedule SGI needs no action: the kernel exit picks again. */
		gic->eoi(iar);
		if (!passed && gic->deactivate)
			gic->deactivate(iar);
	}
}

void arch_ipi_send(unsigned cpu)
{
	gic->send_sgi(cpu, smp_boot_hwid[cpu], GIC_SGI_RESCHEDULE);
}

void arch_irq_mask(unsigned intid)
{
	gic->set_spi_enabled(intid, false);
}

void arch_irq_deactivate(unsigned intid)
{
	gic->clear_active(intid);
}

void gic_set_ppi_active(unsigned intid, bool active)
{
	if (gic->set_ppi_active)
		gic->set_ppi_active(intid, active);
}

bool gic_ppi_active(unsigned intid)
{
	return gic->ppi_active && gic->ppi_active(intid);
}

void arch_irq_unmask(unsigned intid)
{
	gic->set_spi_enabled(intid, true);
}

int arch_irq_route(unsigned intid, unsigned cpu)
{
	if (intid < IRQ_FIRST_SPI || intid >= IRQ_MAX || cpu >= KEEL_MAX_CPUS)
		return -KEEL_ERANGE;
	gic->route_spi(intid, cpu, smp_boot_hwid[cpu]);
	gic->set_spi_enabled(intid, true);
	return 0;
}
