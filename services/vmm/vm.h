/* SPDX-License-Identifier: MIT */
/* A VM as vmm keeps it: shared by vm*.c, psci.c, vuart.c and mgmt.c. */
#ifndef VM_H
#define VM_H

#include "linux_image.h"
#include "memory.h"
#include "vmdesc.h"

#include <keel/sys.h>
#include <stdbool.h>

struct vcpu {
	unsigned long slot; /* capability in vmm's cspace */
	unsigned long id;   /* kernel object id: exit messages carry it in w5 */
	bool on;            /* PSCI state: started and not turned off */
	bool paused;        /* on, but held stopped by `keelctl pause` */
};

#define VM_BAD_ACCESS_LOG_MAX 16

enum vm_state {
	VM_CREATED, /* built, never started */
	VM_RUNNING,
	VM_PAUSED,
	VM_STOPPED, /* powered off (PSCI SYSTEM_OFF, `keelctl stop`, a fatal exit) */
};

struct vm {
	bool used;
	unsigned id;      /* for keelctl; never reused */
	struct vm_desc d; /* strings point into `blob` or the system tree */
	void *blob;       /* the created VM's description, owned; NULL at boot */
	enum vm_state state;
	struct mem_block *mem;      /* everything below is carved from it */
	unsigned long slot;         /* the VM object */
	unsigned long ram_slot;     /* its RAM frame, kept to reload it on reset */
	unsigned long entry, arg;   /* vCPU 0's first PC and x0 */
	const void *image, *initrd; /* bundle files, kept for a reset */
	size_t image_size;
	struct linux_layout layout; /* Linux VMs */
	struct vcpu vcpu[VMDESC_MAX_VCPUS];
	unsigned long console_slot;          /* devemu's copy of the VM capability, or 0 */
	unsigned long virtio_ram, virtio_vm; /* the virtio service's copies, or 0 */
	/* The guest's UART output, printed a line at a time as "NAME: line";
	 * with a 15-character name that still fits one kernel log line (119). */
	char line[100];
	size_t line_len;
	unsigned bad_accesses; /* to nothing; the first VM_BAD_ACCESS_LOG_MAX are logged */
	bool deferred;         /* an exit was over its share of vmm's time (logged once) */
};

/* vm.c: building and destroying */
#define VM_MAX 8
struct vm *vm_at(unsigned i); /* NULL when slot i holds no VM */
struct vm *vm_by_name(const char *name);
/* Builds the VM described at `node` of `fdt` (vCPUs stopped, state
 * VM_CREATED); `blob` (may be NULL) is owned by the VM from then on. */
long vm_create(const void *fdt, int node, void *blob, struct vm **out, char *err, size_t size);
/* Stops the VM and gives its memory back; its capabilities are revoked in
 * every partition. -KEEL_EBUSY: its virtio service did not let go of it
 * (a disk request still in flight): stopped, kept, try again. */
long vm_destroy(struct vm *v);
/* Its routes: the console's service, and the mailbox for the MVM. */
void vm_connect(struct vm *v);
/* Loads the bundle files into RAM again (a reset or a fresh start). */
long vm_ram_reload(struct vm *v);

/* vm_pass.c: the passthrough devices of v->d, before its RAM is loaded
 * (the guest's tree lists those present); detach when it is destroyed. */
long vm_pass_attach(struct vm *v);
void vm_pass_detach(const struct vm *v);

/* vm_run.c: power states */
const char *vm_state_name(enum vm_state s);
long vm_start(struct vm *v);
long vm_pause(struct vm *v);
long vm_resume(struct vm *v);
void vm_stop_all(struct vm *v);
long vm_reset(struct vm *v);
/* vCPU 0 of a built VM, or the one PSCI CPU_ON names: configure and start. */
long vm_vcpu_start(struct vm *v, unsigned index, unsigned long entry, unsigned long arg);
/* Routes the PL011 page to its service and tells that service (vm_console.c). */
void vm_console_attach(struct vm *v);
void vm_console_detach(struct vm *v);
long vm_console_focus(const struct vm *v);
/* vmm's copy of the endpoint `name`, badged KEEL_DEVCTL_BADGE. */
unsigned long devctl_endpoint(const char *name);

/* vm_virtio.c: its virtio devices (`virtio-endpoint`), like the console. */
void vm_virtio_attach(struct vm *v);
long vm_virtio_detach(struct vm *v);
/* Before its RAM is reloaded: the devices reset, nothing in flight. */
long vm_virtio_reset(struct vm *v);

/* psci.c: an HVC exit of `self` (NULL if unknown). Returns whether to reply:
 * a vCPU turned off is stopped instead. */
bool psci_call(struct vm *v, struct vcpu *self, struct keel_msg *m);

/* vm_exit.c: VM slot `index` holds a new VM: it starts with no debt of
 * vmm's time. */
void vm_exit_share_forget(unsigned index);

/* vuart.c: an MMIO exit in the PL011's page; m->w[0] becomes the value read. */
void vuart_access(struct vm *v, struct keel_msg *m);

#endif
