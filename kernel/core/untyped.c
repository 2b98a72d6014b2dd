/* SPDX-License-Identifier: MIT */
#include <keel/untyped.h>
#include <string.h>

void untyped_init(struct untyped *u, uint32_t id, uint64_t base, uint64_t size)
{
	u->id = id;
	u->base = base;
	u->size = size;
	u->watermark = base;
}

uint64_t untyped_alloc(struct untyped *u, uint64_t size, uint64_t align)
{
	uint64_t end = u->base + u->size;
	uint64_t at = (u->watermark + align - 1) & ~(align - 1);

	if (!size || at < u->watermark || at > end || size > end - at)
		return 0;
	u->watermark = at + size;
	memset((void *)(uintptr_t)at, 0, size);
	return at;
}

uint64_t untyped_free_bytes(const struct untyped *u)
{
	return u->base + u->size - u->watermark;
}
