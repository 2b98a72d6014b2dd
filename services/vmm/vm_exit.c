/* SPDX-License-Identifier: MIT */
/*
 * VM exits that reach vmm: PSCI calls (HVC), the PL011 of VMs whose UART
 * no service emulates, accesses where nothing is, and faults the kernel
 * could not settle.
 */
#include "guest_fdt.h"
#include "vm.h"
#include "vmm.h"

#include <keel/devctl.h>
#include <stdio.h>

/* ---- exits -------------------------------------------------------------- */

static struct vcpu *vcpu_by_id(struct vm *v, unsigned long id)
{
	for (unsigned i = 0; i < v->d.vcpus; i++)
		if (v->vcpu[i].id && v->vcpu[i].id == id)
			return &v->vcpu[i];
	return NULL;
}

/* Nothing is at the address: an external abort for the guest to handle,
 * or the VM stops, as its description says. Either way it is logged. */
static bool bad_access(struct vm *v, struct keel_msg *m)
{
	const char *dir = m->w[4] ? "write to" : "read of";
	/* A guest looping on a bad access must not drown the console. */
	bool quiet = v->bad_accesses++ >= VM_BAD_ACCESS_LOG_MAX;
	if (v->bad_accesses == VM_BAD_ACCESS_LOG_MAX + 1)
		printf("VM %s: further bad accesses are not logged\n", v->d.name);
	if (v->d.stop_on_bad_access) {
		vm_stop_all(v);
		if (!quiet)
			printf("VM %s: %s 0x%lx where nothing is: VM stopped\n", v->d.name, dir,
			       m->w[1]);
		return false;
	}
	if (!quiet)
		printf("VM %s: %s 0x%lx where nothing is: external abort injected\n", v->d.name,
		       dir, m->w[1]);
	m->w[0] = 0;
	m->w[1] = KEEL_EXIT_REPLY_ABORT;
	return true;
}

/* Returns whether to reply (a vCPU turned off is stopped instead). */
static bool vm_exit(struct vm *v, struct keel_msg *m)
{
	unsigned long kind = m->w[0];
	if (kind == KEEL_EXIT_MMIO) {
		unsigned long ipa = m->w[1];
		if (ipa - GUEST_UART_BASE < GUEST_UART_SIZE) {
			vuart_access(v, m);
			return true;
		}
		/* Its tree lists virtio devices, but their service refused or
		 * is gone: each slot reads as an empty transport (magic 0), which
		 * the guest's driver passes over, instead of an abort. */
		if (v->d.virtio && ipa - KEEL_VIRTIO_BASE < KEEL_VIRTIO_PAGE) {
			m->w[0] = m->w[1] = 0;
			return true;
		}
		return bad_access(v, m);
	}
	if (kind == KEEL_EXIT_HVC)
		return psci_call(v, vcpu_by_id(v, m->w[5]), m);
	/* A fault the kernel could not settle: the VM cannot go on. */
	vm_stop_all(v);
	printf("VM %s: stopped (kind %lu, 0x%lx, pc 0x%lx)\n", v->d.name, kind, m->w[1], m->w[2]);
	return false;
}

bool vms_handle(unsigned long badge, struct keel_msg *m)
{
	if (badge < VM_BADGE || badge >= VM_BADGE + VM_MAX)
		return false;
	struct vm *v = vm_at((unsigned)(badge - VM_BADGE));
	/* An exit of a VM destroyed meanwhile cannot arrive: the reset took its
	 * vCPUs out of every queue. */
	if (v && vm_exit(v, m))
		keel_reply(m);
	return true;
}
