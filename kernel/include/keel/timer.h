/* SPDX-License-Identifier: MIT */
#ifndef KEEL_TIMER_H
#define KEEL_TIMER_H

#include <keel/arch.h>
#include <stdint.h>

/* Counter ticks in `us` microseconds. Through kHz, so a counter whose
 * frequency is no whole number of MHz (TX2: 31.25) keeps its precision. */
static inline uint64_t us_to_ticks(uint64_t us)
{
	return us * (arch_counter_freq() / 1000) / 1000;
}

/* Called by the arch layer, in interrupt context, when this CPU's deadline
 * passed and the arch stopped its timer. */
void timer_expired(void);

#endif
