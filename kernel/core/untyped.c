/* SPDX-License-Identifier: MIT */
/*
 * Untyped memory, and its reset. The kernel keeps no list of what it
 * carved, so a reset finds the references into the range from the
 * referencing side, through the structures that reach every live object:
 * the capabilities of every registered cspace, the partition list and each
 * partition's threads, the IRQ handler table, the console's notification
 * and the arch layer's per-CPU pointers. An object in the range that none
 * of these reach is garbage already.
 */
#include <keel/arch.h>
#include <keel/cap.h>
#include <keel/devmem.h>
#include <keel/endpoint.h>
#include <keel/errno.h>
#include <keel/irq.h>
#include <keel/notification.h>
#include <keel/partition.h>
#include <keel/sysinfo.h>
#include <keel/thread.h>
#include <keel/untyped.h>
#include <string.h>

void untyped_init(struct untyped *u, uint32_t id, uint64_t base, uint64_t size)
{
	u->id = id;
	u->base = base;
	u->size = size;
	u->watermark = base;
}

uint64_t untyped_carve(struct untyped *u, uint64_t size, uint64_t align)
{
	uint64_t end = u->base + u->size;
	uint64_t at = (u->watermark + align - 1) & ~(align - 1);

	if (!size || at < u->watermark || at > end || size > end - at)
		return 0;
	u->watermark = at + size;
	return at;
}

uint64_t untyped_alloc(struct untyped *u, uint64_t size, uint64_t align)
{
	uint64_t at = untyped_carve(u, size, align);

	if (at)
		memset((void *)(uintptr_t)at, 0, size);
	return at;
}

uint64_t untyped_free_bytes(const struct untyped *u)
{
	return u->base + u->size - u->watermark;
}

static void unbind_cap(struct cap *c, const void *u)
{
	if (c->type == KEEL_OBJ_ENDPOINT)
		ep_forget_inside(c->obj, u);
	else if (c->type == KEEL_OBJ_NOTIFICATION)
		ntfn_forget_inside(c->obj, u);
}

/* Bindings made once and used later without a capability lookup of the
 * other side: endpoint and notification (EP_BIND), interrupt and
 * notification (IRQ_BIND), the console's notification (CONSOLE_CLAIM). */
static void unbind_inside(const struct untyped *u)
{
	cap_for_each(unbind_cap, u);
	irq_forget_inside(u);
	devmem_forget_inside(u); /* device frames: their MMIO is outside u */
	console_forget_inside(u);
}

int untyped_reset(struct untyped *u, const struct thread *caller)
{
	/* The caller would return into memory about to be reused. */
	if (untyped_contains(u, caller) || untyped_contains(u, caller->partition))
		return -KEEL_EINVAL;
	/* A thread still on a CPU may yet write its registers into the range. */
	if (!partition_stop_inside(u))
		return -KEEL_EBUSY;
	unbind_inside(u);
	cap_delete_inside(u);
	/* Before partitions go: the arch layer still sees whose threads they were. */
	arch_memory_reused(u->base, u->size);
	partition_forget_inside(u);
	u->watermark = u->base;
	return 0;
}
