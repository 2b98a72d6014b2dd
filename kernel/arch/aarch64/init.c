/* SPDX-License-Identifier: MIT */
#include <arch/cpu.h>
#include <arch/gic.h>
#include <arch/mmu.h>
#include <arch/psci.h>
#include <arch/smp.h>
#include <arch/sysreg.h>
#include <arch/user.h>
#include <arch/vgic.h>
#include <keel/arch.h>
#include <keel/bootinfo.h>
#include <keel/log.h>

int arch_init(const struct bootinfo *bi)
{
	smp_boot_table_init();
	int err = mmu_map_ram(bi);
	if (err) {
		log_err("mmu", "cannot map RAM: error %d", err);
		return err;
	}
	psci_init(bi->psci, bi->psci_hvc);
	err = gic_init();
	if (!err && !vgic_hw_init())
		log_info("vgic", "no GICv2 virtual interface: guests get no interrupts");
	return err;
}

void arch_cpu_local_init(void)
{
	arch_user_init_cpu();
	arch_timer_stop();
	gic_init_cpu();
	gic_enable_ppi(GIC_PPI_HYP_TIMER);
	vgic_hw_init_cpu();
}

const char *arch_irqchip_name(void)
{
	return gic_name();
}

void arch_irq_enable(void)
{
	cpu_irq_enable();
}

void arch_wait_for_interrupt(void)
{
	cpu_wait_interrupt();
}
