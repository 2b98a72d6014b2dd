/* SPDX-License-Identifier: MIT */
#ifndef VMM_H
#define VMM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct mem_block;

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
	const char *live_ntfn; /* live-update = "NTFN": swappable, sleeps on NTFN */
	unsigned long restart_limit, restart_window_s, restart_backoff_ms; /* restart.c */
};

#define SERVICE_MAX_SERVED 4
#define PLAN_CAPS          48
#define PLAN_MAPS          12

/* What every instance of a service is built with, so that a successor
 * (a live swap) gets the same capabilities in the same slots, the same
 * mappings and the same argv as the instance it replaces. */
struct plan_cap {
	unsigned long child_slot, src, rights, badge; /* badge 0: copy, else mint */
	bool park;                                    /* src: park[gen % 2] instead */
};
struct plan_map {
	unsigned long frame, va, rights; /* frame: vmm's slot */
};
struct plan {
	struct plan_cap caps[PLAN_CAPS];
	struct plan_map maps[PLAN_MAPS];
	unsigned ncaps, nmaps;
	unsigned long next_slot, shm_used;
	/* Slots given back (a VM's copies, taken back when it goes): reused
	 * first, so VMs coming and going do not use up the child's cspace. */
	unsigned long free_slot[16];
	unsigned nfree;
	unsigned long mmio_used; /* bytes of the MMIO window after the UART's page */
	int argc;                /* argv[0] is the name */
	char argv[CHILD_MAX_ARGS][64];
};

/* One running (or starting) partition of a service. */
struct instance {
	unsigned long partition_slot, thread_slot;
	struct mem_block *block; /* everything of the instance is carved from it */
	const struct svc_image *image;
	uint32_t gen;
};

struct svc_image; /* swap.c: a service image vmm keeps */

struct service {
	char name[16];
	const struct service_config *cfg;
	struct instance cur, next; /* next: the successor during a swap */
	struct plan plan;
	unsigned cpu, prio;
	int faults;
	bool stopped;                        /* its running instance faulted or exited */
	char served[SERVICE_MAX_SERVED][24]; /* endpoints it receives on ("ep:NAME:r") */
	/* Live update (keel/lifecycle.h): vmm's slots of its lifecycle page,
	 * park notifications; where the coordinator has its page and its own
	 * notification (the coordinator's coord_park: the park notifications);
	 * the image to go back to. */
	bool live;
	unsigned long lu_page, park[2], page_va;
	unsigned long coord_main, coord_park[2], coord_page_va;
	const struct svc_image *prev;
	uint32_t last_gen; /* the highest generation built so far */
	/* Restarts after a crash (restart.c): where the service has its
	 * checkpoints, the count since boot, and the restarts in the current
	 * window (which started at window_start, a counter value). */
	unsigned long ckpt_va;
	unsigned restarts;
	unsigned long window_start;
	unsigned window_restarts;
	bool given_up; /* down for good: exited, or not restarted (restart.c) */
};

/* How an instance starts: the first of its service, a successor that takes
 * the running one's state in a swap, or after a crash from its checkpoint. */
enum instance_role { ROLE_FIRST, ROLE_SUCCESSOR, ROLE_RESTART };
struct instance_start_args {
	enum instance_role role;
	unsigned restart;       /* ROLE_RESTART: the count */
	unsigned long delay_us; /* ROLE_RESTART: its back-off */
};

/* main.c: the services started, by index (badge - 1); NULL past the end. */
struct service *service_at(unsigned i);
struct service *service_named(const char *name);
/* The service that receives on endpoint NAME, or NULL. */
struct service *service_serving(const char *ep_name);
/* loader.c: copy capability `src` into the service's next free slot (and
 * into its plan, so that its successors have it too); service_take_back
 * forgets that again (the capability went with a VM). */
long service_give(struct service *s, unsigned long src, unsigned long rights,
                  unsigned long *child_slot);
void service_take_back(struct service *s, unsigned long child_slot);

/* config.c: read the services of the system tree; prints a message that
 * names the node and property for every error. Returns the count, or -1. */
int config_read_services(const void *fdt, struct service_config *out, int max);

/* loader.c: the plan of a service from its config (creating the named
 * objects it shares with others). 0 or a Keel error. */
