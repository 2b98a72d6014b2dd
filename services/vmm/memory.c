/* SPDX-License-Identifier: MIT */
/*
 * Memory for VMs. Each VM is built from a child untyped of its own, carved
 * from vmm's untyped: its RAM frame, its VM object and its vCPUs all come
 * out of it. Destroying the VM resets that child (UNTYPED_RESET), which
 * deletes every object and capability carved from it, in any partition,
 * and the block goes to a free list. A new VM takes the smallest free
 * block it fits in before vmm carves new memory, so a VM created after a
 * destroy reuses the memory of the one destroyed.
 */
#include "memory.h"
#include "vmm.h"

#include <keel/service.h>

#define MEM_BLOCKS 24

static struct mem_block blocks[MEM_BLOCKS];

/* Linux RAM frames are 2 MiB aligned after the frame header, and the VM
 * object with its table pages and the vCPUs come after the RAM. */
unsigned long mem_vm_size(unsigned long ram_size)
{
	return ((ram_size + MEM_ALIGN - 1) & ~(MEM_ALIGN - 1)) + 2 * MEM_ALIGN;
}

static struct mem_block *smallest_free(unsigned long size)
{
	struct mem_block *best = NULL;
	for (unsigned i = 0; i < MEM_BLOCKS; i++) {
		struct mem_block *b = &blocks[i];
		if (b->slot && !b->used && b->size >= size && (!best || b->size < best->size))
			best = b;
	}
	return best;
}

static long carve(unsigned long size, struct mem_block **out)
{
	struct mem_block *b = NULL;
	for (unsigned i = 0; i < MEM_BLOCKS && !b; i++)
		if (!blocks[i].slot)
			b = &blocks[i];
	if (!b)
		return -KEEL_ENOMEM;
	unsigned long slot = slot_alloc(), free_bytes;
	if (!slot)
		return -KEEL_ENOMEM;
	long err = keel_retype(KEEL_ROOT_SLOT_UNTYPED, KEEL_OBJ_UNTYPED, size, 0, slot);
	if (!err)
		err = keel_untyped_info(slot, &b->base, &b->size, &free_bytes);
	if (err) {
		keel_cap_delete(slot);
		slot_free(slot);
		return err;
	}
	b->slot = slot;
	*out = b;
	return 0;
}

long mem_get(unsigned long size, struct mem_block **out)
{
	struct mem_block *b = smallest_free(size);
	long err = b ? 0 : carve(size, &b);
	if (err)
		return err;
	b->used = true;
	*out = b;
	return 0;
}

long mem_put(struct mem_block *b)
{
	long err = keel_untyped_reset(b->slot);
	/* A vCPU still on its way off another CPU: a moment. */
	for (int tries = 0; err == -KEEL_EBUSY && tries < 1000; tries++) {
		keel_yield();
		err = keel_untyped_reset(b->slot);
	}
	if (!err)
		b->used = false;
	return err;
}

unsigned long mem_free_bytes(void)
{
	unsigned long base, size, free_bytes = 0, total = 0;
	if (!keel_untyped_info(KEEL_ROOT_SLOT_UNTYPED, &base, &size, &free_bytes))
		total = free_bytes;
	for (unsigned i = 0; i < MEM_BLOCKS; i++)
		if (blocks[i].slot && !blocks[i].used)
			total += blocks[i].size;
	return total;
}
