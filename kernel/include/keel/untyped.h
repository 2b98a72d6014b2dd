/* SPDX-License-Identifier: MIT */
/*
 * Untyped memory: a physical range from which its holder creates kernel
 * objects, frames and smaller untypeds (retype). Every object the kernel
 * keeps for a service comes out of memory that service's creator handed
 * over, so no service can exhaust the kernel's own memory.
 *
 * Allocation only moves a watermark up. Reuse is all at once, as in seL4:
 * a reset destroys everything carved from the range (through child
 * untypeds too) and puts the watermark back at the base. Every allocation
 * zeroes what it hands out, so memory above the watermark may hold
 * anything and a reset need not clear it.
 */
#ifndef KEEL_UNTYPED_H
#define KEEL_UNTYPED_H

#include <stdbool.h>
#include <stdint.h>

struct untyped {
	uint32_t id;
	uint64_t base;
	uint64_t size;
	uint64_t watermark; /* next free byte, base <= watermark <= base + size */
};

void untyped_init(struct untyped *u, uint32_t id, uint64_t base, uint64_t size);
/* Carve `size` bytes aligned to `align` (a power of two), zeroed. Returns
 * the physical address (== kernel address), or 0 when it does not fit. */
uint64_t untyped_alloc(struct untyped *u, uint64_t size, uint64_t align);
/* The same, not zeroed: for a child untyped, whose own allocations zero. */
uint64_t untyped_carve(struct untyped *u, uint64_t size, uint64_t align);
uint64_t untyped_free_bytes(const struct untyped *u);

/* Whether the object at `p` lies in u's range (NULL never does). */
static inline bool untyped_contains(const struct untyped *u, const void *p)
{
	return p && (uint64_t)(uintptr_t)p - u->base < u->size;
}

struct thread;
/* Destroy every object in u's range and every reference to one, then
 * start again at the base. -KEEL_EINVAL if `caller` or its partition lies
 * in the range; -KEEL_EBUSY if a thread there is still on a CPU (it is
 * stopped and kicked, nothing is freed: try again). */
int untyped_reset(struct untyped *u, const struct thread *caller);

#endif
