/* SPDX-License-Identifier: MIT */
/*
 * Kernel self-tests chosen on the command line, for the QEMU tests:
 *   keel.selftest=crash      the boot CPU loads from an unmapped address
 *   keel.selftest=crash-smp  every other CPU prints a heartbeat (odd ones
 *                            with interrupts open, even ones through the
 *                            kernel lock with interrupts masked), then the
 *                            boot CPU faults holding the kernel lock
 */
#ifndef KEEL_SELFTEST_H
#define KEEL_SELFTEST_H

/* Before the other CPUs start: which test, if any. */
void selftest_parse(const char *bootargs);
/* A secondary CPU once online; returns only when its test does not need it. */
void selftest_secondary(unsigned cpu);
/* The boot CPU once every CPU is up. */
void selftest_boot_cpu(void);

#endif
