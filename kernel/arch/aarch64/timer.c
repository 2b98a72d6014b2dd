/* SPDX-License-Identifier: MIT */
/*
 * The EL2 physical timer (CNTHP) as a one-shot deadline timer: the kernel's
 * only time source, so the scheduler can be tickless. Guests keep CNTV and
 * CNTP to themselves.
 */
#include <arch/sysreg.h>
#include <arch/timer.h>
#include <keel/arch.h>
#include <keel/timer.h>

#define CNTHP_CTL_ENABLE  (1ull << 0)
#define CNTHP_CTL_IMASK   (1ull << 1)
#define CNTHP_CTL_ISTATUS (1ull << 2)

void arch_timer_set(uint64_t deadline)
{
	sysreg_write(cnthp_cval_el2, deadline);
	sysreg_write(cnthp_ctl_el2, CNTHP_CTL_ENABLE);
	isb();
}

void arch_timer_stop(void)
{
	sysreg_write(cnthp_ctl_el2, CNTHP_CTL_IMASK);
	isb();
}

void timer_el2_irq(void)
{
	/* The interrupt may be older than the deadline armed now: the GIC
	 * signals a level interrupt asynchronously and may present it after
	 * the kernel moved the deadline on (the Arm ARM asks handlers to check
	 * ISTATUS, and Linux's does). Stopping the timer then would lose the
	 * new deadline, so only a condition that holds counts. */
	uint64_t ctl = sysreg_read(cnthp_ctl_el2);
	if (!(ctl & CNTHP_CTL_ENABLE) || !(ctl & CNTHP_CTL_ISTATUS))
		return;
	/* The line is level-triggered: silence it before telling the core. */
	arch_timer_stop();
	timer_expired();
}
