/* SPDX-License-Identifier: MIT */
#ifndef KEEL_CPU_H
#define KEEL_CPU_H

#include <stdbool.h>

/* Per-CPU set-up, run by each CPU on itself, then a check that its timer
 * interrupt arrives (the path every later scheduling decision relies on). */
void cpu_bringup(void);
/* Whether cpu's bring-up saw its EL2 timer interrupt. */
bool cpu_timer_irq_seen(unsigned cpu);
_Noreturn void cpu_idle(void);

#endif
