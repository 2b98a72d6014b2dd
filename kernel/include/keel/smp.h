/* SPDX-License-Identifier: MIT */
#ifndef KEEL_SMP_H
#define KEEL_SMP_H

#include <keel/bootinfo.h>
#include <stdbool.h>

/* Start every CPU of the tree but the boot CPU; returns how many are online. */
unsigned smp_start_secondaries(const struct bootinfo *bi);
/* Entry of a secondary CPU once its MMU is on. */
_Noreturn void smp_secondary_main(unsigned cpu);
unsigned smp_online_count(void);
bool smp_cpu_online(unsigned cpu);

#endif
