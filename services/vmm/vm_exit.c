/* SPDX-License-Identifier: MIT */
/*
 * VM exits that reach vmm: PSCI calls (HVC), the PL011 of VMs whose UART
 * no service emulates, accesses where nothing is, and faults the kernel
 * could not settle.
 *
 * vmm has no budget and runs on CPU 0 above the management VM, so the time
 * it spends on exits is bounded and shared among the VMs (keel/
 * fairshare.h): VMM_EXIT_TOTAL_US of its CPU time in every
 * VMM_EXIT_PERIOD_US (a tenth of CPU 0), a part of it for each VM that made
 * exits lately. An exit of a VM over its part is answered
 * KEEL_EXIT_REPLY_RETRY: its vCPU sleeps until the period in which its use
 * is paid back and then makes the call or access again. So a VM flooding
 * vmm with exits slows only itself; the management VM keeps CPU 0 and the
 * other VMs their parts. The period is long (a flooder's vCPUs wake once
 * per period at most to be told to wait again) and the total generous for
 * what VMs ask of vmm (PSCI calls, the minimal UART of test guests).
 */
#include "guest_fdt.h"
#include "vm.h"
#include "vmm.h"

#include <keel/devctl.h>
#include <keel/fairshare.h>
#include <stdio.h>

#define VMM_EXIT_PERIOD_US 100000
#define VMM_EXIT_TOTAL_US  10000
/* What one exit is charged at most: a PSCI call or a UART byte takes
 * microseconds; more is time vmm lost (a reset of a VM, which reloads its
 * RAM, costs its VM this much, not what it took). */
#define VMM_EXIT_MAX_US    200

static struct fairshare share;
static unsigned long freq;
/* The VM (index + 1, 0: none) whose exit vmm works on, and vmm's CPU time
 * then: an exit costs vmm what it ran from the exit's arrival to the next
 * message's (handling, reply and receive). */
static unsigned charged;
static unsigned long since;

void vms_account(unsigned long cpu)
{
	if (charged)
		fairshare_charge(&share, charged - 1, cpu - since);
	charged = 0;
	since = cpu;
}

void vm_exit_share_forget(unsigned index)
{
	fairshare_forget(&share, index);
}

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
			m->w[1] = 0;
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
	if (kind == KEEL_EXIT_HVC) {
		bool reply = psci_call(v, vcpu_by_id(v, m->w[5]), m);
		m->w[1] = 0; /* it held the guest's x0: never KEEL_EXIT_REPLY_RETRY */
		return reply;
	}
	/* A fault the kernel could not settle: the VM cannot go on. */
	vm_stop_all(v);
	printf("VM %s: stopped (kind %lu, 0x%lx, pc 0x%lx)\n", v->d.name, kind, m->w[1], m->w[2]);
	return false;
}

/* An exit of VM i at t0 over its part: answered "retry later". */
static bool deferred(struct vm *v, unsigned i, struct keel_msg *m, uint64_t t0)
{
	if (!freq) {
		keel_time(NULL, &freq);
		fairshare_init(&share, (uint64_t)freq * VMM_EXIT_PERIOD_US / 1000000,
		               (uint64_t)freq * VMM_EXIT_TOTAL_US / 1000000);
		fairshare_request_max(&share, (uint64_t)freq * VMM_EXIT_MAX_US / 1000000);
	}
	uint64_t until = fairshare_admit(&share, i, t0);
	if (!until)
		return false;
	if (!v->deferred)
		printf("VM %s: over its share of vmm's time: its exits wait (logged once)\n",
		       v->d.name);
	v->deferred = true;
	uint64_t us = fairshare_retry_us(until, t0, freq);
	*m = (struct keel_msg){{0, KEEL_EXIT_REPLY_RETRY,
	                        us < KEEL_EXIT_RETRY_MAX_US ? us : KEEL_EXIT_RETRY_MAX_US}};
	keel_reply(m);
	return true;
}

bool vms_handle(unsigned long badge, struct keel_msg *m, unsigned long now)
{
	if (badge < VM_BADGE || badge >= VM_BADGE + VM_MAX)
		return false;
	unsigned i = (unsigned)(badge - VM_BADGE);
	struct vm *v = vm_at(i);
	/* An exit of a VM destroyed meanwhile cannot arrive: the reset took its
	 * vCPUs out of every queue. */
	if (!v)
		return true;
	/* A call (not a fault): the time until the next message is its. */
	if (m->w[0] == KEEL_EXIT_MMIO || m->w[0] == KEEL_EXIT_HVC) {
		charged = i + 1;
		if (deferred(v, i, m, now))
			return true;
	}
	if (vm_exit(v, m))
		keel_reply(m);
	return true;
}
