/* SPDX-License-Identifier: MIT */
/*
 * Untyped memory: a physical range from which its holder creates kernel
 * objects and frames (retype). Every object the kernel keeps for a service
 * comes out of memory that service's creator handed over, so no service can
 * exhaust the kernel's own memory. Memory is never reused in this version:
 * the watermark only moves up (docs/architecture.md).
 */
#ifndef KEEL_UNTYPED_H
#define KEEL_UNTYPED_H

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
uint64_t untyped_free_bytes(const struct untyped *u);

#endif
