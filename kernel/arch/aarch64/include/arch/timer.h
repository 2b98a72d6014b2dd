/* SPDX-License-Identifier: MIT */
#ifndef KEEL_ARCH_TIMER_H
#define KEEL_ARCH_TIMER_H

/* The GIC driver calls this for the EL2 physical timer's PPI. */
void timer_el2_irq(void);

#endif
