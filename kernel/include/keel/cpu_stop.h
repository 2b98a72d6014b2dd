/* SPDX-License-Identifier: MIT */
/*
 * Stopping every other CPU for a panic, without the kernel lock (the
 * panicking CPU may hold it, or a CPU may be stuck holding it). The CPU that
 * claims the stop raises a flag and kicks the others with an IPI; another
 * CPU parks - interrupts masked, at EL2, for good - the next time it enters
 * the kernel (the IPI makes a CPU running a thread or idling enter) or
 * while it spins for the kernel lock (with interrupts masked the IPI waits,
 * so the lock's spin loop looks at the flag).
 */
#ifndef KEEL_CPU_STOP_H
#define KEEL_CPU_STOP_H

#include <stdbool.h>
#include <stdint.h>

#define CPU_STOP_NOBODY (~0u)

/* Become the CPU that stops the others. False if a stop was claimed before,
 * by this CPU or another (see cpu_stop_owner). */
bool cpu_stop_claim(void);
/* The CPU that claimed the stop, or CPU_STOP_NOBODY. */
unsigned cpu_stop_owner(void);
/* Kick the CPUs of mask `others` and wait up to `timeout_us` for each to
 * park. Returns the mask of those that did not. */
uint32_t cpu_stop_others(uint32_t others, uint64_t timeout_us);
/* Park this CPU if another one claimed a stop; otherwise return. */
void cpu_stop_poll(void);
/* Park this CPU: mask interrupts, say so, wait for nothing, forever. */
_Noreturn void cpu_stop_park(void);

#endif
