/* SPDX-License-Identifier: MIT */
#ifndef KEEL_ARCH_CACHE_H
#define KEEL_ARCH_CACHE_H

#include <stddef.h>
#include <stdint.h>

/* Write dirty lines of [addr, addr+size) back to the point of coherency. */
void dcache_clean_range(uintptr_t addr, size_t size);
/* Discard lines of [addr, addr+size) without writing them back. */
void dcache_invalidate_range(uintptr_t addr, size_t size);

#endif
