/* SPDX-License-Identifier: MIT */
/*
 * System calls that give a physical device to a partition or a VM: a
 * device frame of its MMIO (DEVICE_FRAME) and its interrupt passed straight
 * to a guest (VM_IRQ_PASS). Both need the root's platform authority, the
 * IRQ control capability (directly, or through the handler it made).
 */
#include <arch/pgtable.h>
#include <keel/cap.h>
#include <keel/devmem.h>
#include <keel/errno.h>
#include <keel/frame.h>
#include <keel/irq.h>
#include <keel/partition.h>
#include <keel/syscall.h>
#include <keel/thread.h>
#include <keel/untyped.h>

long sys_device_frame(struct thread *t, const uint64_t *a);
long sys_vm_irq_pass(struct thread *t, const uint64_t *a);

/* A device frame is never executable: its capability lacks the right. */
#define DEVICE_FRAME_RIGHTS (KEEL_R_ALL & ~KEEL_R_EXEC)

long sys_device_frame(struct thread *t, const uint64_t *a)
{
	struct cspace *cs = &t->partition->cspace;
	struct cap *uc, *ctl;
	struct partition *dst;
	int err = cap_lookup(cs, a[0], KEEL_OBJ_UNTYPED, KEEL_R_CONTROL, &uc);
	if (!err)
		err = cap_lookup(cs, a[1], KEEL_OBJ_IRQ_CONTROL, KEEL_R_CONTROL, &ctl);
	if (!err)
		err = syscall_target_partition(t, a[4], KEEL_R_WRITE, &dst);
	if (err)
		return err;
	if (a[5] == 0 || a[5] >= KEEL_CSPACE_SLOTS)
		return -KEEL_ENOCAP;
	if (dst->cspace.slots[a[5]].type != KEEL_OBJ_NONE)
		return -KEEL_EEXIST;
	err = devmem_check(a[2], a[3]);
	if (err)
		return err;
	struct frame *f = (struct frame *)(uintptr_t)untyped_alloc(uc->obj, sizeof(*f), 64);
	if (!f)
		return -KEEL_ENOMEM;
	frame_init(f, kobj_next_id(), a[2], a[3], true);
	devmem_add(f);
	cap_install(&dst->cspace, a[5], KEEL_OBJ_FRAME, f, DEVICE_FRAME_RIGHTS, 0);
	dst->cspace.slots[a[5]].parent = uc;
	return 0;
}

long sys_vm_irq_pass(struct thread *t, const uint64_t *a)
{
	struct cspace *cs = &t->partition->cspace;
	struct cap *vc, *hc;
	int err = cap_lookup(cs, a[0], KEEL_OBJ_VM, KEEL_R_CONTROL, &vc);
	if (!err)
		err = cap_lookup(cs, a[1], KEEL_OBJ_IRQ_HANDLER, KEEL_R_CONTROL, &hc);
	if (err)
		return err;
	struct partition *vm = vc->obj;
	if (!vm->alive)
		return -KEEL_ESRCH;
	return irq_pass_bind(hc->obj, vm, (unsigned)a[2]);
}
