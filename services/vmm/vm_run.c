/* SPDX-License-Identifier: MIT */
/*
 * Power states of a VM: created -> running <-> paused, running -> stopped
 * (PSCI SYSTEM_OFF, `keelctl stop`, a fault the kernel could not settle),
 * stopped -> running (a fresh boot from the bundle files, as a reset).
 * Pausing stops the vCPUs that are on and remembers them; a vCPU caught
 * in the middle of an exit gives it up and repeats the access when it
 * resumes, so nothing the guest did is lost or done twice.
 */
#include "vm.h"

#include <keel/service.h>
#include <stdio.h>

const char *vm_state_name(enum vm_state s)
{
	switch (s) {
	case VM_CREATED: return "created";
	case VM_RUNNING: return "running";
	case VM_PAUSED: return "paused";
	default: return "stopped";
	}
}

long vm_vcpu_start(struct vm *v, unsigned index, unsigned long entry, unsigned long arg)
{
	struct vcpu *c = &v->vcpu[index];
	long err = keel_thread_config(c->slot, v->slot, entry, 0, arg);
	/* Just stopped on another CPU that has not left it yet: a moment. */
	for (int tries = 0; err == -KEEL_EBUSY && tries < 1000; tries++) {
		keel_yield();
		err = keel_thread_config(c->slot, v->slot, entry, 0, arg);
	}
	if (!err)
		err = keel_thread_start(c->slot);
	c->on = !err;
	c->paused = false;
	if (!err)
		v->state = VM_RUNNING;
	return err;
}

void vm_stop_all(struct vm *v)
{
	for (unsigned i = 0; i < v->d.vcpus; i++) {
		keel_thread_stop(v->vcpu[i].slot);
		v->vcpu[i].on = false;
		v->vcpu[i].paused = false;
	}
	if (v->state != VM_CREATED)
		v->state = VM_STOPPED;
}

/* Its virtual GIC as at power-on, once every vCPU has left its CPU. */
static long irq_reset(struct vm *v)
{
	long err = keel_vm_irq_reset(v->slot);
	for (int tries = 0; err == -KEEL_EBUSY && tries < 1000; tries++) {
		keel_yield();
		err = keel_vm_irq_reset(v->slot);
	}
	return err;
}

/* Stop, reset the virtual GIC, reload RAM from the bundle files, boot
 * vCPU 0 again: a system reset, after which nothing of the last run is
 * pending (the SGIs with which Linux stops its other CPUs on reboot would
 * stop the next run's secondaries as they come online). */
long vm_reset(struct vm *v)
{
	vm_stop_all(v);
	v->line_len = 0;
	long err = irq_reset(v);
	if (!err)
		err = vm_virtio_reset(v);
	if (!err)
		err = vm_ram_reload(v);
	return err ? err : vm_vcpu_start(v, 0, v->entry, v->arg);
}

long vm_start(struct vm *v)
{
	if (v->state == VM_CREATED)
		return vm_vcpu_start(v, 0, v->entry, v->arg);
	if (v->state == VM_STOPPED)
		return vm_reset(v);
	return -KEEL_EEXIST; /* running or paused already */
}

long vm_pause(struct vm *v)
{
	if (v->state != VM_RUNNING)
		return -KEEL_EINVAL;
	for (unsigned i = 0; i < v->d.vcpus; i++) {
		struct vcpu *c = &v->vcpu[i];
		if (c->on && !keel_thread_stop(c->slot))
			c->paused = true;
	}
	v->state = VM_PAUSED;
	return 0;
}

long vm_resume(struct vm *v)
{
	long err = 0;
	if (v->state != VM_PAUSED)
		return -KEEL_EINVAL;
	for (unsigned i = 0; i < v->d.vcpus; i++) {
		struct vcpu *c = &v->vcpu[i];
		long e = c->paused ? keel_thread_start(c->slot) : 0;
		c->paused = false;
		err = err ? err : e;
	}
	v->state = VM_RUNNING;
	return err;
}
