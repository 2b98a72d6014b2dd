/* SPDX-License-Identifier: MIT */
#ifndef KEEL_FAKE_ARCH_H
#define KEEL_FAKE_ARCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FAKE_IPI_LOG 64 /* targets of the first IPIs are kept */
#define FAKE_IRQS    1024

struct fake_arch {
	unsigned cpu_id;
	uint64_t counter;
	uint64_t counter_freq;
	unsigned long irq_masked;
	char console[16384];
	size_t console_len;

	/* arch_ipi_send: how many were sent, and to which CPU (first FAKE_IPI_LOG). */
	unsigned ipi_count;
	unsigned ipi_cpu[FAKE_IPI_LOG];
	/* arch_timer_set / arch_timer_stop of the one-shot timer. */
	bool timer_armed;
	uint64_t timer_deadline;
	unsigned timer_sets, timer_stops;
	/* arch_idle_wait: called with nothing to run. The hook (the test's) must
	 * make something runnable; without one the fake aborts rather than spin. */
	unsigned idle_waits;
	void (*idle_hook)(void);
	unsigned wfi_count;
	/* arch_wait_for_ipi: how often, and the test's hook, which plays what
	 * other CPUs do while this one sleeps. */
	unsigned ipi_waits;
	void (*ipi_wait_hook)(void);
	/* arch_space_flush. */
	unsigned space_flushes;
	unsigned last_flushed_vmid;
	/* arch_memory_reused: how often, and the last range. */
	unsigned memory_reused;
	uint64_t reused_base, reused_size;
	/* Interrupt controller: per intid, unmasked or not and the CPU routed to. */
	bool irq_unmasked[FAKE_IRQS];
	unsigned irq_cpu[FAKE_IRQS];
	int irq_route_result;                /* what arch_irq_route returns for a valid intid */
	unsigned irq_deactivated[FAKE_IRQS]; /* arch_irq_deactivate calls */
	bool vgic_absent;                    /* arch_vgic_available says false */
	unsigned vcpu_exits_completed;       /* arch_vcpu_exit_complete calls */
	unsigned vcpu_exits_failed;          /* arch_vcpu_exit_fail calls */
	unsigned vcpu_exits_retried;         /* arch_vcpu_exit_retry calls */
};

extern struct fake_arch fake_arch;
void fake_console_clear(void);
/* Everything back to the start state: counter 0 at 1 MHz, CPU 0, no calls recorded. */
void fake_arch_reset(void);
/* Forget the recorded IPIs. */
void fake_ipi_clear(void);

#endif
