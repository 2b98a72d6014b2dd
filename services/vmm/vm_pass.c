/* SPDX-License-Identifier: MIT */
/*
 * Giving a VM its passthrough devices (passthrough.c reads them): for each,
 * a device frame of its MMIO mapped at the same address in the VM, and its
 * interrupt line passed to the VM (VM_IRQ_PASS), so the kernel injects it
 * with no service on the path. The frame's header is carved from the VM's
 * memory block, so destroying the VM (its reset) takes the mappings down
 * and frees the range for a later VM. Interrupt lines stay claimed by vmm
 * (the kernel never unclaims one); the reset unbinds them from the VM, and
 * vmm gives the same handler to the next VM that names the line.
 */
#include "vm.h"
#include "vmm.h"

#include <keel/service.h>
#include <stdio.h>

#define PASS_LINES 16
#define SPI_BASE   32

/* Lines vmm claimed for passthrough: the handler, and the VM holding it. */
static struct pass_line {
	unsigned intid;
	unsigned long slot;
	const struct vm *vm;
} lines[PASS_LINES];

static struct pass_line *line_for(unsigned intid, long *err)
{
	struct pass_line *free_line = NULL;
	*err = 0;
	for (unsigned i = 0; i < PASS_LINES; i++) {
		if (lines[i].slot && lines[i].intid == intid)
			return &lines[i];
		if (!lines[i].slot && !free_line)
			free_line = &lines[i];
	}
	unsigned long slot = free_line ? slot_alloc() : 0;
	*err = slot ? keel_irq_claim(KEEL_ROOT_SLOT_IRQ_CTL, intid, slot) : -KEEL_ENOMEM;
	if (*err) {
		slot_free(slot);
		return NULL;
	}
	*free_line = (struct pass_line){intid, slot, NULL};
	return free_line;
}

/* The VM that has a device overlapping p, for the message; NULL if none. */
static const struct vm *holder(const struct vm *self, const struct vm_pass *p)
{
	for (unsigned i = 0; i < VM_MAX; i++) {
		const struct vm *o = vm_at(i);
		for (unsigned j = 0; o && o != self && j < o->d.npass; j++) {
			const struct vm_pass *q = &o->d.pass[j];
			if (q->present && p->base < q->base + q->size &&
			    q->base < p->base + p->size)
				return o;
		}
	}
	return NULL;
}

static void report(const struct vm *v, const struct vm_pass *p, long err)
{
	const struct vm *o = holder(v, p);
	printf("VM %s: passthrough %s (0x%lx): ", v->d.name, p->name, p->base);
	if (err == -KEEL_ENODEV)
		printf("not present on this board (ENODEV): left out\n");
	else if (err == -KEEL_EBUSY && o)
		printf("the device is VM %s's (EBUSY)\n", o->d.name);
	else if (err == -KEEL_EBUSY)
		printf("the device or its interrupt is in use (EBUSY)\n");
	else
		printf("refused: %s\n", keel_strerror(err));
}

static long pass_irq(struct vm *v, const struct vm_pass *p)
{
	long err;
	if (p->spi < 0)
		return 0;
	struct pass_line *l = line_for(SPI_BASE + (unsigned)p->spi, &err);
	if (!err && l->vm)
		err = -KEEL_EBUSY;
	if (!err)
		err = keel_vm_irq_pass(v->slot, l->slot, SPI_BASE + (unsigned long)p->spi);
	if (!err)
		l->vm = v;
	return err;
}

/* The frame's capability is not kept: the VM's mapping is what counts,
 * and the VM's reset finds the frame by its header. */
static long pass_one(struct vm *v, struct vm_pass *p)
{
	long err = keel_device_frame(v->mem->slot, KEEL_ROOT_SLOT_IRQ_CTL, p->base, p->size, 0,
	                             VMM_SLOT_TEMP);
	if (err)
		return err;
	err = keel_frame_map(VMM_SLOT_TEMP, v->slot, p->base, KEEL_R_READ | KEEL_R_WRITE);
	if (!err) {
		err = pass_irq(v, p);
		if (err)
			keel_frame_unmap(VMM_SLOT_TEMP, v->slot, p->base);
	}
	keel_cap_delete(VMM_SLOT_TEMP);
	return err;
}

long vm_pass_attach(struct vm *v)
{
	for (unsigned i = 0; i < v->d.npass; i++) {
		struct vm_pass *p = &v->d.pass[i];
		long err = pass_one(v, p);
		p->present = !err;
		if (err)
			report(v, p, err);
		/* A board without the device still runs the VM, without it. */
		if (err && err != -KEEL_ENODEV)
			return err;
	}
	return 0;
}

void vm_pass_detach(const struct vm *v)
{
	for (unsigned i = 0; i < PASS_LINES; i++)
		if (lines[i].vm == v)
			lines[i].vm = NULL;
}