long service_plan(struct service *s, const struct service_config *cfg);
/* Adds a mapping of `frame` at the next shared-memory address: its VA. */
unsigned long plan_map_shm(struct plan *p, unsigned long frame, unsigned long size);
long plan_add_cap(struct plan *p, unsigned long src, unsigned long rights, unsigned long badge,
                  bool park, unsigned long *child_slot);
void plan_add_arg(struct plan *p, const char *key, unsigned long value);
long plan_add_map(struct plan *p, unsigned long frame, unsigned long va, unsigned long rights);
/* svc_mmio.c: "mmio:PHYS:SIZE[:KEY]", a device frame for the service. */
long give_mmio(struct plan *p, const struct service_config *cfg, const char *phys, const char *size,
               const char *key);
/* Builds and starts an instance of s from the ELF elf/size, generation
 * gen, with fault badge `badge`; a successor is told so in its argv. */
long instance_start(struct service *s, const void *elf, size_t size, uint32_t gen,
                    unsigned long badge, const struct instance_start_args *how,
                    struct instance *out);
/* Destroys an instance: everything carved from its block. */
long instance_destroy(struct instance *in);

/* Slots in vmm's own cspace; 0 when none is left. slot_free only forgets
 * the number: the capability in it must be gone already. */
unsigned long slot_alloc(void);
void slot_free(unsigned long slot);
#include "elf_load.h"
/* Fills a frame through vmm's scratch mapping: 0 or a Keel error. */
typedef long (*frame_fill_fn)(void *mem, void *ctx);
long frame_fill(unsigned long frame, unsigned long size, frame_fill_fn fill, void *ctx);
/* A new frame filled through vmm's scratch mapping, mapped into `part`. */
long child_frame(unsigned long part, unsigned long va, unsigned long size, unsigned long rights,
                 frame_fill_fn fill, void *ctx);
/* vmm's slot of the object NAME of `type` that services share, created
 * the first time it is named; 0 if none is left. */
unsigned long named_object_slot(const char *name, unsigned type, unsigned long size);
/* vmm's slot of the endpoint that services know as NAME ("ep:NAME:..."), or 0. */
unsigned long named_endpoint_slot(const char *name);

/* vm.c: the VMs of /vms; their exits carry badges from VM_BADGE on.
 * vms_create builds them with vCPUs stopped (before the services, which may
 * name them), vms_start starts them (after). */
#define VM_BADGE       0x100ul
/* Exits of the management VM's mailbox page (mgmt.c): the route with this
 * badge is the management VM's capability to vmm. */
#define VMM_MGMT_BADGE 0x200ul
/* The kernel starts vmm's thread at this priority (kernel/core/rootsvc.c). */
#define VMM_PRIO       20
/* `service_cpus`: bit N when a service runs on CPU N; `prio_floor`: the
 * lowest priority of vmm and the services, which a VM created at run
 * time stays below (vmlimits.h). */
int vms_create(const void *fdt, const void *(*file)(const char *name, size_t *size),
               unsigned long service_cpus, unsigned prio_floor);
void vms_start(void);
/* vmm's slot of VM NAME, or 0. */
unsigned long vm_cap_slot(const char *name);
/* Settle one exit that arrived at counter time `now`; false if the badge is
 * not a VM's. vms_account: vmm's CPU time (keel_cpu_time) as a message
 * arrives, before it is handled; it charges the exit handled before. */
struct keel_msg;
bool vms_handle(unsigned long badge, struct keel_msg *m, unsigned long now);
void vms_account(unsigned long cpu);

/* mgmt.c: an access to the management mailbox; replies itself. */
void mgmt_access(struct keel_msg *m);

/* swap.c: live update. Badges: an instance of generation g of service i
 * faults with service_badge(i, g). */
#define SERVICE_GEN_BADGE 0x80ul
static inline unsigned long service_badge(unsigned i, uint32_t gen)
{
	return (i + 1) | ((gen & 1) ? SERVICE_GEN_BADGE : 0);
}
/* The lifecycle objects of every live service, then the coordinator's
 * share of them; before any instance starts. */
long swap_setup(void);
/* A signal on vmm's endpoint: the coordinator posted a result. */
void swap_signal(void);
/* A fault of a successor during its swap: true if it was one. */
bool swap_fault(unsigned long badge, const struct keel_msg *m);

#endif
