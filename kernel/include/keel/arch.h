/* SPDX-License-Identifier: MIT */
/*
 * The hooks core code needs from the architecture. Implemented once for
 * AArch64 (kernel/arch/aarch64) and once as a host fake (kernel/arch/host)
 * so that the unit tests run the real core code.
 */
#ifndef KEEL_ARCH_H
#define KEEL_ARCH_H

#include <stdbool.h>
#include <stdint.h>

/* Logical number of the running CPU, 0 for the boot CPU. */
unsigned arch_cpu_id(void);
/* Free-running system counter and its frequency in Hz. */
uint64_t arch_counter(void);
uint64_t arch_counter_freq(void);
/* Mask interrupts on this CPU, returning the previous mask state. */
unsigned long arch_irq_save(void);
void arch_irq_restore(unsigned long flags);
/* Hint inside spin loops. */
void arch_cpu_relax(void);
/* Stop this CPU for good (a crash, or nothing left to do). */
_Noreturn void arch_halt(void);
/* Reset the whole system (PSCI SYSTEM_RESET). Returns only when it cannot:
 * -KEEL_ENODEV without PSCI firmware. */
int arch_system_reset(void);
/* Write raw bytes to the console. */
void arch_console_write(const char *s, unsigned long n);

struct bootinfo;
/* Boot CPU, once the device tree is read: map RAM, bring up the interrupt
 * controller, pick the firmware conduit. 0 or -KEEL_E*. */
int arch_init(const struct bootinfo *bi);
/* Every CPU, on itself: its interrupt controller interface and timer. */
void arch_cpu_local_init(void);
/* "GICv2", "GICv3": what arch_init found. */
const char *arch_irqchip_name(void);
/* Hardware id of the running CPU (MPIDR affinity on AArch64). */
uint64_t arch_cpu_hwid(void);
/* Start logical CPU `cpu` with hardware id `hwid`; it enters smp_secondary_main. */
int arch_cpu_start(unsigned cpu, uint64_t hwid);
/* Name of the CPU start method ("psci", "spin-table"). */
const char *arch_cpu_start_method(void);
/* One-shot EL2 timer: fire timer_expired() on this CPU at counter `deadline`. */
void arch_timer_set(uint64_t deadline);
void arch_timer_stop(void);
void arch_irq_enable(void);
/* Forget every TLB entry of address space `vmid` on all CPUs. */
void arch_space_flush(unsigned vmid);
/* Mask or unmask a device interrupt at the interrupt controller. */
void arch_irq_mask(unsigned intid);
void arch_irq_unmask(unsigned intid);
/* End an active device interrupt that no EOI will end (passthrough). */
void arch_irq_deactivate(unsigned intid);
/* Route device interrupt `intid` to `cpu` and enable it. */
int arch_irq_route(unsigned intid, unsigned cpu);
struct thread;
/* Finish the exit a vCPU was waiting on with the service's reply `msg`
 * (write the register of an MMIO read, step past the instruction). */
void arch_vcpu_exit_complete(struct thread *vcpu, const uint64_t *msg);
/* The service handling a vCPU's exit is gone: an MMIO access is retried
 * (a new exit, to whoever serves the range then), an HVC returns
 * NOT_SUPPORTED. The guest's other registers are untouched. */
void arch_vcpu_exit_abandon(struct thread *vcpu);
/* Its exit went to an endpoint no server will answer (EP_CLOSE): an MMIO
 * access gets an external abort, as where nothing is; an HVC or SMC gets
 * NOT_SUPPORTED in x0. */
void arch_vcpu_exit_fail(struct thread *vcpu);
/* The service answered a vCPU's exit with KEEL_EXIT_REPLY_RETRY: the vCPU
 * makes the access or call again when it next runs (an HVC's or SMC's
 * return address is put back on the instruction; an MMIO access was not
 * stepped over). */
void arch_vcpu_exit_retry(struct thread *vcpu);
struct partition;
/* Arch set-up of a new VM (the GICv2 virtual CPU interface in its space). */
int arch_vm_init(struct partition *vm);
/* A stopped vCPU is about to get a fresh state: no CPU may still take its
 * EL1 registers for loaded, and the interrupts in its list registers go
 * back to its VM's distributor. */
void arch_vcpu_reset(struct thread *vcpu);
/* Untyped reset: memory [base, base + size) is about to hold new objects,
 * and every thread there or in a partition there is stopped and off its
 * CPU. No CPU may keep a pointer into it (FP/SIMD or EL1 owner, address
 * space), nor take a thread of such a partition for the one it runs. */
void arch_memory_reused(uint64_t base, uint64_t size);
/* Memory about to be seen by a guest with its caches off: clean it to the
 * point of coherency, and drop stale instructions. */
void arch_sync_for_guest(uint64_t phys, uint64_t size);
/* Whether guests can be given interrupts (list registers and a GICV frame). */
bool arch_vgic_available(void);
/* Make `cpu` enter the kernel and reschedule (an SGI on AArch64). */
void arch_ipi_send(unsigned cpu);
/* Wait for an interrupt (or a spurious wake-up). */
void arch_wait_for_interrupt(void);
/* With interrupts masked, until one is pending for this CPU (an IPI among
 * them); a guest's virtual interrupts do not end it (the kernel lock's
 * sleep). */
void arch_wait_for_ipi(void);
/* With the kernel lock held: run the next thread on this CPU (never returns). */
_Noreturn void arch_run_next(void);
/* Idle: take interrupts at EL2 until one arrives, then mask them again. */
void arch_idle_wait(void);

#endif
