/* SPDX-License-Identifier: MIT */
/*
 * System calls on VMs that device models use: raising a guest's interrupt,
 * and claiming an MMIO range so that its exits come straight to the model
 * rather than through vmm.
 */
#include <keel/arch.h>
#include <keel/cap.h>
#include <keel/endpoint.h>
#include <keel/errno.h>
#include <keel/irq.h>
#include <keel/partition.h>
#include <keel/syscall.h>
#include <keel/thread.h>
#include <keel/vcpu_irq.h>

long sys_vm_inject(struct thread *t, const uint64_t *a);
long sys_vm_mmio_route(struct thread *t, const uint64_t *a);
long sys_vm_irq_reset(struct thread *t, const uint64_t *a);

long sys_vm_inject(struct thread *t, const uint64_t *a)
{
	struct cap *c;
	int err = cap_lookup(&t->partition->cspace, a[0], KEEL_OBJ_VM, KEEL_R_WRITE, &c);
	if (err)
		return err;
	struct partition *vm = c->obj;
	uint64_t intid = a[1], vcpu = a[3];
	/* SGIs belong to the guest; PPIs name a vCPU the VM has. */
	if (intid < 16 || intid >= VGIC_IRQS || (intid < VGIC_PRIVATE && vcpu >= vm->vcpu_count))
		return -KEEL_ERANGE;
	/* A passed-through SPI is the hardware's: a list register for it
	 * carries the HW bit, whose EOI must meet an active physical line. */
	if (vgic_irq_hw(&vm->vgic, (unsigned)intid))
		return -KEEL_EPERM;
	if (a[2])
		vcpu_irq_raise(vm, (unsigned)vcpu, (unsigned)intid);
	else
		vcpu_irq_lower(vm, (unsigned)vcpu, (unsigned)intid);
	return 0;
}

static bool overlaps(const struct partition *vm, uint64_t base, uint64_t size)
{
	for (unsigned i = 0; i < VM_MMIO_ROUTES; i++) {
		const struct mmio_route *r = &vm->routes[i];
		if (r->ep && base < r->base + r->size && r->base < base + size)
			return true;
	}
	return false;
}

long sys_vm_mmio_route(struct thread *t, const uint64_t *a)
{
	struct cap *vc, *ec;
	int err = cap_lookup(&t->partition->cspace, a[0], KEEL_OBJ_VM, KEEL_R_CONTROL, &vc);
	if (!err)
		err = cap_lookup(&t->partition->cspace, a[3], KEEL_OBJ_ENDPOINT, KEEL_R_WRITE, &ec);
	if (err)
		return err;
	struct partition *vm = vc->obj;
	uint64_t base = a[1], size = a[2];
	if (a[4] == KEEL_BADGE_SIGNAL)
		return -KEEL_EINVAL; /* a receiver would take it for a signal */
	if (!size || base + size < base || base >> PARTITION_IPA_BITS ||
	    (base + size - 1) >> PARTITION_IPA_BITS)
		return -KEEL_EINVAL;
	if (overlaps(vm, base, size))
		return -KEEL_EEXIST;
	for (unsigned i = 0; i < VM_MMIO_ROUTES; i++) {
		struct mmio_route *r = &vm->routes[i];
		if (!r->ep) {
			*r = (struct mmio_route){base, size, ec->obj, a[4]};
			return 0;
		}
	}
	return -KEEL_ENOMEM;
}

static bool all_vcpus_stopped(struct partition *vm)
{
	struct list *pos;
	for (pos = vm->threads.next; pos != &vm->threads; pos = pos->next) {
		struct thread *th = container_of(pos, struct thread, partition_node);
		if (th->is_vcpu && (th->state != KEEL_TS_INACTIVE || th->on_cpu))
			return false;
	}
	return true;
}

/* A system reset resets the GIC: an SGI the last run sent just before it
 * (Linux stops its other CPUs that way on reboot) must not reach the next
 * run's secondary CPU, which would stop again as soon as it came online. */
long sys_vm_irq_reset(struct thread *t, const uint64_t *a)
{
	struct cap *c;
	int err = cap_lookup(&t->partition->cspace, a[0], KEEL_OBJ_VM, KEEL_R_CONTROL, &c);
	if (err)
		return err;
	struct partition *vm = c->obj;
	if (!all_vcpus_stopped(vm))
		return -KEEL_EBUSY;
	struct list *pos;
	for (pos = vm->threads.next; pos != &vm->threads; pos = pos->next) {
		struct thread *th = container_of(pos, struct thread, partition_node);
		if (th->is_vcpu)
			arch_vcpu_reset(th);
	}
	vgic_dist_reset(&vm->vgic);
	irq_pass_sync(vm); /* passed-through lines: disabled, and ended at the GIC */
	return 0;
}
