/* SPDX-License-Identifier: MIT */
#include <keel/arch.h>
#include <keel/irq.h>
#include <keel/kernel.h>
#include <keel/partition.h>
#include <keel/thread.h>
#include <keel/vcpu_irq.h>

void vcpu_kick(struct thread *t)
{
	struct sched_cpu *s = &sched_cpus[t->cpu];

	t->vgic.dirty = true;
	if (t->in_wfi && t->state == KEEL_TS_SLEEPING) {
		t->in_wfi = false;
		sched_remove(s, t);
		thread_wake(t);
	} else if (s->current == t && t->cpu != arch_cpu_id()) {
		/* In its guest on another CPU: it must exit to see the new list registers. */
		arch_ipi_send(t->cpu);
	}
}

static void kick_targets(struct partition *vm, unsigned targets)
{
	struct list *pos;
	for (pos = vm->threads.next; pos != &vm->threads; pos = pos->next) {
		struct thread *t = container_of(pos, struct thread, partition_node);
		if (t->is_vcpu && (targets & (1u << t->vcpu_index)))
			vcpu_kick(t);
	}
}

void vcpu_irq_raise(struct partition *vm, unsigned vcpu, unsigned intid)
{
	vgic_set_line(&vm->vgic, vcpu, intid, true);
	kick_targets(vm, vgic_irq_targets(&vm->vgic, vcpu, intid));
}

void vcpu_irq_lower(struct partition *vm, unsigned vcpu, unsigned intid)
{
	vgic_set_line(&vm->vgic, vcpu, intid, false);
	if (vm->vgic.resync)
		vcpu_irq_dist_changed(vm);
}

void vcpu_irq_dist_changed(struct partition *vm)
{
	struct list *pos;
	unsigned resync = vm->vgic.resync;

	vm->vgic.resync = 0;
	if (vm->vgic.hw_changed)
		irq_pass_sync(vm); /* a passed-through SPI's physical line follows */
	for (pos = vm->threads.next; pos != &vm->threads; pos = pos->next) {
		struct thread *t = container_of(pos, struct thread, partition_node);
		if (!t->is_vcpu)
			continue;
		/* Also one pending again (an SGI sent twice) while a list
		 * register holds it: its guest may have ended it there and be
		 * waiting in its own WFI, and only an exit lists it again. A
		 * vCPU whose list registers hold an interrupt the write changed
		 * must fold them back (vgic_lr_fold) before its guest sees more. */
		if ((resync & (1u << t->vcpu_index)) ||
		    vgic_next_pending(&vm->vgic, t->vcpu_index) != VGIC_NONE ||
		    vgic_pending_behind(&vm->vgic, t->vcpu_index))
			vcpu_kick(t);
	}
}

void vcpu_irq_release(struct thread *t, bool reset)
{
	struct partition *vm = t->partition;
	uint16_t hw[VGIC_SPIS];
	unsigned n = vgic_vcpu_release(&vm->vgic, t->vcpu_index, reset, hw, VGIC_SPIS);

	for (unsigned i = 0; i < n; i++)
		arch_irq_deactivate(hw[i]);
	/* What its list registers still show is stale: folded back, it is
	 * ignored (no longer listed there), and they are filled again. */
	t->vgic.dirty = true;
	if (!reset)                        /* a reset's VM may be going away: nobody to tell */
		vcpu_irq_dist_changed(vm); /* another target may take them now */
}
