/* SPDX-License-Identifier: MIT */
/*
 * Partitions: protection domains. A partition is a capability space plus an
 * address space (a stage-2 table with its own VMID); its threads run at EL0.
 * The table pages live inside the partition object, i.e. in memory its
 * creator handed over.
 */
#ifndef KEEL_PARTITION_H
#define KEEL_PARTITION_H

#include <arch/pgtable.h>
#include <keel/cap.h>
#include <keel/list.h>
#include <keel/log_budget.h>
#include <keel/vgic_dist.h>
#include <stdbool.h>
#include <stdint.h>

#define PARTITION_TABLE_PAGES 32
#define PARTITION_NAME_MAX    16
#define PARTITION_IPA_BITS    39
#define PARTITION_LINE_MAX    120

struct endpoint;

/* An MMIO range of a VM whose exits go to a device model's endpoint. */
#define VM_MMIO_ROUTES 8
struct mmio_route {
	uint64_t base, size;
	struct endpoint *ep;
	uint64_t badge;
};

struct partition {
	uint8_t table_pages[PARTITION_TABLE_PAGES][PT_PAGE_SIZE]; /* first: page-aligned */
	struct pt_pool pool;
	struct pgtable s2;
	struct cspace cspace;
	uint32_t id;
	uint16_t vmid;
	bool alive;
	bool is_vm; /* a guest's address space: only vCPUs run in it */
	unsigned vcpu_count;
	struct vgic_dist vgic; /* VMs: the virtual distributor, emulated in the kernel */
	struct mmio_route routes[VM_MMIO_ROUTES];
	unsigned abort_logs; /* aborts logged for this VM (a guest could loop on one) */
	char name[PARTITION_NAME_MAX];
	struct endpoint *fault_ep;
	uint64_t fault_badge;
	/* Pre-mapped heap that answers musl's brk and mmap (linux.c). */
	uint64_t heap_base, heap_size, brk, mmap_top;
	char line[PARTITION_LINE_MAX]; /* partial output line of its printf */
	unsigned line_len;
	struct log_budget log_budget; /* lines it may still put in the kernel log */
	struct list threads;
	struct partition *next;
};

/* Set up p (memory already zeroed). 0 or -KEEL_ENOMEM when no VMID is free. */
int partition_init(struct partition *p, uint32_t id);
/* Stop its threads, empty its cspace, drop its mappings, free its VMID. */
void partition_destroy(struct partition *p);
struct partition *partition_first(void);
struct partition *partition_by_id(uint32_t id);
void partition_set_name(struct partition *p, const char *name);

struct untyped;
/* Untyped reset, first step: stop every thread in u's range and every
 * thread of a partition there. True when none of them is still on a CPU. */
bool partition_stop_inside(const struct untyped *u);
/* Untyped reset, last step: partitions in u's range are destroyed and
 * leave the partition list (their threads outside the range are left
 * INACTIVE without a partition); every other partition loses its threads
 * in the range, its waits on and bindings to objects there, a fault
 * endpoint or MMIO route there, and its mappings of memory there. */
void partition_forget_inside(const struct untyped *u);

#endif
