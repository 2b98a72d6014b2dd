/* SPDX-License-Identifier: MIT */
#ifndef VMM_H
#define VMM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* vmm's own capability slots beyond the initial ones (keel_abi.h). */
#define VMM_SLOT_FAULT_EP  8
#define VMM_SLOT_TEMP      9  /* a frame while it is being filled */
#define VMM_SLOT_FIRST_DYN 10 /* partitions, threads, endpoints, ... */

/* Where vmm maps a frame in its own space to fill it: above the 4 GiB that
 * services use, room for the largest frame (4 GiB, a guest's RAM). */
#define VMM_SCRATCH_VA   0x100000000ul
#define VMM_SCRATCH_SIZE 0x100000000ul
/* Where a service finds the device frame it was given ("uart"). */
#define SERVICE_MMIO_VA  0x30000000ul
/* Where shared frames ("shm:" in the config) appear, 1 MiB apart. */
#define SERVICE_SHM_VA   0x31000000ul
/* First slot of a child that receives the capabilities of its config. */
#define CHILD_FIRST_SLOT 8
#define CHILD_MAX_ARGS   24
#define SERVICE_MAX      16

struct service_config {
	const char *node; /* path in the system tree, for messages */
	const char *name;
	const char *image;
	unsigned prio, cpu;
	unsigned long budget_us, period_us, heap_kib;
	const char *caps; /* NUL-separated list of strings */
	int caps_len;
	const char *args;
	int args_len;
};

#define SERVICE_MAX_SERVED 4

struct service {
	char name[16];
	unsigned long partition_slot, thread_slot;
	unsigned long next_child_slot; /* first free slot in its cspace */
	unsigned cpu, prio;
	int faults;
	char served[SERVICE_MAX_SERVED][24]; /* endpoints it receives on ("ep:NAME:r") */
};

/* main.c: the services started, by index (badge - 1); NULL past the end. */
struct service *service_at(unsigned i);
/* The service that receives on endpoint NAME, or NULL. */
struct service *service_serving(const char *ep_name);
/* loader.c: copy capability `src` into the service's next free slot. */
long service_give(struct service *s, unsigned long src, unsigned long rights,
                  unsigned long *child_slot);

/* config.c: read the services of the system tree; prints a message that
 * names the node and property for every error. Returns the count, or -1. */
int config_read_services(const void *fdt, struct service_config *out, int max);

/* loader.c: build a partition running `image` per `cfg`. 0 or a Keel error. */
long service_start(const struct service_config *cfg, const void *image, size_t size,
                   unsigned long badge, struct service *out);

/* Slots in vmm's own cspace; 0 when none is left. slot_free only forgets
 * the number: the capability in it must be gone already. */
unsigned long slot_alloc(void);
void slot_free(unsigned long slot);
/* A static AArch64 executable whose program headers lie inside it. */
#include <elf.h>
long elf_check(const void *image, size_t size, const Elf64_Ehdr **out);
/* Fills a frame through vmm's scratch mapping: 0 or a Keel error. */
typedef long (*frame_fill_fn)(void *mem, void *ctx);
long frame_fill(unsigned long frame, unsigned long size, frame_fill_fn fill, void *ctx);
/* A new frame filled through vmm's scratch mapping, mapped into `part`. */
long child_frame(unsigned long part, unsigned long va, unsigned long size, unsigned long rights,
                 frame_fill_fn fill, void *ctx);
/* vmm's slot of the endpoint that services know as NAME ("ep:NAME:..."), or 0. */
unsigned long named_endpoint_slot(const char *name);

/* vm.c: the VMs of /vms; their exits carry badges from VM_BADGE on.
 * vms_create builds them with vCPUs stopped (before the services, which may
 * name them), vms_start starts them (after). */
#define VM_BADGE       0x100ul
/* Exits of the management VM's mailbox page (mgmt.c): the route with this
 * badge is the management VM's capability to vmm. */
#define VMM_MGMT_BADGE 0x200ul
int vms_create(const void *fdt, const void *(*file)(const char *name, size_t *size),
               unsigned long service_cpus);
void vms_start(void);
/* vmm's slot of VM NAME, or 0. */
unsigned long vm_cap_slot(const char *name);
/* Settle one exit; false if the badge is not a VM's. */
struct keel_msg;
bool vms_handle(unsigned long badge, struct keel_msg *m);

/* mgmt.c: an access to the management mailbox; replies itself. */
void mgmt_access(struct keel_msg *m);

#endif
