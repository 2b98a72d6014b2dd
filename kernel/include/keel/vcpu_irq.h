/* SPDX-License-Identifier: MIT */
/*
 * Virtual interrupts on their way to vCPUs: the distributor's state changes
 * here, and every vCPU that may take the interrupt hears of it at once:
 * woken from WFI, or interrupted on its CPU so that the list registers are
 * refilled on the way back in. No service is on this path.
 */
#ifndef KEEL_VCPU_IRQ_H
#define KEEL_VCPU_IRQ_H

#include <stdbool.h>

struct partition;
struct thread;

/* A device, the virtual timer or vmm raises interrupt `intid` of VM `vm`
 * (for SGIs and PPIs: of vCPU `vcpu`). */
void vcpu_irq_raise(struct partition *vm, unsigned vcpu, unsigned intid);
void vcpu_irq_lower(struct partition *vm, unsigned vcpu, unsigned intid);
/* The guest changed its distributor: wake whoever now has something. */
void vcpu_irq_dist_changed(struct partition *vm);
/* vCPU t stops (reset: and is reset): the SPIs it was given go back to
 * its VM's distributor, for another vCPU to take, and those it had taken
 * are ended (passed-through lines deactivated), since it will not end
 * them. With `reset`, its own SGIs and PPIs too. */
void vcpu_irq_release(struct thread *t, bool reset);
/* t may have a new interrupt to take. */
void vcpu_kick(struct thread *t);

#endif
