/* SPDX-License-Identifier: MIT */
/* A VM as vmm keeps it: shared by vm.c, psci.c and vuart.c. */
#ifndef VM_H
#define VM_H

#include "linux_image.h"
#include "vmdesc.h"

#include <keel/sys.h>
#include <stdbool.h>

struct vcpu {
	unsigned long slot; /* capability in vmm's cspace */
	unsigned long id;   /* kernel object id: exit messages carry it in w5 */
	bool on;            /* PSCI state: started and not turned off */
};

#define VM_BAD_ACCESS_LOG_MAX 16

struct vm {
	struct vm_desc d;
	unsigned long slot;         /* the VM object */
	unsigned long ram_slot;     /* its RAM frame, kept to reload it on reset */
	unsigned long entry, arg;   /* vCPU 0's first PC and x0 */
	const void *image, *initrd; /* bundle files, kept for a reset */
	size_t image_size;
	struct linux_layout layout; /* Linux VMs */
	struct vcpu vcpu[VMDESC_MAX_VCPUS];
	/* The guest's UART output, printed a line at a time as "NAME: line";
	 * with a 15-character name that still fits one kernel log line (119). */
	char line[100];
	size_t line_len;
	unsigned bad_accesses; /* to nothing; the first VM_BAD_ACCESS_LOG_MAX are logged */
	bool running;
};

/* vm.c */
void vm_stop_all(struct vm *v);
long vm_reset(struct vm *v);
/* vCPU 0 of a built VM, or the one PSCI CPU_ON names: configure and start. */
long vm_vcpu_start(struct vm *v, unsigned index, unsigned long entry, unsigned long arg);

/* psci.c: an HVC exit of `self` (NULL if unknown). Returns whether to reply:
 * a vCPU turned off is stopped instead. */
bool psci_call(struct vm *v, struct vcpu *self, struct keel_msg *m);

/* vuart.c: an MMIO exit in the PL011's page; m->w[0] becomes the value read. */
void vuart_access(struct vm *v, struct keel_msg *m);

#endif
