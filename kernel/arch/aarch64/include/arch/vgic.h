/* SPDX-License-Identifier: MIT */
/*
 * The hardware side of interrupt virtualisation on GICv2: list registers
 * (GICH) filled from the VM's virtual distributor, the GICV frame mapped at
 * the guest's GICC address, and the virtual timer's physical interrupt
 * turned into the guest's PPI 27. Nothing here waits for a service.
 */
#ifndef KEEL_ARCH_VGIC_H
#define KEEL_ARCH_VGIC_H

#include <stdbool.h>

struct thread;
struct partition;

/* The guest's GICC frame, where QEMU virt has it (the guest device tree
 * that vmm generates says the same). */
#define VGIC_GUEST_GICC 0x08010000ull
#define VGIC_GICV_SIZE  0x2000ull

/* Find the GICH/GICV frames (after gic_init); false if there are none. */
bool vgic_hw_init(void);
/* Per CPU: let the maintenance and virtual timer interrupts in. */
void vgic_hw_init_cpu(void);
/* A vCPU takes or leaves the CPU's virtual interface. */
void vgic_cpu_load(struct thread *t);
void vgic_cpu_save(struct thread *t);
/* A stopped vCPU is reset: what its list registers held is ended. */
void vgic_cpu_release(struct thread *t);
/* Before a trapped GICD access: every list register of the running vCPU
 * back into the distributor, so the guest reads and changes the truth. */
void vgic_fold(struct thread *t);
/* Before returning to the running vCPU: retire the interrupts its guest
 * ended, and give it what the distributor has pending for it. */
void vgic_flush(struct thread *t);
/* Whether the running vCPU has an interrupt to take (WFI would wake). */
bool vgic_cpu_pending(struct thread *t);
/* Whether an interrupt waits for one of t's list registers to be ended
 * (raised again while there, or a level line still high): nothing but an
 * exit after the guest's end of it delivers it, since no maintenance
 * interrupt is asked for then (after vgic_flush). */
bool vgic_cpu_blocked(const struct thread *t);
/* Before a WFI at EL2: the vCPU whose state the CPU keeps loaded (its
 * el1_owner) stops signalling its virtual interrupts. They start again
 * when a vCPU next enters its guest here (under the kernel lock). */
void vgic_cpu_mute(void);
void vgic_cpu_unmute(struct thread *t);
void vgic_maintenance_irq(void);
/* The physical PPI 27 fired: true if it now belongs to the loaded vCPU's
 * virtual timer interrupt and must stay active (the guest's end of it
 * deactivates it). */
bool vtimer_irq(void);
/* If the loaded virtual timer's condition is met (its line high) and the
 * physical PPI is not taken yet: take it (active) and raise PPI 27 for t,
 * whose EL1 state is loaded. vtimer_irq does it
 * when the physical PPI 27 arrives; vcpu_enter, for a vCPU back from its
 * WFI sleep, so that the guest does not trap for it right after the eret. */
void vtimer_sync(struct thread *t);

#endif
