/* SPDX-License-Identifier: MIT */
/*
 * Passthrough of a physical SPI to a VM, with no service on the path
 * (docs/guests.md, "Passthrough"). The line fires at EL2 on the CPU of the
 * vCPU the guest targets; the kernel raises the guest's SPI and only drops
 * the priority of the physical one, which stays active. The guest's SPI
 * goes into a list register with the HW bit and the physical INTID, so the
 * guest's EOI deactivates the physical interrupt itself: the device cannot
 * interrupt again before its guest has handled it, and no exit is needed
 * to say so. The guest's enable and targets of the SPI are mirrored on the
 * physical line, so a guest that disables it does not get it.
 */
#include <keel/arch.h>
#include <keel/errno.h>
#include <keel/irq.h>
#include <keel/partition.h>
#include <keel/thread.h>
#include <keel/vcpu_irq.h>

int irq_pass_bind(struct irq_handler *h, struct partition *vm, unsigned vintid)
{
	if (!arch_vgic_available())
		return -KEEL_ENODEV;
	if (vintid < VGIC_PRIVATE || vintid >= VGIC_IRQS)
		return -KEEL_ERANGE;
	struct vgic_irq *irq = &vm->vgic.spi[vintid - VGIC_PRIVATE];
	if (h->ntfn || h->vm || irq->hw_intid)
		return -KEEL_EBUSY;
	/* Masked until the guest enables its SPI (a fresh one is disabled). */
	arch_irq_mask(h->intid);
	h->vm = vm;
	h->vintid = (uint16_t)vintid;
	h->pcpu = -1;
	h->penabled = false;
	irq->hw_intid = (uint16_t)h->intid;
	vm->vgic.hw_changed = true;
	irq_pass_sync(vm);
	return 0;
}

void irq_pass_unbind(struct irq_handler *h)
{
	arch_irq_mask(h->intid);
	/* Taken and never ended by the guest: it would block the line for good. */
	arch_irq_deactivate(h->intid);
	h->vm = NULL;
	h->pcpu = -1;
	h->penabled = false;
}

bool irq_pass_dispatch(struct irq_handler *h)
{
	if (!h->vm->alive) { /* PARTITION_DESTROY: nobody will end it */
		irq_pass_unbind(h);
		return false;
	}
	vcpu_irq_raise(h->vm, 0, h->vintid);
	return true;
}

/* The physical CPU of the first vCPU in `targets`, or -1. */
static int target_cpu(const struct partition *vm, unsigned targets)
{
	for (const struct list *l = vm->threads.next; l != &vm->threads; l = l->next) {
		const struct thread *t = container_of(l, struct thread, partition_node);
		if (t->is_vcpu && targets && t->vcpu_index == (unsigned)__builtin_ctz(targets))
			return t->cpu;
	}
	return -1;
}

static void sync_line(const struct partition *vm, struct irq_handler *h, const struct vgic_irq *irq)
{
	int cpu = target_cpu(vm, irq->targets);
	bool on = irq->enabled && cpu >= 0;

	if (on && cpu != h->pcpu && !arch_irq_route(h->intid, (unsigned)cpu)) {
		h->pcpu = (int16_t)cpu; /* routing enables it too */
		h->penabled = true;
	} else if (on != h->penabled) {
		if (on)
			arch_irq_unmask(h->intid);
		else
			arch_irq_mask(h->intid);
		h->penabled = on;
	}
}

/* The guest cleared its SPI (ICPENDR, ICACTIVER) before ending it through
 * a list register: nothing else would deactivate the physical line, and a
 * device that still asserts it must interrupt again. Deactivating a line
 * that is not active changes nothing. */
static void release_if_cleared(const struct partition *vm, const struct irq_handler *h,
                               unsigned vintid)
{
	const struct vgic_dist *d = &vm->vgic;
	unsigned v = 0; /* SPIs are not banked: any vCPU's view is the VM's */

	if (!vgic_irq_listed(d, v, vintid) && !vgic_irq_pending(d, v, vintid) &&
	    !vgic_irq_active(d, v, vintid))
		arch_irq_deactivate(h->intid);
}

void irq_pass_sync(struct partition *vm)
{
	vm->vgic.hw_changed = false;
	for (unsigned i = 0; i < VGIC_SPIS; i++) {
		const struct vgic_irq *irq = &vm->vgic.spi[i];
		struct irq_handler *h = irq->hw_intid ? irq_handler_at(irq->hw_intid) : NULL;
		if (h && h->vm == vm) {
			sync_line(vm, h, irq);
			release_if_cleared(vm, h, VGIC_PRIVATE + i);
		}
	}
}
