/* SPDX-License-Identifier: MIT */
/* Memory blocks that VMs are built from (memory.c). */
#ifndef VMM_MEMORY_H
#define VMM_MEMORY_H

#include <stdbool.h>

#define MEM_ALIGN (2ul << 20)

struct mem_block {
	unsigned long slot;       /* child untyped in vmm's cspace; 0: unused entry */
	unsigned long base, size; /* physical */
	bool used;                /* a VM is built from it */
};

/* Bytes of untyped a VM with `ram_size` of RAM needs. */
unsigned long mem_vm_size(unsigned long ram_size);
/* A block of at least `size` bytes: a free one if any fits, else new. */
long mem_get(unsigned long size, struct mem_block **out);
/* Destroys everything built from `b` and frees it for the next VM. */
long mem_put(struct mem_block *b);
/* What new VMs can still get: vmm's untyped plus the free blocks. */
unsigned long mem_free_bytes(void);

#endif
